"""RDS (regional): instances, clusters, parameter groups (user-set parameters), subnet groups,
and the list of snapshots. No password is ever returned by these calls.

Restore puts back parameter groups (created with their user-set parameters, parameters set and
reset, deleted with --delete) and subnet groups (created, description and subnets, deleted with
--delete). Instances, clusters and snapshots hold data gitsnap never captures: they are declared
not restorable, with the RDS command that restores them from a snapshot.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..context import UnitContext
from ..restoring import Operation, RestoreContext, Unrestorable
from ..run import call
from ..spec import Call, Detail, NotRestorable, Raw, ResourceType, Restorer

_VOLATILE = ("LatestRestorableTime", "PercentProgress", "CertificateDetails.ValidTill", "Endpoint.HostedZoneId",
             "StorageOperationPercentProgress", "AdditionalStorageVolumes.*.StorageOperationPercentProgress")
# What RDS moves by itself: states, pending modifications it applies in the maintenance window,
# and which member is the writer after a failover (docs/diff.md).
_COMMON_STATUS = ("VpcSecurityGroups.*.Status", "AssociatedRoles.*.Status", "DomainMemberships.*.Status",
                      "ActivityStreamStatus", "MasterUserSecret.SecretStatus", "PendingModifiedValues",
                      "StatusInfos", "AutomaticRestartTime")
_INSTANCE_STATUS = ("DBInstanceStatus", *_COMMON_STATUS, "DBSecurityGroups.*.Status",
                    "DBParameterGroups.*.ParameterApplyStatus", "OptionGroupMemberships.*.Status",
                    "DBSubnetGroup.SubnetGroupStatus", "DBSubnetGroup.Subnets.*.SubnetStatus", "ActivityStreamPolicyStatus",
                    "SecondaryAvailabilityZone", "ResumeFullAutomationModeTime", "StorageVolumeStatus",
                    "StorageOperationStatus", "AdditionalStorageVolumes.*.StorageVolumeStatus",
                    "AdditionalStorageVolumes.*.StorageOperationStatus", "IsStorageConfigUpgradeAvailable")
_CLUSTER_STATUS = ("Status", *_COMMON_STATUS, "DBClusterOptionGroupMemberships.*.Status",
                   "DBClusterMembers.*.DBClusterParameterGroupStatus", "DBClusterMembers.*.IsClusterWriter",
                   "GlobalWriteForwardingStatus", "LocalWriteForwardingStatus", "IOOptimizedNextAllowedModificationTime")


def _keep(raw: Raw, drop: tuple[str, ...] = ()) -> Raw:
    return {k: v for k, v in raw.items() if k not in drop}


INSTANCE = ResourceType(
    service="rds", type="instance", scope="regional", client="rds",
    list=Call("describe_db_instances", result="DBInstances", paginate=True),
    id=lambda r: r["DBInstanceIdentifier"],
    transform=_keep,
    volatile=_VOLATILE,
    status=_INSTANCE_STATUS,
    unordered=("VpcSecurityGroups", "DBParameterGroups", "OptionGroupMemberships", "TagList"),
    schema="aws.rds.instance",
    permissions=("rds:DescribeDBInstances",),
    restore=NotRestorable(
        "a database's data lives only in RDS (gitsnap keeps its configuration, never its data): restore it from a "
        "snapshot (aws rds restore-db-instance-from-db-snapshot --db-instance-identifier NAME --db-snapshot-identifier "
        "SNAPSHOT; the rds/snapshot documents list them) or to a point in time (aws rds "
        "restore-db-instance-to-point-in-time); change its settings with aws rds modify-db-instance"),
)

CLUSTER = ResourceType(
    service="rds", type="cluster", scope="regional", client="rds", primary=False,
    list=Call("describe_db_clusters", result="DBClusters", paginate=True),
    id=lambda r: r["DBClusterIdentifier"],
    transform=_keep,
    volatile=("LatestRestorableTime", "EarliestRestorableTime", "PercentProgress", "Capacity", "EarliestBacktrackTime",
              "BacktrackConsumedChangeRecords", "CertificateDetails.ValidTill"),
    status=_CLUSTER_STATUS,
    unordered=("DBClusterMembers", "VpcSecurityGroups", "TagList", "AvailabilityZones"),
    schema="aws.rds.cluster",
    permissions=("rds:DescribeDBClusters",),
    restore=NotRestorable(
        "a cluster's data lives only in RDS (gitsnap keeps its configuration, never its data): restore it from a "
        "cluster snapshot (aws rds restore-db-cluster-from-snapshot) or to a point in time (aws rds "
        "restore-db-cluster-to-point-in-time), then add its instances; change its settings with aws rds modify-db-cluster"),
)

# -- restore: parameter groups -----------------------------------------------------------------

BATCH = 20  # parameters one ModifyDBParameterGroup / ResetDBParameterGroup call takes


def batches(items: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def apply_types(rds: Any, group: str) -> dict[str, str]:
    """Each parameter's ApplyType (``static``/``dynamic``) in a group, as RDS lists it."""
    found: dict[str, str] = {}
    for page in rds.get_paginator("describe_db_parameters").paginate(DBParameterGroupName=group):
        found.update({p["ParameterName"]: p.get("ApplyType", "") for p in page.get("Parameters") or []})
    return found


def apply_method(apply_type: str | None) -> str:
    """``immediate`` for a dynamic parameter; a static one (or one RDS does not describe) at the
    next reboot, the only method RDS accepts for it. Pure."""
    return "immediate" if apply_type == "dynamic" else "pending-reboot"


def _set_parameters(rds: Any, group: str, values: dict[str, Any]) -> None:
    types = apply_types(rds, group)
    params = [{"ParameterName": k, "ParameterValue": v, "ApplyMethod": apply_method(types.get(k))}
              for k, v in sorted(values.items())]
    for batch in batches(params):
        rds.modify_db_parameter_group(DBParameterGroupName=group, Parameters=batch)


def _reset_parameters(rds: Any, group: str, names: list[str]) -> None:
    types = apply_types(rds, group)
    params = [{"ParameterName": k, "ApplyMethod": apply_method(types.get(k))} for k in names]
    for batch in batches(params):
        rds.reset_db_parameter_group(DBParameterGroupName=group, ResetAllParameters=False, Parameters=batch)


def _parameter_ops(ctx: RestoreContext, address: str, rds: Any, group: str, want: dict[str, Any],
                   have: dict[str, Any]) -> list[Operation]:
    """Changed and missing user-set parameters set (dynamic ones at once, static ones at the next
    reboot); ones set since the snapshot kept, or reset to the engine default with --delete."""
    put = {k: v for k, v in want.items() if v is not None and (have.get(k) != v or k not in have)}
    extra = sorted(set(have) - set(want))
    ops = [Operation(address, "update", f"Parameters.{k}", f"{have.get(k)} -> {v}") for k, v in sorted(put.items())]
    if put:
        ops[0].run = lambda: _set_parameters(rds, group, put)
        ops[0].detail += " (static parameters take effect at the next reboot of the databases using the group)"
    for k in extra:
        ops.append(Operation(address, "update" if ctx.delete else "kept", f"Parameters.{k}",
                             "reset to the engine default (--delete)" if ctx.delete else
                             "set since the snapshot; --delete resets it to the engine default"))
    if extra and ctx.delete:
        next(op for op in ops if op.target == f"Parameters.{extra[0]}").run = lambda: _reset_parameters(rds, group, extra)
    return ops


def plan_parameter_group(ctx: RestoreContext, address: str) -> list[Operation]:
    want, have = ctx.want(address), ctx.have(address)
    ops = _parameter_ops(ctx, address, ctx.client("rds", address), want["DBParameterGroupName"],
                         want.get("Parameters") or {}, have.get("Parameters") or {})
    for field in ("DBParameterGroupFamily", "Description"):
        if want.get(field) != have.get(field):
            ops.append(Operation(address, "cannot-restore", field, "fixed when the group is created: create a new "
                                                                   "group, then move the databases to it"))
    return ops


def create_parameter_group(ctx: RestoreContext, address: str) -> list[Operation]:
    want = ctx.want(address)
    rds = ctx.client("rds", address)
    group = want["DBParameterGroupName"]
    create = Operation(address, "create", address, f"{want.get('DBParameterGroupFamily')} parameter group",
                       run=lambda: rds.create_db_parameter_group(
                           DBParameterGroupName=group, DBParameterGroupFamily=want["DBParameterGroupFamily"],
                           Description=want.get("Description") or group))
    return [create, *_parameter_ops(ctx, address, rds, group, want.get("Parameters") or {}, {})]


def delete_parameter_group(ctx: RestoreContext, address: str) -> list[Operation]:
    rds = ctx.client("rds", address)
    group = ctx.have(address)["DBParameterGroupName"]
    return [Operation(address, "delete", address, "live only (--delete); RDS refuses while a database uses it",
                      run=lambda: rds.delete_db_parameter_group(DBParameterGroupName=group))]


# -- restore: subnet groups --------------------------------------------------------------------

def _subnets(doc: Raw) -> list[str]:
    return sorted(s["SubnetIdentifier"] for s in doc.get("Subnets") or [])


def plan_subnet_group(ctx: RestoreContext, address: str) -> list[Operation]:
    want, have = ctx.want(address), ctx.have(address)
    if _subnets(want) == _subnets(have) and want.get("DBSubnetGroupDescription") == have.get("DBSubnetGroupDescription"):
        return [Operation(address, "cannot-restore", field, "differs; change it by hand (aws rds modify-db-subnet-group)")
                for field in sorted(set(want) | set(have)) if field != "status" and want.get(field) != have.get(field)]
    rds = ctx.client("rds", address)
    group = want["DBSubnetGroupName"]
    detail = f"subnets {', '.join(_subnets(have))} -> {', '.join(_subnets(want))}"
    return [Operation(address, "update", "Subnets", detail, run=lambda: rds.modify_db_subnet_group(
        DBSubnetGroupName=group, DBSubnetGroupDescription=want.get("DBSubnetGroupDescription") or group,
        SubnetIds=_subnets(want)))]


def create_subnet_group(ctx: RestoreContext, address: str) -> list[Operation]:
    want = ctx.want(address)
    if not _subnets(want):
        raise Unrestorable(Operation(address, "cannot-restore", address, "the snapshot lists no subnets for it"))
    rds = ctx.client("rds", address)
    group = want["DBSubnetGroupName"]
    return [Operation(address, "create", address, f"in {want.get('VpcId')}: subnets {', '.join(_subnets(want))} (they "
                                                  "must still exist)",
                      run=lambda: rds.create_db_subnet_group(
                          DBSubnetGroupName=group, DBSubnetGroupDescription=want.get("DBSubnetGroupDescription") or group,
                          SubnetIds=_subnets(want)))]


def delete_subnet_group(ctx: RestoreContext, address: str) -> list[Operation]:
    rds = ctx.client("rds", address)
    group = ctx.have(address)["DBSubnetGroupName"]
    return [Operation(address, "delete", address, "live only (--delete); RDS refuses while a database uses it",
                      run=lambda: rds.delete_db_subnet_group(DBSubnetGroupName=group))]


PARAMETER_GROUP = ResourceType(
    service="rds", type="parameter-group", scope="regional", client="rds", primary=False,
    list=Call("describe_db_parameter_groups", result="DBParameterGroups", paginate=True),
    id=lambda r: r["DBParameterGroupName"],
    details=(
        # the identity read: a group deleted since the listing is left out, not recorded as empty
        Detail("Parameters", Call("describe_db_parameters", paginate=True, result="Parameters", identity=True,
                                  params=lambda r: {"DBParameterGroupName": r["DBParameterGroupName"], "Source": "user"})),
    ),
    transform=lambda r: {**_keep(r, ("Parameters",)),
                         "Parameters": {p["ParameterName"]: p.get("ParameterValue") for p in r.get("Parameters") or []}},
    schema="aws.rds.parameter-group",
    permissions=("rds:DescribeDBParameterGroups", "rds:DescribeDBParameters"),
    # before anything that would use them (databases are not restored by gitsnap)
    restore=Restorer(update=plan_parameter_group, create=create_parameter_group, delete=delete_parameter_group,
                     rank=25, permissions=("rds:CreateDBParameterGroup", "rds:ModifyDBParameterGroup",
                                           "rds:ResetDBParameterGroup", "rds:DeleteDBParameterGroup")),
)

SUBNET_GROUP = ResourceType(
    service="rds", type="subnet-group", scope="regional", client="rds", primary=False,
    list=Call("describe_db_subnet_groups", result="DBSubnetGroups", paginate=True),
    id=lambda r: r["DBSubnetGroupName"],
    transform=_keep,
    status=("SubnetGroupStatus", "Subnets.*.SubnetStatus"),
    unordered=("Subnets",),
    schema="aws.rds.subnet-group",
    permissions=("rds:DescribeDBSubnetGroups",),
    restore=Restorer(update=plan_subnet_group, create=create_subnet_group, delete=delete_subnet_group, rank=25,
                     permissions=("rds:CreateDBSubnetGroup", "rds:ModifyDBSubnetGroup", "rds:DeleteDBSubnetGroup")),
)

# DescribeDBSnapshots without a SnapshotType lists automated and manual snapshots only: those
# AWS Backup made (and manages) are listed only when asked for by type. Shared and public
# snapshots are other accounts': not asked for.
SNAPSHOT_LISTINGS = ({}, {"SnapshotType": "awsbackup"})


def enumerate_snapshots(ctx: UnitContext) -> list[Raw]:
    """Every DB snapshot of this account in the region, each once (by ARN)."""
    found: dict[str, Raw] = {}
    for params in SNAPSHOT_LISTINGS:
        listing = Call("describe_db_snapshots", params=lambda _r, p=params: p, result="DBSnapshots", paginate=True)
        for snap in call(ctx, SNAPSHOT, listing, {}, f"rds in {ctx.region}") or []:
            found.setdefault(snap.get("DBSnapshotArn") or snap["DBSnapshotIdentifier"], snap)
    return [found[key] for key in sorted(found)]


SNAPSHOT = ResourceType(
    service="rds", type="snapshot", scope="regional", client="rds", primary=False,
    enumerate=enumerate_snapshots,
    id=lambda r: r["DBSnapshotIdentifier"],
    transform=lambda r: {k: r.get(k) for k in ("DBSnapshotIdentifier", "DBInstanceIdentifier", "SnapshotType",
                                               "Engine", "EngineVersion", "AllocatedStorage", "SnapshotCreateTime",
                                               "Encrypted", "DBSnapshotArn", "Status")},
    status=("Status",),  # creating -> available
    schema="aws.rds.snapshot",
    permissions=("rds:DescribeDBSnapshots",),
    restore=NotRestorable(
        "a snapshot's data lives only in RDS: a deleted one is gone, unless a copy exists in another region or account "
        "(aws rds copy-db-snapshot brings it back); take a new one with aws rds create-db-snapshot"),
)

TYPES = (INSTANCE, CLUSTER, PARAMETER_GROUP, SUBNET_GROUP, SNAPSHOT)
