"""The one generic runner that executes every ResourceType spec.

get (I/O: list, detail calls, extras) and transform (pure) are kept apart so the
shaping of documents is testable without any AWS. A failed call is never read as
"no resources": it raises, and the engine decides what the failure means.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import botocore.exceptions as bx

from ..canonical import plain
from .aws.clients import error_code, translate
from .context import UnitContext
from .errors import VanishedError
from .spec import Call, Extras, Raw, ResourceType

DETAIL_WORKERS = 8  # resources completed at once
CALL_WORKERS = 16  # detail calls in flight at once (per resource type)


@dataclass
class Collected:
    """One resource read from live state, before normalization and redaction."""

    spec: ResourceType
    id: str
    document: Raw
    extras: Extras


def dig(data: Any, path: str | None) -> Any:
    if not path:
        return data
    for part in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def call(ctx: UnitContext, spec: ResourceType, c: Call, raw: Raw, what: str) -> Any:
    """Run one declared call; ``absent`` error codes give ``None`` ("not configured")."""
    client = ctx.client(c.client or spec.client)
    params = dict(c.params(raw))
    try:
        if c.paginate:
            resp = client.get_paginator(c.method).paginate(**params).build_full_result()
        else:
            resp = getattr(client, c.method)(**params)
    except (bx.BotoCoreError, bx.ClientError) as exc:
        if error_code(exc) in c.absent:
            return None
        raise translate(exc, f"{what}: {c.client or spec.client}:{c.method}") from exc
    if isinstance(resp, dict):
        resp.pop("ResponseMetadata", None)
    return dig(resp, c.result)


def list_resources(ctx: UnitContext, spec: ResourceType) -> list[Raw]:
    where = f"{spec.service} in {ctx.region}"
    if spec.enumerate is not None:
        return list(spec.enumerate(ctx))
    assert spec.list is not None, f"{spec.service}/{spec.type} declares neither list nor enumerate"
    items = list(call(ctx, spec, spec.list, {}, where) or [])
    if spec.item_key:
        items = [{spec.item_key: i} for i in items]
    return items


def read_one(ctx: UnitContext, spec: ResourceType, raw: Raw, calls: ThreadPoolExecutor) -> Collected | None:
    """Complete one listed resource: declared calls concurrently (they see only the listed
    fields), then ``fetch`` functions in order (they see everything), then transform."""
    rid = spec.id(raw)
    address = spec.address(rid)
    try:
        listed = dict(raw)
        pending = [(d.into, calls.submit(call, ctx, spec, d.call, listed, address))
                   for d in spec.details if d.call is not None]
        try:
            for into, fut in pending:
                raw[into] = fut.result()
        finally:
            for _, fut in pending:
                fut.cancel()
        for detail in spec.details:
            if detail.fetch is not None:
                raw[detail.into] = detail.fetch(ctx, raw)
        document = plain(spec.transform(raw))
        extras = spec.extras(ctx, raw, document, rid) if spec.extras else Extras()
    except VanishedError as exc:
        ctx.warn(f"{address}: deleted while it was being captured ({exc}); left out of this snapshot")
        return None
    return Collected(spec=spec, id=rid, document=document, extras=extras)


def collect(ctx: UnitContext, spec: ResourceType) -> Iterator[Collected]:
    """Every resource of *spec* in this unit, sorted by id."""
    items = list_resources(ctx, spec)
    key = f"{ctx.unit_path}/{spec.type}"
    ctx.reporter.start(key, f"{spec.service}/{spec.type} {ctx.region}", total=len(items))
    with ThreadPoolExecutor(DETAIL_WORKERS, thread_name_prefix=f"gitsnap-{spec.service}") as pool, \
            ThreadPoolExecutor(CALL_WORKERS, thread_name_prefix=f"gitsnap-{spec.service}-call") as calls:
        results = []
        for done in pool.map(lambda raw: read_one(ctx, spec, raw, calls), items):
            ctx.reporter.advance(key)
            if done is not None:
                results.append(done)
    ctx.reporter.finish(key)
    yield from sorted(results, key=lambda c: c.id)
