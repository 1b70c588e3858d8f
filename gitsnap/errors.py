"""The root of gitsnap's error hierarchy.

Each layer defines its own errors next to the code that raises them, subclassing
:class:`GitsnapError`; ``cli`` maps them to exit codes in one table (``cli.EXIT_FOR``).
A ``GitsnapError`` message is one line a user can act on: what failed, which
resource or file, and what to do.
"""


class GitsnapError(Exception):
    """An expected failure with a one-line, user-facing message (exit 2: nothing was written)."""


class UsageError(GitsnapError):
    """The command line asks for something that cannot be done (bad revision, bad address)."""


class UnknownAddressError(UsageError):
    """An address or glob given on the command line matches no resource."""


class IncompleteError(GitsnapError):
    """Part of what was asked was done and part was not (exit 3): the message says what is left.

    Raised *after* the done part is reported, by ``export`` and ``restore``.
    """


class DeclinedError(GitsnapError):
    """The user answered "no" to a confirmation: nothing was changed (its own exit code)."""
