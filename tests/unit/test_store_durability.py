"""Objects are on disk before a ref names them.

A power cut cannot be staged in a test, so this checks the order that makes one harmless:
every object file written by a capture (the pack holding its bodies and the pack's index,
its loose documents, trees and commit), the folder holding each name, and ``objects/`` are
fsynced before the ref file is renamed into place. ``os.fsync`` and
``os.replace`` are wrapped to record, in order, which path each one touched (the path of a
descriptor is read from /proc/self/fd, so the test is Linux-only); nothing else changes.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import pytest

from gitsnap.store import RepositoryError, SnapshotStore

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/fd")


class Journal:
    """fsync and rename calls, in the order they happened."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.events: list[tuple[str, str]] = []
        self.sources: dict[str, str] = {}  # renamed to -> from
        real_fsync, real_replace = os.fsync, os.replace

        def fsync(fd: int) -> None:
            self.events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
            real_fsync(fd)

        def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str], **kw: object) -> None:
            source = os.path.realpath(os.fsdecode(src))
            real_replace(src, dst, **kw)  # type: ignore[arg-type]
            self.events.append(("rename", os.path.realpath(os.fsdecode(dst))))
            self.sources[self.events[-1][1]] = source

        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(os, "replace", replace)

    def index(self, kind: str, path: Path) -> int:
        """Where the first *kind* of *path* is; a file fsynced before it was renamed to *path*
        (a pack, its index) counts by its temporary name."""
        real = os.path.realpath(path)
        if kind == "fsync" and ("fsync", real) not in self.events and real in self.sources:
            real = self.sources[real]
        target = (kind, real)
        assert target in self.events, f"no {kind} of {path}"
        return self.events.index(target)


def loose_objects(store: SnapshotStore) -> list[Path]:
    objects = store.path / "objects"
    return [p for d in objects.iterdir() if len(d.name) == 2 for p in d.iterdir()]


def capture(store: SnapshotStore, n: int, parent: str | None = None) -> str:
    """What a capture writes: streamed bodies, documents, a tree, a commit."""
    files = {}
    for i in range(n):
        body = os.urandom(64)
        blob, _ = store.add_stream(len(body), [body])
        files[f"blobs/{blob[:2]}/{blob[2:]}"] = blob
        files[f"aws/doc{i}.json"] = store.add_bytes(b'{"n": %d}\n' % i + os.urandom(4).hex().encode())
    return store.commit(store.write_tree(files), parent, "capture")


def test_every_object_and_its_folder_is_fsynced_before_the_branch_and_the_tag_move(tmp_path: Path,
                                                                                  monkeypatch) -> None:
    store = SnapshotStore.init(tmp_path / "snap")
    journal = Journal(monkeypatch)
    with store.lock():
        commit = capture(store, 40)
        store.advance(None, commit)
        store.tag("v1", commit, "first")
    branch = journal.index("rename", store.path / "refs" / "heads" / "main")
    tag = journal.index("rename", store.path / "refs" / "tags" / "v1")
    tag_id = (store.path / "refs" / "tags" / "v1").read_text().strip()
    tag_object = store.path / "objects" / tag_id[:2] / tag_id[2:]
    objects = loose_objects(store)
    assert len(objects) > 40 + 2  # documents, trees, the commit, the tag
    packs = sorted((store.path / "objects" / "pack").glob("pack-*"))
    assert [p.suffix for p in packs] == [".idx", ".pack"]  # the 40 bodies: one pack, not 40 files
    for path in objects + packs:
        before = tag if path == tag_object else branch
        assert journal.index("fsync", path) < before, f"{path} was not on disk before the ref named it"
        assert journal.index("fsync", path.parent) < before, f"the name of {path} was not on disk"
    pack, idx = packs[1], packs[0]
    assert journal.index("fsync", pack) < journal.index("rename", pack) < journal.index("rename", idx), \
        "a pack must be whole on disk before its name appears, and before its index"
    assert journal.index("fsync", store.path / "objects") < branch  # the names of new fan-out folders
    # batched: nothing was fsynced while bodies and documents were being written
    first_sync = min(i for i, (kind, path) in enumerate(journal.events) if kind == "fsync" and "/objects/" in path)
    object_renames = [i for i, (kind, path) in enumerate(journal.events)
                      if kind == "rename" and "/objects/" in path and "/objects/pack/" not in path]
    assert first_sync > max(i for i in object_renames if i < branch), "objects were fsynced one by one as written"


def test_an_object_a_killed_run_left_moments_ago_is_fsynced_too(tmp_path: Path, monkeypatch) -> None:
    """A run killed after writing an object (never flushed, no ref moved); the next run writes
    the same bytes, finds the file there, and must still flush it before its ref names it."""
    store = SnapshotStore.init(tmp_path / "snap")
    with store.lock():
        left = store.add_bytes(b"written by a run that was then killed\n")
    store.close()
    store = SnapshotStore(tmp_path / "snap")
    journal = Journal(monkeypatch)
    with store.lock():
        again = store.add_bytes(b"written by a run that was then killed\n")
        commit = store.commit(store.write_tree({"a.txt": again}), None, "capture")
        store.advance(None, commit)
    assert again == left
    path = store.path / "objects" / left[:2] / left[2:]
    assert journal.index("fsync", path) < journal.index("rename", store.path / "refs" / "heads" / "main")


def test_a_failed_fsync_leaves_the_branch_where_it_was(tmp_path: Path, monkeypatch) -> None:
    """A disk error while flushing: one clear error, and no ref names the unflushed objects."""
    store = SnapshotStore.init(tmp_path / "snap")
    with store.lock():
        first = capture(store, 2)
        store.advance(None, first)
        second = capture(store, 2, first)

        def broken(fd: int) -> None:
            raise OSError(errno.EIO, "Input/output error")

        monkeypatch.setattr(os, "fsync", broken)
        with pytest.raises(RepositoryError, match="no ref was moved"):
            store.advance(first, second)
    assert store.head() == first
