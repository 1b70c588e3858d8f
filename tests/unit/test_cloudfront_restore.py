"""CloudFront restore as the service sees it, with botocore's Stubber: the calls a plan makes, in
order, with the ETag guards, and the ids sent for resources a restore recreated.

The Stubber stands in for CloudFront because the local endpoint cannot show these: moto never
changes an ETag nor refuses a stale one for distributions and origin access controls, and has
no function stages or policies at all (the sandbox adds those, but its answers are our own).
"""

from __future__ import annotations

import functools
import hashlib

import botocore.session
import pytest
from botocore.stub import ANY, Stubber

from gitsnap.canonical import dumps
from gitsnap.collectors.aws.cloudfront import distribution, functions, kvs, policies
from gitsnap.collectors.aws.cloudfront.references import arn_address, references, substitute
from gitsnap.collectors.restoring import RestoreContext, RestoreError
from gitsnap.restore.reveal import Revealer
from gitsnap.restore.run import plan_address
from gitsnap.store import SnapshotStore
from gitsnap.store.snapshot import Snapshot

ACCOUNT = "123456789012"
DIST = "E2A1B3C4D5"
OLD, NEW = "11111111-old", "22222222-new"


@functools.cache
def clients() -> dict:
    """One client per service for the whole module (making them is the slow part); each test
    gets its own Stubber on them."""
    session = botocore.session.get_session()
    return {n: session.create_client(n, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
            for n in ("cloudfront", "wafv2")}


class StubAccount:
    def __init__(self) -> None:
        self.clients = clients()
        self.stubs = {n: Stubber(c) for n, c in self.clients.items()}

    def client(self, name: str, account: str | None = None, region: str | None = None):
        return self.clients[name]

    def reaches(self, account: str) -> bool:
        return True

    def known(self) -> list[str]:
        return [ACCOUNT]


def snapshot(store, docs: dict[str, tuple[str, dict]], files: dict[str, dict[str, bytes]] | None = None) -> Snapshot:
    """An in-memory snapshot of documents ``{address: (type, doc)}`` (and files beside them)."""
    out, resources = {}, {}
    for address, (typ, doc) in docs.items():
        rid = address.rsplit("/", 1)[-1]
        folder = f"aws/{ACCOUNT}/global/cloudfront/{typ}/{rid}"
        if typ == "function":
            out[f"{folder}/function.json"] = dumps(doc)
            out.update({f"{folder}/{rel}": data for rel, data in (files or {}).get(address, {}).items()})
            path = folder
        else:
            path = f"{folder}.json"
            out[path] = dumps(doc)
        resources[address] = {"path": path, "service": address.split("/")[0], "type": typ, "account": ACCOUNT,
                              "region": "global"}
    return Snapshot.in_memory(store, out, resources)


@pytest.fixture
def store(tmp_path):
    return SnapshotStore.init(tmp_path / "r")


def ctx_of(store, want: Snapshot, have: Snapshot, acct: StubAccount, delete: bool = False) -> RestoreContext:
    return RestoreContext(store, want, have, acct, delete=delete, reveal=Revealer(want, None),
                          live_services=frozenset({"cloudfront", "wafv2"}))


def dist_config(policy_id: str, ttl: int = 86400) -> dict:
    return {"CallerReference": "r", "Comment": "", "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "b.s3.amazonaws.com",
                                                  "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all", "DefaultTTL": ttl,
                                     "CachePolicyId": policy_id}}


def dist_doc(policy_id: str, names: dict | None = None, ttl: int = 86400, enabled: bool = True) -> dict:
    config = dist_config(policy_id, ttl)
    config["Enabled"] = enabled
    return {"Id": DIST, "ARN": f"arn:aws:cloudfront::{ACCOUNT}:distribution/{DIST}", "DomainName": "d.cloudfront.net",
            "DistributionConfig": config, "Tags": {"site": "shop"},
            "References": references(config, "DistributionConfig", names or {})}


CACHE_CONFIG = {"Name": "site-cache", "MinTTL": 0, "ParametersInCacheKeyAndForwardedToOrigin": {
    "EnableAcceptEncodingGzip": True, "HeadersConfig": {"HeaderBehavior": "none"},
    "CookiesConfig": {"CookieBehavior": "none"}, "QueryStringsConfig": {"QueryStringBehavior": "none"}}}


def policy_doc(pid: str, ttl: int = 0) -> dict:
    return {"CachePolicyConfig": {**CACHE_CONFIG, "MinTTL": ttl}, "status": {"Id": pid}}


# -- references -----------------------------------------------------------------------------------

def test_a_distribution_names_what_it_uses_by_address():
    config = dist_config(OLD)
    config["WebACLId"] = f"arn:aws:wafv2:us-east-1:{ACCOUNT}:global/webacl/shop-acl/abc"
    config["DefaultCacheBehavior"]["FunctionAssociations"] = {"Quantity": 1, "Items": [
        {"EventType": "viewer-request", "FunctionARN": f"arn:aws:cloudfront::{ACCOUNT}:function/rewrite"}]}
    config["DefaultCacheBehavior"]["LambdaFunctionAssociations"] = {"Quantity": 1, "Items": [
        {"EventType": "origin-request", "LambdaFunctionARN": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:edge:3"}]}
    config["DefaultCacheBehavior"]["OriginRequestPolicyId"] = "managed-1"
    config["Origins"]["Items"][0]["OriginAccessControlId"] = "gone"
    names = {"cache-policy": {OLD: {"name": "site-cache", "managed": False}},
             "origin-request-policy": {"managed-1": {"name": "Managed-CORS-S3Origin", "managed": True}},
             "origin-access-control": {}}
    refs = {r["Path"]: r for r in references(config, "DistributionConfig", names)}
    assert refs["DistributionConfig.DefaultCacheBehavior.CachePolicyId"]["Address"] == "cloudfront/cache-policy/site-cache"
    assert refs["DistributionConfig.DefaultCacheBehavior.OriginRequestPolicyId"] == {
        "Path": "DistributionConfig.DefaultCacheBehavior.OriginRequestPolicyId", "Id": "managed-1",
        "Managed": "Managed-CORS-S3Origin"}  # AWS's own: not captured, so no address
    assert refs["DistributionConfig.DefaultCacheBehavior.FunctionAssociations.Items[0].FunctionARN"]["Address"] == \
        "cloudfront/function/rewrite"
    assert refs["DistributionConfig.DefaultCacheBehavior.LambdaFunctionAssociations.Items[0].LambdaFunctionARN"][
        "Address"] == "lambda/edge"
    assert refs["DistributionConfig.WebACLId"]["Address"] == "wafv2/shop-acl"
    assert refs["DistributionConfig.Origins.Items[0].OriginAccessControlId"]["Address"] is None  # dangling
    assert arn_address("WebACLId", "473e64fd-f30b-4765-81a0-62ad96dd167a") is None  # WAF Classic: no ARN
    assert substitute(config, {OLD: NEW})["DefaultCacheBehavior"]["CachePolicyId"] == NEW


# -- distributions ----------------------------------------------------------------------------------

def test_a_deleted_distribution_is_not_recreated_and_the_plan_says_what_to_do(store):
    acct = StubAccount()
    want = snapshot(store, {f"cloudfront/{DIST}": ("distribution", dist_doc(OLD))})
    ops = plan_address(ctx_of(store, want, snapshot(store, {}), acct), f"cloudfront/{DIST}")
    assert [(op.verb, op.run) for op in ops] == [("cannot-restore", None)]
    assert "new id and a new *.cloudfront.net domain" in ops[0].detail and "point the DNS records" in ops[0].detail


def test_a_distribution_using_a_recreated_policy_is_sent_its_new_id(store):
    """The cache policy was detached and deleted live; the restore recreates it (a new id) and
    the distribution's update sends that id, found by the policy's name when it is written."""
    acct = StubAccount()
    names = {"cache-policy": {OLD: {"name": "site-cache", "managed": False}}}
    want = snapshot(store, {f"cloudfront/{DIST}": ("distribution", dist_doc(OLD, names)),
                            "cloudfront/cache-policy/site-cache": ("cache-policy", policy_doc(OLD))})
    have = snapshot(store, {f"cloudfront/{DIST}": ("distribution", dist_doc(""))})
    ctx = ctx_of(store, want, have, acct)
    create = plan_address(ctx, "cloudfront/cache-policy/site-cache")
    update = plan_address(ctx, f"cloudfront/{DIST}")
    assert [(op.verb, op.target) for op in create] == [("create", "cloudfront/cache-policy/site-cache")]
    (line,) = [op for op in update if op.run]
    assert line.target == "DistributionConfig.DefaultCacheBehavior.CachePolicyId"
    assert "sends the new id of cloudfront/cache-policy/site-cache" in line.detail
    cf = acct.stubs["cloudfront"]
    cf.add_response("create_cache_policy", {"CachePolicy": {"Id": NEW, "LastModifiedTime": "2024-01-01",
                                                            "CachePolicyConfig": CACHE_CONFIG}, "ETag": "P1"},
                    {"CachePolicyConfig": CACHE_CONFIG})
    cf.add_response("get_distribution_config", {"DistributionConfig": dist_config(""), "ETag": "E-FRESH"}, {"Id": DIST})
    cf.add_response("list_cache_policies", {"CachePolicyList": {"MaxItems": 100, "Quantity": 1, "Items": [
        {"Type": "custom", "CachePolicy": {"Id": NEW, "LastModifiedTime": "2024-01-01",
                                           "CachePolicyConfig": CACHE_CONFIG}}]}}, {"Type": "custom"})
    cf.add_response("update_distribution", {"ETag": "E-NEW"},
                    {"Id": DIST, "IfMatch": "E-FRESH", "DistributionConfig": dist_config(NEW)})
    with cf:
        create[0].run()
        line.run()
        cf.assert_no_pending_responses()


def test_an_id_that_changed_only_because_the_policy_was_recreated_is_no_difference(store):
    acct = StubAccount()
    names = {"cache-policy": {OLD: {"name": "site-cache", "managed": False}}}
    new_names = {"cache-policy": {NEW: {"name": "site-cache", "managed": False}}}
    want = snapshot(store, {f"cloudfront/{DIST}": ("distribution", dist_doc(OLD, names)),
                            "cloudfront/cache-policy/site-cache": ("cache-policy", policy_doc(OLD))})
    have = snapshot(store, {f"cloudfront/{DIST}": ("distribution", dist_doc(NEW, new_names)),
                            "cloudfront/cache-policy/site-cache": ("cache-policy", policy_doc(NEW))})
    ctx = ctx_of(store, want, have, acct)
    assert plan_address(ctx, f"cloudfront/{DIST}") == []
    assert plan_address(ctx, "cloudfront/cache-policy/site-cache") == []  # the id is status


def test_distribution_tags_are_restored_and_a_live_only_key_kept_unless_delete(store):
    acct = StubAccount()
    want_doc, have_doc = dist_doc(""), dist_doc("")
    have_doc["Tags"] = {"site": "other", "extra": "x"}
    want = snapshot(store, {f"cloudfront/{DIST}": ("distribution", want_doc)})
    have = snapshot(store, {f"cloudfront/{DIST}": ("distribution", have_doc)})
    ops = plan_address(ctx_of(store, want, have, acct), f"cloudfront/{DIST}")
    assert [(op.verb, op.target, op.detail) for op in ops] == [
        ("tag", "Tags", 'site: "other" -> "shop"'), ("kept", "Tags", "extra: live only; --delete removes them")]
    ops = plan_address(ctx_of(store, want, have, acct, delete=True), f"cloudfront/{DIST}")
    cf = acct.stubs["cloudfront"]
    arn = want_doc["ARN"]
    cf.add_response("tag_resource", {}, {"Resource": arn, "Tags": {"Items": [{"Key": "site", "Value": "shop"}]}})
    cf.add_response("untag_resource", {}, {"Resource": arn, "TagKeys": {"Items": ["extra"]}})
    with cf:
        for op in ops:
            op.run()
        cf.assert_no_pending_responses()


def test_a_live_only_distribution_is_deleted_only_once_disabled(store):
    acct = StubAccount()
    address = f"cloudfront/{DIST}"
    enabled = snapshot(store, {address: ("distribution", dist_doc(""))})
    (op,) = plan_address(ctx_of(store, snapshot(store, {}), enabled, acct, delete=True), address)
    assert op.verb == "cannot-restore" and "disable it" in op.detail
    disabled = snapshot(store, {address: ("distribution", dist_doc("", enabled=False))})
    (op,) = plan_address(ctx_of(store, snapshot(store, {}), disabled, acct, delete=True), address)
    cf = acct.stubs["cloudfront"]
    cf.add_response("get_distribution_config", {"DistributionConfig": dist_config(""), "ETag": "E1"}, {"Id": DIST})
    cf.add_response("delete_distribution", {}, {"Id": DIST, "IfMatch": "E1"})
    with cf:
        op.run()
        cf.assert_no_pending_responses()


# -- policies and origin access controls ---------------------------------------------------------

def test_a_policy_update_sends_a_fresh_etag_and_refuses_a_stale_one(store):
    acct = StubAccount()
    address = "cloudfront/cache-policy/site-cache"
    ctx = ctx_of(store, snapshot(store, {address: ("cache-policy", policy_doc(OLD, ttl=5))}),
                 snapshot(store, {address: ("cache-policy", policy_doc(OLD, ttl=0))}), acct)
    (op,) = plan_address(ctx, address)
    assert (op.verb, op.target, op.detail) == ("update", "CachePolicyConfig.MinTTL", "0 -> 5")
    cf = acct.stubs["cloudfront"]
    got = {"CachePolicy": {"Id": OLD, "LastModifiedTime": "2024-01-01", "CachePolicyConfig": CACHE_CONFIG}, "ETag": "P2"}
    cf.add_response("get_cache_policy", got, {"Id": OLD})
    cf.add_response("update_cache_policy", {"ETag": "P3"},
                    {"Id": OLD, "IfMatch": "P2", "CachePolicyConfig": {**CACHE_CONFIG, "MinTTL": 5}})
    cf.add_response("get_cache_policy", got, {"Id": OLD})
    cf.add_client_error("update_cache_policy", service_error_code="PreconditionFailed", http_status_code=412,
                        expected_params={"Id": OLD, "IfMatch": "P2", "CachePolicyConfig": ANY})
    with cf:
        op.run()
        with pytest.raises(RestoreError, match="changed after the plan was made"):
            op.run()
        cf.assert_no_pending_responses()


def test_a_live_only_origin_access_control_is_deleted_with_its_etag_under_delete(store):
    acct = StubAccount()
    address = "cloudfront/origin-access-control/site-oac"
    oac = {"OriginAccessControlConfig": {"Name": "site-oac", "SigningProtocol": "sigv4", "SigningBehavior": "always",
                                         "OriginAccessControlOriginType": "s3"}, "status": {"Id": "OAC1"}}
    live = snapshot(store, {address: ("origin-access-control", oac)})
    (kept,) = plan_address(ctx_of(store, snapshot(store, {}), live, acct), address)
    assert kept.verb == "kept"
    (op,) = plan_address(ctx_of(store, snapshot(store, {}), live, acct, delete=True), address)
    cf = acct.stubs["cloudfront"]
    cf.add_response("get_origin_access_control", {"OriginAccessControl": {
        "Id": "OAC1", "OriginAccessControlConfig": oac["OriginAccessControlConfig"]}, "ETag": "O1"}, {"Id": "OAC1"})
    cf.add_response("delete_origin_access_control", {}, {"Id": "OAC1", "IfMatch": "O1"})
    with cf:
        op.run()
        cf.assert_no_pending_responses()
    assert policies.OAC.entry({"Id": "OAC1", "Name": "site-oac", "SigningProtocol": "sigv4"}) == {
        "Id": "OAC1", "Type": "custom", "OriginAccessControlConfig": {"Name": "site-oac", "SigningProtocol": "sigv4"}}


# -- functions -----------------------------------------------------------------------------------------

CODE = b"function handler(event) { return event.request; }\n"
META = {"FunctionARN": f"arn:aws:cloudfront::{ACCOUNT}:function/rewrite", "LastModifiedTime": "2024-01-01"}
KVS_OLD = f"arn:aws:cloudfront::{ACCOUNT}:key-value-store/old-uuid"
KVS_NEW = f"arn:aws:cloudfront::{ACCOUNT}:key-value-store/new-uuid"


def fn_doc(code: bytes, comment: str = "rewrite", stage: str = "LIVE", store_arn: str = KVS_OLD) -> dict:
    config = {"Comment": comment, "Runtime": "cloudfront-js-2.0",
              "KeyValueStoreAssociations": {"Quantity": 1, "Items": [{"KeyValueStoreARN": store_arn}]}}
    return {"Name": "rewrite", "Stage": stage, "FunctionARN": f"arn:aws:cloudfront::{ACCOUNT}:function/rewrite",
            "FunctionConfig": config, "Tags": {},
            "Code": {"File": "code.js", "Sha256": hashlib.sha256(code).hexdigest(), "Size": len(code)},
            "References": references(config, "FunctionConfig",
                                     {"key-value-store": {store_arn: {"name": "redirects"}}})}


def test_a_deleted_function_is_created_with_its_code_and_published_to_live(store):
    """The KeyValueStore it reads was recreated too: the new ARN is sent, found by its name."""
    acct = StubAccount()
    address = "cloudfront/function/rewrite"
    want = snapshot(store, {address: ("function", fn_doc(CODE))}, {address: {"code.js": CODE}})
    (op,) = plan_address(ctx_of(store, want, snapshot(store, {}), acct), address)
    assert (op.verb, op.target) == ("create", address) and "published to LIVE" in op.detail
    cf = acct.stubs["cloudfront"]
    cf.add_response("list_key_value_stores", {"KeyValueStoreList": {"MaxItems": 100, "Quantity": 1, "Items": [
        {"Name": "redirects", "Id": "new-uuid", "Comment": "", "ARN": KVS_NEW, "LastModifiedTime": "2024-01-01"}]}}, {})
    sent = {**fn_doc(CODE)["FunctionConfig"],
            "KeyValueStoreAssociations": {"Quantity": 1, "Items": [{"KeyValueStoreARN": KVS_NEW}]}}
    cf.add_response("create_function", {"FunctionSummary": {"Name": "rewrite", "FunctionConfig": sent,
                                                            "FunctionMetadata": META}, "ETag": "F1"},
                    {"Name": "rewrite", "FunctionConfig": sent, "FunctionCode": CODE, "Tags": {"Items": []}})
    cf.add_response("publish_function", {"FunctionSummary": {"Name": "rewrite", "FunctionConfig": sent,
                                                             "FunctionMetadata": META}},
                    {"Name": "rewrite", "IfMatch": "F1"})
    with cf:
        op.run()
        cf.assert_no_pending_responses()


def test_a_function_update_writes_development_then_publishes_with_the_new_etag(store):
    acct = StubAccount()
    address = "cloudfront/function/rewrite"
    new_code = b"function handler(event) { return event.response; }\n"
    want = snapshot(store, {address: ("function", fn_doc(CODE, "rewrite"))}, {address: {"code.js": CODE}})
    have = snapshot(store, {address: ("function", fn_doc(new_code, "edited"))}, {address: {"code.js": new_code}})
    ops = plan_address(ctx_of(store, want, have, acct), address)
    assert [(op.verb, op.target) for op in ops] == [("update-code", "code.js"), ("update", "FunctionConfig.Comment")]
    run = ops[0].run
    assert run is not None and ops[1].run is None  # one UpdateFunction writes both
    cf = acct.stubs["cloudfront"]
    summary = {"Name": "rewrite", "FunctionConfig": fn_doc(CODE)["FunctionConfig"], "FunctionMetadata": META}
    cf.add_response("describe_function", {"FunctionSummary": summary, "ETag": "DEV1"},
                    {"Name": "rewrite", "Stage": "DEVELOPMENT"})
    stores = {"KeyValueStoreList": {"MaxItems": 100, "Quantity": 1, "Items": [
        {"Name": "redirects", "Id": "old-uuid", "Comment": "", "ARN": KVS_OLD, "LastModifiedTime": "2024-01-01"}]}}
    cf.add_response("list_key_value_stores", stores, {})  # the store's ARN now, by its name: unchanged
    cf.add_response("update_function", {"FunctionSummary": summary, "ETag": "DEV2"},
                    {"Name": "rewrite", "IfMatch": "DEV1", "FunctionCode": CODE,
                     "FunctionConfig": fn_doc(CODE)["FunctionConfig"]})
    cf.add_response("publish_function", {"FunctionSummary": summary}, {"Name": "rewrite", "IfMatch": "DEV2"})
    cf.add_response("describe_function", {"FunctionSummary": summary, "ETag": "DEV3"},
                    {"Name": "rewrite", "Stage": "DEVELOPMENT"})
    cf.add_response("list_key_value_stores", stores, {})
    cf.add_client_error("update_function", service_error_code="PreconditionFailed", http_status_code=412,
                        expected_params={"Name": "rewrite", "IfMatch": "DEV3", "FunctionCode": CODE,
                                         "FunctionConfig": ANY})
    with cf:
        run()
        with pytest.raises(RestoreError, match="changed after the plan was made"):
            run()
        cf.assert_no_pending_responses()


def test_a_function_published_since_the_snapshot_cannot_be_unpublished(store):
    acct = StubAccount()
    address = "cloudfront/function/rewrite"
    want = snapshot(store, {address: ("function", fn_doc(CODE, stage="DEVELOPMENT"))}, {address: {"code.js": CODE}})
    have = snapshot(store, {address: ("function", fn_doc(CODE, stage="LIVE"))}, {address: {"code.js": CODE}})
    (op,) = plan_address(ctx_of(store, want, have, acct), address)
    assert (op.verb, op.target) == ("cannot-restore", "Stage") and "cannot be unpublished" in op.detail


def test_a_function_whose_code_file_does_not_match_its_hash_is_refused(store):
    acct = StubAccount()
    address = "cloudfront/function/rewrite"
    want = snapshot(store, {address: ("function", fn_doc(CODE))}, {address: {"code.js": b"tampered"}})
    (op,) = plan_address(ctx_of(store, want, snapshot(store, {}), acct), address)
    cf = acct.stubs["cloudfront"]
    cf.add_response("list_key_value_stores", {"KeyValueStoreList": {"MaxItems": 100, "Quantity": 0, "Items": []}}, {})
    with cf, pytest.raises(RestoreError, match="does not hash to its Code.Sha256"):
        op.run()


def test_a_recreated_store_is_empty_and_the_plan_says_so(store):
    acct = StubAccount()
    address = "cloudfront/key-value-store/redirects"
    doc = {"Name": "redirects", "Comment": "old paths", "Tags": {"site": "shop"},
           "status": {"Id": "u", "ARN": KVS_OLD, "Status": "READY"}}
    (op,) = plan_address(ctx_of(store, snapshot(store, {address: ("key-value-store", doc)}), snapshot(store, {}), acct),
                         address)
    assert op.verb == "create" and "empty: its keys and values are not in the snapshot" in op.detail
    cf = acct.stubs["cloudfront"]
    cf.add_response("create_key_value_store", {"KeyValueStore": {"Name": "redirects", "Id": "n", "ARN": KVS_NEW,
                                                                 "Comment": "old paths", "LastModifiedTime": "2024-01-01"}, "ETag": "K"},
                    {"Name": "redirects", "Comment": "old paths", "Tags": {"Items": [{"Key": "site", "Value": "shop"}]}})
    with cf:
        op.run()
        cf.assert_no_pending_responses()


def test_every_cloudfront_type_declares_its_restore_and_writes():
    from gitsnap.collectors.aws import cloudfront
    from gitsnap.collectors.spec import Restorer

    for spec in cloudfront.TYPES:
        assert isinstance(spec.restore, Restorer), spec.type
        assert spec.restore.update is not None and spec.restore.delete is not None
        assert spec.restore.rank == (50 if spec is distribution.DISTRIBUTION else 45)
        assert all(p.startswith("cloudfront:") or p == "wafv2:ListWebACLs" for p in spec.restore.permissions)
    assert distribution.DISTRIBUTION.restore.create is None
    assert functions.FUNCTION.restore.create is not None and kvs.KEY_VALUE_STORE.restore.create is not None


def test_sealed_code_without_the_identity_is_planned_as_needing_it_and_nothing_is_written(store):
    """A code.js the guard sealed (it held a secret) is sent only as the sealed original."""
    from gitsnap.layout import SEALED_SIDECAR

    acct = StubAccount()
    address = "cloudfront/function/rewrite"
    sidecar = dumps({"code.js": {"sha256": hashlib.sha256(CODE).hexdigest(), "size": len(CODE), "findings": []}})
    want = snapshot(store, {address: ("function", fn_doc(CODE, "rewrite"))},
                    {address: {"code.js": b"redacted", SEALED_SIDECAR: sidecar}})
    have = snapshot(store, {address: ("function", fn_doc(b"other", "edited"))}, {address: {"code.js": b"other"}})
    ops = plan_address(ctx_of(store, want, have, acct), address)
    assert ("needs-identity", "code.js") in [(op.verb, op.target) for op in ops]
    assert not [op for op in ops if op.run]
    (create,) = plan_address(ctx_of(store, want, snapshot(store, {}), acct), address)
    assert (create.verb, create.run) == ("needs-identity", None)
