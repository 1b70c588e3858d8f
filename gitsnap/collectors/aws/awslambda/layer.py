"""Lambda layers: every version of a layer in one document (``lambda/layer/NAME``), each with
its description, license, compatible runtimes and architectures, its permissions policy and its
content, a zip kept as a blob (checked against ``Content.CodeSize`` and ``CodeSha256`` before it
is stored, sealed whole if any member holds a secret; not extracted: layers are dependencies).

A layer is its versions: when ListLayerVersions answers none, the layer is gone.
"""

from __future__ import annotations

import json
from typing import Any

from ....layout import segment
from ...context import UnitContext
from ...errors import CollectorError, VanishedError
from ...run import call
from ...spec import Call, Detail, Extras, Raw, ResourceType, Restorer
from . import layer_restore
from .package import Download, fetch_package, reusable

NOT_FOUND = ("ResourceNotFoundException",)
VERSION_FIELDS = ("Version", "LayerVersionArn", "Description", "CompatibleRuntimes", "CompatibleArchitectures",
                  "LicenseInfo")


def _name(r: Raw) -> dict[str, Any]:
    return {"LayerName": r["LayerName"]}


def _version(ctx: UnitContext, raw: Raw, number: int) -> Any:
    what = f"lambda/layer/{raw['LayerName']}"

    def params(r: Raw) -> dict[str, Any]:
        return {**_name(r), "VersionNumber": number}

    got = call(ctx, LAYER, Call("get_layer_version", params=params, required=("Content", "LayerVersionArn")), raw, what)
    policy = call(ctx, LAYER, Call("get_layer_version_policy", params=params, result="Policy", absent=NOT_FOUND,
                                   required=("Policy",), documents=("Policy",)), raw, what)
    return {**got, "Policy": policy}


def fetch_versions(ctx: UnitContext, raw: Raw) -> Any:
    """Each listed version in full (GetLayerVersion: its content's size and sha256, and a
    pre-signed Location) with its permissions policy, oldest first."""
    listed = sorted(v["Version"] for v in raw.get("Listed") or [])
    if not listed:
        raise VanishedError(f"lambda/layer/{raw['LayerName']}: it has no versions left", of_resource=True)
    return [_version(ctx, raw, n) for n in listed]


def transform_layer(raw: Raw) -> Raw:
    versions = []
    for v in raw.get("Versions") or []:
        out = {k: v[k] for k in VERSION_FIELDS if v.get(k) is not None}
        content = v.get("Content") or {}
        out["Content"] = {k: content[k] for k in ("CodeSha256", "CodeSize", "SigningProfileVersionArn",
                                                   "SigningJobArn") if content.get(k)}
        out["Policy"] = v.get("Policy")
        versions.append(out)
    return {"LayerName": raw["LayerName"], "LayerArn": raw.get("LayerArn"),
            "Versions": sorted(versions, key=lambda v: v["Version"])}


def _previous(ctx: UnitContext, rid: str) -> dict[int, dict[str, Any]]:
    prev = ctx.previous(f"{ctx.unit_path}/layer/{segment(rid)}/layer.json")
    if prev is None:
        return {}
    return {v["Version"]: v for v in json.loads(prev).get("Versions") or []}


def fresh_location(ctx: UnitContext, raw: Raw, version: Raw) -> str | None:
    """A new pre-signed Content.Location for the same version (its content cannot change)."""
    got = _version(ctx, raw, version["Version"])
    now = (got.get("Content") or {}).get("CodeSha256")
    if now != version["Content"].get("CodeSha256"):
        raise CollectorError(f"lambda/layer/{raw['LayerName']}: version {version['Version']} changed while it "
                             "was being captured; capture again")
    return (got.get("Content") or {}).get("Location")


def capture_content(ctx: UnitContext, raw: Raw, doc: Raw, rid: str) -> Extras:
    """Each version's content as a blob: reused from the previous snapshot when that version's
    CodeSha256 is unchanged and its blob is sound, else downloaded and checked."""
    previous = _previous(ctx, rid)
    locations = {v["Version"]: (v.get("Content") or {}).get("Location") for v in raw.get("Versions") or []}
    versions, blobs = [], set()
    for version in doc["Versions"]:
        prev = previous.get(version["Version"]) or {}
        code = prev.get("Code") or {}
        if (prev.get("Content") or {}).get("CodeSha256") == version["Content"].get("CodeSha256") and reusable(ctx, code):
            ctx.counters.add(reused_blobs=1)
        else:
            d = Download(f"lambda/layer/{rid} version {version['Version']}", version["Content"],
                         locations.get(version["Version"]), lambda v=version: fresh_location(ctx, raw, v),
                         field="Content.Location")
            code, _files, _skipped = fetch_package(ctx, d)
        if code.get("blob"):
            blobs.add(code["blob"])
        versions.append({**version, "Code": code})
    return Extras(blobs=blobs, doc_updates={"Versions": versions})


LAYER = ResourceType(
    service="lambda",
    type="layer",
    scope="regional",
    client="lambda",
    primary=False,
    list=Call("list_layers", result="Layers", paginate=True),
    id=lambda r: r["LayerName"],
    details=(
        Detail("Listed", Call("list_layer_versions", params=_name, result="LayerVersions", paginate=True,
                              identity=True)),
        Detail("Versions", fetch=fetch_versions),
    ),
    transform=transform_layer,
    volatile=("Versions.*.CreatedDate",),
    unordered=("Versions.*.CompatibleRuntimes", "Versions.*.CompatibleArchitectures"),
    schema="aws.lambda.layer",
    document="layer.json",
    extras=capture_content,
    permissions=("lambda:ListLayers", "lambda:ListLayerVersions", "lambda:GetLayerVersion",
                 "lambda:GetLayerVersionPolicy"),
    restore=Restorer(
        update=layer_restore.plan_layer,
        create=layer_restore.plan_layer,
        delete=layer_restore.plan_delete,
        rank=35,
        permissions=layer_restore.PERMISSIONS,
    ),
)
