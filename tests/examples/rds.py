"""Examples of rds resources: the raw API shape each type's transform is given, and a round
trip on the local AWS for each: the groups are recreated; instances, clusters and snapshots are
NotRestorable, and the round trip checks that the plan says so (with its reason)."""

from __future__ import annotations

from . import Aws, Example


def seed_instance(aws: Aws) -> None:
    aws.client("rds").create_db_instance(
        DBInstanceIdentifier="jada-legacy-db", DBInstanceClass="db.t3.micro", Engine="postgres", MasterUsername="jada",
        MasterUserPassword="not-a-real-password-1", AllocatedStorage=20)


def damage_instance(aws: Aws) -> None:
    aws.client("rds").delete_db_instance(DBInstanceIdentifier="jada-legacy-db", SkipFinalSnapshot=True)


def seed_cluster(aws: Aws) -> None:
    aws.client("rds").create_db_cluster(DBClusterIdentifier="jada-aurora", Engine="aurora-postgresql",
                                        MasterUsername="jada", MasterUserPassword="not-a-real-password-1")


def damage_cluster(aws: Aws) -> None:
    aws.client("rds").delete_db_cluster(DBClusterIdentifier="jada-aurora", SkipFinalSnapshot=True)


def seed_parameter_group(aws: Aws) -> None:
    rds = aws.client("rds")
    rds.create_db_parameter_group(DBParameterGroupName="jada-pg", DBParameterGroupFamily="postgres16",
                                  Description="jada")
    rds.modify_db_parameter_group(DBParameterGroupName="jada-pg", Parameters=[
        {"ParameterName": "max_connections", "ParameterValue": "100", "ApplyMethod": "pending-reboot"}])


def damage_parameter_group(aws: Aws) -> None:
    aws.client("rds").delete_db_parameter_group(DBParameterGroupName="jada-pg")


def seed_subnet_group(aws: Aws) -> None:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"]
               ["SubnetId"] for n, z in ((1, "a"), (2, "b"))]
    aws.client("rds").create_db_subnet_group(DBSubnetGroupName="jada-subnets", DBSubnetGroupDescription="jada db",
                                             SubnetIds=subnets)


def damage_subnet_group(aws: Aws) -> None:
    aws.client("rds").delete_db_subnet_group(DBSubnetGroupName="jada-subnets")


def seed_snapshot(aws: Aws) -> None:
    seed_instance(aws)
    aws.client("rds").create_db_snapshot(DBInstanceIdentifier="jada-legacy-db", DBSnapshotIdentifier="jada-before-v2")


def damage_snapshot(aws: Aws) -> None:
    aws.client("rds").delete_db_snapshot(DBSnapshotIdentifier="jada-before-v2")


EXAMPLES = {
    "instance": Example(raw={"DBInstanceIdentifier": "db1", "Engine": "postgres", "DBInstanceStatus": "available"},
                        seed=seed_instance, damage=damage_instance),
    "cluster": Example(raw={"DBClusterIdentifier": "c1", "Engine": "aurora-postgresql", "Status": "available"},
                       seed=seed_cluster, damage=damage_cluster),
    "parameter-group": Example(raw={"DBParameterGroupName": "pg",
                                    "Parameters": [{"ParameterName": "max_connections", "ParameterValue": "100"}]},
                               seed=seed_parameter_group, damage=damage_parameter_group),
    "subnet-group": Example(raw={"DBSubnetGroupName": "sg", "Subnets": [], "SubnetGroupStatus": "Complete"},
                            seed=seed_subnet_group, damage=damage_subnet_group),
    "snapshot": Example(raw={"DBSnapshotIdentifier": "s1", "DBInstanceIdentifier": "db1", "Status": "creating"},
                        seed=seed_snapshot, damage=damage_snapshot),
}
