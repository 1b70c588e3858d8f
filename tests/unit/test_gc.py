"""gitsnap gc: what no ref reaches is removed, loose and packed; what a kept snapshot reaches never is.

The repository is built through the store as captures build it: bodies in packs (several per
pack), big text documents in the documents pack as deltas of each other (deltapack.py), and
loose documents, trees, commits and tags; then ``forget`` drops snapshots in the middle.
"""

from __future__ import annotations

import os
import subprocess
import time
import types
from pathlib import Path
from unittest import mock

import pytest

from gitsnap.store import SnapshotStore, deltapack, packread
from gitsnap.store import forget as fg
from gitsnap.store import gc as gcm
from gitsnap.store.keep import Policy

DAY = 86400
START = 1_740_798_000  # 2025-03-01 03:00 UTC


def _document(n: int) -> bytes:
    """A big text document (over deltapack.DOCUMENT_MIN) of which each night changes one line."""
    lines = [b'{"key": "page-%05d", "size": %d}' % (i, i if i != n else 10_000 + n) for i in range(3000)]
    return b"\n".join(lines) + b"\n"


def build(path: Path, nights: int) -> SnapshotStore:
    store = SnapshotStore.init(path)
    head = None
    for n in range(nights):
        with store.lock():
            files = {"objects.jsonl": store.add_bytes(_document(n)),
                     "blobs/shared": store.add_stream(7, [b"shared\n"])[0],  # in every snapshot
                     "blobs/mine": store.add_stream(12, [b"night %06d" % n])[0],  # each night's own
                     f"blobs/keep{n}": store.add_stream(10, [b"keep %05d" % n])[0]}  # stays in later ones
            for m in range(n):
                files[f"blobs/keep{m}"] = store.add_stream(10, [b"keep %05d" % m])[0]
            tree = store.write_tree(files, store.root_tree(head))
            clock = types.SimpleNamespace(time=lambda at=START + n * DAY: at, monotonic=time.monotonic)
            with mock.patch("gitsnap.store.repo.time", clock):
                commit = store.commit(tree, head, f"night {n}")
                store.advance(head, commit)
                if n % 4 == 0:
                    store.tag(f"v{n}", commit, f"release {n}")
            head = commit
    return store


def _git(path: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(path), *args], capture_output=True, text=True, check=check)


def _all_objects(path: Path) -> set[str]:
    out = _git(path, "cat-file", "--batch-all-objects", "--batch-check=%(objectname)").stdout
    return set(out.split())


def _reachable_by_git(path: Path) -> set[str]:
    out = _git(path, "rev-list", "--objects", "--all").stdout
    return {line.split()[0] for line in out.splitlines()}


@pytest.fixture
def forgotten(tmp_path):
    """Eight nights, then every snapshot but the newest two and the v* tags forgotten."""
    path = tmp_path / "r"
    store = build(path, 8)
    before = {e.id: store.files(e.id) for e in store.log()}
    fg.forget(store, Policy(last=2, tags=("v*",)))
    return path, store, before


def test_plan_counts_what_git_calls_unreachable_and_writes_nothing(forgotten):
    path, store, _ = forgotten
    listing = sorted(str(p.relative_to(path)) for p in path.rglob("*") if "gitsnap.lock" not in p.name)
    plan = gcm.gc(store, apply=False)
    assert isinstance(plan, gcm.Plan)
    everything = _all_objects(path)
    unreachable = everything - _reachable_by_git(path)
    packed_removed = {e.raw.hex() for p in plan.packs for e in p.entries if e.raw not in p.keep}
    assert set(plan.loose) | packed_removed == unreachable
    assert plan.count > 0 and plan.bytes > 0 and plan.packs_rewritten > 0
    assert sorted(str(p.relative_to(path)) for p in path.rglob("*") if "gitsnap.lock" not in p.name) == listing


def test_apply_removes_only_the_unreachable_and_git_agrees(forgotten):
    path, store, before = forgotten
    reachable = _reachable_by_git(path)
    plan, result = gcm.gc(store, apply=True)
    assert result.removed == plan.count > 0
    assert _all_objects(path) == reachable  # nothing reachable lost, nothing unreachable left
    _git(path, "fsck", "--strict", "--no-dangling")  # reflog entries of the old commits went with them
    assert _git(path, "fsck", "--strict", "--unreachable").stdout == ""
    store.close()
    fresh = SnapshotStore(path)
    for entry in fresh.log():  # every kept snapshot reads back whole, each object checked
        files = fresh.files(entry.id)
        assert files == before.get(entry.id, files)
        for blob in files.values():
            fresh.read(blob)
    fresh.close()


def test_documents_stay_deltas_in_a_listed_pack(forgotten):
    """The documents pack is rewritten: the kept versions still deltas where they were, rebased
    where their base went, and gitsnap/document-packs names the new pack."""
    path, store, _ = forgotten
    gcm.gc(store, apply=True)
    store.close()
    listed = deltapack.read_list(path / deltapack.LIST)
    assert listed and all((path / "objects" / "pack" / f"{name}.pack").exists() for name in listed)
    pack = packread.PackFile(str(path / "objects" / "pack" / listed[0]))
    deltas = [e for e in deltapack.get_entries(pack) if e.base is not None]
    pack.close()
    assert deltas  # the older kept versions are deltas, not whole copies
    verify = _git(path, "verify-pack", "-v", str(path / "objects" / "pack" / f"{listed[0]}.idx"))
    assert "chain length" in verify.stdout


def test_an_object_a_kept_snapshot_shares_with_a_forgotten_one_stays(forgotten):
    """blobs/keep1 was first written on night 1 (forgotten) and is in every later snapshot."""
    path, store, before = forgotten
    first = sorted(before, key=lambda c: before[c].get("blobs/keep1") is None)
    shared = before[first[0]]["blobs/keep1"]
    gcm.gc(store, apply=True)
    assert _git(path, "cat-file", "-e", shared, check=False).returncode == 0
    assert store.read(shared) == b"keep 00001"


def test_a_second_gc_finds_nothing(forgotten):
    _, store, _ = forgotten
    gcm.gc(store, apply=True)
    plan = gcm.gc(store, apply=False)
    assert plan.count == 0


def test_a_damaged_pack_stops_gc_before_anything_is_removed(forgotten):
    path, store, _ = forgotten
    plan = gcm.gc(store, apply=False)
    target = next(p for p in plan.packs if p.keep and not p.documents)
    kept = next(e for e in target.entries if e.raw in target.keep)
    os.chmod(target.pack.path, 0o644)
    with open(target.pack.path, "r+b") as fh:  # flip a byte inside a kept entry's zlib stream
        fh.seek(kept.end - 3)
        byte = fh.read(1)
        fh.seek(kept.end - 3)
        fh.write(bytes([byte[0] ^ 0xFF]))
    everything = _all_objects(path)
    with pytest.raises(gcm.GcError, match="gitsnap verify"):
        gcm.gc(store, apply=True)
    assert _all_objects(path) == everything


def test_gc_finishes_an_interrupted_forget_first(tmp_path):
    path = tmp_path / "r"
    store = build(path, 6)
    real = fg._move

    def tags_fail(s, ref, old, new):
        return False if "tags" in (ref.decode() if isinstance(ref, bytes) else ref) else real(s, ref, old, new)

    with mock.patch.object(fg, "_move", tags_fail), pytest.raises(fg.TagsNotMovedError):
        fg.forget(store, Policy(last=1, tags=("v*",)))
    gcm.gc(store, apply=True)
    on_main = {e.id for e in store.log()}
    assert set(store.tags().values()) <= on_main
    _git(path, "fsck", "--strict", "--no-dangling")


def test_a_pack_git_made_is_rewritten_too(forgotten):
    """After a user's 'git repack' (offset deltas, every kind of object, unreachable ones kept in
    it), gc still removes exactly the unreachable objects and git reads the result."""
    path, store, _ = forgotten
    _git(path, "-c", "pack.threads=1", "repack", "-a", "-d", "-f", "--keep-unreachable", "--depth=50", "--window=10")
    reachable = _reachable_by_git(path)
    assert _all_objects(path) != reachable
    plan, _ = gcm.gc(store, apply=True)
    assert plan.packs_rewritten >= 1
    assert _all_objects(path) == reachable
    _git(path, "fsck", "--strict", "--no-dangling")
    for entry in store.log():
        for blob in store.files(entry.id).values():
            store.read(blob)


def test_a_reflog_rewrite_killed_half_way_is_swept_by_the_next_lock_holder(tmp_path: Path) -> None:
    """gc rewrites reflogs through a temporary file beside them; a kill leaves it behind, and the
    next command holding the capture lock removes it (the reflog itself untouched)."""
    from gitsnap.store import SnapshotStore

    store = SnapshotStore.init(tmp_path / "snap")
    logs = store.path / "logs" / "refs" / "heads"
    logs.mkdir(parents=True, exist_ok=True)
    (logs / "main").write_text("kept\n")
    (logs / "main.tmp4242").write_text("half")
    with store.lock():
        pass
    assert not (logs / "main.tmp4242").exists() and (logs / "main").read_text() == "kept\n"
