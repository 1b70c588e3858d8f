"""Lightsail restore, planned by the one runner (``plan_address``) and applied against botocore's
Stubber: moto has no Lightsail, and the sandbox's fake serves only the reads and the sandbox's
own writes. Only names old main also had are imported, so on old main these fail on the
behaviour (Lightsail was "not restorable yet")."""

from __future__ import annotations

import dataclasses
import json

import botocore.session
import pytest
from botocore.stub import Stubber

from gitsnap.restore.ops import RestoreContext
from gitsnap.restore.reveal import Revealer
from gitsnap.restore.run import plan_address
from gitsnap.store import SnapshotStore

try:
    from gitsnap.store.snapshot import Snapshot
except ImportError:  # old main kept the read model in diff.py
    from gitsnap.diff import Snapshot  # type: ignore[no-redef]

ACCOUNT = "123456789012"
ZONE = "lightsail/domain/legacy.queenofsandiego.com"
IP = "lightsail/static-ip/jada-legacy-ip"


class Stubs:
    def __init__(self) -> None:
        self.ls = botocore.session.get_session().create_client("lightsail", region_name="us-east-1",
                                                              aws_access_key_id="x", aws_secret_access_key="y")
        self.stub = Stubber(self.ls)

    def client(self, service, account=None, region=None):
        return self.ls

    def reaches(self, account):
        return True

    def known(self):
        return [ACCOUNT]


@pytest.fixture
def store(tmp_path):
    return SnapshotStore.init(tmp_path / "r")


def plan(store, want: dict, have: dict, stubs: Stubs, address: str, delete=False):
    def snap(docs):
        files, resources = {}, {}
        for addr, doc in docs.items():
            parts = addr.split("/")
            typ, rid = ("instance", parts[1]) if len(parts) == 2 else (parts[1], parts[2])
            path = f"aws/{ACCOUNT}/us-east-1/lightsail/{typ}/{rid}.json"
            files[path] = json.dumps(doc, sort_keys=True).encode()
            resources[addr] = {"path": path, "service": "lightsail", "type": typ, "account": ACCOUNT,
                               "region": "us-east-1"}
        return Snapshot.in_memory(store, files, resources)

    want_s, have_s = snap(want), snap(have)
    values = {"store": store, "snapshot": want_s, "live": have_s, "accounts": stubs, "delete": delete,
              "reveal": Revealer(want_s, None)}
    names = {f.name for f in dataclasses.fields(RestoreContext)}
    return plan_address(RestoreContext(**{k: v for k, v in values.items() if k in names}), address)


def zone(*entries: dict) -> dict:
    return {"name": "legacy.queenofsandiego.com", "arn": "arn:z", "domainEntries": list(entries)}


NS = {"name": "legacy.queenofsandiego.com", "type": "NS", "target": "ns-1.awsdns-01.org", "isAlias": False}
A = {"name": "legacy.queenofsandiego.com", "type": "A", "target": "203.0.113.20", "isAlias": False}
WWW = {"name": "www.legacy.queenofsandiego.com", "type": "CNAME", "target": "legacy.queenofsandiego.com",
       "isAlias": False}


def run(ops) -> None:
    for op in ops:
        if op.run:
            op.run()


def test_a_deleted_zone_is_created_with_its_entries_not_its_delegation(store):
    """The new zone has its own NS and SOA records (the plan says the registrar must follow);
    every other entry is created again."""
    stubs = Stubs()
    ops = plan(store, {ZONE: zone(NS, A, WWW)}, {}, stubs, ZONE)
    assert [(op.verb, op.target) for op in ops] == [
        ("create", ZONE), ("create", "domainEntries legacy.queenofsandiego.com A"),
        ("create", "domainEntries www.legacy.queenofsandiego.com CNAME")]
    assert "name servers" in ops[0].detail and "registrar" in ops[0].detail
    stubs.stub.add_response("create_domain", {}, {"domainName": "legacy.queenofsandiego.com"})
    for entry in (A, WWW):
        stubs.stub.add_response("create_domain_entry", {}, {"domainName": "legacy.queenofsandiego.com",
                                                            "domainEntry": entry})
    with stubs.stub:
        run(ops)
    stubs.stub.assert_no_pending_responses()


def test_an_entry_changed_by_hand_is_updated_under_live_s_id_and_one_added_since_is_kept(store):
    moved = {**A, "target": "198.51.100.7"}
    extra = {"name": "test.legacy.queenofsandiego.com", "type": "A", "target": "198.51.100.8", "isAlias": False}
    stubs = Stubs()
    ops = plan(store, {ZONE: zone(NS, A)}, {ZONE: zone(NS, moved, extra)}, stubs, ZONE)
    assert [(op.verb, op.target) for op in ops] == [("update", "domainEntries legacy.queenofsandiego.com A"),
                                                    ("kept", "domainEntries test.legacy.queenofsandiego.com A")]
    stubs.stub.add_response("get_domain", {"domain": {"name": "legacy.queenofsandiego.com", "domainEntries": [
        {**moved, "id": "-123"}]}}, {"domainName": "legacy.queenofsandiego.com"})
    stubs.stub.add_response("update_domain_entry", {}, {"domainName": "legacy.queenofsandiego.com",
                                                        "domainEntry": {**A, "id": "-123"}})
    with stubs.stub:
        run(ops)
    stubs.stub.assert_no_pending_responses()


def test_name_servers_lightsail_assigned_are_not_settable(store):
    ops = plan(store, {ZONE: zone(NS, A)}, {ZONE: zone({**NS, "target": "ns-9.awsdns-09.org"}, A)}, Stubs(), ZONE)
    assert [(op.verb, op.target) for op in ops] == [("cannot-restore", "domainEntries legacy.queenofsandiego.com NS")]
    assert "registrar" in ops[0].detail


def test_a_static_ip_is_attached_again_and_a_released_one_is_not_reallocated(store):
    ip = {"name": "jada-legacy-ip", "ipAddress": "203.0.113.20", "isAttached": True, "attachedTo": "jada-legacy-wp"}
    stubs = Stubs()
    ops = plan(store, {IP: ip}, {IP: {**ip, "isAttached": False, "attachedTo": None}}, stubs, IP)
    stubs.stub.add_response("attach_static_ip", {}, {"staticIpName": "jada-legacy-ip", "instanceName": "jada-legacy-wp"})
    with stubs.stub:
        run(ops)
    stubs.stub.assert_no_pending_responses()
    gone = plan(store, {IP: ip}, {}, Stubs(), IP)
    assert [(op.verb, op.run) for op in gone] == [("cannot-restore", None)]
    assert "a new allocation is a new address" in gone[0].detail and "allocate-static-ip" in gone[0].detail


def test_instances_and_snapshots_say_how_to_recreate_them(store):
    instance = "lightsail/jada-legacy-wp"
    ops = plan(store, {instance: {"name": "jada-legacy-wp"}}, {}, Stubs(), instance)
    assert ops[0].verb == "cannot-restore" and "create-instances-from-snapshot" in ops[0].detail
    snapshot = "lightsail/snapshot/jada-legacy-wp-v1.0"
    ops = plan(store, {snapshot: {"name": "jada-legacy-wp-v1.0"}}, {}, Stubs(), snapshot)
    assert ops[0].verb == "cannot-restore" and "create-instance-snapshot" in ops[0].detail
