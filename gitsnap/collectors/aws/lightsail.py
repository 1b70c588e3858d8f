"""Lightsail (regional): instances, static IPs, domains and the list of instance snapshots.

With ``capture --lightsail-snapshot`` (which needs ``--tag``), an instance snapshot named
``<instance>-<tag>`` is created first, as the seeds did by hand, and its name is recorded in
the instance's document. That is the one write a capture can make, and only when asked.
"""

from __future__ import annotations

import re
from typing import Any

import botocore.exceptions as bx

from ..context import UnitContext
from ..spec import Call, Extras, Raw, ResourceType
from .clients import translate
from .shapes import tag_map


def snapshot_name(instance: str, tag: str) -> str:
    """Lightsail names allow letters, digits, '-', '_' and '.'; a tag like v1.0 fits as is."""
    return re.sub(r"[^A-Za-z0-9_.-]", "-", f"{instance}-{tag}")


def take_snapshot(ctx: UnitContext, raw: Raw, doc: Raw, rid: str) -> Extras:
    tag = ctx.options.get("lightsail_snapshot")
    if not tag:
        return Extras()
    name = snapshot_name(rid, tag)
    try:
        ctx.client("lightsail").create_instance_snapshot(instanceName=rid, instanceSnapshotName=name)
    except (bx.BotoCoreError, bx.ClientError) as exc:
        raise translate(exc, f"lightsail/{rid}: lightsail:CreateInstanceSnapshot {name}") from exc
    return Extras(doc_updates={"SnapshotTaken": name})


def transform_instance(raw: Raw) -> Raw:
    keep = ("name", "arn", "blueprintId", "bundleId", "location", "isStaticIp", "publicIpAddress",
            "privateIpAddress", "ipv6Addresses", "hardware", "networking", "sshKeyName", "addOns", "createdAt",
            "state")
    out: dict[str, Any] = {k: raw.get(k) for k in keep if k in raw}
    out["tags"] = tag_map([{"Key": t["key"], "Value": t.get("value", "")} for t in raw.get("tags") or []])
    return out


INSTANCE = ResourceType(
    service="lightsail", type="instance", scope="regional", client="lightsail",
    list=Call("get_instances", result="instances", paginate=True),
    id=lambda r: r["name"],
    transform=transform_instance,
    volatile=("hardware.cpuCount.current", "hardware.disks.*.gbInUse"),
    # running/stopped and the disks' attachment states: recorded, not configuration (docs/diff.md)
    status=("state", "hardware.disks.*.state", "hardware.disks.*.attachmentState", "hardware.disks.*.autoMountStatus",
            "hardware.disks.*.addOns.*.status", "hardware.disks.*.addOns.*.nextSnapshotTimeOfDay",
            "addOns.*.status", "addOns.*.nextSnapshotTimeOfDay"),
    unordered=("networking.ports", "ipv6Addresses"),
    schema="aws.lightsail.instance",
    extras=take_snapshot,
    permissions=("lightsail:GetInstances",),
)

STATIC_IP = ResourceType(
    service="lightsail", type="static-ip", scope="regional", client="lightsail", primary=False,
    list=Call("get_static_ips", result="staticIps", paginate=True),
    id=lambda r: r["name"],
    transform=lambda r: {k: r.get(k) for k in ("name", "arn", "ipAddress", "attachedTo", "isAttached")},
    schema="aws.lightsail.static-ip",
    permissions=("lightsail:GetStaticIps",),
)

DOMAIN = ResourceType(
    service="lightsail", type="domain", scope="regional", client="lightsail", primary=False,
    list=Call("get_domains", result="domains", paginate=True),
    id=lambda r: r["name"],
    transform=lambda r: {"name": r["name"], "arn": r.get("arn"),
                         "domainEntries": sorted(r.get("domainEntries") or [],
                                                 key=lambda e: (e.get("name", ""), e.get("type", ""), str(e.get("target"))))},
    unordered=(),
    schema="aws.lightsail.domain",
    permissions=("lightsail:GetDomains",),
)

SNAPSHOT = ResourceType(
    service="lightsail", type="snapshot", scope="regional", client="lightsail", primary=False,
    list=Call("get_instance_snapshots", result="instanceSnapshots", paginate=True),
    id=lambda r: r["name"],
    transform=lambda r: {k: r.get(k) for k in ("name", "arn", "fromInstanceName", "sizeInGb", "createdAt", "state")},
    status=("state",),  # pending -> available
    schema="aws.lightsail.snapshot",
    permissions=("lightsail:GetInstanceSnapshots",),
)

# Snapshots are listed after instances, so one taken by --lightsail-snapshot is in the list.
TYPES = (INSTANCE, STATIC_IP, DOMAIN, SNAPSHOT)
