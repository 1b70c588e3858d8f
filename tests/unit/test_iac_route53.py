"""Route53 as code: hosted zones with their record sets, and health checks, in CloudFormation and
Terraform. Pure builder tests on stored documents (tests/iac_examples.py); the CloudFormation
ones are also rendered and checked with cfn-lint."""

from __future__ import annotations

from typing import Any

from gitsnap.iac.aws import route53
from gitsnap.iac.cloudformation import render
from gitsnap.iac.model import Block, Fields, Link, Named, Resource
from gitsnap.iac.spec import Emitted, Out
from tests.iac_examples import cfn_lint_errors, example_resource

CLOUDFRONT_ZONE = "Z2FDTNDATAQYW2"


def a(name: str, *values: str, ttl: int = 300, **more: Any) -> dict[str, Any]:
    return {"Name": name, "Type": "A", "TTL": ttl, "ResourceRecords": [{"Value": v} for v in values], **more}


def zone(private: bool = False) -> Resource:
    records = [
        {"Name": "shop.com.", "Type": "NS", "TTL": 172800, "ResourceRecords": [{"Value": "ns-1.awsdns-1.com."}]},
        {"Name": "shop.com.", "Type": "SOA", "TTL": 900, "ResourceRecords": [{"Value": "ns-1.awsdns-1.com. x 1 2 3 4 5"}]},
        {"Name": "shop.com.", "Type": "TXT", "TTL": 60, "ResourceRecords": [{"Value": '"v=spf1 -all"'}]},
        {"Name": "sub.shop.com.", "Type": "NS", "TTL": 300, "ResourceRecords": [{"Value": "ns.other.net."}]},
        a("www.shop.com.", "192.0.2.11", "192.0.2.10", HealthCheckId="hc-1"),
        a("api.shop.com.", "192.0.2.20", SetIdentifier="blue", Weight=90),
        {"Name": "\\052.shop.com.", "Type": "CNAME", "TTL": 300, "ResourceRecords": [{"Value": "www.shop.com"}]},
        {"Name": "cdn.shop.com.", "Type": "A", "AliasTarget": {"HostedZoneId": CLOUDFRONT_ZONE,
                                                                "DNSName": "d111.cloudfront.net.",
                                                                "EvaluateTargetHealth": False}},
        {"Name": "alias.shop.com.", "Type": "A", "AliasTarget": {"HostedZoneId": "Z1", "DNSName": "www.shop.com.",
                                                                  "EvaluateTargetHealth": True}},
        {"Name": "tp.shop.com.", "Type": "A", "TrafficPolicyInstanceId": "tp-1"},
    ]
    config: dict[str, Any] = {"Comment": "the shop", "PrivateZone": private}
    got = {"HostedZone": {}, "DelegationSet": {"NameServers": ["ns-1.awsdns-1.com"]}}
    if private:
        got = {"HostedZone": {}, "VPCs": [{"VPCRegion": "us-east-1", "VPCId": "vpc-1"}]}
    return example_resource("route53", "zone", raw={
        "Id": "/hostedzone/Z1", "Name": "shop.com.", "Config": config, "ResourceRecordSetCount": len(records),
        "Zone": got, "RecordSets": records, "Tags": {"Tags": [{"Key": "env", "Value": "prod"}]}})


def build(r: Resource, fmt: str) -> tuple[Out, list[tuple[str, str]]]:
    f, out = Fields(r.doc), Out()
    route53.SPECS[r.type].builder(fmt)(r, f, out)
    return out, f.unused()


def records(out: Out) -> dict[tuple[str, str, str | None], dict[str, Any]]:
    found = {}
    for x in out.cfn[1:]:
        p = x.properties
        found[(p["Name"], p["Type"], p.get("SetIdentifier"))] = p
    return found


def test_zone_cloudformation_without_the_records_route53_makes():
    out, unused = build(zone(), "cloudformation")
    z = out.cfn[0]
    assert z.type == "AWS::Route53::HostedZone" and z.identifier == {"Id": "Z1"}
    assert z.properties == {"Name": "shop.com.", "HostedZoneConfig": {"Comment": "the shop"},
                            "HostedZoneTags": [{"Key": "env", "Value": "prod"}]}
    got = records(out)
    assert ("shop.com.", "NS", None) not in got and ("shop.com.", "SOA", None) not in got
    assert ("sub.shop.com.", "NS", None) in got  # a delegation is the user's record
    assert got[("shop.com.", "TXT", None)]["ResourceRecords"] == ['"v=spf1 -all"']
    www = got[("www.shop.com.", "A", None)]
    assert www["TTL"] == "300" and sorted(www["ResourceRecords"]) == ["192.0.2.10", "192.0.2.11"]
    assert www["HostedZoneId"] == Link("route53/shop.com", None, "Z1", tf_attr="zone_id")
    assert www["HealthCheckId"] == Link("route53/healthcheck/hc-1", None, "hc-1", tf_attr="id")
    assert got[("api.shop.com.", "A", "blue")]["Weight"] == 90
    assert ("*.shop.com.", "CNAME", None) in got
    assert got[("cdn.shop.com.", "A", None)]["AliasTarget"] == {
        "HostedZoneId": CLOUDFRONT_ZONE, "DNSName": Named("d111.cloudfront.net."), "EvaluateTargetHealth": False}
    # an alias to a record of the zone itself names the zone by reference
    assert got[("alias.shop.com.", "A", None)]["AliasTarget"]["HostedZoneId"] == {"Fn::Join": ["", [Link(
        "route53/shop.com", None, "Z1", tf_attr="zone_id")]]}
    assert [path for path, _ in unused] == ["RecordSets"] and "tp.shop.com." in dict(unused)["RecordSets"]


def test_zone_terraform_import_ids_and_values():
    out, _ = build(zone(), "terraform")
    z = out.tf[0]
    assert (z.type, z.import_id, z.body["comment"]) == ("aws_route53_zone", "Z1", "the shop")
    by_id = {b.import_id: b.body for b in out.tf[1:]}
    assert set(by_id) == {"Z1_shop.com_TXT", "Z1_sub.shop.com_NS", "Z1_www.shop.com_A", "Z1_api.shop.com_A_blue",
                          "Z1_*.shop.com_CNAME", "Z1_cdn.shop.com_A", "Z1_alias.shop.com_A"}
    assert by_id["Z1_shop.com_TXT"]["records"] == ["v=spf1 -all"]  # the provider adds the quotes
    assert by_id["Z1_www.shop.com_A"]["ttl"] == 300
    assert by_id["Z1_api.shop.com_A_blue"]["weighted_routing_policy"] == Block({"weight": 90})
    assert by_id["Z1_cdn.shop.com_A"]["alias"] == Block({"name": Named("d111.cloudfront.net."), "zone_id": CLOUDFRONT_ZONE,
                                                          "evaluate_target_health": False})
    assert by_id["Z1_alias.shop.com_A"]["alias"].body["zone_id"] == Link("route53/shop.com", None, "Z1",
                                                                         tf_attr="zone_id")


def test_zone_without_comment_keeps_terraforms_default_comment_out():
    r = zone()
    r.doc["Config"].pop("Comment")
    out, _ = build(r, "terraform")
    assert out.tf[0].body["comment"] == ""
    out, _ = build(r, "cloudformation")
    assert "HostedZoneConfig" not in out.cfn[0].properties


def test_private_zone_keeps_its_vpcs():
    out, unused = build(zone(private=True), "cloudformation")
    assert out.cfn[0].properties["VPCs"] == [{"VPCId": "vpc-1", "VPCRegion": "us-east-1"}]
    out, _ = build(zone(private=True), "terraform")
    assert out.tf[0].body["vpc"] == [Block({"vpc_id": "vpc-1", "vpc_region": "us-east-1"})]


def healthcheck(**more: Any) -> Resource:
    return example_resource("route53", "healthcheck", raw={
        "Id": "hc-1", "CallerReference": "r", "HealthCheckVersion": 4, "HealthCheckConfig": {
            "Type": "HTTPS", "FullyQualifiedDomainName": "shop.com", "Port": 443, "ResourcePath": "/health",
            "RequestInterval": 30, "FailureThreshold": 3, "MeasureLatency": False, "Inverted": False,
            "EnableSNI": True, **more}})


def test_healthcheck_both_formats():
    out, unused = build(healthcheck(), "cloudformation")
    (c,) = out.cfn
    assert c.identifier == {"HealthCheckId": "hc-1"}
    assert c.properties["HealthCheckConfig"] == {
        "Type": "HTTPS", "FullyQualifiedDomainName": "shop.com", "Port": 443, "ResourcePath": "/health",
        "RequestInterval": 30, "FailureThreshold": 3, "MeasureLatency": False, "Inverted": False, "EnableSNI": True}
    assert unused == []
    out, unused = build(healthcheck(Disabled=True), "terraform")
    (b,) = out.tf
    assert (b.type, b.import_id) == ("aws_route53_health_check", "hc-1")
    assert (b.body["fqdn"], b.body["resource_path"], b.body["disabled"]) == ("shop.com", "/health", True)
    assert unused == []


def test_a_disabled_healthcheck_is_listed_for_cloudformation():
    _, unused = build(healthcheck(Disabled=True), "cloudformation")
    assert [path for path, _ in unused] == ["HealthCheckConfig.Disabled"]


def test_route53_template_passes_cfn_lint():
    emitted = []
    for r in (zone(), healthcheck()):
        out, unused = build(r, "cloudformation")
        emitted.append(Emitted(r, out, unused))
    (body,) = [b for p, b in render(emitted, "0" * 40).files.items() if p.endswith(".yaml")]
    assert cfn_lint_errors(body) == []
    text = body.decode()
    assert "HealthCheckId: !Ref HealthcheckHc1HealthCheck" in text  # www's check, by reference
    assert "- !Ref ShopComHostedZone" in text  # the alias to the zone's own record (in a Join)
