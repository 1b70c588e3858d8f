"""Writing a snapshot's tree: ``path -> blob id`` to nested git trees.

Kept apart from repo.py so how trees are built (and reused between snapshots) can change
without touching how objects are stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dulwich.index import commit_tree
from dulwich.objects import ShaFile

FILE_MODE = 0o100644


@dataclass(frozen=True)
class _Recording:
    """An object container for dulwich helpers (commit_tree) whose writes go through the store."""

    add_object: Callable[[ShaFile], None]


def write_tree(add_object: Callable[[ShaFile], None], files: dict[str, str]) -> str:
    """Write the trees holding *files* (``path -> blob id``) through *add_object*; the root's id.

    Args:
        add_object: Stores one object (the store's, so trees are flushed before a ref moves).
        files: Every file of the snapshot, by its slash-separated path.
    """
    entries = [
        (path.encode("utf-8", "surrogateescape"), blob.encode(), FILE_MODE)
        for path, blob in sorted(files.items())
    ]
    return commit_tree(_Recording(add_object), entries).decode()
