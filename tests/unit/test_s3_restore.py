"""Recreating a deleted bucket: the order of its settings (pure), and the calls real S3 needs.

The order tests are pure (``create_steps``, the plan's operations). Where a rule of real S3
matters that moto does not enforce or cannot show, the calls run on real botocore clients under
botocore's Stubber (it checks every request against the service model and the exact
parameters): a new bucket's public access block and owner-enforced objects, which moto does
not turn on; CreateBucket's answers for a name already taken; the moment after CreateBucket
when S3 does not yet find the bucket.
"""

from __future__ import annotations

import botocore.session
import pytest
from botocore.stub import ANY, Stubber

from gitsnap.canonical import dumps
from gitsnap.collectors.aws.s3restore import (
    INVALIDATION,
    LINKS,
    create_steps,
    plan_bucket,
    plan_create,
)
from gitsnap.collectors.aws.s3restore.bucket import BucketCreateError
from gitsnap.collectors.restoring import RestoreContext, Waits
from gitsnap.layout import ObjectEntry, dump_index
from gitsnap.store import SnapshotStore
from gitsnap.store.snapshot import Snapshot

ACCOUNT = "111111111111"
PUBLIC = {"Version": "2012-10-17", "Statement": [
    {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}
SHUT = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
OPEN = {k: False for k in SHUT}


class Stubbed:
    """Real botocore clients under Stubbers, one per (service, region), as the accounts give them."""

    def __init__(self) -> None:
        self.session = botocore.session.get_session()
        self.clients: dict[tuple[str, str], object] = {}
        self.stubs: dict[tuple[str, str], Stubber] = {}

    def client(self, service: str, account: str = ACCOUNT, region: str = "us-east-1"):
        region = "us-east-1" if region == "global" else region
        if (service, region) not in self.clients:
            c = self.session.create_client(service, region_name=region, aws_access_key_id="x", aws_secret_access_key="y")
            self.clients[(service, region)], self.stubs[(service, region)] = c, Stubber(c)
            self.stubs[(service, region)].activate()
        return self.clients[(service, region)]

    def stub(self, service: str, region: str = "us-east-1") -> Stubber:
        self.client(service, ACCOUNT, region)
        return self.stubs[(service, region)]

    def reaches(self, account: str) -> bool:
        return account == ACCOUNT

    def known(self) -> list[str]:
        return [ACCOUNT]


class Reveal:
    def __init__(self, available: bool, bodies: dict[str, bytes] | None = None) -> None:
        self.available, self.bodies = available, bodies or {}

    def body(self, sha256: str, what: str) -> bytes:
        return self.bodies[sha256]


@pytest.fixture
def store(tmp_path):
    return SnapshotStore.init(tmp_path / "r")


def side(store, name: str = "b", region: str = "us-east-1", doc: dict | None = None,
         entries: list[ObjectEntry] = (), more: dict | None = None) -> Snapshot:
    """One side holding bucket *name* (its bucket.json and objects.jsonl), and *more* resources."""
    base = f"aws/{ACCOUNT}/{region}/s3/bucket/{name}"
    files = {f"{base}/bucket.json": dumps({"Name": name, "Region": region, **(doc or {})}),
             f"{base}/objects.jsonl": dump_index(list(entries))}
    resources = {f"s3/{name}": {"path": base, "service": "s3", "type": "bucket", "account": ACCOUNT, "region": region}}
    for path, (address, info, content) in (more or {}).items():
        files[path], resources[address] = dumps(content), {"path": path, "account": ACCOUNT, **info}
    return Snapshot.in_memory(store, files, resources)


def nothing(store) -> Snapshot:
    return Snapshot.in_memory(store, {}, {})


def entry(store, key: str, body: bytes = b"hello", **more) -> ObjectEntry:
    blob = store.add_bytes(body) if body is not None else None
    return ObjectEntry(key=key, size=len(body or b""), etag="e", sha256="0" * 64, blob=blob, **more)


def context(store, want, have, accounts=None, available=True, **more) -> RestoreContext:
    return RestoreContext(store, want, have, accounts or Stubbed(), reveal=Reveal(available),
                          waits=Waits(delay=0, attempts=3, sleep=lambda _s: None), **more)


# -- the order of a new bucket's settings (pure) ------------------------------------------------

def test_a_new_bucket_loses_the_defaults_s3_gives_it_when_the_snapshot_has_none():
    """S3 turns the public access block on and enforces bucket ownership on every new bucket;
    a snapshot of a bucket without them gets them removed, and nothing else is called."""
    assert create_steps({"Name": "b", "Versioning": {}, "Notifications": {}, "Encryption": None}) == [
        ("OwnershipControls", "delete"), ("PublicAccessBlock", "delete")]


def test_a_blocking_access_block_is_lifted_until_the_policy_is_in_then_put_back():
    steps = create_steps({"Policy": PUBLIC, "PublicAccessBlock": SHUT})
    assert steps[1:4] == [("PublicAccessBlock", "delete"), ("Policy", "put"), ("PublicAccessBlock", "put")]


def test_an_open_access_block_goes_in_before_the_policy():
    steps = create_steps({"Policy": PUBLIC, "PublicAccessBlock": OPEN,
                          "OwnershipControls": {"Rules": [{"ObjectOwnership": "ObjectWriter"}]}})
    assert steps[:3] == [("OwnershipControls", "put"), ("PublicAccessBlock", "put"), ("Policy", "put")]


def test_versioning_precedes_what_depends_on_it_and_links_come_last():
    doc = {"Versioning": {"Status": "Enabled"}, "Lifecycle": [{"ID": "x"}], "Replication": {"Role": "r", "Rules": []},
           "Logging": {"TargetBucket": "logs"}, "Notifications": {"QueueConfigurations": [{"QueueArn": "q"}]},
           "Tags": {"a": "b"}, "Cors": [{"AllowedMethods": ["GET"]}]}
    names = [name for name, _ in create_steps(doc)]
    assert names.index("Versioning") < names.index("Lifecycle") < names.index("Replication")
    assert names[-3:] == ["Logging", "Replication", "Notifications"]


# -- the plan of a recreated bucket -------------------------------------------------------------

def distribution(bucket: str, region: str) -> dict:
    path = f"aws/{ACCOUNT}/global/cloudfront/distribution/E1.json"
    doc = {"Id": "E1", "DistributionConfig": {"Origins": {"Items": [
        {"Id": "o", "DomainName": f"{bucket}.s3.{region}.amazonaws.com", "OriginPath": ""}]}}}
    return {path: ("cloudfront/E1", {"service": "cloudfront", "type": "distribution", "region": "global"}, doc)}


def test_the_plan_creates_the_bucket_then_settings_then_objects_then_links(store):
    doc = {"Policy": PUBLIC, "PublicAccessBlock": SHUT, "Versioning": {"Status": "Enabled"},
           "Notifications": {"QueueConfigurations": [{"Id": "n", "QueueArn": "arn:aws:sqs:us-west-2:1:q",
                                                      "Events": ["s3:ObjectCreated:*"]}]}}
    sealed = ObjectEntry(key="config/.env", size=9, etag="e2", sha256="f" * 64, blob=None, sealed=[{"line": 1}])
    want = side(store, region="us-west-2", doc=doc, more=distribution("b", "us-west-2"), entries=[
        entry(store, "index.html"), sealed,
        ObjectEntry(key="cold.bin", size=5, etag="e3", sha256=None, blob=None, unreadable="archived: GLACIER"),
        ObjectEntry(key="nobody.txt", size=5, etag="e4", sha256=None, blob=None)])
    ops = plan_create(context(store, want, nothing(store), available=False), "s3/b")
    assert [(op.verb, op.target) for op in ops] == [
        ("create", "s3://b"),
        ("delete", "s3://b OwnershipControls"),
        ("delete", "s3://b PublicAccessBlock"), ("put", "s3://b Policy"), ("put", "s3://b PublicAccessBlock"),
        ("put", "s3://b Versioning"),
        ("cannot-restore-body", "s3://b/cold.bin"), ("needs-identity", "s3://b/config/.env"),
        ("put", "s3://b/index.html"), ("cannot-restore", "s3://b/nobody.txt"),
        ("put", "s3://b Notifications"),
        ("invalidate", "cloudfront/E1")]
    assert "in us-west-2" in ops[0].detail and "4 objects" in ops[0].detail
    assert ops[-2].kind == LINKS and ops[-1].kind == INVALIDATION  # ranked after the other resources
    assert "archived: GLACIER" in ops[6].detail


def test_recreating_runs_the_calls_real_s3_needs_in_order(store):
    """Real S3: a new bucket blocks public policies and enforces bucket ownership (moto does
    neither), so a snapshot with a public policy, no access block and no ownership controls
    needs both removed before its policy goes in. Objects go in new (If-None-Match) with what the
    index recorded."""
    obj = entry(store, "a b.html", b"<p>hi</p>", content_type="text/html", metadata={"site": "shop"},
                headers={"CacheControl": "max-age=60"}, storage_class="STANDARD_IA")
    want = side(store, doc={"Policy": PUBLIC, "PublicAccessBlock": None, "OwnershipControls": None,
                            "Tags": {"team": "web"}}, entries=[obj])
    accounts = Stubbed()
    stub = accounts.stub("s3")
    for method, params in [
        ("create_bucket", {"Bucket": "b"}),  # us-east-1: no CreateBucketConfiguration at all
        ("head_bucket", {"Bucket": "b"}),
        ("delete_bucket_ownership_controls", {"Bucket": "b"}),
        ("delete_public_access_block", {"Bucket": "b"}),
        ("put_bucket_policy", {"Bucket": "b", "Policy": ANY}),
        ("put_bucket_tagging", {"Bucket": "b", "Tagging": {"TagSet": [{"Key": "team", "Value": "web"}]}}),
        ("put_object", {"Bucket": "b", "Key": "a b.html", "Body": b"<p>hi</p>", "ContentType": "text/html",
                        "CacheControl": "max-age=60", "Metadata": {"site": "shop"}, "StorageClass": "STANDARD_IA",
                        "IfNoneMatch": "*"}),
    ]:
        stub.add_response(method, {}, params)
    for op in plan_create(context(store, want, nothing(store), accounts), "s3/b"):
        assert op.run is not None, op
        op.run()
    stub.assert_no_pending_responses()


def test_outside_us_east_1_the_bucket_is_created_in_its_region(store):
    accounts = Stubbed()
    stub = accounts.stub("s3", "eu-west-1")
    stub.add_response("create_bucket", {}, {"Bucket": "b", "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"}})
    stub.add_response("head_bucket", {}, {"Bucket": "b"})
    ops = plan_create(context(store, side(store, region="eu-west-1", doc={"PublicAccessBlock": SHUT,
                                                                          "OwnershipControls": {"Rules": []}}),
                              nothing(store), accounts), "s3/b")
    ops[0].run()
    stub.assert_no_pending_responses()


@pytest.mark.parametrize(("code", "says"), [
    ("BucketAlreadyOwnedByYou", "created after the plan was made"),
    ("BucketAlreadyExists", "belongs to another account"),
    ("OperationAborted", "still removing the deleted bucket"),
])
def test_a_refused_create_says_why_and_nothing_follows(store, code, says):
    """Real S3's answers for a name that exists (ours since the plan, or another account's, names
    being global) or is still being released after its deletion."""
    accounts = Stubbed()
    stub = accounts.stub("s3")
    stub.add_client_error("create_bucket", service_error_code=code, http_status_code=409)
    ops = plan_create(context(store, side(store), nothing(store), accounts), "s3/b")
    with pytest.raises(BucketCreateError, match=says) as err:
        ops[0].run()
    assert "s3://b" in str(err.value) and "\n" not in str(err.value)
    stub.assert_no_pending_responses()  # no HeadBucket, nothing after it


def test_the_settings_wait_until_s3_finds_the_new_bucket(store):
    """Real S3 may answer 404 for a bucket it has just created; its settings are put only once
    HeadBucket finds it (moto finds it at once)."""
    accounts = Stubbed()
    stub = accounts.stub("s3")
    stub.add_response("create_bucket", {}, {"Bucket": "b"})
    stub.add_client_error("head_bucket", service_error_code="404", http_status_code=404)
    stub.add_response("head_bucket", {}, {"Bucket": "b"})
    plan_create(context(store, side(store), nothing(store), accounts), "s3/b")[0].run()
    stub.assert_no_pending_responses()


# -- settings of a bucket that exists ------------------------------------------------------------

def test_linked_settings_of_an_existing_bucket_go_after_its_objects(store):
    """Logging has no delete call: it is removed by an empty BucketLoggingStatus (checked against
    the service model by the Stubber); it and notifications are ranked after other resources."""
    want = side(store, doc={"Logging": None, "Tags": {"aws:cloudformation:stack-name": "s", "team": "web"}},
                entries=[entry(store, "k")])
    have = side(store, doc={"Logging": {"TargetBucket": "logs", "TargetPrefix": "b/"}, "Tags": None})
    accounts = Stubbed()
    ops = plan_bucket(context(store, want, have, accounts), "s3/b")
    assert [(op.verb, op.target) for op in ops] == [
        ("cannot-restore", "s3://b Tags"), ("update", "s3://b Tags"), ("put", "s3://b/k"), ("delete", "s3://b Logging")]
    assert "set by AWS services" in ops[0].detail and ops[-1].kind == LINKS
    stub = accounts.stub("s3")
    stub.add_response("put_bucket_tagging", {}, {"Bucket": "b", "Tagging": {"TagSet": [{"Key": "team", "Value": "web"}]}})
    stub.add_response("put_bucket_logging", {}, {"Bucket": "b", "BucketLoggingStatus": {}})
    ops[1].run()
    ops[3].run()
    stub.assert_no_pending_responses()


def test_a_body_past_one_puts_limit_is_cannot_restore_not_a_failed_apply(store):
    """Real S3 refuses a PutObject over 5 GiB (EntityTooLarge) and gitsnap does not upload in
    parts: the plan says so up front instead of stopping the apply there."""
    huge = ObjectEntry(key="disk.img", size=6 * 1024 ** 3, etag="e-9", sha256="1" * 64, blob=store.add_bytes(b"x"))
    ops = plan_create(context(store, side(store, entries=[huge]), nothing(store)), "s3/b")
    (op,) = [op for op in ops if op.target == "s3://b/disk.img"]
    assert op.verb == "cannot-restore" and op.run is None and "5 GiB" in op.detail


def test_notifications_go_in_after_the_functions_they_name_are_recreated(store):
    """In a plan that recreates a bucket and the function its notifications invoke, the bucket
    comes first (rank 30) and its notification configuration after the function (rank 40)."""
    from gitsnap.collectors.restoring import Operation
    from gitsnap.restore.ops import in_dependency_order
    from gitsnap.restore.run import rank_of

    doc = {"Notifications": {"LambdaFunctionConfigurations": [
        {"LambdaFunctionArn": "arn:aws:lambda:us-east-1:1:function:f", "Events": ["s3:ObjectCreated:*"]}]}}
    ops = plan_create(context(store, side(store, doc=doc), nothing(store)), "s3/b")
    ops.append(Operation("lambda/f", "create", "lambda/f", run=lambda: None))
    kinds = {"s3/b": ("s3", "bucket"), "lambda/f": ("lambda", "function")}
    order = [op.target for op in in_dependency_order(ops, kinds, rank_of)]
    assert order.index("s3://b") < order.index("lambda/f") < order.index("s3://b Notifications")
