"""Examples of rds resources: the raw API shape each type's transform is given."""

from __future__ import annotations

from . import Example

EXAMPLES = {
    "instance": Example(raw={"DBInstanceIdentifier": "db1", "Engine": "postgres", "DBInstanceStatus": "available"}),
    "cluster": Example(raw={"DBClusterIdentifier": "c1", "Engine": "aurora-postgresql", "Status": "available"}),
    "parameter-group": Example(raw={"DBParameterGroupName": "pg",
                                 "Parameters": [{"ParameterName": "max_connections", "ParameterValue": "100"}]}),
    "subnet-group": Example(raw={"DBSubnetGroupName": "sg", "Subnets": [], "SubnetGroupStatus": "Complete"}),
    "snapshot": Example(raw={"DBSnapshotIdentifier": "s1", "DBInstanceIdentifier": "db1", "Status": "creating"}),
}
