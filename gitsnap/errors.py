"""The root of gitsnap's error hierarchy.

Each layer defines its own errors next to the code that raises them, subclassing
:class:`GitsnapError`; ``cli`` maps them to exit codes in one table. A
``GitsnapError`` message is one line a user can act on: what failed, which
resource or file, and what to do.
"""


class GitsnapError(Exception):
    """An expected failure with a one-line, user-facing message."""


class UsageError(GitsnapError):
    """The command line asks for something that cannot be done (bad revision, bad address)."""
