"""The one exception type the CLI turns into a one-line message and exit 2,
and the one place that makes any message a single printable line."""

MAX_MESSAGE_CHARS = 2000


class InputError(Exception):
    """Bad input, unreachable source or invalid configuration: the user's to fix."""


def one_line(text: object) -> str:
    """``text`` as one line: newlines and other control characters become
    spaces, undecodable bytes U+FFFD, and a very long message is cut."""
    from .sources.headers import clean_text

    line = clean_text(str(text))
    return line if len(line) <= MAX_MESSAGE_CHARS else line[: MAX_MESSAGE_CHARS - 3] + "..."
