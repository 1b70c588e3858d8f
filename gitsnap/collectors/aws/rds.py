"""RDS (regional): instances, clusters, parameter groups (user-set parameters), subnet groups,
and the list of snapshots. No password is ever returned by these calls."""

from __future__ import annotations

from ..context import UnitContext
from ..run import call
from ..spec import Call, Detail, Raw, ResourceType

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
)

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
)

TYPES = (INSTANCE, CLUSTER, PARAMETER_GROUP, SUBNET_GROUP, SNAPSHOT)
