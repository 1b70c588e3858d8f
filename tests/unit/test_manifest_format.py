"""The manifest's format 2 (docs/manifest.md, issue 13): a bucket's bodies are described by its
``objects.jsonl`` alone, not repeated in the manifest's ``bodies`` map (22 MB of JSON at
100,000 bodies, parsed by verify and rebuilt by every capture). Verify checks every body from
the index lines; format 1 snapshots still verify; totals still count every body once.

What is checked is what gets written and what verify reports, never how long it takes.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from pathlib import Path

import pytest

from gitsnap import canonical
from gitsnap.capture.finish import make_guard
from gitsnap.capture.units import UnitResult
from gitsnap.capture.write import CaptureRequest, SnapshotWriter, read_manifest
from gitsnap.config import Config
from gitsnap.layout import OBJECT_INDEX, ObjectEntry, dump_index, load_index
from gitsnap.plan import Plan
from gitsnap.secrets.fingerprint import Fingerprinter
from gitsnap.store import SnapshotStore
from gitsnap.verify import verify

ACCOUNT = "123456789012"
S3 = f"aws/{ACCOUNT}/us-east-1/s3"
LAMBDA = f"aws/{ACCOUNT}/us-east-1/lambda"
BUCKET = f"{S3}/bucket/big"
INDEX = f"{BUCKET}/{OBJECT_INDEX}"


@pytest.fixture
def store(tmp_path: Path) -> SnapshotStore:
    return SnapshotStore.init(tmp_path / "repo")


def datas(n: int, gen: int = 0, changed: int = 0) -> list[bytes]:
    return [f"object {i} gen {gen if i < changed else 0}\n".encode() for i in range(n)]


def s3_result(store: SnapshotStore, bodies: list[bytes], keys: list[str] | None = None) -> UnitResult:
    """An S3 unit's result as the collector gives it: one bucket, its index, its bodies stored."""
    keys = keys or [f"dir{i % 7}/key-{i:05d}.txt" for i in range(len(bodies))]
    entries = []
    for key, data in zip(keys, bodies, strict=True):
        blob, sha256 = store.add_bytes(data), hashlib.sha256(data).hexdigest()
        entries.append(ObjectEntry(key=key, size=len(data), etag=hashlib.md5(data).hexdigest(),  # noqa: S324
                                   sha256=sha256, blob=blob))
    r = UnitResult(S3, "s3", ACCOUNT, "us-east-1")
    r.files = {f"{BUCKET}/bucket.json": canonical.dumps({"Name": "big"}), INDEX: dump_index(entries)}
    r.blobs = {e.blob: ["s3/big"] for e in entries}
    r.resources = {"s3/big": {"path": BUCKET, "service": "s3", "type": "bucket", "account": ACCOUNT,
                              "region": "us-east-1", "objects": len(entries), "bytes": sum(map(len, bodies))}}
    return r


def code(store: SnapshotStore, data: bytes) -> dict[str, object]:
    blob, sha256 = store.add_bytes(data), hashlib.sha256(data).hexdigest()
    return {"blob": blob, "sha256": sha256, "size": len(data)}


def lambda_result(store: SnapshotStore, function: bytes, layer: list[bytes]) -> UnitResult:
    """A Lambda unit: a function's code and a layer's versions, described by their documents."""
    fn, versions = code(store, function), [code(store, d) for d in layer]
    r = UnitResult(LAMBDA, "lambda", ACCOUNT, "us-east-1")
    r.files = {f"{LAMBDA}/function/fn/function.json": canonical.dumps({"FunctionName": "fn", "Code": fn}),
               f"{LAMBDA}/layer/ly/layer.json": canonical.dumps(
                   {"LayerName": "ly", "Versions": [{"Version": i + 1, "Code": c} for i, c in enumerate(versions)]})}
    r.blobs = {fn["blob"]: ["lambda/fn"], **{c["blob"]: ["lambda/layer/ly"] for c in versions}}
    r.resources = {
        "lambda/fn": {"path": f"{LAMBDA}/function/fn", "service": "lambda", "type": "function", "account": ACCOUNT,
                      "region": "us-east-1"},
        "lambda/layer/ly": {"path": f"{LAMBDA}/layer/ly", "service": "lambda", "type": "layer", "account": ACCOUNT,
                            "region": "us-east-1"},
    }
    return r


def capture(store: SnapshotStore, *results: UnitResult, only: tuple[str, ...] = ()) -> tuple[str | None, bool]:
    """What Capture.run does with the units' results: the previous snapshot read, a commit written."""
    guard = make_guard(Config(None), Fingerprinter(b"k" * 32))
    writer = SnapshotWriter(store, guard, None, Plan(), CaptureRequest(only=only))
    with store.lock():
        head = store.head()
        previous = getattr(store, "tree_files", store.files)(head)
        commit, created, _ = writer.write(head, previous, read_manifest(store, previous), list(results),
                                          time.monotonic())
    return commit, created


def manifest_at(store: SnapshotStore, commit: str) -> dict:
    return json.loads(store.read(store.files(commit)["manifest.json"]))


def amend(store: SnapshotStore, edit) -> str:
    """A commit on the branch whose files are the head's after *edit(files)* (a hand's damage)."""
    head = store.head()
    files = store.files(head)
    edit(files)
    commit = store.commit(store.write_tree(files), head, "edited\n")
    store.advance(head, commit)
    return commit


def body_problems(store: SnapshotStore) -> list[str]:
    """verify's problems about bodies (the hand-made documents here are not full resources,
    so their schema lines are left aside)."""
    return [p for p in verify(store).problems if "body" in p or "blobs/" in p]


def fsck(repo: Path) -> None:
    proc = subprocess.run(["git", "-C", str(repo), "fsck", "--strict", "--no-dangling"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# -- what a capture writes ------------------------------------------------------------------------


def test_the_manifest_does_not_grow_with_the_bucket_and_its_totals_count_every_body(store, tmp_path):
    """Why: a 100,000-body bucket made a 22 MB manifest, parsed and rebuilt by every capture."""
    commit, _ = capture(store, s3_result(store, datas(40)))
    small = store.read(store.files(commit)["manifest.json"])
    big_store = SnapshotStore.init(tmp_path / "big")
    same = [b"same body\n"] * 3  # three keys, one body: counted once
    big_commit, _ = capture(big_store, s3_result(big_store, datas(400) + same,
                                                 [f"k{i:05d}" for i in range(403)]))
    big = big_store.read(big_store.files(big_commit)["manifest.json"])
    manifest = json.loads(big)
    assert manifest["format"] == 2 and manifest["bodies"] == {}
    assert manifest["totals"]["bodies"] == 401
    assert manifest["totals"]["body_bytes"] == sum(map(len, datas(400))) + len(b"same body\n")
    assert abs(len(big) - len(small)) < 16  # the figures' digits, not a line per body
    assert "401 bodies" in big_store.read(big_store.files(big_commit)["MANIFEST.md"]).decode()


def test_bodies_no_index_describes_are_listed_with_their_sha256_size_and_units(store):
    """Lambda code and each layer version's content stay in the map, described from their
    documents (a layer version's body was listed without sha256 or size before)."""
    commit, _ = capture(store, s3_result(store, datas(5)), lambda_result(store, b"zip of fn", [b"v1 zip", b"v2 zip"]))
    bodies = manifest_at(store, commit)["bodies"]
    want = {hashlib.sha1(b"blob %d\x00" % len(d) + d).hexdigest(): (hashlib.sha256(d).hexdigest(), len(d), unit)  # noqa: S324
            for d, unit in ((b"zip of fn", LAMBDA), (b"v1 zip", LAMBDA), (b"v2 zip", LAMBDA))}
    assert {b: (i["sha256"], i["size"], i["units"][0]) for b, i in bodies.items()} == want
    assert manifest_at(store, commit)["totals"]["bodies"] == 8
    assert body_problems(store) == []
    fsck(store.path)


def test_a_kept_unit_keeps_the_bodies_its_index_describes(store):
    """--only lambda keeps the S3 unit's subtree: its bodies, which no map lists any more,
    stay under blobs/ and in the totals, and verify checks them from the kept index."""
    first, _ = capture(store, s3_result(store, datas(30)))
    second, created = capture(store, lambda_result(store, b"fn code", []), only=("lambda",))
    assert created
    kept = [e.blob for e in load_index(store.read(store.files(second)[INDEX]))]
    assert {f"blobs/{b[:2]}/{b[2:]}" for b in kept} <= set(store.files(second))
    manifest = manifest_at(store, second)
    assert manifest["totals"]["bodies"] == 31 and len(manifest["bodies"]) == 1
    report = verify(store)
    assert report.bodies == 31 and [p for p in report.problems if "body" in p] == []


# -- verify ---------------------------------------------------------------------------------------


def _first_line(store: SnapshotStore) -> ObjectEntry:
    return next(iter(load_index(store.read(store.files(store.head())[INDEX]))))


def test_verify_checks_each_body_against_the_sha256_and_size_its_index_line_records(store):
    capture(store, s3_result(store, datas(20)))
    assert body_problems(store) == [] and verify(store).bodies == 20
    entry = _first_line(store)

    def wrong_sha(files):
        entries = list(load_index(store.read(files[INDEX])))
        entries[0] = ObjectEntry(**{**entries[0].__dict__, "sha256": "0" * 64})
        files[INDEX] = store.add_bytes(dump_index(entries))

    amend(store, wrong_sha)
    assert body_problems(store) == [f"body {entry.blob}: sha256/size do not match its object index ({INDEX})"]


def test_verify_names_a_body_the_index_points_at_that_the_tree_lacks(store):
    capture(store, s3_result(store, datas(20)))
    entry = _first_line(store)
    amend(store, lambda files: files.pop(f"blobs/{entry.blob[:2]}/{entry.blob[2:]}"))
    assert body_problems(store) == [f"body {entry.blob} is not in the tree at blobs/{entry.blob[:2]}/{entry.blob[2:]}"]


def test_verify_names_a_body_that_nothing_describes(store):
    """No body goes unchecked: one under blobs/ that no index line and no map entry
    describes has no sha256 to be checked against."""
    capture(store, s3_result(store, datas(5)))
    stray = store.add_bytes(b"a body nobody refers to\n")
    amend(store, lambda files: files.update({f"blobs/{stray[:2]}/{stray[2:]}": stray}))
    assert body_problems(store) == [f"body {stray} at blobs/{stray[:2]}/{stray[2:]} is described by no object "
                                    "index and not listed in the manifest"]


def test_verify_still_checks_a_listed_body_against_the_manifest(store):
    capture(store, s3_result(store, datas(3)), lambda_result(store, b"fn code", []))
    blob = next(iter(manifest_at(store, store.head())["bodies"]))

    def wrong_size(files):
        manifest = json.loads(store.read(files["manifest.json"]))
        manifest["bodies"][blob]["size"] += 1
        files["manifest.json"] = store.add_bytes(canonical.dumps(manifest))

    amend(store, wrong_size)
    assert body_problems(store) == [f"body {blob}: sha256/size do not match the manifest"]


def to_format_1(store: SnapshotStore, files: dict[str, str]) -> None:
    """The manifest as gitsnap wrote it before format 2: every body in the map."""
    manifest = json.loads(store.read(files["manifest.json"]))
    manifest["format"] = 1
    for e in load_index(store.read(files[INDEX])):
        manifest["bodies"][e.blob] = {"sha256": e.sha256, "size": e.size, "units": [S3]}
    files["manifest.json"] = store.add_bytes(canonical.dumps(manifest))


def test_a_format_1_snapshot_still_verifies_and_its_damage_is_still_found(store):
    capture(store, s3_result(store, datas(20)), lambda_result(store, b"fn code", [b"layer"]))
    amend(store, lambda files: to_format_1(store, files))
    report = verify(store)
    assert [p for p in report.problems if "body" in p] == [] and report.bodies == 22
    entry = _first_line(store)

    def unlisted(files):
        manifest = json.loads(store.read(files["manifest.json"]))
        del manifest["bodies"][entry.blob]
        files["manifest.json"] = store.add_bytes(canonical.dumps(manifest))

    amend(store, unlisted)
    assert body_problems(store) == [f"s3/big: key {entry.key!r} points at body {entry.blob}, not in the manifest"]


def test_a_capture_over_a_format_1_snapshot_keeps_a_kept_units_bodies(store):
    """The map of a format 1 manifest describes a kept unit's bodies too: the next capture
    (format 2) keeps them in the tree and counts them, once."""
    capture(store, s3_result(store, datas(10)))
    amend(store, lambda files: to_format_1(store, files))
    commit, created = capture(store, lambda_result(store, b"fn", []), only=("lambda",))
    assert created
    manifest = manifest_at(store, commit)
    assert manifest["format"] == 2 and len(manifest["bodies"]) == 1 and manifest["totals"]["bodies"] == 11
    assert [p for p in verify(store).problems if "body" in p] == []


# -- reading an object index in one pass ---------------------------------------------------------

ODD_KEYS = ["a", "a/b", "dir/", "x//y", "../z", ".git/config", "ü/ß/日本", "line\u2028break", "nel\x85", "tab\tcr\r",
            'quote"d', "back\\slash", "<&>'", "ctl\x01\x1f", "\ud7ff", "k" * 1000, '{"blob": "' + "a" * 40 + '"}']


@pytest.mark.parametrize("chunk", [16, 1 << 20])
def test_index_records_give_every_line_exactly_whatever_the_chunk(monkeypatch, chunk):
    """Keys are data: every legal key comes back exactly, across chunk boundaries too."""
    import gitsnap.manifest as manifest

    monkeypatch.setattr(manifest, "INDEX_CHUNK", chunk)
    entries = [ObjectEntry(key=k, size=i, etag="e", sha256=f"{i:064x}", blob=f"{i:040x}",
                           metadata={"size": "1", 'a"blob': "x"} if i % 2 else None)
               for i, k in enumerate(ODD_KEYS)]
    data = dump_index(entries)
    got = list(manifest.index_records(data))
    assert [(d["key"], d["blob"], d["size"]) for d in got] == sorted((e.key, e.blob, e.size) for e in entries)
    assert manifest.all_bodies({}, [data]) == {e.blob: {"sha256": e.sha256, "size": e.size} for e in entries}


@pytest.mark.parametrize(("data", "error"), [
    (b'{"key": "a", "size": 1, "etag": "e"}\n{"key": "b", "size": 2}\n', KeyError),
    (b'{"key": "a", "size": 1, "etag": "e"},{"key": "b", "size": 2, "etag": "e"}\n', ValueError),
    (b'["key", "size", "etag"]\n', ValueError),
    (b'{"key": "a", "size": 1, "etag": "e"\n', ValueError),
    (b'{"key": "\xff", "size": 1, "etag": "e"}\n', ValueError),
])
def test_index_records_refuse_what_is_not_an_object_index(data, error):
    from gitsnap.manifest import index_records

    with pytest.raises(error):
        list(index_records(data))


def test_verify_names_an_index_that_is_not_one(store):
    capture(store, s3_result(store, datas(3)))
    amend(store, lambda files: files.update({INDEX: store.add_bytes(b'{"key": "a"}\n')}))
    assert any(p.startswith(f"s3/big: {INDEX} is not a valid object index") for p in verify(store).problems)
