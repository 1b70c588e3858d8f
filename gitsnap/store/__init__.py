"""The snapshot repository: the only package that imports dulwich.

It owns git objects (blobs streamed to disk, trees, commits, annotated tags) and
refs, which it moves only by compare-and-swap after every object they point to
is written. Nothing above it knows how git stores anything.
"""

from .errors import ConcurrentUpdateError, NotARepositoryError, RepositoryError, RevisionError
from .repo import SnapshotStore

__all__ = [
    "ConcurrentUpdateError",
    "NotARepositoryError",
    "RepositoryError",
    "RevisionError",
    "SnapshotStore",
]
