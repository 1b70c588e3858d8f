"""Writing a snapshot's tree: ``path -> blob id`` to nested git trees, unchanged subtrees reused.

Kept apart from repo.py so how trees are built (and reused between snapshots) can change
without touching how objects are stored.

A capture of a 100,000-object bucket has 100,000 ``blobs/ab/cdef...`` entries; rebuilding and
storing every tree each time cost seconds. Here every tree's id is computed first, from its
serialized entries (cheap: no git object is made), then the trees are written from the root
down, skipping each subtree whose id equals the previous snapshot's tree at the same path.
Those are already stored, and durable: the previous snapshot's ref moved only after they were
flushed. A 100-change capture so writes the root, ``blobs``, and the hundred or so
``blobs/ab`` trees that changed, and reads only the previous trees on their paths.

Entries are ordered and encoded exactly as git (and dulwich) do, so ids equal a full
rebuild's; ``git fsck --strict`` checks that.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from dulwich.objects import ShaFile, Tree

FILE_MODE = 0o100644
DIR_MODE = 0o040000
_FILE = b"100644 "
_DIR = b"40000 "

# previous tree id -> its entries (name -> (is a folder, id)); None when there is no previous tree
ReadEntries = Callable[[str], Mapping[bytes, tuple[bool, str]]]


@dataclass
class _Folder:
    """One folder of the new tree: its files (name -> blob id) and folders, then its id."""

    files: dict[bytes, str] = field(default_factory=dict)
    folders: dict[bytes, _Folder] = field(default_factory=dict)
    raw: bytes = b""
    id: str = ""


def transform_nest(files: Mapping[str, str]) -> _Folder:
    """*files* (``path -> blob id``) as nested folders. Pure.

    A name that is both a file and a folder (``a`` and ``a/b``) is a folder, as in a full
    rebuild (dulwich's commit_tree); git cannot hold both.
    """
    root = _Folder()
    for path, blob in files.items():
        *parents, name = path.encode("utf-8", "surrogateescape").split(b"/")
        folder = root
        for part in parents:
            child = folder.folders.get(part)
            if child is None:
                child = folder.folders[part] = _Folder()
                folder.files.pop(part, None)
            folder = child
        if name not in folder.folders:
            folder.files[name] = blob
    return root


def transform_ids(folder: _Folder) -> str:
    """Serialize *folder* and every folder in it as git trees; its id. Pure.

    Git orders a tree's entries by name, a folder's name compared as if it ended in ``/``.
    """
    entries = [(name, _FILE + name + b"\0" + bytes.fromhex(blob)) for name, blob in folder.files.items()]
    for name, child in folder.folders.items():
        entries.append((name + b"/", _DIR + name + b"\0" + bytes.fromhex(transform_ids(child))))
    entries.sort(key=lambda e: e[0])
    folder.raw = b"".join(e[1] for e in entries)
    folder.id = hashlib.sha1(b"tree %d\x00" % len(folder.raw) + folder.raw).hexdigest()
    return folder.id


def write_tree(add_object: Callable[[ShaFile], None], files: Mapping[str, str], previous: str | None = None,
               read_entries: ReadEntries | None = None) -> str:
    """Write the trees holding *files* (``path -> blob id``) through *add_object*; the root's id.

    Args:
        add_object: Stores one object (the store's, so trees are flushed before a ref moves).
        files: Every file of the snapshot, by its slash-separated path.
        previous: The previous snapshot's root tree: a subtree equal to its tree at the same
            path is not written again (None: write every tree).
        read_entries: Reads one previous tree's entries (needed with *previous*).
    """
    root = transform_nest(files)
    transform_ids(root)
    _write(add_object, root, previous if read_entries is not None else None, read_entries)
    return root.id


def _write(add_object: Callable[[ShaFile], None], folder: _Folder, previous: str | None,
           read_entries: ReadEntries | None) -> None:
    """Write *folder* and the folders in it that differ from *previous* (its tree then)."""
    if previous == folder.id:
        return
    before = read_entries(previous) if previous is not None and read_entries is not None else {}
    for name, child in folder.folders.items():
        was = before.get(name)
        _write(add_object, child, was[1] if was is not None and was[0] else None, read_entries)
    tree = Tree.from_raw_string(Tree.type_num, folder.raw, sha=folder.id.encode())
    add_object(tree)
