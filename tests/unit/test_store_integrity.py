"""The store's integrity guarantees, checked against the git CLI and real files on disk.

Which folders the store opens (and that a refusal touches nothing), the upgrade of a repository
made before the marker file, the sweep of a killed run's temporary files, ``sound()`` and its
stat cache, and that every read of a damaged object is a one-line store error naming it.

Bodies (``add_stream``) live in pack files, documents, trees, commits and tags in loose files:
damage is made where the object is, with :func:`damage` (a pack entry's middle bytes flipped,
as a bad disk would, or a loose file's).
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import zlib
from pathlib import Path

import pytest

from gitsnap.store import (
    CorruptObjectError,
    MissingObjectError,
    NotARepositoryError,
    RepositoryError,
    SnapshotStore,
    UnsupportedFormatError,
    packread,
)
from gitsnap.store import loose as loose_module
from gitsnap.store.identity import MARKER
from gitsnap.verify import verify

from ..damage import flip_middle

GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@x", "GIT_CONFIG_NOSYSTEM": "1"}


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True, env=GIT_ENV).stdout


def listing(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every path under *root* with its size, mtime and mode: any write shows."""
    out = {}
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        out[str(path.relative_to(root))] = (st.st_size, st.st_mtime_ns, st.st_mode)
    return out


def object_file(store: SnapshotStore, object_id: str) -> Path:
    return store.path / "objects" / object_id[:2] / object_id[2:]


def pack_entry(store: SnapshotStore, object_id: str) -> tuple[Path, int, int]:
    """``(pack file, start, end)`` of an object's entry in the pack that holds it."""
    raw = bytes.fromhex(object_id)
    for idx in (store.path / "objects" / "pack").glob("pack-*.idx"):
        pack = packread.PackFile(str(idx)[:-4])
        try:
            order = pack.offsets()
            for i, (offset, name) in enumerate(order):
                if name == raw:
                    end = order[i + 1][0] if i + 1 < len(order) else pack.size() - 20
                    return Path(pack.path), offset, end
        finally:
            pack.close()
    raise AssertionError(f"{object_id} is in no pack")


def damage(store: SnapshotStore, object_id: str, count: int = 16) -> Path:
    """Flip *count* bytes in the middle of an object, wherever it is (loose file or pack entry)."""
    loose = object_file(store, object_id)
    if loose.exists():
        flip_middle(loose, count)
        return loose
    path, start, end = pack_entry(store, object_id)
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    mid = (start + end) // 2
    for i in range(mid - count // 2, mid + count // 2):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def rewrite(path: Path, data: bytes) -> None:
    os.chmod(path, 0o644)
    path.write_bytes(data)


@pytest.fixture
def store(tmp_path):
    return SnapshotStore.init(tmp_path / "repo")


@pytest.fixture
def snapshot(store):
    """One committed snapshot: a body under blobs/, a document, a manifest listing the body."""
    body = os.urandom(200_000)  # incompressible: stored with zlib level 0
    blob, sha256 = store.add_stream(len(body), [body])
    doc_data = b'{"Name": "sailjada-prod"}\n' * 40
    doc = store.add_bytes(doc_data)
    manifest = json.dumps({"bodies": {blob: {"sha256": sha256, "size": len(body)}}}).encode()
    files = {f"blobs/{blob[:2]}/{blob[2:]}": blob, "aws/1/us-east-1/s3/bucket/x/bucket.json": doc,
             "manifest.json": store.add_bytes(manifest)}
    tree = store.write_tree(files)
    commit = store.commit(tree, None, "one")
    store.advance(None, commit)
    store.tag("v1.0", commit, "tagged")
    return store, {"body": blob, "doc": doc, "tree": tree, "commit": commit, "data": body, "doc_data": doc_data}


# -- which folders are repositories -----------------------------------------------------------


@pytest.fixture
def project(tmp_path):
    """Someone's ordinary (non-bare) git repository with one commit."""
    x = tmp_path / "x"
    x.mkdir()
    git("init", "-q", "-b", "main", str(x))
    (x / "README").write_text("mine\n")
    git("add", "README", cwd=x)
    git("commit", "-qm", "first", cwd=x)
    return x


@pytest.mark.parametrize("which", ["worktree", "gitdir", "empty", "missing", "plain-folder", "bare-git"])
def test_a_folder_that_is_not_a_gitsnap_repository_is_refused_untouched(tmp_path, project, which):
    path = {
        "worktree": project,
        "gitdir": project / ".git",
        "empty": tmp_path / "empty",
        "missing": tmp_path / "nothing-here",
        "plain-folder": tmp_path / "docs",
        "bare-git": tmp_path / "bare.git",
    }[which]
    if which == "empty":
        path.mkdir()
    elif which == "plain-folder":
        path.mkdir()
        (path / "notes.txt").write_text("x")
    elif which == "bare-git":
        git("init", "-q", "--bare", str(path))
    before = listing(tmp_path)
    with pytest.raises(NotARepositoryError) as info:
        SnapshotStore(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    assert "not a gitsnap repository" in message or "does not exist" in message
    assert listing(tmp_path) == before  # no lock file, no config write, no marker: nothing
    if which in ("worktree", "gitdir", "bare-git"):
        assert "git repository but not a gitsnap repository" in message


def test_a_repository_made_before_the_marker_is_accepted_and_marked_under_the_lock(store):
    (store.path / MARKER).unlink()  # what the previous version made: gitsnap.format in config only
    before = listing(store.path)
    old = SnapshotStore(store.path)
    assert listing(store.path) == before  # opening alone writes nothing
    with old.lock():
        pass
    assert (store.path / MARKER).read_text().startswith("gitsnap snapshot repository, format 1\n")
    assert git("-C", str(store.path), "config", "gitsnap.format").strip() == "1"
    fsck = subprocess.run(["git", "-C", str(store.path), "fsck", "--strict"], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stderr


def test_a_marker_alone_is_enough_and_the_config_mark_comes_back(store):
    git("-C", str(store.path), "config", "--unset", "gitsnap.format")
    with SnapshotStore(store.path).lock():
        pass
    assert git("-C", str(store.path), "config", "gitsnap.format").strip() == "1"


def test_a_newer_format_is_refused_by_name(store):
    git("-C", str(store.path), "config", "gitsnap.format", "2")
    with pytest.raises(UnsupportedFormatError, match="gitsnap format 2 repository.*reads format 1 only"):
        SnapshotStore(store.path)


def test_init_still_makes_a_repository_in_a_new_or_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    for path in (tmp_path / "new" / "deeper", tmp_path / "empty"):
        made = SnapshotStore.init(path)
        assert SnapshotStore(path).format == 1 and (made.path / MARKER).is_file()
    with pytest.raises(RepositoryError, match="is a file"):
        SnapshotStore.init(tmp_path / "new" / "deeper" / "HEAD")


# -- the lock, and what a killed run leaves -------------------------------------------------


def test_the_lock_sweeps_a_killed_runs_temporary_files_and_nothing_else(snapshot):
    store, ids = snapshot
    old = time.time() - 3600
    fanout = object_file(store, ids["doc"]).parent
    pack_dir = store.path / "objects" / "pack"
    # only gitsnap writes these: holding the lock proves their writer is dead, however fresh
    ours = [
        pack_dir / "tmp_gitsnap_x8Yq2.pack",  # store/packs.py: the bodies of a killed capture
        pack_dir / "tmp_gitsnap_b7Rr1.idx",  # ... and the index of a pack being finished
        store.path / "objects" / "tmp_obj_k1ll3d",  # an older gitsnap's half-written body
        fanout / (ids["doc"][2:] + ".lock"),  # dulwich writing a loose object
        store.path / "objects" / "tmp_pack_Zq9",  # dulwich receiving a thin pack
        pack_dir / "tmpa8s7d6.pack",  # dulwich add_pack
    ]
    # git writes these too (someone may run git here by hand): removed only when old
    gits_old = [
        fanout / "tmp_obj_AbCdEf",
        store.path / "refs" / "heads" / "main.lock",
        store.path / "refs" / "tags" / "v2.0.lock",
        store.path / "packed-refs.lock",
        pack_dir / "tmp_pack_Q1w2E3",
    ]
    gits_fresh = [fanout / "tmp_obj_writing", store.path / "config.lock", store.path / "refs" / "heads" / "x.lock"]
    finished = pack_dir / ("pack-" + "1" * 40 + ".pack")  # a pack without its index: maybe the only copy
    for path in [*ours, *gits_old, *gits_fresh, finished]:
        path.write_bytes(b"partial")
    for path in [*gits_old, finished]:
        os.utime(path, (old, old))
    with store.lock():
        assert [p for p in ours + gits_old if p.exists()] == []
    assert all(p.exists() for p in gits_fresh) and finished.exists()
    assert store.sound(ids["body"]) and object_file(store, ids["doc"]).exists()
    assert store.head() == ids["commit"] and store.tags() == {"v1.0": ids["commit"]}


def test_ref_locks_left_by_a_gitsnap_killed_while_moving_refs_are_removed_at_once(snapshot):
    """Found by the kill -9 test: killed between taking refs/heads/main.lock and renaming it,
    gitsnap left a fresh ref lock, and the next capture refused to move the branch. The mark
    written around every ref move says whose lock it is."""
    from gitsnap.store.sweep import MOVING_REFS

    store, ids = snapshot
    lock = store.path / "refs" / "heads" / "main.lock"
    lock.write_text("0" * 40 + "\n")
    with store.lock():
        pass
    assert lock.exists()  # fresh, and nothing says gitsnap made it: maybe a git command's
    (store.path / MOVING_REFS).write_text("4242\n")  # what a gitsnap killed mid-move leaves
    with store.lock():
        second = store.commit(ids["tree"], ids["commit"], "two")
        store.advance(ids["commit"], second)
    assert not lock.exists() and not (store.path / MOVING_REFS).exists()
    assert store.head() == second


def test_a_locked_ref_is_a_one_line_error_naming_the_lock_file(snapshot):
    store, ids = snapshot
    lock = store.path / "refs" / "heads" / "main.lock"
    lock.write_text("0" * 40 + "\n")  # fresh: a git command may be moving the branch right now
    second = store.commit(ids["tree"], ids["commit"], "two")
    with pytest.raises(RepositoryError, match=f"refs/heads/main is locked by {lock} .*so it was not moved"):
        store.advance(ids["commit"], second)
    assert store.head() == ids["commit"]


def test_a_second_writer_is_refused_while_the_lock_is_held(store):
    other = SnapshotStore(store.path)
    with store.lock(), pytest.raises(RepositoryError, match="another gitsnap process is writing"), other.lock():
        pass


# -- sound() and its stat cache ---------------------------------------------------------------


def test_sound_is_true_for_every_good_object_and_false_for_a_missing_one(snapshot):
    store, ids = snapshot
    for key in ("body", "doc", "tree", "commit"):
        assert store.sound(ids[key]), key
    assert not store.sound("0" * 40)
    assert not store.sound("not an id")


@pytest.mark.parametrize("harm", ["flip", "truncate", "other-object", "bad-header", "trailing-bytes", "empty"])
def test_sound_is_false_for_a_damaged_loose_object(snapshot, harm):
    store, ids = snapshot
    blob = ids["doc"]
    path = object_file(store, blob)
    raw = path.read_bytes()
    if harm == "flip":
        flip_middle(path)
    elif harm == "truncate":
        rewrite(path, raw[: len(raw) // 2])
    elif harm == "other-object":  # valid zlib and header, other bytes: only the hash tells
        rewrite(path, zlib.compress(b"blob 3\x00bad"))
    elif harm == "bad-header":
        rewrite(path, zlib.compress(b"blob x\x00" + ids["doc_data"]))
    elif harm == "trailing-bytes":
        rewrite(path, raw + b"\x00junk")
    else:
        rewrite(path, b"")
    assert not store.sound(blob)
    fsck = subprocess.run(["git", "-C", str(store.path), "fsck", "--no-dangling"], capture_output=True, text=True)
    assert fsck.returncode != 0 and blob[2:] in fsck.stderr  # git agrees (it names the id or the file)


@pytest.mark.parametrize("packed", [True, False], ids=["body-in-a-pack", "loose-document"])
def test_sound_reads_an_unchanged_file_once_and_a_changed_one_again(snapshot, monkeypatch, packed):
    writer, ids = snapshot
    reads: list[str] = []
    real_loose, real_entry = loose_module.open_object, packread.open_entry
    monkeypatch.setattr(loose_module, "open_object",
                        lambda path, *a, **k: (reads.append(str(path)), real_loose(path, *a, **k))[1])
    monkeypatch.setattr(packread, "open_entry",
                        lambda source, *a, **k: (reads.append(source.name), real_entry(source, *a, **k))[1])
    blob = ids["body"] if packed else ids["doc"]
    where = pack_entry(writer, blob)[0] if packed else object_file(writer, blob)
    if packed:
        assert writer.sound(blob) and reads == []  # the store that wrote the pack knows it is sound
        (writer.path / "gitsnap" / "sound.cache").unlink(missing_ok=True)
    store = SnapshotStore(writer.path)  # another process, without the cache
    assert store.sound(blob) and store.sound(blob)
    assert len(reads) == 1  # the second answer came from the stat cache
    store.close()  # saves the cache: a new process (a new store) does not read it either
    again = SnapshotStore(store.path)
    assert again.sound(blob) and len(reads) == 1
    assert (store.path / "gitsnap" / "sound.cache").read_text().startswith("gitsnap sound cache 1\n")
    # damage that keeps size and mtime (a write, then the old mtime put back): ctime still moves
    st = where.stat()
    damage(again, blob)
    os.utime(where, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert where.stat().st_size == st.st_size and where.stat().st_mtime_ns == st.st_mtime_ns
    assert not again.sound(blob) and len(reads) == 2
    assert not again.sound(blob) and len(reads) == 3  # a damaged object is never cached


def test_a_pack_the_store_wrote_is_remembered_sound_whole(snapshot, monkeypatch):
    """What makes the no-change path cheap at 100,000 bodies: a new process asks about every
    body of a pack gitsnap wrote and reads none of them (a lookup and a stat each)."""
    store, ids = snapshot
    bodies = [store.add_stream(len(b), [b])[0] for b in (os.urandom(2000) + bytes([i]) for i in range(200))]
    store.flush()
    store.close()
    reads: list[str] = []
    real_entry, real_loose = packread.open_entry, loose_module.open_object
    monkeypatch.setattr(packread, "open_entry",
                        lambda source, *a, **k: (reads.append(source.name), real_entry(source, *a, **k))[1])
    monkeypatch.setattr(loose_module, "open_object",
                        lambda path, *a, **k: (reads.append(str(path)), real_loose(path, *a, **k))[1])
    again = SnapshotStore(store.path)
    assert all(again.sound(b) for b in bodies) and reads == []
    cache = (store.path / "gitsnap" / "sound.cache").read_text().splitlines()
    assert len(cache) < 10 and any(line.startswith("pack pack-") for line in cache)  # not a line per body


@pytest.mark.parametrize("where", ["pack", "loose"])
def test_writing_a_body_again_repairs_a_damaged_copy(snapshot, where):
    """The damaged copy is in a pack (gitsnap wrote it) or a loose file (an older gitsnap did):
    either way, once the body is written again every reader gets the fresh copy."""
    store, ids = snapshot
    blob, data = ids["body"], ids["data"]
    if where == "loose":  # what an older gitsnap left: the body as a loose object
        blob, data = ids["doc"], ids["doc_data"]
    damage(store, blob)
    assert not store.sound(blob)
    with pytest.raises(CorruptObjectError):
        store.read(blob)
    again, _ = store.add_stream(len(data), [data])
    assert again == blob and store.sound(blob) and store.read(blob) == data
    store.flush()
    assert store.sound(blob) and b"".join(store.iter_blob(blob)) == data
    reopened = SnapshotStore(store.path)
    assert reopened.sound(blob) and reopened.read(blob) == data
    out = subprocess.run(["git", "-C", str(store.path), "cat-file", "blob", blob], capture_output=True)
    assert out.returncode == 0 and out.stdout == data
    assert verify(reopened, "HEAD").problems == []


def test_sound_checks_packed_objects_from_many_threads(snapshot):
    store, ids = snapshot
    extra = [store.add_stream(len(b), [b])[0] for b in (os.urandom(5000 + i) for i in range(20))]
    store.advance(ids["commit"], store.commit(store.write_tree({f"b/{i}": b for i, b in enumerate(extra)}),
                                              ids["commit"], "two"))
    git("-C", str(store.path), "repack", "-adq")
    git("-C", str(store.path), "prune-packed")
    packed = SnapshotStore(store.path)
    wanted = [*extra, ids["body"], ids["doc"], ids["commit"]]
    assert not any(object_file(packed, oid).exists() for oid in wanted)
    results: dict[str, bool] = {}
    threads = [threading.Thread(target=lambda o=oid: results.__setitem__(o, packed.sound(o))) for oid in wanted * 3]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == dict.fromkeys(wanted, True)
    pack = next((store.path / "objects" / "pack").glob("*.pack"))
    flip_middle(pack, count=4096)  # most of the middle of the pack (git repack made one pack)
    assert not all(packed.sound(oid) for oid in wanted)


# -- reading damage: one store error naming the object ------------------------------------------


def test_every_read_of_a_damaged_object_names_it(snapshot):
    store, ids = snapshot
    flip_middle(object_file(store, ids["doc"]))
    damage(store, ids["body"])
    with pytest.raises(CorruptObjectError, match=f"blob {ids['body']} is corrupt \\(zlib: .*pack-"):
        store.read(ids["body"])
    with pytest.raises(CorruptObjectError, match=f"blob {ids['doc']} is corrupt \\(zlib: "):
        store.read(ids["doc"])
    with pytest.raises(CorruptObjectError, match=f"blob {ids['body']} is corrupt"):
        b"".join(store.iter_blob(ids["body"]))
    flip_middle(object_file(store, ids["tree"]))
    with pytest.raises(CorruptObjectError, match=f"tree at / {ids['tree']} is corrupt"):
        store.files(ids["commit"])
    object_file(store, ids["commit"]).unlink()
    with pytest.raises(MissingObjectError, match=f"refs/heads/main points at commit {ids['commit']}, which is missing"):
        store.resolve("HEAD")
    with pytest.raises(RepositoryError, match=f"tag v1.0 .*points at commit {ids['commit']}, which is missing"):
        store.resolve("v1.0")


def test_a_branch_pointing_at_a_corrupt_commit_is_named_not_unknown(snapshot):
    store, ids = snapshot
    flip_middle(object_file(store, ids["commit"]))
    with pytest.raises(CorruptObjectError) as info:
        store.resolve("HEAD")
    assert f"refs/heads/main points at commit {ids['commit']}, which is corrupt (zlib" in str(info.value)
    assert "gitsnap verify" in str(info.value) and "unknown revision" not in str(info.value)
    with pytest.raises(CorruptObjectError, match=ids["commit"]):
        store.log()


# -- verify lists everything --------------------------------------------------------------------


def test_verify_lists_each_damaged_object_with_its_path_and_goes_on(snapshot):
    store, ids = snapshot
    assert verify(store, "HEAD").problems == []
    damage(store, ids["body"])
    object_file(store, ids["doc"]).unlink()
    tag_object = (store.path / "refs" / "tags" / "v1.0").read_text().strip()
    flip_middle(object_file(store, tag_object))
    problems = verify(store, "HEAD").problems
    body_path = f"blobs/{ids['body'][:2]}/{ids['body'][2:]}"
    assert len(problems) == 3, problems
    assert any(p.startswith(f"tag v1.0 (object {tag_object}) is corrupt (") for p in problems)
    assert f"blob {ids['doc']} at aws/1/us-east-1/s3/bucket/x/bucket.json: missing" in problems
    assert any(p.startswith(f"blob {ids['body']} at {body_path}: corrupt (zlib: ") for p in problems)


def test_verify_does_not_list_what_a_damaged_tree_hides(snapshot):
    store, ids = snapshot
    blobs_tree = next(e.id for e in store.check_object(ids["tree"]).entries if e.name == "blobs")
    flip_middle(object_file(store, blobs_tree))
    problems = verify(store, "HEAD").problems
    assert len(problems) == 1 and problems[0].startswith(f"tree {blobs_tree} at blobs/: corrupt (")


def test_verify_names_refs_that_hold_no_object_or_a_missing_one(snapshot):
    store, ids = snapshot
    (store.path / "refs" / "tags" / "scribbled").write_text("not an id\n")
    (store.path / "refs" / "tags" / "dangling").write_text("2" * 40 + "\n")
    problems = verify(store, "HEAD").problems
    assert sorted(problems) == ["tag dangling points at missing object " + "2" * 40,
                                "tag scribbled holds 'not an id', not an object id"]
    (store.path / "refs" / "heads" / "main").write_text("also not an id\n")
    problems = verify(store, "HEAD").problems
    assert "ref refs/heads/main holds 'also not an id', not an object id" in problems and len(problems) == 3
