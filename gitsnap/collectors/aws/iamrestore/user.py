"""IAM users: recreated (path, boundary, tags, inline and attached policies, groups), updated,
deleted (with --delete). Never their credentials: IAM shows an access key's secret once, when
it is made, and never returns a password, so a deleted key or a console password cannot be put
back; the plan says so, key by key."""

from __future__ import annotations

from typing import Any

from ...restoring import Operation, RestoreContext
from .common import (
    both,
    boundary_arn,
    count,
    gone_ok,
    plan_attached,
    plan_inline,
    plan_members,
    plan_tags,
    show,
    tag_list,
)

PERMISSIONS = ("iam:CreateUser", "iam:UpdateUser", "iam:TagUser", "iam:UntagUser", "iam:PutUserPolicy",
               "iam:DeleteUserPolicy", "iam:AttachUserPolicy", "iam:DetachUserPolicy", "iam:AddUserToGroup",
               "iam:RemoveUserFromGroup", "iam:PutUserPermissionsBoundary", "iam:DeleteUserPermissionsBoundary",
               "iam:UpdateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys", "iam:DeleteLoginProfile",
               "iam:ListMFADevices", "iam:DeactivateMFADevice", "iam:ListSigningCertificates",
               "iam:DeleteSigningCertificate", "iam:ListSSHPublicKeys", "iam:DeleteSSHPublicKey",
               "iam:ListGroupsForUser", "iam:ListAttachedUserPolicies", "iam:ListUserPolicies", "iam:DeleteUser")

KEY_GONE = ("deleted since the snapshot; an access key cannot be restored (IAM shows its secret once, when it is "
            "made): create a new key by hand and give it to whatever used this one")


def create_user(ctx: RestoreContext, address: str) -> list[Operation]:
    want = ctx.want(address)
    iam = ctx.client("iam", address)
    name = want["UserName"]
    params: dict[str, Any] = {"UserName": name}
    if want.get("Path"):
        params["Path"] = want["Path"]
    if boundary_arn(want.get("PermissionsBoundary")):
        params["PermissionsBoundary"] = boundary_arn(want["PermissionsBoundary"])
    if want.get("Tags"):
        params["Tags"] = tag_list(want["Tags"])
    ops = [Operation(address, "create", address, f"user {name} with {count(len(want.get('Tags') or {}), 'tag')}; no console "
                                                  "password, access keys or MFA (IAM never returns their secrets: "
                                                  "set them again by hand)", run=lambda: iam.create_user(**params))]
    ops += plan_inline(ctx, address, "user", name, want.get("InlinePolicies") or {}, {})
    ops += plan_attached(ctx, address, "user", name, want.get("AttachedPolicies") or [], [])
    ops += _groups(ctx, address, iam, name, want.get("Groups") or [], [])
    return ops + [Operation(address, "cannot-restore", f"AccessKeys.{k['AccessKeyId']}", KEY_GONE)
                  for k in want.get("AccessKeys") or []]


def _groups(ctx: RestoreContext, address: str, iam: Any, name: str, want: list[str], have: list[str]) -> list[Operation]:
    return plan_members(ctx, address, "Groups", want, have,
                        lambda g: iam.add_user_to_group(GroupName=g, UserName=name),
                        lambda g: gone_ok(iam.remove_user_from_group, GroupName=g, UserName=name), "iam/group/")


def plan_user(ctx: RestoreContext, address: str) -> list[Operation]:
    want, have = both(ctx, address)
    iam = ctx.client("iam", address)
    name = want["UserName"]
    ops: list[Operation] = []
    if want.get("Path") != have.get("Path") and want.get("Path"):
        ops.append(Operation(address, "update", "Path", f"{show(have.get('Path'))} -> {show(want['Path'])}",
                             run=lambda: iam.update_user(UserName=name, NewPath=want["Path"])))
    w, h = boundary_arn(want.get("PermissionsBoundary")), boundary_arn(have.get("PermissionsBoundary"))
    if w and w != h:
        ops.append(Operation(address, "put", "PermissionsBoundary", f"{show(h)} -> {show(w)}",
                             run=lambda: iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=w)))
    elif h and not w:
        ops.append(Operation(address, "delete", "PermissionsBoundary", show(h),
                             run=lambda: iam.delete_user_permissions_boundary(UserName=name)) if ctx.delete
                   else Operation(address, "kept", "PermissionsBoundary", "live only; --delete removes it"))
    ops += plan_tags(address, want.get("Tags") or {}, have.get("Tags") or {}, ctx.delete,
                     lambda tags: iam.tag_user(UserName=name, Tags=tags),
                     lambda keys: iam.untag_user(UserName=name, TagKeys=keys))
    ops += plan_inline(ctx, address, "user", name, want.get("InlinePolicies") or {}, have.get("InlinePolicies") or {})
    ops += plan_attached(ctx, address, "user", name, want.get("AttachedPolicies") or [], have.get("AttachedPolicies") or [])
    ops += _groups(ctx, address, iam, name, want.get("Groups") or [], have.get("Groups") or [])
    return ops + _keys(ctx, address, iam, name, want.get("AccessKeys") or [], have.get("AccessKeys") or [])


def _keys(ctx: RestoreContext, address: str, iam: Any, name: str, want: list[dict[str, str]],
          have: list[dict[str, str]]) -> list[Operation]:
    """A key's status (Active/Inactive) is put back; a deleted key cannot be; a key made since
    is deleted only with --delete (whatever uses it then stops working)."""
    w = {k["AccessKeyId"]: k.get("Status") for k in want}
    h = {k["AccessKeyId"]: k.get("Status") for k in have}
    ops = []
    for key in sorted(set(w) | set(h)):
        target = f"AccessKeys.{key}"
        if key not in h:
            ops.append(Operation(address, "cannot-restore", target, KEY_GONE))
        elif key not in w:
            ops.append(Operation(address, "delete", target, "made since the snapshot; whatever uses it stops working",
                                 run=lambda k=key: iam.delete_access_key(UserName=name, AccessKeyId=k))
                       if ctx.delete else Operation(address, "kept", target, "live only; --delete deletes the key"))
        elif w[key] != h[key]:
            ops.append(Operation(address, "update", f"{target}.Status", f"{h[key]} -> {w[key]}",
                                 run=lambda k=key, s=w[key]: iam.update_access_key(UserName=name, AccessKeyId=k, Status=s)))
    return ops


def delete_user(ctx: RestoreContext, address: str) -> list[Operation]:
    have = ctx.have(address)
    iam = ctx.client("iam", address)
    name = have["UserName"]

    def pages(method: str, key: str) -> list[Any]:
        return [x for page in iam.get_paginator(method).paginate(UserName=name) for x in page[key]]

    def delete() -> None:
        # everything IAM refuses to delete a user beside, read now (DeleteConflict otherwise)
        gone_ok(iam.delete_login_profile, UserName=name)
        for k in pages("list_access_keys", "AccessKeyMetadata"):
            iam.delete_access_key(UserName=name, AccessKeyId=k["AccessKeyId"])
        for m in pages("list_mfa_devices", "MFADevices"):
            iam.deactivate_mfa_device(UserName=name, SerialNumber=m["SerialNumber"])
        for c in pages("list_signing_certificates", "Certificates"):
            iam.delete_signing_certificate(UserName=name, CertificateId=c["CertificateId"])
        for k in pages("list_ssh_public_keys", "SSHPublicKeys"):
            iam.delete_ssh_public_key(UserName=name, SSHPublicKeyId=k["SSHPublicKeyId"])
        for g in pages("list_groups_for_user", "Groups"):
            iam.remove_user_from_group(GroupName=g["GroupName"], UserName=name)
        for p in pages("list_attached_user_policies", "AttachedPolicies"):
            iam.detach_user_policy(UserName=name, PolicyArn=p["PolicyArn"])
        for p in pages("list_user_policies", "PolicyNames"):
            iam.delete_user_policy(UserName=name, PolicyName=p)
        iam.delete_user(UserName=name)

    keys = len(have.get("AccessKeys") or [])
    return [Operation(address, "delete", address, f"its console password, {count(keys, 'access key')} (they stop working), "
                                                  "MFA devices, signing certificates and SSH keys, group memberships "
                                                  "and policies first", run=delete)]
