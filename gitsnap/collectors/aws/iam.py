"""IAM (global): roles, customer managed policies (default version document), instance
profiles, users and groups with their inline and attached policies. For users, access key
ids and status only: IAM never returns secrets, and gitsnap never asks for them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import botocore.exceptions as bx

from ..context import UnitContext
from ..spec import Call, Detail, Raw, ResourceType
from .clients import translate
from .shapes import tag_map


def policy_json(value: Any) -> Any:
    """Policy documents arrive as dicts, JSON strings or URL-encoded JSON strings."""
    if isinstance(value, str):
        for text in (value, unquote(value)):
            try:
                return json.loads(text)
            except ValueError:
                continue
    return value


def _pages(ctx: UnitContext, method: str, key: str, **params: Any) -> list[Any]:
    iam = ctx.client("iam")
    return [item for page in iam.get_paginator(method).paginate(**params) for item in page.get(key, [])]


def inline_policies(kind: str, name_field: str) -> Callable[[UnitContext, Raw], Any]:
    """A fetch for a role's, user's or group's inline policies: name -> document."""

    def fetch(ctx: UnitContext, raw: Raw) -> dict[str, Any]:
        name = raw[name_field]
        try:
            names = _pages(ctx, f"list_{kind}_policies", "PolicyNames", **{name_field: name})
            get = getattr(ctx.client("iam"), f"get_{kind}_policy")
            return {n: policy_json(get(**{name_field: name, "PolicyName": n})["PolicyDocument"]) for n in names}
        except (bx.BotoCoreError, bx.ClientError) as exc:
            raise translate(exc, f"iam/{kind}/{name}: iam:Get{kind.capitalize()}Policy") from exc

    return fetch


def role_detail(ctx: UnitContext, name: str) -> Raw:
    """One role with its trust policy, inline and attached policies (used by Lambda too)."""
    iam = ctx.client("iam")
    role = iam.get_role(RoleName=name)["Role"]
    raw = dict(role)
    raw["InlinePolicies"] = inline_policies("role", "RoleName")(ctx, raw)
    raw["AttachedPolicies"] = _pages(ctx, "list_attached_role_policies", "AttachedPolicies", RoleName=name)
    return transform_role(raw)


def _attached(raw: Raw) -> list[str]:
    return sorted(p["PolicyArn"] for p in raw.get("AttachedPolicies") or [])


def transform_role(raw: Raw) -> Raw:
    return {
        "RoleName": raw["RoleName"],
        "Arn": raw["Arn"],
        "Path": raw.get("Path"),
        "Description": raw.get("Description"),
        "MaxSessionDuration": raw.get("MaxSessionDuration"),
        "PermissionsBoundary": raw.get("PermissionsBoundary"),
        "AssumeRolePolicyDocument": policy_json(raw.get("AssumeRolePolicyDocument")),
        "InlinePolicies": raw.get("InlinePolicies") or {},
        "AttachedPolicies": _attached(raw),
        "Tags": tag_map(raw.get("Tags")),
    }


def transform_user(raw: Raw) -> Raw:
    return {
        "UserName": raw["UserName"],
        "Arn": raw["Arn"],
        "Path": raw.get("Path"),
        "PermissionsBoundary": raw.get("PermissionsBoundary"),
        "InlinePolicies": raw.get("InlinePolicies") or {},
        "AttachedPolicies": _attached(raw),
        "Groups": sorted(g["GroupName"] for g in raw.get("Groups") or []),
        "AccessKeys": sorted(({"AccessKeyId": k["AccessKeyId"], "Status": k["Status"]}
                              for k in raw.get("AccessKeys") or []), key=lambda k: k["AccessKeyId"]),
        "Tags": tag_map(raw.get("Tags")),
    }


def transform_group(raw: Raw) -> Raw:
    return {
        "GroupName": raw["GroupName"],
        "Arn": raw["Arn"],
        "Path": raw.get("Path"),
        "InlinePolicies": raw.get("InlinePolicies") or {},
        "AttachedPolicies": _attached(raw),
        "Users": sorted(u["UserName"] for u in raw.get("Users") or []),
    }


def transform_policy(raw: Raw) -> Raw:
    return {
        "PolicyName": raw["PolicyName"],
        "Arn": raw["Arn"],
        "Path": raw.get("Path"),
        "Description": raw.get("Description"),
        "DefaultVersionId": raw.get("DefaultVersionId"),
        "Document": policy_json((raw.get("Version") or {}).get("Document")),
        "Tags": tag_map(raw.get("Tags")),
    }


def _role(r: Raw) -> dict[str, str]:
    return {"RoleName": r["RoleName"]}


def _user(r: Raw) -> dict[str, str]:
    return {"UserName": r["UserName"]}


def _group(r: Raw) -> dict[str, str]:
    return {"GroupName": r["GroupName"]}


ROLE = ResourceType(
    service="iam", type="role", scope="global", client="iam", primary=False,
    list=Call("list_roles", result="Roles", paginate=True),
    id=lambda r: r["RoleName"],
    details=(
        Detail("AttachedPolicies", Call("list_attached_role_policies", params=_role, result="AttachedPolicies", paginate=True)),
        Detail("Tags", Call("list_role_tags", params=_role, result="Tags")),
        Detail("InlinePolicies", fetch=inline_policies("role", "RoleName")),
    ),
    transform=transform_role,
    schema="aws.iam.role",
    permissions=("iam:ListRoles", "iam:GetRole", "iam:ListRolePolicies", "iam:GetRolePolicy",
                 "iam:ListAttachedRolePolicies", "iam:ListRoleTags"),
)

POLICY = ResourceType(
    service="iam", type="policy", scope="global", client="iam", primary=False,
    list=Call("list_policies", params=lambda _r: {"Scope": "Local"}, result="Policies", paginate=True),
    id=lambda r: r["PolicyName"],
    details=(
        Detail("Version", Call("get_policy_version", result="PolicyVersion",
                               params=lambda r: {"PolicyArn": r["Arn"], "VersionId": r["DefaultVersionId"]})),
        Detail("Tags", Call("list_policy_tags", params=lambda r: {"PolicyArn": r["Arn"]}, result="Tags")),
    ),
    transform=transform_policy,
    schema="aws.iam.policy",
    permissions=("iam:ListPolicies", "iam:GetPolicyVersion", "iam:ListPolicyTags"),
)

INSTANCE_PROFILE = ResourceType(
    service="iam", type="instance-profile", scope="global", client="iam", primary=False,
    list=Call("list_instance_profiles", result="InstanceProfiles", paginate=True),
    id=lambda r: r["InstanceProfileName"],
    transform=lambda r: {"InstanceProfileName": r["InstanceProfileName"], "Arn": r["Arn"], "Path": r.get("Path"),
                         "Roles": sorted(x["RoleName"] for x in r.get("Roles") or [])},
    schema="aws.iam.instance-profile",
    permissions=("iam:ListInstanceProfiles",),
)

USER = ResourceType(
    service="iam", type="user", scope="global", client="iam", primary=False,
    list=Call("list_users", result="Users", paginate=True),
    id=lambda r: r["UserName"],
    details=(
        Detail("AttachedPolicies", Call("list_attached_user_policies", params=_user, result="AttachedPolicies", paginate=True)),
        Detail("Groups", Call("list_groups_for_user", params=_user, result="Groups", paginate=True)),
        Detail("AccessKeys", Call("list_access_keys", params=_user, result="AccessKeyMetadata", paginate=True)),
        Detail("Tags", Call("list_user_tags", params=_user, result="Tags")),
        Detail("InlinePolicies", fetch=inline_policies("user", "UserName")),
    ),
    transform=transform_user,
    public=("AccessKeys.*.AccessKeyId",),  # the id names the key; the secret half is never read
    schema="aws.iam.user",
    permissions=("iam:ListUsers", "iam:ListUserPolicies", "iam:GetUserPolicy", "iam:ListAttachedUserPolicies",
                 "iam:ListGroupsForUser", "iam:ListAccessKeys", "iam:ListUserTags"),
)

GROUP = ResourceType(
    service="iam", type="group", scope="global", client="iam", primary=False,
    list=Call("list_groups", result="Groups", paginate=True),
    id=lambda r: r["GroupName"],
    details=(
        Detail("AttachedPolicies", Call("list_attached_group_policies", params=_group, result="AttachedPolicies", paginate=True)),
        Detail("Users", Call("get_group", params=_group, result="Users")),
        Detail("InlinePolicies", fetch=inline_policies("group", "GroupName")),
    ),
    transform=transform_group,
    schema="aws.iam.group",
    permissions=("iam:ListGroups", "iam:GetGroup", "iam:ListGroupPolicies", "iam:GetGroupPolicy",
                 "iam:ListAttachedGroupPolicies"),
)

TYPES = (ROLE, POLICY, INSTANCE_PROFILE, USER, GROUP)
