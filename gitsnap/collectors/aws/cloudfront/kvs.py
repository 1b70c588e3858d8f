"""CloudFront KeyValueStores: name, comment and tags. Not their keys and values.

The data lives behind another API (``cloudfront-keyvaluestore``: ListKeys, GetKey) that AWS
signs only with SigV4A, which botocore can do only with the ``awscrt`` package installed
(``botocore[crt]``, a native dependency gitsnap does not take on). So a snapshot records the
store, not what is in it; a recreated store is empty, and the plan says so. See
docs/services/cloudfront.md.
"""

from __future__ import annotations

from typing import Any

from ...context import UnitContext
from ...restoring import Operation, RestoreContext
from ...spec import Call, Detail, Raw, ResourceType, Restorer
from ..shapes import tag_map
from .common import client_pages, guarded, list_all, plan_tags, shown, tag_items, unit_memo


def listed(ctx: UnitContext) -> list[Raw]:
    """Every store of the account, listed once per capture unit (functions need the names too)."""
    return unit_memo(ctx, "key-value-store", lambda: list_all(ctx, KEY_VALUE_STORE, "list_key_value_stores",
                                                              "KeyValueStoreList"))


def names(ctx: UnitContext) -> dict[str, str]:
    """ARN -> name of every store (for the functions' references)."""
    return {s["ARN"]: s["Name"] for s in listed(ctx) if s.get("ARN")}


def transform_store(raw: Raw) -> Raw:
    store = raw.get("Store") or raw  # DescribeKeyValueStore's answer; the listed fields are the same
    return {"Name": store["Name"], "Comment": store.get("Comment") or "", "Id": store.get("Id"),
            "ARN": store.get("ARN"), "Status": store.get("Status"), "Tags": tag_map((raw.get("Tags") or {}).get("Items"))}


# -- restore ---------------------------------------------------------------------------------

def live_arns(client: Any) -> dict[str, str]:
    """Name -> ARN of the stores live has now (restore: a recreated store has a new ARN)."""
    return {s["Name"]: s["ARN"] for s in client_pages(client, "list_key_value_stores", "KeyValueStoreList")}


def plan_create(ctx: RestoreContext, address: str) -> list[Operation]:
    want = ctx.want(address)
    cf = ctx.client("cloudfront", address)

    def run() -> None:
        cf.create_key_value_store(Name=want["Name"], Comment=want.get("Comment") or "", Tags=tag_items(want.get("Tags")))

    return [Operation(address, "create", address,
                      f"store {shown(want['Name'])}, empty: its keys and values are not in the snapshot "
                      "(gitsnap does not capture them); put them back from their source", run=run)]


def plan_update(ctx: RestoreContext, address: str) -> list[Operation]:
    want, have = ctx.want(address), ctx.have(address)
    cf = ctx.client("cloudfront", address)
    name = want["Name"]
    ops: list[Operation] = []
    if (want.get("Comment") or "") != (have.get("Comment") or ""):
        def run() -> None:
            etag = cf.describe_key_value_store(Name=name)["ETag"]
            guarded(address, cf.update_key_value_store, Name=name, Comment=want.get("Comment") or "", IfMatch=etag)

        ops.append(Operation(address, "update", "Comment", f"{shown(have.get('Comment'))} -> {shown(want.get('Comment'))}",
                             run=run))
    arn = (have.get("status") or {}).get("ARN") or have.get("ARN")
    ops += plan_tags(ctx, address, arn, want.get("Tags"), have.get("Tags"), cf)
    return ops


def plan_delete(ctx: RestoreContext, address: str) -> list[Operation]:
    have = ctx.have(address)
    cf = ctx.client("cloudfront", address)

    def run() -> None:
        etag = cf.describe_key_value_store(Name=have["Name"])["ETag"]
        guarded(address, cf.delete_key_value_store, Name=have["Name"], IfMatch=etag)

    return [Operation(address, "delete", address, "live only, with whatever keys it holds", run=run)]


KEY_VALUE_STORE = ResourceType(
    service="cloudfront", type="key-value-store", scope="global", client="cloudfront", primary=False,
    enumerate=listed,
    id=lambda r: r["Name"],
    details=(
        Detail("Store", Call("describe_key_value_store", params=lambda r: {"Name": r["Name"]}, result="KeyValueStore",
                             identity=True, required=("KeyValueStore",))),
        Detail("Tags", Call("list_tags_for_resource", params=lambda r: {"Resource": r["ARN"]}, result="Tags")),
    ),
    transform=transform_store,
    volatile=("LastModifiedTime",),
    # assigned by CloudFront (a recreated store has another id and ARN); READY, PROVISIONING
    status=("Id", "ARN", "Status"),
    schema="aws.cloudfront.key-value-store",
    permissions=("cloudfront:ListKeyValueStores", "cloudfront:DescribeKeyValueStore", "cloudfront:ListTagsForResource"),
    restore=Restorer(
        create=plan_create, update=plan_update, delete=plan_delete, rank=45,
        permissions=("cloudfront:CreateKeyValueStore", "cloudfront:DescribeKeyValueStore",
                     "cloudfront:UpdateKeyValueStore", "cloudfront:DeleteKeyValueStore",
                     "cloudfront:TagResource", "cloudfront:UntagResource")),
)

TYPES = (KEY_VALUE_STORE,)
