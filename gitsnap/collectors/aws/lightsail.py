"""Lightsail (regional): instances, static IPs, domains and the list of instance snapshots.

With ``capture --lightsail-snapshot`` (which needs ``--tag``), an instance snapshot named
``<instance>-<tag>`` is created first, as the seeds did by hand, and its name is recorded in
the instance's document. That is the one write a capture can make, and only when asked.

Restore puts back DNS zones (a deleted one is created again with its entries; entries are
created, changed, and deleted with --delete) and static IP attachments. It does not recreate a
released static IP (a new allocation is a new address), an instance (its disk lives only in
Lightsail: recreate it from an instance snapshot) or an instance snapshot: those say how.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import botocore.exceptions as bx

from ..context import UnitContext
from ..restoring import Operation, RestoreContext
from ..spec import Call, Extras, NotRestorable, Raw, ResourceType, Restorer
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


# -- restore: static IPs ---------------------------------------------------------------------

def plan_static_ip(ctx: RestoreContext, address: str) -> list[Operation]:
    """Attached to the snapshot's instance again (or detached); the address itself cannot change."""
    want, have = ctx.want(address), ctx.have(address)
    ls = ctx.client("lightsail", address)
    name = want["name"]
    ops: list[Operation] = []
    if want.get("ipAddress") != have.get("ipAddress"):
        ops.append(Operation(address, "cannot-restore", "ipAddress", (
            f"{have.get('ipAddress')}: live's is another address (the one in the snapshot was released): point the DNS "
            "records that named the old one at it")))
    wa = want.get("attachedTo") if want.get("isAttached") else None
    ha = have.get("attachedTo") if have.get("isAttached") else None
    if wa != ha:
        def attach() -> None:
            if ha:
                ls.detach_static_ip(staticIpName=name)
            if wa:
                ls.attach_static_ip(staticIpName=name, instanceName=wa)

        ops.append(Operation(address, "update", "attachedTo", f"{ha} -> {wa}", run=attach))
    for field in sorted(set(want) | set(have)):
        if field not in ("name", "ipAddress", "attachedTo", "isAttached") and want.get(field) != have.get(field):
            ops.append(Operation(address, "cannot-restore", field, "set by Lightsail; not changeable"))
    return ops


def delete_static_ip(ctx: RestoreContext, address: str) -> list[Operation]:
    ls = ctx.client("lightsail", address)
    have = ctx.have(address)
    return [Operation(address, "delete", address, f"release {have.get('ipAddress')} (live only, --delete): the address "
                                                  "is gone for good",
                      run=lambda: ls.release_static_ip(staticIpName=have["name"]))]


# -- restore: DNS zones ----------------------------------------------------------------------

DELEGATION = ("NS", "SOA")  # the zone's own records at its apex: Lightsail assigns them


def _key(entry: Raw) -> tuple[str, str]:
    return (str(entry.get("name", "")).lower().rstrip("."), str(entry.get("type", "")))


def _entry(entry: Raw) -> Raw:
    """An entry as CreateDomainEntry takes it (no id: Lightsail assigns one). Pure."""
    return {k: entry[k] for k in ("name", "target", "isAlias", "type", "options") if entry.get(k) is not None}


def _live_entry(ls: Any, domain: str, entry: Raw) -> Raw:
    """Live's entry (with the id Update/DeleteDomainEntry need), read when the call is made."""
    for found in ls.get_domain(domainName=domain)["domain"].get("domainEntries") or []:
        if _key(found) == _key(entry) and found.get("target") == entry.get("target"):
            return found
    return entry


def _with_id(entry: Raw, live: Raw) -> Raw:
    """*entry* under live's id (UpdateDomainEntry names the entry it changes by it). Pure."""
    return {**entry, "id": live["id"]} if live.get("id") else entry


def transform_entry_changes(want: list[Raw], have: list[Raw], apex: str) -> list[tuple[str, Raw | None, Raw | None]]:
    """(verb, snapshot entry, live entry) per difference: ``update`` where a name and type hold one
    entry on each side, else ``create`` and ``remove``; ``delegation`` for the apex's NS and SOA.
    Pure."""
    groups: dict[tuple[str, str], tuple[list[Raw], list[Raw]]] = {}
    for side, entries in ((0, want), (1, have)):
        for e in entries:
            groups.setdefault(_key(e), ([], []))[side].append(_entry(e))
    out: list[tuple[str, Raw | None, Raw | None]] = []
    for key in sorted(groups):
        w, h = groups[key]
        if w == h or sorted(map(str, w)) == sorted(map(str, h)):
            continue
        if key[1] in DELEGATION and key[0] == apex.lower().rstrip("."):
            out.append(("delegation", w[0] if w else None, h[0] if h else None))
        elif len(w) == 1 and len(h) == 1:
            out.append(("update", w[0], h[0]))
        else:
            out += [("create", e, None) for e in w if e not in h] + [("remove", None, e) for e in h if e not in w]
    return out


def _entry_ops(ctx: RestoreContext, address: str, domain: str, want: list[Raw], have: list[Raw]) -> list[Operation]:
    ls = ctx.client("lightsail", address)
    ops: list[Operation] = []

    def op(verb: str, entry: Raw, detail: str, run: Callable[[], Any] | None = None) -> None:
        ops.append(Operation(address, verb, f"domainEntries {entry.get('name')} {entry.get('type')}", detail, run=run))

    for verb, w, h in transform_entry_changes(want, have, domain):
        if verb == "delegation":
            op("cannot-restore", w or h or {}, f"{(h or {}).get('target')}: assigned by Lightsail to this zone: set the "
                                               "registrar's name servers to live's")
        elif verb == "update" and w is not None and h is not None:
            op("update", w, f"{h.get('target')} -> {w.get('target')}",
               lambda w=w, h=h: ls.update_domain_entry(domainName=domain, domainEntry=_with_id(
                   w, _live_entry(ls, domain, h))))
        elif verb == "create" and w is not None:
            op("create", w, f"-> {w.get('target')}",
               lambda w=w: ls.create_domain_entry(domainName=domain, domainEntry=w))
        elif h is not None and ctx.delete:
            op("delete", h, f"{h.get('target')} (live only, --delete)",
               lambda h=h: ls.delete_domain_entry(domainName=domain, domainEntry=_live_entry(ls, domain, h)))
        elif h is not None:
            op("kept", h, f"{h.get('target')}: live only; --delete removes it")
    return ops


def plan_domain(ctx: RestoreContext, address: str) -> list[Operation]:
    want, have = ctx.want(address), ctx.have(address)
    return _entry_ops(ctx, address, want["name"], want.get("domainEntries") or [], have.get("domainEntries") or [])


def create_domain(ctx: RestoreContext, address: str) -> list[Operation]:
    """The zone again, then its entries (not its apex NS and SOA: the new zone has its own)."""
    want = ctx.want(address)
    ls = ctx.client("lightsail", address)
    domain = want["name"]
    own = [e for e in want.get("domainEntries") or []
           if not (e.get("type") in DELEGATION and _key(e)[0] == domain.lower().rstrip("."))]
    create = Operation(address, "create", address, "Lightsail gives the new zone its own name servers: set them at the "
                                                   "registrar (the next plan lists them)",
                       run=lambda: ls.create_domain(domainName=domain))
    return [create, *_entry_ops(ctx, address, domain, own, [])]


def delete_domain(ctx: RestoreContext, address: str) -> list[Operation]:
    ls = ctx.client("lightsail", address)
    domain = ctx.have(address)["name"]
    return [Operation(address, "delete", address, "live only (--delete), with all its entries",
                      run=lambda: ls.delete_domain(domainName=domain))]



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
    restore=NotRestorable(
        "an instance's disk lives only in Lightsail: recreate it from an instance snapshot (aws lightsail "
        "create-instances-from-snapshot --instance-snapshot-name SNAPSHOT --instance-names NAME --availability-zone "
        "ZONE --bundle-id BUNDLE; 'gitsnap capture --lightsail-snapshot' takes one per capture), then attach its static "
        "IP again (aws lightsail attach-static-ip)"),
)

STATIC_IP = ResourceType(
    service="lightsail", type="static-ip", scope="regional", client="lightsail", primary=False,
    list=Call("get_static_ips", result="staticIps", paginate=True),
    id=lambda r: r["name"],
    transform=lambda r: {k: r.get(k) for k in ("name", "arn", "ipAddress", "attachedTo", "isAttached")},
    schema="aws.lightsail.static-ip",
    permissions=("lightsail:GetStaticIps",),
    # after the instances it attaches to (not restored by gitsnap), before DNS that names it
    restore=Restorer(
        update=plan_static_ip, delete=delete_static_ip, rank=60,
        permissions=("lightsail:AttachStaticIp", "lightsail:DetachStaticIp", "lightsail:ReleaseStaticIp"),
        cannot_create=("a released static IP cannot be allocated again: a new allocation is a new address, and DNS "
                       "records and clients name the old one. Allocate one (aws lightsail allocate-static-ip "
                       "--static-ip-name NAME), attach it (aws lightsail attach-static-ip), then point the DNS records "
                       "at its address"),
    ),
)

DOMAIN = ResourceType(
    service="lightsail", type="domain", scope="regional", client="lightsail", primary=False,
    list=Call("get_domains", result="domains", paginate=True),
    id=lambda r: r["name"],
    transform=lambda r: {"name": r["name"], "arn": r.get("arn"),
                         "domainEntries": sorted(r.get("domainEntries") or [],
                                                 key=lambda e: (e.get("name", ""), e.get("type", ""), str(e.get("target"))))},
    # the ids Lightsail gives entries: a recreated entry gets a new one; they are not configuration
    volatile=("domainEntries.*.id",),
    schema="aws.lightsail.domain",
    permissions=("lightsail:GetDomains",),
    restore=Restorer(
        update=plan_domain, create=create_domain, delete=delete_domain, rank=70,
        permissions=("lightsail:CreateDomain", "lightsail:DeleteDomain", "lightsail:CreateDomainEntry",
                     "lightsail:UpdateDomainEntry", "lightsail:DeleteDomainEntry", "lightsail:GetDomain"),
    ),
)

SNAPSHOT = ResourceType(
    service="lightsail", type="snapshot", scope="regional", client="lightsail", primary=False,
    list=Call("get_instance_snapshots", result="instanceSnapshots", paginate=True),
    id=lambda r: r["name"],
    transform=lambda r: {k: r.get(k) for k in ("name", "arn", "fromInstanceName", "sizeInGb", "createdAt", "state")},
    status=("state",),  # pending -> available
    schema="aws.lightsail.snapshot",
    permissions=("lightsail:GetInstanceSnapshots",),
    restore=NotRestorable(
        "a snapshot's data lives only in Lightsail: a deleted one is gone (a copy in another region comes back with "
        "aws lightsail copy-snapshot); take a new one with 'gitsnap capture --lightsail-snapshot --tag T' or aws "
        "lightsail create-instance-snapshot"),
)

# Snapshots are listed after instances, so one taken by --lightsail-snapshot is in the list.
TYPES = (INSTANCE, STATIC_IP, DOMAIN, SNAPSHOT)
