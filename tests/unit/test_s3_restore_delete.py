"""``restore --delete`` of a bucket live has and the snapshot does not: emptied, every version of
every object, then deleted; after every create and update of the plan.

The calls run on real botocore clients under botocore's Stubber: a versioned bucket's
noncurrent versions and delete markers, and S3 refusing to delete one (object lock, MFA
delete), which moto cannot be made to do.
"""

from __future__ import annotations

import pytest

from gitsnap.collectors.aws.s3restore import plan_delete
from gitsnap.collectors.aws.s3restore.bucket import BucketEmptyError
from gitsnap.restore.ops import in_dependency_order
from gitsnap.restore.run import plan_address, rank_of
from gitsnap.store import SnapshotStore
from tests.unit.test_s3_restore import Stubbed, context, entry, nothing, side

VERSIONED = {"Versioning": {"Status": "Enabled"}}


@pytest.fixture
def store(tmp_path):
    return SnapshotStore.init(tmp_path / "r")


def versions_page(*keys: str, markers: tuple[str, ...] = ()) -> dict:
    return {"IsTruncated": False,
            "Versions": [{"Key": k, "VersionId": f"v-{k}-{i}"} for i, k in enumerate(keys)],
            "DeleteMarkers": [{"Key": k, "VersionId": f"m-{k}"} for k in markers]}


def test_a_versioned_bucket_is_counted_in_the_plan_and_every_version_goes(store):
    accounts = Stubbed()
    stub = accounts.stub("s3")
    page = versions_page("a", "a", "b", markers=("gone",))
    stub.add_response("list_object_versions", page, {"Bucket": "b"})  # the plan counts them (a read)
    have = side(store, doc=VERSIONED, entries=[entry(store, "a"), entry(store, "b", b"xy")])
    empty, delete = plan_delete(context(store, nothing(store), have, accounts, delete=True), "s3/b")
    assert (empty.verb, delete.verb) == ("empty", "delete")
    assert "2 objects (7 B): 3 object versions and 1 delete marker" in empty.detail
    stub.assert_no_pending_responses()

    stub.add_response("list_object_versions", page, {"Bucket": "b"})
    stub.add_response("delete_objects", {"Deleted": []}, {"Bucket": "b", "Delete": {"Quiet": True, "Objects": [
        {"Key": "a", "VersionId": "v-a-0"}, {"Key": "a", "VersionId": "v-a-1"}, {"Key": "b", "VersionId": "v-b-2"},
        {"Key": "gone", "VersionId": "m-gone"}]}})
    stub.add_response("delete_bucket", {}, {"Bucket": "b"})
    empty.run()
    delete.run()
    stub.assert_no_pending_responses()


def test_an_unversioned_bucket_is_emptied_by_key(store):
    accounts = Stubbed()
    stub = accounts.stub("s3")
    have = side(store, entries=[entry(store, "a")])
    empty, _ = plan_delete(context(store, nothing(store), have, accounts, delete=True), "s3/b")
    assert empty.detail == "delete its 1 object (5 B)"
    stub.add_response("list_objects_v2", {"IsTruncated": False, "Contents": [{"Key": "a"}]}, {"Bucket": "b"})
    stub.add_response("delete_objects", {}, {"Bucket": "b", "Delete": {"Quiet": True, "Objects": [{"Key": "a"}]}})
    empty.run()
    stub.assert_no_pending_responses()


def test_an_object_s3_will_not_delete_stops_it_and_the_bucket_is_kept(store):
    """Real S3 answers DeleteObjects with per-key errors (a version under object-lock retention:
    AccessDenied) and status 200; the bucket must not be deleted after it."""
    accounts = Stubbed()
    stub = accounts.stub("s3")
    have = side(store, entries=[entry(store, "a"), entry(store, "locked")])
    empty, _ = plan_delete(context(store, nothing(store), have, accounts, delete=True), "s3/b")
    stub.add_response("list_objects_v2", {"IsTruncated": False, "Contents": [{"Key": "a"}, {"Key": "locked"}]},
                      {"Bucket": "b"})
    stub.add_response("delete_objects", {"Errors": [{"Key": "locked", "Code": "AccessDenied", "Message": "retention"}]},
                      {"Bucket": "b", "Delete": {"Quiet": True, "Objects": [{"Key": "a"}, {"Key": "locked"}]}})
    with pytest.raises(BucketEmptyError, match=r"s3://b/locked: S3 refused .*AccessDenied.*1 objects were deleted"):
        empty.run()
    stub.assert_no_pending_responses()


def test_without_delete_a_live_only_bucket_is_kept_and_with_it_goes_after_creates(store):
    """Through the one runner: live's extra bucket is kept unless --delete; with it, the
    snapshot's deleted bucket is recreated first and the extra one removed last."""
    want, have = side(store, name="old"), side(store, name="new")
    both = context(store, want, have)
    assert [op.verb for op in plan_address(both, "s3/new")] == ["kept"]
    both = context(store, want, have, delete=True)
    ops = plan_address(both, "s3/new") + plan_address(both, "s3/old")
    kinds = {"s3/new": ("s3", "bucket"), "s3/old": ("s3", "bucket")}
    ordered = [(op.verb, op.target) for op in in_dependency_order(ops, kinds, rank_of) if op.run]
    assert ordered[0] == ("create", "s3://old")
    assert ordered[-2:] == [("empty", "s3://new"), ("delete", "s3://new")]
