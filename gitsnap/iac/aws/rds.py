"""RDS: instances (AWS::RDS::DBInstance; aws_db_instance, or aws_rds_cluster_instance for a cluster
member), clusters (AWS::RDS::DBCluster; aws_rds_cluster), parameter groups (with their
user-set parameters) and subnet groups. Snapshots are left out: neither format creates one.

No password is ever in a snapshot (RDS never returns it). An instance or cluster is emitted
with the master password only when its document holds one (a redaction marker: the writers
make it a NoEcho parameter / sensitive variable); otherwise RDS is asked to manage a new one
in Secrets Manager (``ManageMasterUserPassword``), so the code deploys without a password in it.
"""

from __future__ import annotations

from typing import Any

from ..model import Block, Fields, Link, Resource
from ..spec import IacSpec, LeftOut, Out

_NO_PASSWORD = ("the master password is never in a snapshot (RDS does not return it): the code lets RDS "
                "manage a new one in Secrets Manager (ManageMasterUserPassword); set your own after deploying "
                "with aws rds modify-db-instance --master-user-password")

# Identifiers, endpoints, dates and figures RDS sets by itself.
_INSTANCE_COMPUTED = (
    "status", "DBInstanceArn", "DbiResourceId", "Endpoint.Address", "Endpoint.HostedZoneId", "InstanceCreateTime",
    "ReadReplicaDBInstanceIdentifiers", "ReadReplicaDBClusterIdentifiers", "CertificateDetails", "ListenerEndpoint",
    "PrimaryEndpoint", "EnhancedMonitoringResourceArn", "AwsBackupRecoveryPointArn", "DbInstancePort",
    "DBInstanceAutomatedBackupsReplications", "MasterUserSecret.SecretArn", "MasterUserSecret.SecretStatus",
    "DBSubnetGroup.DBSubnetGroupDescription", "DBSubnetGroup.VpcId", "DBSubnetGroup.Subnets",
    "DBSubnetGroup.DBSubnetGroupArn", "DBSubnetGroup.SupportedNetworkTypes", "DBSubnetGroup.SubnetGroupStatus",
    "StorageEncryptionType", "ActivityStreamStatus", "AutomationMode", "CustomerOwnedIpEnabled",
    "StorageVolumeStatus", "MultiTenant", "UpgradeRolloutOrder", "VPCNetworkingEnabled",
)
_CLUSTER_COMPUTED = (
    "status", "DBClusterArn", "DbClusterResourceId", "Endpoint", "ReaderEndpoint", "CustomEndpoints", "HostedZoneId",
    "ClusterCreateTime", "ReadReplicaIdentifiers", "CloneGroupId", "EarliestRestorableTime", "CrossAccountClone",
    "ServerlessV2PlatformVersion", "CertificateDetails", "AwsBackupRecoveryPointArn", "DBClusterMembers",
    "MultiAZ", "MasterUserSecret.SecretArn", "MasterUserSecret.SecretStatus", "StorageEncryptionType",
    "ActivityStreamStatus", "UpgradeRolloutOrder", "VPCNetworkingEnabled", "InternetAccessGatewayEnabled",
    "ActivityStreamMode", "ActivityStreamKmsKeyId", "ActivityStreamKinesisStreamName",
)


def _is_default(group: str | None, sep: str) -> bool:
    """RDS's own groups (``default.postgres16``, ``default:postgres-16``): picked by RDS, not made."""
    return bool(group) and group.startswith(f"default{sep}")


def _parameter_group_link(name: str | None) -> Any:
    if not name or _is_default(name, "."):
        return None
    return Link(f"rds/parameter-group/{name}", None, name, tf_attr="name")


def _subnet_group_link(name: str | None) -> Any:
    if not name or name == "default":
        return None
    return Link(f"rds/subnet-group/{name}", None, name, tf_attr="name")


def _first(items: list[dict[str, Any]] | None, key: str) -> Any:
    return (items or [{}])[0].get(key) if items else None


def _password(r: Resource, f: Fields, in_cluster: bool) -> dict[str, Any]:
    """The master password settings: the recorded (redacted) value, RDS-managed, or none needed."""
    password = f.get("MasterUserPassword")
    secret = f.get("MasterUserSecret") or {}
    if password:
        return {"MasterUserPassword": password}
    if secret or in_cluster:
        return {"ManageMasterUserPassword": True if secret else None, "MasterUserSecretKmsKeyId": secret.get("KmsKeyId")}
    if f.get_quiet("MasterUsername"):
        f.unsupported("MasterUserPassword", _NO_PASSWORD)
        return {"ManageMasterUserPassword": True}
    return {}


def _instance_fields(r: Resource, f: Fields) -> dict[str, Any]:
    """Every configurable field of a DB instance, under CloudFormation's names (the Terraform
    builder renames them)."""
    f.computed(*_INSTANCE_COMPUTED)
    cluster = f.get("DBClusterIdentifier")
    domain = (f.get("DomainMemberships") or [{}])[0] if f.get("DomainMemberships") else {}
    multi_az = f.get("MultiAZ")
    if multi_az:
        f.computed("AvailabilityZone")  # RDS places a Multi-AZ instance's primary itself
    option_group = _first(f.get("OptionGroupMemberships"), "OptionGroupName")
    if len(f.get("DBParameterGroups") or []) > 1:
        f.unsupported("DBParameterGroups", "an instance takes one parameter group; only the first is emitted")
    port = f.get("Endpoint.Port")
    storage = f.get("AllocatedStorage")
    return {
        "DBInstanceIdentifier": f.get("DBInstanceIdentifier"),
        "DBClusterIdentifier": Link(f"rds/cluster/{cluster}", None, cluster, tf_attr="id") if cluster else None,
        "DBInstanceClass": f.get("DBInstanceClass"),
        "Engine": f.get("Engine"),
        "EngineVersion": f.get("EngineVersion"),
        "EngineLifecycleSupport": f.get("EngineLifecycleSupport"),
        "LicenseModel": f.get("LicenseModel"),
        "MasterUsername": f.get("MasterUsername"),
        "DBName": f.get("DBName"),
        "AllocatedStorage": str(storage) if storage and not cluster else None,
        "MaxAllocatedStorage": f.get("MaxAllocatedStorage"),
        "StorageType": f.get("StorageType"),
        "Iops": f.get("Iops"),
        "StorageThroughput": f.get("StorageThroughput"),
        "StorageEncrypted": f.get("StorageEncrypted") if not cluster else None,
        "KmsKeyId": f.get("KmsKeyId") if not cluster else None,
        "DedicatedLogVolume": f.get("DedicatedLogVolume"),
        "Port": str(port) if port and not cluster else None,
        "AvailabilityZone": None if multi_az else f.get("AvailabilityZone"),
        "MultiAZ": multi_az if not cluster else None,
        "PubliclyAccessible": f.get("PubliclyAccessible"),
        "NetworkType": f.get("NetworkType"),
        "VPCSecurityGroups": [g["VpcSecurityGroupId"] for g in f.get("VpcSecurityGroups") or []] if not cluster else None,
        "DBSecurityGroups": [g["DBSecurityGroupName"] for g in f.get("DBSecurityGroups") or []],
        "DBSubnetGroupName": _subnet_group_link(f.get("DBSubnetGroup.DBSubnetGroupName")) if not cluster else None,
        "DBParameterGroupName": _parameter_group_link(_first(f.get("DBParameterGroups"), "DBParameterGroupName")),
        "OptionGroupName": None if _is_default(option_group, ":") else option_group,
        "CharacterSetName": f.get("CharacterSetName"),
        "NcharCharacterSetName": f.get("NcharCharacterSetName"),
        "Timezone": f.get("Timezone"),
        "PreferredBackupWindow": f.get("PreferredBackupWindow") if not cluster else None,
        "BackupRetentionPeriod": f.get("BackupRetentionPeriod") if not cluster else None,
        "BackupTarget": f.get("BackupTarget"),
        "PreferredMaintenanceWindow": f.get("PreferredMaintenanceWindow"),
        "AutoMinorVersionUpgrade": f.get("AutoMinorVersionUpgrade"),
        "CopyTagsToSnapshot": f.get("CopyTagsToSnapshot") if not cluster else None,
        "DeletionProtection": f.get("DeletionProtection") if not cluster else None,
        "CACertificateIdentifier": f.get("CACertificateIdentifier"),
        "MonitoringInterval": f.get("MonitoringInterval"),
        "MonitoringRoleArn": f.get("MonitoringRoleArn"),
        "PromotionTier": f.get("PromotionTier"),
        "EnableIAMDatabaseAuthentication": f.get("IAMDatabaseAuthenticationEnabled") if not cluster else None,
        "DatabaseInsightsMode": f.get("DatabaseInsightsMode"),
        "EnablePerformanceInsights": f.get("PerformanceInsightsEnabled"),
        "PerformanceInsightsKMSKeyId": f.get("PerformanceInsightsKMSKeyId"),
        "PerformanceInsightsRetentionPeriod": f.get("PerformanceInsightsRetentionPeriod"),
        "EnableCloudwatchLogsExports": f.get("EnabledCloudwatchLogsExports") if not cluster else None,
        "ProcessorFeatures": [{"Name": p["Name"], "Value": p["Value"]} for p in f.get("ProcessorFeatures") or []],
        "AssociatedRoles": [{"RoleArn": a["RoleArn"], "FeatureName": a.get("FeatureName")}
                            for a in f.get("AssociatedRoles") or []],
        "Domain": domain.get("Domain"),
        "DomainIAMRoleName": domain.get("IAMRoleName"),
        "DomainFqdn": domain.get("FQDN"),
        "DomainOu": domain.get("OU"),
        "DomainAuthSecretArn": domain.get("AuthSecretArn"),
        "DomainDnsIps": domain.get("DnsIps"),
        "CustomIAMInstanceProfile": f.get("CustomIamInstanceProfile"),
        "DBSystemId": f.get("DBSystemId"),
        "ReplicaMode": f.get("ReplicaMode"),
        "SourceDBInstanceIdentifier": f.get("ReadReplicaSourceDBInstanceIdentifier"),
        "SourceDBClusterIdentifier": f.get("ReadReplicaSourceDBClusterIdentifier"),
        "Tags": [{"Key": t["Key"], "Value": t["Value"]} for t in f.get("TagList") or []],
        **_password(r, f, bool(cluster)),
    }


def instance_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    props = _instance_fields(r, f)
    kms = props.pop("MasterUserSecretKmsKeyId", None)
    if kms:
        props["MasterUserSecret"] = {"KmsKeyId": kms}
    if f.get_quiet("AdditionalStorageVolumes"):
        f.unsupported("AdditionalStorageVolumes", "additional storage volumes are not translated yet")
    name = props["DBInstanceIdentifier"]
    out.resource("AWS::RDS::DBInstance", props, name, identifier={"DBInstanceIdentifier": name})


# CloudFormation name -> aws_db_instance attribute (aws_rds_cluster_instance takes a subset).
_TF_INSTANCE = {
    "DBInstanceIdentifier": "identifier", "DBInstanceClass": "instance_class", "Engine": "engine",
    "EngineVersion": "engine_version", "EngineLifecycleSupport": "engine_lifecycle_support",
    "LicenseModel": "license_model", "MasterUsername": "username", "DBName": "db_name",
    "MaxAllocatedStorage": "max_allocated_storage", "StorageType": "storage_type", "Iops": "iops",
    "StorageThroughput": "storage_throughput", "StorageEncrypted": "storage_encrypted", "KmsKeyId": "kms_key_id",
    "DedicatedLogVolume": "dedicated_log_volume", "AvailabilityZone": "availability_zone", "MultiAZ": "multi_az",
    "PubliclyAccessible": "publicly_accessible", "NetworkType": "network_type",
    "VPCSecurityGroups": "vpc_security_group_ids", "DBSecurityGroups": "security_group_names",
    "DBSubnetGroupName": "db_subnet_group_name", "DBParameterGroupName": "parameter_group_name",
    "OptionGroupName": "option_group_name", "CharacterSetName": "character_set_name",
    "NcharCharacterSetName": "nchar_character_set_name", "Timezone": "timezone",
    "PreferredBackupWindow": "backup_window", "BackupRetentionPeriod": "backup_retention_period",
    "BackupTarget": "backup_target", "PreferredMaintenanceWindow": "maintenance_window",
    "AutoMinorVersionUpgrade": "auto_minor_version_upgrade", "CopyTagsToSnapshot": "copy_tags_to_snapshot",
    "DeletionProtection": "deletion_protection", "CACertificateIdentifier": "ca_cert_identifier",
    "MonitoringInterval": "monitoring_interval", "MonitoringRoleArn": "monitoring_role_arn",
    "PromotionTier": "promotion_tier",
    "EnableIAMDatabaseAuthentication": "iam_database_authentication_enabled",
    "DatabaseInsightsMode": "database_insights_mode", "EnablePerformanceInsights": "performance_insights_enabled",
    "PerformanceInsightsKMSKeyId": "performance_insights_kms_key_id",
    "PerformanceInsightsRetentionPeriod": "performance_insights_retention_period",
    "EnableCloudwatchLogsExports": "enabled_cloudwatch_logs_exports", "Domain": "domain",
    "DomainIAMRoleName": "domain_iam_role_name", "DomainFqdn": "domain_fqdn", "DomainOu": "domain_ou",
    "DomainAuthSecretArn": "domain_auth_secret_arn", "DomainDnsIps": "domain_dns_ips",
    "CustomIAMInstanceProfile": "custom_iam_instance_profile", "ReplicaMode": "replica_mode",
    "SourceDBInstanceIdentifier": "replicate_source_db", "MasterUserPassword": "password",
    "ManageMasterUserPassword": "manage_master_user_password", "MasterUserSecretKmsKeyId": "master_user_secret_kms_key_id",
}
_TF_CLUSTER_INSTANCE = ("identifier", "cluster_identifier", "instance_class", "engine", "engine_version",
                        "availability_zone", "publicly_accessible", "db_parameter_group_name", "db_subnet_group_name",
                        "ca_cert_identifier", "monitoring_interval", "monitoring_role_arn", "promotion_tier",
                        "preferred_maintenance_window", "auto_minor_version_upgrade", "performance_insights_enabled",
                        "performance_insights_kms_key_id", "performance_insights_retention_period",
                        "custom_iam_instance_profile", "tags", "copy_tags_to_snapshot")


def instance_terraform(r: Resource, f: Fields, out: Out) -> None:
    props = _instance_fields(r, f)
    name = props["DBInstanceIdentifier"]
    body: dict[str, Any] = {tf: props.get(cfn) for cfn, tf in _TF_INSTANCE.items()}
    body["allocated_storage"] = int(props["AllocatedStorage"]) if props.get("AllocatedStorage") else None
    body["port"] = int(props["Port"]) if props.get("Port") else None
    body["tags"] = {t["Key"]: t["Value"] for t in props["Tags"]} or None
    for cfn, why in (("ProcessorFeatures", "processor features are not translated for Terraform yet"),
                     ("AssociatedRoles", "add an aws_db_instance_role_association per role"),
                     ("DBSystemId", "no aws_db_instance attribute for it"),
                     ("SourceDBClusterIdentifier", "no aws_db_instance attribute for it")):
        if props.get(cfn):
            f.unsupported({"SourceDBClusterIdentifier": "ReadReplicaSourceDBClusterIdentifier"}.get(cfn, cfn), why)
    if f.get_quiet("AdditionalStorageVolumes"):
        f.unsupported("AdditionalStorageVolumes", "additional storage volumes are not translated yet")
    if props.get("DBClusterIdentifier"):
        member = {**body, "cluster_identifier": props["DBClusterIdentifier"],
                  "db_parameter_group_name": body.get("parameter_group_name"),
                  "preferred_maintenance_window": body.get("maintenance_window")}
        out.block("aws_rds_cluster_instance", {k: member.get(k) for k in _TF_CLUSTER_INSTANCE}, name, import_id=name)
        return
    out.block("aws_db_instance", body, name, import_id=name)


# -- clusters ------------------------------------------------------------------------------------

def _cluster_fields(r: Resource, f: Fields) -> dict[str, Any]:
    f.computed(*_CLUSTER_COMPUTED)
    domain = (f.get("DomainMemberships") or [{}])[0] if f.get("DomainMemberships") else {}
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
        "DBClusterParameterGroupName": None if _is_default(param_group, ".") else param_group,
        "DBSubnetGroupName": _subnet_group_link(f.get("DBSubnetGroup")),
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
        "AssociatedRoles": [{"RoleArn": a["RoleArn"], "FeatureName": a.get("FeatureName")}
                            for a in f.get("AssociatedRoles") or []],
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
        "Domain": domain.get("Domain"),
        "DomainIAMRoleName": domain.get("IAMRoleName"),
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
        "Tags": [{"Key": t["Key"], "Value": t["Value"]} for t in f.get("TagList") or []],
        **_password(r, f, False),
    }


def cluster_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    props = _cluster_fields(r, f)
    kms = props.pop("MasterUserSecretKmsKeyId", None)
    if kms:
        props["MasterUserSecret"] = {"KmsKeyId": kms}
    for path in ("LimitlessDatabase", "RdsCustomClusterConfiguration"):
        if f.get_quiet(path):
            f.unsupported(path, "AWS::RDS::DBCluster has no property for it")
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
    props = _cluster_fields(r, f)
    name = props["DBClusterIdentifier"]
    body: dict[str, Any] = {tf: props.get(cfn) for cfn, tf in _TF_CLUSTER.items()}
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
    body["tags"] = {t["Key"]: t["Value"] for t in props["Tags"]} or None
    for cfn, why in (("AssociatedRoles", "add an aws_rds_cluster_role_association per role"),
                     ("PubliclyAccessible", "set on the cluster's instances in Terraform"),
                     ("AutoMinorVersionUpgrade", "set on the cluster's instances in Terraform"),
                     ("DBSystemId", "no aws_rds_cluster attribute for it")):
        if props.get(cfn) is not None and props.get(cfn) != []:
            f.unsupported(cfn, why)
    for path in ("LimitlessDatabase", "RdsCustomClusterConfiguration"):
        if f.get_quiet(path):
            f.unsupported(path, "aws_rds_cluster has no attribute for it")
    out.block("aws_rds_cluster", body, name, import_id=name)


# -- groups --------------------------------------------------------------------------------------

def _parameters(f: Fields) -> dict[str, str]:
    """The user-set parameters (the collector reads only those: Source=user); one with no value
    is left to the engine default."""
    return {k: str(v) for k, v in sorted((f.get("Parameters") or {}).items()) if v is not None}


def parameter_group_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("DBParameterGroupName")
    f.computed("DBParameterGroupArn", "status")
    if _is_default(name, "."):
        raise LeftOut("RDS's own default parameter group: it exists for every engine family and cannot be created")
    out.resource("AWS::RDS::DBParameterGroup", {
        "DBParameterGroupName": name, "Family": f.get("DBParameterGroupFamily"),
        "Description": f.get("Description") or name, "Parameters": _parameters(f),
    }, name, identifier={"DBParameterGroupName": name})


def parameter_group_terraform(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("DBParameterGroupName")
    f.computed("DBParameterGroupArn", "status")
    if _is_default(name, "."):
        raise LeftOut("RDS's own default parameter group: it exists for every engine family and cannot be created")
    out.block("aws_db_parameter_group", {
        "name": name, "family": f.get("DBParameterGroupFamily"), "description": f.get("Description") or name,
        "parameter": [Block({"name": k, "value": v}) for k, v in _parameters(f).items()],
    }, name, import_id=name)


def subnet_group_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("DBSubnetGroupName")
    f.computed("DBSubnetGroupArn", "VpcId", "SupportedNetworkTypes", "status")
    subnets = sorted(s["SubnetIdentifier"] for s in f.get("Subnets") or [])
    if name == "default":
        raise LeftOut("the default subnet group is made by RDS with the default VPC")
    if not subnets:
        raise LeftOut("the snapshot lists no subnets for it, and a subnet group needs at least two")
    out.resource("AWS::RDS::DBSubnetGroup", {
        "DBSubnetGroupName": name, "DBSubnetGroupDescription": f.get("DBSubnetGroupDescription") or name,
        "SubnetIds": subnets,
    }, name, identifier={"DBSubnetGroupName": name})


def subnet_group_terraform(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("DBSubnetGroupName")
    f.computed("DBSubnetGroupArn", "VpcId", "SupportedNetworkTypes", "status")
    subnets = sorted(s["SubnetIdentifier"] for s in f.get("Subnets") or [])
    if name == "default":
        raise LeftOut("the default subnet group is made by RDS with the default VPC")
    if not subnets:
        raise LeftOut("the snapshot lists no subnets for it, and a subnet group needs at least two")
    out.block("aws_db_subnet_group", {
        "name": name, "description": f.get("DBSubnetGroupDescription") or name, "subnet_ids": subnets,
    }, name, import_id=name)


def snapshot_left_out(r: Resource, f: Fields, out: Out) -> None:
    f.computed("DBSnapshotArn", "SnapshotCreateTime", "status")
    raise LeftOut(f"neither format creates a DB snapshot (it holds data RDS took): restore from it with "
                  f"DBSnapshotIdentifier: {r.doc.get('DBSnapshotIdentifier')} on the instance instead "
                  "(snapshot_identifier in Terraform)")


SPECS = {
    "instance": IacSpec(
        cloudformation=instance_cloudformation, terraform=instance_terraform,
        cfn_types=("AWS::RDS::DBInstance",), tf_types=("aws_db_instance", "aws_rds_cluster_instance"),
    ),
    "cluster": IacSpec(
        cloudformation=cluster_cloudformation, terraform=cluster_terraform,
        cfn_types=("AWS::RDS::DBCluster",), tf_types=("aws_rds_cluster",),
    ),
    "parameter-group": IacSpec(
        cloudformation=parameter_group_cloudformation, terraform=parameter_group_terraform,
        cfn_types=("AWS::RDS::DBParameterGroup",), tf_types=("aws_db_parameter_group",),
    ),
    "subnet-group": IacSpec(
        cloudformation=subnet_group_cloudformation, terraform=subnet_group_terraform,
        cfn_types=("AWS::RDS::DBSubnetGroup",), tf_types=("aws_db_subnet_group",),
    ),
    "snapshot": IacSpec(
        cloudformation=snapshot_left_out, terraform=snapshot_left_out,
        cfn_types=(), tf_types=(),
    ),
}
