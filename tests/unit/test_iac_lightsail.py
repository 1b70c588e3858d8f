"""Lightsail as code: instances (fresh from their blueprint), static IPs attached to them, DNS
domains (Terraform only) and instance snapshots (left out: their data lives in Lightsail)."""

from __future__ import annotations

import hcl2

from gitsnap.iac import cloudformation, terraform
from gitsnap.iac.model import Link
from gitsnap.iac.run import build
from tests.iac_examples import cfn_lint_errors, emitted, example_resource

INSTANCE = {
    "name": "jada-legacy-wp", "arn": "arn:aws:lightsail:us-east-1:123456789012:Instance/jada-legacy-wp",
    "blueprintId": "wordpress", "bundleId": "small_3_0", "createdAt": "2023-11-14T22:13:20Z", "isStaticIp": True,
    "location": {"availabilityZone": "us-east-1a", "regionName": "us-east-1"}, "sshKeyName": "jada-key",
    "publicIpAddress": "203.0.113.20", "privateIpAddress": "172.26.0.1",
    "hardware": {"cpuCount": 1, "ramSizeInGb": 2.0}, "state": {"code": 16, "name": "running"},
    "networking": {"monthlyTransfer": {"gbPerMonthAllocated": 3072}, "ports": [
        {"fromPort": 22, "toPort": 22, "protocol": "tcp", "accessFrom": "Custom", "accessType": "public",
         "accessDirection": "inbound", "cidrs": ["198.51.100.0/24"]},
        {"fromPort": 443, "toPort": 443, "protocol": "tcp", "cidrs": ["0.0.0.0/0"], "ipv6Cidrs": ["::/0"]}]},
    "addOns": [{"name": "AutoSnapshot", "status": "Enabled", "snapshotTimeOfDay": "06:00"}],
    "tags": [{"key": "site", "value": "queenofsandiego"}],
}
STATIC_IP = {"name": "jada-legacy-ip", "arn": "arn:aws:lightsail:us-east-1:123456789012:StaticIp/jada-legacy-ip",
             "ipAddress": "203.0.113.20", "attachedTo": "jada-legacy-wp", "isAttached": True}
DOMAIN = {"name": "queenofsandiego.com", "arn": "arn:aws:lightsail:global:123456789012:Domain/queenofsandiego.com",
          "domainEntries": [
              {"id": "1", "name": "queenofsandiego.com", "type": "NS", "target": "ns-1.awsdns-1.org"},
              {"id": "2", "name": "queenofsandiego.com", "type": "A", "target": "203.0.113.20"},
              {"id": "3", "name": "www.queenofsandiego.com", "type": "CNAME", "target": "queenofsandiego.com"}]}


def test_an_instance_with_its_ports_and_automatic_snapshots() -> None:
    e = emitted("lightsail", "instance", raw=INSTANCE)
    (res,) = e.out.cfn
    assert (res.type, res.identifier) == ("AWS::Lightsail::Instance", {"InstanceName": "jada-legacy-wp"})
    p = res.properties
    assert (p["BlueprintId"], p["BundleId"], p["AvailabilityZone"], p["KeyPairName"]) == (
        "wordpress", "small_3_0", "us-east-1a", "jada-key")
    assert p["Networking"]["Ports"] == [
        {"FromPort": 22, "ToPort": 22, "Protocol": "tcp", "Cidrs": ["198.51.100.0/24"]},
        {"FromPort": 443, "ToPort": 443, "Protocol": "tcp", "Cidrs": ["0.0.0.0/0"], "Ipv6Cidrs": ["::/0"]}]
    assert p["AddOns"] == [{"AddOnType": "AutoSnapshot", "AutoSnapshotAddOnRequest": {"SnapshotTimeOfDay": "06:00"}}]
    assert p["Tags"] == [{"Key": "site", "Value": "queenofsandiego"}]
    assert e.unused == []  # addresses, hardware, state: Lightsail's
    ip = emitted("lightsail", "static-ip", raw=STATIC_IP)
    text = cloudformation.render([e, ip], "r" * 40).files["cloudformation/123456789012/us-east-1/template.yaml"]
    assert b"AttachedTo: !Ref JadaLegacyWpInstance" in text
    assert cfn_lint_errors(text) == []


def test_an_instance_in_terraform_with_its_public_ports() -> None:
    inst, ports = emitted("lightsail", "instance", "terraform", raw=INSTANCE).out.tf
    assert (inst.type, inst.import_id) == ("aws_lightsail_instance", "jada-legacy-wp")
    assert inst.body["add_on"].body == {"type": "AutoSnapshot", "status": "Enabled", "snapshot_time": "06:00"}
    assert ports.type == "aws_lightsail_instance_public_ports" and ports.import_id is None
    assert [x.body["from_port"] for x in ports.body["port_info"]] == [22, 443]


def test_a_static_ip_and_its_attachment() -> None:
    (res,) = emitted("lightsail", "static-ip", raw=STATIC_IP).out.cfn
    assert res.properties == {"StaticIpName": "jada-legacy-ip",
                              "AttachedTo": Link("lightsail/jada-legacy-wp", None, "jada-legacy-wp", tf_attr="name")}
    ip, attachment = emitted("lightsail", "static-ip", "terraform", raw=STATIC_IP).out.tf
    assert (ip.type, ip.import_id) == ("aws_lightsail_static_ip", "jada-legacy-ip")
    assert attachment.type == "aws_lightsail_static_ip_attachment"
    assert attachment.body["instance_name"].address == "lightsail/jada-legacy-wp"


def test_a_domain_is_terraform_only_and_its_entries_are_relative() -> None:
    r = example_resource("lightsail", "domain", raw=DOMAIN)
    verdict, why = build(r, "cloudformation")
    assert verdict == "left out" and "no type" in why
    e = emitted("lightsail", "domain", "terraform", raw=DOMAIN)
    domain, apex, www = e.out.tf
    assert (domain.type, domain.body) == ("aws_lightsail_domain", {"domain_name": "queenofsandiego.com"})
    assert (apex.body["name"], apex.body["type"], apex.import_id) == (
        "", "A", ",queenofsandiego.com,A,203.0.113.20")
    assert (www.body["name"], www.import_id) == ("www", "www,queenofsandiego.com,CNAME,queenofsandiego.com")
    assert e.unused == []  # the apex NS record is Lightsail's own
    text = terraform.render([e], "r" * 40).files["terraform/lightsail.tf"].decode()
    assert "domain_name = aws_lightsail_domain.queenofsandiego_com.domain_name" in text
    hcl2.loads(text)


def test_a_snapshot_is_left_out_with_the_reason() -> None:
    for fmt in ("cloudformation", "terraform"):
        verdict, why = build(example_resource("lightsail", "snapshot"), fmt)
        assert verdict == "left out" and "lives only in Lightsail" in why
