"""IAM instance profiles: recreated with their role, updated (the role), deleted (with
--delete). A profile's path cannot change."""

from __future__ import annotations

from ...restoring import Operation, RestoreContext
from .common import JOIN, both, gone_ok, known, show

# AddRoleToInstanceProfile also needs iam:PassRole on the role
PERMISSIONS = ("iam:CreateInstanceProfile", "iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile",
               "iam:GetInstanceProfile", "iam:DeleteInstanceProfile", "iam:PassRole")


def _roles(ctx: RestoreContext, address: str, name: str, want: list[str], have: list[str]) -> list[Operation]:
    iam = ctx.client("iam", address)
    ops = []
    for role in sorted(set(want) - set(have)):
        if not known(ctx, f"iam/role/{role}"):
            ops.append(Operation(address, "cannot-restore", f"Roles.{role}",
                                 f"iam/role/{role} is neither live nor in the snapshot"))
        else:
            ops.append(Operation(address, "put", f"Roles.{role}", kind=JOIN, run=lambda r=role: (
                iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=r))))
    for role in sorted(set(have) - set(want)):
        ops.append(Operation(address, "delete", f"Roles.{role}", kind=JOIN, run=lambda r=role: gone_ok(
            iam.remove_role_from_instance_profile, InstanceProfileName=name, RoleName=r)) if ctx.delete
            else Operation(address, "kept", f"Roles.{role}", "live only; --delete removes it"))
    # removals first: a profile holds one role, so a replaced role must leave before the new one joins
    return sorted(ops, key=lambda op: op.verb != "delete")


def create_profile(ctx: RestoreContext, address: str) -> list[Operation]:
    want = ctx.want(address)
    iam = ctx.client("iam", address)
    name = want["InstanceProfileName"]
    params = {"InstanceProfileName": name, **({"Path": want["Path"]} if want.get("Path") else {})}
    ops = [Operation(address, "create", address, f"instance profile {name}",
                     run=lambda: iam.create_instance_profile(**params))]
    return ops + _roles(ctx, address, name, want.get("Roles") or [], [])


def plan_profile(ctx: RestoreContext, address: str) -> list[Operation]:
    want, have = both(ctx, address)
    name = want["InstanceProfileName"]
    ops = _roles(ctx, address, name, want.get("Roles") or [], have.get("Roles") or [])
    if want.get("Path") != have.get("Path"):
        ops.append(Operation(address, "cannot-restore", "Path", f"{show(have.get('Path'))} -> {show(want.get('Path'))}: "
                             "IAM cannot move an instance profile; delete it by hand and restore recreates it"))
    return ops


def delete_profile(ctx: RestoreContext, address: str) -> list[Operation]:
    have = ctx.have(address)
    iam = ctx.client("iam", address)
    name = have["InstanceProfileName"]

    def delete() -> None:
        for role in iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]["Roles"]:
            iam.remove_role_from_instance_profile(InstanceProfileName=name, RoleName=role["RoleName"])
        iam.delete_instance_profile(InstanceProfileName=name)

    return [Operation(address, "delete", address, f"its roles ({', '.join(have.get('Roles') or []) or 'none'}) "
                                                  "removed first", run=delete)]
