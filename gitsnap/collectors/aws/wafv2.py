"""WAFv2 web ACLs of scope CLOUDFRONT (the ones distributions use; AWS serves them from
us-east-1): rules, default action, visibility configuration, custom response bodies, captcha and
challenge settings, tags.

A distribution names its web ACL by ARN (``DistributionConfig.WebACLId``); its document's
``References`` gives the ACL's address, ``wafv2/NAME``. The link is recorded there only, not
again on the ACL, so one association change is one line in a diff.

Addresses are by name (unique per scope): the id and ARN WAF assigns are kept in the status
section, since a recreated ACL gets new ones. Rules are sorted by ``Priority`` (the order WAF
evaluates them in). A byte-match ``SearchString`` (a blob in the API) is stored as text when it
is UTF-8, and so passes the secret detector like any other value.

REGIONAL web ACLs (ALB, API Gateway, AppSync) are not captured: the capture plan runs a
service's types either once (global) or per region, not both; see docs/services/cloudfront.md.
"""

from __future__ import annotations

import functools
from typing import Any

import botocore.exceptions as bx
import botocore.session

from ..context import UnitContext
from ..restoring import Operation, RestoreContext, Unrestorable
from ..spec import Raw, ResourceType, Restorer
from .accounts import HOME_REGION
from .clients import error_code, translate
from .cloudfront.common import config_ops, guarded, shown
from .shapes import tag_map

SCOPE = "CLOUDFRONT"
# assigned or computed by WAF, never sent
READ_ONLY = ("Name", "Id", "ARN", "Capacity", "LabelNamespace", "ManagedByFirewallManager",
             "RetrofittedByFirewallManager", "PreProcessFirewallManagerRuleGroups",
             "PostProcessFirewallManagerRuleGroups")


# -- capture ---------------------------------------------------------------------------------

def _pages(client: Any, method: str, key: str, **params: Any) -> list[Any]:
    """A whole WAF listing (pages chained by ``NextMarker``, which botocore does not page)."""
    items: list[Any] = []
    marker = None
    while True:
        page = getattr(client, method)(**params, Limit=100, **({"NextMarker": marker} if marker else {}))
        items += page.get(key) or []
        following = page.get("NextMarker")
        if not following or not page.get(key) or following == marker:
            return items
        marker = following


def get_tags(waf: Any, arn: str) -> list[dict[str, str]]:
    """Every tag of a web ACL (ListTagsForResource pages by ``NextMarker`` too)."""
    tags: list[dict[str, str]] = []
    marker = None
    while True:
        page = waf.list_tags_for_resource(ResourceARN=arn, Limit=100, **({"NextMarker": marker} if marker else {}))
        tags += (page.get("TagInfoForResource") or {}).get("TagList") or []
        if not page.get("NextMarker") or page["NextMarker"] == marker:
            return tags
        marker = page["NextMarker"]


def text_blobs(node: Any) -> Any:
    """Bytes (a rule's SearchString) as text where they are UTF-8; else left as bytes. Pure."""
    if isinstance(node, bytes | bytearray):
        try:
            return bytes(node).decode("utf-8")
        except UnicodeDecodeError:
            return bytes(node)
    if isinstance(node, dict):
        return {k: text_blobs(v) for k, v in node.items()}
    if isinstance(node, list):
        return [text_blobs(v) for v in node]
    return node


def enumerate_web_acls(ctx: UnitContext) -> list[Raw]:
    """Every CLOUDFRONT web ACL with its configuration and tags (a handful per account: read one
    after the other). One deleted between the listing and its read is left out, with a warning."""
    waf = ctx.client("wafv2", HOME_REGION)
    what = "wafv2 (scope CLOUDFRONT)"
    out = []
    try:
        for summary in _pages(waf, "list_web_acls", "WebACLs", Scope=SCOPE):
            name = summary["Name"]
            try:
                acl = waf.get_web_acl(Name=name, Scope=SCOPE, Id=summary["Id"])["WebACL"]
            except bx.ClientError as exc:
                if error_code(exc) != "WAFNonexistentItemException":
                    raise
                ctx.warn(f"wafv2/{name}: deleted while it was being captured; left out of this snapshot")
                continue
            out.append({"WebACL": acl, "Tags": get_tags(waf, acl["ARN"])})
    except (bx.BotoCoreError, bx.ClientError) as exc:
        raise translate(exc, what) from exc
    return out


def transform_web_acl(raw: Raw) -> Raw:
    acl = text_blobs(dict(raw["WebACL"]))
    acl["Rules"] = sorted(acl.get("Rules") or [], key=lambda r: (r.get("Priority", 0), r.get("Name", "")))
    acl.pop("LockToken", None)
    return {**acl, "Tags": tag_map(raw.get("Tags"))}


# -- restore ---------------------------------------------------------------------------------

@functools.cache
def _members(shape: str) -> frozenset[str]:
    return frozenset(botocore.session.get_session().get_service_model("wafv2").shape_for(shape).members)


def blobs(node: Any) -> Any:
    """``{"base64": ...}`` (how a snapshot stores bytes that are not text) back to bytes. Pure."""
    import base64

    if isinstance(node, dict):
        if set(node) == {"base64"} and isinstance(node["base64"], str):
            return base64.b64decode(node["base64"])
        return {k: blobs(v) for k, v in node.items()}
    if isinstance(node, list):
        return [blobs(v) for v in node]
    return node


def fields(doc: Raw, request: str) -> dict[str, Any]:
    """The document's fields a Create/UpdateWebACL request takes (from botocore's model). Pure."""
    allowed = _members(request) - {"Name", "Scope", "Id", "LockToken", "Tags"}
    # an empty string is how some endpoints say "none" (a Description), and WAF refuses one
    return {k: blobs(v) for k, v in doc.items() if k in allowed and k not in READ_ONLY and v not in (None, "")}


def _id(doc: Raw) -> str | None:
    return (doc.get("status") or {}).get("Id") or doc.get("Id")


def _arn(doc: Raw) -> str | None:
    return (doc.get("status") or {}).get("ARN") or doc.get("ARN")


def live_arns(client: Any) -> dict[str, str]:
    """Name -> ARN of the CLOUDFRONT web ACLs live has now (a distribution's restore sends them)."""
    return {s["Name"]: s["ARN"] for s in _pages(client, "list_web_acls", "WebACLs", Scope=SCOPE)}


def plan_create(ctx: RestoreContext, address: str) -> list[Operation]:
    want = ctx.want(address)
    waf = ctx.client("wafv2", address)
    tags = [{"Key": k, "Value": v} for k, v in sorted((want.get("Tags") or {}).items())]

    def run() -> None:
        waf.create_web_acl(Name=want["Name"], Scope=SCOPE, **fields(want, "CreateWebACLRequest"),
                           **({"Tags": tags} if tags else {}))

    return [Operation(address, "create", address,
                      f"web ACL {shown(want['Name'])}, {len(want.get('Rules') or [])} rules (WAF gives it a new id; "
                      "the distributions restored with it are sent its new ARN)", run=run)]


def plan_update(ctx: RestoreContext, address: str) -> list[Operation]:
    """UpdateWebACL with every field (it replaces the whole configuration), guarded by the lock
    token read just before it."""
    want, have = ctx.want(address), ctx.have(address)
    waf = ctx.client("wafv2", address)
    rid = _id(have)
    if not rid:
        raise Unrestorable(Operation(address, "cannot-restore", address, "live's document has no id"))
    name = want["Name"]

    def run() -> None:
        token = waf.get_web_acl(Name=name, Scope=SCOPE, Id=rid)["LockToken"]
        guarded(address, waf.update_web_acl, Name=name, Scope=SCOPE, Id=rid, LockToken=token,
                **fields(want, "UpdateWebACLRequest"))

    config = {k: v for k, v in want.items() if k not in ("Tags", "status")}
    live = {k: v for k, v in have.items() if k not in ("Tags", "status")}
    ops = config_ops(ctx, address, "WebACL", live, config, run)
    return ops + plan_tags(ctx, address, _arn(have), want.get("Tags") or {}, have.get("Tags") or {}, waf)


def plan_tags(ctx: RestoreContext, address: str, arn: str | None, want: dict[str, str], have: dict[str, str],
              waf: Any) -> list[Operation]:
    """TagResource for the snapshot's tags; a live-only key is kept unless --delete."""
    ops = []
    put = [{"Key": k, "Value": v} for k, v in sorted(want.items()) if have.get(k) != v]
    if put:
        ops.append(Operation(address, "tag", "Tags", ", ".join(f"{t['Key']}: {shown(have.get(t['Key']))} -> "
                                                               f"{shown(t['Value'])}" for t in put),
                             run=lambda: waf.tag_resource(ResourceARN=arn, Tags=put)))
    extra = sorted(set(have) - set(want))
    if extra and ctx.delete:
        ops.append(Operation(address, "untag", "Tags", ", ".join(extra),
                             run=lambda: waf.untag_resource(ResourceARN=arn, TagKeys=extra)))
    elif extra:
        ops.append(Operation(address, "kept", "Tags", f"{', '.join(extra)}: live only; --delete removes them"))
    return ops


def plan_delete(ctx: RestoreContext, address: str) -> list[Operation]:
    have = ctx.have(address)
    waf = ctx.client("wafv2", address)

    def run() -> None:
        token = waf.get_web_acl(Name=have["Name"], Scope=SCOPE, Id=_id(have))["LockToken"]
        guarded(address, waf.delete_web_acl, Name=have["Name"], Scope=SCOPE, Id=_id(have), LockToken=token)

    return [Operation(address, "delete", address, "live only (WAF refuses while a distribution uses it)", run=run)]


WEB_ACL = ResourceType(
    service="wafv2", type="web-acl", scope="global", client="wafv2",
    enumerate=enumerate_web_acls,
    id=lambda r: r["WebACL"]["Name"],
    transform=transform_web_acl,
    status=("Id", "ARN"),  # assigned by WAF: a recreated ACL has others
    schema="aws.wafv2.web-acl",
    permissions=("wafv2:ListWebACLs", "wafv2:GetWebACL", "wafv2:ListTagsForResource"),
    restore=Restorer(
        create=plan_create, update=plan_update, delete=plan_delete, rank=45,
        permissions=("wafv2:CreateWebACL", "wafv2:GetWebACL", "wafv2:UpdateWebACL", "wafv2:DeleteWebACL",
                     "wafv2:TagResource", "wafv2:UntagResource", "wafv2:ListWebACLs")),
)

TYPES = (WEB_ACL,)
