"""Normalization: the pure steps that make an unchanged resource yield identical bytes.

The engine runs them in this order on every collected document: :func:`drop_volatile`,
:func:`split_status`, :func:`sort_unordered`. Status is split off before sorting, so a state
the service flips (an index going ``CREATING -> ACTIVE``) can never reorder a configured list.
Nothing here, nor canonical JSON, ever reorders a list whose order has meaning
(``ResourceType.ordered``): only the ``unordered`` paths are sorted, and never one that is
also declared ordered.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Container, Iterable
from typing import Any

from . import fieldpath
from .canonical import dumps_line
from .errors import GitsnapError

# The top-level key of a document's status section. AWS names its fields in PascalCase or
# camelCase and no collected document has a top-level lowercase "status"; split_status
# refuses a document that has one, so the name can never hide a real field.
STATUS = "status"


class StatusFieldError(GitsnapError):
    """A document already has a top-level field named like the status section."""


def drop_volatile(doc: Any, paths: Iterable[str]) -> Any:
    """Remove fields that change without the resource changing (timestamps, ETags, counters)."""
    for p in paths:
        fieldpath.remove(doc, p)
    return doc


def split_status(doc: dict[str, Any], paths: Iterable[str], where: str = "document") -> dict[str, Any]:
    """Move the fields *paths* name into ``doc["status"]``, keeping the document's nesting.

    Each value lands at the same path under ``status``; a list on the way becomes a list of
    the same length, ``None`` at the items that have no status, so positions still line up
    with the configuration. Nothing matched means no section at all. :func:`join_status`
    undoes it. Pure but for mutating *doc* (returned for chaining).

    Raises:
        StatusFieldError: *doc* already has a top-level ``status`` field of its own.
    """
    if STATUS in doc:
        raise StatusFieldError(f"{where}: has its own top-level field {STATUS!r}, which gitsnap reserves "
                               "for lifecycle states; please report this")
    section: dict[str, Any] = {}
    moved: list[fieldpath.Segments] = []
    for p in paths:
        hits = sorted(fieldpath.matches(doc, p), key=lambda hit: len(hit[0]))
        for path, parent, key in hits:
            # list items stay (as in drop_volatile); a hit inside a value already moved went with it
            if not isinstance(parent, dict) or any(path[:len(m)] == m for m in moved):
                continue
            _put(section, doc, path, parent.pop(key))
            moved.append(path)
    if section:
        doc[STATUS] = section
    return doc


def _put(section: Any, doc: Any, path: fieldpath.Segments, value: Any) -> None:
    """Set *value* at *path* in *section*, creating containers shaped like *doc*'s."""
    node, mirror = section, doc
    for seg in path[:-1]:
        mirror = mirror[seg]
        child = node[seg] if isinstance(node, list) else node.get(seg)
        if child is None:
            child = [None] * len(mirror) if isinstance(mirror, list) else {}
            node[seg] = child
        node = child
    key = path[-1]
    node[key] = _combine(node.get(key) if isinstance(node, dict) else node[key], value)


def _combine(moved: Any, rest: Any) -> Any:
    """A value put back together: what an earlier, deeper path already *moved* out of it,
    and the *rest* a shorter path now moves (``A.B`` then ``A``, in either order)."""
    if moved is None:
        return rest
    if isinstance(moved, dict) and isinstance(rest, dict):
        return {**rest, **{k: _combine(v, rest[k]) if k in rest else v for k, v in moved.items()}}
    if isinstance(moved, list) and isinstance(rest, list) and len(moved) == len(rest):
        return [_combine(m, r) for m, r in zip(moved, rest, strict=True)]
    return rest


def join_status(doc: Any) -> Any:
    """The document as the API described it: the status section merged back. Pure."""
    if not isinstance(doc, dict) or STATUS not in doc:
        return copy.deepcopy(doc)
    out = copy.deepcopy(without_status(doc))
    _merge(out, doc[STATUS])
    return out


def _merge(target: Any, section: Any) -> None:
    items = section.items() if isinstance(section, dict) else enumerate(section)
    for key, value in items:
        if value is None and isinstance(section, list):
            continue  # an item with no status
        present = key in target if isinstance(target, dict) else True
        if present and isinstance(value, dict | list):
            _merge(target[key], copy.deepcopy(value))  # a container on the way: its key stayed
        else:
            target[key] = copy.deepcopy(value)  # a moved value: its key was popped


def without_status(doc: Any) -> Any:
    """The document without its status section (a shallow copy; *doc* is left alone)."""
    if isinstance(doc, dict) and STATUS in doc:
        return {k: v for k, v in doc.items() if k != STATUS}
    return doc


def _at(node: Any, path: fieldpath.Segments) -> Any:
    for seg in path:
        found = (isinstance(node, dict) and seg in node
                 or isinstance(node, list) and isinstance(seg, int) and 0 <= seg < len(node))
        if not found:
            return None
        node = node[seg]
    return node


def sort_unordered(doc: Any, paths: Iterable[str], ordered: Iterable[str] = ()) -> Any:
    """Sort lists whose order the API does not give meaning to, by their canonical form.

    Deeper paths go first, so an outer list is sorted by its items' final form. A list with a
    twin in the status section (same path, same length) takes its twin along: items are
    ordered by their configuration, then by their status, and both lists get that order.
    A list that an *ordered* path names (``ResourceType.ordered``) is never sorted, even
    if a broad pattern (``**``) in *paths* names it too: its order is configuration.
    """
    status = doc.get(STATUS) if isinstance(doc, dict) else None
    ordered = tuple(ordered)
    for p in sorted(paths, key=lambda p: -len(fieldpath.split(p))):
        keep = {path for o in ordered for path, _, _ in fieldpath.matches(doc, o)}  # as sorted so far
        for path, parent, key in list(fieldpath.matches(doc, p)):
            items = parent[key]
            if not isinstance(items, list) or (status is not None and path[0] == STATUS) or path in keep:
                continue
            twin = _at(status, path) if status is not None else None
            if isinstance(twin, list) and len(twin) == len(items):
                order = sorted(range(len(items)), key=lambda i: (dumps_line(items[i]), dumps_line(twin[i])))
                parent[key] = [items[i] for i in order]
                twin[:] = [twin[i] for i in order]
            else:
                parent[key] = sorted(items, key=dumps_line)
    return doc


def redact_fields(
    doc: Any, paths: Iterable[str], fingerprint: Callable[[Any], str], keep: Container[str] = ()
) -> int:
    """Replace every declared secret value by its fingerprint; names in *keep* stay in clear."""
    count = 0
    for p in paths:
        def sub(path: fieldpath.Segments, value: Any) -> Any:
            nonlocal count
            if value is None or (path and isinstance(path[-1], str) and path[-1] in keep):
                return value
            count += 1
            return fingerprint(value)

        fieldpath.replace(doc, p, sub)
    return count
