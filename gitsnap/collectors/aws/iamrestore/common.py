"""What the IAM restorers share: both sides, plan-line values, and the parts roles, users and
groups have alike (inline policies, attached managed policies, tags, group membership)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import botocore.exceptions as bx

from ...restoring import Operation, RestoreContext, Unrestorable
from ..clients import error_code

MAX_VALUE = 120

# Group membership and instance-profile roles join two resources that may both be recreated:
# these steps are ranked with instance profiles (25), after every role, user and group (20).
JOIN = ("iam", "instance-profile")

NAME_FIELD = {"role": "RoleName", "user": "UserName", "group": "GroupName"}


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


def doc(value: Any) -> str:
    """A policy document as IAM takes it."""
    return json.dumps(value, sort_keys=True)


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


def known(ctx: RestoreContext, address: str) -> bool:
    """Whether a resource exists live or will be recreated from the snapshot (by its address)."""
    return address in ctx.live.resources or address in ctx.snapshot.resources


def policy_known(ctx: RestoreContext, arn: str) -> bool:
    """An AWS managed policy always is; a customer managed one must be live or in the snapshot."""
    return ":aws:policy/" in arn or known(ctx, f"iam/policy/{arn.rsplit('/', 1)[-1]}")


def gone_ok(fn: Callable[..., Any], **kw: Any) -> None:
    """A removal that another step may have made first (a membership is planned from both its
    user and its group): NoSuchEntity means it is done."""
    try:
        fn(**kw)
    except bx.ClientError as exc:
        if error_code(exc) != "NoSuchEntity":
            raise


def plan_tags(address: str, want: dict[str, str], have: dict[str, str], delete: bool,
              tag: Callable[[list[dict[str, str]]], Any], untag: Callable[[list[str]], Any]) -> list[Operation]:
    """Tags put back (added or changed) and, with --delete, live-only ones removed."""
    put = {k: v for k, v in want.items() if have.get(k) != v}
    extra = sorted(k for k in have if k not in want)
    ops = [Operation(address, "update", f"Tags.{k}", f"{show(have.get(k))} -> {show(v)}") for k, v in sorted(put.items())]
    if put:
        ops[0].run = lambda: tag(tag_list(put))
    for k in extra:
        ops.append(Operation(address, "delete", f"Tags.{k}") if delete
                   else Operation(address, "kept", f"Tags.{k}", "live only; --delete removes it"))
    removes = [op for op in ops if op.verb == "delete"]
    if removes:
        removes[0].run = lambda: untag(extra)
    return ops


def plan_inline(ctx: RestoreContext, address: str, kind: str, name: str, want: dict[str, Any],
                have: dict[str, Any]) -> list[Operation]:
    """Inline policies of a role, user or group: put where they differ, deleted with --delete."""
    iam = ctx.client("iam", address)
    who = {NAME_FIELD[kind]: name}
    put, delete = getattr(iam, f"put_{kind}_policy"), getattr(iam, f"delete_{kind}_policy")
    ops = []
    for policy in sorted(set(want) | set(have)):
        target = f"InlinePolicies.{policy}"
        if policy in want and want[policy] != have.get(policy):
            ops.append(Operation(address, "put", target, "added" if policy not in have else "changed",
                                 run=lambda p=policy: put(**who, PolicyName=p, PolicyDocument=doc(want[p]))))
        elif policy not in want:
            ops.append(Operation(address, "delete", target, run=lambda p=policy: delete(**who, PolicyName=p))
                       if ctx.delete else Operation(address, "kept", target, "live only; --delete removes it"))
    return ops


def plan_attached(ctx: RestoreContext, address: str, kind: str, name: str, want: list[str],
                  have: list[str]) -> list[Operation]:
    """Managed policies attached (customer ones are restored first, rank 10) and, with --delete,
    detached."""
    iam = ctx.client("iam", address)
    who = {NAME_FIELD[kind]: name}
    attach, detach = getattr(iam, f"attach_{kind}_policy"), getattr(iam, f"detach_{kind}_policy")
    ops = []
    for arn in sorted(set(want) - set(have)):
        target = f"AttachedPolicies {arn}"
        if not policy_known(ctx, arn):
            ops.append(Operation(address, "cannot-restore", target, "the policy is neither live nor in the "
                                                                    "snapshot: recreate it by hand"))
        else:
            ops.append(Operation(address, "put", target, run=lambda a=arn: attach(**who, PolicyArn=a)))
    for arn in sorted(set(have) - set(want)):
        target = f"AttachedPolicies {arn}"
        ops.append(Operation(address, "delete", target, run=lambda a=arn: detach(**who, PolicyArn=a))
                   if ctx.delete else Operation(address, "kept", target, "live only; --delete detaches it"))
    return ops


def plan_members(ctx: RestoreContext, address: str, field: str, want: list[str], have: list[str],
                 add: Callable[[str], Any], remove: Callable[[str], Any], other: str) -> list[Operation]:
    """Group membership, seen from one side (``field`` "Groups" of a user, "Users" of a group;
    ``other`` the address prefix of the other side). Both sides plan it: adding is idempotent
    and a removal already made is done, so the second is harmless; ranked after every user and
    group exists (:data:`JOIN`)."""
    ops = []
    for name in sorted(set(want) - set(have)):
        target = f"{field}.{name}"
        if not known(ctx, f"{other}{name}"):
            ops.append(Operation(address, "cannot-restore", target, f"{other}{name} is neither live nor in the snapshot"))
        else:
            ops.append(Operation(address, "put", target, "membership", run=lambda n=name: add(n), kind=JOIN))
    for name in sorted(set(have) - set(want)):
        target = f"{field}.{name}"
        ops.append(Operation(address, "delete", target, "membership", run=lambda n=name: remove(n), kind=JOIN)
                   if ctx.delete else Operation(address, "kept", target, "live only; --delete removes it"))
    return ops


def boundary_arn(value: Any) -> str | None:
    return (value or {}).get("PermissionsBoundaryArn")
