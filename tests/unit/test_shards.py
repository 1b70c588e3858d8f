"""Shards (issue 15 part 6): ``capture --shard NAME`` writes its units as a shard commit on
``refs/gitsnap/shards/NAME``; ``commit --from-shards`` combines the latest shard of each name
into one snapshot on main.

In process, on hand-made unit results (what the runner hands the writer): the combined
snapshot must be exactly what one capture of the same units writes (files, bodies, manifest
but for its time), two shards may not hold one unit, a shard already combined is not applied
again, and without shards there is nothing to do. Checked with what a user sees: main, the
refs, the manifest, ``git fsck --strict``, ``verify``.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from gitsnap import canonical
from gitsnap.capture.combine import (
    NoShardsError,
    NothingNewError,
    ShardConflictError,
    combine,
    transform_trailers,
)
from gitsnap.capture.finish import make_guard
from gitsnap.capture.shards import (
    SHARD_FILE,
    ShardMovedError,
    ShardNameError,
    ShardWriter,
    check_shard_name,
    get_shard_tips,
)
from gitsnap.capture.units import UnitResult
from gitsnap.capture.write import CaptureRequest, SnapshotWriter, read_manifest
from gitsnap.config import Config
from gitsnap.layout import OBJECT_INDEX, ObjectEntry, dump_index
from gitsnap.plan import Plan, Seen
from gitsnap.secrets.fingerprint import Fingerprinter
from gitsnap.store import SnapshotStore

ACCOUNT = "123456789012"
S3 = f"aws/{ACCOUNT}/us-east-1/s3"
S3_WEST = f"aws/{ACCOUNT}/us-west-2/s3"
LAMBDA = f"aws/{ACCOUNT}/us-east-1/lambda"
DYNAMODB = f"aws/{ACCOUNT}/us-east-1/dynamodb"
FINGERPRINT = Fingerprinter(b"k" * 32)
GUARD = make_guard(Config(None), FINGERPRINT)
TIMES = ("captured_at", "duration_seconds")  # what two captures of one state may differ in


# -- unit results as the runner hands them to the writer ----------------------------------------


def s3_unit(store: SnapshotStore, path: str, bucket: str, bodies: dict[str, bytes]) -> UnitResult:
    """An S3 unit: one bucket, its object index, its bodies stored."""
    region = path.split("/")[2]
    entries = []
    for key, data in sorted(bodies.items()):
        entries.append(ObjectEntry(key=key, size=len(data), etag=hashlib.md5(data).hexdigest(),  # noqa: S324
                                   sha256=hashlib.sha256(data).hexdigest(), blob=store.add_bytes(data)))
    folder = f"{path}/bucket/{bucket}"
    r = UnitResult(path, "s3", ACCOUNT, region)
    r.files = {f"{folder}/bucket.json": canonical.dumps({"Name": bucket}),
               f"{folder}/{OBJECT_INDEX}": dump_index(entries)}
    r.blobs = {e.blob: [f"s3/{bucket}"] for e in entries}
    r.resources = {f"s3/{bucket}": {"path": folder, "service": "s3", "type": "bucket", "account": ACCOUNT,
                                    "region": region, "objects": len(entries), "bytes": sum(map(len, bodies.values()))}}
    return r


def lambda_unit(store: SnapshotStore, code: bytes, description: str) -> UnitResult:
    """A Lambda unit: one function, its code a body the manifest's ``bodies`` map lists, and
    one sealed value (an environment variable)."""
    record = {"blob": store.add_bytes(code), "sha256": hashlib.sha256(code).hexdigest(), "size": len(code)}
    sealed = f"sealed/values/{hashlib.sha256(description.encode()).hexdigest()[:32]}.age"
    r = UnitResult(LAMBDA, "lambda", ACCOUNT, "us-east-1")
    r.files = {f"{LAMBDA}/function/fn/function.json": canonical.dumps(
        {"FunctionName": "fn", "Description": description, "Code": record})}
    r.blobs = {record["blob"]: ["lambda/fn"]}
    r.sealed.put(sealed, store.add_bytes(b"age-encryption.org/v1\n" + description.encode()))
    r.resources = {"lambda/fn": {"path": f"{LAMBDA}/function/fn", "service": "lambda", "type": "function",
                                 "account": ACCOUNT, "region": "us-east-1"}}
    return r


def table_unit(store: SnapshotStore, name: str) -> UnitResult:
    r = UnitResult(DYNAMODB, "dynamodb", ACCOUNT, "us-east-1")
    r.files = {f"{DYNAMODB}/table/{name}.json": canonical.dumps({"TableName": name})}
    r.resources = {f"dynamodb/{name}": {"path": f"{DYNAMODB}/table/{name}.json", "service": "dynamodb",
                                        "type": "table", "account": ACCOUNT, "region": "us-east-1"}}
    return r


def failed_unit(path: str, service: str) -> UnitResult:
    return UnitResult(path, service, ACCOUNT, path.split("/")[2], status="failed",
                      error=f"{service} in us-east-1: AccessDenied (grant {service}:List*)")


def plan_for(*services: str, regions: tuple[str, ...] = ("us-east-1",), seen: tuple[Seen, ...] = ()) -> Plan:
    """The plan a capture of *services* in *regions* (from [aws] regions) would have made."""
    plan = Plan(covered={"aws": {ACCOUNT: {"regions": list(regions), "regions_from": "config",
                                           "services": sorted(services)}}, "services": sorted(services)})
    plan.seen = list(seen)
    return plan


# -- what the commands do with them -------------------------------------------------------------


def capture(store: SnapshotStore, plan: Plan, *results: UnitResult, only: tuple[str, ...] = (),
            tag: str | None = None) -> str | None:
    """What Capture.run writes for these results: a snapshot commit on main."""
    with store.lock():
        head = store.head()
        previous = store.tree_files(head)
        writer = SnapshotWriter(store, GUARD, None, plan, CaptureRequest(only=only, tag=tag))
        commit, _, _ = writer.write(head, previous, read_manifest(store, previous), list(results), time.monotonic())
    return commit


def shard(store: SnapshotStore, name: str, plan: Plan, *results: UnitResult, only: tuple[str, ...] = ()) -> str:
    """What ``capture --shard NAME`` writes for these results: a shard commit."""
    with store.lock():
        writer = ShardWriter(store, GUARD, None, plan, CaptureRequest(only=only, shard=name), FINGERPRINT.key_id)
        return writer.write(store.head(), list(results), time.monotonic())


def combine_all(store: SnapshotStore, *names: str, tag: str | None = None):
    return combine(store, GUARD, FINGERPRINT.key_id, CaptureRequest(tag=tag), names)


def manifest(store: SnapshotStore, commit: str) -> dict[str, Any]:
    return json.loads(store.read(store.files(commit)["manifest.json"]))


def without_times(m: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in m.items() if k not in TIMES}


def fsck(repo: Path) -> None:
    proc = subprocess.run(["git", "-C", str(repo), "fsck", "--strict", "--no-dangling"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def baseline(store: SnapshotStore) -> str:
    """The snapshot the shards start from: S3 in two regions, Lambda, DynamoDB."""
    commit = capture(store, plan_for("dynamodb", "lambda", "s3", regions=("us-east-1", "us-west-2")),
                     s3_unit(store, S3, "site", {"index.html": b"<h1>v1</h1>", "app.js": b"1"}),
                     s3_unit(store, S3_WEST, "backups", {"db.json": b"{}"}),
                     lambda_unit(store, b"code v1", "v1"), table_unit(store, "events"))
    assert commit is not None
    return commit


@pytest.fixture
def store(tmp_path: Path) -> SnapshotStore:
    s = SnapshotStore.init(tmp_path / "repo")
    baseline(s)
    return s


# -- tests --------------------------------------------------------------------------------------


def test_combined_shards_are_exactly_one_capture_of_the_same_units(tmp_path: Path) -> None:
    """Shard s3 (us-east-1 only now: the us-west-2 unit is dropped) and shard lambda (new code,
    a new sealed value), combined over a baseline that also holds DynamoDB (kept: no shard read
    it), give the files and manifest that one ``capture --only s3 --only lambda`` writes, but
    for the capture time; the combined commit is one commit on main, fsck-clean."""
    seen = Seen("s3/elsewhere", "s3", ACCOUNT, "eu-west-1", "region eu-west-1 is not in this capture's regions")
    one, two = SnapshotStore.init(tmp_path / "one"), SnapshotStore.init(tmp_path / "two")
    for s in (one, two):
        baseline(s)
    before = one.head()

    def s3_now(s: SnapshotStore) -> UnitResult:
        return s3_unit(s, S3, "site", {"index.html": b"<h1>v2</h1>", "app.js": b"1", "new.css": b"b{}"})

    shard(one, "a", plan_for("s3", seen=(seen,)), s3_now(one), only=("s3",))
    shard(one, "b", plan_for("lambda"), lambda_unit(one, b"code v2", "v2"), only=("lambda",))
    combined = combine_all(one, tag="v1")
    single = capture(two, plan_for("lambda", "s3", seen=(seen,)), s3_now(two), lambda_unit(two, b"code v2", "v2"),
                     only=("lambda", "s3"))

    assert combined.created and combined.failed == []
    assert [s.name for s in combined.shards] == ["a", "b"]
    assert combined.dropped == [(S3_WEST, "not in this capture's plan: region us-west-2 is not among its "
                                          "regions: us-east-1")]
    assert one.log()[1].id == before and one.log()[0].id == combined.commit  # one new commit on main
    assert one.tags()["v1"] == combined.commit
    files_one, files_two = one.files(combined.commit), two.files(single)
    for files in (files_one, files_two):
        files.pop("manifest.json"), files.pop("MANIFEST.md")
    assert files_one == files_two
    assert without_times(manifest(one, combined.commit)) == without_times(manifest(two, single))
    assert manifest(one, combined.commit)["units"][DYNAMODB]["status"] == "ok"  # kept
    assert S3_WEST not in manifest(one, combined.commit)["units"]
    fsck(one.path)


def test_a_shard_commit_holds_its_units_bodies_and_what_it_covered(store: SnapshotStore) -> None:
    """The shard's tree is its units' files, their bodies and sealed items, and shard.json;
    a second capture of the same shard is a child of the first; main does not move."""
    head = store.head()
    first = shard(store, "fn", plan_for("lambda"), lambda_unit(store, b"code v2", "v2"), only=("lambda",))
    second = shard(store, "fn", plan_for("lambda"), lambda_unit(store, b"code v3", "v3"), only=("lambda",))

    assert store.head() == head
    assert get_shard_tips(store) == {"fn": second}
    assert store.log(second)[1].id == first and len(store.log(second)) == 2
    files = store.files(second)
    meta = json.loads(store.read(files[SHARD_FILE]))
    assert meta["base"] == head and meta["only"] == ["lambda"] and meta["name"] == "fn"
    assert meta["units"][LAMBDA]["status"] == "ok" and list(meta["units"][LAMBDA]["resources"]) == ["lambda/fn"]
    code = json.loads(store.read(files[f"{LAMBDA}/function/fn/function.json"]))["Code"]["blob"]
    assert files[f"blobs/{code[:2]}/{code[2:]}"] == code
    assert any(p.startswith("sealed/values/") for p in files)
    assert not any(p.startswith(S3) for p in files)  # only the shard's own units
    fsck(store.path)


def test_a_unit_in_two_shards_is_refused_naming_both_and_nothing_is_written(store: SnapshotStore) -> None:
    head, tags = store.head(), store.tags()
    shard(store, "left", plan_for("s3"), s3_unit(store, S3, "site", {"a": b"left"}), only=("s3",))
    shard(store, "right", plan_for("s3"), s3_unit(store, S3, "site", {"a": b"right"}), only=("s3",))

    with pytest.raises(ShardConflictError) as err:
        combine_all(store, tag="v1")

    assert f"unit {S3} is in shards left and right" in str(err.value)
    assert "nothing was written" in str(err.value)
    assert store.head() == head and store.tags() == tags


def test_a_shard_already_combined_is_not_applied_again(store: SnapshotStore) -> None:
    """Once combined, a shard's commit is named in main's history; combining again refuses
    (nothing new), a new reading of one shard is applied alone, and a shard ref moved back to
    an older commit is refused too: re-applying an old reading would undo a newer one."""
    first_a = shard(store, "a", plan_for("s3"), s3_unit(store, S3, "site", {"a": b"2"}), only=("s3",))
    shard(store, "b", plan_for("lambda"), lambda_unit(store, b"code v2", "v2"), only=("lambda",))
    one = combine_all(store)
    message = store.log(limit=1)[0].message
    assert sorted(transform_trailers(message)) == sorted((s.name, s.commit) for s in one.shards)

    with pytest.raises(NothingNewError) as err:
        combine_all(store)
    assert f"shard a ({first_a[:12]}) was already combined into {one.commit[:12]}" in str(err.value)
    assert store.head() == one.commit

    second_a = shard(store, "a", plan_for("s3"), s3_unit(store, S3, "site", {"a": b"3"}), only=("s3",))
    two = combine_all(store)
    assert [s.name for s in two.shards] == ["a"]
    assert [name for name, _ in two.skipped] == ["b"]
    assert "already combined" in two.skipped[0][1]
    assert transform_trailers(store.log(limit=1)[0].message) == [("a", second_a)]

    store._swap(b"refs/gitsnap/shards/a", second_a.encode(), first_a.encode())  # as a fetch of an old ref would
    with pytest.raises(NothingNewError) as err:
        combine_all(store, "a")
    assert f"shard a ({first_a[:12]}) is older than {second_a[:12]}" in str(err.value)
    assert store.head() == two.commit


def test_without_shards_there_is_nothing_to_combine(store: SnapshotStore) -> None:
    head = store.head()
    with pytest.raises(NoShardsError) as err:
        combine_all(store)
    assert str(err.value) == "no shards to combine: run `gitsnap capture --shard NAME` first"
    shard(store, "a", plan_for("s3"), s3_unit(store, S3, "site", {"a": b"2"}), only=("s3",))
    with pytest.raises(NoShardsError, match="no shard named 'b' .shards here: a."):
        combine_all(store, "b")
    assert store.head() == head


def test_a_partial_shard_keeps_the_previous_unit_marked_failed(store: SnapshotStore) -> None:
    """A unit that failed in its shard (--allow-partial) keeps main's subtree, marked failed
    with its error, exactly as a partial capture does; the combine reports it as failed."""
    before = store.files(store.head())
    shard(store, "a", plan_for("lambda", "s3"), s3_unit(store, S3, "site", {"a": b"2"}),
          failed_unit(LAMBDA, "lambda"), only=("lambda", "s3"))

    result = combine_all(store)

    assert [u.path for u in result.failed] == [LAMBDA]
    unit = manifest(store, result.commit)["units"][LAMBDA]
    assert unit["status"] == "failed" and "AccessDenied" in unit["error"]
    after = store.files(result.commit)
    assert {p: b for p, b in after.items() if p.startswith(LAMBDA)} == \
        {p: b for p, b in before.items() if p.startswith(LAMBDA)}


def test_main_moving_during_the_combine_changes_nothing(store: SnapshotStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another writer moves main between the combine's read and its compare-and-swap (a fetch,
    say): the combine fails with what to do, main stays where the other writer put it."""
    shard(store, "a", plan_for("s3"), s3_unit(store, S3, "site", {"a": b"2"}), only=("s3",))
    commit = store.commit
    moved: list[str] = []

    def commit_then_race(tree: str, parent: str | None, message: str) -> str:
        mine = commit(tree, parent, message)
        other = commit(tree, parent, "someone else\n")
        store.advance(parent, other)
        moved.append(other)
        return mine

    monkeypatch.setattr(store, "commit", commit_then_race)
    with pytest.raises(ShardMovedError) as err:
        combine_all(store)
    assert "main moved while the shards were combined" in str(err.value)
    assert "run 'gitsnap commit --from-shards' again" in str(err.value)
    assert store.head() == moved[0]


def test_shards_made_with_another_fingerprint_key_are_refused(store: SnapshotStore) -> None:
    """Fingerprints made with another key differ for the same value: a snapshot mixing them
    would show every secret as changed."""
    with store.lock():
        ShardWriter(store, GUARD, None, plan_for("s3"), CaptureRequest(only=("s3",), shard="a"), "other-key-id").write(
            store.head(), [s3_unit(store, S3, "site", {"a": b"2"})], time.monotonic())
    with pytest.raises(ShardConflictError, match="fingerprint key other-key-id"):
        combine_all(store)


def test_a_shard_name_must_be_one_ref_component(tmp_path: Path) -> None:
    store = SnapshotStore.init(tmp_path / "repo")
    check_shard_name(store, "s3-eu_1.batch")
    for name in ("a/b", "", "..", "x..y", "s3.lock", "with space", "a~1", "a:b"):
        with pytest.raises(ShardNameError, match="invalid shard name"):
            check_shard_name(store, name)


def test_trailers_are_read_from_the_last_paragraph_only() -> None:
    commit = "0123456789abcdef0123456789abcdef01234567"
    text = f"capture x\n\nGitsnap-Shard: early {commit}\n\ngitsnap 1\n\nGitsnap-Shard: a {commit}\n"
    assert transform_trailers(text) == [("a", commit)]
    assert transform_trailers("capture x\n\ngitsnap 1\n") == []
