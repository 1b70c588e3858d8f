"""IAM groups: recreated (path, inline and attached policies, members), updated, deleted
(with --delete: members removed and policies detached first)."""

from __future__ import annotations

from typing import Any

from ...restoring import Operation, RestoreContext
from .common import both, count, gone_ok, plan_attached, plan_inline, plan_members, show

PERMISSIONS = ("iam:CreateGroup", "iam:UpdateGroup", "iam:PutGroupPolicy", "iam:DeleteGroupPolicy",
               "iam:AttachGroupPolicy", "iam:DetachGroupPolicy", "iam:AddUserToGroup", "iam:RemoveUserFromGroup",
               "iam:GetGroup", "iam:ListAttachedGroupPolicies", "iam:ListGroupPolicies", "iam:DeleteGroup")


def _members(ctx: RestoreContext, address: str, iam: Any, name: str, want: list[str], have: list[str]) -> list[Operation]:
    return plan_members(ctx, address, "Users", want, have,
                        lambda u: iam.add_user_to_group(GroupName=name, UserName=u),
                        lambda u: gone_ok(iam.remove_user_from_group, GroupName=name, UserName=u), "iam/user/")


def create_group(ctx: RestoreContext, address: str) -> list[Operation]:
    want = ctx.want(address)
    iam = ctx.client("iam", address)
    name = want["GroupName"]
    params = {"GroupName": name, **({"Path": want["Path"]} if want.get("Path") else {})}
    ops = [Operation(address, "create", address, f"group {name} with {count(len(want.get('Users') or []), 'member')}",
                     run=lambda: iam.create_group(**params))]
    ops += plan_inline(ctx, address, "group", name, want.get("InlinePolicies") or {}, {})
    ops += plan_attached(ctx, address, "group", name, want.get("AttachedPolicies") or [], [])
    return ops + _members(ctx, address, iam, name, want.get("Users") or [], [])


def plan_group(ctx: RestoreContext, address: str) -> list[Operation]:
    want, have = both(ctx, address)
    iam = ctx.client("iam", address)
    name = want["GroupName"]
    ops: list[Operation] = []
    if want.get("Path") != have.get("Path") and want.get("Path"):
        ops.append(Operation(address, "update", "Path", f"{show(have.get('Path'))} -> {show(want['Path'])}",
                             run=lambda: iam.update_group(GroupName=name, NewPath=want["Path"])))
    ops += plan_inline(ctx, address, "group", name, want.get("InlinePolicies") or {}, have.get("InlinePolicies") or {})
    ops += plan_attached(ctx, address, "group", name, want.get("AttachedPolicies") or [], have.get("AttachedPolicies") or [])
    return ops + _members(ctx, address, iam, name, want.get("Users") or [], have.get("Users") or [])


def delete_group(ctx: RestoreContext, address: str) -> list[Operation]:
    have = ctx.have(address)
    iam = ctx.client("iam", address)
    name = have["GroupName"]

    def delete() -> None:
        for page in iam.get_paginator("get_group").paginate(GroupName=name):
            for user in page["Users"]:
                gone_ok(iam.remove_user_from_group, GroupName=name, UserName=user["UserName"])
        for page in iam.get_paginator("list_attached_group_policies").paginate(GroupName=name):
            for p in page["AttachedPolicies"]:
                iam.detach_group_policy(GroupName=name, PolicyArn=p["PolicyArn"])
        for page in iam.get_paginator("list_group_policies").paginate(GroupName=name):
            for p in page["PolicyNames"]:
                iam.delete_group_policy(GroupName=name, PolicyName=p)
        iam.delete_group(GroupName=name)

    return [Operation(address, "delete", address, f"its {count(len(have.get('Users') or []), 'member')} removed and its "
                                                  "policies detached first", run=delete)]
