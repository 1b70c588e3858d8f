"""What RDS instances and clusters share: RDS's own groups, links to the snapshot's groups, the
master password settings, and the fields both read the same way."""

from __future__ import annotations

from typing import Any

from ...model import Fields, Link

_NO_PASSWORD = ("the master password is never in a snapshot (RDS does not return it): the code lets RDS "
                "manage a new one in Secrets Manager (ManageMasterUserPassword); set your own after deploying "
                "with aws rds modify-db-instance --master-user-password")


def is_default(group: str | None, sep: str) -> bool:
    """RDS's own groups (``default.postgres16``, ``default:postgres-16``): picked by RDS, not made."""
    return bool(group) and group.startswith(f"default{sep}")


def parameter_group_link(name: str | None) -> Any:
    """An instance's parameter group: a Link to the snapshot's, none for RDS's own default."""
    if not name or is_default(name, "."):
        return None
    return Link(f"rds/parameter-group/{name}", None, name, tf_attr="name")


def subnet_group_link(name: str | None) -> Any:
    """An instance's or cluster's subnet group: a Link to the snapshot's, none for ``default``."""
    if not name or name == "default":
        return None
    return Link(f"rds/subnet-group/{name}", None, name, tf_attr="name")


def first(items: list[dict[str, Any]] | None, key: str) -> Any:
    """*key* of the first of *items*, None when there are none."""
    return (items or [{}])[0].get(key) if items else None


def password(f: Fields, in_cluster: bool) -> dict[str, Any]:
    """The master password settings: the recorded (redacted) value, RDS-managed, or none needed."""
    recorded = f.get("MasterUserPassword")
    secret = f.get("MasterUserSecret") or {}
    if recorded:
        return {"MasterUserPassword": recorded}
    if secret or in_cluster:
        return {"ManageMasterUserPassword": True if secret else None, "MasterUserSecretKmsKeyId": secret.get("KmsKeyId")}
    if f.get_quiet("MasterUsername"):
        f.unsupported("MasterUserPassword", _NO_PASSWORD)
        return {"ManageMasterUserPassword": True}
    return {}


def domain(f: Fields) -> dict[str, Any]:
    """The first Active Directory domain membership (an instance or cluster takes one)."""
    return (f.get("DomainMemberships") or [{}])[0] if f.get("DomainMemberships") else {}


def associated_roles(f: Fields) -> list[dict[str, Any]]:
    return [{"RoleArn": a["RoleArn"], "FeatureName": a.get("FeatureName")} for a in f.get("AssociatedRoles") or []]


def tags(f: Fields) -> list[dict[str, str]]:
    """The TagList, as CloudFormation's ``Tags`` (the same shape, extra keys dropped)."""
    return [{"Key": t["Key"], "Value": t["Value"]} for t in f.get("TagList") or []]


def tf_tags(props: dict[str, Any]) -> dict[str, str] | None:
    """CloudFormation's ``Tags`` as the provider's map."""
    return {t["Key"]: t["Value"] for t in props["Tags"]} or None


def cloudformation_secret(props: dict[str, Any]) -> dict[str, Any]:
    """*props* with the RDS-managed password's key as CloudFormation nests it (``MasterUserSecret``)."""
    kms = props.pop("MasterUserSecretKmsKeyId", None)
    if kms:
        props["MasterUserSecret"] = {"KmsKeyId": kms}
    return props
