"""Errors raised by the snapshot store."""

from ..errors import GitsnapError, UsageError


class RepositoryError(GitsnapError):
    """The snapshot repository cannot be read or written."""


class NotARepositoryError(RepositoryError):
    """The path is not a gitsnap repository (and nothing was created or changed there)."""


class UnsupportedFormatError(RepositoryError):
    """The repository was made by a newer gitsnap, in a format this version cannot read."""


class ConcurrentUpdateError(RepositoryError):
    """A ref moved between reading it and updating it (another capture ran)."""


class CorruptObjectError(RepositoryError):
    """A git object cannot be read back as written: it does not decompress, is cut short,
    has a bad header, does not hash to its id, or is of the wrong kind.

    Attributes:
        object_id: The id of the damaged object.
        reason: What is wrong with it, e.g. ``"zlib: Error -3 while decompressing data"``.
    """

    def __init__(self, message: str, object_id: str, reason: str) -> None:
        super().__init__(message)
        self.object_id = object_id
        self.reason = reason


class MissingObjectError(CorruptObjectError):
    """A git object that something points at is not in the repository at all."""


class RevisionError(UsageError):
    """A revision name does not resolve to a snapshot commit."""
