"""Examples of route53 resources: the raw API shape each type's transform is given, and on the
local AWS a zone whose records are damaged and a health check whose configuration is changed.

Neither round trip deletes its resource: a recreated zone gets a new id and a recreated health
check a new id (its address), so a re-capture cannot equal the first one. Recreation is covered
by ``tests/e2e/test_dns_iam_restore.py`` (a zone and a role deleted live, restored by the
command) and ``tests/unit/test_route53_restore.py`` (what the plan says and sends)."""

from __future__ import annotations

from . import Example


def _zone_id(r53, name: str) -> str:
    zone = next(z for z in r53.list_hosted_zones()["HostedZones"] if z["Name"] == name)
    return zone["Id"].rsplit("/", 1)[-1]


def _seed_zone(aws):
    """A public zone with a comment, tags, and record sets of several shapes: plain, TXT,
    weighted twins, and an alias to a record of the zone itself."""
    r53 = aws.client("route53")
    zid = r53.create_hosted_zone(Name="shop.example", CallerReference="seed-zone",
                                 HostedZoneConfig={"Comment": "the shop"})["HostedZone"]["Id"].rsplit("/", 1)[-1]
    r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zid,
                                 AddTags=[{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "web"}])

    def a(name: str, *values: str, **more):
        return {"Action": "CREATE", "ResourceRecordSet": {"Name": name, "Type": "A", "TTL": 300,
                                                          "ResourceRecords": [{"Value": v} for v in values], **more}}

    r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={"Changes": [
        a("www.shop.example.", "192.0.2.10", "192.0.2.11"),
        a("api.shop.example.", "192.0.2.20", SetIdentifier="blue", Weight=90),
        a("api.shop.example.", "192.0.2.21", SetIdentifier="green", Weight=10),
        {"Action": "CREATE", "ResourceRecordSet": {"Name": "shop.example.", "Type": "TXT", "TTL": 60,
                                                   "ResourceRecords": [{"Value": '"v=spf1 -all"'}]}},
        {"Action": "CREATE", "ResourceRecordSet": {"Name": "shop-alias.shop.example.", "Type": "A", "AliasTarget": {
            "HostedZoneId": zid, "DNSName": "www.shop.example.", "EvaluateTargetHealth": False}}},
    ]})


def _damage_zone(aws):
    """Records deleted and changed, the comment and tags changed."""
    r53 = aws.client("route53")
    zid = _zone_id(r53, "shop.example.")
    records = r53.list_resource_record_sets(HostedZoneId=zid)["ResourceRecordSets"]
    by = {(r["Name"], r["Type"], r.get("SetIdentifier")): r for r in records}
    www = by[("www.shop.example.", "A", None)]
    r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={"Changes": [
        {"Action": "DELETE", "ResourceRecordSet": by[("api.shop.example.", "A", "green")]},
        {"Action": "DELETE", "ResourceRecordSet": by[("shop-alias.shop.example.", "A", None)]},
        {"Action": "UPSERT", "ResourceRecordSet": {**www, "TTL": 5, "ResourceRecords": [{"Value": "203.0.113.66"}]}},
    ]})
    r53.update_hosted_zone_comment(Id=zid, Comment="edited by hand")
    r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zid, AddTags=[{"Key": "env", "Value": "test"}])


def _seed_check(aws):
    aws.client("route53").create_health_check(CallerReference="seed-check", HealthCheckConfig={
        "Type": "HTTPS", "FullyQualifiedDomainName": "shop.example", "Port": 443, "ResourcePath": "/health",
        "FailureThreshold": 3, "RequestInterval": 30})


def _damage_check(aws):
    r53 = aws.client("route53")
    (check,) = r53.list_health_checks()["HealthChecks"]
    r53.update_health_check(HealthCheckId=check["Id"], ResourcePath="/broken", FailureThreshold=9, Port=8443)


EXAMPLES = {
    "zone": Example(raw={"Id": "/hostedzone/Z1", "Name": "shop.com.", "Config": {"PrivateZone": False},
                          "ResourceRecordSetCount": 3, "Zone": {"DelegationSet": {"NameServers": ["ns1"]}},
                          "RecordSets": [{"Name": "www.shop.com.", "Type": "A"}, {"Name": "shop.com.", "Type": "NS"}],
                          "Tags": {"Tags": []}},
                    seed=_seed_zone, damage=_damage_zone),
    "healthcheck": Example(raw={"Id": "hc-1", "CallerReference": "r", "HealthCheckVersion": 4,
                                 "HealthCheckConfig": {"Type": "HTTPS", "FullyQualifiedDomainName": "shop.com"}},
                           seed=_seed_check, damage=_damage_check),
}
