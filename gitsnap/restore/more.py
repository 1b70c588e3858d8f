"""Restore Apps Script projects, DynamoDB table settings and IAM roles."""

from __future__ import annotations

import json
from typing import Any

from ..collectors import registry
from ..collectors.gas.projects import execute
from ..diff import diff_documents
from ..render import value
from .aws import both
from .ops import NEEDS_IDENTITY, Operation, RestoreContext, RestoreError
from .reveal import IDENTITY_HINT, sealed_files

# -- Apps Script -----------------------------------------------------------------------------

def _sources(snap: Any, address: str) -> dict[str, bytes]:
    return {rel[len("source/"):]: snap.read(b) for rel, b in snap.resource_files(address).items()
            if rel.startswith("source/")}


def plan_project(ctx: RestoreContext, address: str) -> list[Operation]:
    """updateContent replaces the whole project, so every file is listed; live-only files are
    sent back unchanged unless --delete."""
    want, have = both(ctx, address, "the project could not be read live")
    ws, hs = _sources(ctx.snapshot, address), _sources(ctx.live, address)
    sealed = {rel[len("source/"):] for rel in ctx.reveal.sealed_files(address) if rel.startswith("source/")}
    live_sealed = {rel: e["sha256"] for rel, e in sealed_files(ctx.live, address).items()}
    mine = {rel: e["sha256"] for rel, e in ctx.reveal.sealed_files(address).items()}
    ops = []
    for name in sorted(set(ws) | set(hs)):
        differs = ws.get(name) != hs.get(name) or mine.get(f"source/{name}") != live_sealed.get(f"source/{name}")
        if name in ws and differs and name in sealed and not ctx.reveal.available:
            ops.append(Operation(address, NEEDS_IDENTITY, f"source/{name}", f"sealed in the snapshot; {IDENTITY_HINT}"))
        elif name in ws and differs:
            ops.append(Operation(address, "update", f"source/{name}", "added" if name not in hs else "changed"))
        elif name not in ws:
            ops.append(Operation(address, "update" if ctx.delete else "kept", f"source/{name}",
                                 "removed (--delete)" if ctx.delete else "live only; --delete removes it"))
    updates = [op for op in ops if op.verb == "update"]
    if updates:
        script_id = want["ScriptId"]

        def apply() -> None:
            client = registry.client_factory("gas", ctx.config)()
            live = execute(client.projects().getContent(scriptId=script_id), f"{address}: projects.getContent")
            files = [{"name": f["name"], "type": f["type"],
                      "source": (ctx.reveal.file(address, f["path"]) or b"").decode("utf-8")}
                     for f in want["Files"]]
            if not ctx.delete:
                known = {(f["name"], f["type"]) for f in files}
                files += [{"name": f["name"], "type": f["type"], "source": f.get("source", "")}
                          for f in live.get("files", []) if (f["name"], f["type"]) not in known]
            execute(client.projects().updateContent(scriptId=script_id, body={"files": files}),
                    f"{address}: projects.updateContent")

        updates[0].run = apply
    return ops


# -- DynamoDB --------------------------------------------------------------------------------

def table_active(ctx: RestoreContext, ddb: Any, address: str, name: str) -> None:
    """Wait until the table is ACTIVE again: real DynamoDB leaves it UPDATING for a while after
    UpdateTable and refuses some changes until then (the local endpoint is ACTIVE at once)."""
    waits = ctx.waits
    for attempt in range(waits.attempts):
        status = ddb.describe_table(TableName=name)["Table"].get("TableStatus")
        if status in (None, "ACTIVE"):
            return
        if attempt + 1 < waits.attempts:
            waits.sleep(waits.delay)
    raise RestoreError(f"{address}: table {name} was still {status} after {waits.attempts} checks following "
                       "UpdateTable; wait for it, then plan again")


def plan_table(ctx: RestoreContext, address: str) -> list[Operation]:
    """TTL, point-in-time recovery, billing mode and tags; index changes are listed, not made."""
    want, have = both(ctx, address, "the table does not exist live")
    ddb = ctx.client("dynamodb", address)
    name = want["Table"]["TableName"]
    ops: list[Operation] = []
    # billing first: UpdateTable leaves the table UPDATING, so the other changes follow once it is ACTIVE
    wb = (want["Table"].get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
    hb = (have["Table"].get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
    if wb != hb:
        params: dict[str, Any] = {"BillingMode": wb}
        if wb == "PROVISIONED":
            t = want["Table"].get("ProvisionedThroughput") or {}
            params["ProvisionedThroughput"] = {"ReadCapacityUnits": t.get("ReadCapacityUnits", 1),
                                               "WriteCapacityUnits": t.get("WriteCapacityUnits", 1)}

        def update_table(p: dict[str, Any] = params) -> None:
            ddb.update_table(TableName=name, **p)
            table_active(ctx, ddb, address, name)

        ops.append(Operation(address, "update", "BillingMode", f"{hb} -> {wb}", run=update_table))
    wt, ht = want.get("TimeToLive") or {}, have.get("TimeToLive") or {}
    if wt != ht:
        on = wt.get("TimeToLiveStatus") in ("ENABLED", "ENABLING")
        attr = wt.get("AttributeName") if on else ht.get("AttributeName")
        ops.append(Operation(address, "update", "TimeToLive", f"{value(ht)} -> {value(wt)}",
                             run=lambda spec={"Enabled": on, "AttributeName": attr}: ddb.update_time_to_live(
                                 TableName=name, TimeToLiveSpecification=spec)))
    wp = ((want.get("ContinuousBackups") or {}).get("PointInTimeRecoveryDescription") or {}).get("PointInTimeRecoveryStatus")
    hp = ((have.get("ContinuousBackups") or {}).get("PointInTimeRecoveryDescription") or {}).get("PointInTimeRecoveryStatus")
    if wp != hp and wp:
        ops.append(Operation(address, "update", "PointInTimeRecovery", f"{hp} -> {wp}",
                             run=lambda on=wp == "ENABLED": ddb.update_continuous_backups(
                                 TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": on})))
    if want.get("Tags") != have.get("Tags"):
        arn = have["Table"]["TableArn"]
        tags = [{"Key": k, "Value": v} for k, v in sorted((want.get("Tags") or {}).items())]
        ops.append(Operation(address, "update", "Tags", f"{value(have.get('Tags'))} -> {value(want.get('Tags'))}",
                             run=lambda t=tags: ddb.tag_resource(ResourceArn=arn, Tags=t) if t else None))
    handled = {"TimeToLive", "ContinuousBackups", "Tags"}
    for ch in diff_documents(address, have, want):
        if ch.path.split(".")[0].split("[")[0] in handled or ch.path.startswith("Table.BillingModeSummary"):
            continue
        note = "index changes rebuild data: make them by hand" if "SecondaryIndexes" in ch.path else "restore it by hand"
        ops.append(Operation(address, "not-restorable-yet", ch.path, note))
    return ops


# -- IAM roles -------------------------------------------------------------------------------

def plan_role(ctx: RestoreContext, address: str) -> list[Operation]:
    """Trust policy, inline policies and attached managed policies."""
    want, have = both(ctx, address, "the role does not exist live")
    iam = ctx.client("iam", address)
    role = want["RoleName"]
    ops: list[Operation] = []
    if want["AssumeRolePolicyDocument"] != have["AssumeRolePolicyDocument"]:
        trust = json.dumps(want["AssumeRolePolicyDocument"])
        ops.append(Operation(address, "update", "AssumeRolePolicyDocument", "trust policy differs",
                             run=lambda d=trust: iam.update_assume_role_policy(RoleName=role, PolicyDocument=d)))
    wi, hi = want.get("InlinePolicies") or {}, have.get("InlinePolicies") or {}
    for name in sorted(set(wi) | set(hi)):
        if name in wi and wi[name] != hi.get(name):
            doc = json.dumps(wi[name])
            ops.append(Operation(address, "put", f"InlinePolicies.{name}", "added" if name not in hi else "changed",
                                 run=lambda n=name, d=doc: iam.put_role_policy(RoleName=role, PolicyName=n, PolicyDocument=d)))
        elif name not in wi:
            ops.append(Operation(address, "delete", f"InlinePolicies.{name}",
                                 run=lambda n=name: iam.delete_role_policy(RoleName=role, PolicyName=n))
                       if ctx.delete else Operation(address, "kept", f"InlinePolicies.{name}", "live only; --delete removes it"))
    wa, ha = set(want.get("AttachedPolicies") or []), set(have.get("AttachedPolicies") or [])
    for arn in sorted(wa - ha):
        ops.append(Operation(address, "put", f"AttachedPolicies {arn}",
                             run=lambda a=arn: iam.attach_role_policy(RoleName=role, PolicyArn=a)))
    for arn in sorted(ha - wa):
        ops.append(Operation(address, "delete", f"AttachedPolicies {arn}",
                             run=lambda a=arn: iam.detach_role_policy(RoleName=role, PolicyArn=a))
                   if ctx.delete else Operation(address, "kept", f"AttachedPolicies {arn}", "live only; --delete detaches it"))
    for part in ("Description", "MaxSessionDuration", "PermissionsBoundary", "Tags", "Path"):
        if want.get(part) != have.get(part):
            ops.append(Operation(address, "not-restorable-yet", part, "differs; restore it by hand"))
    return ops


def plan_policy(ctx: RestoreContext, address: str) -> list[Operation]:
    """A customer managed policy: the snapshot's document becomes the new default version."""
    want, have = both(ctx, address, "the policy does not exist live")
    ops: list[Operation] = []
    if want.get("Document") != have.get("Document"):
        iam = ctx.client("iam", address)
        arn, doc = have["Arn"], json.dumps(want["Document"])

        def apply() -> None:
            versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
            if len(versions) >= 5:  # IAM keeps five: make room by dropping the oldest non-default one
                oldest = min((v for v in versions if not v["IsDefaultVersion"]), key=lambda v: v["CreateDate"])
                iam.delete_policy_version(PolicyArn=arn, VersionId=oldest["VersionId"])
            iam.create_policy_version(PolicyArn=arn, PolicyDocument=doc, SetAsDefault=True)

        ops.append(Operation(address, "update", "Document", "a new default version with the snapshot's document",
                             run=apply))
    for part in ("Description", "Tags", "Path"):
        if want.get(part) != have.get(part):
            ops.append(Operation(address, "not-restorable-yet", part, "differs; restore it by hand"))
    return ops


RESTORERS = {
    ("iam", "policy"): plan_policy,
    ("gas", "project"): plan_project,
    ("dynamodb", "table"): plan_table,
    ("iam", "role"): plan_role,
}
