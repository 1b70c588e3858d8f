"""How ``restore`` puts a DynamoDB table back: create it, update it, or delete it.

Create (the table is gone live): CreateTable from the snapshot's description (key schema,
attribute definitions, billing mode and capacity, global and local secondary indexes, stream,
SSE, table class, deletion protection, tags); once it is ACTIVE, TTL, point-in-time recovery
and auto-scaling targets; then its items, if the snapshot captured them.

Update: one change per UpdateTable, each waiting until the table and its indexes are ACTIVE
again (real DynamoDB refuses the next change while one is in progress; the local endpoint is
ACTIVE at once). What cannot change in place (key schema, local indexes, an index's keys) is
``cannot-restore``, with how.

Delete (``--delete``, the table is live only): DeleteTable, refused while deletion protection
is on.
"""

from __future__ import annotations

import json
from typing import Any

from ...restoring import Operation, RestoreContext, RestoreError, Unrestorable
from ...spec import Restorer
from .writes import captured, plan_items

RANK = 30


def _show(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str) if value is not None else "none"


def table_active(ctx: RestoreContext, ddb: Any, address: str, name: str) -> None:
    """Wait until the table and each of its indexes are ACTIVE again: real DynamoDB leaves them
    CREATING or UPDATING for a while and refuses some changes until then."""
    waits = ctx.waits
    busy = "?"
    for attempt in range(waits.attempts):
        table = ddb.describe_table(TableName=name)["Table"]
        states = [table.get("TableStatus")] + [i.get("IndexStatus") for i in table.get("GlobalSecondaryIndexes") or []]
        busy = next((s for s in states if s not in (None, "ACTIVE")), "")
        if not busy:
            return
        if attempt + 1 < waits.attempts:
            waits.sleep(waits.delay)
    raise RestoreError(f"{address}: table {name} (or an index of it) was still {busy} after {waits.attempts} checks; "
                       "wait for it, then plan again")


# -- pure: the snapshot's description as request parameters --------------------------------------

def billing(table: dict[str, Any]) -> str:
    return (table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")


def capacity(node: dict[str, Any] | None) -> dict[str, int]:
    t = (node or {}).get("ProvisionedThroughput") or {}
    return {"ReadCapacityUnits": t.get("ReadCapacityUnits", 1), "WriteCapacityUnits": t.get("WriteCapacityUnits", 1)}


def index_spec(index: dict[str, Any], mode: str) -> dict[str, Any]:
    """A global secondary index of a description, as CreateTable / UpdateTable ``Create`` take it."""
    spec = {k: index[k] for k in ("IndexName", "KeySchema", "Projection") if k in index}
    if mode == "PROVISIONED":
        spec["ProvisionedThroughput"] = capacity(index)
    elif index.get("OnDemandThroughput"):
        spec["OnDemandThroughput"] = index["OnDemandThroughput"]
    return spec


def stream(table: dict[str, Any]) -> dict[str, Any] | None:
    spec = table.get("StreamSpecification") or {}
    return {"StreamEnabled": True, "StreamViewType": spec["StreamViewType"]} if spec.get("StreamEnabled") else None


def sse(table: dict[str, Any]) -> dict[str, Any] | None:
    """SSE with a KMS key, as SSESpecification; None: the default (an AWS owned key)."""
    d = table.get("SSEDescription") or {}
    if d.get("Status") not in ("ENABLED", "ENABLING", "UPDATING"):
        return None
    spec = {"Enabled": True, "SSEType": d.get("SSEType", "KMS")}
    if d.get("KMSMasterKeyArn"):
        spec["KMSMasterKeyId"] = d["KMSMasterKeyArn"]
    return spec


def table_class(table: dict[str, Any]) -> str:
    return (table.get("TableClassSummary") or {}).get("TableClass", "STANDARD")


def create_params(doc: dict[str, Any]) -> dict[str, Any]:
    """CreateTable's parameters for a table document. Pure."""
    table = doc["Table"]
    mode = billing(table)
    params: dict[str, Any] = {"TableName": table["TableName"], "KeySchema": table["KeySchema"],
                              "AttributeDefinitions": table["AttributeDefinitions"], "BillingMode": mode}
    if mode == "PROVISIONED":
        params["ProvisionedThroughput"] = capacity(table)
    elif table.get("OnDemandThroughput"):
        params["OnDemandThroughput"] = table["OnDemandThroughput"]
    if table.get("GlobalSecondaryIndexes"):
        params["GlobalSecondaryIndexes"] = [index_spec(i, mode) for i in table["GlobalSecondaryIndexes"]]
    if table.get("LocalSecondaryIndexes"):
        params["LocalSecondaryIndexes"] = [{k: i[k] for k in ("IndexName", "KeySchema", "Projection") if k in i}
                                           for i in table["LocalSecondaryIndexes"]]
    for name, value in (("StreamSpecification", stream(table)), ("SSESpecification", sse(table))):
        if value:
            params[name] = value
    if "TableClassSummary" in table:
        params["TableClass"] = table_class(table)
    if table.get("DeletionProtectionEnabled"):
        params["DeletionProtectionEnabled"] = True
    if doc.get("Tags"):
        params["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(doc["Tags"].items())]
    return params


def pitr(doc: dict[str, Any] | None) -> dict[str, Any]:
    """Point-in-time recovery as UpdateContinuousBackups takes it. Pure."""
    d = ((doc or {}).get("ContinuousBackups") or {}).get("PointInTimeRecoveryDescription") or {}
    spec: dict[str, Any] = {"PointInTimeRecoveryEnabled": d.get("PointInTimeRecoveryStatus") in ("ENABLED", "ENABLING")}
    if spec["PointInTimeRecoveryEnabled"] and d.get("RecoveryPeriodInDays"):
        spec["RecoveryPeriodInDays"] = d["RecoveryPeriodInDays"]
    return spec


def ttl(doc: dict[str, Any] | None) -> tuple[bool, str | None]:
    d = (doc or {}).get("TimeToLive") or {}
    return d.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"), d.get("AttributeName")


def target_spec(t: dict[str, Any]) -> dict[str, Any]:
    """A scalable target as RegisterScalableTarget takes it (the service-linked role is AWS's)."""
    keys = ("ServiceNamespace", "ResourceId", "ScalableDimension", "MinCapacity", "MaxCapacity", "SuspendedState")
    return {k: t[k] for k in keys if k in t}


def _target_id(t: dict[str, Any]) -> tuple[str, str]:
    return t.get("ResourceId", ""), t.get("ScalableDimension", "")


# -- plans --------------------------------------------------------------------------------------

class _Plan:
    """One table's plan being made: its client (made when an operation runs), name, operations."""

    def __init__(self, ctx: RestoreContext, address: str, name: str) -> None:
        self.ctx, self.address, self.name = ctx, address, name
        self.ops: list[Operation] = []

    def ddb(self) -> Any:
        return self.ctx.client("dynamodb", self.address)

    def add(self, verb: str, target: str, detail: str = "", run: Any = None) -> None:
        self.ops.append(Operation(self.address, verb, target, detail, run=run))

    def update_table(self, verb: str, target: str, detail: str, **params: Any) -> None:
        """One UpdateTable, then a wait for ACTIVE."""
        def run() -> None:
            ddb = self.ddb()
            ddb.update_table(TableName=self.name, **params)
            table_active(self.ctx, ddb, self.address, self.name)
        self.add(verb, target, detail, run)

    def ttl(self, want: dict[str, Any], have: dict[str, Any] | None) -> None:
        (won, wattr), (hon, hattr) = ttl(want), ttl(have)
        if (won, wattr if won else None) == (hon, hattr if hon else None):
            return
        steps = []
        if hon and (not won or wattr != hattr):  # another attribute: TTL is switched off first
            steps.append({"Enabled": False, "AttributeName": hattr})
        if won:
            steps.append({"Enabled": True, "AttributeName": wattr})

        def run() -> None:
            for spec in steps:
                self.ddb().update_time_to_live(TableName=self.name, TimeToLiveSpecification=spec)
        self.add("update", "TimeToLive", f"{_show(have and have.get('TimeToLive'))} -> {_show(want.get('TimeToLive'))}", run)

    def pitr(self, want: dict[str, Any], have: dict[str, Any] | None) -> None:
        spec = pitr(want)
        if spec == pitr(have) or (have is None and not spec["PointInTimeRecoveryEnabled"]):
            return
        self.add("update", "PointInTimeRecovery",
                 f"{'ENABLED' if pitr(have)['PointInTimeRecoveryEnabled'] else 'DISABLED'} -> "
                 f"{'ENABLED' if spec['PointInTimeRecoveryEnabled'] else 'DISABLED'}",
                 lambda: self.ddb().update_continuous_backups(TableName=self.name,
                                                              PointInTimeRecoverySpecification=spec))

    def scaling(self, want: dict[str, Any], have: dict[str, Any] | None) -> None:
        ws = {_target_id(t): target_spec(t) for t in want.get("ScalableTargets") or []}
        hs = {_target_id(t): target_spec(t) for t in (have or {}).get("ScalableTargets") or []}
        for tid, spec in sorted(ws.items()):
            if hs.get(tid) != spec:
                self.add("put", f"ScalableTargets {tid[0]} {tid[1]}", "RegisterScalableTarget",
                         lambda s=spec: self.ctx.client("application-autoscaling", self.address).register_scalable_target(**s))
        for tid, spec in sorted(hs.items()):
            if tid in ws:
                continue
            if not self.ctx.delete:
                self.add("kept", f"ScalableTargets {tid[0]} {tid[1]}", "live only; --delete deregisters it")
                continue
            keys = {k: spec[k] for k in ("ServiceNamespace", "ResourceId", "ScalableDimension")}
            self.add("delete", f"ScalableTargets {tid[0]} {tid[1]}", "DeregisterScalableTarget",
                     lambda k=keys: self.ctx.client("application-autoscaling", self.address).deregister_scalable_target(**k))

    def items(self, want: dict[str, Any], have: dict[str, Any] | None) -> None:
        self.ops.extend(plan_items(self.ctx, self.address, self.name, want, have, self.ddb))


def plan_create(ctx: RestoreContext, address: str) -> list[Operation]:
    """Recreate a table deleted live, with its settings, then its items if they were captured."""
    want = ctx.want(address)
    table = want["Table"]
    p = _Plan(ctx, address, table["TableName"])
    params = create_params(want)
    state = captured(want)
    indexes = len(params.get("GlobalSecondaryIndexes", [])) + len(params.get("LocalSecondaryIndexes", []))
    detail = (f"{params['BillingMode']}, {indexes} indexes"
              + ("" if state is not None else "; created empty: its items were not captured ([aws.dynamodb] items)"))

    def create() -> None:
        ddb = p.ddb()
        ddb.create_table(**params)
        table_active(ctx, ddb, address, p.name)

    p.add("create", "table", detail, create)
    if table.get("Replicas"):
        p.add("cannot-restore", "Table.Replicas", "global table replicas are not recreated: add them by hand "
                                                  "(aws dynamodb update-table --replica-updates)")
    p.ttl(want, None)
    p.pitr(want, None)
    p.scaling(want, None)
    p.items(want, None)
    return p.ops


def plan_delete(ctx: RestoreContext, address: str) -> list[Operation]:
    """Delete a table live has and the snapshot does not (``--delete``), unless it is protected."""
    have = ctx.have(address)
    name = have["Table"]["TableName"]
    if have["Table"].get("DeletionProtectionEnabled"):
        raise Unrestorable(Operation(
            address, "cannot-restore", address,
            f"live only, and deletion protection is on: turn it off (aws dynamodb update-table --table-name {name} "
            "--no-deletion-protection-enabled), then restore with --delete again"))
    return [Operation(address, "delete", "table", "DeleteTable (its items go with it)",
                      run=lambda: ctx.client("dynamodb", address).delete_table(TableName=name))]


HANDLED = ("Table.BillingModeSummary", "Table.ProvisionedThroughput", "Table.OnDemandThroughput",
           "Table.GlobalSecondaryIndexes", "Table.StreamSpecification", "Table.SSEDescription",
           "Table.TableClassSummary", "Table.DeletionProtectionEnabled", "Table.AttributeDefinitions",
           "TimeToLive", "ContinuousBackups", "Tags", "ScalableTargets", "Items")
FIXED = ("Table.KeySchema", "Table.LocalSecondaryIndexes")


def plan_update(ctx: RestoreContext, address: str) -> list[Operation]:
    """A table on both sides that differs: its settings one UpdateTable at a time, TTL, PITR,
    tags, auto scaling, items; what cannot change in place is ``cannot-restore``."""
    want, have = ctx.want(address), ctx.have(address)
    if want is None or have is None:
        raise Unrestorable(Operation(address, "cannot-restore", address, "the table does not exist on both sides"))
    wt, ht = want["Table"], have["Table"]
    p = _Plan(ctx, address, wt["TableName"])
    _settings(p, wt, ht)
    p.ttl(want, have)
    p.pitr(want, have)
    _tags(p, want, have)
    p.scaling(want, have)
    p.items(want, have)
    # attribute definitions follow the indexes, except the key attributes' own types
    retyped = _key_defs(wt) != _key_defs(ht)
    for ch in ctx.diff(address, have, want):
        top = ".".join(ch.path.split("[")[0].split(".")[:2])
        if top in FIXED or (top == "Table.AttributeDefinitions" and retyped):
            p.add("cannot-restore", ch.path, "fixed when a table is created: delete the table live, then restore it "
                                             "(its items come back only if [aws.dynamodb] items captured them)")
        elif top == "Table.Replicas":
            p.add("cannot-restore", ch.path, "global table replicas: change them by hand (update-table --replica-updates)")
        elif top == "SampleItems":
            p.add("cannot-restore", ch.path, "sample items are not restored: capture whole tables with [aws.dynamodb] items")
        elif top not in HANDLED and ch.path.split(".")[0] not in HANDLED:
            p.add("cannot-restore", ch.path or address, "gitsnap does not restore this field: change it by hand")
    return p.ops


def _key_defs(table: dict[str, Any]) -> list[Any]:
    keys = {k["AttributeName"] for k in table.get("KeySchema") or []}
    return sorted((d["AttributeName"], d.get("AttributeType")) for d in table.get("AttributeDefinitions") or []
                  if d["AttributeName"] in keys)


def _settings(p: _Plan, wt: dict[str, Any], ht: dict[str, Any]) -> None:
    """Billing and capacity, indexes, stream, SSE, table class, deletion protection: one
    UpdateTable each, in that order (billing first: the indexes' capacity depends on it)."""
    wm, hm = billing(wt), billing(ht)
    whole = {i["IndexName"]: i for i in wt.get("GlobalSecondaryIndexes") or []}
    live = {i["IndexName"]: i for i in ht.get("GlobalSecondaryIndexes") or []}
    if wm != hm:
        params: dict[str, Any] = {"BillingMode": wm}
        if wm == "PROVISIONED":  # every index live keeps needs its capacity in the same call
            params["ProvisionedThroughput"] = capacity(wt)
            ups = [{"Update": {"IndexName": n, "ProvisionedThroughput": capacity(whole[n])}} for n in whole if n in live]
            if ups:
                params["GlobalSecondaryIndexUpdates"] = ups
        p.update_table("update", "BillingMode", f"{hm} -> {wm}", **params)
    elif wm == "PROVISIONED" and capacity(wt) != capacity(ht):
        p.update_table("update", "ProvisionedThroughput", f"{_show(capacity(ht))} -> {_show(capacity(wt))}",
                       ProvisionedThroughput=capacity(wt))
    elif wt.get("OnDemandThroughput") and wt.get("OnDemandThroughput") != ht.get("OnDemandThroughput"):
        p.update_table("update", "OnDemandThroughput", "", OnDemandThroughput=wt["OnDemandThroughput"])
    _indexes(p, wt, whole, live, wm, changed_mode=wm != hm)
    ws, hs = stream(wt), stream(ht)
    if ws != hs:
        if hs:
            p.update_table("update", "StreamSpecification", f"{_show(hs)} -> off",
                           StreamSpecification={"StreamEnabled": False})
        if ws:
            p.update_table("update", "StreamSpecification", f"-> {_show(ws)}", StreamSpecification=ws)
    if sse(wt) != sse(ht):
        p.update_table("update", "SSESpecification", f"{_show(sse(ht))} -> {_show(sse(wt))}",
                       SSESpecification=sse(wt) or {"Enabled": False})
    if table_class(wt) != table_class(ht):
        p.update_table("update", "TableClass", f"{table_class(ht)} -> {table_class(wt)}", TableClass=table_class(wt))
    if bool(wt.get("DeletionProtectionEnabled")) != bool(ht.get("DeletionProtectionEnabled")):
        on = bool(wt.get("DeletionProtectionEnabled"))
        p.update_table("update", "DeletionProtectionEnabled", f"{not on} -> {on}", DeletionProtectionEnabled=on)


def _indexes(p: _Plan, wt: dict[str, Any], whole: dict[str, Any], live: dict[str, Any], mode: str,
             changed_mode: bool) -> None:
    defs = {d["AttributeName"]: d for d in wt.get("AttributeDefinitions") or []}
    for name in sorted(set(whole) | set(live)):
        w, h = whole.get(name), live.get(name)
        target = f"GlobalSecondaryIndexes {name}"
        if w is not None and h is None:
            used = [defs[k["AttributeName"]] for k in [*wt["KeySchema"], *w["KeySchema"]] if k["AttributeName"] in defs]
            unique = list({d["AttributeName"]: d for d in used}.values())
            p.update_table("create", target, "a new index is built from the table's items (takes a while)",
                           AttributeDefinitions=unique, GlobalSecondaryIndexUpdates=[{"Create": index_spec(w, mode)}])
        elif w is None:
            if p.ctx.delete:
                p.update_table("delete", target, "live only (--delete)",
                               GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": name}}])
            else:
                p.add("kept", target, "live only; --delete removes it")
        elif (w.get("KeySchema"), w.get("Projection")) != (h.get("KeySchema"), h.get("Projection")):
            p.add("cannot-restore", target, "an index's keys and projection are fixed: delete it and restore "
                                            "with --delete (the index is rebuilt)")
        elif mode == "PROVISIONED" and not changed_mode and capacity(w) != capacity(h):
            p.update_table("update", f"{target} ProvisionedThroughput", f"{_show(capacity(h))} -> {_show(capacity(w))}",
                           GlobalSecondaryIndexUpdates=[{"Update": {"IndexName": name,
                                                                    "ProvisionedThroughput": capacity(w)}}])


def _tags(p: _Plan, want: dict[str, Any], have: dict[str, Any]) -> None:
    wt, ht = want.get("Tags") or {}, have.get("Tags") or {}
    if wt == ht:
        return
    arn = have["Table"]["TableArn"]
    put = [{"Key": k, "Value": v} for k, v in sorted(wt.items()) if ht.get(k) != v]
    drop = sorted(set(ht) - set(wt))

    def run() -> None:
        ddb = p.ddb()
        if put:
            ddb.tag_resource(ResourceArn=arn, Tags=put)
        if drop:
            ddb.untag_resource(ResourceArn=arn, TagKeys=drop)
    p.add("update", "Tags", f"{_show(ht)} -> {_show(wt)}", run)


# the name restore/more.py gave the update step (tests/unit/test_restore_real_aws.py)
plan_table = plan_update

RESTORER = Restorer(
    update=plan_update, create=plan_create, delete=plan_delete, rank=RANK,
    permissions=("dynamodb:CreateTable", "dynamodb:UpdateTable", "dynamodb:DeleteTable", "dynamodb:DescribeTable",
                 "dynamodb:UpdateTimeToLive", "dynamodb:UpdateContinuousBackups", "dynamodb:TagResource",
                 "dynamodb:UntagResource", "dynamodb:BatchWriteItem",
                 "application-autoscaling:RegisterScalableTarget", "application-autoscaling:DeregisterScalableTarget"),
)
