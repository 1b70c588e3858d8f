"""A table's items, opt-in (``[aws.dynamodb] items``): one canonical JSON line per item.

Items are read by a paginated parallel Scan (``Segment``/``TotalSegments``) and written to
``items.jsonl`` beside the table's document, sorted by key, each line the item in DynamoDB
JSON (``{"pk": {"S": "a"}, "n": {"N": "5"}}``; binary values base64, set members sorted), so an
unchanged table yields the identical blob and a changed item changes one line. Past
``items_max_bytes`` the table's items are recorded as not captured, never as empty.

Every string and number value passes the secrets guard with its attribute's name, as a
document's fields do: what it flags is replaced by its fingerprint (and sealed), and restore
puts the sealed value back.
"""

from __future__ import annotations

import base64
import fnmatch
import json
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import botocore.exceptions as bx

from ....canonical import dumps_line
from ....changes import Change, diff_documents
from ...context import UnitContext
from ...spec import Extras, Raw
from ..clients import pages, translate

ITEMS = "items.jsonl"
Item = dict[str, Any]


class ItemsOverCap(Exception):  # noqa: N818 (a signal for the caller, which records "not captured")
    """The table's items passed ``[aws.dynamodb] items_max_bytes`` while they were read."""


def wants_items(config: Any, table: str) -> bool:
    """Whether ``[aws.dynamodb] items`` names this table. Pure."""
    return any(fnmatch.fnmatchcase(table, g) for g in getattr(config, "dynamodb_items", ()))


def key_names(table: dict[str, Any] | None) -> list[str]:
    """The table's key attributes, partition key first. Pure."""
    schema = (table or {}).get("KeySchema") or []
    return [k["AttributeName"] for k in sorted(schema, key=lambda k: k.get("KeyType") != "HASH")]


# -- the line format ---------------------------------------------------------------------------

def to_json_value(av: Any) -> Any:
    """An attribute value as botocore gives it, as JSON: bytes base64, set members sorted. Pure."""
    if not isinstance(av, dict):
        return av
    out: dict[str, Any] = {}
    for kind, v in av.items():
        if kind == "B":
            out[kind] = base64.b64encode(bytes(v)).decode("ascii") if isinstance(v, bytes | bytearray) else v
        elif kind == "BS":
            out[kind] = sorted(base64.b64encode(bytes(b)).decode("ascii") if isinstance(b, bytes | bytearray) else b
                               for b in v)
        elif kind == "SS":
            out[kind] = sorted(v)
        elif kind == "NS":
            out[kind] = sorted(v, key=_number)
        elif kind == "M":
            out[kind] = {name: to_json_value(x) for name, x in v.items()}
        elif kind == "L":
            out[kind] = [to_json_value(x) for x in v]
        else:
            out[kind] = v
    return out


def from_json_value(av: Any) -> Any:
    """The inverse of :func:`to_json_value`: base64 back to bytes, for a write. Pure."""
    if not isinstance(av, dict):
        return av
    out: dict[str, Any] = {}
    for kind, v in av.items():
        if kind == "B":
            out[kind] = base64.b64decode(v)
        elif kind == "BS":
            out[kind] = [base64.b64decode(b) for b in v]
        elif kind == "M":
            out[kind] = {name: from_json_value(x) for name, x in v.items()}
        elif kind == "L":
            out[kind] = [from_json_value(x) for x in v]
        else:
            out[kind] = v
    return out


def to_json_item(item: Item) -> Item:
    return {name: to_json_value(av) for name, av in item.items()}


def from_json_item(item: Item) -> Item:
    return {name: from_json_value(av) for name, av in item.items()}


def _number(text: str) -> Any:
    try:
        return Decimal(text)
    except ArithmeticError:  # a fingerprint where a number was: after every number
        return Decimal("Infinity")


def _key_part(av: Any) -> tuple[int, Any]:
    """One key value, comparable: numbers as numbers; strings and binaries as text."""
    if isinstance(av, dict) and "N" in av:
        return (0, _number(av["N"]))
    if isinstance(av, dict):
        return (1, str(av.get("S", av.get("B", ""))))
    return (2, "")


def sort_key(item: Item, keys: Sequence[str]) -> tuple[Any, ...]:
    """An item's place in ``items.jsonl``: by its key attributes, partition key first. Pure."""
    return tuple(_key_part(item.get(k)) for k in keys)


def key_of(item: Item, keys: Sequence[str]) -> str:
    """An item's key as one canonical JSON text (``{"pk":{"S":"a"}}``): its identity. Pure."""
    return dumps_line({k: item.get(k) for k in keys})


def dump_items(items: Iterable[Item]) -> bytes:
    """Items (already JSON values, in order) as ``items.jsonl``. Pure."""
    return "".join(dumps_line(i) + "\n" for i in items).encode("utf-8")


def load_items(data: bytes | None) -> list[Item]:
    """``items.jsonl`` as items (JSON values). Pure."""
    if not data:
        return []
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]


# -- reading -----------------------------------------------------------------------------------

def scan_items(client: Any, table: str, segments: int, max_bytes: int) -> list[Item]:
    """Every item of *table* (as JSON values), by a parallel Scan.

    Raises:
        ItemsOverCap: their lines passed *max_bytes*: the reading stops there.
        botocore errors: as they come (the caller translates them).
    """
    total = [0]
    lock = threading.Lock()
    over = threading.Event()

    def segment(n: int) -> list[Item]:
        params: dict[str, Any] = {"TableName": table}
        if segments > 1:
            params.update(Segment=n, TotalSegments=segments)
        found: list[Item] = []
        for page in pages(client, "scan", **params):  # each page from the last one's LastEvaluatedKey
            got = [to_json_item(i) for i in page.get("Items", [])]
            size = sum(len(dumps_line(i).encode("utf-8")) + 1 for i in got)
            with lock:
                total[0] += size
                if total[0] > max_bytes:
                    over.set()
            if over.is_set():  # this segment's, or another's: stop reading
                break
            found.extend(got)
        return found

    with ThreadPoolExecutor(segments, thread_name_prefix="gitsnap-scan") as pool:
        parts = list(pool.map(segment, range(segments)))
    if over.is_set():
        raise ItemsOverCap(total[0])
    return [i for part in parts for i in part]


def _view(av: Any) -> Any:
    """The scannable values of an attribute value, in its shape: strings and numbers as text,
    sets as lists, maps and lists inside; binaries, booleans and nulls as None (not scanned)."""
    if not isinstance(av, dict) or len(av) != 1:
        return None
    (kind, v), = av.items()
    if kind in ("S", "N"):
        return v
    if kind in ("SS", "NS"):
        return list(v)
    if kind == "M":
        return {name: _view(x) for name, x in v.items()}
    if kind == "L":
        return [_view(x) for x in v]
    return None


def _unview(av: Any, view: Any) -> Any:
    """*av* with the (possibly redacted) values of its *view* put back. Pure."""
    if not isinstance(av, dict) or len(av) != 1 or view is None:
        return av
    (kind, v), = av.items()
    if kind in ("S", "N"):
        return {kind: view}
    if kind in ("SS", "NS"):
        return {kind: sorted(view, key=_number) if kind == "NS" else sorted(view)}
    if kind == "M":
        return {"M": {name: _unview(x, view.get(name)) for name, x in v.items()}}
    if kind == "L":
        return {"L": [_unview(x, y) for x, y in zip(v, view, strict=True)]}
    return av


def guard_items(ctx: UnitContext, items: list[Item], where: str) -> list[Item]:
    """Items through the secrets guard, each value with its attribute's name: flagged values
    become fingerprints (and are sealed, in a capture)."""
    views = [{name: _view(av) for name, av in item.items()} for item in items]
    to_seal = ctx.sink.guard.document(views, where)
    if not to_seal:
        return items
    ctx.sink.seal_values(to_seal, ctx.sealed)
    return [{name: _unview(av, view.get(name)) for name, av in item.items()} for item, view in zip(items, views, strict=True)]


def items_extras(ctx: UnitContext, raw: Raw, _doc: Raw, rid: str) -> Extras:
    """``items.jsonl`` for a table ``[aws.dynamodb] items`` names; nothing for the others."""
    if not wants_items(ctx.config, rid):
        return Extras()
    address = f"dynamodb/{rid}"
    cap = ctx.config.dynamodb_items_max_bytes
    try:
        items = scan_items(ctx.client("dynamodb"), rid, max(1, ctx.config.dynamodb_items_segments), cap)
    except ItemsOverCap:
        why = (f"over [aws.dynamodb] items_max_bytes ({cap} bytes): raise it, or leave the table out of "
               "[aws.dynamodb] items")
        ctx.warn(f"{address}: items not captured, {why}")
        return Extras(doc_updates={"Items": {"Captured": False, "Why": why}})
    except (bx.BotoCoreError, bx.ClientError) as exc:
        raise translate(exc, f"{address}: dynamodb:Scan") from exc
    keys = key_names(raw.get("Table"))
    items.sort(key=lambda i: sort_key(i, keys))
    data = dump_items(guard_items(ctx, items, f"{address} {ITEMS}"))
    return Extras(files={ITEMS: data}, doc_updates={"Items": {"Captured": True}},
                  summary={"items": len(items), "bytes": len(data)})


# -- differences -------------------------------------------------------------------------------

def item_changes(address: str, old: bytes | None, new: bytes | None, keys: Sequence[str]) -> list[Change]:
    """Item-level changes between two ``items.jsonl``: an item added, removed, or changed
    (attribute by attribute, under ``item <key>``). Pure.

    *keys* are the table's key attributes (:func:`key_names` of its document)."""
    before = {key_of(i, keys): i for i in load_items(old)}
    after = {key_of(i, keys): i for i in load_items(new)}
    out: list[Change] = []
    for k in sorted(set(before) | set(after)):
        where = f"item {k}"
        if k not in before:
            out.append(Change(address, "added", where, None, after[k]))
        elif k not in after:
            out.append(Change(address, "removed", where, before[k], None))
        elif before[k] != after[k]:
            for ch in diff_documents(address, before[k], after[k]):
                out.append(Change(address, ch.kind, f"{where} {ch.path}".rstrip(), ch.old, ch.new,
                                  redacted=ch.redacted))
    return out
