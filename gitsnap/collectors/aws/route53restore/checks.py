"""Route53 health checks: recreated (under a new id), updated in place, deleted.

A health check is addressed by its id, which Route53 assigns: one recreated by restore is a
new resource to the next capture. The live-only health check whose configuration equals a
deleted one's *stands in* for it: the next plan has nothing to create, ``--delete`` keeps it,
and the zones' records that named the old id are pointed at the new one.
"""

from __future__ import annotations

import uuid
from typing import Any

import botocore.exceptions as bx

from ...restoring import Operation, RestoreContext, RestoreError
from ..clients import error_code
from .common import both, of_type, show

# UpdateHealthCheck sets these; ResetElements clears the ones marked True (the rest cannot be unset)
UPDATABLE = {"IPAddress": False, "Port": False, "ResourcePath": True, "FullyQualifiedDomainName": True,
             "SearchString": False, "FailureThreshold": False, "Inverted": False, "Disabled": False,
             "HealthThreshold": False, "ChildHealthChecks": True, "EnableSNI": False, "Regions": True,
             "AlarmIdentifier": False, "InsufficientDataHealthStatus": False}

PERMISSIONS = ("route53:CreateHealthCheck", "route53:UpdateHealthCheck", "route53:DeleteHealthCheck")


def check_id(address: str) -> str:
    return address.rsplit("/", 1)[-1]


def _configs(snap: Any, account: str) -> dict[str, Any]:
    return {a: (snap.document(a) or {}).get("HealthCheckConfig") for a in of_type(snap, "healthcheck", account)}


def stand_ins(ctx: RestoreContext, account: str) -> dict[str, str]:
    """Snapshot address -> live address, for each health check the snapshot has and live does not
    that a live-only one of the same configuration replaces (paired one to one, in address order)."""
    want, have = _configs(ctx.snapshot, account), _configs(ctx.live, account)
    fresh = [a for a in have if a not in want]
    pairs: dict[str, str] = {}
    for gone in (a for a in want if a not in have):
        match = next((a for a in fresh if a not in pairs.values() and have[a] == want[gone]), None)
        if match:
            pairs[gone] = match
    return pairs


class CheckIds:
    """The health check ids a zone's snapshot records name, as live knows them.

    ``known``: recreated ones found while planning. ``pending``: ones live lacks that this restore
    recreates (rank 65, before the zones): found by configuration when the records are sent."""

    def __init__(self, ctx: RestoreContext, address: str) -> None:
        account = ctx.where(address)[0]
        self.ctx, self.address = ctx, address
        pairs = stand_ins(ctx, account)
        self.known = {check_id(a): check_id(b) for a, b in pairs.items()}
        self.pending = {check_id(a): ctx.want(a)["HealthCheckConfig"]
                        for a in of_type(ctx.snapshot, "healthcheck", account)
                        if ctx.have(a) is None and a not in pairs}
        self._found: dict[str, str] | None = None

    def at_apply(self) -> dict[str, str]:
        if self._found is None:
            self._found = {}
            if self.pending:
                r53 = self.ctx.client("route53", self.address)
                live = [hc for page in r53.get_paginator("list_health_checks").paginate() for hc in page["HealthChecks"]]
                for old, config in self.pending.items():
                    match = next((hc["Id"] for hc in live if _same(hc.get("HealthCheckConfig"), config)
                                  and hc["Id"] not in self._found.values()), None)
                    if match:
                        self._found[old] = match
        return {**self.known, **self._found}

    def missing(self, rr: dict[str, Any]) -> str | None:
        """The id of a health check *rr* names that live lacks and nothing recreated (at apply)."""
        hc = rr.get("HealthCheckId")
        return hc if hc in self.pending and hc not in self.at_apply() else None


def _same(live: Any, want: Any) -> bool:
    """Configurations equal, list order aside (the snapshot's lists went through normalization)."""
    def canon(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: canon(x) for k, x in v.items() if x is not None}
        if isinstance(v, list):
            return sorted((canon(x) for x in v), key=repr)
        return v
    return canon(live) == canon(want)


def create_check(ctx: RestoreContext, address: str) -> list[Operation]:
    if address in stand_ins(ctx, ctx.where(address)[0]):
        return []  # recreated already (a live-only health check has its configuration)
    config = ctx.want(address)["HealthCheckConfig"]
    r53 = ctx.client("route53", address)

    def create() -> None:
        # a fresh CallerReference: Route53 refuses one a deleted health check used
        r53.create_health_check(CallerReference=f"gitsnap-{uuid.uuid4()}", HealthCheckConfig=config)

    return [Operation(address, "create", address,
                      f"{config.get('Type')} health check with the snapshot's configuration; Route53 gives it a new "
                      f"id (records naming {check_id(address)} are pointed at it by their zone's restore)", run=create)]


def update_check(ctx: RestoreContext, address: str) -> list[Operation]:
    want, have = both(ctx, address)
    w, h = want.get("HealthCheckConfig") or {}, have.get("HealthCheckConfig") or {}
    ops: list[Operation] = []
    params: dict[str, Any] = {}
    reset: list[str] = []
    for name in sorted(set(w) | set(h)):
        if w.get(name) == h.get(name):
            continue
        target = f"HealthCheckConfig.{name}"
        if name not in UPDATABLE or (name not in w and not UPDATABLE[name]):
            ops.append(Operation(address, "cannot-restore", target,
                                 f"{show(h.get(name))} -> {show(w.get(name))}: Route53 cannot change this on a "
                                 "health check; delete it by hand and restore recreates it (under a new id)"))
            continue
        if name in w:
            params[name] = w[name]
        else:
            reset.append(name)
        ops.append(Operation(address, "update", target, f"{show(h.get(name))} -> {show(w.get(name))}"))
    writes = [op for op in ops if op.verb == "update"]
    if writes:
        r53 = ctx.client("route53", address)
        extra = {"ResetElements": reset} if reset else {}
        writes[0].run = lambda: r53.update_health_check(HealthCheckId=have["Id"], **params, **extra)
    return ops


def delete_check(ctx: RestoreContext, address: str) -> list[Operation]:
    stands_for = {b: a for a, b in stand_ins(ctx, ctx.where(address)[0]).items()}.get(address)
    if stands_for:
        return [Operation(address, "kept", address, f"stands in for {stands_for} (same configuration; "
                                                    "recreated under a new id)")]
    r53 = ctx.client("route53", address)
    hc = check_id(address)

    def delete() -> None:
        try:
            r53.delete_health_check(HealthCheckId=hc)
        except bx.ClientError as exc:
            if error_code(exc) == "HealthCheckInUse":  # a record set still names it
                raise RestoreError(f"{address}: a record set still uses health check {hc}; restore or delete "
                                   "that record first, then plan again") from exc
            raise

    return [Operation(address, "delete", address, run=delete)]
