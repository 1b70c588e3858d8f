"""A deleted hosted zone and a deleted IAM role are recreated by ``gitsnap restore --apply``.

Before issue 12, restore never created a whole resource: both said ``cannot-restore ... it does
not exist live`` and the apply exited 3. moto gives every zone the same four name servers, so
the new delegation a real recreated zone gets cannot be shown here: the plan's line naming the
snapshot's name servers is asserted, and ``tests/unit/test_route53_restore.py`` covers a
recreated zone whose name servers differ."""

from __future__ import annotations

import json

import pytest

from gitsnap.sandbox.estate import clients

pytestmark = pytest.mark.e2e

TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                 "Action": "sts:AssumeRole"}]}


def _records(r53, zone_id: str) -> list[dict]:
    return r53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]


def _zone(r53, name: str) -> str | None:
    found = [z["Id"].rsplit("/", 1)[-1] for z in r53.list_hosted_zones()["HostedZones"] if z["Name"] == name]
    return found[0] if found else None


def _seed(aws) -> str:
    r53, iam = aws("route53"), aws("iam")
    zid = r53.create_hosted_zone(Name="sailjada.test", CallerReference="seed",
                                 HostedZoneConfig={"Comment": "the shop"})["HostedZone"]["Id"].rsplit("/", 1)[-1]
    r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={"Changes": [
        {"Action": "CREATE", "ResourceRecordSet": {"Name": "www.sailjada.test.", "Type": "A", "TTL": 300,
                                                   "ResourceRecords": [{"Value": "192.0.2.7"}]}},
        {"Action": "CREATE", "ResourceRecordSet": {"Name": "sailjada.test.", "Type": "MX", "TTL": 3600,
                                                   "ResourceRecords": [{"Value": "10 mail.sailjada.test."}]}},
        {"Action": "CREATE", "ResourceRecordSet": {"Name": "shop.sailjada.test.", "Type": "A", "AliasTarget": {
            "HostedZoneId": zid, "DNSName": "www.sailjada.test.", "EvaluateTargetHealth": False}}}]})
    iam.create_role(RoleName="jada-web", AssumeRolePolicyDocument=json.dumps(TRUST), Description="web hosts",
                    Tags=[{"Key": "env", "Value": "prod"}])
    iam.put_role_policy(RoleName="jada-web", PolicyName="read-site", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    iam.create_instance_profile(InstanceProfileName="jada-web")
    iam.add_role_to_instance_profile(InstanceProfileName="jada-web", RoleName="jada-web")
    return zid


def _disaster(aws, zid: str) -> None:
    r53, iam = aws("route53"), aws("iam")
    apex = [r for r in _records(r53, zid) if r["Type"] in ("SOA", "NS")]
    r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={"Changes": [
        {"Action": "DELETE", "ResourceRecordSet": r} for r in _records(r53, zid) if r not in apex]})
    r53.delete_hosted_zone(Id=zid)
    iam.remove_role_from_instance_profile(InstanceProfileName="jada-web", RoleName="jada-web")
    iam.delete_role_policy(RoleName="jada-web", PolicyName="read-site")
    iam.delete_role(RoleName="jada-web")


def test_a_deleted_zone_and_role_are_recreated_by_restore(gitsnap, endpoint):
    aws = clients(endpoint)
    old = _seed(aws)
    (gitsnap.repo / "gitsnap.toml").write_text('[aws]\nservices = ["route53", "iam"]\n')
    gitsnap("capture", "--tag", "v1.0")
    r53, iam = aws("route53"), aws("iam")
    before = {(r["Name"], r["Type"]): r for r in _records(r53, old)}
    name_servers = r53.get_hosted_zone(Id=old)["DelegationSet"]["NameServers"]
    _disaster(aws, old)

    plan = gitsnap("restore", "v1.0", check=False)
    assert plan.code == 1, plan.out + plan.err
    lines = {(op["address"], op["verb"], op["target"]): op["detail"] for op in json.loads(
        gitsnap("restore", "v1.0", "--format", "json", check=False).out)["operations"]}
    assert ("route53/sailjada.test", "create", "route53/sailjada.test") in lines
    assert ("route53/sailjada.test", "create", "www.sailjada.test. A") in lines
    assert ("iam/role/jada-web", "create", "iam/role/jada-web") in lines
    assert ("iam/instance-profile/jada-web", "put", "Roles.jada-web") in lines
    # the plan tells the user the delegation must follow, naming the name servers it had
    delegation = lines[("route53/sailjada.test", "cannot-restore", "DelegationSet.NameServers")]
    assert "registrar" in delegation and all(ns in delegation for ns in name_servers)
    assert _zone(r53, "sailjada.test.") is None  # planning wrote nothing

    applied = gitsnap("restore", "v1.0", "--apply", "--yes", check=False)
    assert applied.code == 0, applied.out + applied.err
    assert "Live state now matches v1.0" in applied.out

    new = _zone(r53, "sailjada.test.")
    assert new and new != old  # Route53 gave the recreated zone a new id
    assert r53.get_hosted_zone(Id=new)["HostedZone"]["Config"]["Comment"] == "the shop"
    after = {(r["Name"], r["Type"]): r for r in _records(r53, new)}
    assert set(after) == set(before)
    assert after[("www.sailjada.test.", "A")] == before[("www.sailjada.test.", "A")]
    assert after[("sailjada.test.", "MX")] == before[("sailjada.test.", "MX")]
    # the alias to a record of the zone itself names the new zone
    assert after[("shop.sailjada.test.", "A")]["AliasTarget"]["HostedZoneId"] == new

    role = iam.get_role(RoleName="jada-web")["Role"]
    assert role["AssumeRolePolicyDocument"] == TRUST and role["Description"] == "web hosts"
    assert {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName="jada-web")["Tags"]} == {"env": "prod"}
    assert iam.list_role_policies(RoleName="jada-web")["PolicyNames"] == ["read-site"]
    profile = iam.get_instance_profile(InstanceProfileName="jada-web")["InstanceProfile"]
    assert [r["RoleName"] for r in profile["Roles"]] == ["jada-web"]
