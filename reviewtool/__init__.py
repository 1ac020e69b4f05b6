"""reviewtool: review kernel patch series the way maintainers do."""

__version__ = "0.1.0"
