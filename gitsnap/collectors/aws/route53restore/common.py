"""What the Route53 restorers share: both sides of a resource, values in plan lines, tags."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ...restoring import Operation, RestoreContext, Unrestorable

MAX_VALUE = 120


def count(n: int, noun: str) -> str:
    """``1 tag``, ``2 tags``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def show(v: Any) -> str:
    """A value as a plan line shows it (JSON, cut short)."""
    text = json.dumps(v, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 3] + "..."


def both(ctx: RestoreContext, address: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The snapshot's and live's document of a resource (an update step: both exist)."""
    want, have = ctx.want(address), ctx.have(address)
    if want is None or have is None:
        raise Unrestorable(Operation(address, "cannot-restore", address, "it is not on both sides"))
    return want, have


def of_type(snap: Any, kind: str, account: str) -> list[str]:
    """Addresses of one Route53 type in one account of a snapshot, sorted."""
    return sorted(a for a, i in snap.resources.items()
                  if i.get("service") == "route53" and i.get("type") == kind and i.get("account") == account)


def plan_tags(address: str, want: dict[str, str], have: dict[str, str], delete: bool,
              change: Callable[[dict[str, str], list[str]], Any]) -> list[Operation]:
    """Tags put back (added or changed) and, with --delete, live-only ones removed, in one call
    ``change(put, remove_keys)`` given to the first line that writes."""
    put = {k: v for k, v in want.items() if have.get(k) != v}
    extra = sorted(k for k in have if k not in want)
    ops = [Operation(address, "update", f"Tags.{k}", f"{show(have.get(k))} -> {show(v)}") for k, v in sorted(put.items())]
    removed = extra if delete else []
    ops += [Operation(address, "delete", f"Tags.{k}") for k in removed]
    ops += [Operation(address, "kept", f"Tags.{k}", "live only; --delete removes it") for k in extra if not delete]
    writes = [op for op in ops if op.verb != "kept"]
    if writes:
        writes[0].run = lambda: change(put, removed)
    return ops
