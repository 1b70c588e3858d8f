"""What the EventBridge types and the messaging modules (scheduler, sns, sqs, cloudwatch, logs)
share: the gitsnap address of an ARN, plan lines for changed fields and tags, the guard for
sealed values a whole-configuration write would send, and NextToken paging by hand."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from ....secrets.fingerprint import has_marker
from ...context import UnitContext
from ...errors import IncompleteAnswerError
from ...restoring import NEEDS_IDENTITY, Operation, RestoreContext, RestoreError
from ...run import call
from ...spec import Call, PlanStep, ResourceType

DEFAULT_BUS = "default"


def arn_address(arn: str | None) -> str | None:
    """The gitsnap address of the resource an ARN names, where gitsnap captures its type.
    Pure: ``arn:aws:lambda:us-east-1:1:function:f:live`` is ``lambda/f``."""
    parts = (arn or "").split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    service, resource = parts[2], parts[5]
    if service == "lambda" and resource.startswith("function:"):
        return f"lambda/{resource.split(':')[1]}"
    if service in ("sqs", "sns") and resource and "/" not in resource and ":" not in resource:
        return f"{service}/{resource}"
    if service == "events" and resource.startswith(("rule/", "event-bus/")):
        kind, _, rest = resource.partition("/")
        return f"events/{'bus' if kind == 'event-bus' else 'rule'}/{rest}"
    if service == "scheduler" and resource.startswith("schedule/"):
        return f"scheduler/{resource}"
    if service == "logs" and resource.startswith("log-group:"):
        name = resource[len("log-group:"):]
        return f"logs/{name[:-2] if name.endswith(':*') else name}"
    return None


MAX_SHOWN = 120  # characters of a value a plan line shows


def value(v: Any) -> str:
    """A value as a plan line shows it: JSON, cut at ``MAX_SHOWN`` characters. Pure."""
    text = json.dumps(v, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN - 3] + "..."


SEALED_HINT = ("the snapshot holds sealed values for it, and writing it sends them: restore needs the age "
               "identity (GITSNAP_IDENTITY, default ~/.config/gitsnap/identity.age)")


def sealed_guard(step: PlanStep) -> PlanStep:
    """*step*, plus a ``needs-identity`` line when its writes send the snapshot's configuration
    whole (PutRule, UpdateSchedule, PutMetricAlarm ...) and that holds a sealed value this
    machine cannot open: the apply is then refused before anything is written, rather than
    stopping at the first write (the client hook refuses to send a fingerprint)."""
    def planned(ctx: RestoreContext, address: str) -> list[Operation]:
        ops = step(ctx, address)
        available = ctx.reveal is not None and ctx.reveal.available
        if (any(op.run for op in ops) and not available and has_marker(ctx.want(address))
                and not any(op.verb == NEEDS_IDENTITY for op in ops)):
            ops.append(Operation(address, NEEDS_IDENTITY, address, SEALED_HINT))
        return ops

    planned.__name__, planned.__doc__ = step.__name__, step.__doc__
    return planned


def change_lines(ctx: RestoreContext, address: str, have: Any, want: Any) -> list[Operation]:
    """One ``update`` line per changed field (``old -> new``), none of them with a ``run`` yet."""
    return [Operation(address, "update", ch.path or address,
                      "the sealed value (differs live)" if ch.redacted else f"{value(ch.old)} -> {value(ch.new)}")
            for ch in ctx.diff(address, have, want)]


def by_hand(ctx: RestoreContext, address: str, have: Any, want: Any, handled: Iterable[str],
            why: str = "gitsnap does not change this in place; restore it by hand") -> list[Operation]:
    """``cannot-restore`` for each changed field outside *handled* (top-level keys): an update
    never leaves a difference unsaid."""
    done = set(handled)
    rest = lambda d: {k: v for k, v in (d or {}).items() if k not in done}  # noqa: E731
    return [Operation(address, "cannot-restore", ch.path or address, why) for ch in ctx.diff(address, rest(have), rest(want))]


def tag_ops(ctx: RestoreContext, address: str, want: dict[str, str] | None, have: dict[str, str] | None,
            put: Callable[[dict[str, str]], Any], remove: Callable[[list[str]], Any]) -> list[Operation]:
    """Tags back to the snapshot's: changed and missing ones put, live-only ones removed with
    ``--delete`` (kept otherwise)."""
    want, have = want or {}, have or {}
    ops: list[Operation] = []
    changed = {k: v for k, v in want.items() if have.get(k) != v}
    if changed:
        ops.append(Operation(address, "put", "Tags", ", ".join(sorted(changed)), run=lambda: put(changed)))
    extra = sorted(set(have) - set(want))
    if extra and ctx.delete:
        ops.append(Operation(address, "delete", "Tags", ", ".join(extra), run=lambda: remove(extra)))
    elif extra:
        ops.append(Operation(address, "kept", "Tags", f"{', '.join(extra)}: live only; --delete removes them"))
    return ops


def tag_list(tags: dict[str, str] | None) -> list[dict[str, str]]:
    """``{k: v}`` as ``[{"Key": k, "Value": v}]``. Pure."""
    return [{"Key": k, "Value": v} for k, v in sorted((tags or {}).items())]


def first_runs(lines: list[Operation], run: Callable[[], Any]) -> list[Operation]:
    """The plan lines of one write: the first carries it (applying it once puts them all back)."""
    if lines:
        lines[0].run = run
    return lines


def both(ctx: RestoreContext, address: str) -> tuple[Any, Any]:
    return ctx.want(address), ctx.have(address)


def checked(resp: dict[str, Any], what: str) -> None:
    """PutTargets/RemoveTargets answer 200 with failed entries: an error, not a success."""
    failed = resp.get("FailedEntries") or []
    if resp.get("FailedEntryCount") or failed:
        why = "; ".join(f"{f.get('TargetId')}: {f.get('ErrorCode')} {f.get('ErrorMessage', '')}".strip() for f in failed)
        raise RestoreError(f"{what}: {len(failed) or resp.get('FailedEntryCount')} target(s) refused ({why}); "
                           "fix the cause, then plan again")


def addresses(arns: Iterable[str | None]) -> list[str]:
    """The sorted, distinct gitsnap addresses of the ARNs that name a captured type. Pure."""
    return sorted({a for a in (arn_address(arn) for arn in arns) if a})


def token_pages(ctx: UnitContext, spec: ResourceType, method: str, result: str, params: dict[str, Any],
                what: str) -> list[Any]:
    """Every item of a NextToken-paged call botocore has no paginator for (ListEventBuses)."""
    items: list[Any] = []
    token: str | None = None
    seen: set[str] = set()
    while True:
        page = Call(method, params=lambda _r, t=token: {**params, **({"NextToken": t} if t else {})})
        resp = call(ctx, spec, page, {}, what) or {}
        items.extend(resp.get(result) or [])
        token = resp.get("NextToken")
        if not token:
            return items
        if token in seen:
            raise IncompleteAnswerError(f"{what}: {method} gave the same NextToken twice; capture again")
        seen.add(token)
