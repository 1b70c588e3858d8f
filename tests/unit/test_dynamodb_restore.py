"""Restoring a DynamoDB table: recreate, update, delete, and put its items back.

Real DynamoDB leaves a table CREATING or UPDATING for a while and refuses the next change until
it is ACTIVE, leaves some of a BatchWriteItem unprocessed under load, and refuses to delete a
protected table; moto does none of that. These tests model it with botocore's Stubber on real
clients (which also checks each request against the service model).
"""

from __future__ import annotations

from pathlib import Path

import botocore.session
import pytest
from botocore.stub import ANY, Stubber
from pyrage import x25519

from gitsnap.canonical import dumps
from gitsnap.collectors.aws.dynamodb.items import ITEMS, dump_items
from gitsnap.collectors.aws.dynamodb.restore import (
    create_params,
    plan_create,
    plan_delete,
    plan_update,
)
from gitsnap.collectors.restoring import RestoreContext, Unrestorable, Waits
from gitsnap.restore.reveal import Revealer
from gitsnap.secrets.fingerprint import Fingerprinter
from gitsnap.secrets.seal import Sealer, Unsealer, value_path
from gitsnap.store import SnapshotStore
from gitsnap.store.snapshot import Snapshot

ACCOUNT = "111111111111"
ADDRESS = "dynamodb/orders"
ARN = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"
KEYS = [{"AttributeName": "pk", "KeyType": "HASH"}]
ATTRS = [{"AttributeName": "pk", "AttributeType": "S"}]


class Accounts:
    """Real botocore clients under Stubbers, as the accounts registry hands them out."""

    def __init__(self, reveal: Revealer | None = None) -> None:
        session = botocore.session.get_session()
        self.clients = {s: session.create_client(s, region_name="us-east-1", aws_access_key_id="x",
                                                 aws_secret_access_key="y")
                        for s in ("dynamodb", "application-autoscaling")}
        if reveal is not None:
            for c in self.clients.values():
                reveal.install(c)
        self.stubs = {s: Stubber(c) for s, c in self.clients.items()}

    def client(self, service, _account=None, _region=None):
        return self.clients[service]


def table(**extra) -> dict:
    doc = {"Table": {"TableName": "orders", "TableArn": ARN, "KeySchema": KEYS, "AttributeDefinitions": ATTRS,
                     "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"}, **extra.pop("Table", {})},
           "TimeToLive": {"TimeToLiveStatus": "DISABLED"}, "ScalableTargets": [], "Tags": {},
           "ContinuousBackups": {"PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}}}
    doc.update(extra)
    return doc


def side(store, doc: dict | None, items: list | None = None, sealed: dict[str, bytes] | None = None) -> Snapshot:
    base = f"aws/{ACCOUNT}/us-east-1/dynamodb/table/orders"
    files = dict(sealed or {})
    resources = {}
    if doc is not None:
        files[f"{base}/table.json"] = dumps(doc)
        if items is not None:
            files[f"{base}/{ITEMS}"] = dump_items(items)
        resources[ADDRESS] = {"path": base, "service": "dynamodb", "type": "table", "account": ACCOUNT,
                              "region": "us-east-1"}
    return Snapshot.in_memory(store, files, resources)


@pytest.fixture
def store(tmp_path: Path) -> SnapshotStore:
    return SnapshotStore.init(tmp_path / "r")


def context(store, want: Snapshot, have: Snapshot, *, delete=False, identity=None, sleeps=None):
    reveal = Revealer(want, Unsealer(identity, Path("id")) if identity else None)
    waits = Waits(delay=1.0, attempts=5, sleep=(sleeps.append if sleeps is not None else lambda _s: None))
    accounts = Accounts(reveal)
    return RestoreContext(store, want, have, accounts, delete=delete, reveal=reveal, waits=waits), accounts


def active(stub, status="ACTIVE", indexes=()):
    stub.add_response("describe_table", {"Table": {"TableStatus": status, "GlobalSecondaryIndexes": [
        {"IndexName": n, "IndexStatus": s} for n, s in indexes]}}, {"TableName": "orders"})


def run_all(ops, accounts):
    with accounts.stubs["dynamodb"], accounts.stubs["application-autoscaling"]:
        for op in ops:
            if op.run:
                op.run()
        for stub in accounts.stubs.values():
            stub.assert_no_pending_responses()


# -- create ------------------------------------------------------------------------------------

def test_create_params_carry_every_setting_create_table_takes():
    gsi = {"IndexName": "by-email", "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
           "Projection": {"ProjectionType": "KEYS_ONLY"}, "IndexArn": f"{ARN}/index/by-email",
           "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 1}}
    lsi = {"IndexName": "local", "KeySchema": KEYS, "Projection": {"ProjectionType": "ALL"}, "IndexArn": "x"}
    doc = table(Tags={"env": "prod"}, Table={
        "BillingModeSummary": {"BillingMode": "PROVISIONED"},
        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 2},
        "GlobalSecondaryIndexes": [gsi], "LocalSecondaryIndexes": [lsi],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        "SSEDescription": {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": "arn:aws:kms:us-east-1:1:key/k"},
        "TableClassSummary": {"TableClass": "STANDARD_INFREQUENT_ACCESS"}, "DeletionProtectionEnabled": True})
    params = create_params(doc)
    assert params == {
        "TableName": "orders", "KeySchema": KEYS, "AttributeDefinitions": ATTRS, "BillingMode": "PROVISIONED",
        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 2},
        "GlobalSecondaryIndexes": [{"IndexName": "by-email", "KeySchema": gsi["KeySchema"],
                                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                                    "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 1}}],
        "LocalSecondaryIndexes": [{"IndexName": "local", "KeySchema": KEYS, "Projection": {"ProjectionType": "ALL"}}],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        "SSESpecification": {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "arn:aws:kms:us-east-1:1:key/k"},
        "TableClass": "STANDARD_INFREQUENT_ACCESS", "DeletionProtectionEnabled": True,
        "Tags": [{"Key": "env", "Value": "prod"}]}


def test_a_deleted_table_is_created_then_set_up_once_active_then_filled(store):
    """CreateTable; DescribeTable until ACTIVE (CREATING first, as on real AWS); TTL and PITR;
    then 30 items in two batches, the unprocessed part of the first sent again after a pause."""
    want_doc = table(TimeToLive={"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"},
                     ContinuousBackups={"PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "ENABLED"}},
                     Items={"Captured": True})
    items = [{"pk": {"S": f"k{i:02}"}, "b": {"B": "AP8="}} for i in range(30)]
    sleeps: list[float] = []
    ctx, accounts = context(store, side(store, want_doc, items), side(store, None), sleeps=sleeps)
    ops = plan_create(ctx, ADDRESS)
    assert [(op.verb, op.target) for op in ops] == [("create", "table"), ("update", "TimeToLive"),
                                                    ("update", "PointInTimeRecovery"), ("put", ITEMS)]
    stub = accounts.stubs["dynamodb"]
    stub.add_response("create_table", {}, {"TableName": "orders", "KeySchema": KEYS, "AttributeDefinitions": ATTRS,
                                          "BillingMode": "PAY_PER_REQUEST"})
    active(stub, "CREATING")
    active(stub)
    stub.add_response("update_time_to_live", {}, {"TableName": "orders", "TimeToLiveSpecification": {
        "Enabled": True, "AttributeName": "expires"}})
    stub.add_response("update_continuous_backups", {}, {"TableName": "orders", "PointInTimeRecoverySpecification": {
        "PointInTimeRecoveryEnabled": True}})
    puts = [{"PutRequest": {"Item": {"pk": {"S": f"k{i:02}"}, "b": {"B": b"\x00\xff"}}}} for i in range(30)]
    stub.add_response("batch_write_item", {"UnprocessedItems": {"orders": puts[23:25]}},
                      {"RequestItems": {"orders": puts[:25]}})
    stub.add_response("batch_write_item", {"UnprocessedItems": {}}, {"RequestItems": {"orders": puts[23:25]}})
    stub.add_response("batch_write_item", {}, {"RequestItems": {"orders": puts[25:]}})
    run_all(ops, accounts)
    assert sleeps == [1.0, 1.0]  # one wait for ACTIVE, one pause before the unprocessed items


def test_items_not_captured_are_said_so_and_a_table_not_opted_in_is_created_empty(store):
    over = table(Items={"Captured": False, "Why": "over [aws.dynamodb] items_max_bytes (9 bytes)"})
    ctx, _ = context(store, side(store, over), side(store, None))
    ops = plan_create(ctx, ADDRESS)
    assert ops[-1].verb == "cannot-restore" and "items_max_bytes" in ops[-1].detail
    ctx, _ = context(store, side(store, table()), side(store, None))
    (op,) = plan_create(ctx, ADDRESS)
    assert op.verb == "create" and "created empty" in op.detail


def test_sealed_item_values_need_the_identity_and_are_written_revealed(store):
    identity = x25519.Identity.generate()
    marker = Fingerprinter(b"k" * 32)("hunter2-correct-horse")
    sealed = {value_path(marker[-24:]): Sealer([str(identity.to_public())]).seal_value("hunter2-correct-horse")}
    items = [{"pk": {"S": "ada"}, "password": {"S": marker}}]
    want = side(store, table(Items={"Captured": True}), items, sealed)
    ctx, _ = context(store, want, side(store, None))
    assert [(op.verb, op.target) for op in plan_create(ctx, ADDRESS)][-1] == ("needs-identity", ITEMS)

    ctx, accounts = context(store, want, side(store, None), identity=identity)
    ops = [op for op in plan_create(ctx, ADDRESS) if op.target == ITEMS]
    sent = []  # what leaves the client, after the reveal hook (the Stubber checks before it)
    accounts.clients["dynamodb"].meta.events.register("before-parameter-build.dynamodb.BatchWriteItem",
                                                      lambda params, **_: sent.append(params))
    accounts.stubs["dynamodb"].add_response("batch_write_item", {}, None)
    run_all(ops, accounts)
    assert sent == [{"RequestItems": {"orders": [{"PutRequest": {
        "Item": {"pk": {"S": "ada"}, "password": {"S": "hunter2-correct-horse"}}}}]}}]


# -- delete ------------------------------------------------------------------------------------

def test_a_protected_table_is_not_deleted_and_the_plan_says_how(store):
    ctx, _ = context(store, side(store, None), side(store, table(Table={"DeletionProtectionEnabled": True})),
                     delete=True)
    with pytest.raises(Unrestorable) as why:
        plan_delete(ctx, ADDRESS)
    assert why.value.op.verb == "cannot-restore" and "--no-deletion-protection-enabled" in why.value.op.detail
    ctx, accounts = context(store, side(store, None), side(store, table()), delete=True)
    (op,) = plan_delete(ctx, ADDRESS)
    accounts.stubs["dynamodb"].add_response("delete_table", {}, {"TableName": "orders"})
    run_all([op], accounts)


# -- update ------------------------------------------------------------------------------------

def test_indexes_stream_and_tags_are_updated_one_update_table_at_a_time(store):
    """A missing index is created (with the definitions of its keys), each change waits for the
    table and its indexes to be ACTIVE, a stream's view type is changed by switching it off
    first; a live-only index is kept without --delete; live-only tags are removed."""
    gsi = {"IndexName": "by-email", "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
           "Projection": {"ProjectionType": "ALL"}}
    extra = {"IndexName": "scratch", "KeySchema": KEYS, "Projection": {"ProjectionType": "KEYS_ONLY"}}
    want = table(Tags={"env": "prod"}, Table={
        "AttributeDefinitions": [*ATTRS, {"AttributeName": "email", "AttributeType": "S"}],
        "GlobalSecondaryIndexes": [gsi], "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}})
    have = table(Tags={"env": "prod", "owner": "someone"}, Table={
        "GlobalSecondaryIndexes": [extra], "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}})
    ctx, accounts = context(store, side(store, want), side(store, have))
    ops = plan_update(ctx, ADDRESS)
    assert [(op.verb, op.target) for op in ops] == [
        ("create", "GlobalSecondaryIndexes by-email"), ("kept", "GlobalSecondaryIndexes scratch"),
        ("update", "StreamSpecification"), ("update", "StreamSpecification"), ("update", "Tags")]
    stub = accounts.stubs["dynamodb"]
    stub.add_response("update_table", {}, {"TableName": "orders", "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "email", "AttributeType": "S"}],
        "GlobalSecondaryIndexUpdates": [{"Create": gsi}]})
    active(stub, indexes=[("by-email", "CREATING")])
    active(stub, indexes=[("by-email", "ACTIVE")])
    stub.add_response("update_table", {}, {"TableName": "orders", "StreamSpecification": {"StreamEnabled": False}})
    active(stub)
    stub.add_response("update_table", {}, {"TableName": "orders", "StreamSpecification": {
        "StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}})
    active(stub)
    stub.add_response("untag_resource", {}, {"ResourceArn": ARN, "TagKeys": ["owner"]})
    run_all(ops, accounts)


def test_what_a_table_fixes_at_creation_cannot_be_restored_in_place(store):
    want = table(Table={"KeySchema": [*KEYS, {"AttributeName": "sk", "KeyType": "RANGE"}],
                        "AttributeDefinitions": [*ATTRS, {"AttributeName": "sk", "AttributeType": "N"}]})
    ctx, _ = context(store, side(store, want), side(store, table()))
    ops = plan_update(ctx, ADDRESS)
    assert ops and all(op.verb == "cannot-restore" and "fixed when a table is created" in op.detail for op in ops)


def test_items_differing_are_put_and_live_only_ones_deleted_only_with_delete(store):
    mark = {"Items": {"Captured": True}}
    want_items = [{"pk": {"S": "a"}, "v": {"N": "1"}}, {"pk": {"S": "b"}, "v": {"N": "2"}}]
    have_items = [{"pk": {"S": "a"}, "v": {"N": "9"}}, {"pk": {"S": "z"}}]
    want, have = side(store, table(**mark), want_items), side(store, table(**mark), have_items)
    ctx, _ = context(store, want, have)
    ops = plan_update(ctx, ADDRESS)
    assert [(op.verb, op.detail) for op in ops] == [
        ("put", "1 items missing live, 1 changed (BatchWriteItem)"), ("kept", "1 items live only; --delete removes them")]
    ctx, accounts = context(store, want, have, delete=True)
    ops = plan_update(ctx, ADDRESS)
    stub = accounts.stubs["dynamodb"]
    stub.add_response("batch_write_item", {}, {"RequestItems": {"orders": [
        {"PutRequest": {"Item": want_items[0]}}, {"PutRequest": {"Item": want_items[1]}}]}})
    stub.add_response("batch_write_item", {}, {"RequestItems": {"orders": [{"DeleteRequest": {"Key": {"pk": {"S": "z"}}}}]}})
    run_all(ops, accounts)


def test_unprocessed_items_that_never_go_through_stop_the_restore_with_a_line(store):
    from gitsnap.collectors.restoring import RestoreError

    want = side(store, table(Items={"Captured": True}), [{"pk": {"S": "a"}}])
    ctx, accounts = context(store, want, side(store, None))
    (op,) = [op for op in plan_create(ctx, ADDRESS) if op.target == ITEMS]
    stub = accounts.stubs["dynamodb"]
    for _ in range(8):
        stub.add_response("batch_write_item", {"UnprocessedItems": {"orders": [{"PutRequest": {"Item": {"pk": {"S": "a"}}}}]}},
                          {"RequestItems": ANY})
    with stub, pytest.raises(RestoreError) as err:
        op.run()
    assert "1 items unprocessed after 8 sendings" in str(err.value) and "\n" not in str(err.value)
