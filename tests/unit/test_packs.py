"""The pack writer (store/packs.py) and reader (store/packread.py), through the store's API.

Bodies written with ``add_stream`` go into pack files; what a user checks is what git says
about them (``git fsck --strict``, ``git verify-pack``, ``git cat-file``), that the store
reads every body back exactly, before and after its pack is finished, and that the
repository is a few files, not one per body. The size bounds (SMALL_MAX, ROLL_BYTES) are
lowered here so that big bodies and rollover are exercised with small data.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import pytest

from gitsnap.store import CorruptObjectError, SnapshotStore, packread, packs
from gitsnap.store.loose import SizeMismatchError

GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@x", "GIT_CONFIG_NOSYSTEM": "1"}


def git(repo: Path, *args: str, binary: bool = False, check: bool = True):
    out = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, env=GIT_ENV, check=check)
    return out if not check else (out.stdout if binary else out.stdout.decode())


def fsck(repo: Path) -> None:
    out = git(repo, "fsck", "--strict", "--no-progress", check=False)
    said = [line for line in out.stderr.decode().splitlines() if line.strip() and not line.startswith("notice:")]
    assert out.returncode == 0 and not said, out.stderr.decode()


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def pack_files(store: SnapshotStore) -> list[str]:
    return sorted(p.name for p in (store.path / "objects" / "pack").iterdir())


def loose_objects(store: SnapshotStore) -> list[Path]:
    return [p for d in (store.path / "objects").iterdir() if len(d.name) == 2 for p in d.iterdir()]


def commit_bodies(store: SnapshotStore, blobs: list[str], parent: str | None = None) -> str:
    """A snapshot naming *blobs* (so fsck finds them reachable); the branch moved to it."""
    tree = store.write_tree({f"blobs/{b[:2]}/{b[2:]}": b for b in blobs})
    commit = store.commit(tree, parent, "bodies")
    store.advance(parent, commit)
    return commit


@pytest.fixture
def store(tmp_path):
    s = SnapshotStore.init(tmp_path / "repo")
    yield s
    s.close()


BODIES = {
    "empty": b"",
    "one byte": b"x",
    "text": b"<p>sunset sail</p>\n" * 5000,
    "noise": os.urandom(300_000),
    "chunked noise": os.urandom(70_001),
}


def test_bodies_round_trip_before_and_after_their_pack_is_finished(store):
    written = {}
    for name, body in BODIES.items():
        chunks = [body[i:i + 65536] for i in range(0, len(body), 65536)] or [b""]
        blob, sha256 = store.add_stream(len(body), chunks)
        assert sha256 == hashlib.sha256(body).hexdigest(), name
        assert blob == hashlib.sha1(b"blob %d\x00" % len(body) + body).hexdigest(), name
        written[blob] = body
    assert files_under(store.path / "objects" / "pack")[0].startswith("tmp_gitsnap_")  # one pack being written
    for blob, body in written.items():  # readable while the pack is being written
        assert store.has(blob) and store.sound(blob) and store.read(blob) == body
        assert b"".join(store.iter_blob(blob)) == body and store.check_object(blob, sha256=True).problem is None
    commit_bodies(store, list(written))
    assert [n.split(".")[-1] for n in pack_files(store)] == ["idx", "pack"]  # finished: one pack, its index
    assert not any((store.path / "objects" / b[:2] / b[2:]).exists() for b in written)  # no body is loose
    fsck(store.path)
    assert "ok" in git(store.path, "verify-pack", "-v", *[str(p) for p in (store.path / "objects" / "pack").glob("*.idx")])
    for blob, body in written.items():
        assert git(store.path, "cat-file", "blob", blob, binary=True) == body
        assert store.read(blob) == body and b"".join(store.iter_blob(blob)) == body
    again = SnapshotStore(store.path)  # another process
    assert all(again.read(b) == body and again.sound(b) for b, body in written.items())
    again.close()


def test_incompressible_bodies_are_stored_not_deflated_and_text_is_deflated(store):
    noise, text = BODIES["noise"], BODIES["text"]
    for body in (noise, text):
        store.add_stream(len(body), [body])
    commit_bodies(store, [])
    [idx] = (store.path / "objects" / "pack").glob("*.idx")
    listed = git(store.path, "verify-pack", "-v", str(idx))
    sizes = {int(line.split()[2]): int(line.split()[3]) for line in listed.splitlines()
             if len(line.split()) >= 5 and line.split()[1] == "blob"}  # size -> size in pack
    assert len(noise) <= sizes[len(noise)] < len(noise) * 1.01  # stored blocks: no time spent for nothing
    assert sizes[len(text)] < len(text) / 20


@pytest.mark.parametrize("big", [False, True], ids=["small", "big"])
@pytest.mark.parametrize("short", [True, False], ids=["short", "long"])
def test_a_size_mismatch_raises_and_leaves_nothing_visible(store, monkeypatch, big, short):
    monkeypatch.setattr(packs, "SMALL_MAX", 1000 if big else packs.SMALL_MAX)
    data = os.urandom(5000)
    with pytest.raises(SizeMismatchError):
        store.add_stream(len(data) + (1 if short else -1), [data[:2000], data[2000:]])
    store.flush()
    assert files_under(store.path / "objects") == []
    assert not store.has(hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest())


def test_big_bodies_stream_into_a_pack_of_their_own(store, monkeypatch):
    monkeypatch.setattr(packs, "SMALL_MAX", 64 * 1024)
    big = os.urandom(300_000) + b"tail" * 50_000
    small = b"small body\n"
    chunks = [big[i:i + 10_000] for i in range(0, len(big), 10_000)]
    blob, sha256 = store.add_stream(len(big), iter(chunks))
    small_blob, _ = store.add_stream(len(small), [small])
    assert sha256 == hashlib.sha256(big).hexdigest()
    # finished at once, before any flush: a whole pack under its final name
    assert len([n for n in pack_files(store) if n.startswith("pack-") and n.endswith(".idx")]) == 1
    pieces = list(store.iter_blob(blob))
    assert b"".join(pieces) == big and max(map(len, pieces)) <= 1024 * 1024  # streamed, in bounded chunks
    commit_bodies(store, [blob, small_blob])
    assert len([n for n in pack_files(store) if n.endswith(".pack")]) == 2
    fsck(store.path)
    assert git(store.path, "cat-file", "blob", blob, binary=True) == big


def test_concurrent_writers_share_one_pack_and_never_write_a_body_twice(store):
    """64 threads, as many as download threads, each writing bodies, many of them shared."""
    shared = [os.urandom(3000) for _ in range(20)]
    written: dict[str, bytes] = {}
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(30):
                body = shared[(n + i) % len(shared)] if i % 2 else os.urandom(500 + i) + bytes([n])
                blob, _ = store.add_stream(len(body), [body[:100], body[100:]])
                with lock:
                    written[blob] = body
        except BaseException as exc:  # noqa: BLE001 (reported by the main thread)
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(64)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    commit_bodies(store, list(written))
    [idx] = (store.path / "objects" / "pack").glob("*.idx")
    entries = [line.split()[0] for line in git(store.path, "verify-pack", "-v", str(idx)).splitlines()
               if len(line.split()) >= 5 and line.split()[1] == "blob"]
    assert sorted(entries) == sorted(written)  # every body once, none twice
    fsck(store.path)
    assert all(store.read(b) == body for b, body in written.items())


def test_the_shared_pack_rolls_over_at_its_size_bound(store, monkeypatch):
    monkeypatch.setattr(packs, "ROLL_BYTES", 50_000)
    bodies = [os.urandom(9000) for _ in range(30)]  # ~270 KB: five or six packs
    blobs = [store.add_stream(len(b), [b])[0] for b in bodies]
    finished = [n for n in pack_files(store) if n.startswith("pack-") and n.endswith(".pack")]
    assert len(finished) >= 4  # rolled over while writing, without a flush
    assert all(store.read(b) == body for b, body in zip(blobs, bodies, strict=True))
    commit_bodies(store, blobs)
    fsck(store.path)
    for pack in (store.path / "objects" / "pack").glob("*.pack"):
        assert pack.stat().st_size < 50_000 + 10_000  # the bound, plus at most one body


def test_a_body_stored_and_known_sound_is_not_written_again(store):
    body = os.urandom(4000)
    first, _ = store.add_stream(len(body), [body])
    again, _ = store.add_stream(len(body), [body])  # in the pack being written
    commit = commit_bodies(store, [first])
    before = pack_files(store)
    third, _ = store.add_stream(len(body), [body])  # in a finished pack, remembered sound
    store.flush()
    assert first == again == third and pack_files(store) == before  # nothing new written
    reopened = SnapshotStore(store.path)  # another process: the cache says the pack is sound
    reopened.add_stream(len(body), [body])
    reopened.flush()
    assert pack_files(reopened) == before
    reopened.close()
    assert store.files(commit)


def test_a_damaged_copy_in_a_shared_pack_is_written_afresh_and_read_from_then_on(store):
    """The damaged copy's pack holds other bodies, so the fresh copy goes to another pack: the
    two packs' mtimes may tie, so readers must find the good copy whichever is listed first."""
    body, other = os.urandom(50_000), os.urandom(50_000)
    blob, _ = store.add_stream(len(body), [body])
    other_blob, _ = store.add_stream(len(other), [other])
    commit = commit_bodies(store, [blob, other_blob])
    [pack] = (store.path / "objects" / "pack").glob("*.pack")
    pf = packread.PackFile(str(pack)[:-5])
    order = pf.offsets()
    pf.close()
    at = next(i for i, (_, raw) in enumerate(order) if raw.hex() == blob)
    start = order[at][0]
    end = order[at + 1][0] if at + 1 < len(order) else pack.stat().st_size - 20
    os.chmod(pack, 0o644)
    data = bytearray(pack.read_bytes())
    data[(start + end) // 2] ^= 0xFF
    pack.write_bytes(bytes(data))
    assert not store.sound(blob) and store.sound(other_blob)
    with pytest.raises(CorruptObjectError, match=blob):
        store.read(blob)
    store.add_stream(len(body), [body])
    commit_bodies(store, [blob, other_blob], commit)
    for reader in (store, SnapshotStore(store.path)):
        assert reader.sound(blob) and reader.read(blob) == body and b"".join(reader.iter_blob(blob)) == body
        assert reader.check_object(blob).problem is None
    assert git(store.path, "cat-file", "blob", blob, binary=True) == body


def test_bodies_are_read_and_verified_after_git_gc_made_deltas(store):
    """After a user's ``git gc`` the bodies are in git's pack, similar ones as deltas: reading
    falls back to dulwich for those, and verify still checks every body."""
    import json

    from gitsnap.verify import verify

    base = b"".join(b"line %d of a long and fairly repetitive document\n" % i for i in range(3000))
    blobs, parent, manifest = [], None, {}
    for i in range(4):
        body = base + b"edit %d\n" % i
        blob, sha256 = store.add_stream(len(body), [body])
        blobs.append((blob, body))
        manifest[blob] = {"sha256": sha256, "size": len(body)}
        files = {f"blobs/{b[:2]}/{b[2:]}": b for b, _ in blobs}
        files["manifest.json"] = store.add_bytes(json.dumps({"bodies": manifest}).encode())
        commit = store.commit(store.write_tree(files), parent, "bodies")
        store.advance(parent, commit)
        parent = commit
    git(store.path, "gc", "-q", "--aggressive")
    gc = SnapshotStore(store.path)
    assert not loose_objects(gc) and len(list((gc.path / "objects" / "pack").glob("*.pack"))) == 1
    for blob, body in blobs:
        assert gc.read(blob) == body and b"".join(gc.iter_blob(blob)) == body and gc.sound(blob)
    report = verify(gc, "HEAD")
    assert report.problems == [] and report.bodies == 4
    gc.close()


def test_a_killed_writer_leaves_only_temporary_files_which_the_next_lock_sweeps(tmp_path):
    """A capture killed before its pack was finished (the child exits without cleaning up, as
    SIGKILL would): only ``tmp_gitsnap_*`` files, no pack under a final name, git fsck clean."""
    repo = tmp_path / "repo"
    SnapshotStore.init(repo).close()
    code = ("import os, sys; from gitsnap.store import SnapshotStore\n"
            "s = SnapshotStore(sys.argv[1]); s.lock().__enter__()\n"
            "for i in range(50): b = os.urandom(2000); s.add_stream(len(b), [b])\n"
            "os._exit(0)\n")
    subprocess.run([sys.executable, "-c", code, str(repo)], check=True)
    left = files_under(repo / "objects" / "pack")
    assert left and all(name.startswith("tmp_gitsnap_") for name in left)
    fsck(repo)
    store = SnapshotStore(repo)
    with store.lock():
        assert files_under(repo / "objects" / "pack") == []
        body = b"after the kill"
        blob, _ = store.add_stream(len(body), [body])
        commit_bodies(store, [blob])
    fsck(repo)
    assert store.read(blob) == body
    store.close()


def test_checking_many_objects_pack_by_pack_finds_what_checking_each_finds(store):
    """verify's batch check (one pass over each pack, in file order) against one check per
    object: the same findings, damaged entries named, sound ones with their sha256."""
    bodies = [os.urandom(3000 + i) for i in range(40)] + [b"", b"text\n" * 900]
    blobs = [store.add_stream(len(b), [b])[0] for b in bodies]
    commit_bodies(store, blobs)
    [pack] = (store.path / "objects" / "pack").glob("*.pack")
    pf = packread.PackFile(str(pack)[:-5])
    order = pf.offsets()
    pf.close()
    os.chmod(pack, 0o644)
    data = bytearray(pack.read_bytes())
    for at in (3, 17, 30):  # three entries damaged in their middle
        data[(order[at][0] + order[at + 1][0]) // 2] ^= 0xFF
    pack.write_bytes(bytes(data))
    damaged = {order[at][1].hex() for at in (3, 17, 30)}
    reader = SnapshotStore(store.path)
    wanted = [*blobs, "0" * 40]
    batch = reader.check_objects(wanted, sha256=True)
    one_by_one = {oid: reader.check_object(oid, sha256=True) for oid in wanted}
    assert {o: c.problem for o, c in batch.items()} == {o: c.problem for o, c in one_by_one.items()}
    assert {o for o, c in batch.items() if c.problem and c.problem.startswith("corrupt (zlib: ")} == damaged
    assert batch["0" * 40].problem == "missing"
    for blob, body in zip(blobs, bodies, strict=True):
        if blob not in damaged:
            assert batch[blob].sha256 == hashlib.sha256(body).hexdigest() and batch[blob].size == len(body)
    reader.close()


# -- stored deflate (bodies that do not compress) ---------------------------------------------

@pytest.mark.parametrize("sizes", [[], [0], [1], [65535], [65536], [70_000, 3], [1 << 20, 1 << 20, 17]])
def test_stored_deflate_is_a_zlib_stream_of_the_same_bytes(sizes):
    from gitsnap.store.packs import StoredDeflate

    chunks = [os.urandom(n) for n in sizes]
    comp = StoredDeflate()
    stream = b"".join(comp.compress(c) for c in chunks) + comp.flush()
    assert zlib.decompress(stream) == b"".join(chunks)
    d = zlib.decompressobj()
    assert d.decompress(stream) == b"".join(chunks) and d.eof and not d.unused_data
