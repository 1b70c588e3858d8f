"""RDS: instances (AWS::RDS::DBInstance; aws_db_instance, or aws_rds_cluster_instance for a cluster
member), clusters (AWS::RDS::DBCluster; aws_rds_cluster), parameter groups (with their
user-set parameters) and subnet groups. Snapshots are left out: neither format creates one.

No password is ever in a snapshot (RDS never returns it). An instance or cluster is emitted
with the master password only when its document holds one (a redaction marker: the writers
make it a NoEcho parameter / sensitive variable); otherwise RDS is asked to manage a new one
in Secrets Manager (``ManageMasterUserPassword``), so the code deploys without a password in it.
"""

from __future__ import annotations

from ...spec import IacSpec
from .cluster import cluster_cloudformation, cluster_terraform
from .groups import (
    parameter_group_cloudformation,
    parameter_group_terraform,
    subnet_group_cloudformation,
    subnet_group_terraform,
)
from .instance import instance_cloudformation, instance_terraform
from .snapshot import snapshot_left_out

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
