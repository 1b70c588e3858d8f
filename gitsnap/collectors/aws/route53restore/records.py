"""A zone's record sets, planned: what to upsert, create or delete, in ChangeBatches Route53
accepts (each batch's call on its first line), with the ids the snapshot's records name
(the zone's own, for aliases within it; health checks') mapped to the ones live has."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...restoring import Operation, RestoreContext, RestoreError
from .batches import MAX_RECORDS, by_name, clash, fits, record_key, transform_batches, weight
from .checks import CheckIds

Pairs = list[tuple[dict[str, Any], Operation]]


def rewrite(rr: dict[str, Any], zones: dict[str, str], checks: dict[str, str]) -> dict[str, Any]:
    """A record set with the zone and health check ids it names replaced as mapped. Pure."""
    out = rr
    alias = rr.get("AliasTarget")
    if alias and zones.get(alias.get("HostedZoneId", "")) not in (None, alias["HostedZoneId"]):
        out = {**out, "AliasTarget": {**alias, "HostedZoneId": zones[alias["HostedZoneId"]]}}
    if rr.get("HealthCheckId") in checks:
        out = {**out, "HealthCheckId": checks[rr["HealthCheckId"]]}
    return out


@dataclass
class ZoneRef:
    """The live zone the records go to.

    Attributes:
        old: the snapshot's zone id (what its alias records within the zone name).
        live: live's zone id; None until the plan's create operation has made the zone.
        checks: the health check ids as live knows them.
    """

    address: str
    old: str
    live: str | None
    checks: CheckIds

    def zone_id(self) -> str:
        if self.live is None:
            raise RestoreError(f"{self.address}: the zone was not created, so its records cannot be; plan again")
        return self.live

    def for_plan(self, rr: dict[str, Any]) -> dict[str, Any]:
        return rewrite(rr, {self.old: self.live} if self.live else {}, self.checks.known)

    def for_apply(self, rr: dict[str, Any]) -> dict[str, Any]:
        gone = self.checks.missing(rr)
        if gone:
            raise RestoreError(f"{self.address}: {rr['Name']} {rr['Type']} uses health check {gone}, which does not "
                               f"exist live and was not recreated: restore route53/healthcheck/{gone} too, then "
                               "plan again")
        return rewrite(rr, {self.old: self.zone_id()}, self.checks.at_apply())


def label(key: tuple[str, str, str]) -> str:
    return f"{key[0]} {key[1]}" + (f" ({key[2]})" if key[2] else "")


def plan_records(ctx: RestoreContext, address: str, want: dict[str, Any], have_records: list[dict[str, Any]],
                 ref: ZoneRef, new: bool = False) -> list[Operation]:
    """The record sets of *want* put back over *have_records* (``new``: into a zone just made,
    as CREATEs, plain records before aliases that may point at them). The apex SOA and NS are
    the zone's own and never touched."""
    apex = want["Name"]
    wanted = {record_key(r): ref.for_plan(r) for r in want["RecordSets"]
              if not (r["Name"] == apex and r["Type"] in ("SOA", "NS"))}
    present = {record_key(r): r for r in have_records if not (r["Name"] == apex and r["Type"] in ("SOA", "NS"))}
    live_only = [present[k] for k in present if k not in wanted]
    changes: Pairs = []
    ops: list[Operation] = []
    keys = sorted(set(wanted) | set(present), key=lambda k: (new and "AliasTarget" in wanted[k], k))
    for key in keys:
        w, h = wanted.get(key), present.get(key)
        target = label(key)
        if w is not None and w != h:
            clashes = [o for o in live_only if clash(w, o)]
            if clashes and not ctx.delete:  # the local endpoint takes it; Route53 refuses the batch
                kinds = ", ".join(sorted({f"{o['Type']}{' (' + o['SetIdentifier'] + ')' if o.get('SetIdentifier') else ''}"
                                          for o in clashes}))
                ops.append(Operation(address, "cannot-restore", target,
                                     f"live has {kinds} at {key[0]}, which Route53 does not allow beside it; "
                                     "--delete removes it in the same batch"))
                continue
            note = f"health check {w['HealthCheckId']} is recreated first" if w.get("HealthCheckId") in ref.checks.pending else ""
            op = Operation(address, "create" if new else "upsert", target, "(differs)" if h is not None else note)
            changes.append(({"Action": "CREATE" if new else "UPSERT", "ResourceRecordSet": w}, op))
            ops.append(op)
        elif w is None and h is not None:
            if ctx.delete:
                op = Operation(address, "delete", target)
                changes.append(({"Action": "DELETE", "ResourceRecordSet": h}, op))
                ops.append(op)
            else:
                ops.append(Operation(address, "kept", target, "(live only; --delete removes it)"))
    if new:  # aliases in batches after the records they may target
        plain = [(c, op) for c, op in changes if "AliasTarget" not in c["ResourceRecordSet"]]
        batch_ops(ctx, address, ref, plain, ops)
        batch_ops(ctx, address, ref, [(c, op) for c, op in changes if "AliasTarget" in c["ResourceRecordSet"]], ops)
    elif changes:
        batch_ops(ctx, address, ref, changes, ops)
    return ops


def batch_ops(ctx: RestoreContext, address: str, ref: ZoneRef, changes: Pairs, ops: list[Operation]) -> None:
    """Give the first line of each ChangeBatch its call; say in the plan when there is more
    than one (each batch is atomic, the zone's changes as a whole are not)."""
    if not changes:
        return
    op_of = {id(change): op for change, op in changes}
    try:
        batches = transform_batches([change for change, _ in changes])
    except ValueError:  # one name's changes cannot be made atomically: plan that name out
        for group in by_name([change for change, _ in changes]):
            if not fits(weight(group)):
                for change in group:
                    op = op_of[id(change)]
                    op.verb, op.detail = "cannot-restore", ("the changes to this name exceed one Route53 ChangeBatch "
                                                            f"({MAX_RECORDS} records, UPSERT counted twice): by hand")
        batch_ops(ctx, address, ref, [(c, op) for c, op in changes if op.verb != "cannot-restore"], ops)
        return
    r53 = ctx.client("route53", address)
    position = {id(op): i for i, op in enumerate(ops)}
    for n, batch in enumerate(batches, 1):
        first = min((op_of[id(change)] for change in batch), key=lambda op: position[id(op)])

        def apply(b: list[dict[str, Any]] = batch) -> None:
            sent = [{**c, "ResourceRecordSet": ref.for_apply(c["ResourceRecordSet"])} if c["Action"] != "DELETE" else c
                    for c in b]
            r53.change_resource_record_sets(HostedZoneId=ref.zone_id(), ChangeBatch={
                "Comment": "gitsnap restore", "Changes": sent})

        first.run = apply
        if len(batches) > 1:
            note = (f"[batch {n} of {len(batches)}, {len(batch)} changes: each batch is atomic, "
                    "the zone's changes as a whole are not]")
            first.detail = f"{first.detail}  {note}" if first.detail else note

