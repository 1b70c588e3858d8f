"""DB clusters (Aurora, Multi-AZ DB clusters): ``AWS::RDS::DBCluster``; ``aws_rds_cluster``."""

from __future__ import annotations

from typing import Any

from ...model import Block, Fields, Resource
from ...spec import Out
from ..common import renamed
from .common import (
    associated_roles,
    cloudformation_secret,
    domain,
    is_default,
    password,
    subnet_group_link,
    tags,
    tf_tags,
)

_CLUSTER_COMPUTED = (
    "status", "DBClusterArn", "DbClusterResourceId", "Endpoint", "ReaderEndpoint", "CustomEndpoints", "HostedZoneId",
    "ClusterCreateTime", "ReadReplicaIdentifiers", "CloneGroupId", "EarliestRestorableTime", "CrossAccountClone",
    "ServerlessV2PlatformVersion", "CertificateDetails", "AwsBackupRecoveryPointArn", "DBClusterMembers",
    "MultiAZ", "MasterUserSecret.SecretArn", "MasterUserSecret.SecretStatus", "StorageEncryptionType",
    "ActivityStreamStatus", "UpgradeRolloutOrder", "VPCNetworkingEnabled", "InternetAccessGatewayEnabled",
    "ActivityStreamMode", "ActivityStreamKmsKeyId", "ActivityStreamKinesisStreamName",
)


def _cluster_fields(f: Fields) -> dict[str, Any]:
    f.computed(*_CLUSTER_COMPUTED)
    membership = domain(f)
    scaling = f.get("ScalingConfigurationInfo") or {}
    v2 = f.get("ServerlessV2ScalingConfiguration") or {}
    param_group = f.get("DBClusterParameterGroup")
    if f.get_quiet("DBClusterOptionGroupMemberships"):
        f.unsupported("DBClusterOptionGroupMemberships", "AWS::RDS::DBCluster has no property for option groups")
    return {
        "DBClusterIdentifier": f.get("DBClusterIdentifier"),
        "Engine": f.get("Engine"),
        "EngineVersion": f.get("EngineVersion"),
        "EngineMode": f.get("EngineMode"),
        "EngineLifecycleSupport": f.get("EngineLifecycleSupport"),
        "DatabaseName": f.get("DatabaseName"),
        "DBClusterParameterGroupName": None if is_default(param_group, ".") else param_group,
        "DBSubnetGroupName": subnet_group_link(f.get("DBSubnetGroup")),
        "AvailabilityZones": f.get("AvailabilityZones"),
        "BackupRetentionPeriod": f.get("BackupRetentionPeriod"),
        "Port": f.get("Port"),
        "MasterUsername": f.get("MasterUsername"),
        "PreferredBackupWindow": f.get("PreferredBackupWindow"),
        "PreferredMaintenanceWindow": f.get("PreferredMaintenanceWindow"),
        "ReplicationSourceIdentifier": f.get("ReplicationSourceIdentifier"),
        "VpcSecurityGroupIds": [g["VpcSecurityGroupId"] for g in f.get("VpcSecurityGroups") or []],
        "StorageEncrypted": f.get("StorageEncrypted"),
        "KmsKeyId": f.get("KmsKeyId"),
        "StorageType": f.get("StorageType"),
        "Iops": f.get("Iops"),
        "StorageThroughput": f.get("StorageThroughput"),
        "AllocatedStorage": f.get("AllocatedStorage"),
        "DBClusterInstanceClass": f.get("DBClusterInstanceClass"),
        "AssociatedRoles": associated_roles(f),
        "EnableIAMDatabaseAuthentication": f.get("IAMDatabaseAuthenticationEnabled"),
        "BacktrackWindow": f.get("BacktrackWindow"),
        "EnableCloudwatchLogsExports": f.get("EnabledCloudwatchLogsExports"),
        "ScalingConfiguration": {k: scaling.get(k) for k in ("MinCapacity", "MaxCapacity", "AutoPause",
                                                             "SecondsUntilAutoPause", "TimeoutAction",
                                                             "SecondsBeforeTimeout")} if scaling else None,
        "ServerlessV2ScalingConfiguration": {k: v2.get(k) for k in ("MinCapacity", "MaxCapacity",
                                                                    "SecondsUntilAutoPause")} if v2 else None,
        "PubliclyAccessible": f.get("PubliclyAccessible"),
        "AutoMinorVersionUpgrade": f.get("AutoMinorVersionUpgrade"),
        "DeletionProtection": f.get("DeletionProtection"),
        "EnableHttpEndpoint": f.get("HttpEndpointEnabled"),
        "CopyTagsToSnapshot": f.get("CopyTagsToSnapshot"),
        "Domain": membership.get("Domain"),
        "DomainIAMRoleName": membership.get("IAMRoleName"),
        "GlobalClusterIdentifier": f.get("GlobalClusterIdentifier"),
        "EnableGlobalWriteForwarding": f.get("GlobalWriteForwardingRequested"),
        "NetworkType": f.get("NetworkType"),
        "MonitoringInterval": f.get("MonitoringInterval"),
        "MonitoringRoleArn": f.get("MonitoringRoleArn"),
        "DatabaseInsightsMode": f.get("DatabaseInsightsMode"),
        "PerformanceInsightsEnabled": f.get("PerformanceInsightsEnabled"),
        "PerformanceInsightsKmsKeyId": f.get("PerformanceInsightsKMSKeyId"),
        "PerformanceInsightsRetentionPeriod": f.get("PerformanceInsightsRetentionPeriod"),
        "ClusterScalabilityType": f.get("ClusterScalabilityType"),
        "DBSystemId": f.get("DBSystemId"),
        "Tags": tags(f),
        **password(f, False),
    }


def _nowhere(f: Fields, why: str) -> None:
    """Report the cluster settings neither format has a place for, when set."""
    for path in ("LimitlessDatabase", "RdsCustomClusterConfiguration"):
        if f.get_quiet(path):
            f.unsupported(path, why)


def cluster_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    props = cloudformation_secret(_cluster_fields(f))
    _nowhere(f, "AWS::RDS::DBCluster has no property for it")
    name = props["DBClusterIdentifier"]
    out.resource("AWS::RDS::DBCluster", props, name, identifier={"DBClusterIdentifier": name})


_TF_CLUSTER = {
    "DBClusterIdentifier": "cluster_identifier", "Engine": "engine", "EngineVersion": "engine_version",
    "EngineMode": "engine_mode", "EngineLifecycleSupport": "engine_lifecycle_support", "DatabaseName": "database_name",
    "DBClusterParameterGroupName": "db_cluster_parameter_group_name", "DBSubnetGroupName": "db_subnet_group_name",
    "AvailabilityZones": "availability_zones", "BackupRetentionPeriod": "backup_retention_period", "Port": "port",
    "MasterUsername": "master_username", "PreferredBackupWindow": "preferred_backup_window",
    "PreferredMaintenanceWindow": "preferred_maintenance_window",
    "ReplicationSourceIdentifier": "replication_source_identifier", "VpcSecurityGroupIds": "vpc_security_group_ids",
    "StorageEncrypted": "storage_encrypted", "KmsKeyId": "kms_key_id", "StorageType": "storage_type", "Iops": "iops",
    "AllocatedStorage": "allocated_storage", "DBClusterInstanceClass": "db_cluster_instance_class",
    "EnableIAMDatabaseAuthentication": "iam_database_authentication_enabled", "BacktrackWindow": "backtrack_window",
    "EnableCloudwatchLogsExports": "enabled_cloudwatch_logs_exports", "DeletionProtection": "deletion_protection",
    "EnableHttpEndpoint": "enable_http_endpoint", "CopyTagsToSnapshot": "copy_tags_to_snapshot", "Domain": "domain",
    "DomainIAMRoleName": "domain_iam_role_name", "GlobalClusterIdentifier": "global_cluster_identifier",
    "EnableGlobalWriteForwarding": "enable_global_write_forwarding", "NetworkType": "network_type",
    "DatabaseInsightsMode": "database_insights_mode", "MonitoringInterval": "monitoring_interval",
    "MonitoringRoleArn": "monitoring_role_arn",
    "PerformanceInsightsEnabled": "performance_insights_enabled",
    "PerformanceInsightsKmsKeyId": "performance_insights_kms_key_id",
    "PerformanceInsightsRetentionPeriod": "performance_insights_retention_period",
    "ClusterScalabilityType": "cluster_scalability_type", "MasterUserPassword": "master_password",
    "ManageMasterUserPassword": "manage_master_user_password",
    "MasterUserSecretKmsKeyId": "master_user_secret_kms_key_id",
}


def cluster_terraform(r: Resource, f: Fields, out: Out) -> None:
    props = _cluster_fields(f)
    name = props["DBClusterIdentifier"]
    body = renamed(props, _TF_CLUSTER)
    scaling = props.get("ScalingConfiguration")
    v2 = props.get("ServerlessV2ScalingConfiguration")
    body["scaling_configuration"] = Block({
        "min_capacity": scaling.get("MinCapacity"), "max_capacity": scaling.get("MaxCapacity"),
        "auto_pause": scaling.get("AutoPause"), "seconds_until_auto_pause": scaling.get("SecondsUntilAutoPause"),
        "timeout_action": scaling.get("TimeoutAction"),
        "seconds_before_timeout": scaling.get("SecondsBeforeTimeout")}) if scaling else None
    body["serverlessv2_scaling_configuration"] = Block({
        "min_capacity": v2.get("MinCapacity"), "max_capacity": v2.get("MaxCapacity"),
        "seconds_until_auto_pause": v2.get("SecondsUntilAutoPause")}) if v2 else None
    body["tags"] = tf_tags(props)
    for cfn, why in (("AssociatedRoles", "add an aws_rds_cluster_role_association per role"),
                     ("PubliclyAccessible", "set on the cluster's instances in Terraform"),
                     ("AutoMinorVersionUpgrade", "set on the cluster's instances in Terraform"),
                     ("DBSystemId", "no aws_rds_cluster attribute for it")):
        if props.get(cfn) is not None and props.get(cfn) != []:
            f.unsupported(cfn, why)
    _nowhere(f, "aws_rds_cluster has no attribute for it")
    out.block("aws_rds_cluster", body, name, import_id=name)
