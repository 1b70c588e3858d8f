"""Route53 hosted zones: records and settings put back, a deleted zone recreated, a live-only
zone deleted (with --delete).

A zone is addressed by its name, so a recreated public zone is the same resource to the next
capture, but Route53 gives it a new id and (unless the zone used a reusable delegation set) a
new set of name servers: the plan says so, and that the registrar's delegation must be pointed
at the new ones. A private zone's address carries its id (twins of one name may serve other
VPCs): the live-only private zone of the same name and VPCs *stands in* for a deleted one, so
its records are restored there and ``--delete`` keeps it.
"""

from __future__ import annotations

import uuid
from typing import Any

from ...restoring import Operation, RestoreContext
from .batches import record_key, transform_batches
from .checks import CheckIds
from .common import both, count, of_type, plan_tags, show
from .records import ZoneRef, plan_records

PERMISSIONS = ("route53:CreateHostedZone", "route53:ChangeResourceRecordSets", "route53:UpdateHostedZoneComment",
               "route53:ChangeTagsForResource", "route53:AssociateVPCWithHostedZone",
               "route53:DisassociateVPCFromHostedZone", "route53:DeleteHostedZone", "route53:ListResourceRecordSets",
               "route53:ListHealthChecks", "ec2:DescribeVpcs")


def _private(doc: dict[str, Any]) -> bool:
    return bool((doc.get("Config") or {}).get("PrivateZone"))


def _vpcs(doc: dict[str, Any]) -> list[dict[str, str]]:
    return sorted(doc.get("VPCs") or [], key=lambda v: (v.get("VPCRegion", ""), v.get("VPCId", "")))


def _name_servers(doc: dict[str, Any]) -> list[str]:
    return sorted((doc.get("DelegationSet") or {}).get("NameServers") or [])


def stand_ins(ctx: RestoreContext, account: str) -> dict[str, str]:
    """Snapshot address -> live address, for each private zone the snapshot has and live does not
    that a live-only private zone of the same name and VPCs replaces (one to one)."""
    def private(snap: Any) -> dict[str, Any]:
        return {a: d for a in of_type(snap, "zone", account) if _private(d := snap.document(a) or {})}

    want, have = private(ctx.snapshot), private(ctx.live)
    fresh = [a for a in have if a not in want]
    pairs: dict[str, str] = {}
    for gone in (a for a in want if a not in have):
        same = (want[gone]["Name"], _vpcs(want[gone]))
        match = next((a for a in fresh if a not in pairs.values() and (have[a]["Name"], _vpcs(have[a])) == same), None)
        if match:
            pairs[gone] = match
    return pairs


def plan_zone(ctx: RestoreContext, address: str) -> list[Operation]:
    """Update: the record sets (ChangeBatches within Route53's limits), then the comment, tags,
    VPC associations; and what cannot be put back (the delegation Route53 assigned)."""
    want, have = both(ctx, address)
    ref = ZoneRef(address, want["Id"], have["Id"], CheckIds(ctx, address))
    return plan_records(ctx, address, want, have["RecordSets"], ref) + plan_settings(ctx, address, want, have)


def plan_settings(ctx: RestoreContext, address: str, want: dict[str, Any], have: dict[str, Any]) -> list[Operation]:
    r53 = ctx.client("route53", address)
    zone_id = have["Id"]
    ops: list[Operation] = []
    wc, hc = want.get("Config") or {}, have.get("Config") or {}
    if wc.get("Comment") != hc.get("Comment"):
        ops.append(Operation(address, "update", "Config.Comment", f"{show(hc.get('Comment'))} -> {show(wc.get('Comment'))}",
                             run=lambda: r53.update_hosted_zone_comment(Id=zone_id, Comment=wc.get("Comment") or "")))
    if _private(want) != _private(have):
        ops.append(Operation(address, "cannot-restore", "Config.PrivateZone",
                             f"{show(hc.get('PrivateZone'))} -> {show(wc.get('PrivateZone'))}: a zone cannot change "
                             "between public and private; delete it by hand and restore recreates it"))
    ops += plan_tags(address, want.get("Tags") or {}, have.get("Tags") or {}, ctx.delete,
                     lambda put, remove: r53.change_tags_for_resource(
                         ResourceType="hostedzone", ResourceId=zone_id,
                         **({"AddTags": [{"Key": k, "Value": v} for k, v in sorted(put.items())]} if put else {}),
                         **({"RemoveTagKeys": remove} if remove else {})))
    if _private(want) and _private(have):
        ops += _plan_vpcs(ctx, address, r53, zone_id, _vpcs(want), _vpcs(have))
    if not _private(want) and _name_servers(want) and _name_servers(have) and _name_servers(want) != _name_servers(have):
        ops.append(Operation(address, "cannot-restore", "DelegationSet.NameServers",
                             f"Route53 serves this zone from other name servers than the snapshot's (it was recreated): "
                             f"the registrar's delegation for {want['Name']} must name live's "
                             f"{', '.join(_name_servers(have))} (the snapshot had {', '.join(_name_servers(want))})"))
    return ops


def _plan_vpcs(ctx: RestoreContext, address: str, r53: Any, zone_id: str, want: list[dict[str, str]],
               have: list[dict[str, str]]) -> list[Operation]:
    """Associations first, then (with --delete) disassociations: Route53 refuses to take a
    private zone's last VPC away."""
    ops = []
    for vpc in (v for v in want if v not in have):
        ops.append(Operation(address, "put", f"VPCs {vpc.get('VPCId')}", vpc.get("VPCRegion", ""),
                             run=lambda v=vpc: r53.associate_vpc_with_hosted_zone(HostedZoneId=zone_id, VPC=v)))
    for vpc in (v for v in have if v not in want):
        target = f"VPCs {vpc.get('VPCId')}"
        ops.append(Operation(address, "delete", target,
                             run=lambda v=vpc: r53.disassociate_vpc_from_hosted_zone(HostedZoneId=zone_id, VPC=v))
                   if ctx.delete else Operation(address, "kept", target, "live only; --delete removes it"))
    return ops


def create_zone(ctx: RestoreContext, address: str) -> list[Operation]:
    """CreateHostedZone with the snapshot's name, comment, VPCs and delegation set; then its
    tags; then every record set but the new zone's own SOA and NS, in ChangeBatches."""
    want = ctx.want(address)
    twin = stand_ins(ctx, ctx.where(address)[0]).get(address)
    if twin:  # recreated already: its records and settings are restored there
        have = ctx.have(twin)
        ref = ZoneRef(address, want["Id"], have["Id"], CheckIds(ctx, address))
        ops = plan_records(ctx, address, want, have["RecordSets"], ref) + plan_settings(ctx, address, want, have)
        for op in ops[:1]:
            op.detail = f"{op.detail}  [in {twin}, which stands in for it: same name and VPCs]".strip()
        return ops
    r53 = ctx.client("route53", address)
    ref = ZoneRef(address, want["Id"], None, CheckIds(ctx, address))
    reusable = (want.get("DelegationSet") or {}).get("Id")
    vpcs, tags = _vpcs(want), want.get("Tags") or {}

    def create() -> None:
        config = {"PrivateZone": _private(want), **({"Comment": c} if (c := (want.get("Config") or {}).get("Comment")) else {})}
        made = r53.create_hosted_zone(Name=want["Name"], CallerReference=f"gitsnap-{uuid.uuid4()}",
                                      HostedZoneConfig=config, **({"VPC": vpcs[0]} if vpcs else {}),
                                      **({"DelegationSetId": reusable} if reusable else {}))
        ref.live = made["HostedZone"]["Id"].rsplit("/", 1)[-1]
        for vpc in vpcs[1:]:
            r53.associate_vpc_with_hosted_zone(HostedZoneId=ref.live, VPC=vpc)
        if tags:
            r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=ref.live,
                                         AddTags=[{"Key": k, "Value": v} for k, v in sorted(tags.items())])

    kind = f"private zone in {count(len(vpcs), 'VPC')}" if _private(want) else "public zone"
    records = len([r for r in want["RecordSets"] if not (r["Name"] == want["Name"] and r["Type"] in ("SOA", "NS"))])
    ops = [Operation(address, "create", address, f"{kind} {want['Name']} with {count(records, 'record set')} and "
                                                  f"{count(len(tags), 'tag')} (Route53 gives it a new id)", run=create)]
    if not _private(want) and reusable:
        ops[0].detail += f"; in reusable delegation set {reusable}, so its name servers stay the same"
    elif not _private(want):
        ops.append(Operation(address, "cannot-restore", "DelegationSet.NameServers",
                             "Route53 assigns a recreated public zone new name servers when it creates it: once "
                             f"applied, point the registrar's delegation for {want['Name']} at them (the zone's NS "
                             "record; 'gitsnap show HEAD " + address + "' after the restore's capture). The "
                             f"snapshot's were {', '.join(_name_servers(want)) or 'not recorded'}"))
    return ops + plan_records(ctx, address, want, [], ref, new=True)


def delete_zone(ctx: RestoreContext, address: str) -> list[Operation]:
    """--delete: the zone's record sets (all but its own SOA and NS), then the zone."""
    stands_for = {b: a for a, b in stand_ins(ctx, ctx.where(address)[0]).items()}.get(address)
    if stands_for:
        return [Operation(address, "kept", address, f"stands in for {stands_for} (same name and VPCs; "
                                                    "recreated under a new id)")]
    have = ctx.have(address)
    r53 = ctx.client("route53", address)
    zone_id, apex = have["Id"], have["Name"]

    def delete() -> None:
        pages = r53.get_paginator("list_resource_record_sets").paginate(HostedZoneId=zone_id)
        records = [rr for page in pages for rr in page["ResourceRecordSets"]
                   if not (rr["Name"] == apex and rr["Type"] in ("SOA", "NS"))]
        # read now rather than from the plan's document: the values as Route53 has them
        for batch in transform_batches([{"Action": "DELETE", "ResourceRecordSet": rr}
                                        for rr in sorted(records, key=record_key)]):
            r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={
                "Comment": "gitsnap restore --delete", "Changes": batch})
        r53.delete_hosted_zone(Id=zone_id)

    n = len([r for r in have["RecordSets"] if not (r["Name"] == apex and r["Type"] in ("SOA", "NS"))])
    return [Operation(address, "delete", address, f"its {count(n, 'record set')} first, then the zone", run=delete)]
