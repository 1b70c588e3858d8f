"""Route53: hosted zones with every record set (paginated), and health checks.

Order: nothing in a zone is ordered. Record sets are a set, sorted by name, type and set
identifier; weighted, latency and failover sets are chosen by their weight, region or role,
never by position. The values of one record set are an RRset, which DNS serves in any order
(RFC 2181, 5): they are sorted too, so a reordered answer is no change.

Restore (create, update, delete of zones and health checks) is in :mod:`.route53restore`.
"""

from __future__ import annotations

from ..spec import Call, Detail, Raw, ResourceType
from . import route53restore
from .shapes import tag_map


def zone_id(raw: Raw) -> str:
    return raw["Id"].rsplit("/", 1)[-1]


def record_order(rr: Raw) -> tuple[str, str, str]:
    return (rr.get("Name", ""), rr.get("Type", ""), rr.get("SetIdentifier", ""))


def transform_zone(raw: Raw) -> Raw:
    config = dict(raw.get("Config") or {})
    tags = raw.get("Tags") or {}
    return {
        "Id": zone_id(raw),
        "Name": raw["Name"],
        "Config": config,
        "DelegationSet": (raw.get("Zone") or {}).get("DelegationSet"),
        "VPCs": (raw.get("Zone") or {}).get("VPCs"),
        "RecordSets": sorted(raw.get("RecordSets") or [], key=record_order),
        "Tags": tag_map(tags.get("Tags")),
    }


def zone_name(raw: Raw) -> str:
    """Zones are addressed by name (``route53/sailjada.com``); private twins add their id."""
    name = raw["Name"].rstrip(".")
    private = (raw.get("Config") or {}).get("PrivateZone")
    return f"{name}~{zone_id(raw)}" if private else name


ZONE = ResourceType(
    service="route53",
    type="zone",
    scope="global",
    client="route53",
    list=Call("list_hosted_zones", result="HostedZones", paginate=True),
    id=zone_name,
    details=(
        Detail("Zone", Call("get_hosted_zone", params=lambda r: {"Id": zone_id(r)}, identity=True, required=("HostedZone",))),
        Detail("RecordSets", Call("list_resource_record_sets", params=lambda r: {"HostedZoneId": zone_id(r)},
                                  result="ResourceRecordSets", paginate=True)),
        Detail("Tags", Call("list_tags_for_resource", params=lambda r: {"ResourceType": "hostedzone", "ResourceId": zone_id(r)},
                            result="ResourceTagSet")),
    ),
    transform=transform_zone,
    volatile=("ResourceRecordSetCount", "Zone.HostedZone.ResourceRecordSetCount"),
    unordered=("RecordSets.*.ResourceRecords",),
    schema="aws.route53.zone",
    permissions=("route53:ListHostedZones", "route53:GetHostedZone", "route53:ListResourceRecordSets", "route53:ListTagsForResource"),
    restore=route53restore.ZONE,
)

HEALTH_CHECK = ResourceType(
    service="route53",
    type="healthcheck",
    scope="global",
    client="route53",
    list=Call("list_health_checks", result="HealthChecks", paginate=True),
    id=lambda r: r["Id"],
    transform=lambda r: {"Id": r["Id"], "CallerReference": r.get("CallerReference"),
                         "HealthCheckConfig": r.get("HealthCheckConfig", {})},
    volatile=("HealthCheckVersion",),
    schema="aws.route53.healthcheck",
    primary=False,
    permissions=("route53:ListHealthChecks",),
    restore=route53restore.HEALTH_CHECK,
)

TYPES = (ZONE, HEALTH_CHECK)
