"""DB parameter groups (with their user-set parameters) and DB subnet groups; RDS's own default
groups are made by RDS, not by the code."""

from __future__ import annotations

from ...model import Block, Fields, Resource
from ...spec import LeftOut, Out
from .common import is_default


def _parameters(f: Fields) -> dict[str, str]:
    """The user-set parameters (the collector reads only those: Source=user); one with no value
    is left to the engine default."""
    return {k: str(v) for k, v in sorted((f.get("Parameters") or {}).items()) if v is not None}


def _parameter_group(f: Fields) -> str:
    """The group's name; RDS's own default group is left out."""
    name = f.get("DBParameterGroupName")
    f.computed("DBParameterGroupArn", "status")
    if is_default(name, "."):
        raise LeftOut("RDS's own default parameter group: it exists for every engine family and cannot be created")
    return name


def parameter_group_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name = _parameter_group(f)
    out.resource("AWS::RDS::DBParameterGroup", {
        "DBParameterGroupName": name, "Family": f.get("DBParameterGroupFamily"),
        "Description": f.get("Description") or name, "Parameters": _parameters(f),
    }, name, identifier={"DBParameterGroupName": name})


def parameter_group_terraform(r: Resource, f: Fields, out: Out) -> None:
    name = _parameter_group(f)
    out.block("aws_db_parameter_group", {
        "name": name, "family": f.get("DBParameterGroupFamily"), "description": f.get("Description") or name,
        "parameter": [Block({"name": k, "value": v}) for k, v in _parameters(f).items()],
    }, name, import_id=name)


def _subnet_group(f: Fields) -> tuple[str, str, list[str]]:
    """(name, description, subnet ids) of a group either format writes; the default group and
    one with no subnets are left out."""
    name = f.get("DBSubnetGroupName")
    f.computed("DBSubnetGroupArn", "VpcId", "SupportedNetworkTypes", "status")
    subnets = sorted(s["SubnetIdentifier"] for s in f.get("Subnets") or [])
    if name == "default":
        raise LeftOut("the default subnet group is made by RDS with the default VPC")
    if not subnets:
        raise LeftOut("the snapshot lists no subnets for it, and a subnet group needs at least two")
    return name, f.get("DBSubnetGroupDescription") or name, subnets


def subnet_group_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name, description, subnets = _subnet_group(f)
    out.resource("AWS::RDS::DBSubnetGroup", {
        "DBSubnetGroupName": name, "DBSubnetGroupDescription": description, "SubnetIds": subnets,
    }, name, identifier={"DBSubnetGroupName": name})


def subnet_group_terraform(r: Resource, f: Fields, out: Out) -> None:
    name, description, subnets = _subnet_group(f)
    out.block("aws_db_subnet_group", {"name": name, "description": description, "subnet_ids": subnets}, name,
              import_id=name)
