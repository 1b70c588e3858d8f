"""Normalization: the pure steps that make an unchanged resource yield identical bytes."""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable
from typing import Any

from . import fieldpath
from .canonical import dumps_line


def drop_volatile(doc: Any, paths: Iterable[str]) -> Any:
    """Remove fields that change without the resource changing (timestamps, ETags, counters)."""
    for p in paths:
        fieldpath.remove(doc, p)
    return doc


def sort_unordered(doc: Any, paths: Iterable[str]) -> Any:
    """Sort lists whose order the API does not give meaning to, by their canonical form."""
    for p in paths:
        for _path, parent, key in list(fieldpath.matches(doc, p)):
            if isinstance(parent[key], list):
                parent[key] = sorted(parent[key], key=dumps_line)
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
