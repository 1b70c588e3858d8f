"""HTTP and WebSocket APIs (apigatewayv2): captured with routes, integrations and stages; restored
in place.

Restore sets the API's own fields (UpdateApi; a removed CORS configuration with
DeleteCorsConfiguration), its tags, each stage (UpdateStage; a deleted stage is created again;
one made since is kept, or deleted with --delete), and each route and integration that still
exists under its id (UpdateRoute, UpdateIntegration). A deleted route or integration, or a
deleted API, is not recreated: it would get a new id (the API's invoke URL contains it), so the
plan says ``cannot-restore`` with what to do.

Stage variables are secrets, except names in ``[aws.apigateway] keep_variables``. UpdateStage
takes the whole map: an unchanged secret is sent as live has it (read at apply time), a changed
one from its sealed value (the restore client's hook opens it with the identity, or refuses).
"""

from __future__ import annotations

from typing import Any

from ....secrets.fingerprint import is_redacted
from ...restoring import Operation, RestoreContext
from ...spec import Call, Detail, Raw, ResourceType, Restorer
from .common import arn, by, cannot, sealed_refused, settable, shown, tag_ops

PARTS = ("Routes", "Integrations", "Stages")


def _v2(r: Raw) -> dict[str, str]:
    return {"ApiId": r["ApiId"]}


def transform_http_api(r: Raw) -> Raw:
    return {**{k: v for k, v in r.items() if k not in PARTS},
            "Routes": by(r.get("Routes"), "RouteKey"),
            "Integrations": by(r.get("Integrations"), "IntegrationId"),
            "Stages": by(r.get("Stages"), "StageName")}


def _api_ops(ctx: RestoreContext, address: str, v2: Any, want: Raw, have: Raw) -> list[Operation]:
    api_id = want["ApiId"]
    members = v2.meta.service_model.operation_model("UpdateApi").input_shape.members
    fields: dict[str, Any] = {}
    ops: list[Operation] = []
    for field in sorted(set(want) | set(have)):
        if field in PARTS or field in ("ApiId", "Tags") or want.get(field) == have.get(field):
            continue
        w = want.get(field)
        if field == "CorsConfiguration" and w is None:
            ops.append(Operation(address, "update", field, "removed",
                                 run=lambda: v2.delete_cors_configuration(ApiId=api_id)))
        elif field in members and (w is not None or members[field].type_name == "string"):
            fields[field] = "" if w is None else w
            ops.append(Operation(address, "update", field, f"{shown(have.get(field))} -> {shown(w)}"))
        else:
            ops.append(cannot(address, field, "set by API Gateway, or not changeable in place: change it by hand"))
    if fields:
        first = next(op for op in ops if op.target in fields)
        first.run = lambda: v2.update_api(ApiId=api_id, **fields)
    return ops + tag_ops(ctx, address, v2, arn(ctx, address, f"/apis/{api_id}"), want.get("Tags"), have.get("Tags"),
                         target="Tags", v2=True)


def _variables(want: dict[str, str], have: dict[str, str], live: dict[str, str], delete: bool) -> dict[str, str]:
    """The stage variables to send: the snapshot's, an unchanged secret as live has it (its
    fingerprint matches live's), a live-only one kept unless --delete. Pure."""
    out = {k: (live[k] if is_redacted(v) and have.get(k) == v and k in live else v) for k, v in want.items()}
    if not delete:
        out.update({k: v for k, v in live.items() if k not in want})
    return out


def _stage_update(ctx: RestoreContext, address: str, v2: Any, api_id: str, want: Raw, have: Raw) -> list[Operation]:
    name = want["StageName"]
    members = v2.meta.service_model.operation_model("UpdateStage").input_shape.members
    ops: list[Operation] = []
    fields: dict[str, Any] = {}
    for field in sorted(set(want) | set(have)):
        w, h = want.get(field), have.get(field)
        if field in ("StageName", "Tags", "StageVariables") or w == h:
            continue
        if field == "DeploymentId" and want.get("AutoDeploy"):
            continue  # API Gateway moves it on every automatic deployment (and refuses to set it)
        if field in members and w is not None:
            fields[field] = w
            ops.append(Operation(address, "update", f"Stages.{name}.{field}", f"{shown(h)} -> {shown(w)}"))
        else:
            ops.append(cannot(address, f"Stages.{name}.{field}", "not changeable through UpdateStage: by hand"))
    wv, hv = want.get("StageVariables") or {}, have.get("StageVariables") or {}
    changed = False
    for var in sorted(set(wv) | set(hv)):
        if wv.get(var) == hv.get(var):
            continue
        target = f"Stages.{name}.StageVariables.{var}"
        if var not in wv and not ctx.delete:
            ops.append(Operation(address, "kept", target, "live only; --delete removes it"))
            continue
        refused = sealed_refused(ctx, address, target, wv.get(var))
        if refused:
            ops.append(refused)
            continue
        changed = True
        detail = ("removed (--delete)" if var not in wv else "the sealed value" if is_redacted(wv[var])
                  else f"{shown(hv.get(var))} -> {shown(wv[var])}")
        ops.append(Operation(address, "update", target, detail))

    def update() -> None:
        params = dict(fields)
        if changed:
            live = v2.get_stage(ApiId=api_id, StageName=name).get("StageVariables") or {}
            params["StageVariables"] = _variables(wv, hv, live, ctx.delete)
        v2.update_stage(ApiId=api_id, StageName=name, **params)

    first = next((op for op in ops if op.verb == "update"), None)
    if first is not None:
        first.run = update
    return ops + tag_ops(ctx, address, v2, arn(ctx, address, f"/apis/{api_id}/stages/{name}"), want.get("Tags"),
                         have.get("Tags"), target=f"Stages.{name}.Tags", v2=True)


def _stages(ctx: RestoreContext, address: str, v2: Any, want: Raw, have: Raw) -> list[Operation]:
    api_id = want["ApiId"]
    w = {s["StageName"]: s for s in want.get("Stages") or []}
    h = {s["StageName"]: s for s in have.get("Stages") or []}
    ops: list[Operation] = []
    for name in sorted(set(w) | set(h)):
        if name in w and name in h and w[name] != h[name]:
            ops += _stage_update(ctx, address, v2, api_id, w[name], h[name])
        elif name in w and name not in h:
            refused = [op for op in (sealed_refused(ctx, address, f"Stages.{name}.StageVariables.{k}", v)
                                     for k, v in sorted((w[name].get("StageVariables") or {}).items())) if op]
            if refused:
                ops += refused
                continue
            params = settable(v2, "CreateStage", w[name], skip=("ApiId",) + (("DeploymentId",) if w[name].get(
                "AutoDeploy") else ()))
            ops.append(Operation(address, "create", f"Stages.{name}", f"deployment {w[name].get('DeploymentId')}"
                                 if "DeploymentId" in params else "", run=lambda p=params: v2.create_stage(
                                     ApiId=api_id, **p)))
        elif name in h and name not in w:
            ops.append(Operation(address, "delete", f"Stages.{name}", "live only (--delete)",
                                 run=lambda n=name: v2.delete_stage(ApiId=api_id, StageName=n))
                       if ctx.delete else Operation(address, "kept", f"Stages.{name}", "live only; --delete removes it"))
    return ops


def _items(ctx: RestoreContext, address: str, v2: Any, want: Raw, have: Raw, part: str) -> list[Operation]:
    """Routes or integrations, by id: updated where both sides have one; a deleted one cannot be
    recreated under its id; one made since is kept, or deleted with --delete."""
    api_id = want["ApiId"]
    key, noun = ("RouteId", "Route") if part == "Routes" else ("IntegrationId", "Integration")
    w = {i[key]: i for i in want.get(part) or []}
    h = {i[key]: i for i in have.get(part) or []}
    ops: list[Operation] = []
    for item in sorted(set(w) | set(h)):
        target = f"{part}.{item}"
        if item in w and item in h and w[item] != h[item]:
            params = settable(v2, f"Update{noun}", w[item], skip=("ApiId", key))
            ops.append(Operation(address, "update", target, w[item].get("RouteKey") or w[item].get("IntegrationUri") or "",
                                 run=lambda i=item, p=params: getattr(v2, f"update_{noun.lower()}")(
                                     ApiId=api_id, **{key: i}, **p)))
        elif item in w and item not in h:
            ops.append(cannot(address, target, f"deleted since the snapshot; recreated it would get a new id: create "
                                               f"it by hand (aws apigatewayv2 create-{noun.lower()}), then update "
                                               "what refers to it"))
        elif item not in w and ctx.delete:
            ops.append(Operation(address, "delete", target, "live only (--delete)",
                                 run=lambda i=item: getattr(v2, f"delete_{noun.lower()}")(ApiId=api_id, **{key: i})))
        elif item not in w:
            ops.append(Operation(address, "kept", target, "live only; --delete removes it"))
    return ops


def plan_update(ctx: RestoreContext, address: str) -> list[Operation]:
    """Integrations before the routes that target them, both before the stages that deploy them."""
    want, have = ctx.want(address), ctx.have(address)
    v2 = ctx.client("apigatewayv2", address)
    return (_api_ops(ctx, address, v2, want, have) + _items(ctx, address, v2, want, have, "Integrations")
            + _items(ctx, address, v2, want, have, "Routes") + _stages(ctx, address, v2, want, have))


def plan_delete(ctx: RestoreContext, address: str) -> list[Operation]:
    have = ctx.have(address)
    v2 = ctx.client("apigatewayv2", address)
    return [Operation(address, "delete", address, f"{have.get('ProtocolType')} API {have.get('Name')} "
                                                  "(live only, --delete)", run=lambda: v2.delete_api(ApiId=have["ApiId"]))]


HTTP_API = ResourceType(
    service="apigateway", type="http-api", scope="regional", client="apigatewayv2", primary=False,
    list=Call("get_apis", result="Items", paginate=True),
    id=lambda r: r["ApiId"],
    details=(
        Detail("Routes", Call("get_routes", params=_v2, result="Items", paginate=True)),
        Detail("Integrations", Call("get_integrations", params=_v2, result="Items", paginate=True)),
        Detail("Stages", Call("get_stages", params=_v2, result="Items", paginate=True)),
    ),
    transform=transform_http_api,
    volatile=("CreatedDate", "Stages.*.CreatedDate", "Stages.*.LastUpdatedDate"),
    status=("Stages.*.LastDeploymentStatusMessage",),
    secrets=("**.StageVariables.*",),
    keep_names="apigateway_keep_variables",
    schema="aws.apigateway.http-api",
    permissions=("apigateway:GET",),
    restore=Restorer(
        update=plan_update, delete=plan_delete, rank=45,
        permissions=("apigateway:PATCH", "apigateway:POST", "apigateway:DELETE"),
        cannot_create=("an HTTP API cannot be recreated under its id (its invoke URL contains it): recreate it from "
                       "its definition (aws apigatewayv2 import-api), then point its domain mappings and callers at "
                       "the new id"),
    ),
)
