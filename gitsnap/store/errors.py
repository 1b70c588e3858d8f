"""Errors raised by the snapshot store."""

from ..errors import GitsnapError, UsageError


class RepositoryError(GitsnapError):
    """The snapshot repository cannot be read or written."""


class NotARepositoryError(RepositoryError):
    """The path is not a gitsnap repository."""


class ConcurrentUpdateError(RepositoryError):
    """A ref moved between reading it and updating it (another capture ran)."""


class RevisionError(UsageError):
    """A revision name does not resolve to a snapshot commit."""
