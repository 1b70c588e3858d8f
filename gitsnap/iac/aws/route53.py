"""Route53: hosted zones with their record sets, and health checks.

A zone becomes ``AWS::Route53::HostedZone`` / ``aws_route53_zone`` and one
``AWS::Route53::RecordSet`` / ``aws_route53_record`` per record set, except the zone's own apex
NS and SOA sets: Route53 creates those with the zone (and chooses its name servers), so they are
the service's, not the template's. A record's alias target is written as recorded; one that
points at a record of the same zone names the zone by reference. A record's health check is a
:class:`~..model.Link` to the snapshot's health check.
"""

from __future__ import annotations

import re
from typing import Any

from ..model import Block, Fields, Link, Named, Resource
from ..spec import IacSpec, Out
from .common import tag_list

_OCTAL = re.compile(r"\\(\d{3})")
# Record set fields translated below; anything else a record holds is listed as not written.
_RECORD_FIELDS = {"Name", "Type", "SetIdentifier", "Weight", "Region", "GeoLocation", "Failover", "MultiValueAnswer",
                  "TTL", "ResourceRecords", "AliasTarget", "HealthCheckId", "CidrRoutingConfig",
                  "GeoProximityLocation"}
_SERVICE_SETS = ("NS", "SOA")


def unescape(name: str) -> str:
    """A record name as Route53 lists it (``\\052.shop.com.``) as it is written (``*.shop.com.``). Pure."""
    return _OCTAL.sub(lambda m: chr(int(m.group(1), 8)), name)


def _zone_ref(r: Resource) -> Link:
    return Link(r.address, None, r.doc["Id"], tf_attr="zone_id")


def _check_ref(check_id: str) -> Link:
    return Link(f"route53/healthcheck/{check_id}", None, check_id, tf_attr="id")


def _records(r: Resource, f: Fields) -> list[dict[str, Any]]:
    """The record sets to write: all but the zone's apex NS and SOA (Route53's own), and those
    of a shape with no property (a traffic policy's), which are listed in the coverage report."""
    zone = r.doc["Name"]
    keep, odd = [], []
    for rr in f.get("RecordSets") or []:
        if rr.get("Name") == zone and rr.get("Type") in _SERVICE_SETS:
            continue  # created with the zone, by Route53
        extra = sorted(set(rr) - _RECORD_FIELDS)
        if extra:
            odd.append(f"{rr.get('Name')} {rr.get('Type')} ({', '.join(extra)})")
            continue
        keep.append(rr)
    if odd:
        f.unsupported("RecordSets", "record sets not written (made by a traffic policy, or with fields that have "
                                    "no property): " + "; ".join(odd))
    return keep


def _alias(r: Resource, alias: dict[str, Any], cloudformation: bool = True) -> dict[str, Any]:
    zone_id = alias.get("HostedZoneId")
    target: Any = zone_id
    if zone_id == r.doc["Id"]:  # a record of this zone: name the zone by reference
        target = _zone_ref(r)
        if cloudformation:
            # cfn-lint's format check (E1041) takes an alias's zone for another service's (CloudFront,
            # ELB), never a hosted zone of the template; the Join is the same value, kept a reference
            target = {"Fn::Join": ["", [target]]}
    dns = alias.get("DNSName")
    # a distribution's (or another emitted resource's) name becomes a reference to it (run.link_names)
    return {"HostedZoneId": target, "DNSName": Named(dns) if dns else dns,
            "EvaluateTargetHealth": alias.get("EvaluateTargetHealth")}


def _named(value: str, type_: str) -> Any:
    """A CNAME's target may be another resource of the snapshot (a distribution): Named, so the
    engine links it when that resource is emitted; other values stay as they are."""
    return Named(value) if type_ == "CNAME" else value


def _delegation_set(f: Fields) -> str | None:
    """The reusable delegation set a zone was created with, if any (the set Route53 picks for a
    zone by itself has no id)."""
    f.computed("DelegationSet.NameServers", "DelegationSet.CallerReference")
    got = f.get("DelegationSet.Id")
    return got.rsplit("/", 1)[-1] if got else None


def _record_hint(zone: str, rr: dict[str, Any]) -> str:
    name = unescape(rr["Name"]).replace("*", "wildcard").rstrip(".")
    return f"{name}-{rr['Type']}{'-' + rr['SetIdentifier'] if rr.get('SetIdentifier') else ''}"


def zone_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("Name")
    zone_id = f.get("Id")
    f.computed("Config.PrivateZone", "status")  # private when it has VPCs
    vpcs = [{"VPCId": v["VPCId"], "VPCRegion": v["VPCRegion"]} for v in f.get("VPCs") or []]
    out.resource("AWS::Route53::HostedZone", {
        "Name": name, "HostedZoneConfig": {"Comment": f.get("Config.Comment")} if f.get("Config.Comment") else None,
        "DelegationSetId": _delegation_set(f), "VPCs": vpcs, "HostedZoneTags": tag_list(f.get("Tags")),
    }, name.rstrip("."), identifier={"Id": zone_id})
    for rr in _records(r, f):
        props = {
            "HostedZoneId": _zone_ref(r), "Name": unescape(rr["Name"]), "Type": rr["Type"],
            "SetIdentifier": rr.get("SetIdentifier"), "Weight": rr.get("Weight"), "Region": rr.get("Region"),
            "GeoLocation": rr.get("GeoLocation"), "Failover": rr.get("Failover"),
            "MultiValueAnswer": rr.get("MultiValueAnswer"),
            "TTL": str(rr["TTL"]) if rr.get("TTL") is not None else None,
            "ResourceRecords": [_named(x["Value"], rr["Type"]) for x in rr.get("ResourceRecords") or []],
            "AliasTarget": _alias(r, rr["AliasTarget"]) if rr.get("AliasTarget") else None,
            "HealthCheckId": _check_ref(rr["HealthCheckId"]) if rr.get("HealthCheckId") else None,
            "CidrRoutingConfig": rr.get("CidrRoutingConfig"), "GeoProximityLocation": rr.get("GeoProximityLocation"),
        }
        ident = {"Name": unescape(rr["Name"]), "HostedZoneId": zone_id, "Type": rr["Type"]}
        if rr.get("SetIdentifier"):
            ident["SetIdentifier"] = rr["SetIdentifier"]
        out.resource("AWS::Route53::RecordSet", props, _record_hint(name, rr), identifier=ident)


def _txt(value: str, type_: str) -> str:
    """A TXT/SPF value as the AWS provider takes it: without the outer quotes, which it adds."""
    if type_ in ("TXT", "SPF") and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def _tf_routing(rr: dict[str, Any]) -> dict[str, Any]:
    geo = rr.get("GeoLocation") or {}
    cidr = rr.get("CidrRoutingConfig") or {}
    prox = rr.get("GeoProximityLocation") or {}
    coords = prox.get("Coordinates") or {}
    return {
        "weighted_routing_policy": Block({"weight": rr["Weight"]}) if rr.get("Weight") is not None else None,
        "latency_routing_policy": Block({"region": rr["Region"]}) if rr.get("Region") else None,
        "failover_routing_policy": Block({"type": rr["Failover"]}) if rr.get("Failover") else None,
        "geolocation_routing_policy": Block({"continent": geo.get("ContinentCode"), "country": geo.get("CountryCode"),
                                             "subdivision": geo.get("SubdivisionCode")}) if geo else None,
        "cidr_routing_policy": Block({"collection_id": cidr.get("CollectionId"),
                                      "location_name": cidr.get("LocationName")}) if cidr else None,
        "geoproximity_routing_policy": Block({
            "aws_region": prox.get("AWSRegion"), "bias": prox.get("Bias"), "local_zone_group": prox.get("LocalZoneGroup"),
            "coordinates": [Block({"latitude": coords["Latitude"], "longitude": coords["Longitude"]})] if coords else None,
        }) if prox else None,
        "multivalue_answer_routing_policy": rr.get("MultiValueAnswer"),
    }


def zone_terraform(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("Name")
    zone_id = f.get("Id")
    f.computed("Config.PrivateZone", "status")
    out.block("aws_route53_zone", {
        "name": name.rstrip("."),
        # "" rather than nothing: the provider's default comment is "Managed by Terraform"
        "comment": f.get("Config.Comment") or "",
        "delegation_set_id": _delegation_set(f),
        "vpc": [Block({"vpc_id": v["VPCId"], "vpc_region": v["VPCRegion"]}) for v in f.get("VPCs") or []],
        "tags": f.get("Tags") or None,
    }, name.rstrip("."), import_id=zone_id)
    for rr in _records(r, f):
        record = unescape(rr["Name"]).rstrip(".")
        alias = rr.get("AliasTarget")
        body = {
            "zone_id": _zone_ref(r), "name": record, "type": rr["Type"], "set_identifier": rr.get("SetIdentifier"),
            "ttl": rr.get("TTL"), "records": [_named(_txt(x["Value"], rr["Type"]), rr["Type"]) for x in rr.get("ResourceRecords") or []],
            "alias": Block({"name": _alias(r, alias)["DNSName"], "zone_id": _alias(r, alias, cloudformation=False)["HostedZoneId"],
                            "evaluate_target_health": bool(alias.get("EvaluateTargetHealth"))}) if alias else None,
            "health_check_id": _check_ref(rr["HealthCheckId"]) if rr.get("HealthCheckId") else None,
            **_tf_routing(rr),
        }
        set_id = f"_{rr['SetIdentifier']}" if rr.get("SetIdentifier") else ""
        out.block("aws_route53_record", body, _record_hint(name, rr), import_id=f"{zone_id}_{record}_{rr['Type']}{set_id}")


# -- health checks -------------------------------------------------------------------------------

# HealthCheckConfig fields CloudFormation takes under the same name and shape.
_CHECK_SAME = ("IPAddress", "Port", "Type", "ResourcePath", "FullyQualifiedDomainName", "SearchString",
               "RequestInterval", "FailureThreshold", "MeasureLatency", "Inverted", "HealthThreshold", "EnableSNI",
               "Regions", "AlarmIdentifier", "InsufficientDataHealthStatus", "RoutingControlArn")


def healthcheck_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    check_id = f.get("Id")
    f.computed("CallerReference", "HealthCheckVersion", "LinkedService")
    config = {k: f.get(f"HealthCheckConfig.{k}") for k in _CHECK_SAME}
    config["ChildHealthChecks"] = [_check_ref(c) for c in f.get("HealthCheckConfig.ChildHealthChecks") or []]
    if f.get_quiet("HealthCheckConfig.Disabled"):
        f.unsupported("HealthCheckConfig.Disabled", "AWS::Route53::HealthCheck has no property to disable a check; "
                                                    "disable it after deploying")
    out.resource("AWS::Route53::HealthCheck", {"HealthCheckConfig": config}, f"healthcheck-{check_id}",
                 identifier={"HealthCheckId": check_id})


def healthcheck_terraform(r: Resource, f: Fields, out: Out) -> None:
    check_id = f.get("Id")
    f.computed("CallerReference", "HealthCheckVersion", "LinkedService")
    c = {k: f.get(f"HealthCheckConfig.{k}") for k in (*_CHECK_SAME, "Disabled", "ChildHealthChecks")}
    alarm = c["AlarmIdentifier"] or {}
    out.block("aws_route53_health_check", {
        "type": c["Type"], "fqdn": c["FullyQualifiedDomainName"], "ip_address": c["IPAddress"], "port": c["Port"],
        "resource_path": c["ResourcePath"], "search_string": c["SearchString"], "request_interval": c["RequestInterval"],
        "failure_threshold": c["FailureThreshold"], "measure_latency": c["MeasureLatency"],
        "invert_healthcheck": c["Inverted"], "disabled": c["Disabled"], "enable_sni": c["EnableSNI"],
        "regions": c["Regions"], "child_healthchecks": [_check_ref(x) for x in c["ChildHealthChecks"] or []],
        "child_health_threshold": c["HealthThreshold"], "cloudwatch_alarm_name": alarm.get("Name"),
        "cloudwatch_alarm_region": alarm.get("Region"),
        "insufficient_data_health_status": c["InsufficientDataHealthStatus"],
        "routing_control_arn": c["RoutingControlArn"],
    }, f"healthcheck-{check_id}", import_id=check_id)


SPECS = {
    "zone": IacSpec(
        cloudformation=zone_cloudformation, terraform=zone_terraform,
        cfn_types=("AWS::Route53::HostedZone", "AWS::Route53::RecordSet"),
        tf_types=("aws_route53_zone", "aws_route53_record"),
    ),
    "healthcheck": IacSpec(
        cloudformation=healthcheck_cloudformation, terraform=healthcheck_terraform,
        cfn_types=("AWS::Route53::HealthCheck",), tf_types=("aws_route53_health_check",),
    ),
}
