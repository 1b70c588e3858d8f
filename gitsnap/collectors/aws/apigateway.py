"""API Gateway (regional): REST APIs rebuilt from the read calls (resources with methods and
integrations, authorizers, stages with stage variables, deployments), custom domains with
base path mappings, and HTTP/WebSocket APIs (routes, integrations, stages).

Stage variable values are treated as secrets (they often carry keys), except names listed
in ``[aws.apigateway] keep_variables``.
"""

from __future__ import annotations

from typing import Any

from ..spec import Call, Detail, Raw, ResourceType
from .iam import policy_json


def _api(r: Raw) -> dict[str, str]:
    return {"restApiId": r["id"]}


def _by(items: Any, key: str) -> list[Any]:
    return sorted(items or [], key=lambda i: str(i.get(key, "")))


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
        "resources": _by(raw.get("Resources"), "path"),
        "authorizers": _by(raw.get("Authorizers"), "name"),
        "stages": _by(raw.get("Stages"), "stageName"),
        "deployments": _by(raw.get("Deployments"), "id"),
    }


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
)

DOMAIN = ResourceType(
    service="apigateway", type="domain", scope="regional", client="apigateway", primary=False,
    list=Call("get_domain_names", result="items", paginate=True),
    id=lambda r: r["domainName"],
    details=(
        Detail("BasePathMappings", Call("get_base_path_mappings", params=lambda r: {"domainName": r["domainName"]},
                                        result="items", paginate=True)),
    ),
    transform=lambda r: {**{k: v for k, v in r.items() if k != "BasePathMappings"},
                         "basePathMappings": _by(r.get("BasePathMappings"), "basePath")},
    volatile=("certificateUploadDate",),
    status=("domainNameStatus", "domainNameStatusMessage"),
    schema="aws.apigateway.domain",
    permissions=("apigateway:GET",),
)


def _v2(r: Raw) -> dict[str, str]:
    return {"ApiId": r["ApiId"]}


HTTP_API = ResourceType(
    service="apigateway", type="http-api", scope="regional", client="apigatewayv2", primary=False,
    list=Call("get_apis", result="Items", paginate=True),
    id=lambda r: r["ApiId"],
    details=(
        Detail("Routes", Call("get_routes", params=_v2, result="Items", paginate=True)),
        Detail("Integrations", Call("get_integrations", params=_v2, result="Items", paginate=True)),
        Detail("Stages", Call("get_stages", params=_v2, result="Items", paginate=True)),
    ),
    transform=lambda r: {**{k: v for k, v in r.items() if k not in ("Routes", "Integrations", "Stages")},
                         "Routes": _by(r.get("Routes"), "RouteKey"),
                         "Integrations": _by(r.get("Integrations"), "IntegrationId"),
                         "Stages": _by(r.get("Stages"), "StageName")},
    volatile=("CreatedDate", "Stages.*.CreatedDate", "Stages.*.LastUpdatedDate"),
    status=("Stages.*.LastDeploymentStatusMessage",),
    secrets=("**.StageVariables.*",),
    keep_names="apigateway_keep_variables",
    schema="aws.apigateway.http-api",
    permissions=("apigateway:GET",),
)

TYPES = (REST_API, DOMAIN, HTTP_API)
