"""DB instances: ``AWS::RDS::DBInstance``; ``aws_db_instance``, or ``aws_rds_cluster_instance`` for a
cluster's member (the cluster holds its storage, backups, network and encryption)."""

from __future__ import annotations

from typing import Any

from ...model import Fields, Link, Resource
from ...spec import Out
from ..common import renamed
from .common import (
    associated_roles,
    cloudformation_secret,
    domain,
    first,
    is_default,
    parameter_group_link,
    password,
    subnet_group_link,
    tags,
    tf_tags,
)

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


def _instance_fields(f: Fields) -> dict[str, Any]:
    """Every configurable field of a DB instance, under CloudFormation's names (the Terraform
    builder renames them)."""
    f.computed(*_INSTANCE_COMPUTED)
    cluster = f.get("DBClusterIdentifier")
    membership = domain(f)
    multi_az = f.get("MultiAZ")
    if multi_az:
        f.computed("AvailabilityZone")  # RDS places a Multi-AZ instance's primary itself
    option_group = first(f.get("OptionGroupMemberships"), "OptionGroupName")
    if len(f.get("DBParameterGroups") or []) > 1:
        f.unsupported("DBParameterGroups", "an instance takes one parameter group; only the first is emitted")
    if f.get_quiet("AdditionalStorageVolumes"):
        f.unsupported("AdditionalStorageVolumes", "additional storage volumes are not translated yet")
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
        "DBSubnetGroupName": subnet_group_link(f.get("DBSubnetGroup.DBSubnetGroupName")) if not cluster else None,
        "DBParameterGroupName": parameter_group_link(first(f.get("DBParameterGroups"), "DBParameterGroupName")),
        "OptionGroupName": None if is_default(option_group, ":") else option_group,
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
        "AssociatedRoles": associated_roles(f),
        "Domain": membership.get("Domain"),
        "DomainIAMRoleName": membership.get("IAMRoleName"),
        "DomainFqdn": membership.get("FQDN"),
        "DomainOu": membership.get("OU"),
        "DomainAuthSecretArn": membership.get("AuthSecretArn"),
        "DomainDnsIps": membership.get("DnsIps"),
        "CustomIAMInstanceProfile": f.get("CustomIamInstanceProfile"),
        "DBSystemId": f.get("DBSystemId"),
        "ReplicaMode": f.get("ReplicaMode"),
        "SourceDBInstanceIdentifier": f.get("ReadReplicaSourceDBInstanceIdentifier"),
        "SourceDBClusterIdentifier": f.get("ReadReplicaSourceDBClusterIdentifier"),
        "Tags": tags(f),
        **password(f, bool(cluster)),
    }


def instance_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    props = cloudformation_secret(_instance_fields(f))
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
    props = _instance_fields(f)
    name = props["DBInstanceIdentifier"]
    body = renamed(props, _TF_INSTANCE)
    body["allocated_storage"] = int(props["AllocatedStorage"]) if props.get("AllocatedStorage") else None
    body["port"] = int(props["Port"]) if props.get("Port") else None
    body["tags"] = tf_tags(props)
    for cfn, why in (("ProcessorFeatures", "processor features are not translated for Terraform yet"),
                     ("AssociatedRoles", "add an aws_db_instance_role_association per role"),
                     ("DBSystemId", "no aws_db_instance attribute for it"),
                     ("SourceDBClusterIdentifier", "no aws_db_instance attribute for it")):
        if props.get(cfn):
            f.unsupported({"SourceDBClusterIdentifier": "ReadReplicaSourceDBClusterIdentifier"}.get(cfn, cfn), why)
    if props.get("DBClusterIdentifier"):
        member = {**body, "cluster_identifier": props["DBClusterIdentifier"],
                  "db_parameter_group_name": body.get("parameter_group_name"),
                  "preferred_maintenance_window": body.get("maintenance_window")}
        out.block("aws_rds_cluster_instance", {k: member.get(k) for k in _TF_CLUSTER_INSTANCE}, name, import_id=name)
        return
    out.block("aws_db_instance", body, name, import_id=name)
