"""The history at scale (issue 13): trees reused by id, no-change decided without reading the
bodies' trees, and object indexes diffed by their differing lines only.

Scale is simulated with a few thousand bodies: what is checked is what gets read and written
(which trees, how many index lines parsed), never how long it takes.
"""

from __future__ import annotations

import hashlib
import json
import random
import subprocess
import time
from pathlib import Path

import pytest
from dulwich.index import commit_tree
from dulwich.object_store import MemoryObjectStore

from gitsnap import canonical
from gitsnap.capture.finish import make_guard
from gitsnap.capture.units import UnitResult
from gitsnap.capture.write import CaptureRequest, SnapshotWriter, read_manifest
from gitsnap.config import Config
from gitsnap.diff import diff_objects, diff_snapshots
from gitsnap.layout import OBJECT_INDEX, ObjectEntry, dump_index, load_index
from gitsnap.plan import Plan
from gitsnap.secrets.fingerprint import Fingerprinter
from gitsnap.store import SnapshotStore
from gitsnap.store.snapshot import Snapshot

UNIT = "aws/123456789012/us-east-1/s3"
BUCKET = f"{UNIT}/bucket/big"
ADDRESS = "s3/big"


def full_rebuild(files: dict[str, str]) -> str:
    """The root tree id dulwich's commit_tree gives *files* (every tree built anew)."""
    entries = [(p.encode("utf-8", "surrogateescape"), b.encode(), 0o100644) for p, b in sorted(files.items())]
    return commit_tree(MemoryObjectStore(), entries).decode()


TEXTS: dict[str, bytes] = {}  # blob id -> bytes, of every blob_id() made


def blob_id(text: str) -> str:
    data = text.encode("utf-8", "surrogateescape")
    oid = hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()
    TEXTS[oid] = data
    return oid


def with_blobs(store: SnapshotStore, files: dict[str, str]) -> dict[str, str]:
    """*files*, their blobs stored (so git fsck finds them)."""
    for blob in set(files.values()):
        store.add_bytes(TEXTS[blob])
    return files


def fsck(repo: Path) -> None:
    proc = subprocess.run(["git", "-C", str(repo), "fsck", "--strict", "--no-dangling"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def ls_tree(repo: Path, tree: str) -> dict[str, str]:
    out = subprocess.run(["git", "-C", str(repo), "ls-tree", "-r", "-z", tree], capture_output=True, check=True).stdout
    files = {}
    for line in out.split(b"\0"):
        if line:
            meta, path = line.split(b"\t", 1)
            files[path.decode("utf-8", "surrogateescape")] = meta.split()[2].decode()
    return files


@pytest.fixture
def store(tmp_path: Path) -> SnapshotStore:
    return SnapshotStore.init(tmp_path / "repo")


BASE = {
    "manifest.json": blob_id("m"),
    "aws/1/us-east-1/s3/bucket/a/bucket.json": blob_id("a"),
    "aws/1/us-east-1/s3/bucket/a/objects.jsonl": blob_id("ai"),
    "aws/1/us-east-1/iam/role/r.json": blob_id("r"),
    "x": blob_id("x"),
    "x.json": blob_id("xj"),
    "x-y/z": blob_id("xyz"),
    **{f"blobs/{blob_id(str(i))[:2]}/{blob_id(str(i))[2:]}": blob_id(str(i)) for i in range(100)},
}
EDITS = {
    "add in a new folder": lambda f: {**f, "aws/1/eu-west-1/sqs/q.json": blob_id("q")},
    "remove the last file of a folder": lambda f: {p: b for p, b in f.items() if not p.startswith("aws/1/us-east-1/iam/")},
    "rename across subtrees": lambda f: {("aws/2/global/iam/role/r.json" if p.endswith("/r.json") else p): b
                                         for p, b in f.items()},
    "a file turns into a folder": lambda f: {**{p: b for p, b in f.items() if p != "x"}, "x/inner.json": blob_id("x")},
    "a folder turns into a file": lambda f: {**{p: b for p, b in f.items() if not p.startswith("x-y/")}, "x-y": blob_id("f")},
    "one body changes": lambda f: {**{p: b for p, b in f.items() if p != f"blobs/{blob_id('7')[:2]}/{blob_id('7')[2:]}"},
                                   f"blobs/{blob_id('new')[:2]}/{blob_id('new')[2:]}": blob_id("new")},
    "nothing changes": lambda f: dict(f),
    "everything goes": lambda f: {},
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_tree_written_over_the_previous_one_is_the_tree_a_full_rebuild_gives(store, edit):
    before = store.write_tree(with_blobs(store, BASE))
    after_files = with_blobs(store, EDITS[edit](BASE))
    after = store.write_tree(after_files, before)
    assert after == full_rebuild(after_files)
    commit = store.commit(after, None, "t\n")
    store.advance(None, commit)
    assert ls_tree(store.path, after) == after_files
    fsck(store.path)


def test_a_name_that_is_both_a_file_and_a_folder_is_a_folder_as_in_a_full_rebuild(store):
    files = {"a": blob_id("1"), "a/b": blob_id("2"), "c/d": blob_id("3"), "c": blob_id("4")}
    assert store.write_tree(files) == full_rebuild(files)


def test_odd_names_sort_and_encode_as_git_does(store):
    names = ["a b", "a-b", "a.b", "a/b", "a0", "ä", "日本/x", "%2E", "a\udcff", "z" * 200, "A"]
    files = with_blobs(store, {n: blob_id(n) for n in names})
    root = store.write_tree(files)
    assert root == full_rebuild(files)
    store.advance(None, store.commit(root, None, "t\n"))
    fsck(store.path)


def test_a_rewrite_writes_only_the_trees_on_the_changed_paths(store):
    before = store.write_tree(BASE)
    written: list[str] = []
    add = store._add_object
    store._add_object = lambda obj: (written.append(obj.type_name.decode()), add(obj))
    changed = EDITS["one body changes"](BASE)
    store.write_tree(changed, before)
    # root, blobs/, and the folders of the body gone and of the body added; none of the other
    # blobs/ab folders nor aws/...
    folders = {p.rsplit("/", 1)[0] for p in set(changed) ^ set(BASE)} & {p.rsplit("/", 1)[0] for p in changed}
    assert written == ["tree"] * (2 + len(folders))


def root_of(store: SnapshotStore, commit: str) -> str:
    return subprocess.run(["git", "-C", str(store.path), "rev-parse", f"{commit}^{{tree}}"], capture_output=True,
                          text=True, check=True).stdout.strip()


def trees_of(store: SnapshotStore, commit: str) -> set[str]:
    out = subprocess.run(["git", "-C", str(store.path), "ls-tree", "-r", "-t", commit], capture_output=True, text=True,
                         check=True).stdout
    return {line.split()[2] for line in out.splitlines() if line.split()[1] == "tree"} | {root_of(store, commit)}


def test_a_capture_that_changes_a_few_bodies_writes_only_the_trees_that_changed(store, monkeypatch):
    first, _ = capture(store, unit_result(store, bodies(600, 0, 0)))
    written: list[str] = []
    add = store._add_object
    monkeypatch.setattr(store, "_add_object", lambda obj: (obj.type_name == b"tree" and written.append(obj.id.decode()),
                                                           add(obj))[1])
    second, created = capture(store, unit_result(store, bodies(600, 1, 3)))
    assert created
    new_trees = trees_of(store, second) - trees_of(store, first)
    assert len(new_trees) < 20  # the root, the bucket's path, blobs/ and the bodies' folders
    assert sorted(written) == sorted(new_trees)


# -- a capture's writer over a snapshot of many bodies ------------------------------------------


def bodies(n: int, gen: int, changed: int) -> list[bytes]:
    return [f"object {i} gen {gen if i < changed else 0}\n".encode() for i in range(n)]


def unit_result(store: SnapshotStore, datas: list[bytes], extra: dict[str, str] | None = None) -> UnitResult:
    ids = [store.add_bytes(d) for d in datas]
    entries = [ObjectEntry(key=f"dir{i % 7}/key-{i:05d}.txt", size=len(d), etag=hashlib.md5(d).hexdigest(),
                           sha256=hashlib.sha256(d).hexdigest(), blob=b, content_type=(extra or {}).get(str(i)))
               for i, (d, b) in enumerate(zip(datas, ids, strict=True))]
    r = UnitResult(UNIT, "s3", "123456789012", "us-east-1")
    r.files = {f"{BUCKET}/bucket.json": canonical.dumps({"Name": "big"}), f"{BUCKET}/{OBJECT_INDEX}": dump_index(entries)}
    r.blobs = {b: [ADDRESS] for b in ids}
    r.resources = {ADDRESS: {"path": BUCKET, "service": "s3", "type": "bucket", "account": "123456789012",
                             "region": "us-east-1", "objects": len(datas), "bytes": sum(map(len, datas))}}
    return r


def capture(store: SnapshotStore, result: UnitResult) -> tuple[str | None, bool]:
    """What Capture.run does with a unit's result: the previous snapshot read, a commit written."""
    guard = make_guard(Config(None), Fingerprinter(b"k" * 32))
    writer = SnapshotWriter(store, guard, None, Plan(), CaptureRequest())
    with store.lock():
        head = store.head()
        previous = getattr(store, "tree_files", store.files)(head)  # as capture/run.py reads it
        prev_manifest = read_manifest(store, previous)
        commit, created, _ = writer.write(head, previous, prev_manifest, [result], time.monotonic())
    return commit, created


def body_trees(store: SnapshotStore, commit: str) -> set[str]:
    """The ids of the trees under blobs/ in *commit*."""
    out = subprocess.run(["git", "-C", str(store.path), "ls-tree", "-d", f"{commit}:blobs"], capture_output=True,
                         text=True, check=True).stdout
    return {line.split()[2] for line in out.splitlines()} | {
        subprocess.run(["git", "-C", str(store.path), "rev-parse", f"{commit}:blobs"], capture_output=True, text=True,
                       check=True).stdout.strip()}


def test_a_capture_with_no_change_reads_no_tree_of_the_bodies_and_makes_no_commit(store, monkeypatch):
    result = unit_result(store, bodies(600, 0, 0))
    first, created = capture(store, result)
    assert created
    read: list[str] = []
    real = store._object
    monkeypatch.setattr(store, "_object", lambda oid, *a, **k: (read.append(oid), real(oid, *a, **k))[1])
    again, created = capture(store, unit_result(store, bodies(600, 0, 0)))
    assert (again, created) == (first, False)
    assert not set(read) & body_trees(store, first)


def test_a_capture_with_changes_counts_every_body_from_the_index_and_lists_none_of_them(store):
    """Format 2 (docs/manifest.md): the bucket's index describes its bodies; the manifest's
    ``bodies`` map does not repeat them, and its totals still count every body once."""
    capture(store, unit_result(store, bodies(400, 0, 0)))
    second, created = capture(store, unit_result(store, bodies(400, 1, 20) + [b"one more\n"], {"3": "text/plain"}))
    assert created
    manifest = json.loads(store.read(store.files(second)["manifest.json"]))
    index = list(load_index(store.read(store.files(second)[f"{BUCKET}/{OBJECT_INDEX}"])))
    assert manifest["format"] == 2 and manifest["bodies"] == {}
    assert manifest["totals"]["bodies"] == 401
    assert manifest["totals"]["body_bytes"] == sum(e.size for e in index)
    assert ls_tree(store.path, root_of(store, second)).keys() >= {f"blobs/{e.blob[:2]}/{e.blob[2:]}" for e in index}
    fsck(store.path)


def test_a_capture_after_a_format_1_snapshot_writes_format_2_with_the_same_totals(store):
    """A snapshot written by an older gitsnap (every body in the manifest) is followed by a
    format 2 one: the index bodies leave the map, the totals stay those of every body."""
    first, _ = capture(store, unit_result(store, bodies(50, 0, 0)))
    files = store.files(first)
    index = list(load_index(store.read(files[f"{BUCKET}/{OBJECT_INDEX}"])))
    manifest = json.loads(store.read(files["manifest.json"]))
    manifest["format"] = 1
    manifest["bodies"] = {e.blob: {"sha256": e.sha256, "size": e.size, "units": [UNIT]} for e in index}
    files["manifest.json"] = store.add_bytes(canonical.dumps(manifest))
    edited = store.commit(store.write_tree(files), first, "a format 1 manifest\n")
    store.advance(first, edited)
    second, created = capture(store, unit_result(store, bodies(50, 1, 1)))
    assert created
    after = json.loads(store.read(store.files(second)["manifest.json"]))
    assert after["format"] == 2 and after["bodies"] == {}
    assert after["totals"]["bodies"] == 50 and after["totals"]["body_bytes"] == sum(map(len, bodies(50, 1, 1)))


# -- the manifest at scale ------------------------------------------------------------------------


MANIFESTS = [
    {},
    {"format": 1, "bodies": {}},
    {"format": 1, "bodies": {"a" * 40: {"sha256": "b" * 64, "size": 3, "units": ["u/1", "u/2"]}}},
    {"bodies": {"c" * 40: {"units": []}, "d" * 40: {"sha256": None, "size": None, "units": ["é\u2028\x85\"\\"]}},
     "zzz": [1, {"b": 2}], "captured_at": "2026"},
    {"bodies": {"e" * 40: {"sha256": "f" * 64, "size": True, "units": ["u"]}}},  # not the usual shape: generic
    {"bodies": {"not hex": {"sha256": "x", "size": 0, "units": ["u"], "other": 1}}, "units": {"u": {"status": "ok"}}},
]


@pytest.mark.parametrize("manifest", MANIFESTS, ids=range(len(MANIFESTS)))
def test_the_manifest_is_written_and_read_as_canonical_json(manifest):
    from gitsnap.manifest import dump_manifest  # new in issue 13

    data = dump_manifest(manifest)
    assert data == canonical.dumps(manifest)
    assert dict(read_manifest(_Store(data), {"manifest.json": "x"})) == manifest


def test_a_manifest_not_in_canonical_form_is_read_whole():
    data = json.dumps({"units": {"a": 1}, "bodies": {"b": {}}}).encode()
    assert dict(read_manifest(_Store(data), {"manifest.json": "x"})) == {"units": {"a": 1}, "bodies": {"b": {}}}


class _Store:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, _blob: str) -> bytes:
        return self.data


# -- object indexes diffed line by line ------------------------------------------------------------


def entry(key: str, body: str, **kw) -> ObjectEntry:
    data = body.encode()
    return ObjectEntry(key=key, size=len(data), etag=hashlib.md5(data).hexdigest(),
                       sha256=hashlib.sha256(data).hexdigest(), blob=blob_id(body), **kw)


def index_pair() -> tuple[list[ObjectEntry], list[ObjectEntry]]:
    keys = [f"k{i:04d}" for i in range(400)] + ["ü/ß", "line\u2028break", 'quote"d', "\x85"]
    old = [entry(k, f"body {k}") for k in keys]
    new = [entry(k, f"body {k}") for k in keys]
    new[5] = entry(new[5].key, "changed body")  # body changed
    new[6] = entry(new[6].key, f"body {new[6].key}", content_type="text/html")  # a field only
    new[7] = entry(new[7].key, f"body {new[7].key}", metadata={"a": "b"}, storage_class="GLACIER")
    del new[8]  # removed key
    new.append(entry("added/key", "new body"))  # added key
    new[-2] = entry(new[-2].key, "x", headers={"CacheControl": "no-cache"})  # the odd key's line changed
    return old, new


def test_two_indexes_compared_by_line_give_the_changes_a_full_parse_gives(store):
    old, new = index_pair()
    random.Random(7).shuffle(new)  # order of discovery does not matter
    a, b = snapshot_with(store, old), snapshot_with(store, new)
    full = diff_objects(ADDRESS, {e.key: e for e in old}, {e.key: e for e in new}, None)
    assert len(full) == 8
    assert diff_snapshots(a, b) == full
    assert diff_snapshots(b, a) == diff_objects(ADDRESS, {e.key: e for e in new}, {e.key: e for e in old}, None)


def test_a_diff_of_two_large_indexes_parses_only_the_lines_that_differ(store, monkeypatch):
    old, new = index_pair()
    a, b = snapshot_with(store, old), snapshot_with(store, new)
    parsed = []
    real = ObjectEntry.from_json.__func__
    monkeypatch.setattr(ObjectEntry, "from_json", classmethod(lambda cls, d: (parsed.append(d["key"]), real(cls, d))[1]))
    changes = diff_snapshots(a, b)
    assert len(changes) == 8
    # 4 keys changed (a line each side), one removed, one added: 10 lines of 809
    assert len(parsed) == 10


def snapshot_with(store: SnapshotStore, entries: list[ObjectEntry]) -> Snapshot:
    files = {f"{BUCKET}/bucket.json": store.add_bytes(b"{}\n"), f"{BUCKET}/{OBJECT_INDEX}": store.add_bytes(dump_index(entries))}
    manifest = {"resources": {ADDRESS: {"path": BUCKET, "service": "s3", "type": "bucket"}}}
    files["manifest.json"] = store.add_bytes(canonical.dumps(manifest))
    head = store.head()
    commit = store.commit(store.write_tree(files), head, "t\n")
    store.advance(head, commit)
    return Snapshot.load(store, commit)
