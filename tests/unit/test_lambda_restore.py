"""Lambda restore as the declarations plan it: a deleted function created again with its parts, a
live-only one deleted, layers and event source mappings, and what cannot come back said.

Real Lambda creates a function asynchronously (``State`` Pending, then Active or Failed), assigns
layer version numbers and mapping UUIDs itself, and gives a recreated URL config a new URL; the
local endpoint shows none of the waiting and fails nothing. These tests plan through the runner
(``plan_address``: the type's declared ``Restorer``) and apply against botocore's Stubber on real
clients, which checks each request against the service model and answers in the order real
Lambda would.
"""

from __future__ import annotations

import botocore.session
import pytest
from botocore.stub import ANY, Stubber

from gitsnap.canonical import dumps
from gitsnap.collectors.aws.awslambda import FunctionUpdateError
from gitsnap.collectors.aws.awslambda.update import plan_tags
from gitsnap.collectors.aws.awslambda.urls import plan_url_configs
from gitsnap.collectors.restoring import RestoreContext, Waits
from gitsnap.restore.run import plan_address
from gitsnap.secrets.seal import value_path
from gitsnap.store import SnapshotStore
from gitsnap.store.snapshot import Snapshot

ACCOUNT = "111111111111"
ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f"
LAYER = f"arn:aws:lambda:us-east-1:{ACCOUNT}:layer:deps"
QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs"
FP = "redacted:hmac-sha256:" + "c" * 24
SESSION = botocore.session.Session()


class StubAccounts:
    def __init__(self) -> None:
        self.lam = SESSION.create_client("lambda", region_name="us-east-1", aws_access_key_id="x",
                                         aws_secret_access_key="y")
        self.stub = Stubber(self.lam)

    def client(self, service: str, account: str | None = None, region: str | None = None):
        assert (service, account, region) == ("lambda", ACCOUNT, "us-east-1")
        return self.lam

    def reaches(self, account: str) -> bool:
        return account == ACCOUNT

    def known(self) -> list[str]:
        return [ACCOUNT]


class Reveal:
    """The identity's stand-in: sealed bodies are opened (as restore/reveal.py does with the key)."""

    def __init__(self, available: bool = True, bodies: dict[str, bytes] | None = None) -> None:
        self.available = available
        self.bodies = bodies or {}

    def body(self, sha256: str, what: str) -> bytes:
        return self.bodies[sha256]


def where(address: str) -> tuple[str, str, str]:
    """(type, path of its document, path the manifest records) of a lambda address."""
    base = f"aws/{ACCOUNT}/us-east-1/lambda"
    parts = address.split("/")
    if len(parts) == 2:
        return "function", f"{base}/function/{parts[1]}/function.json", f"{base}/function/{parts[1]}"
    if parts[1] == "layer":
        return "layer", f"{base}/layer/{parts[2]}/layer.json", f"{base}/layer/{parts[2]}"
    return parts[1], f"{base}/{parts[1]}/{parts[2]}.json", f"{base}/{parts[1]}/{parts[2]}.json"


def side(store: SnapshotStore, docs: dict, sealed: tuple[str, ...] = ()) -> Snapshot:
    files = {value_path(fp): b"age-sealed" for fp in sealed}
    resources = {}
    for address, doc in docs.items():
        typ, path, recorded = where(address)
        files[path] = dumps(doc)
        resources[address] = {"path": recorded, "service": "lambda", "type": typ, "account": ACCOUNT,
                              "region": "us-east-1"}
    return Snapshot.in_memory(store, files, resources)


@pytest.fixture
def store(tmp_path):
    return SnapshotStore.init(tmp_path / "r")


def ctx_for(store, want: dict, have: dict, *, sealed=(), reveal=None, delete=False) -> tuple[RestoreContext, StubAccounts]:
    accounts = StubAccounts()
    ctx = RestoreContext(store, side(store, want, sealed), side(store, have), accounts, delete=delete,
                         reveal=reveal or Reveal(), waits=Waits(delay=0))
    return ctx, accounts


def function(store, **more) -> dict:
    blob = store.add_bytes(b"PK-zip-bytes")
    doc = {"Configuration": {"FunctionName": "f", "FunctionArn": ARN, "Role": f"arn:aws:iam::{ACCOUNT}:role/r",
                             "Runtime": "python3.12", "Handler": "app.handler", "Timeout": 12, "MemorySize": 256,
                             "PackageType": "Zip", "Architectures": ["x86_64"], "CodeSha256": "s", "CodeSize": 12,
                             "Environment": {"Variables": {"STAGE": FP}}},
           "Code": {"sha256": "a" * 64, "size": 12, "blob": blob}, "Tags": {"team": "shop"},
           "ReservedConcurrency": 5, "Policy": None, "AliasPolicies": {}, "Aliases": [], "Versions": [],
           "UrlConfigs": {}, "RoleAddress": "iam/role/r", "LayerAddresses": {}}
    doc.update(more)
    return doc


def lines(ops) -> list[tuple[str, str]]:
    return [(op.verb, op.target) for op in ops]


CONF = {"FunctionName": "f"}


def test_a_deleted_function_is_created_from_its_package_then_given_its_parts_once_active(store):
    policy = {"Version": "2012-10-17", "Statement": [{"Sid": "s3", "Effect": "Allow", "Action": "lambda:InvokeFunction",
                                                      "Principal": {"Service": "s3.amazonaws.com"}, "Resource": ARN}]}
    alias_policy = {"Version": "2012-10-17", "Statement": [{"Sid": "apigw", "Action": "lambda:InvokeFunction",
                                                            "Principal": {"Service": "apigateway.amazonaws.com"},
                                                            "Effect": "Allow", "Resource": f"{ARN}:live"}]}
    want = function(store, Policy=policy, AliasPolicies={"live": alias_policy},
                    Aliases=[{"Name": "live", "FunctionVersion": "$LATEST", "Description": "users"}],
                    UrlConfigs={"$LATEST": {"AuthType": "NONE", "Cors": {"AllowOrigins": ["*"]},
                                            "FunctionUrl": "https://old.lambda-url.us-east-1.on.aws/"}})
    ctx, acc = ctx_for(store, {"lambda/f": want}, {}, sealed=(FP[-24:],))
    ops = plan_address(ctx, "lambda/f")
    assert lines(ops) == [("create", "lambda/f"), ("put", "ReservedConcurrency"), ("create", "Aliases.live"),
                          ("put", "Policy.s3"), ("put", "AliasPolicies.live.apigw"), ("create", "UrlConfigs.$LATEST")]
    assert "gets a new URL" in ops[-1].detail and "https://old.lambda-url" in ops[-1].detail
    s = acc.stub
    s.add_response("create_function", {}, {
        "FunctionName": "f", "Publish": False, "Role": f"arn:aws:iam::{ACCOUNT}:role/r", "Runtime": "python3.12",
        "Handler": "app.handler", "Timeout": 12, "MemorySize": 256, "PackageType": "Zip", "Architectures": ["x86_64"],
        "Environment": {"Variables": {"STAGE": FP}},  # the client hook sends the sealed value, never this
        "Tags": {"team": "shop"}, "Code": {"ZipFile": b"PK-zip-bytes"}})
    s.add_response("get_function_configuration", {"State": "Pending"}, CONF)
    s.add_response("get_function_configuration", {"State": "Active", "LastUpdateStatus": "Successful"}, CONF)
    s.add_response("put_function_concurrency", {}, {"FunctionName": "f", "ReservedConcurrentExecutions": 5})
    s.add_response("create_alias", {}, {"FunctionName": "f", "Name": "live", "FunctionVersion": "$LATEST",
                                        "Description": "users"})
    s.add_response("add_permission", {}, {"FunctionName": "f", "StatementId": "s3", "Action": "lambda:InvokeFunction",
                                          "Principal": "s3.amazonaws.com"})
    s.add_response("add_permission", {}, {"FunctionName": "f", "StatementId": "apigw", "Qualifier": "live",
                                          "Action": "lambda:InvokeFunction", "Principal": "apigateway.amazonaws.com"})
    s.add_response("create_function_url_config", {"FunctionUrl": "https://abcdefghijklmnopqrstuvwxyz0123.lambda-url.us-east-1.on.aws/", "FunctionArn": ARN, "AuthType": "NONE",
                                                  "CreationTime": "now"},
                   {"FunctionName": "f", "AuthType": "NONE", "Cors": {"AllowOrigins": ["*"]}})
    with s:
        for op in ops:
            op.run()
        s.assert_no_pending_responses()


def test_a_function_that_fails_to_become_active_stops_there_with_its_reason(store):
    ctx, acc = ctx_for(store, {"lambda/f": function(store)}, {}, sealed=(FP[-24:],))
    create = plan_address(ctx, "lambda/f")[0]
    acc.stub.add_response("create_function", {}, None)
    acc.stub.add_response("get_function_configuration", {"State": "Pending"}, CONF)
    acc.stub.add_response("get_function_configuration", {"State": "Failed", "StateReasonCode": "InvalidSubnet",
                                                         "StateReason": "subnet-1 does not exist"}, CONF)
    with acc.stub, pytest.raises(FunctionUpdateError) as err:
        create.run()
    assert "the creation of function f failed (InvalidSubnet: subnet-1 does not exist)" in str(err.value)


def test_a_value_the_snapshot_only_fingerprinted_blocks_the_creation(store):
    """Not sealed (an older snapshot, or sealing off): nothing can write it, and a function
    created without it would run wrong."""
    ctx, _ = ctx_for(store, {"lambda/f": function(store)}, {})  # no sealed value in the snapshot
    (op,) = plan_address(ctx, "lambda/f")
    assert (op.verb, op.target, op.run) == ("cannot-restore", "Configuration.Environment.Variables.STAGE", None)
    assert "only its fingerprint" in op.detail


def test_without_the_identity_a_sealed_package_and_values_need_it(store):
    want = function(store, Code={"sha256": "b" * 64, "size": 12, "sealed": [{"rule": "aws-key"}]})
    ctx, _ = ctx_for(store, {"lambda/f": want}, {}, sealed=(FP[-24:],), reveal=Reveal(available=False))
    got = lines(plan_address(ctx, "lambda/f"))
    assert ("needs-identity", "lambda/f") in got
    assert ("needs-identity", "Configuration.Environment.Variables.STAGE") in got


def test_what_a_recreated_function_cannot_get_back_is_said(store):
    want = function(store, Versions=[{"Version": "1"}, {"Version": "2"}],
                    Aliases=[{"Name": "live", "FunctionVersion": "2"}, {"Name": "edge", "FunctionVersion": "$LATEST",
                                                                        "RoutingConfig": {"AdditionalVersionWeights": {"1": 0.1}}}],
                    AliasPolicies={"live": {"Statement": [{"Sid": "x", "Action": "lambda:InvokeFunction",
                                                           "Principal": "123456789012"}]}},
                    UrlConfigs={"live": {"AuthType": "AWS_IAM"}})
    ctx, _ = ctx_for(store, {"lambda/f": want}, {}, sealed=(FP[-24:],))
    ops = {(op.verb, op.target): op for op in plan_address(ctx, "lambda/f")}
    refused = {k for k in ops if k[0] == "cannot-restore"}
    assert refused == {("cannot-restore", t) for t in ("Aliases.edge", "Aliases.live", "Versions.1", "Versions.2",
                                                       "AliasPolicies.live", "UrlConfigs.live")}
    assert "points at version 2, which no longer exists" in ops[("cannot-restore", "Aliases.live")].detail
    assert "version 1" in ops[("cannot-restore", "Aliases.edge")].detail  # its routing's version
    assert ops[("create", "lambda/f")].run is not None  # the function itself is still created


def test_a_live_only_function_is_deleted_only_with_delete(store):
    ctx, _ = ctx_for(store, {}, {"lambda/f": function(store)})
    assert lines(plan_address(ctx, "lambda/f")) == [("kept", "lambda/f")]
    ctx, acc = ctx_for(store, {}, {"lambda/f": function(store)}, delete=True)
    (op,) = plan_address(ctx, "lambda/f")
    assert (op.verb, op.target) == ("delete", "lambda/f")
    acc.stub.add_response("delete_function", {}, {"FunctionName": "f"})
    with acc.stub:
        op.run()
        acc.stub.assert_no_pending_responses()


# -- layers ------------------------------------------------------------------------------------

def layer(store, *versions: tuple[int, str]) -> dict:
    blob = store.add_bytes(b"PK-layer")
    return {"LayerName": "deps", "LayerArn": LAYER, "Versions": [
        {"Version": n, "LayerVersionArn": f"{LAYER}:{n}", "Description": "helpers", "LicenseInfo": "MIT",
         "CompatibleRuntimes": ["python3.12"], "Content": {"CodeSha256": sha, "CodeSize": 8},
         "Code": {"sha256": "d" * 64, "size": 8, "blob": blob},
         "Policy": {"Statement": [{"Sid": "partner", "Effect": "Allow", "Action": "lambda:GetLayerVersion",
                                   "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Resource": f"{LAYER}:{n}"}]}}
        for n, sha in versions]}


def test_a_deleted_layer_is_published_again_as_a_new_version_and_a_recreated_function_uses_it(store):
    snap_layer = layer(store, (1, "S1"))
    fn = function(store, Configuration={**function(store)["Configuration"], "Layers": [{"Arn": f"{LAYER}:1"}]},
                  LayerAddresses={f"{LAYER}:1": "lambda/layer/deps"})
    ctx, acc = ctx_for(store, {"lambda/layer/deps": snap_layer, "lambda/f": fn}, {}, sealed=(FP[-24:],))
    (publish,) = plan_address(ctx, "lambda/layer/deps")
    assert (publish.verb, publish.target) == ("publish", "Versions.1")
    assert "as a new version" in publish.detail and "deps:1 itself cannot come back" in publish.detail
    create = plan_address(ctx, "lambda/f")[0]
    assert "deps:1 is gone: uses the copy restoring lambda/layer/deps publishes" in create.detail
    s = acc.stub
    s.add_response("publish_layer_version", {"Version": 2}, {
        "LayerName": "deps", "Content": {"ZipFile": b"PK-layer"}, "Description": "helpers", "LicenseInfo": "MIT",
        "CompatibleRuntimes": ["python3.12"]})
    s.add_response("add_layer_version_permission", {}, {"LayerName": "deps", "VersionNumber": 2, "StatementId": "partner",
                                                        "Action": "lambda:GetLayerVersion", "Principal": "222222222222"})
    s.add_response("list_layer_versions", {"LayerVersions": [{"Version": 2}]}, {"LayerName": "deps"})
    s.add_response("get_layer_version", {"LayerVersionArn": f"{LAYER}:2", "Content": {"CodeSha256": "S1"}},
                   {"LayerName": "deps", "VersionNumber": 2})
    s.add_response("create_function", {}, {**{k: ANY for k in ("FunctionName", "Publish", "Role", "Runtime", "Handler",
                                                                "Timeout", "MemorySize", "PackageType", "Architectures",
                                                                "Environment", "Tags", "Code")},
                                           "Layers": [f"{LAYER}:2"]})
    s.add_response("get_function_configuration", {"State": "Active"}, CONF)
    with s:
        publish.run()
        create.run()
        s.assert_no_pending_responses()

    # afterwards: the copy stands in, and the old number is said to be gone for good
    live_layer = layer(store, (2, "S1"))
    ctx, _ = ctx_for(store, {"lambda/layer/deps": snap_layer}, {"lambda/layer/deps": live_layer})
    assert [(op.verb, op.target, op.run) for op in plan_address(ctx, "lambda/layer/deps")] == [
        ("cannot-restore", "Versions.1", None)]


def test_a_layer_version_published_since_is_kept_or_deleted_and_permissions_come_back(store):
    want, have = layer(store, (1, "S1")), layer(store, (1, "S1"), (2, "S2"))
    have["Versions"][0]["Policy"] = None
    ctx, acc = ctx_for(store, {"lambda/layer/deps": want}, {"lambda/layer/deps": have}, delete=True)
    ops = plan_address(ctx, "lambda/layer/deps")
    assert lines(ops) == [("put", "Versions.1.Policy.partner"), ("delete", "Versions.2")]
    acc.stub.add_response("add_layer_version_permission", {}, {
        "LayerName": "deps", "VersionNumber": 1, "StatementId": "partner", "Action": "lambda:GetLayerVersion",
        "Principal": "222222222222"})
    acc.stub.add_response("delete_layer_version", {}, {"LayerName": "deps", "VersionNumber": 2})
    with acc.stub:
        for op in ops:
            op.run()
        acc.stub.assert_no_pending_responses()


# -- event source mappings -----------------------------------------------------------------------

def mapping(uuid: str, batch: int, enabled: bool = True) -> dict:
    return {"UUID": uuid, "FunctionArn": ARN, "FunctionAddress": "lambda/f", "EventSourceArn": QUEUE,
            "BatchSize": batch, "Enabled": enabled, "status": {"State": "Enabled" if enabled else "Disabled"}}


def test_a_deleted_mapping_is_created_again_and_then_its_stand_in_is_updated_never_deleted(store):
    ua, ub = "a" * 8 + "-1111-4111-8111-" + "a" * 12, "b" * 8 + "-2222-4222-8222-" + "b" * 12
    a, b = f"lambda/event-source-mapping/{ua}", f"lambda/event-source-mapping/{ub}"
    ctx, acc = ctx_for(store, {a: mapping(ua, 5)}, {})
    (create,) = plan_address(ctx, a)
    assert create.verb == "create" and "gets a new UUID" in create.detail
    acc.stub.add_response("create_event_source_mapping", {"UUID": ub},
                          {"FunctionName": ARN, "EventSourceArn": QUEUE, "BatchSize": 5, "Enabled": True})
    with acc.stub:
        create.run()
        acc.stub.assert_no_pending_responses()

    # someone changed the recreated one: the plan updates it, says the old UUID is gone, keeps it
    ctx, acc = ctx_for(store, {a: mapping(ua, 5)}, {b: mapping(ub, 7, enabled=False)}, delete=True)
    ops = plan_address(ctx, a)
    assert lines(ops) == [("cannot-restore", a), ("update", b)]
    assert f"recreated as {b}" in ops[0].detail
    assert lines(plan_address(ctx, b)) == [("kept", b)]  # even with --delete
    acc.stub.add_response("update_event_source_mapping", {}, {"UUID": ub, "BatchSize": 5, "Enabled": True})
    with acc.stub:
        ops[1].run()
        acc.stub.assert_no_pending_responses()


def test_a_mapping_setting_only_creation_takes_is_said_not_changed(store):
    a = "lambda/event-source-mapping/aaaa"
    ua = "aaaa"
    ctx, _ = ctx_for(store, {a: {**mapping(ua, 5), "StartingPosition": "LATEST"}},
                     {a: {**mapping(ua, 5), "StartingPosition": "TRIM_HORIZON"}})
    (op,) = plan_address(ctx, a)
    assert (op.verb, op.target) == ("cannot-restore", "StartingPosition") and "only when a mapping is created" in op.detail


# -- URL configs and tags --------------------------------------------------------------------------

def test_url_configs_are_created_updated_and_deleted_and_a_new_url_is_said(store):
    ctx, acc = ctx_for(store, {}, {"lambda/f": function(store)}, delete=True)
    want = {"$LATEST": {"AuthType": "NONE", "FunctionUrl": "https://a/"},
            "live": {"AuthType": "AWS_IAM", "FunctionUrl": "https://b/"}}
    have = {"$LATEST": {"AuthType": "NONE", "FunctionUrl": "https://new/"},
            "live": {"AuthType": "NONE", "FunctionUrl": "https://b/"}, "beta": {"AuthType": "NONE"}}
    ops = plan_url_configs(ctx, "lambda/f", "f", want, have)
    assert lines(ops) == [("cannot-restore", "UrlConfigs.$LATEST.FunctionUrl"), ("delete", "UrlConfigs.beta"),
                          ("update", "UrlConfigs.live")]
    assert "https://new/" in ops[0].detail and "https://a/" in ops[0].detail
    acc.stub.add_response("delete_function_url_config", {}, {"FunctionName": "f", "Qualifier": "beta"})
    acc.stub.add_response("update_function_url_config", {"FunctionUrl": "https://abcdefghijklmnopqrstuvwxyz0123.lambda-url.us-east-1.on.aws/", "FunctionArn": ARN, "AuthType": "AWS_IAM",
                                                         "CreationTime": "t", "LastModifiedTime": "t"},
                          {"FunctionName": "f", "Qualifier": "live", "AuthType": "AWS_IAM"})
    with acc.stub:
        ops[1].run()
        ops[2].run()
        acc.stub.assert_no_pending_responses()


def test_tags_are_put_back_and_live_only_ones_removed_only_with_delete(store):
    ctx, acc = ctx_for(store, {}, {"lambda/f": function(store)})
    assert lines(plan_tags(ctx, "lambda/f", ARN, {"team": "shop"}, {"team": "ops", "temp": "1"})) == [
        ("put", "Tags"), ("kept", "Tags.temp")]
    ctx, acc = ctx_for(store, {}, {"lambda/f": function(store)}, delete=True)
    ops = plan_tags(ctx, "lambda/f", ARN, {"team": "shop"}, {"team": "ops", "temp": "1"})
    acc.stub.add_response("tag_resource", {}, {"Resource": ARN, "Tags": {"team": "shop"}})
    acc.stub.add_response("untag_resource", {}, {"Resource": ARN, "TagKeys": ["temp"]})
    with acc.stub:
        for op in ops:
            op.run()
        acc.stub.assert_no_pending_responses()
