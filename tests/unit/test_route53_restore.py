"""Route53 restore: a deleted zone recreated (records, comment, tags, VPCs; the plan naming the
delegation the registrar must follow), a live-only zone deleted with --delete, health checks
recreated under a new id (and the records naming the old one pointed at it), updated, deleted.

In-process moto (``mock_aws``) plays Route53 and EC2. moto gives every zone the same name
servers, so the case where a recreated zone's differ is planned from documents (nothing is
sent). The plans go through the runner's ``plan_address``."""

from __future__ import annotations

import dataclasses

import boto3
import pytest
from moto import mock_aws

from gitsnap.canonical import dumps
from gitsnap.restore.ops import RestoreContext
from gitsnap.restore.run import plan_address
from gitsnap.store import SnapshotStore

try:
    from gitsnap.store.snapshot import Snapshot
except ImportError:  # the layout before issue 12 (so these tests show how old main behaves)
    from gitsnap.diff import Snapshot

ACCOUNT = "123456789012"
OLD_NS = ["ns-1.awsdns-01.org", "ns-2.awsdns-02.net"]


class Moto:
    def client(self, service, account=None, region=None):
        return boto3.client(service, region_name="us-east-1")

    def reaches(self, account):
        return account == ACCOUNT

    def known(self):
        return [ACCOUNT]


class Reveal:
    available = True


def snapshot(store, docs: dict[str, dict]):
    files, resources = {}, {}
    for address, doc in docs.items():
        rest = address.split("/", 1)[1]
        kind, name = rest.split("/", 1) if rest.startswith("healthcheck/") else ("zone", rest)
        path = f"aws/{ACCOUNT}/global/route53/{kind}/{name}.json"
        files[path] = dumps(doc)
        resources[address] = {"path": path, "service": "route53", "type": kind, "account": ACCOUNT, "region": "global"}
    return Snapshot.in_memory(store, files, resources)


def context(store, want: dict, have: dict, delete: bool = False) -> RestoreContext:
    values = {"store": store, "snapshot": snapshot(store, want), "live": snapshot(store, have), "accounts": Moto(),
              "delete": delete, "reveal": Reveal()}
    names = {f.name for f in dataclasses.fields(RestoreContext)}
    return RestoreContext(**{k: v for k, v in values.items() if k in names})


def plan(ctx, *addresses: str) -> list:
    return [op for a in addresses for op in plan_address(ctx, a)]


def apply(ops) -> None:
    for op in ops:
        if op.run:
            op.run()


def rr(name: str, rtype: str = "A", *values: str, **more) -> dict:
    return {"Name": name, "Type": rtype, "TTL": 300, "ResourceRecords": [{"Value": v} for v in values or ("192.0.2.1",)],
            **more}


def zone_doc(name: str = "shop.example.", zid: str = "ZOLD", records=(), private: bool = False, **over) -> dict:
    apex = [rr(name, "NS", *OLD_NS), rr(name, "SOA", f"{OLD_NS[0]}. hostmaster. 1 7200 900 1209600 86400")]
    return {"Id": zid, "Name": name, "Config": {"Comment": "the shop", "PrivateZone": private},
            "DelegationSet": None if private else {"NameServers": OLD_NS}, "VPCs": None,
            "RecordSets": [*apex, *records], "Tags": {"env": "prod"}, **over}


def live_records(r53, name: str) -> tuple[str, dict]:
    (zone,) = [z for z in r53.list_hosted_zones()["HostedZones"] if z["Name"] == name]
    zid = zone["Id"].rsplit("/", 1)[-1]
    return zid, {(r["Name"], r["Type"], r.get("SetIdentifier")): r
                 for r in r53.list_resource_record_sets(HostedZoneId=zid)["ResourceRecordSets"]}


@pytest.fixture
def store(tmp_path):
    return SnapshotStore.init(tmp_path / "r")


@pytest.fixture
def r53(fake_aws_env):
    with mock_aws():
        yield boto3.client("route53", region_name="us-east-1")


RECORDS = [rr("www.shop.example.", "A", "192.0.2.10", "192.0.2.11"),
           rr("api.shop.example.", "A", "192.0.2.20", SetIdentifier="blue", Weight=90),
           rr("api.shop.example.", "A", "192.0.2.21", SetIdentifier="green", Weight=10),
           {"Name": "go.shop.example.", "Type": "A",
            "AliasTarget": {"HostedZoneId": "ZOLD", "DNSName": "www.shop.example.", "EvaluateTargetHealth": False}}]


def test_a_deleted_public_zone_is_recreated_and_the_plan_names_the_delegation(store, r53):
    ctx = context(store, {"route53/shop.example": zone_doc(records=RECORDS)}, {})
    ops = plan(ctx, "route53/shop.example")
    assert [(op.verb, op.target) for op in ops] == [
        ("create", "route53/shop.example"), ("cannot-restore", "DelegationSet.NameServers"),
        ("create", "api.shop.example. A (blue)"), ("create", "api.shop.example. A (green)"),
        ("create", "www.shop.example. A"), ("create", "go.shop.example. A")]  # aliases after what they name
    delegation = ops[1].detail
    assert "registrar" in delegation and "new name servers" in delegation and all(ns in delegation for ns in OLD_NS)
    apply(ops)
    zid, live = live_records(r53, "shop.example.")
    zone = r53.get_hosted_zone(Id=zid)["HostedZone"]
    assert zone["Config"]["Comment"] == "the shop" and not zone["Config"]["PrivateZone"]
    assert r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zid)["ResourceTagSet"]["Tags"] == [
        {"Key": "env", "Value": "prod"}]
    for want in RECORDS[:3]:
        got = live[(want["Name"], "A", want.get("SetIdentifier"))]
        assert sorted(v["Value"] for v in got["ResourceRecords"]) == [v["Value"] for v in want["ResourceRecords"]]
    assert live[("go.shop.example.", "A", None)]["AliasTarget"]["HostedZoneId"] == zid  # the new zone, not ZOLD
    # the new zone keeps its own apex NS and SOA: the snapshot's are not sent
    assert [v["Value"] for v in live[("shop.example.", "NS", None)]["ResourceRecords"]] != OLD_NS


def test_a_recreated_zone_whose_name_servers_differ_says_so_and_nothing_else(store, r53):
    """The state after recreating a zone on real AWS: a new id and new name servers. The records
    (an alias naming the zone itself included) match; the delegation is the one thing left."""
    records = [RECORDS[0], RECORDS[3]]
    live_alias = {**RECORDS[3], "AliasTarget": {**RECORDS[3]["AliasTarget"], "HostedZoneId": "ZNEW"}}
    new_ns = ["ns-9.awsdns-09.com", "ns-8.awsdns-08.co.uk"]
    have = zone_doc(zid="ZNEW", records=[RECORDS[0], live_alias],
                    DelegationSet={"NameServers": new_ns})
    have["RecordSets"][0] = rr("shop.example.", "NS", *new_ns)
    ops = plan(context(store, {"route53/shop.example": zone_doc(records=records)}, {"route53/shop.example": have}),
               "route53/shop.example")
    assert [(op.verb, op.target, op.run) for op in ops] == [("cannot-restore", "DelegationSet.NameServers", None)]
    assert all(ns in ops[0].detail for ns in new_ns + OLD_NS) and "registrar" in ops[0].detail


def test_a_zone_in_a_reusable_delegation_set_keeps_its_name_servers(store, r53):
    ds = r53.create_reusable_delegation_set(CallerReference="ds")["DelegationSet"]
    want = zone_doc(DelegationSet={"Id": ds["Id"].rsplit("/", 1)[-1], "NameServers": ds["NameServers"]})
    ops = plan(context(store, {"route53/shop.example": want}, {}), "route53/shop.example")
    assert [op.verb for op in ops] == ["create"] and "name servers stay the same" in ops[0].detail
    apply(ops)
    zid, _ = live_records(r53, "shop.example.")
    assert r53.get_hosted_zone(Id=zid)["DelegationSet"]["NameServers"] == ds["NameServers"]


def vpcs(n: int) -> list[dict]:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    return [{"VPCId": ec2.create_vpc(CidrBlock=f"10.{i}.0.0/16")["Vpc"]["VpcId"], "VPCRegion": "us-east-1"}
            for i in range(n)]


def test_a_deleted_private_zone_is_recreated_in_its_vpcs_and_then_stands_in_for_it(store, r53):
    nets = vpcs(2)
    want = zone_doc("corp.internal.", "ZPRIV", [rr("db.corp.internal.", "A", "10.0.0.5")], private=True, VPCs=nets)
    address = "route53/corp.internal~ZPRIV"
    ops = plan(context(store, {address: want}, {}), address)
    assert [op.verb for op in ops] == ["create", "create"] and "2 VPCs" in ops[0].detail  # no delegation line
    apply(ops)
    zid, live = live_records(r53, "corp.internal.")
    got = r53.get_hosted_zone(Id=zid)
    assert sorted(v["VPCId"] for v in got["VPCs"]) == sorted(v["VPCId"] for v in nets)
    assert ("db.corp.internal.", "A", None) in live

    # the next plan: the new zone (another id, so another address) stands in for the deleted one
    have = {**want, "Id": zid}
    twin = f"route53/corp.internal~{zid}"
    ctx = context(store, {address: want}, {twin: have}, delete=True)
    assert plan(ctx, address) == []
    (kept,) = plan(ctx, twin)
    assert kept.verb == "kept" and address in kept.detail  # --delete does not remove it
    # a record lost from it again is put back there
    ctx = context(store, {address: want}, {twin: {**have, "RecordSets": have["RecordSets"][:2]}})
    ops = plan(ctx, address)
    assert [(op.verb, op.target) for op in ops] == [("upsert", "db.corp.internal. A")] and twin in ops[0].detail


def test_delete_removes_a_live_only_zones_records_then_the_zone(store, r53):
    """Before issue 12 a live-only zone was always kept."""
    zid = r53.create_hosted_zone(Name="old.example", CallerReference="x")["HostedZone"]["Id"].rsplit("/", 1)[-1]
    r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={"Changes": [
        {"Action": "CREATE", "ResourceRecordSet": rr(f"h{i}.old.example.", "A", f"192.0.2.{i}")} for i in range(5)]})
    have = zone_doc("old.example.", zid, [rr(f"h{i}.old.example.", "A", f"192.0.2.{i}") for i in range(5)])
    (op,) = plan(context(store, {}, {"route53/old.example": have}, delete=True), "route53/old.example")
    assert (op.verb, op.target) == ("delete", "route53/old.example") and "5 record sets" in op.detail
    op.run()
    assert r53.list_hosted_zones()["HostedZones"] == []
    (op,) = plan(context(store, {}, {"route53/old.example": have}), "route53/old.example")
    assert op.verb == "kept"


def test_a_zones_comment_and_tags_go_back_with_its_records(store, r53):
    zid = r53.create_hosted_zone(Name="shop.example", CallerReference="x",
                                 HostedZoneConfig={"Comment": "edited"})["HostedZone"]["Id"].rsplit("/", 1)[-1]
    r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zid,
                                 AddTags=[{"Key": "env", "Value": "test"}, {"Key": "extra", "Value": "1"}])
    have = zone_doc(zid=zid, Config={"Comment": "edited", "PrivateZone": False}, Tags={"env": "test", "extra": "1"})
    ops = plan(context(store, {"route53/shop.example": zone_doc(records=RECORDS[:1])},
                       {"route53/shop.example": have}, delete=True), "route53/shop.example")
    assert {(op.verb, op.target) for op in ops} == {("upsert", "www.shop.example. A"), ("update", "Config.Comment"),
                                                    ("update", "Tags.env"), ("delete", "Tags.extra")}
    apply(ops)
    assert r53.get_hosted_zone(Id=zid)["HostedZone"]["Config"]["Comment"] == "the shop"
    assert r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zid)["ResourceTagSet"]["Tags"] == [
        {"Key": "env", "Value": "prod"}]


CHECK = {"Type": "HTTPS", "FullyQualifiedDomainName": "shop.example", "Port": 443, "ResourcePath": "/health",
         "RequestInterval": 30, "FailureThreshold": 3, "MeasureLatency": False, "Inverted": False, "Disabled": False,
         "EnableSNI": True}


def test_a_deleted_health_check_is_recreated_under_a_new_id_and_its_records_follow(store, r53):
    old = "route53/healthcheck/11111111-2222-3333-4444-555555555555"
    record = rr("api.shop.example.", "A", "192.0.2.20", SetIdentifier="primary", Failover="PRIMARY",
                HealthCheckId=old.rsplit("/", 1)[-1])
    zid = r53.create_hosted_zone(Name="shop.example", CallerReference="x")["HostedZone"]["Id"].rsplit("/", 1)[-1]
    want = {old: {"Id": old.rsplit("/", 1)[-1], "CallerReference": "seed", "HealthCheckConfig": CHECK},
            "route53/shop.example": zone_doc(zid=zid, records=[record])}
    have = {"route53/shop.example": zone_doc(zid=zid)}
    ctx = context(store, want, have)
    check_ops, zone_ops = plan(ctx, old), plan(ctx, "route53/shop.example")
    assert [(op.verb, op.target) for op in check_ops] == [("create", old)] and "new id" in check_ops[0].detail
    assert [(op.verb, op.target) for op in zone_ops] == [("upsert", "api.shop.example. A (primary)")]
    assert "recreated first" in zone_ops[0].detail
    apply(check_ops)  # health checks rank before zones
    apply(zone_ops)
    (made,) = r53.list_health_checks()["HealthChecks"]
    assert made["Id"] != old.rsplit("/", 1)[-1] and made["HealthCheckConfig"]["ResourcePath"] == "/health"
    _, live = live_records(r53, "shop.example.")
    assert live[("api.shop.example.", "A", "primary")]["HealthCheckId"] == made["Id"]

    # the next plan: the new health check stands in for the old one, and the record matches through it
    new = f"route53/healthcheck/{made['Id']}"
    live_record = {**record, "HealthCheckId": made["Id"]}
    ctx = context(store, want, {new: {"Id": made["Id"], "CallerReference": made["CallerReference"],
                                      "HealthCheckConfig": CHECK},
                                "route53/shop.example": zone_doc(zid=zid, records=[live_record])}, delete=True)
    assert plan(ctx, old) == [] and plan(ctx, "route53/shop.example") == []
    (kept,) = plan(ctx, new)
    assert kept.verb == "kept" and old in kept.detail


def test_a_health_check_is_updated_in_place_where_route53_can(store, r53):
    hc = r53.create_health_check(CallerReference="c", HealthCheckConfig={**CHECK, "ResourcePath": "/broken",
                                                                         "FailureThreshold": 9})["HealthCheck"]
    address = f"route53/healthcheck/{hc['Id']}"
    have = {"Id": hc["Id"], "CallerReference": "c", "HealthCheckConfig": {**CHECK, "ResourcePath": "/broken",
                                                                          "FailureThreshold": 9, "RequestInterval": 10}}
    ops = plan(context(store, {address: {**have, "HealthCheckConfig": CHECK}}, {address: have}), address)
    assert {(op.verb, op.target) for op in ops} == {
        ("update", "HealthCheckConfig.ResourcePath"), ("update", "HealthCheckConfig.FailureThreshold"),
        ("cannot-restore", "HealthCheckConfig.RequestInterval")}  # Route53 cannot change the interval
    apply(ops)
    config = r53.get_health_check(HealthCheckId=hc["Id"])["HealthCheck"]["HealthCheckConfig"]
    assert (config["ResourcePath"], config["FailureThreshold"]) == ("/health", 3)


def test_delete_removes_a_live_only_health_check(store, r53):
    hc = r53.create_health_check(CallerReference="c", HealthCheckConfig=CHECK)["HealthCheck"]
    address = f"route53/healthcheck/{hc['Id']}"
    (op,) = plan(context(store, {}, {address: {"Id": hc["Id"], "HealthCheckConfig": CHECK}}, delete=True), address)
    assert op.verb == "delete"
    op.run()
    assert r53.list_health_checks()["HealthChecks"] == []
