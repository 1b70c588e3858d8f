"""Restore against real AWS's rules, which the local endpoint does not enforce.

moto applies a Lambda update at once (``LastUpdateStatus`` is never ``InProgress``), accepts a
public bucket policy under a public access block that forbids it, and takes a Route53
ChangeBatch of any size. Real AWS refuses all three, half-way through an apply. These tests
model the real behaviour with botocore's Stubber on real clients (it also checks every
request against the service model) or with pure functions; each says what it models.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import botocore.session
import pytest
from botocore.stub import Stubber

from gitsnap.canonical import dumps
from gitsnap.collectors.aws.awslambda import plan_function
from gitsnap.collectors.aws.dynamodb.restore import plan_table
from gitsnap.collectors.aws.route53restore import plan_zone
from gitsnap.collectors.aws.s3restore import plan_bucket
from gitsnap.layout import ObjectEntry, dump_index
from gitsnap.restore import ops as restore_ops
from gitsnap.restore.ops import RestoreContext, RestoreError
from gitsnap.store import SnapshotStore
from gitsnap.store.snapshot import Snapshot

ACCOUNT = "111111111111"


class StubAccounts:
    """Real botocore clients under Stubbers, one per service, as the accounts registry gives them."""

    def __init__(self, *services: str) -> None:
        session = botocore.session.get_session()
        self.clients = {s: session.create_client(s, region_name="us-east-1", aws_access_key_id="x",
                                                 aws_secret_access_key="y") for s in services}
        self.stubs = {s: Stubber(c) for s, c in self.clients.items()}
        self.asked: list[tuple[str, str | None, str | None]] = []

    def client(self, service: str, account: str | None = None, region: str | None = None):
        self.asked.append((service, account, region))
        return self.clients[service]

    def reaches(self, account: str) -> bool:
        return account == ACCOUNT

    def known(self) -> list[str]:
        return [ACCOUNT]


def context(store: SnapshotStore, want: Snapshot, have: Snapshot, accounts: StubAccounts, **more) -> RestoreContext:
    """A RestoreContext, built by field name (so this file also runs against older layouts of it)."""
    values = {"store": store, "snapshot": want, "live": have, "accounts": accounts, "account": accounts,
              "account_id": ACCOUNT, "delete": False, **more}
    names = {f.name for f in dataclasses.fields(RestoreContext)}
    return RestoreContext(**{k: v for k, v in values.items() if k in names})


def no_wait() -> dict:
    return {"waits": restore_ops.Waits(delay=0)} if hasattr(restore_ops, "Waits") else {}


def one(store: SnapshotStore, service: str, typ: str, address: str, files: dict[str, bytes], region: str) -> Snapshot:
    path = next(iter(files)).rsplit("/", 1)[0] if len(files) > 1 else next(iter(files))
    return Snapshot.in_memory(store, files, {address: {"path": path, "service": service, "type": typ,
                                                       "account": ACCOUNT, "region": region}})


@pytest.fixture
def store(tmp_path):
    return SnapshotStore.init(tmp_path / "r")


# -- Lambda: one update at a time --------------------------------------------------------------

def function_doc(timeout: int, code_sha: str, blob: str | None) -> dict:
    return {"Tags": {}, "ReservedConcurrency": None, "Policy": None, "Aliases": [], "Versions": [],
            "EventSourceMappings": [], "Role": None,
            "Code": {"sha256": code_sha, "blob": blob, "size": 3},
            "Configuration": {"FunctionName": "fn", "FunctionArn": "arn", "Role": "r", "Timeout": timeout}}


def lambda_plan(store):
    blob = store.add_bytes(b"zip")
    path = f"aws/{ACCOUNT}/eu-west-1/lambda/function/fn/function.json"
    want = one(store, "lambda", "function", "lambda/fn", {path: dumps(function_doc(6, "a" * 64, blob))}, "eu-west-1")
    have = one(store, "lambda", "function", "lambda/fn", {path: dumps(function_doc(30, "b" * 64, None))}, "eu-west-1")
    accounts = StubAccounts("lambda")
    ops = plan_function(context(store, want, have, accounts, **no_wait()), "lambda/fn")
    return [op for op in ops if op.run], accounts


def conf(status: str, revision: str, **more) -> dict:
    return {"FunctionName": "fn", "RevisionId": revision, "LastUpdateStatus": status, **more}


def test_lambda_configuration_waits_until_the_code_update_is_done(store):
    """Real Lambda: after UpdateFunctionCode, LastUpdateStatus is InProgress for a while, and an
    UpdateFunctionConfiguration sent then fails with ResourceConflictException (moto finishes
    at once). The configuration is sent only after a read says Successful, with that read's
    RevisionId; the Stubber answers in the order real Lambda would and refuses any other call."""
    (code, config), accounts = lambda_plan(store)
    assert (code.verb, config.target) == ("update-code", "Configuration.Timeout")
    assert ("lambda", ACCOUNT, "eu-west-1") in accounts.asked  # the function's own account and region
    stub = accounts.stubs["lambda"]
    fn = {"FunctionName": "fn"}
    stub.add_response("get_function_configuration", conf("Successful", "r1"), fn)
    stub.add_response("update_function_code", {"FunctionName": "fn"}, {**fn, "ZipFile": b"zip", "RevisionId": "r1"})
    stub.add_response("get_function_configuration", conf("InProgress", "r2"), fn)
    stub.add_response("get_function_configuration", conf("InProgress", "r2"), fn)
    stub.add_response("get_function_configuration", conf("Successful", "r3"), fn)
    stub.add_response("get_function_configuration", conf("Successful", "r3"), fn)  # the configuration's own read
    stub.add_response("update_function_configuration", {"FunctionName": "fn"},
                      {**fn, "RevisionId": "r3", "Timeout": 6, "Environment": {"Variables": {}}})
    stub.add_response("get_function_configuration", conf("InProgress", "r4"), fn)
    stub.add_response("get_function_configuration", conf("Successful", "r5"), fn)  # settled before aliases
    with stub:
        code.run()
        config.run()
        stub.assert_no_pending_responses()


def test_a_failed_lambda_update_stops_the_restore_with_its_reason(store):
    """Real Lambda: an update can end in LastUpdateStatus Failed (say, an ENI limit); the next
    step must not be sent, and the error names the function and the reason (moto never fails)."""
    (code, _config), accounts = lambda_plan(store)
    stub = accounts.stubs["lambda"]
    stub.add_response("get_function_configuration", conf("Successful", "r1"), {"FunctionName": "fn"})
    stub.add_response("update_function_code", {"FunctionName": "fn"},
                      {"FunctionName": "fn", "ZipFile": b"zip", "RevisionId": "r1"})
    stub.add_response("get_function_configuration", conf(
        "Failed", "r2", LastUpdateStatusReasonCode="EniLimitExceeded",
        LastUpdateStatusReason="The ENI limit was reached"), {"FunctionName": "fn"})
    with stub, pytest.raises(RestoreError) as err:
        code.run()
    message = str(err.value)
    assert "fn" in message and "EniLimitExceeded: The ENI limit was reached" in message and "\n" not in message
    stub.assert_no_pending_responses()


# -- S3: settings in the order S3 accepts them ---------------------------------------------------

PUBLIC_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}
OPEN = {"BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": False, "RestrictPublicBuckets": False}
SHUT = {k: True for k in OPEN}


def bucket(store, doc: dict, entries: list[ObjectEntry] = ()) -> Snapshot:
    base = f"aws/{ACCOUNT}/us-east-1/s3/bucket/b"
    return one(store, "s3", "bucket", "s3/b", {f"{base}/bucket.json": dumps({"Name": "b", "Region": "us-east-1", **doc}),
                                               f"{base}/objects.jsonl": dump_index(entries)}, "us-east-1")


def run_bucket_plan(store, want: dict, have: dict, expected: list[tuple[str, dict]]) -> None:
    accounts = StubAccounts("s3")
    ops = plan_bucket(context(store, bucket(store, want), bucket(store, have), accounts), "s3/b")
    stub = accounts.stubs["s3"]
    for method, params in expected:
        stub.add_response(method, {}, {"Bucket": "b", **params})
    with stub:
        for op in ops:
            if op.run:
                op.run()
        stub.assert_no_pending_responses()


def test_public_access_block_is_relaxed_before_the_bucket_policy_goes_back(store):
    """Real S3: PutBucketPolicy with a public policy is refused (AccessDenied) while the bucket's
    public access block has BlockPublicPolicy on (moto accepts it). When the snapshot's block
    lets the policy through, the block goes back first."""
    run_bucket_plan(
        store, want={"Policy": PUBLIC_POLICY, "PublicAccessBlock": OPEN}, have={"Policy": None, "PublicAccessBlock": SHUT},
        expected=[("put_public_access_block", {"PublicAccessBlockConfiguration": OPEN}),
                  ("put_bucket_policy", {"Policy": json.dumps(PUBLIC_POLICY, sort_keys=True)})])


def test_ownership_controls_go_back_before_the_other_settings(store):
    """Real S3: object ownership decides whether ACLs apply at all (BucketOwnerEnforced turns
    them off), so it goes back before the settings and objects that follow it."""
    owner = {"Rules": [{"ObjectOwnership": "ObjectWriter"}]}
    run_bucket_plan(
        store,
        want={"Policy": PUBLIC_POLICY, "PublicAccessBlock": OPEN, "OwnershipControls": owner},
        have={"Policy": None, "PublicAccessBlock": None,
              "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}},
        expected=[("put_bucket_ownership_controls", {"OwnershipControls": owner}),
                  ("put_public_access_block", {"PublicAccessBlockConfiguration": OPEN}),
                  ("put_bucket_policy", {"Policy": json.dumps(PUBLIC_POLICY, sort_keys=True)})])


def test_a_blocking_public_access_block_goes_back_after_the_policy(store):
    """Real S3: once BlockPublicPolicy is on, a public policy cannot be put; a snapshot that has
    both (the policy predates the block) gets the policy first, then the block."""
    run_bucket_plan(
        store, want={"Policy": PUBLIC_POLICY, "PublicAccessBlock": SHUT}, have={"Policy": None, "PublicAccessBlock": None},
        expected=[("put_bucket_policy", {"Policy": json.dumps(PUBLIC_POLICY, sort_keys=True)}),
                  ("put_public_access_block", {"PublicAccessBlockConfiguration": SHUT})])


# -- Route53: batches within the limits ----------------------------------------------------------

def a_record(i: int, values: int = 2, ttl: int = 300) -> dict:
    return {"Name": f"h{i:04d}.example.com.", "Type": "A", "TTL": ttl,
            "ResourceRecords": [{"Value": f"198.51.{v}.{i % 250}"} for v in range(values)]}


def zone(records: list[dict]) -> dict:
    return {"Id": "Z1", "Name": "example.com.", "Config": {}, "DelegationSet": None, "VPCs": None, "Tags": {},
            "RecordSets": records}


def limits(batch: list[dict]) -> tuple[int, int]:
    """What Route53 counts in a ChangeBatch: ResourceRecord elements and Value characters, an
    UPSERT's twice (an alias change, with no ResourceRecord, is not counted here)."""
    times = [2 if c["Action"] == "UPSERT" else 1 for c in batch]
    rrs = [c["ResourceRecordSet"].get("ResourceRecords") or [] for c in batch]
    return (sum(t * len(r) for t, r in zip(times, rrs, strict=True)),
            sum(t * sum(len(v["Value"]) for v in r) for t, r in zip(times, rrs, strict=True)))


def test_a_zone_of_1500_changed_records_goes_in_batches_route53_accepts(store):
    """Real Route53: a ChangeBatch holds at most 1,000 ResourceRecord elements and 32,000
    characters of values, an UPSERT counting twice, or the whole request is refused (moto takes
    any size). 1,500 two-value records (6,000 counted elements) are sent in batches within both
    limits, each one a real request checked by the Stubber against the service model."""
    path = f"aws/{ACCOUNT}/global/route53/zone/example.com.json"
    want = one(store, "route53", "zone", "route53/example.com", {path: dumps(zone([a_record(i) for i in range(1500)]))}, "global")
    have = one(store, "route53", "zone", "route53/example.com",
               {path: dumps(zone([a_record(i, ttl=60) for i in range(1500)]))}, "global")
    accounts = StubAccounts("route53")
    ops = plan_zone(context(store, want, have, accounts), "route53/example.com")
    sent: list[list[dict]] = []
    client = accounts.clients["route53"]
    client.meta.events.register("before-parameter-build.route53.ChangeResourceRecordSets",
                                lambda params, **_: sent.append(params["ChangeBatch"]["Changes"]))
    stub = accounts.stubs["route53"]
    for _ in range(12):
        stub.add_response("change_resource_record_sets",
                          {"ChangeInfo": {"Id": "c", "Status": "PENDING", "SubmittedAt": dt.datetime(2025, 1, 1)}})
    with stub:
        for op in ops:
            if op.run:
                op.run()
    assert sum(len(b) for b in sent) == 1500
    assert {c["ResourceRecordSet"]["Name"] for b in sent for c in b} == {f"h{i:04d}.example.com." for i in range(1500)}
    for batch in sent:
        records, chars = limits(batch)
        assert records <= 1000 and chars <= 32000
    assert len(sent) == 6  # 6,000 counted elements cannot go in fewer
    # only each batch is atomic: the plan says so
    notes = [op.detail for op in ops if op.run]
    assert len(notes) == 6 and all("batch" in n and "atomic" in n for n in notes)


# -- DynamoDB: UpdateTable, then the rest once the table is ACTIVE ---------------------------------

def test_table_changes_wait_for_active_after_update_table(store):
    """Real DynamoDB: after UpdateTable (a billing mode switch) the table is UPDATING for a while
    and refuses further updates (moto is ACTIVE at once). The billing change goes first, and
    the TTL change is sent only after DescribeTable says ACTIVE."""
    path = f"aws/{ACCOUNT}/eu-west-1/dynamodb/table/events.json"

    def doc(mode: str, ttl: str) -> dict:
        return {"Table": {"TableName": "events", "TableArn": "arn:aws:dynamodb:eu-west-1:1:table/events",
                          "BillingModeSummary": {"BillingMode": mode}},
                "TimeToLive": {"TimeToLiveStatus": ttl, "AttributeName": "expires"}}

    want = one(store, "dynamodb", "table", "dynamodb/events", {path: dumps(doc("PAY_PER_REQUEST", "ENABLED"))}, "eu-west-1")
    have = one(store, "dynamodb", "table", "dynamodb/events", {path: dumps(doc("PROVISIONED", "DISABLED"))}, "eu-west-1")
    accounts = StubAccounts("dynamodb")
    ops = [op for op in plan_table(context(store, want, have, accounts, **no_wait()), "dynamodb/events") if op.run]
    stub = accounts.stubs["dynamodb"]
    stub.add_response("update_table", {}, {"TableName": "events", "BillingMode": "PAY_PER_REQUEST"})
    stub.add_response("describe_table", {"Table": {"TableStatus": "UPDATING"}}, {"TableName": "events"})
    stub.add_response("describe_table", {"Table": {"TableStatus": "ACTIVE"}}, {"TableName": "events"})
    stub.add_response("update_time_to_live", {}, {"TableName": "events", "TimeToLiveSpecification": {
        "Enabled": True, "AttributeName": "expires"}})
    with stub:
        for op in ops:
            op.run()
        stub.assert_no_pending_responses()
