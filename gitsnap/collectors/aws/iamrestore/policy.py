"""Customer managed IAM policies: recreated (document, path, description, tags), updated (the
snapshot's document becomes a new default version; tags), deleted with --delete (its other
versions first; refused while something the restore keeps is attached to it).

The default version's id is IAM's: a restored document is a new version (``v3`` where the
snapshot had ``v1``), so ``DefaultVersionId`` is compared by nobody here; the document is."""

from __future__ import annotations

from typing import Any

from ...restoring import Operation, RestoreContext, RestoreError
from .common import both, count, doc, plan_tags, show, tag_list

PERMISSIONS = ("iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:ListPolicyVersions", "iam:DeletePolicyVersion",
               "iam:TagPolicy", "iam:UntagPolicy", "iam:ListEntitiesForPolicy", "iam:DeletePolicy")

ENTITIES = {"PolicyGroups": ("group", "GroupName"), "PolicyUsers": ("user", "UserName"),
            "PolicyRoles": ("role", "RoleName")}
KEEP_VERSIONS = 5  # IAM keeps at most five versions of a policy


def create_policy(ctx: RestoreContext, address: str) -> list[Operation]:
    want = ctx.want(address)
    iam = ctx.client("iam", address)
    params: dict[str, Any] = {"PolicyName": want["PolicyName"], "PolicyDocument": doc(want["Document"])}
    for field in ("Path", "Description"):
        if want.get(field):
            params[field] = want[field]
    if want.get("Tags"):
        params["Tags"] = tag_list(want["Tags"])
    return [Operation(address, "create", address, f"policy {want['PolicyName']} with the snapshot's document "
                                                  f"(its only version) and {count(len(want.get('Tags') or {}), 'tag')}",
                      run=lambda: iam.create_policy(**params))]


def plan_policy(ctx: RestoreContext, address: str) -> list[Operation]:
    """The snapshot's document as a new default version; tags. IAM cannot change a policy's
    path or description after it is made."""
    want, have = both(ctx, address)
    iam = ctx.client("iam", address)
    arn = have["Arn"]
    ops: list[Operation] = []
    if want.get("Document") != have.get("Document"):
        text = doc(want["Document"])

        def apply() -> None:
            versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
            if len(versions) >= KEEP_VERSIONS:  # make room by dropping the oldest non-default one
                oldest = min((v for v in versions if not v["IsDefaultVersion"]), key=lambda v: v["CreateDate"])
                iam.delete_policy_version(PolicyArn=arn, VersionId=oldest["VersionId"])
            iam.create_policy_version(PolicyArn=arn, PolicyDocument=text, SetAsDefault=True)

        ops.append(Operation(address, "update", "Document", "a new default version with the snapshot's document",
                             run=apply))
    ops += plan_tags(address, want.get("Tags") or {}, have.get("Tags") or {}, ctx.delete,
                     lambda tags: iam.tag_policy(PolicyArn=arn, Tags=tags),
                     lambda keys: iam.untag_policy(PolicyArn=arn, TagKeys=keys))
    for part in ("Description", "Path"):
        if want.get(part) != have.get(part):
            ops.append(Operation(address, "cannot-restore", part,
                                 f"{show(have.get(part))} -> {show(want.get(part))}: IAM cannot change a policy's "
                                 f"{part.lower()}; delete the policy by hand (detached) and restore recreates it"))
    return ops


def attached_to(ctx: RestoreContext, arn: str) -> list[str]:
    """Live roles, users and groups this policy is attached to that this restore (--delete) leaves
    attached: those whose snapshot document attaches it too."""
    kept = []
    for address, info in sorted(ctx.live.resources.items()):
        if info.get("service") != "iam" or info.get("type") not in ("role", "user", "group"):
            continue
        if arn in ((ctx.have(address) or {}).get("AttachedPolicies") or []):
            want = ctx.want(address)
            if want is not None and arn in (want.get("AttachedPolicies") or []):
                kept.append(address)
    return kept


def delete_policy(ctx: RestoreContext, address: str) -> list[Operation]:
    have = ctx.have(address)
    arn = have["Arn"]
    kept = attached_to(ctx, arn)
    if kept:
        return [Operation(address, "cannot-restore", address, f"live only, but attached to {', '.join(kept)}, which "
                                                              "the snapshot has attached to it too: detach it by hand")]
    iam = ctx.client("iam", address)

    def delete() -> None:
        entities = [f"{kind} {e[field]}" for page in iam.get_paginator("list_entities_for_policy").paginate(PolicyArn=arn)
                    for key, (kind, field) in ENTITIES.items() for e in page.get(key) or []]
        if entities:
            raise RestoreError(f"{address} is still attached to {', '.join(entities)} (not restored by this run): "
                               "restore or detach them, then plan again")
        for version in iam.list_policy_versions(PolicyArn=arn)["Versions"]:
            if not version["IsDefaultVersion"]:
                iam.delete_policy_version(PolicyArn=arn, VersionId=version["VersionId"])
        iam.delete_policy(PolicyArn=arn)

    return [Operation(address, "delete", address, "its other versions first (refused if still attached)", run=delete)]
