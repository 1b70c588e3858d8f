"""IAM (global): roles, customer managed policies (default version document), instance
profiles, users and groups with their inline and attached policies. For users, access key
ids and status only: IAM never returns secrets, and gitsnap never asks for them.

Restore (create, update, delete of every type) is in :mod:`.iamrestore`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from ..context import UnitContext
from ..run import call
from ..spec import Call, Detail, Raw, ResourceType
from . import iamrestore
from .shapes import tag_map


def policy_json(value: Any) -> Any:
    """Policy documents arrive as dicts, JSON strings or URL-encoded JSON strings.

    Lenient, for transforms: the detail calls (``documents=``) have already parsed and
    checked what AWS sent, so an unparsable string never gets this far in a capture."""
    if isinstance(value, str):
        for text in (value, unquote(value)):
            try:
                return json.loads(text)
            except ValueError:
                continue
    return value


def inline_policies(kind: str, name_field: str) -> Callable[[UnitContext, Raw], Any]:
    """A fetch for a role's, user's or group's inline policies: name -> document.

    A policy deleted between being listed and being read raises VanishedError about a part
    of the resource: the runner reads the whole resource again (never "role deleted")."""
    listing = Call(f"list_{kind}_policies", params=lambda r: {name_field: r[name_field]},
                   result="PolicyNames", paginate=True, client="iam")

    def get(policy: str) -> Call:
        return Call(f"get_{kind}_policy", params=lambda r: {name_field: r[name_field], "PolicyName": policy},
                    result="PolicyDocument", required=("PolicyDocument",), documents=("PolicyDocument",),
                    client="iam")

    def fetch(ctx: UnitContext, raw: Raw) -> dict[str, Any]:
        spec = OWNERS[kind]
        what = spec.address(raw[name_field])
        names = call(ctx, spec, listing, raw, what) or []
        return {n: call(ctx, spec, get(n), raw, what) for n in names}

    return fetch


def _merged(raw: Raw, key: str) -> Raw:
    """The listed fields overlaid with the identity read's (ListRoles and ListUsers leave out
    the permissions boundary, ListPolicies the description)."""
    return {**raw, **(raw.get(key) or {})}


def _attached(raw: Raw) -> list[str]:
    return sorted(p["PolicyArn"] for p in raw.get("AttachedPolicies") or [])


def transform_role(raw: Raw) -> Raw:
    role = _merged(raw, "Role")
    return {
        "RoleName": role["RoleName"],
        "Arn": role["Arn"],
        "Path": role.get("Path"),
        "Description": role.get("Description"),
        "MaxSessionDuration": role.get("MaxSessionDuration"),
        "PermissionsBoundary": role.get("PermissionsBoundary"),
        "AssumeRolePolicyDocument": policy_json(role.get("AssumeRolePolicyDocument")),
        "InlinePolicies": raw.get("InlinePolicies") or {},
        "AttachedPolicies": _attached(raw),
        "Tags": tag_map(raw.get("Tags")),
    }


def transform_user(raw: Raw) -> Raw:
    user = _merged(raw, "User")
    return {
        "UserName": user["UserName"],
        "Arn": user["Arn"],
        "Path": user.get("Path"),
        "PermissionsBoundary": user.get("PermissionsBoundary"),
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
    # the listed DefaultVersionId, not GetPolicy's: it names the version whose Document was read
    return {
        "PolicyName": raw["PolicyName"],
        "Arn": raw["Arn"],
        "Path": raw.get("Path"),
        "Description": _merged(raw, "Policy").get("Description"),  # ListPolicies never sends it
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
        Detail("Role", Call("get_role", params=_role, result="Role", identity=True, required=("Role.Arn",),
                            documents=("Role.AssumeRolePolicyDocument",))),
        Detail("AttachedPolicies", Call("list_attached_role_policies", params=_role, result="AttachedPolicies", paginate=True)),
        Detail("Tags", Call("list_role_tags", params=_role, result="Tags", paginate=True)),
        Detail("InlinePolicies", fetch=inline_policies("role", "RoleName")),
    ),
    transform=transform_role,
    schema="aws.iam.role",
    permissions=("iam:ListRoles", "iam:GetRole", "iam:ListRolePolicies", "iam:GetRolePolicy",
                 "iam:ListAttachedRolePolicies", "iam:ListRoleTags"),
    restore=iamrestore.ROLE,
)

POLICY = ResourceType(
    service="iam", type="policy", scope="global", client="iam", primary=False,
    list=Call("list_policies", params=lambda _r: {"Scope": "Local"}, result="Policies", paginate=True),
    id=lambda r: r["PolicyName"],
    details=(
        # the identity read; ListPolicies leaves out the description (and tags)
        Detail("Policy", Call("get_policy", params=lambda r: {"PolicyArn": r["Arn"]}, result="Policy", identity=True,
                              required=("Policy.Arn",))),
        Detail("Tags", Call("list_policy_tags", params=lambda r: {"PolicyArn": r["Arn"]}, result="Tags",
                            paginate=True)),
        Detail("Version", Call("get_policy_version", result="PolicyVersion",
                               params=lambda r: {"PolicyArn": r["Arn"], "VersionId": r["DefaultVersionId"]},
                               required=("PolicyVersion.Document",), documents=("PolicyVersion.Document",))),
    ),
    transform=transform_policy,
    schema="aws.iam.policy",
    permissions=("iam:ListPolicies", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyTags"),
    restore=iamrestore.POLICY,
)

INSTANCE_PROFILE = ResourceType(
    service="iam", type="instance-profile", scope="global", client="iam", primary=False,
    list=Call("list_instance_profiles", result="InstanceProfiles", paginate=True),
    id=lambda r: r["InstanceProfileName"],
    transform=lambda r: {"InstanceProfileName": r["InstanceProfileName"], "Arn": r["Arn"], "Path": r.get("Path"),
                         "Roles": sorted(x["RoleName"] for x in r.get("Roles") or [])},
    schema="aws.iam.instance-profile",
    permissions=("iam:ListInstanceProfiles",),
    restore=iamrestore.INSTANCE_PROFILE,
)

USER = ResourceType(
    service="iam", type="user", scope="global", client="iam", primary=False,
    list=Call("list_users", result="Users", paginate=True),
    id=lambda r: r["UserName"],
    details=(
        # the identity read; ListUsers leaves out the permissions boundary (and tags)
        Detail("User", Call("get_user", params=_user, result="User", identity=True, required=("User.Arn",))),
        Detail("AttachedPolicies", Call("list_attached_user_policies", params=_user, result="AttachedPolicies",
                                        paginate=True)),
        Detail("Groups", Call("list_groups_for_user", params=_user, result="Groups", paginate=True)),
        Detail("AccessKeys", Call("list_access_keys", params=_user, result="AccessKeyMetadata", paginate=True)),
        Detail("Tags", Call("list_user_tags", params=_user, result="Tags", paginate=True)),
        Detail("InlinePolicies", fetch=inline_policies("user", "UserName")),
    ),
    transform=transform_user,
    public=("AccessKeys.*.AccessKeyId",),  # the id names the key; the secret half is never read
    schema="aws.iam.user",
    permissions=("iam:ListUsers", "iam:GetUser", "iam:ListUserPolicies", "iam:GetUserPolicy",
                 "iam:ListAttachedUserPolicies",
                 "iam:ListGroupsForUser", "iam:ListAccessKeys", "iam:ListUserTags"),
    restore=iamrestore.USER,
)

GROUP = ResourceType(
    service="iam", type="group", scope="global", client="iam", primary=False,
    list=Call("list_groups", result="Groups", paginate=True),
    id=lambda r: r["GroupName"],
    details=(
        Detail("AttachedPolicies", Call("list_attached_group_policies", params=_group, result="AttachedPolicies", paginate=True)),
        Detail("Users", Call("get_group", params=_group, result="Users", paginate=True, identity=True,
                             required=("Group",))),
        Detail("InlinePolicies", fetch=inline_policies("group", "GroupName")),
    ),
    transform=transform_group,
    schema="aws.iam.group",
    permissions=("iam:ListGroups", "iam:GetGroup", "iam:ListGroupPolicies", "iam:GetGroupPolicy",
                 "iam:ListAttachedGroupPolicies"),
    restore=iamrestore.GROUP,
)

TYPES = (ROLE, POLICY, INSTANCE_PROFILE, USER, GROUP)

OWNERS = {"role": ROLE, "user": USER, "group": GROUP}  # whose inline policies a fetch reads
