"""The one generic runner that executes every ResourceType spec.

get (I/O: list, detail calls, extras) and transform (pure) are kept apart so the
shaping of documents is testable without any AWS. A failed call is never read as
"no resources": it raises, and the engine decides what the failure means.

Unknown is never recorded as absent. A resource is left out as deleted only when its
own identity read (the :class:`~.spec.Call` declared ``identity=True``, e.g. GetFunction
for that function) says it is gone. When only a part of it vanishes (an inline policy
deleted between ListRolePolicies and GetRolePolicy), the whole resource is read again,
up to ``READ_TRIES`` times: the identity read then shows it gone, or a consistent
reading is found, or the read fails (and with it the unit).

The runner knows no provider: it calls each unit's API through ``ctx.api``
(:class:`~.api.Api`), which says how a call is made and paginated, what its error code is,
which gitsnap error a failure is, and how an embedded document parses.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from ..canonical import plain
from .api import Api, UnusableAnswer
from .context import UnitContext
from .errors import IncompleteAnswerError, UnsettledError, VanishedError
from .spec import Call, Extras, Raw, ResourceType

log = logging.getLogger(__name__)

DETAIL_WORKERS = 8  # resources completed at once
CALL_WORKERS = 16  # detail calls in flight at once (per resource type)
READ_TRIES = 3  # readings of one resource while parts of it vanish
ANSWER_TRIES = 2  # askings of one call while its answer is incomplete


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


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        data = data[part]
    data[last] = value


def incomplete(resp: dict[str, Any], c: Call, api: Api) -> str | None:
    """What is wrong with an answer, or None: a required key missing, a policy document
    that does not parse (as *api* parses them). Parses the documents in place."""
    for path in c.required:
        if dig(resp, path) is None:
            return f"no {path}"
    for path in c.documents:
        value = dig(resp, path)
        if value is None:
            continue
        try:
            _put(resp, path, api.document(value))
        except ValueError:
            return f"{path} is not a JSON document ({len(value)} characters)"
    return None


def call(ctx: UnitContext, spec: ResourceType, c: Call, raw: Raw, what: str) -> Any:
    """Run one declared call; ``absent`` error codes give ``None`` ("not configured").

    An incomplete answer (a required key missing, a policy that does not parse, a page
    truncated without a token) is asked again once, then raises IncompleteAnswerError.
    A not-found answer raises VanishedError, about the resource itself if *c* is its
    identity call.
    """
    service = c.client or spec.client
    client = ctx.client(service)
    api = ctx.api
    params = dict(c.params(raw))
    name = f"{service}:{c.method}"
    problem = ""
    for _ in range(ANSWER_TRIES):
        try:
            resp = api.call(client, c, params)
        except UnusableAnswer as exc:
            problem = str(exc)
        except Exception as exc:
            if api.code(exc) in c.absent:
                return None
            err = api.translate(exc, f"{what}: {name}")
            if err is None:
                raise  # not a failure the provider answered with: a bug, reported as one
            if isinstance(err, VanishedError):
                err.of_resource = c.identity
            raise err from exc
        else:
            if not isinstance(resp, dict):
                return resp
            found = incomplete(resp, c, api)
            if found is None:
                return dig(resp, c.result)
            problem = found
        log.info("%s: %s answered incompletely (%s); asking again", what, name, problem)
    raise IncompleteAnswerError(
        f"{what}: {name} answered incompletely twice ({problem}); nothing was recorded from it: "
        "capture again (report it if it persists)")


def list_resources(ctx: UnitContext, spec: ResourceType, listed: Iterable[Raw] | None = None) -> list[Raw]:
    """The resources to read: *listed* when planning already listed them (a ``locate`` hook),
    else from the type's ``enumerate`` or ``list`` call."""
    where = f"{spec.service} in {ctx.region}"
    if listed is not None:
        return [dict(raw) for raw in listed]
    if spec.enumerate is not None:
        return list(spec.enumerate(ctx))
    assert spec.list is not None, f"{spec.service}/{spec.type} declares neither list nor enumerate"
    items = list(call(ctx, spec, spec.list, {}, where) or [])
    if spec.item_key:
        items = [{spec.item_key: i} for i in items]
    return items


def read_one(ctx: UnitContext, spec: ResourceType, raw: Raw, calls: ThreadPoolExecutor) -> Collected | None:
    """Complete one listed resource, or None if its identity read shows it deleted.

    A part that vanished while the resource was read is not "deleted": the resource is read
    again (from its listed fields), and if a part still vanishes after ``READ_TRIES``
    readings without the resource being shown gone, UnsettledError names it.
    """
    rid = spec.id(raw)
    address = spec.address(rid)
    last: VanishedError | None = None
    for _ in range(READ_TRIES):
        try:
            return _read(ctx, spec, dict(raw), calls, rid, address)
        except VanishedError as exc:
            if exc.of_resource:
                ctx.warn(f"{address}: deleted while it was being captured ({exc}); left out of this snapshot")
                return None
            last = exc
            log.info("%s: a part vanished while it was read (%s); reading it again", address, exc)
    raise UnsettledError(
        f"{address}: a part of it vanished each of {READ_TRIES} times it was read ({last}), and the "
        "resource itself was not shown deleted; its state is unknown: capture again") from last


def _read(ctx: UnitContext, spec: ResourceType, raw: Raw, calls: ThreadPoolExecutor, rid: str,
          address: str) -> Collected:
    """One reading: declared calls concurrently (they see only the listed fields), then
    ``fetch`` functions in order (they see everything), then transform and extras."""
    listed = dict(raw)
    # the identity call first: its answer is read first, so "the resource is gone" outranks
    # "a part of it vanished" when both come back from one reading
    declared = sorted((d for d in spec.details if d.call is not None), key=lambda d: not d.call.identity)  # type: ignore[union-attr]
    pending = [(d.into, calls.submit(call, ctx, spec, d.call, listed, address)) for d in declared]
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
    return Collected(spec=spec, id=rid, document=document, extras=extras)


def collect(ctx: UnitContext, spec: ResourceType, listed: Iterable[Raw] | None = None) -> Iterator[Collected]:
    """Every resource of *spec* in this unit, sorted by id (*listed*: already listed by planning)."""
    items = list_resources(ctx, spec, listed)
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
