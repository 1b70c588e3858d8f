"""Small pure helpers for shapes many AWS APIs share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def tag_map(items: Iterable[dict[str, Any]] | None) -> dict[str, str]:
    """``[{"Key": k, "Value": v}, ...]`` as ``{k: v}``: tags diff by name, not position."""
    return {t["Key"]: t.get("Value", "") for t in items or ()}
