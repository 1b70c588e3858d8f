"""Change records and the field-level diff of two documents: pure, below every reader.

Lists whose order has meaning (``ResourceType.ordered``) are compared by position: reordering
one is a change. Items that carry their own identity are still shown by it, and the order
itself is one more change at the list's path, ``old`` and ``new`` being the identities in order
(``details["order"]``). A document's ``status`` section is left out unless ``include_status``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from . import fieldpath
from .normalize import without_status
from .secrets.fingerprint import is_redacted

Kind = Literal["added", "removed", "changed"]
MAX_VALUE = 160  # characters of a value shown in a change or a plan line


def value(v: Any) -> str:
    """A value as one short line of JSON, for change and plan lines. Pure."""
    text = json.dumps(v, ensure_ascii=False) if isinstance(v, str) else json.dumps(v, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 3] + "..."
# List items that carry their own identity are compared by it, not by position.
IDENTITIES = (("Name", "Type", "SetIdentifier"), ("Id",), ("Key",), ("Name",), ("Sid",),
              ("HeaderName",), ("PathPattern",), ("UUID",), ("FunctionName",))


@dataclass(frozen=True)
class Change:
    """One difference. ``path`` is a field path, ``key <k>`` or ``file <f>``; empty for a whole resource.

    ``path`` is what people read and what ``[[ignore]] path`` globs match; ``location`` says the
    same for scripts, exactly: ``{"field": [...]}`` in the document, ``{"file": ...}``
    with ``key`` (an object index) and ``field`` (that key's field) when known. ``label`` is the name people know the
    resource by (gitsnap.labels), shown next to its address; neither takes part in equality.
    """

    address: str
    kind: Kind
    path: str = ""
    old: Any = None
    new: Any = None
    text_diff: str | None = None
    redacted: bool = False
    details: dict[str, Any] = field(default_factory=dict)
    texts: tuple[str, str] | None = field(default=None, compare=False, repr=False)  # for side-by-side views
    location: dict[str, Any] | None = field(default=None, compare=False)
    label: str | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"address": self.address, "kind": self.kind, "path": self.path}
        if self.label:
            out["label"] = self.label
        if self.location:
            out["location"] = self.location
        if self.redacted:
            out["redacted"] = True
        else:
            out.update(old=self.old, new=self.new)
        if self.details:
            out["details"] = self.details
        if self.text_diff is not None:
            out["text_diff"] = self.text_diff
        return out


def field_location(path: fieldpath.Segments) -> dict[str, Any]:
    """Where a document change is, for scripts: ``{"field": [...]}``, the path's segments (keys,
    list positions as numbers, identities of identified list items). Pure."""
    return {"field": list(path)}


def identities(items: list[Any]) -> list[str] | None:
    """Each item's identity (the first of IDENTITIES every item has, unique), or None. Pure."""
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    for ident in IDENTITIES:
        if all(ident[0] in i for i in items):
            keys = [" ".join(str(i[f]) for f in ident if i.get(f) is not None) for i in items]
            if len(set(keys)) == len(keys):
                return keys
    return None


def keyed(value: Any) -> Any:
    """Turn lists of identifiable dicts into dicts by identity, recursively. Pure.

    The order of such a list is gone from the result: for the lists whose order has meaning,
    :func:`diff_documents` compares it on its own."""
    return _keyed(value, frozenset(), (), (), {})


def _spots(doc: Any, ordered: Iterable[str]) -> frozenset[fieldpath.Segments]:
    """Where in *doc* the *ordered* paths name a list."""
    return frozenset(path for p in ordered for path, parent, key in fieldpath.matches(doc, p)
                     if isinstance(parent[key], list))


def _keyed(value: Any, spots: frozenset[fieldpath.Segments], at: fieldpath.Segments, shown: fieldpath.Segments,
           orders: dict[fieldpath.Segments, list[str] | None]) -> Any:
    """:func:`keyed`, walking *at* (the path in *value*) and *shown* (the path in the result);
    for each ordered list met, *orders* gets its identities in order (None: kept positional)."""
    if isinstance(value, dict):
        return {k: _keyed(v, spots, (*at, k), (*shown, k), orders) for k, v in value.items()}
    if isinstance(value, list):
        keys = identities(value)
        if at in spots:
            orders[shown] = keys
        if keys is None:
            return [_keyed(v, spots, (*at, i), (*shown, i), orders) for i, v in enumerate(value)]
        return {k: _keyed(v, spots, (*at, i), (*shown, k), orders) for i, (k, v) in enumerate(zip(keys, value, strict=True))}
    return value


def reordered(old: list[str], new: list[str]) -> bool:
    """Whether *new* puts items in another order than *old*: items on both sides moved
    relative to each other, or an added item went anywhere but the end. Pure.

    A removal or an append changes no item's precedence over another that stays, and is
    already reported as its own change."""
    kept, added = set(old) & set(new), [k for k in new if k not in set(old)]
    return [k for k in old if k in kept] + added != new


def order_changes(address: str, old: dict[fieldpath.Segments, list[str] | None],
                  new: dict[fieldpath.Segments, list[str] | None]) -> list[Change]:
    """One change per ordered list of identifiable items whose order changed. Pure."""
    out = []
    for path in sorted(set(old) & set(new), key=str):
        o, n = old[path], new[path]
        if o is not None and n is not None and reordered(o, n):
            out.append(Change(address, "changed", fieldpath.render(path), o, n, details={"order": True},
                              location=field_location(path)))
    return out


def diff_documents(
    address: str, old: Any, new: Any, *, include_status: bool = False, ordered: Iterable[str] = ()
) -> list[Change]:
    """Field-level changes between two versions of one document. Pure.

    The ``status`` section is compared only with *include_status*. Lists at the *ordered* field
    paths are compared by position: a new
    order is a change at the list's path, whose values are the items' identities in order;
    lists without identities are compared position by position anyway."""
    if not include_status:
        old, new = without_status(old), without_status(new)
    ordered = tuple(ordered)
    orders_old: dict[fieldpath.Segments, list[str] | None] = {}
    orders_new: dict[fieldpath.Segments, list[str] | None] = {}
    from deepdiff import DeepDiff  # 0.25 s to import; most diffs compare no document

    dd = DeepDiff(_keyed(old, _spots(old, ordered), (), (), orders_old),
                  _keyed(new, _spots(new, ordered), (), (), orders_new), view="tree", verbose_level=2)
    out = []
    kinds: dict[str, Kind] = {
        "values_changed": "changed", "type_changes": "changed",
        "dictionary_item_added": "added", "iterable_item_added": "added",
        "dictionary_item_removed": "removed", "iterable_item_removed": "removed",
    }
    for report, kind in kinds.items():
        for level in dd.get(report, []):
            segments = tuple(level.path(output_format="list"))
            o = None if kind == "added" else level.t1
            n = None if kind == "removed" else level.t2
            out.append(Change(address, kind, fieldpath.render(segments), o, n, redacted=is_redacted(o) or is_redacted(n),
                              location=field_location(segments)))
    out.extend(order_changes(address, orders_old, orders_new))
    return sorted(out, key=lambda c: c.path)
