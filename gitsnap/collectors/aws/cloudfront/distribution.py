"""CloudFront distributions: full configurations; custom origin header values are secrets.

Order: cache behaviours are matched against a request in list order, the first match wins,
and an origin group fails over from its first member to its second. Both lists are declared
``ordered`` (reversing them reroutes traffic). Not ordered: origins and origin groups
(referred to by id), Lambda@Edge and CloudFront Functions associations (one per event type),
custom error responses (one per error code), aliases (sorted).

References: ``References`` lists every policy, origin access control, function and web ACL the
configuration names, by address (:mod:`.references`).

Restore updates a distribution in place (UpdateDistribution with a fresh ETag) and its tags.
It does not create one: CloudFront gives a created distribution a new id and a new
``*.cloudfront.net`` domain, so it would be another resource, at another address, that DNS
does not point at (see :data:`CANNOT_CREATE`). It deletes one (``--delete``) only once it is
disabled.
"""

from __future__ import annotations

import copy
from typing import Any

from ....secrets.fingerprint import is_redacted
from ...context import UnitContext
from ...restoring import Operation, RestoreContext, Unrestorable
from ...spec import Call, Detail, Raw, ResourceType, Restorer
from ..shapes import tag_map
from . import policies, relink
from .common import config_ops, guarded, plan_tags, shown
from .references import BY_ID, referenced, references, substitute

CANNOT_CREATE = (
    "CloudFront gives a created distribution a new id and a new *.cloudfront.net domain, so gitsnap "
    "does not recreate one behind your DNS: create it from the snapshot's DistributionConfig "
    "('gitsnap show REV cloudfront/ID'; a new CallerReference), point the DNS records (and any "
    "bucket policy naming the old ARN) at the new one, then capture")


def get_names(ctx: UnitContext, raw: Raw) -> dict[str, dict[str, Any]]:
    """Id -> name of the policies and origin access controls the configuration uses (one listing
    per kind in the capture unit, and only for the kinds it uses)."""
    config = raw.get("DistributionConfig") or {}
    return {kind.type: policies.names(ctx, kind) for kind in policies.KINDS
            if referenced(config, *(k for k, t in BY_ID.items() if t == kind.type))}


def transform_distribution(raw: Raw) -> Raw:
    tags = raw.get("Tags") or {}
    return {
        "Id": raw["Id"],
        "ARN": raw["ARN"],
        "DomainName": raw.get("DomainName"),
        "Status": raw.get("Status"),
        "DistributionConfig": raw["DistributionConfig"],
        "Tags": tag_map(tags.get("Items")),
        "References": references(raw["DistributionConfig"], "DistributionConfig", raw.get("Names") or {}),
    }


# -- restore ---------------------------------------------------------------------------------

def _headers(config: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(o["Id"], h["HeaderName"]): h["HeaderValue"]
            for o in config.get("Origins", {}).get("Items", [])
            for h in (o.get("CustomHeaders") or {}).get("Items", [])}


def merge_origin_secrets(config: dict[str, Any], live_raw: dict[str, Any], live_seen: dict[str, Any]) -> None:
    """Where the snapshot's fingerprint equals live's (the secret did not change), send the live
    value itself; other fingerprints stay, for the reveal hook to open (or refuse)."""
    raw, seen = _headers(live_raw), _headers(live_seen)
    for origin in config.get("Origins", {}).get("Items", []):
        for h in (origin.get("CustomHeaders") or {}).get("Items", []):
            key = (origin["Id"], h["HeaderName"])
            if is_redacted(h["HeaderValue"]) and seen.get(key) == h["HeaderValue"] and key in raw:
                h["HeaderValue"] = raw[key]


def plan_distribution(ctx: RestoreContext, address: str) -> list[Operation]:
    """The configuration (one UpdateDistribution, with the ETag read just before it) and tags.

    No wait for "Deployed" before or after: CloudFront accepts UpdateDistribution (with a fresh
    ETag) and CreateInvalidation while a distribution is InProgress, and GetDistributionConfig
    returns the new config at once, so neither this restore's later steps nor its verify depend
    on the edge rollout (docs/restore.md)."""
    want, have = ctx.want(address), ctx.have(address)
    if want is None or have is None:
        raise Unrestorable(Operation(address, "cannot-restore", address, "it does not exist on both sides"))
    cf = ctx.client("cloudfront", address)
    dist_id = want["Id"]
    refs = want.get("References") or []
    known = relink.planned(ctx, refs)  # a resource recreated earlier: its id live is not a difference
    target = substitute(want["DistributionConfig"], known)

    def apply() -> None:
        got = cf.get_distribution_config(Id=dist_id)  # a fresh ETag for IfMatch
        config = copy.deepcopy(substitute(want["DistributionConfig"], {**known, **relink.at_apply(ctx, address, refs)}))
        merge_origin_secrets(config, got["DistributionConfig"], have["DistributionConfig"])
        guarded(address, cf.update_distribution, Id=dist_id, IfMatch=got["ETag"], DistributionConfig=config)

    ops = config_ops(ctx, address, "DistributionConfig", have.get("DistributionConfig"), target, apply)
    remade = relink.recreated(ctx, refs)
    if remade:
        note = f"(sends the new id of {', '.join(remade)}, recreated by this restore)"
        updates = [op for op in ops if op.run is not None]
        if updates:
            updates[0].detail = f"{updates[0].detail}  {note}"
        else:  # same configuration, naming an id that no longer exists: point it at the new one
            ops.append(Operation(address, "update", "References", f"{', '.join(remade)} {note}", run=apply))
    ops += plan_tags(ctx, address, want["ARN"], want.get("Tags"), have.get("Tags"), cf)
    return ops


def plan_delete(ctx: RestoreContext, address: str) -> list[Operation]:
    """A live-only distribution is deleted only once disabled (CloudFront refuses otherwise, and
    disabling one takes a site down: a choice gitsnap leaves to you)."""
    have = ctx.have(address)
    if (have.get("DistributionConfig") or {}).get("Enabled"):
        raise Unrestorable(Operation(address, "cannot-restore", address,
                                     "live only and enabled: disable it (Enabled false), wait until it is "
                                     "Deployed, then restore --delete removes it"))
    cf = ctx.client("cloudfront", address)

    def run() -> None:
        etag = cf.get_distribution_config(Id=have["Id"])["ETag"]
        guarded(address, cf.delete_distribution, Id=have["Id"], IfMatch=etag)

    return [Operation(address, "delete", address, f"disabled, {shown(have.get('DomainName'))}", run=run)]


DISTRIBUTION = ResourceType(
    service="cloudfront",
    type="distribution",
    scope="global",
    client="cloudfront",
    list=Call("list_distributions", result="DistributionList.Items", paginate=True),
    id=lambda r: r["Id"],
    details=(
        Detail("DistributionConfig", Call("get_distribution_config", params=lambda r: {"Id": r["Id"]}, result="DistributionConfig",
                                          identity=True, required=("DistributionConfig",))),
        Detail("Tags", Call("list_tags_for_resource", params=lambda r: {"Resource": r["ARN"]}, result="Tags")),
        Detail("Names", fetch=get_names),
    ),
    transform=transform_distribution,
    volatile=("LastModifiedTime", "InProgressInvalidationBatches", "ETag"),
    status=("Status",),  # InProgress while a change propagates, then Deployed
    secrets=("**.CustomHeaders.Items.*.HeaderValue",),
    unordered=("DistributionConfig.Aliases.Items",),
    # "**": restore compares DistributionConfig on its own, and these lists live only there
    ordered=("**.CacheBehaviors.Items", "**.OriginGroups.Items.*.Members.Items"),
    schema="aws.cloudfront.distribution",
    permissions=("cloudfront:ListDistributions", "cloudfront:GetDistributionConfig", "cloudfront:ListTagsForResource",
                 # the names of the policies and origin access controls it uses (get_names)
                 "cloudfront:ListCachePolicies", "cloudfront:ListOriginRequestPolicies",
                 "cloudfront:ListResponseHeadersPolicies", "cloudfront:ListOriginAccessControls"),
    restore=Restorer(
        update=plan_distribution, delete=plan_delete, rank=50, cannot_create=CANNOT_CREATE,
        permissions=("cloudfront:GetDistributionConfig", "cloudfront:UpdateDistribution",
                     "cloudfront:DeleteDistribution", "cloudfront:TagResource", "cloudfront:UntagResource",
                     # the ids referenced resources have live when the update is written (relink)
                     "cloudfront:ListCachePolicies", "cloudfront:ListOriginRequestPolicies",
                     "cloudfront:ListResponseHeadersPolicies", "cloudfront:ListOriginAccessControls",
                     "cloudfront:ListKeyValueStores", "wafv2:ListWebACLs")),
)

TYPES = (DISTRIBUTION,)
