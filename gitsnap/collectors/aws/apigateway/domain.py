"""Custom domain names with their base path mappings: captured, and restored.

A deleted domain is created again with its certificate, endpoint type, security policy and
tags, then its mappings. API Gateway gives the new domain new target names
(``regionalDomainName``, ``distributionDomainName``): the plan says so, and the DNS record
pointing at the old target must be changed to the new one (the next plan lists them as
``cannot-restore`` until the snapshot is retaken). In place: the certificate, security policy
and endpoint type (PATCH), tags, and each mapping (created, repointed, or deleted with
--delete).
"""

from __future__ import annotations

from typing import Any

from ...restoring import Operation, RestoreContext, Unrestorable
from ...spec import Call, Detail, Raw, ResourceType, Restorer
from .common import arn, by, cannot, pointer, settable, shown, tag_ops

NONE = "(none)"  # the empty base path, as GetBasePathMappings names it
# names API Gateway assigns to a domain when it is created; a DNS record points at them
ASSIGNED = ("regionalDomainName", "regionalHostedZoneId", "distributionDomainName", "distributionHostedZoneId",
            "domainNameId", "domainNameArn")
PATCHABLE = ("certificateName", "certificateArn", "regionalCertificateName", "regionalCertificateArn",
             "securityPolicy")


def transform_domain(raw: Raw) -> Raw:
    return {**{k: v for k, v in raw.items() if k != "BasePathMappings"},
            "basePathMappings": by(raw.get("BasePathMappings"), "basePath")}


def _mapping_params(domain: str, m: Raw) -> dict[str, Any]:
    params: dict[str, Any] = {"domainName": domain, "restApiId": m["restApiId"]}
    if m.get("basePath") not in (None, "", NONE):
        params["basePath"] = m["basePath"]
    if m.get("stage"):
        params["stage"] = m["stage"]
    return params


def _api_missing(ctx: RestoreContext, api_id: str) -> bool:
    return not any(info.get("service") == "apigateway" and info.get("type") == "rest-api"
                   and address.rsplit("/", 1)[-1] == api_id for address, info in ctx.live.resources.items())


def _mappings(ctx: RestoreContext, address: str, api: Any, domain: str, want: list[Raw], have: list[Raw],
              creating: bool = False) -> list[Operation]:
    w = {m.get("basePath") or NONE: m for m in want}
    h = {m.get("basePath") or NONE: m for m in have}
    ops: list[Operation] = []
    for path in sorted(set(w) | set(h)):
        target = f"basePathMappings.{path}"
        if path in w and w[path] != h.get(path):
            m = w[path]
            if _api_missing(ctx, m["restApiId"]):
                ops.append(cannot(address, target, f"its REST API {m['restApiId']} does not exist live: restore or "
                                                   "recreate the API, then map it by hand"))
            elif path in h and not creating:
                # the PATCH paths of a mapping: /restapiId (so spelled) and /stage
                patch = [{"op": "replace", "path": op_path, "value": m.get(f) or ""}
                         for f, op_path in (("restApiId", "/restapiId"), ("stage", "/stage")) if m.get(f) != h[path].get(f)]
                ops.append(Operation(address, "update", target, f"{shown(h[path])} -> {shown(m)}",
                                     run=lambda p=path, ps=patch: api.update_base_path_mapping(
                                         domainName=domain, basePath=p, patchOperations=ps)))
            else:
                params = _mapping_params(domain, m)
                ops.append(Operation(address, "create", target, f"-> {m['restApiId']} {m.get('stage') or ''}".rstrip(),
                                     run=lambda p=params: api.create_base_path_mapping(**p)))
        elif path not in w and ctx.delete:
            ops.append(Operation(address, "delete", target, "live only (--delete)",
                                 run=lambda p=path: api.delete_base_path_mapping(domainName=domain, basePath=p)))
        elif path not in w:
            ops.append(Operation(address, "kept", target, "live only; --delete removes it"))
    return ops


def plan_create(ctx: RestoreContext, address: str) -> list[Operation]:
    """CreateDomainName with what the snapshot recorded, then its mappings."""
    want = ctx.want(address)
    api = ctx.client("apigateway", address)
    params = settable(api, "CreateDomainName", want)
    if "mutualTlsAuthentication" in params:  # the read adds warnings the write does not take
        params["mutualTlsAuthentication"] = {k: v for k, v in params["mutualTlsAuthentication"].items()
                                             if k in ("truststoreUri", "truststoreVersion")}
    if not any(k in params for k in ("certificateArn", "regionalCertificateArn", "certificateName")):
        raise Unrestorable(cannot(address, address, "the snapshot names no ACM certificate for it: create it by hand "
                                                    "(aws apigateway create-domain-name)"))
    new_target = ("a new regionalDomainName" if "regionalCertificateArn" in params else "a new distributionDomainName")
    ops = [Operation(address, "create", address, f"API Gateway assigns {new_target}: point the DNS record at it "
                                                 "(it is listed as cannot-restore until the next capture)",
                     run=lambda: api.create_domain_name(**params))]
    return ops + _mappings(ctx, address, api, want["domainName"], want.get("basePathMappings") or [], [],
                           creating=True)


def plan_update(ctx: RestoreContext, address: str) -> list[Operation]:
    want, have = ctx.want(address), ctx.have(address)
    api = ctx.client("apigateway", address)
    domain = want["domainName"]
    patch, ops = [], []
    for field in PATCHABLE:
        if want.get(field) != have.get(field) and want.get(field) is not None:
            patch.append({"op": "replace", "path": pointer(field), "value": want[field]})
            ops.append(Operation(address, "update", field, f"{shown(have.get(field))} -> {shown(want[field])}"))
    w_types = (want.get("endpointConfiguration") or {}).get("types") or []
    h_types = (have.get("endpointConfiguration") or {}).get("types") or []
    if w_types != h_types and len(w_types) == len(h_types) == 1:
        patch.append({"op": "replace", "path": pointer("endpointConfiguration", "types", "0"), "value": w_types[0]})
        ops.append(Operation(address, "update", "endpointConfiguration.types", f"{h_types} -> {w_types}"))
    if patch:
        ops[0].run = lambda: api.update_domain_name(domainName=domain, patchOperations=patch)
    for field in ASSIGNED:
        if want.get(field) != have.get(field):
            ops.append(cannot(address, field, f"{shown(have.get(field))}: assigned by API Gateway when the domain was "
                                              "created; point the DNS record at live's value (then capture again)"))
    ops += tag_ops(ctx, address, api, arn(ctx, address, f"/domainnames/{domain}"), want.get("tags"), have.get("tags"))
    ops += _mappings(ctx, address, api, domain, want.get("basePathMappings") or [], have.get("basePathMappings") or [])
    handled = {*PATCHABLE, *ASSIGNED, "endpointConfiguration", "tags", "basePathMappings", "status"}
    for field in sorted(set(want) | set(have)):
        if field not in handled and want.get(field) != have.get(field):
            ops.append(cannot(address, field, "differs; change it by hand (aws apigateway update-domain-name)"))
    return ops


def plan_delete(ctx: RestoreContext, address: str) -> list[Operation]:
    api = ctx.client("apigateway", address)
    domain = ctx.have(address)["domainName"]
    return [Operation(address, "delete", address, "live only (--delete); its mappings go with it",
                      run=lambda: api.delete_domain_name(domainName=domain))]


DOMAIN = ResourceType(
    service="apigateway", type="domain", scope="regional", client="apigateway", primary=False,
    list=Call("get_domain_names", result="items", paginate=True),
    id=lambda r: r["domainName"],
    details=(
        Detail("BasePathMappings", Call("get_base_path_mappings", params=lambda r: {"domainName": r["domainName"]},
                                        result="items", paginate=True)),
    ),
    transform=transform_domain,
    volatile=("certificateUploadDate",),
    status=("domainNameStatus", "domainNameStatusMessage"),
    schema="aws.apigateway.domain",
    permissions=("apigateway:GET",),
    # after the REST APIs it maps (45), before the CloudFront distributions and DNS that front it
    restore=Restorer(update=plan_update, create=plan_create, delete=plan_delete, rank=46,
                     permissions=("apigateway:POST", "apigateway:PATCH", "apigateway:PUT", "apigateway:DELETE")),
)
