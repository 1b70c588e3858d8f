"""What the CloudFront types share: listings paged by ``Marker``, names for ids, the ETag guard,
tags, and the plan lines of a changed configuration.

CloudFront assigns the ids of policies, origin access controls and KeyValueStores when they
are created, so a recreated one has a new id: gitsnap addresses them by *name*
(``cloudfront/cache-policy/NAME``), keeps the id in the document's status section, and a
distribution (or function) refers to them by address. A restore sends whatever id the named
resource has live when the write is made (:func:`live_ids`), not the snapshot's.
"""

from __future__ import annotations

import json
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import botocore.exceptions as bx

from ...context import UnitContext
from ...errors import CollectorError
from ...restoring import IDENTITY_HINT, NEEDS_IDENTITY, Operation, RestoreContext, RestoreError
from ...run import call
from ...spec import Call, Raw, ResourceType
from ..clients import error_code

# CloudFront's answers to a write whose IfMatch is no longer the resource's ETag
STALE = ("PreconditionFailed", "PreconditionFailedException", "InvalidIfMatchVersion")
MAX_SHOWN = 120


def shown(value: Any) -> str:
    """A value as a plan line shows it (JSON, cut short). Pure."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."


def guarded(what: str, fn: Callable[..., Any], **kw: Any) -> Any:
    """Call a write guarded by IfMatch/LockToken; a refused stale version is a RestoreError."""
    try:
        return fn(**kw)
    except bx.ClientError as exc:
        if error_code(exc) in STALE or error_code(exc) == "WAFOptimisticLockException":
            raise RestoreError(f"{what} changed after the plan was made (the service refused the stale "
                               "version); nothing more was applied: plan again") from exc
        raise


_guarded = guarded  # the name restore/aws.py gave it


# -- listings ------------------------------------------------------------------------------------

def marker_pages(fetch: Callable[[str | None], dict[str, Any]], what: str) -> Iterator[Any]:
    """Every item of a CloudFront list whose pages are chained by ``NextMarker`` (botocore has
    no paginator for ListFunctions, ListCachePolicies and the like). *fetch(marker)* returns one
    page's list object (``{"Items": [...], "NextMarker": ...}``).

    Raises:
        CollectorError: a page gave back the marker it was asked with (it would never end).
    """
    marker: str | None = None
    while True:
        page = fetch(marker) or {}
        yield from page.get("Items") or []
        following = page.get("NextMarker")
        if not following:
            return
        if following == marker:
            raise CollectorError(f"{what}: the listing repeats its page marker {following!r} (it would never end): "
                                 "capture again (report it if it persists)")
        marker = following


def list_all(ctx: UnitContext, spec: ResourceType, method: str, key: str, **params: Any) -> list[Any]:
    """A whole CloudFront listing through the runner's call (errors translated, answers checked):
    botocore's paginator where it has one (checked pages), else ``NextMarker`` by hand."""
    where = f"{spec.service} in {ctx.region}"
    if ctx.client(spec.client).can_paginate(method):
        paged = Call(method, params=lambda _r: params, result=f"{key}.Items", paginate=True)
        return list(call(ctx, spec, paged, {}, where) or [])

    def page(marker: str | None) -> dict[str, Any]:
        extra = {"Marker": marker} if marker else {}
        return call(ctx, spec, Call(method, params=lambda _r: {**params, **extra}, result=key), {}, where)

    return list(marker_pages(page, f"{where}: {method}"))


def client_pages(client: Any, method: str, key: str, **params: Any) -> list[Any]:
    """A whole CloudFront listing with a plain client (restore: names to live ids)."""
    return list(marker_pages(
        lambda marker: getattr(client, method)(**params, **({"Marker": marker} if marker else {}))[key],
        method))


# Per capture unit, the listings that map ids to names (one listing each, whatever the
# number of distributions that need it)
_memo: dict[int, dict[str, Any]] = {}
_memo_lock = threading.Lock()


def unit_memo(ctx: UnitContext, key: str, make: Callable[[], Any]) -> Any:
    """``make()`` once per capture unit (and key): later calls in the unit get the same value."""
    with _memo_lock:
        if id(ctx) not in _memo:
            _memo[id(ctx)] = {}
            weakref.finalize(ctx, _memo.pop, id(ctx), None)
        slot = _memo[id(ctx)]
        lock = slot.setdefault(f"{key}/lock", threading.Lock())
    with lock:
        if key not in slot:
            slot[key] = make()
        return slot[key]


# -- tags --------------------------------------------------------------------------------------

def plan_tags(ctx: RestoreContext, address: str, arn: str, want: dict[str, str] | None,
              have: dict[str, str] | None, client: Any) -> list[Operation]:
    """TagResource for the snapshot's tags live lacks or has otherwise; a live-only key is kept,
    unless --delete (UntagResource)."""
    want, have = want or {}, have or {}
    ops: list[Operation] = []
    put = {k: v for k, v in sorted(want.items()) if have.get(k) != v}
    if put:
        items = [{"Key": k, "Value": v} for k, v in put.items()]
        ops.append(Operation(address, "tag", "Tags", ", ".join(
            f"{k}: {shown(have.get(k))} -> {shown(v)}" for k, v in put.items()),
            run=lambda: client.tag_resource(Resource=arn, Tags={"Items": items})))
    extra = sorted(set(have) - set(want))
    if extra and ctx.delete:
        ops.append(Operation(address, "untag", "Tags", ", ".join(extra),
                             run=lambda: client.untag_resource(Resource=arn, TagKeys={"Items": extra})))
    elif extra:
        ops.append(Operation(address, "kept", "Tags", f"{', '.join(extra)}: live only; --delete removes them"))
    return ops


def tag_items(tags: dict[str, str] | None) -> dict[str, Any]:
    """Tags as CloudFront's create calls take them. Pure."""
    return {"Items": [{"Key": k, "Value": v} for k, v in sorted((tags or {}).items())]}


# -- plan lines --------------------------------------------------------------------------------

def config_ops(ctx: RestoreContext, address: str, prefix: str, have: Any, want: Any,
               run: Callable[[], None]) -> list[Operation]:
    """One ``update`` line per changed field of a configuration, the first carrying *run* (the
    one call that writes the whole configuration); a changed sealed value without the identity
    is a ``needs-identity`` line."""
    ops: list[Operation] = []
    for ch in ctx.diff(address, have, want):
        target = f"{prefix}.{ch.path}" if ch.path else prefix
        if ch.redacted and not (ctx.reveal is not None and ctx.reveal.available):
            ops.append(Operation(address, NEEDS_IDENTITY, target, IDENTITY_HINT))
        elif ch.redacted:
            ops.append(Operation(address, "update", target, "the sealed value (differs live)"))
        else:
            ops.append(Operation(address, "update", target, f"{shown(ch.old)} -> {shown(ch.new)}"))
    updates = [op for op in ops if op.verb == "update"]
    if updates:
        updates[0].run = run
    return ops


def id_of(doc: Raw | None) -> str | None:
    """The service-assigned id a document keeps in its status section (or at the top). Pure."""
    if not doc:
        return None
    return (doc.get("status") or {}).get("Id") or doc.get("Id")
