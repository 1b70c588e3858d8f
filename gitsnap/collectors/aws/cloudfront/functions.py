"""CloudFront Functions: configuration (runtime, comment, KeyValueStore associations), tags, and
the code, stored as ``code.js`` beside ``function.json`` so that ``git log -p`` shows code
changes line by line (the file passes the secret guard like any other: flagged, it is sealed).

Stages: a function has a DEVELOPMENT stage (what UpdateFunction writes and TestFunction runs)
and, once published, a LIVE one (what distributions run). The snapshot records the LIVE stage
(``"Stage": "LIVE"``); a function never published is recorded from DEVELOPMENT
(``"Stage": "DEVELOPMENT"``). Edits made in DEVELOPMENT and not published are not captured,
and a restore overwrites them (UpdateFunction, then PublishFunction).
"""

from __future__ import annotations

import hashlib
from typing import Any

from ...context import UnitContext
from ...restoring import (
    IDENTITY_HINT,
    NEEDS_IDENTITY,
    Operation,
    RestoreContext,
    RestoreError,
    Unrestorable,
)
from ...run import call
from ...spec import Call, Detail, Extras, Raw, ResourceType, Restorer
from ..shapes import tag_map
from . import kvs, relink
from .common import config_ops, guarded, list_all, plan_tags, shown, tag_items
from .references import references, substitute

CODE_FILE = "code.js"
LIVE, DEVELOPMENT = "LIVE", "DEVELOPMENT"


def enumerate_functions(ctx: UnitContext) -> list[Raw]:
    """Each function once (the listing has an entry per stage), with its ARN."""
    found: dict[str, Raw] = {}
    for item in list_all(ctx, FUNCTION, "list_functions", "FunctionList"):
        found.setdefault(item["Name"], {"Name": item["Name"],
                                        "FunctionARN": (item.get("FunctionMetadata") or {}).get("FunctionARN")})
    return [found[name] for name in sorted(found)]


def _stage(raw: Raw) -> str:
    return LIVE if raw.get("Live") else DEVELOPMENT


def get_code(ctx: UnitContext, raw: Raw) -> bytes:
    """The code of the stage the snapshot records (LIVE once published)."""
    got = call(ctx, FUNCTION, Call("get_function", params=lambda r: {"Name": r["Name"], "Stage": _stage(r)},
                                   required=("FunctionCode",)), raw, f"cloudfront/function/{raw['Name']}")
    body = got["FunctionCode"]
    return body.read() if hasattr(body, "read") else bytes(body)


def get_store_names(ctx: UnitContext, raw: Raw) -> dict[str, Any]:
    """ARN -> name of the KeyValueStores, when the function uses any."""
    summary = (raw.get("Live") or raw.get("Development") or {}).get("FunctionSummary") or {}
    if not ((summary.get("FunctionConfig") or {}).get("KeyValueStoreAssociations") or {}).get("Items"):
        return {}
    return {"key-value-store": {arn: {"name": name} for arn, name in kvs.names(ctx).items()}}


def transform_function(raw: Raw) -> Raw:
    summary = (raw.get("Live") or raw.get("Development") or {}).get("FunctionSummary") or {}
    meta = summary.get("FunctionMetadata") or {}
    config = summary.get("FunctionConfig") or {}
    code = raw.get("Code") or b""
    return {
        "Name": raw["Name"],
        "Stage": meta.get("Stage") or _stage(raw),
        "Status": summary.get("Status"),
        "FunctionARN": meta.get("FunctionARN") or raw.get("FunctionARN"),
        "FunctionConfig": config,
        "Code": {"File": CODE_FILE, "Sha256": hashlib.sha256(code).hexdigest(), "Size": len(code)},
        "Tags": tag_map((raw.get("Tags") or {}).get("Items")),
        "References": references(config, "FunctionConfig", raw.get("StoreNames") or {}),
    }


def code_file(ctx: UnitContext, raw: Raw, doc: Raw, rid: str) -> Extras:
    return Extras(files={CODE_FILE: raw.get("Code") or b""})


# -- restore ---------------------------------------------------------------------------------

def _sealed(ctx: RestoreContext, address: str) -> bool:
    return ctx.reveal is not None and CODE_FILE in ctx.reveal.sealed_files(address)


def snapshot_code(ctx: RestoreContext, address: str, want: Raw) -> bytes:
    """The code as captured (the sealed original, with the identity), checked against its sha256."""
    if ctx.reveal is not None:
        data = ctx.reveal.file(address, CODE_FILE)
    else:
        blob = ctx.snapshot.resource_files(address).get(CODE_FILE)
        data = ctx.snapshot.read(blob) if blob else None
    if data is None or hashlib.sha256(data).hexdigest() != want["Code"]["Sha256"]:
        raise RestoreError(f"{address}: {CODE_FILE} is missing from the snapshot or does not hash to its "
                           "Code.Sha256: run 'gitsnap verify'")
    return data


def _config(ctx: RestoreContext, address: str, want: Raw, known: dict[str, str]) -> dict[str, Any]:
    refs = want.get("References") or []
    return substitute(want["FunctionConfig"], {**known, **relink.at_apply(ctx, address, refs)})


def _code_line(ctx: RestoreContext, address: str, want: Raw, verb: str) -> Operation:
    code = want["Code"]
    if _sealed(ctx, address) and not ctx.reveal.available:
        return Operation(address, NEEDS_IDENTITY, CODE_FILE, f"the code is sealed; {IDENTITY_HINT}")
    return Operation(address, verb, CODE_FILE, f"sha256 {code['Sha256'][:12]} ({code['Size']} B)")


def plan_create(ctx: RestoreContext, address: str) -> list[Operation]:
    want = ctx.want(address)
    cf = ctx.client("cloudfront", address)
    name = want["Name"]
    line = _code_line(ctx, address, want, "create")
    if line.verb == NEEDS_IDENTITY:
        return [line]

    def run() -> None:
        made = cf.create_function(Name=name, FunctionConfig=_config(ctx, address, want, {}),
                                  FunctionCode=snapshot_code(ctx, address, want), Tags=tag_items(want.get("Tags")))
        if want["Stage"] == LIVE:
            cf.publish_function(Name=name, IfMatch=made["ETag"])

    line.target, line.run = address, run
    line.detail = f"{line.detail}, {'published to LIVE' if want['Stage'] == LIVE else 'not published (DEVELOPMENT)'}"
    return [line]


def plan_update(ctx: RestoreContext, address: str) -> list[Operation]:
    """UpdateFunction (code and configuration, with the DEVELOPMENT stage's ETag), then
    PublishFunction (with the ETag the update returned) when the snapshot's is LIVE."""
    want, have = ctx.want(address), ctx.have(address)
    if want["Stage"] == DEVELOPMENT and have.get("Stage") == LIVE:
        raise Unrestorable(Operation(address, "cannot-restore", "Stage",
                                     "published since the snapshot; a function cannot be unpublished"))
    cf = ctx.client("cloudfront", address)
    name = want["Name"]
    known = relink.planned(ctx, want.get("References") or [])
    same_code = want["Code"]["Sha256"] == (have.get("Code") or {}).get("Sha256")

    def code_now() -> bytes:
        if same_code:  # live has it: no need to open a sealed copy
            got = cf.get_function(Name=name, Stage=have.get("Stage") or DEVELOPMENT)["FunctionCode"]
            data = got.read() if hasattr(got, "read") else bytes(got)
            if hashlib.sha256(data).hexdigest() == want["Code"]["Sha256"]:
                return data
        return snapshot_code(ctx, address, want)

    def run() -> None:
        etag = cf.describe_function(Name=name, Stage=DEVELOPMENT)["ETag"]
        done = guarded(address, cf.update_function, Name=name, IfMatch=etag, FunctionCode=code_now(),
                       FunctionConfig=_config(ctx, address, want, known))
        if want["Stage"] == LIVE:
            guarded(address, cf.publish_function, Name=name, IfMatch=done["ETag"])

    ops: list[Operation] = []
    if not same_code:
        ops.append(_code_line(ctx, address, want, "update-code"))
    ops += config_ops(ctx, address, "FunctionConfig", have.get("FunctionConfig"),
                      substitute(want["FunctionConfig"], known), run)
    if want["Stage"] == LIVE and have.get("Stage") != LIVE:
        ops.append(Operation(address, "publish", "Stage", f"{shown(have.get('Stage'))} -> \"LIVE\""))
    writes = [op for op in ops if op.verb in ("update-code", "update", "publish")]
    for op in writes:  # one UpdateFunction (and PublishFunction) writes them all
        op.run = None
    if writes and not any(op.verb == NEEDS_IDENTITY for op in ops):  # the code cannot be sent without it
        writes[0].run = run
    ops += plan_tags(ctx, address, want["FunctionARN"], want.get("Tags"), have.get("Tags"), cf)
    return ops


def plan_delete(ctx: RestoreContext, address: str) -> list[Operation]:
    have = ctx.have(address)
    cf = ctx.client("cloudfront", address)

    def run() -> None:
        etag = cf.describe_function(Name=have["Name"], Stage=DEVELOPMENT)["ETag"]
        guarded(address, cf.delete_function, Name=have["Name"], IfMatch=etag)

    return [Operation(address, "delete", address, "live only (CloudFront refuses while a distribution uses it)",
                      run=run)]


def _name(r: Raw) -> dict[str, str]:
    return {"Name": r["Name"]}


FUNCTION = ResourceType(
    service="cloudfront", type="function", scope="global", client="cloudfront", primary=False,
    enumerate=enumerate_functions,
    id=lambda r: r["Name"],
    details=(
        Detail("Development", Call("describe_function", params=lambda r: {**_name(r), "Stage": DEVELOPMENT},
                                   identity=True, required=("FunctionSummary",))),
        Detail("Live", Call("describe_function", params=lambda r: {**_name(r), "Stage": LIVE},
                            absent=("NoSuchFunctionExists",), required=("FunctionSummary",))),
        Detail("Tags", Call("list_tags_for_resource", params=lambda r: {"Resource": r["FunctionARN"]}, result="Tags")),
        Detail("Code", fetch=get_code),
        Detail("StoreNames", fetch=get_store_names),
    ),
    transform=transform_function,
    status=("Status",),  # UNPUBLISHED, UNASSOCIATED, DEPLOYED: moves as distributions use it
    schema="aws.cloudfront.function",
    document="function.json",
    extras=code_file,
    permissions=("cloudfront:ListFunctions", "cloudfront:DescribeFunction", "cloudfront:GetFunction",
                 "cloudfront:ListTagsForResource", "cloudfront:ListKeyValueStores"),
    restore=Restorer(
        create=plan_create, update=plan_update, delete=plan_delete, rank=45,
        permissions=("cloudfront:CreateFunction", "cloudfront:DescribeFunction", "cloudfront:GetFunction",
                     "cloudfront:UpdateFunction", "cloudfront:PublishFunction", "cloudfront:DeleteFunction",
                     "cloudfront:TagResource", "cloudfront:UntagResource", "cloudfront:ListKeyValueStores")),
)

TYPES = (FUNCTION,)
