"""REST APIs: captured from the read calls (resources with methods and integrations,
authorizers, stages with stage variables, deployments); restored in place.

Restore updates what a PATCH can set: the API's name, description, API key source, binary
media types, endpoint type, execute-api switch, resource policy and tags, and each stage
(description, deployment, cache, tracing, access logs, method settings, variables, tags;
a deleted stage is created again on its deployment). It does not rebuild resources, methods,
integrations or authorizers (say so, with what to do), and does not recreate a deleted API: a
new one gets a new id, and the stages' invoke URLs, custom domain mappings and every caller
name the old one.

Stage variable values are secrets (they often carry keys), except names listed in
``[aws.apigateway] keep_variables``: a changed one is written from the sealed value (the
restore client's hook opens it with the identity, or refuses).
"""

from __future__ import annotations

import json
from typing import Any

from ....secrets.fingerprint import is_redacted
from ...restoring import Operation, RestoreContext
from ...spec import Call, Detail, Raw, ResourceType, Restorer
from .common import arn, by, cannot, pointer, policy_json, sealed_refused, shown, tag_ops


def _api(r: Raw) -> dict[str, str]:
    return {"restApiId": r["id"]}


def transform_rest_api(raw: Raw) -> Raw:
    return {
        "id": raw["id"],
        "name": raw.get("name"),
        "description": raw.get("description"),
        "apiKeySource": raw.get("apiKeySource"),
        "binaryMediaTypes": sorted(raw.get("binaryMediaTypes") or []),
        "disableExecuteApiEndpoint": raw.get("disableExecuteApiEndpoint"),
        "endpointConfiguration": raw.get("endpointConfiguration"),
        "policy": policy_json(raw.get("policy")),
        "tags": raw.get("tags") or {},
        "resources": by(raw.get("Resources"), "path"),
        "authorizers": by(raw.get("Authorizers"), "name"),
        "stages": by(raw.get("Stages"), "stageName"),
        "deployments": by(raw.get("Deployments"), "id"),
    }


# -- the API itself --------------------------------------------------------------------------

def _flag(value: Any) -> str:
    return "true" if value else "false"


def transform_api_patch(want: Raw, have: Raw) -> list[tuple[str, list[dict[str, str]]]]:
    """(field, PATCH operations) for each top-level field of the API that differs. Pure."""
    out: list[tuple[str, list[dict[str, str]]]] = []
    for field in ("name", "description", "apiKeySource"):
        if want.get(field) != have.get(field):
            out.append((field, [{"op": "replace", "path": pointer(field), "value": want.get(field) or ""}]))
    if bool(want.get("disableExecuteApiEndpoint")) != bool(have.get("disableExecuteApiEndpoint")):
        out.append(("disableExecuteApiEndpoint", [{"op": "replace", "path": "/disableExecuteApiEndpoint",
                                                    "value": _flag(want.get("disableExecuteApiEndpoint"))}]))
    if want.get("policy") != have.get("policy"):
        policy = want.get("policy")
        text = "" if policy is None else policy if isinstance(policy, str) else json.dumps(policy)
        out.append(("policy", [{"op": "replace", "path": "/policy", "value": text}]))
    w_media, h_media = set(want.get("binaryMediaTypes") or []), set(have.get("binaryMediaTypes") or [])
    media = ([{"op": "add", "path": pointer("binaryMediaTypes", t), "value": t} for t in sorted(w_media - h_media)]
             + [{"op": "remove", "path": pointer("binaryMediaTypes", t), "value": t} for t in sorted(h_media - w_media)])
    if media:
        out.append(("binaryMediaTypes", media))
    w_types = (want.get("endpointConfiguration") or {}).get("types") or []
    h_types = (have.get("endpointConfiguration") or {}).get("types") or []
    if w_types != h_types and len(w_types) == 1 and len(h_types) == 1:
        out.append(("endpointConfiguration.types", [{"op": "replace", "path": pointer("endpointConfiguration", "types",
                                                                                     h_types[0]), "value": w_types[0]}]))
    return out


def _api_ops(ctx: RestoreContext, address: str, api: Any, want: Raw, have: Raw) -> list[Operation]:
    patches = transform_api_patch(want, have)
    ops = [Operation(address, "update", field, f"{shown(have.get(field.split('.')[0]))} -> "
                                               f"{shown(want.get(field.split('.')[0]))}") for field, _ in patches]
    if patches:
        every = [p for _, ps in patches for p in ps]
        ops[0].run = lambda: api.update_rest_api(restApiId=want["id"], patchOperations=every)
    w_end, h_end = want.get("endpointConfiguration") or {}, have.get("endpointConfiguration") or {}
    if not any(f == "endpointConfiguration.types" for f, _ in patches) and w_end != h_end:
        ops.append(cannot(address, "endpointConfiguration", f"{shown(h_end)} -> {shown(w_end)}: change it by hand "
                                                            "(aws apigateway update-rest-api)"))
    ops += tag_ops(ctx, address, api, arn(ctx, address, f"/restapis/{want['id']}"), want.get("tags"), have.get("tags"))
    return ops


# -- stages ----------------------------------------------------------------------------------

STAGE_FIELDS = ("description", "deploymentId", "cacheClusterEnabled", "cacheClusterSize", "tracingEnabled",
                "clientCertificateId", "documentationVersion")
# GetStage's methodSettings names -> the PATCH path segments that set them
METHOD_SETTINGS = {"metricsEnabled": "metrics/enabled", "loggingLevel": "logging/loglevel",
                   "dataTraceEnabled": "logging/dataTrace", "throttlingBurstLimit": "throttling/burstLimit",
                   "throttlingRateLimit": "throttling/rateLimit", "cachingEnabled": "caching/enabled",
                   "cacheTtlInSeconds": "caching/ttlInSeconds", "cacheDataEncrypted": "caching/dataEncrypted",
                   "requireAuthorizationForCacheControl": "caching/requireAuthorizationForCacheControl",
                   "unauthorizedCacheControlHeaderStrategy": "caching/unauthorizedCacheControlHeaderStrategy"}


def _text(value: Any) -> str:
    return _flag(value) if isinstance(value, bool) else "" if value is None else str(value)


def transform_stage_patch(want: Raw, have: Raw, delete: bool) -> tuple[list[tuple[str, str, dict[str, str]]], list[str]]:
    """PATCH operations that make live's stage the snapshot's, each with (target, detail), and
    the targets left as live has them (live-only variables and method settings without
    --delete; fields no PATCH sets). Pure."""
    ops: list[tuple[str, str, dict[str, str]]] = []
    left: list[str] = []
    for field in STAGE_FIELDS:
        w, h = want.get(field), have.get(field)
        if w != h and not (field == "cacheClusterSize" and not want.get("cacheClusterEnabled")):
            ops.append((field, f"{shown(h)} -> {shown(w)}", {"op": "replace", "path": pointer(field), "value": _text(w)}))
    wv, hv = want.get("variables") or {}, have.get("variables") or {}
    for name in sorted(set(wv) | set(hv)):
        if name in wv and wv[name] != hv.get(name):
            detail = "the sealed value" if is_redacted(wv[name]) else f"{shown(hv.get(name))} -> {shown(wv[name])}"
            ops.append((f"variables.{name}", detail, {"op": "replace", "path": pointer("variables", name),
                                                      "value": wv[name]}))
        elif name not in wv and delete:
            ops.append((f"variables.{name}", "removed (--delete)", {"op": "remove", "path": pointer("variables", name)}))
        elif name not in wv:
            left.append(f"variables.{name}")
    wl, hl = want.get("accessLogSettings") or {}, have.get("accessLogSettings") or {}
    if wl != hl:
        if not wl:
            ops.append(("accessLogSettings", "removed", {"op": "remove", "path": "/accessLogSettings"}))
        for key in ("destinationArn", "format"):
            if wl and wl.get(key) != hl.get(key):
                ops.append((f"accessLogSettings.{key}", f"{shown(hl.get(key))} -> {shown(wl.get(key))}",
                            {"op": "replace", "path": pointer("accessLogSettings", key), "value": _text(wl.get(key))}))
    wm, hm = want.get("methodSettings") or {}, have.get("methodSettings") or {}
    for key in sorted(set(wm) | set(hm)):
        if key in wm:
            for setting, value in sorted(wm[key].items()):
                if setting in METHOD_SETTINGS and value != (hm.get(key) or {}).get(setting):
                    ops.append((f"methodSettings.{key}.{setting}", f"{shown((hm.get(key) or {}).get(setting))} -> "
                                f"{shown(value)}", {"op": "replace", "path": f"/{key}/{METHOD_SETTINGS[setting]}",
                                                    "value": _text(value)}))
        elif delete:
            ops.append((f"methodSettings.{key}", "removed (--delete)", {"op": "remove", "path": f"/{key}"}))
        else:
            left.append(f"methodSettings.{key}")
    return ops, left


def _stage_ops(ctx: RestoreContext, address: str, api: Any, api_id: str, want: Raw, have: Raw) -> list[Operation]:
    name = want["stageName"]
    patches, left = transform_stage_patch(want, have, ctx.delete)
    deployments = {d.get("id") for d in (ctx.have(address) or {}).get("deployments") or []}
    ops = []
    for target, detail, patch in patches:
        refused = sealed_refused(ctx, address, f"stages.{name}.{target}", patch.get("value"))
        if refused:
            ops.append(refused)
            continue
        if target == "deploymentId" and want.get("deploymentId") not in deployments:
            ops.append(cannot(address, f"stages.{name}.deploymentId",
                              f"deployment {want.get('deploymentId')} no longer exists: deploy the API to the stage "
                              f"again (aws apigateway create-deployment --rest-api-id {api_id} --stage-name {name})"))
            continue
        ops.append(Operation(address, "update", f"stages.{name}.{target}", detail))
    sent = [p for (target, _, p) in patches if target != "deploymentId" or want.get("deploymentId") in deployments]
    if sent and any(op.verb == "update" for op in ops):
        first = next(op for op in ops if op.verb == "update")
        first.run = lambda: api.update_stage(restApiId=api_id, stageName=name, patchOperations=sent)
    ops += [Operation(address, "kept", f"stages.{name}.{t}", "live only; --delete removes it") for t in left]
    if want.get("webAclArn") != have.get("webAclArn"):
        ops.append(cannot(address, f"stages.{name}.webAclArn", "a web ACL is associated through WAF: "
                                                              "aws wafv2 associate-web-acl"))
    if want.get("canarySettings") != have.get("canarySettings"):
        ops.append(cannot(address, f"stages.{name}.canarySettings", "change the canary by hand"))
    ops += tag_ops(ctx, address, api, arn(ctx, address, f"/restapis/{api_id}/stages/{name}"), want.get("tags"),
                   have.get("tags"), target=f"stages.{name}.tags")
    return ops


def _create_stage(ctx: RestoreContext, address: str, api: Any, api_id: str, want: Raw) -> list[Operation]:
    """A stage deleted live, created again on its deployment, then PATCHed for the settings
    CreateStage does not take (access logs, method settings)."""
    name = want["stageName"]
    deployment = want.get("deploymentId")
    if deployment not in {d.get("id") for d in (ctx.have(address) or {}).get("deployments") or []}:
        return [cannot(address, f"stages.{name}", f"deleted, and its deployment {deployment} is gone too: deploy "
                                                  f"the API again (aws apigateway create-deployment --rest-api-id "
                                                  f"{api_id} --stage-name {name})")]
    params: dict[str, Any] = {"restApiId": api_id, "stageName": name, "deploymentId": deployment}
    for field in ("description", "cacheClusterEnabled", "cacheClusterSize", "tracingEnabled", "tags",
                  "documentationVersion"):
        if want.get(field) not in (None, "", {}) and (field != "cacheClusterSize" or want.get("cacheClusterEnabled")):
            params[field] = want[field]
    refused = [op for op in (sealed_refused(ctx, address, f"stages.{name}.variables.{k}", v)
                             for k, v in sorted((want.get("variables") or {}).items())) if op]
    if refused:
        return refused
    if want.get("variables"):
        params["variables"] = want["variables"]  # sealed values are opened by the client's hook
    later, _ = transform_stage_patch({k: v for k, v in want.items() if k in ("accessLogSettings", "methodSettings")},
                                     {}, False)

    def create() -> None:
        api.create_stage(**params)
        if later:
            api.update_stage(restApiId=api_id, stageName=name, patchOperations=[p for _, _, p in later])

    return [Operation(address, "create", f"stages.{name}", f"on deployment {deployment}", run=create)]


def _stages(ctx: RestoreContext, address: str, api: Any, want: Raw, have: Raw) -> list[Operation]:
    api_id = want["id"]
    w = {s["stageName"]: s for s in want.get("stages") or []}
    h = {s["stageName"]: s for s in have.get("stages") or []}
    ops: list[Operation] = []
    for name in sorted(set(w) | set(h)):
        if name in w and name in h:
            if w[name] != h[name]:
                ops += _stage_ops(ctx, address, api, api_id, w[name], h[name])
        elif name in w:
            ops += _create_stage(ctx, address, api, api_id, w[name])
        elif ctx.delete:
            ops.append(Operation(address, "delete", f"stages.{name}", "live only (--delete)",
                                 run=lambda n=name: api.delete_stage(restApiId=api_id, stageName=n)))
        else:
            ops.append(Operation(address, "kept", f"stages.{name}", "live only; --delete removes it"))
    return ops


# -- what is not rebuilt ---------------------------------------------------------------------

def _deployments(ctx: RestoreContext, address: str, api: Any, want: Raw, have: Raw) -> list[Operation]:
    """Deployments are API Gateway's snapshots of the API: one deleted since cannot be made again
    under its id; one made since is kept, or deleted with --delete (after the stages moved back
    to the snapshot's deployments and the live-only stages were deleted: those come first)."""
    api_id = want["id"]
    w = {d["id"]: d for d in want.get("deployments") or []}
    h = {d["id"]: d for d in have.get("deployments") or []}
    ops: list[Operation] = []
    for dep in sorted(set(w) | set(h)):
        if dep in w and dep not in h:
            ops.append(cannot(address, f"deployments.{dep}", "deleted since the snapshot; a deployment cannot be made "
                                                             "again under its id: deploy the API again (aws apigateway "
                                                             f"create-deployment --rest-api-id {api_id})"))
        elif dep in h and dep not in w and ctx.delete:
            ops.append(Operation(address, "delete", f"deployments.{dep}", "live only (--delete)",
                                 run=lambda d=dep: api.delete_deployment(restApiId=api_id, deploymentId=d)))
        elif dep in h and dep not in w:
            ops.append(Operation(address, "kept", f"deployments.{dep}", "live only; --delete removes it"))
        elif w[dep] != h[dep]:
            ops.append(cannot(address, f"deployments.{dep}", "differs; change its description by hand"))
    return ops


def _not_rebuilt(address: str, want: Raw, have: Raw) -> list[Operation]:
    why = {"resources": "the API's resources, methods or integrations differ; gitsnap does not rebuild them: "
                        "change them by hand (or import the API's definition), then deploy",
           "authorizers": "the API's authorizers differ; change them by hand, then deploy"}
    return [cannot(address, part, text) for part, text in why.items() if want.get(part) != have.get(part)]


def plan_update(ctx: RestoreContext, address: str) -> list[Operation]:
    """The API, its stages and deployments back as the snapshot has them (in that order: a
    stage moves back to its deployment before a deployment made since is deleted)."""
    want, have = ctx.want(address), ctx.have(address)
    api = ctx.client("apigateway", address)
    return (_api_ops(ctx, address, api, want, have) + _stages(ctx, address, api, want, have)
            + _deployments(ctx, address, api, want, have) + _not_rebuilt(address, want, have))


def plan_delete(ctx: RestoreContext, address: str) -> list[Operation]:
    have = ctx.have(address)
    api = ctx.client("apigateway", address)
    return [Operation(address, "delete", address, f"REST API {have.get('name')} (live only, --delete)",
                      run=lambda: api.delete_rest_api(restApiId=have["id"]))]


REST_API = ResourceType(
    service="apigateway", type="rest-api", scope="regional", client="apigateway",
    list=Call("get_rest_apis", result="items", paginate=True),
    id=lambda r: r["id"],
    details=(
        Detail("Resources", Call("get_resources", params=lambda r: {**_api(r), "embed": ["methods"]},
                                 result="items", paginate=True)),
        Detail("Authorizers", Call("get_authorizers", params=_api, result="items", paginate=True)),
        Detail("Stages", Call("get_stages", params=_api, result="item")),
        Detail("Deployments", Call("get_deployments", params=_api, result="items", paginate=True)),
    ),
    transform=transform_rest_api,
    volatile=("createdDate", "stages.*.createdDate", "stages.*.lastUpdatedDate", "deployments.*.createdDate"),
    status=("stages.*.cacheClusterStatus",),
    secrets=("**.variables.*",),
    keep_names="apigateway_keep_variables",
    schema="aws.apigateway.rest-api",
    permissions=("apigateway:GET",),
    restore=Restorer(
        update=plan_update, delete=plan_delete, rank=45,
        # API Gateway authorizes by HTTP method: PATCH (update), POST (create stage, tags),
        # PUT (tags), DELETE (stage, deployment, API, untag)
        permissions=("apigateway:PATCH", "apigateway:POST", "apigateway:PUT", "apigateway:DELETE"),
        cannot_create=("a REST API cannot be recreated under its id: a new one gets a new id, and its invoke URLs, "
                       "custom domain mappings and callers name the old one. Recreate it from its definition "
                       "(aws apigateway import-rest-api), then point the domain mappings and callers at the new id"),
    ),
)
