"""WAFv2 web ACLs: the stored document, and restore's calls with the lock token, with botocore's
Stubber (moto's server turns a byte-match ``SearchString`` into the text ``b'...'``, and its
lock tokens are never stale unless a test changes the ACL between two reads)."""

from __future__ import annotations

import functools

import botocore.session
import pytest
from botocore.stub import ANY, Stubber

from gitsnap.canonical import dumps, plain
from gitsnap.collectors.aws import wafv2
from gitsnap.collectors.restoring import RestoreContext, RestoreError
from gitsnap.restore.reveal import Revealer
from gitsnap.restore.run import plan_address
from gitsnap.store import SnapshotStore
from gitsnap.store.snapshot import Snapshot
from tests.examples.wafv2 import EXAMPLES

ACCOUNT = "123456789012"
ADDRESS = "wafv2/shop-acl"


@functools.cache
def client():
    return botocore.session.get_session().create_client("wafv2", region_name="us-east-1", aws_access_key_id="x",
                                                        aws_secret_access_key="y")


class StubAccount:
    def __init__(self) -> None:
        self.stub = Stubber(client())

    def client(self, name: str, account: str | None = None, region: str | None = None):
        assert name == "wafv2"
        return client()

    def reaches(self, account: str) -> bool:
        return True


def document() -> dict:
    from gitsnap.normalize import split_status

    doc = plain(wafv2.WEB_ACL.transform(EXAMPLES["web-acl"].raw))
    split_status(doc, wafv2.WEB_ACL.status, ADDRESS)
    return doc


def snapshot(store, doc: dict | None) -> Snapshot:
    if doc is None:
        return Snapshot.in_memory(store, {}, {})
    path = f"aws/{ACCOUNT}/global/wafv2/web-acl/shop-acl.json"
    return Snapshot.in_memory(store, {path: dumps(doc)}, {ADDRESS: {
        "path": path, "service": "wafv2", "type": "web-acl", "account": ACCOUNT, "region": "global"}})


@pytest.fixture
def store(tmp_path):
    return SnapshotStore.init(tmp_path / "r")


def test_the_document_keeps_rules_in_priority_order_search_strings_as_text_and_ids_as_status():
    doc = document()
    assert [r["Name"] for r in doc["Rules"]] == ["geo", "block-admin"]  # by Priority, as WAF evaluates them
    assert doc["Rules"][1]["Statement"]["ByteMatchStatement"]["SearchString"] == "/admin"
    assert doc["status"] == {"Id": "0f1e2d3c-aaaa-bbbb-cccc-111122223333", "ARN": EXAMPLES["web-acl"].raw["WebACL"]["ARN"]}
    assert doc["Tags"] == {"site": "shop"} and "Id" not in doc and "LockToken" not in doc
    assert wafv2.text_blobs(b"\xff\x00") == b"\xff\x00"  # not UTF-8: left as bytes (stored as base64)
    assert wafv2.blobs({"SearchString": {"base64": "/wA="}}) == {"SearchString": b"\xff\x00"}


def test_the_fields_sent_are_what_the_request_takes_never_what_waf_computes():
    sent = wafv2.fields(document(), "UpdateWebACLRequest")
    assert set(sent) == {"DefaultAction", "Description", "Rules", "VisibilityConfig"}
    assert not {"Capacity", "LabelNamespace", "ManagedByFirewallManager", "Name", "Tags", "status"} & set(sent)


def test_an_update_sends_every_field_with_a_fresh_lock_token_and_refuses_a_stale_one(store):
    want = document()
    have = document()
    have["DefaultAction"] = {"Block": {}}
    have["Rules"] = have["Rules"][:1]
    acct = StubAccount()
    ctx = RestoreContext(store, snapshot(store, want), snapshot(store, have), acct, reveal=Revealer(None, None),
                         live_services=frozenset({"wafv2"}))
    ops = plan_address(ctx, ADDRESS)
    assert [(op.verb, op.target) for op in ops] == [("update", "WebACL.DefaultAction"),
                                                   ("update", "WebACL.Rules.block-admin")]
    assert ops[0].detail == '{"Block": {}} -> {"Allow": {}}' and ops[1].detail.startswith("null -> ")
    (run,) = [op.run for op in ops if op.run]
    rid = want["status"]["Id"]
    got = {"WebACL": {"Name": "shop-acl", "Id": rid, "ARN": want["status"]["ARN"], "DefaultAction": {"Block": {}},
                      "VisibilityConfig": want["VisibilityConfig"]}, "LockToken": "T1"}
    acct.stub.add_response("get_web_acl", got, {"Name": "shop-acl", "Scope": "CLOUDFRONT", "Id": rid})
    acct.stub.add_response("update_web_acl", {"NextLockToken": "T2"}, {
        "Name": "shop-acl", "Scope": "CLOUDFRONT", "Id": rid, "LockToken": "T1", "DefaultAction": {"Allow": {}},
        "Description": "the shop's edge rules", "Rules": want["Rules"], "VisibilityConfig": want["VisibilityConfig"]})
    acct.stub.add_response("get_web_acl", got, {"Name": "shop-acl", "Scope": "CLOUDFRONT", "Id": rid})
    acct.stub.add_client_error("update_web_acl", service_error_code="WAFOptimisticLockException", http_status_code=400,
                               expected_params={"Name": "shop-acl", "Scope": "CLOUDFRONT", "Id": rid, "LockToken": "T1",
                                                "DefaultAction": ANY, "Description": ANY, "Rules": ANY,
                                                "VisibilityConfig": ANY})
    with acct.stub:
        run()
        with pytest.raises(RestoreError, match="changed after the plan was made"):
            run()
        acct.stub.assert_no_pending_responses()


def test_a_deleted_acl_is_created_with_its_rules_and_tags(store):
    want = document()
    acct = StubAccount()
    ctx = RestoreContext(store, snapshot(store, want), snapshot(store, None), acct, reveal=Revealer(None, None),
                         live_services=frozenset({"wafv2"}))
    (op,) = plan_address(ctx, ADDRESS)
    assert op.verb == "create" and "2 rules" in op.detail
    acct.stub.add_response("create_web_acl", {"Summary": {"Name": "shop-acl"}}, {
        "Name": "shop-acl", "Scope": "CLOUDFRONT", "DefaultAction": {"Allow": {}}, "Description": "the shop's edge rules",
        "Rules": want["Rules"], "VisibilityConfig": want["VisibilityConfig"], "Tags": [{"Key": "site", "Value": "shop"}]})
    with acct.stub:
        op.run()
        acct.stub.assert_no_pending_responses()


def test_the_acl_restores_before_the_distributions_that_use_it():
    from gitsnap.collectors.aws.cloudfront import DISTRIBUTION

    assert wafv2.WEB_ACL.restore.rank < DISTRIBUTION.restore.rank
