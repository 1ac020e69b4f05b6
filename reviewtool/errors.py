"""The one exception type the CLI turns into a one-line message and exit 2."""


class InputError(Exception):
    """Bad input, unreachable source or invalid configuration: the user's to fix."""
