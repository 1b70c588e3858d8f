"""RDS as code: instances, clusters, parameter and subnet groups; snapshots left out."""

from __future__ import annotations

from gitsnap.iac import cloudformation
from gitsnap.iac.model import Link
from gitsnap.iac.run import build
from tests.iac_examples import cfn_lint_errors, emitted, example_resource

INSTANCE = {
    "DBInstanceIdentifier": "jada-legacy-db", "DBInstanceClass": "db.t3.micro", "Engine": "postgres",
    "EngineVersion": "16.3", "DBInstanceStatus": "available", "MasterUsername": "jada", "DBName": "orders",
    "Endpoint": {"Address": "jada-legacy-db.abc.us-east-1.rds.amazonaws.com", "Port": 5432, "HostedZoneId": "Z2R2"},
    "AllocatedStorage": 20, "MaxAllocatedStorage": 100, "InstanceCreateTime": "2026-11-30T23:15:55Z",
    "PreferredBackupWindow": "13:14-13:44", "BackupRetentionPeriod": 7,
    "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-0123456789abcdef0", "Status": "active"}],
    "DBParameterGroups": [{"DBParameterGroupName": "jada-pg", "ParameterApplyStatus": "in-sync"}],
    "AvailabilityZone": "us-east-1a",
    "DBSubnetGroup": {"DBSubnetGroupName": "jada-subnets", "DBSubnetGroupDescription": "jada db", "VpcId": "vpc-1",
                      "SubnetGroupStatus": "Complete",
                      "Subnets": [{"SubnetIdentifier": "subnet-0123456789abcdef0", "SubnetStatus": "Active"}]},
    "PreferredMaintenanceWindow": "wed:06:38-wed:07:08", "MultiAZ": False, "AutoMinorVersionUpgrade": True,
    "LicenseModel": "postgresql-license", "OptionGroupMemberships": [{"OptionGroupName": "default:postgres-16",
                                                                       "Status": "in-sync"}],
    "PubliclyAccessible": False, "StorageType": "gp3", "StorageEncrypted": True, "KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
    "DbiResourceId": "db-ABC", "CACertificateIdentifier": "rds-ca-rsa2048-g1", "CopyTagsToSnapshot": True,
    "MonitoringInterval": 0, "DBInstanceArn": "arn:aws:rds:us-east-1:123456789012:db:jada-legacy-db",
    "IAMDatabaseAuthenticationEnabled": False, "PerformanceInsightsEnabled": False, "DeletionProtection": True,
    "EnabledCloudwatchLogsExports": ["postgresql"], "TagList": [{"Key": "site", "Value": "sailjada"}],
}


def test_an_instance_keeps_its_settings_and_links_its_groups() -> None:
    e = emitted("rds", "instance", raw=INSTANCE)
    res = e.out.cfn[0]
    p = res.properties
    assert res.type == "AWS::RDS::DBInstance"
    assert res.identifier == {"DBInstanceIdentifier": "jada-legacy-db"}
    assert (p["DBInstanceClass"], p["Engine"], p["EngineVersion"], p["DBName"]) == ("db.t3.micro", "postgres",
                                                                                     "16.3", "orders")
    assert p["AllocatedStorage"] == "20" and p["Port"] == "5432"  # strings in CloudFormation's schema
    assert p["VPCSecurityGroups"] == ["sg-0123456789abcdef0"]
    assert p["EnableCloudwatchLogsExports"] == ["postgresql"]
    assert p["DBParameterGroupName"] == Link("rds/parameter-group/jada-pg", None, "jada-pg", tf_attr="name")
    assert p["DBSubnetGroupName"] == Link("rds/subnet-group/jada-subnets", None, "jada-subnets", tf_attr="name")
    assert "OptionGroupName" not in p  # RDS's default option group: picked by RDS, not named
    assert p["Tags"] == [{"Key": "site", "Value": "sailjada"}]
    # no password in the snapshot: RDS manages a new one, and the coverage note says so
    assert p["ManageMasterUserPassword"] is True and "MasterUserPassword" not in p
    assert [path for path, _ in e.unused] == ["MasterUserPassword"]
    template = next(b for path, b in cloudformation.render([e], "r").files.items() if path.endswith(".yaml"))
    assert cfn_lint_errors(template) == []


def test_an_instance_password_marker_becomes_a_parameter_not_a_value() -> None:
    """A document holding the (redacted) master password passes the marker to the writer."""
    r = example_resource("rds", "instance", raw=INSTANCE)
    marker = "redacted:hmac-sha256:" + "ab" * 12
    doc = {**r.doc, "MasterUserPassword": marker}
    out = build(type(r)(r.address, r.account, r.region, r.service, r.type, doc), "cloudformation")
    assert out.out.cfn[0].properties["MasterUserPassword"] == marker
    assert "ManageMasterUserPassword" not in out.out.cfn[0].properties
    rendered = cloudformation.render([out], "r")
    template = next(b for path, b in rendered.files.items() if path.endswith(".yaml")).decode()
    assert marker not in template and "NoEcho: true" in template


def test_an_instance_in_terraform_uses_provider_names_and_its_identifier_as_import_id() -> None:
    e = emitted("rds", "instance", "terraform", raw=INSTANCE)
    block = e.out.tf[0]
    assert block.type == "aws_db_instance" and block.import_id == "jada-legacy-db"
    b = block.body
    assert (b["identifier"], b["instance_class"], b["allocated_storage"], b["port"]) == ("jada-legacy-db",
                                                                                         "db.t3.micro", 20, 5432)
    assert b["parameter_group_name"].address == "rds/parameter-group/jada-pg"
    assert b["manage_master_user_password"] is True
    assert b["enabled_cloudwatch_logs_exports"] == ["postgresql"]
    assert b["tags"] == {"site": "sailjada"}


def test_a_cluster_member_is_a_cluster_instance_linked_to_its_cluster() -> None:
    raw = {"DBInstanceIdentifier": "jada-aurora-1", "DBClusterIdentifier": "jada-aurora", "Engine": "aurora-postgresql",
           "DBInstanceClass": "db.r6g.large", "StorageEncrypted": True, "MasterUsername": "jada",
           "DBInstanceStatus": "available"}
    cfn = emitted("rds", "instance", raw=raw).out.cfn[0].properties
    assert cfn["DBClusterIdentifier"] == Link("rds/cluster/jada-aurora", None, "jada-aurora", tf_attr="id")
    assert "ManageMasterUserPassword" not in cfn and "StorageEncrypted" not in cfn  # the cluster's
    tf = emitted("rds", "instance", "terraform", raw=raw).out.tf[0]
    assert tf.type == "aws_rds_cluster_instance" and tf.import_id == "jada-aurora-1"
    assert tf.body["cluster_identifier"].address == "rds/cluster/jada-aurora"


def test_a_cluster_with_a_managed_secret_asks_rds_to_manage_it() -> None:
    raw = {"DBClusterIdentifier": "jada-aurora", "Engine": "aurora-postgresql", "EngineVersion": "16.1", "Port": 5432,
           "MasterUsername": "jada", "Status": "available", "DBSubnetGroup": "jada-subnets",
           "DBClusterParameterGroup": "default.aurora-postgresql16", "BackupRetentionPeriod": 7,
           "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-0123456789abcdef0", "Status": "active"}],
           "MasterUserSecret": {"SecretArn": "arn:aws:secretsmanager:x", "SecretStatus": "active", "KmsKeyId": "alias/jada"},
           "ServerlessV2ScalingConfiguration": {"MinCapacity": 0.5, "MaxCapacity": 4.0},
           "DBClusterArn": "arn:aws:rds:us-east-1:123456789012:cluster:jada-aurora",
           "TagList": [{"Key": "site", "Value": "sailjada"}]}
    e = emitted("rds", "cluster", raw=raw)
    p = e.out.cfn[0].properties
    assert p["ManageMasterUserPassword"] is True and p["MasterUserSecret"] == {"KmsKeyId": "alias/jada"}
    assert p["VpcSecurityGroupIds"] == ["sg-0123456789abcdef0"] and p["Port"] == 5432
    assert p["ServerlessV2ScalingConfiguration"] == {"MinCapacity": 0.5, "MaxCapacity": 4.0}
    assert "DBClusterParameterGroupName" not in p  # RDS's default group
    assert p["DBSubnetGroupName"].address == "rds/subnet-group/jada-subnets"
    assert e.unused == []
    template = next(b for path, b in cloudformation.render([e], "r").files.items() if path.endswith(".yaml"))
    assert cfn_lint_errors(template) == []
    tf = emitted("rds", "cluster", "terraform", raw=raw).out.tf[0]
    assert tf.type == "aws_rds_cluster" and tf.import_id == "jada-aurora"
    assert tf.body["manage_master_user_password"] is True and tf.body["master_user_secret_kms_key_id"] == "alias/jada"
    scaling = tf.body["serverlessv2_scaling_configuration"].body
    assert {k: v for k, v in scaling.items() if v is not None} == {"min_capacity": 0.5, "max_capacity": 4.0}


def test_a_parameter_group_keeps_only_its_user_set_parameters() -> None:
    raw = {"DBParameterGroupName": "jada-pg", "DBParameterGroupFamily": "postgres16", "Description": "jada",
           "DBParameterGroupArn": "arn:aws:rds:us-east-1:123456789012:pg:jada-pg",
           "Parameters": [{"ParameterName": "max_connections", "ParameterValue": "100"},
                          {"ParameterName": "work_mem"}]}
    e = emitted("rds", "parameter-group", raw=raw)
    res = e.out.cfn[0]
    assert res.type == "AWS::RDS::DBParameterGroup"
    assert res.properties == {"DBParameterGroupName": "jada-pg", "Family": "postgres16", "Description": "jada",
                              "Parameters": {"max_connections": "100"}}
    assert e.unused == []
    template = next(b for path, b in cloudformation.render([e], "r").files.items() if path.endswith(".yaml"))
    assert cfn_lint_errors(template) == []
    tf = emitted("rds", "parameter-group", "terraform", raw=raw).out.tf[0]
    assert tf.import_id == "jada-pg" and [p.body for p in tf.body["parameter"]] == [{"name": "max_connections",
                                                                                       "value": "100"}]


def test_a_subnet_group_lists_its_subnets() -> None:
    raw = {"DBSubnetGroupName": "jada-subnets", "DBSubnetGroupDescription": "jada db", "VpcId": "vpc-1",
           "SubnetGroupStatus": "Complete", "DBSubnetGroupArn": "arn:aws:rds:x:subgrp:jada-subnets",
           "Subnets": [{"SubnetIdentifier": "subnet-b", "SubnetAvailabilityZone": {"Name": "us-east-1b"},
                        "SubnetStatus": "Active"},
                       {"SubnetIdentifier": "subnet-a", "SubnetAvailabilityZone": {"Name": "us-east-1a"},
                        "SubnetStatus": "Active"}]}
    e = emitted("rds", "subnet-group", raw=raw)
    assert e.out.cfn[0].properties == {"DBSubnetGroupName": "jada-subnets", "DBSubnetGroupDescription": "jada db",
                                       "SubnetIds": ["subnet-a", "subnet-b"]}
    assert e.unused == []
    tf = emitted("rds", "subnet-group", "terraform", raw=raw).out.tf[0]
    assert tf.type == "aws_db_subnet_group" and tf.import_id == "jada-subnets"
    assert tf.body["subnet_ids"] == ["subnet-a", "subnet-b"]


def test_a_snapshot_is_left_out_with_how_to_restore_from_it() -> None:
    for fmt in ("cloudformation", "terraform"):
        verdict, why = build(example_resource("rds", "snapshot"), fmt)
        assert verdict == "left out"
        assert "DBSnapshotIdentifier: s1" in why
