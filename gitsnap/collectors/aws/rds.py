"""RDS (regional): instances, clusters, parameter groups (user-set parameters), subnet groups,
and the list of snapshots. No password is ever returned by these calls."""

from __future__ import annotations

from ..spec import Call, Detail, Raw, ResourceType

_STATUS = ("DBInstanceStatus", "LatestRestorableTime", "PendingModifiedValues", "ActivityStreamStatus",
           "CertificateDetails.ValidTill", "Endpoint.HostedZoneId")


def _keep(raw: Raw, drop: tuple[str, ...] = ()) -> Raw:
    return {k: v for k, v in raw.items() if k not in drop}


INSTANCE = ResourceType(
    service="rds", type="instance", scope="regional", client="rds",
    list=Call("describe_db_instances", result="DBInstances", paginate=True),
    id=lambda r: r["DBInstanceIdentifier"],
    transform=_keep,
    volatile=_STATUS,
    unordered=("VpcSecurityGroups", "DBParameterGroups", "OptionGroupMemberships", "TagList"),
    schema="aws.rds.instance",
    permissions=("rds:DescribeDBInstances",),
)

CLUSTER = ResourceType(
    service="rds", type="cluster", scope="regional", client="rds", primary=False,
    list=Call("describe_db_clusters", result="DBClusters", paginate=True),
    id=lambda r: r["DBClusterIdentifier"],
    transform=_keep,
    volatile=("Status", "LatestRestorableTime", "EarliestRestorableTime", "PercentProgress", "ActivityStreamStatus"),
    unordered=("DBClusterMembers", "VpcSecurityGroups", "TagList", "AvailabilityZones"),
    schema="aws.rds.cluster",
    permissions=("rds:DescribeDBClusters",),
)

PARAMETER_GROUP = ResourceType(
    service="rds", type="parameter-group", scope="regional", client="rds", primary=False,
    list=Call("describe_db_parameter_groups", result="DBParameterGroups", paginate=True),
    id=lambda r: r["DBParameterGroupName"],
    details=(
        Detail("Parameters", Call("describe_db_parameters", paginate=True, result="Parameters",
                                  params=lambda r: {"DBParameterGroupName": r["DBParameterGroupName"], "Source": "user"},
                                  absent=("DBParameterGroupNotFound",))),
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
    volatile=("SubnetGroupStatus", "Subnets.*.SubnetStatus"),
    unordered=("Subnets",),
    schema="aws.rds.subnet-group",
    permissions=("rds:DescribeDBSubnetGroups",),
)

SNAPSHOT = ResourceType(
    service="rds", type="snapshot", scope="regional", client="rds", primary=False,
    list=Call("describe_db_snapshots", result="DBSnapshots", paginate=True),
    id=lambda r: r["DBSnapshotIdentifier"],
    transform=lambda r: {k: r.get(k) for k in ("DBSnapshotIdentifier", "DBInstanceIdentifier", "SnapshotType",
                                               "Engine", "EngineVersion", "AllocatedStorage", "SnapshotCreateTime",
                                               "Encrypted", "DBSnapshotArn")},
    schema="aws.rds.snapshot",
    permissions=("rds:DescribeDBSnapshots",),
)

TYPES = (INSTANCE, CLUSTER, PARAMETER_GROUP, SUBNET_GROUP, SNAPSHOT)
