"""The snapshot repository: the only package that imports dulwich.

It owns git objects (blobs streamed to disk, trees, commits, annotated tags) and
refs, which it moves only by compare-and-swap after every object they point to
is written and flushed to disk (durable.py). Nothing above it knows how git
stores anything.

It also owns the repository's integrity: which folders are gitsnap repositories
(identity.py), which stored objects are known sound (sound.py), what a killed run
left behind (sweep.py), and the errors that name a damaged object.
"""

from .errors import (
    ConcurrentUpdateError,
    CorruptObjectError,
    MissingObjectError,
    NotARepositoryError,
    RepositoryError,
    RevisionError,
    UnsupportedFormatError,
)
from .repo import ObjectCheck, SnapshotStore, TreeEntry

__all__ = [
    "ConcurrentUpdateError",
    "CorruptObjectError",
    "MissingObjectError",
    "NotARepositoryError",
    "ObjectCheck",
    "RepositoryError",
    "RevisionError",
    "SnapshotStore",
    "TreeEntry",
    "UnsupportedFormatError",
]
