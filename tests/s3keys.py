"""What ListObjectsV2 answers for a set of keys, for the tests' fake S3 listings."""

from __future__ import annotations

from collections.abc import Iterable


def delimited(keys: Iterable[str], prefix: str, delimiter: str) -> list[tuple[str, str]]:
    """The listing of *keys* (sorted) under *prefix*, in order: ``("k", key)`` for an object,
    ``("p", common prefix)`` once for each group the *delimiter* rolls up, as S3 lists them."""
    items: list[tuple[str, str]] = []
    for k in keys:
        if not k.startswith(prefix):
            continue
        rest = k[len(prefix):]
        if delimiter and delimiter in rest:
            p = prefix + rest[:rest.index(delimiter) + 1]
            if not items or items[-1] != ("p", p):
                items.append(("p", p))
        else:
            items.append(("k", k))
    return items
