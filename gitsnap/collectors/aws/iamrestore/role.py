"""IAM roles: recreated (trust policy, path, description, session length, boundary, tags, then
inline and attached policies), updated field by field, deleted (with --delete)."""

from __future__ import annotations

from typing import Any

from ...restoring import Operation, RestoreContext
from .common import (
    both,
    boundary_arn,
    count,
    doc,
    plan_attached,
    plan_inline,
    plan_tags,
    show,
    tag_list,
)

PERMISSIONS = ("iam:CreateRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy",
               "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:TagRole",
               "iam:UntagRole", "iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary",
               "iam:ListInstanceProfilesForRole", "iam:RemoveRoleFromInstanceProfile",
               "iam:ListAttachedRolePolicies", "iam:ListRolePolicies", "iam:DeleteRole")


def create_role(ctx: RestoreContext, address: str) -> list[Operation]:
    want = ctx.want(address)
    iam = ctx.client("iam", address)
    name = want["RoleName"]
    params: dict[str, Any] = {"RoleName": name, "AssumeRolePolicyDocument": doc(want["AssumeRolePolicyDocument"])}
    for field in ("Path", "Description", "MaxSessionDuration"):
        if want.get(field) is not None:
            params[field] = want[field]
    if boundary_arn(want.get("PermissionsBoundary")):
        params["PermissionsBoundary"] = boundary_arn(want["PermissionsBoundary"])
    if want.get("Tags"):
        params["Tags"] = tag_list(want["Tags"])
    ops = [Operation(address, "create", address, f"role {name} with its trust policy"
                     f"{', boundary' if 'PermissionsBoundary' in params else ''} and {count(len(want.get('Tags') or {}), 'tag')}",
                     run=lambda: iam.create_role(**params))]
    ops += plan_inline(ctx, address, "role", name, want.get("InlinePolicies") or {}, {})
    return ops + plan_attached(ctx, address, "role", name, want.get("AttachedPolicies") or [], [])


def plan_role(ctx: RestoreContext, address: str) -> list[Operation]:
    """Trust policy, description and session length, boundary, tags, inline and attached
    policies. The path cannot change (IAM has no call for it)."""
    want, have = both(ctx, address)
    iam = ctx.client("iam", address)
    role = want["RoleName"]
    ops: list[Operation] = []
    if want["AssumeRolePolicyDocument"] != have["AssumeRolePolicyDocument"]:
        trust = doc(want["AssumeRolePolicyDocument"])
        ops.append(Operation(address, "update", "AssumeRolePolicyDocument", "trust policy differs",
                             run=lambda: iam.update_assume_role_policy(RoleName=role, PolicyDocument=trust)))
    settings = {f: want.get(f) for f in ("Description", "MaxSessionDuration")
                if want.get(f) != have.get(f) and not (f == "MaxSessionDuration" and want.get(f) is None)}
    for f, v in settings.items():
        ops.append(Operation(address, "update", f, f"{show(have.get(f))} -> {show(v)}"))
    if settings:
        sent = {f: ("" if v is None else v) for f, v in settings.items()}  # "" clears a description
        next(op for op in ops if op.target in settings).run = lambda: iam.update_role(RoleName=role, **sent)
    ops += _boundary(ctx, address, iam, role, want, have)
    ops += plan_tags(address, want.get("Tags") or {}, have.get("Tags") or {}, ctx.delete,
                     lambda tags: iam.tag_role(RoleName=role, Tags=tags),
                     lambda keys: iam.untag_role(RoleName=role, TagKeys=keys))
    ops += plan_inline(ctx, address, "role", role, want.get("InlinePolicies") or {}, have.get("InlinePolicies") or {})
    ops += plan_attached(ctx, address, "role", role, want.get("AttachedPolicies") or [], have.get("AttachedPolicies") or [])
    if want.get("Path") != have.get("Path"):
        ops.append(Operation(address, "cannot-restore", "Path", f"{show(have.get('Path'))} -> {show(want.get('Path'))}: "
                             "IAM cannot move a role; delete it by hand and restore recreates it"))
    return ops


def _boundary(ctx: RestoreContext, address: str, iam: Any, role: str, want: dict[str, Any],
              have: dict[str, Any]) -> list[Operation]:
    w, h = boundary_arn(want.get("PermissionsBoundary")), boundary_arn(have.get("PermissionsBoundary"))
    if w == h:
        return []
    if w:
        return [Operation(address, "put", "PermissionsBoundary", f"{show(h)} -> {show(w)}",
                          run=lambda: iam.put_role_permissions_boundary(RoleName=role, PermissionsBoundary=w))]
    if ctx.delete:
        return [Operation(address, "delete", "PermissionsBoundary", show(h),
                          run=lambda: iam.delete_role_permissions_boundary(RoleName=role))]
    return [Operation(address, "kept", "PermissionsBoundary", "live only; --delete removes it")]


def delete_role(ctx: RestoreContext, address: str) -> list[Operation]:
    have = ctx.have(address)
    iam = ctx.client("iam", address)
    role = have["RoleName"]

    def delete() -> None:
        # what IAM refuses to delete a role beside, read now (DeleteConflict otherwise)
        for page in iam.get_paginator("list_instance_profiles_for_role").paginate(RoleName=role):
            for profile in page["InstanceProfiles"]:
                iam.remove_role_from_instance_profile(InstanceProfileName=profile["InstanceProfileName"], RoleName=role)
        for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=role):
            for p in page["AttachedPolicies"]:
                iam.detach_role_policy(RoleName=role, PolicyArn=p["PolicyArn"])
        for page in iam.get_paginator("list_role_policies").paginate(RoleName=role):
            for p in page["PolicyNames"]:
                iam.delete_role_policy(RoleName=role, PolicyName=p)
        iam.delete_role(RoleName=role)

    return [Operation(address, "delete", address, "removed from its instance profiles, its policies detached and "
                                                  "inline ones deleted first", run=delete)]
