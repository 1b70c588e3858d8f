"""Field paths: the small language collectors use to name parts of a document.

A path is dot-separated keys; ``*`` matches any key of a mapping or any item of
a list. ``Configuration.Environment.Variables.*`` names every environment
value; ``Origins.Items.*.CustomHeaders.Items.*.HeaderValue`` every origin
header value. ``**`` matches any number of levels (none included), so
``**.Environment.Variables.*`` names environment values wherever a response put them.
Paths are the single vocabulary of volatile, secret and unordered declarations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

Segments = tuple[str | int, ...]


def split(pattern: str) -> list[str]:
    return [p for p in pattern.split(".") if p]


def _children(node: Any, part: str) -> Iterator[tuple[str | int, Any]]:
    if isinstance(node, dict):
        if part == "*":
            yield from list(node.items())
        elif part in node:
            yield part, node[part]
    elif isinstance(node, list) and part == "*":
        yield from enumerate(node)


def matches(doc: Any, pattern: str) -> Iterator[tuple[Segments, Any, Any]]:
    """Yield ``(path, parent, key)`` for every place in *doc* that *pattern* names."""
    parts = split(pattern)
    if not parts:
        return

    def walk(node: Any, i: int, path: Segments) -> Iterator[tuple[Segments, Any, Any]]:
        if parts[i] == "**":
            if i == len(parts) - 1:
                return
            yield from walk(node, i + 1, path)  # zero levels
            for key, child in _children(node, "*"):
                yield from walk(child, i, (*path, key))
            return
        for key, child in _children(node, parts[i]):
            here = (*path, key)
            if i == len(parts) - 1:
                yield here, node, key
            else:
                yield from walk(child, i + 1, here)

    yield from walk(doc, 0, ())


def remove(doc: Any, pattern: str) -> None:
    """Delete every field *pattern* names (list items named by ``*`` are left alone)."""
    hits = [(parent, key) for _, parent, key in matches(doc, pattern) if isinstance(parent, dict)]
    for parent, key in hits:
        parent.pop(key, None)


def replace(doc: Any, pattern: str, fn: Callable[[Segments, Any], Any]) -> int:
    """Replace each value *pattern* names by ``fn(path, value)``; return how many."""
    hits = list(matches(doc, pattern))
    for path, parent, key in hits:
        parent[key] = fn(path, parent[key])
    return len(hits)


def render(path: Segments) -> str:
    """``('A', 'B', 0, 'C')`` -> ``A.B[0].C``; keys with dots or spaces are quoted."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part and all(c.isalnum() or c in "_-:/@$" for c in part):
            out += ("." if out else "") + part
        else:
            out += f"[{part!r}]"
    return out
