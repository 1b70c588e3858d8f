"""Restore: send the ids the referenced resources have live, not the snapshot's.

A policy, origin access control, KeyValueStore or web ACL recreated by a restore has a new id
(and ARN). A document refers to each by address (``References``, see :mod:`.references`), so
the restore of a distribution or function maps each snapshot id to the id its named resource
has live: at plan time from the live documents (so an id that only changed because the
resource was recreated is not a difference), and again when the write is made (a resource this
same restore creates first has no id before then).
"""

from __future__ import annotations

from typing import Any

from ...restoring import RestoreContext
from . import kvs, policies
from .common import id_of

KINDS = {k.type: k for k in policies.KINDS}


def _split(address: str) -> tuple[str, str, str] | None:
    """(service, type, name) of a referenced address that a restore maps by name, or None. Pure."""
    parts = address.split("/", 2)
    if parts[0] == "wafv2" and len(parts) == 2:
        return "wafv2", "web-acl", parts[1]
    if parts[0] == "cloudfront" and len(parts) == 3 and (parts[1] in KINDS or parts[1] == "key-value-store"):
        return "cloudfront", parts[1], parts[2]
    return None  # functions are named by name in their ARN: nothing to map


def _live_value(ctx: RestoreContext, address: str) -> str | None:
    """What a reference to *address* must say, from live's document (None: not known live)."""
    where = _split(address)
    if where is None or where[0] not in ctx.live_services:
        return None
    doc = ctx.have(address)
    if doc is None:
        return None
    status = doc.get("status") or {}
    if where[1] in ("key-value-store", "web-acl"):
        return status.get("ARN") or doc.get("ARN")
    return id_of(doc)


def planned(ctx: RestoreContext, refs: list[dict[str, Any]]) -> dict[str, str]:
    """Snapshot id -> live id, for the references whose resource exists live under another id."""
    out = {}
    for ref in refs:
        live = _live_value(ctx, ref["Address"]) if ref.get("Address") else None
        if live and live != ref["Id"]:
            out[ref["Id"]] = live
    return out


def recreated(ctx: RestoreContext, refs: list[dict[str, Any]]) -> list[str]:
    """The referenced addresses this restore (re)creates: in the snapshot, absent live."""
    return sorted({ref["Address"] for ref in refs if ref.get("Address") and _split(ref["Address"])
                   and _split(ref["Address"])[0] in ctx.live_services  # type: ignore[index]
                   and ctx.want(ref["Address"]) is not None and ctx.have(ref["Address"]) is None})


def at_apply(ctx: RestoreContext, address: str, refs: list[dict[str, Any]]) -> dict[str, str]:
    """Snapshot id -> the id (or ARN) each referenced resource has live now, by its name."""
    wanted: dict[tuple[str, str], dict[str, str]] = {}  # (service, type) -> name -> snapshot id
    for ref in refs:
        where = _split(ref["Address"]) if ref.get("Address") else None
        if where:
            wanted.setdefault(where[:2], {})[where[2]] = ref["Id"]
    out: dict[str, str] = {}
    for (service, type_), by_name in sorted(wanted.items()):
        live = _names_live(ctx, address, service, type_)
        out.update({old: live[name] for name, old in by_name.items() if name in live and live[name] != old})
    return out


def _names_live(ctx: RestoreContext, address: str, service: str, type_: str) -> dict[str, str]:
    if service == "wafv2":
        from .. import wafv2

        return wafv2.live_arns(ctx.client("wafv2", address))
    cf = ctx.client("cloudfront", address)
    if type_ == "key-value-store":
        return kvs.live_arns(cf)
    return policies.live_ids(cf, KINDS[type_])

