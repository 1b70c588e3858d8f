"""scan: every object reachable from a ref is read once, hits name places not values."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from gitsnap.scan import AGE_MAGIC, ScanHit, render_json, render_text, scan_history, skipped_lines
from gitsnap.store import RevisionError, SnapshotStore
from gitsnap.store.walk import blob_size, iter_history_objects

VALUE = "SECRETVALUE"


@dataclass(frozen=True)
class FakeHit:
    rule: str
    line: int
    start: int
    end: int


class FakeDetector:
    """Stands in for gitsnap.secrets.detect.Detector (same scan_bytes API) until it lands:
    every occurrence of SECRETVALUE is a hit of rule "fake-secret"."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def scan_bytes(self, data: bytes, name: str = "") -> list[FakeHit]:
        self.names.append(name)
        hits, at = [], data.find(VALUE.encode())
        while at >= 0:
            hits.append(FakeHit("fake-secret", data.count(b"\n", 0, at) + 1, at, at + len(VALUE)))
            at = data.find(VALUE.encode(), at + 1)
        return hits


def git(repo: Path, *args: str, input: bytes | None = None) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    out = subprocess.run(["git", "-C", str(repo), *args], input=input, capture_output=True, check=True,
                         env=env)
    return out.stdout.decode().strip()


def commit(store: SnapshotStore, files: dict[str, bytes], parent: str | None, message: str) -> str:
    tree = store.write_tree({path: store.add_bytes(data) for path, data in files.items()})
    return store.commit(tree, parent, message)


@dataclass
class History:
    store: SnapshotStore
    c1: str
    c2: str
    old: str
    backup: str
    config_blob: str
    message_commit: str
    tag_v1: str
    old_blob: str
    backup_blob: str
    sealed_blob: str
    unreachable_blob: str


@pytest.fixture
def history(tmp_path: Path) -> History:
    """main: c1 -> c2 (annotated tag v1, whose message holds the value); an older root
    commit reachable only from lightweight tag "old"; a commit reachable only from
    refs/backup/x, whose tree also has a submodule entry; an unreachable blob."""
    store = SnapshotStore.init(tmp_path / "snap")
    config = b'{\n  "Name": "api",\n  "Token": "token=SECRETVALUE"\n}\n'
    sealed = AGE_MAGIC + b"-> X25519 abc\nSECRETVALUE\n"
    c1 = commit(store, {"aws/1/us-east-1/lambda/function/api/function.json": config,
                        "MANIFEST.md": b"# clean\n", "secrets/api.age": sealed}, None, "capture 1")
    store.advance(None, c1)
    # c2 keeps the same config blob (at a second path too): reported once, at c1, its first path.
    c2 = commit(store, {"aws/1/us-east-1/lambda/function/api/function.json": config,
                        "copy/function.json": config, "MANIFEST.md": b"# clean, changed\n",
                        "secrets/api.age": sealed},
                c1, "capture 2\n\nrotated SECRETVALUE by hand\n")
    store.advance(c1, c2)
    store.tag("v1", c2, "release\nwith SECRETVALUE in the tag message")
    old = commit(store, {"old/creds.txt": b"a\nb\nSECRETVALUE\n"}, None, "an older root")
    git(store.path, "update-ref", "refs/tags/old", old)
    backup_blob = store.add_bytes(b"backup SECRETVALUE\n")
    sub = git(store.path, "mktree", input=f"100644 blob {backup_blob}\tb.txt\n".encode())
    tree = git(store.path, "mktree", input=(f"040000 tree {sub}\tdir\n"
                                            f"160000 commit {'1' * 40}\tvendored\n").encode())
    backup = store.commit(tree, None, "backup")
    git(store.path, "update-ref", "refs/backup/x", backup)
    unreachable = store.add_bytes(b"unreachable SECRETVALUE\n")
    tag_v1 = git(store.path, "rev-parse", "refs/tags/v1")
    return History(store, c1, c2, old, backup, store.files(c1)["aws/1/us-east-1/lambda/function/api/function.json"],
                   c2, tag_v1, store.files(old)["old/creds.txt"], backup_blob,
                   store.files(c1)["secrets/api.age"], unreachable)


def hits_of(report) -> set[tuple]:
    return {(h.object, h.kind, h.path, h.commit, h.rule, h.line) for h in report.hits}


def test_every_ref_is_scanned_and_only_what_refs_reach(history):
    h = history
    report = scan_history(h.store, None, FakeDetector())
    assert hits_of(report) == {
        (h.config_blob, "blob", "aws/1/us-east-1/lambda/function/api/function.json", h.c1, "fake-secret", 3),
        (h.c2, "commit", None, h.c2, "fake-secret", 3),
        (h.tag_v1, "tag", None, h.c2, "fake-secret", 2),
        (h.old_blob, "blob", "old/creds.txt", h.old, "fake-secret", 3),
        (h.backup_blob, "blob", "dir/b.txt", h.backup, "fake-secret", 1),
    }
    assert len(report.hits) == 5  # the config blob shared by c1, c2 and copy/ is reported once
    assert h.unreachable_blob not in {hit.object for hit in report.hits}
    assert h.sealed_blob not in {hit.object for hit in report.hits}
    assert report.sealed == 1 and report.skipped == []
    by_id = {hit.object: hit for hit in report.hits}
    assert by_id[h.tag_v1].ref == "refs/tags/v1"
    assert by_id[h.backup_blob].ref == "refs/backup/x"


def test_objects_match_git_rev_list_objects_all(history):
    """The walk reads exactly the blobs, commits and tags git itself calls reachable."""
    repo = history.store.path
    listed = [line.split()[0] for line in git(repo, "rev-list", "--objects", "--all").splitlines()]
    types = git(repo, "cat-file", "--batch-check=%(objectname) %(objecttype)",
                input="\n".join(listed).encode() + b"\n")
    expected = {oid for oid, kind in (t.split() for t in types.splitlines()) if kind != "tree"}
    walked = [obj.id for obj in iter_history_objects(history.store, None)]
    assert len(walked) == len(set(walked))  # each object once
    assert set(walked) == expected
    assert history.unreachable_blob not in walked
    report = scan_history(history.store, None, FakeDetector())
    assert report.objects == len(expected) - report.sealed


def test_first_seen_is_the_introducing_commit_and_first_path(history):
    objs = {o.id: o for o in iter_history_objects(history.store, None)}
    config = objs[history.config_blob]
    assert (config.commit, config.path) == (history.c1, "aws/1/us-east-1/lambda/function/api/function.json")
    tag = objs[history.tag_v1]
    assert tag.kind == "tag" and tag.commit == history.c2 and tag.data.startswith(b"release")
    assert objs[history.c2].data == b"capture 2\n\nrotated SECRETVALUE by hand\n"
    assert VALUE not in repr(objs[history.c2]) and VALUE not in repr(config)


def test_revisions_limit_the_scan_to_what_they_reach(history):
    h = history
    det = FakeDetector()
    v1 = {(x.object, x.kind) for x in scan_history(h.store, ["v1"], det).hits}
    assert v1 == {(h.config_blob, "blob"), (h.c2, "commit"), (h.tag_v1, "tag")}
    head = {(x.object, x.kind) for x in scan_history(h.store, ["HEAD"], det).hits}
    assert head == {(h.config_blob, "blob"), (h.c2, "commit")}  # HEAD is not the tag object
    assert {x.object for x in scan_history(h.store, ["HEAD~1"], det).hits} == {h.config_blob}
    old = scan_history(h.store, ["old"], det)
    assert hits_of(old) == {(h.old_blob, "blob", "old/creds.txt", h.old, "fake-secret", 3)}
    both = scan_history(h.store, ["old", h.c1[:10]], det)
    assert {x.object for x in both.hits} == {h.old_blob, h.config_blob}


def test_unknown_revision_raises_before_scanning(history):
    det = FakeDetector()
    with pytest.raises(RevisionError, match="unknown revision 'nope'"):
        scan_history(history.store, ["HEAD", "nope"], det)
    assert det.names == []


def test_empty_repository(tmp_path):
    store = SnapshotStore.init(tmp_path / "empty")
    report = scan_history(store, None, FakeDetector())
    assert (report.objects, report.hits, report.skipped) == (0, [], [])
    assert render_text(report) == "scanned 0 objects: no secret found\n"
    with pytest.raises(RevisionError):
        scan_history(store, ["HEAD"], FakeDetector())


def test_output_names_places_never_values(history):
    report = scan_history(history.store, None, FakeDetector())
    text, doc = render_text(report), render_json(report)
    for out in (text, doc, repr(report), "\n".join(skipped_lines(report))):
        assert VALUE not in out
    lines = text.splitlines()
    assert f"{history.config_blob[:12]} blob aws/1/us-east-1/lambda/function/api/function.json " \
           f"(commit {history.c1[:12]}): fake-secret line 3" in lines
    assert f"{history.tag_v1[:12]} tag - (commit {history.c2[:12]}): fake-secret line 2" in lines
    assert lines[-1].startswith("5 secrets found in ") and "docs/scan.md" in lines[-1]
    assert "Purging a secret from history" in lines[-1]
    parsed = json.loads(doc)
    assert parsed["objects"] == report.objects and parsed["skipped"] == [] and len(parsed["hits"]) == 5
    assert {"object", "kind", "path", "commit", "rule", "line"} <= set(parsed["hits"][0])


def test_age_ciphertext_is_not_scanned(history):
    det = FakeDetector()
    scan_history(history.store, None, det)
    assert "secrets/api.age" not in det.names  # never handed to the detector at all
    assert "MANIFEST.md" in det.names


def test_blobs_over_the_limit_are_skipped_not_read(tmp_path):
    store = SnapshotStore.init(tmp_path / "snap")
    big = b"x" * 5000 + b"SECRETVALUE\n"
    body, _ = store.add_stream(len(big), [big])  # loose, as capture writes bodies
    c = commit(store, {"small.txt": b"SECRETVALUE\n"}, None, "c")
    tree = store.write_tree({**store.files(c), f"blobs/{body[:2]}/{body[2:]}": body})
    c2 = store.commit(tree, c, "with a body")
    store.advance(None, c2)
    report = scan_history(store, None, FakeDetector(), max_bytes=1000)
    assert [(s.object, s.path, s.size) for s in report.skipped] == [(body, f"blobs/{body[:2]}/{body[2:]}", len(big))]
    assert [h.object for h in report.hits] == [store.files(c)["small.txt"]]
    assert "1 blob larger than 1000 bytes not scanned" in skipped_lines(report, 1000)[0]
    assert json.loads(render_json(report))["skipped"][0]["object"] == body
    # Raised limit: read and scanned.
    assert {h.path for h in scan_history(store, None, FakeDetector(), max_bytes=10_000).hits} == {
        "small.txt", f"blobs/{body[:2]}/{body[2:]}"}


@pytest.mark.parametrize("ofs_delta", ["true", "false"], ids=["ofs-delta", "ref-delta"])
def test_sizes_come_from_headers_loose_packed_and_deltified(tmp_path, ofs_delta):
    store = SnapshotStore.init(tmp_path / "snap")
    base = b"".join(b"line %d of a long and fairly repetitive document\n" % i for i in range(3000))
    parent = None
    for i in range(4):  # similar versions: the repack stores most of them as deltas
        parent = commit(store, {"doc.txt": base + b"edit %d\n" % i, "rand.bin": os.urandom(300 + i)},
                        parent, f"c{i}")
    store.advance(None, parent)
    blobs = [o for o in git(store.path, "cat-file", "--batch-all-objects",
                            "--batch-check=%(objectname) %(objecttype) %(objectsize)").splitlines()]
    expected = {oid: int(size) for oid, kind, size in (b.split() for b in blobs)}
    assert all(blob_size(store, oid) == size for oid, size in expected.items())  # loose
    git(store.path, "-c", f"repack.useDeltaBaseOffset={ofs_delta}", "repack", "-adf", "--depth=50", "--window=50")
    git(store.path, "prune-packed")
    store = SnapshotStore(store.path)
    verify = git(store.path, "verify-pack", "-v", *[str(p) for p in (store.path / "objects" / "pack").glob("*.idx")])
    deltas = {line.split()[0] for line in verify.splitlines() if len(line.split()) >= 7}
    assert deltas & {oid for oid in expected if len(oid) == 40}  # at least one delta
    assert not any((store.path / "objects").glob("[0-9a-f][0-9a-f]/*"))
    assert {oid: blob_size(store, oid) for oid in expected} == expected
    report = scan_history(store, None, FakeDetector(), max_bytes=1000)
    assert {s.path for s in report.skipped} == {"doc.txt"} and len(report.skipped) == 4


def test_real_detector_finds_a_secret_in_history(history, tmp_path):
    detect = pytest.importorskip("gitsnap.secrets.detect")
    if not hasattr(detect, "Detector"):
        pytest.skip("gitsnap.secrets.detect has no Detector yet (contract only)")
    store = SnapshotStore.init(tmp_path / "real")
    value = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq3Lp9Tn2Q"
    env = f"# app\nREGION=us-east-1\nAWS_SECRET_ACCESS_KEY={value}\n".encode()
    c = commit(store, {"local/app/files/app.env": env, "MANIFEST.md": b"# inventory\n"}, None, "capture")
    store.advance(None, c)
    report = scan_history(store, None, detect.Detector())
    blob = store.files(c)["local/app/files/app.env"]
    # More than one rule may match the one value: every hit is at that place, none elsewhere.
    assert {(x.object, x.kind, x.path, x.commit, x.line) for x in report.hits} == {
        (blob, "blob", "local/app/files/app.env", c, 3)}
    assert all(x.rule for x in report.hits)
    for out in (render_text(report), render_json(report), repr(report)):
        assert value not in out
    assert all(isinstance(x, ScanHit) for x in report.hits)


def test_a_ref_to_a_missing_object_is_a_repository_error(history):
    from gitsnap.store import RepositoryError

    (history.store.path / "refs" / "heads" / "broken").write_text("2" * 40 + "\n")
    with pytest.raises(RepositoryError, match=f"refs/heads/broken reaches object {'2' * 40}, which is missing"):
        scan_history(history.store, None, FakeDetector())
