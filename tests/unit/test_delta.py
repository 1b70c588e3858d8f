"""Big documents stored as deltas (store/delta.py, store/deltapack.py), through the store's API.

What a user checks: the repository grows by kilobytes, not by a whole index, when a capture
changes a few lines of a big ``objects.jsonl``; git reads the result as its own
(``git fsck --strict``, ``git verify-pack``, ``git cat-file``, ``git log -p``); every
version reads back exactly, through the store and through verify's pack scan; a chain never
grows past its bound; and damage is found, never spread or made worse by the next capture.
Captures here are the store calls capture/write.py makes (documents, tree, commit, branch).
"""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitsnap.store import SnapshotStore, deltapack, packread
from gitsnap.store.delta import MAX_INSERT, DeltaError, apply_delta, transform_delta

GIT_ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
INDEX = "aws/1/s3/b/objects.jsonl"
MANIFEST = "manifest.json"


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    out = subprocess.run(["git", "--git-dir", str(repo), *args], capture_output=True, env=GIT_ENV)
    assert out.returncode == 0 or not check, out.stderr.decode()
    return out


def fsck(repo: Path) -> None:
    out = git(repo, "fsck", "--strict", "--full", "--no-progress", check=False)
    said = [line for line in out.stderr.decode().splitlines() if line.strip() and not line.startswith("notice:")]
    assert out.returncode == 0 and not said, out.stderr.decode()


def index_doc(versions: list[int]) -> bytes:
    """An objects.jsonl-like document: one sorted line per key, hashes that do not compress."""
    lines = []
    for i, v in enumerate(versions):
        h = hashlib.sha256(b"%d/%d" % (i, v)).hexdigest()
        lines.append(b'{"blob":"%s","etag":"%s","key":"k/%06d","sha256":"%s","size":%d}\n'
                     % (h[:40].encode(), h[40:].encode(), i, h.encode(), 1000 + v))
    return b"".join(lines)


class History:
    """Captures of one bucket's index (and a small document) into a store, as write.py does."""

    def __init__(self, path: Path, keys: int = 3000) -> None:
        self.store = SnapshotStore.init(path)
        self.path = path
        self.versions = [0] * keys
        self.head: str | None = None
        self.root: str | None = None
        self.docs: list[bytes] = []  # every version of the index, oldest first
        self.rng = random.Random(7)

    def capture(self, changes: int = 5, extra: dict[str, bytes] | None = None) -> str:
        for i in self.rng.sample(range(len(self.versions)), changes) if self.docs else []:
            self.versions[i] += 1
        doc = index_doc(self.versions)
        self.docs.append(doc)
        with self.store.lock():
            files = {INDEX: self.store.add_bytes(doc), "small.json": self.store.add_bytes(b'{"n": %d}\n' % len(self.docs))}
            for path, data in (extra or {}).items():
                files[path] = self.store.add_bytes(data)
            self.root = self.store.write_tree(files, self.root)
            commit = self.store.commit(self.root, self.head, f"capture {len(self.docs)}")
            self.store.advance(self.head, commit)
        self.head = commit
        return files[INDEX]

    def reopen(self) -> None:
        self.store.close()
        self.store = SnapshotStore(self.path)


def pack_bytes(repo: Path) -> int:
    return sum(p.stat().st_size for p in (repo / "objects" / "pack").iterdir())


def packs(repo: Path) -> list[str]:
    return sorted(p.name[:-5] for p in (repo / "objects" / "pack").glob("pack-*.pack"))


def chain_lengths(repo: Path) -> dict[int, int]:
    """``git verify-pack -v``'s histogram: chain length -> objects (0: whole objects)."""
    out = {}
    for idx in (repo / "objects" / "pack").glob("pack-*.idx"):
        text = git(repo, "verify-pack", "-v", str(idx)).stdout.decode()
        for line in text.splitlines():
            if line.startswith("non delta:"):
                out[0] = out.get(0, 0) + int(line.split()[2])
            elif line.startswith("chain length = "):
                n = int(line.split("=")[1].split(":")[0])
                out[n] = out.get(n, 0) + int(line.split(":")[1].split()[0])
    return out


@pytest.fixture
def history(tmp_path):
    h = History(tmp_path / "repo")
    yield h
    h.store.close()


# -- the delta itself --------------------------------------------------------------------------


def test_a_delta_of_a_few_changed_lines_is_small_and_gives_back_the_target():
    base = index_doc([0] * 2000)
    target = index_doc([1 if i % 400 == 0 else 0 for i in range(2000)])
    delta = transform_delta(base, target)
    assert delta is not None and len(delta) < len(target) // 50
    assert apply_delta(base, delta) == target


def test_no_delta_is_made_when_the_documents_share_nothing():
    assert transform_delta(index_doc([0] * 500), index_doc([1] * 500)) is None


def test_a_delta_that_does_not_fit_its_base_is_refused():
    base, target = index_doc([0] * 300), index_doc([0] * 299 + [1])
    delta = transform_delta(base, target)
    assert delta is not None
    with pytest.raises(DeltaError):
        apply_delta(base + b"x", delta)  # the base's size is in the delta's header
    with pytest.raises(DeltaError):
        apply_delta(base, delta[:-3])  # cut short


LINES = st.lists(st.sampled_from([b"a\n", b"b\n", b"  },\n", b"{\n", b"x\r\n", b"\r", b"", b"long line " * 20 + b"\n",
                                  b"no newline", b"\xff\x00\n"]), max_size=40)


@settings(max_examples=150, deadline=None)
@given(LINES, LINES, st.randoms(use_true_random=False))
def test_every_delta_gives_back_its_target_exactly(base_lines, target_lines, rnd):
    """Repeated lines, CR and CRLF endings, no final newline, binary bytes: the bytes come back."""
    base = b"".join(base_lines)
    mixed = list(base_lines)
    rnd.shuffle(mixed)
    for target in (b"".join(target_lines), b"".join(mixed[: len(mixed) // 2] + target_lines), base):
        delta = transform_delta(base, target)
        if delta is not None:
            assert apply_delta(base, delta) == target


def test_long_inserts_and_copies_are_split_into_ops_git_reads(monkeypatch, tmp_path):
    """Inserts of more than 127 bytes and copies over the copy size bound (lowered here) are
    split; git applies the result (fsck and cat-file of the stored version)."""
    from gitsnap.store import delta as delta_mod

    monkeypatch.setattr(delta_mod, "MAX_COPY", 1000)
    base = index_doc([0] * 600)
    target = base[:40_000] + b"new " * (3 * MAX_INSERT) + b"\n" + base[40_000:]
    delta = transform_delta(base, target)
    assert delta is not None and apply_delta(base, delta) == target
    h = History(tmp_path / "repo", keys=1)
    with h.store.lock():
        h.root = h.store.write_tree({INDEX: h.store.add_bytes(base)})
        h.head = h.store.commit(h.root, None, "one")
        h.store.advance(None, h.head)
    with h.store.lock():
        root = h.store.write_tree({INDEX: h.store.add_bytes(target)}, h.root)
        commit = h.store.commit(root, h.head, "two")
        h.store.advance(h.head, commit)
    fsck(h.path)
    assert git(h.path, "cat-file", "-p", f"{h.head}:{INDEX}").stdout == base
    assert chain_lengths(h.path) == {0: 1, 1: 1}
    h.store.close()


# -- captures -----------------------------------------------------------------------------------


def test_a_capture_changing_a_few_lines_grows_the_repository_by_kilobytes(history):
    history.capture()
    whole = pack_bytes(history.path)
    assert whole > 100_000  # the index is in the documents pack, compressed
    for _ in range(3):
        history.capture(changes=5)
    grown = pack_bytes(history.path) - whole
    assert grown < whole // 20, (whole, grown)  # three captures, each a few lines: deltas, not copies
    assert len(packs(history.path)) == 1  # folded: one documents pack, the old ones removed
    assert deltapack.read_list(history.path / deltapack.LIST) == packs(history.path)


def test_git_reads_every_version_and_the_history(history):
    blobs = [history.capture() for _ in range(4)]
    fsck(history.path)
    assert chain_lengths(history.path) == {0: 1, 1: 1, 2: 1, 3: 1}  # the newest whole, older ones deltas
    for back, doc in enumerate(reversed(history.docs)):
        assert git(history.path, "cat-file", "-p", f"HEAD~{back}:{INDEX}").stdout == doc
    log = git(history.path, "log", "-p", "--format=%s").stdout
    assert log.count(b"diff --git a/aws/1/s3/b/objects.jsonl") == 4  # the first one adds it
    assert log.count(b"\n+{\"blob\":") == 3000 + 3 * 5  # every line once, then 5 changed a capture
    assert git(history.path, "gc", "--quiet").returncode == 0
    fsck(history.path)
    assert [history.store.read(b) for b in blobs] == history.docs
    history.reopen()  # after git gc the listed documents pack is gone: captures go on
    blobs.append(history.capture())
    fsck(history.path)
    assert [history.store.read(b) for b in blobs] == history.docs


def test_the_store_and_verify_read_every_version(history):
    blobs = [history.capture() for _ in range(5)]
    history.reopen()  # a new process: nothing in memory, no open pack
    assert [history.store.read(b) for b in blobs] == history.docs
    assert [b"".join(history.store.iter_blob(b)) for b in blobs] == history.docs
    checks = history.store.check_objects(blobs, sha256=True)
    for blob, doc in zip(blobs, history.docs, strict=True):
        assert checks[blob].problem is None and checks[blob].size == len(doc)
        assert checks[blob].sha256 == hashlib.sha256(doc).hexdigest()
    assert all(history.store.sound(b) for b in blobs)


def test_a_chain_never_grows_past_its_bound(history, monkeypatch):
    monkeypatch.setattr(deltapack, "MAX_DEPTH", 2)
    blobs = [history.capture() for _ in range(7)]
    fsck(history.path)
    lengths = chain_lengths(history.path)
    assert max(lengths) <= 2 and lengths[0] == 3  # a new chain starts every third version
    history.reopen()
    assert [history.store.read(b) for b in blobs] == history.docs


def test_a_small_document_stays_loose_and_a_ciphertext_is_not_deltified(history):
    cipher = random.Random(1).randbytes(200_000)  # a sealed body: incompressible
    history.capture(extra={"sealed/bodies/x.age": cipher})
    blob = hashlib.sha1(b"blob %d\x00" % len(cipher) + cipher).hexdigest()
    assert (history.path / "objects" / blob[:2] / blob[2:]).is_file()
    small = hashlib.sha1(b'blob 9\x00{"n": 1}\n').hexdigest()
    assert (history.path / "objects" / small[:2] / small[2:]).is_file()


def test_a_damaged_documents_pack_is_found_and_kept_and_the_next_capture_still_works(history):
    blobs = [history.capture() for _ in range(3)]
    pack = history.path / "objects" / "pack" / (packs(history.path)[0] + ".pack")
    found = packread.PackSet(str(pack.parent))
    target = found.find(bytes.fromhex(blobs[0]))  # the oldest version: a delta
    assert target is not None
    found.close()
    data = bytearray(pack.read_bytes())
    data[target[1] + 40] ^= 0xFF
    os.chmod(pack, 0o644)
    pack.write_bytes(bytes(data))
    history.reopen()
    assert history.store.check_objects([blobs[0]])[blobs[0]].problem.startswith("corrupt")
    assert history.store.read(blobs[2]) == history.docs[2]  # the rest still reads
    history.capture()  # the damaged pack is not folded (its CRC32 no longer matches): left as it is
    assert pack.exists()
    assert history.store.read(history.capture()) == history.docs[-1]
    assert history.store.read(blobs[1]) == history.docs[1]


def test_a_fold_from_a_pack_not_known_sound_reads_it_whole_first(history):
    history.capture()
    history.capture()
    history.store.close()
    (history.path / "gitsnap" / "sound.cache").unlink()
    history.store = SnapshotStore(history.path)
    blob = history.capture()
    fsck(history.path)
    assert len(packs(history.path)) == 1
    assert history.store.read(blob) == history.docs[-1]


def test_a_capture_that_fails_leaves_no_documents_pack(history):
    history.capture()
    before = sorted(os.listdir(history.path / "objects" / "pack"))
    with pytest.raises(RuntimeError), history.store.lock():
        history.store.add_bytes(index_doc([5] * 3000))
        raise RuntimeError("the capture failed")
    assert sorted(os.listdir(history.path / "objects" / "pack")) == before


def test_the_old_pack_stays_until_the_new_one_is_listed(history, monkeypatch):
    """A list that cannot be written (a full disk): the new pack is readable, the old one
    stays, nothing is lost and git still reads the repository."""
    history.capture()
    history.capture()

    def refuse(path, names):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(deltapack, "write_list", refuse)
    blob = history.capture()
    assert len(packs(history.path)) == 2
    fsck(history.path)
    history.reopen()
    assert history.store.read(blob) == history.docs[-1]
    monkeypatch.undo()
    history.capture()
    fsck(history.path)
