"""The OpenAPI 3 definitions API Gateway imports: a REST API's resources, methods, integrations
and authorizers, and an HTTP API's routes and integrations, with API Gateway's extensions
(``x-amazon-apigateway-integration``). Pure."""

from __future__ import annotations

from typing import Any

from ...spec import prune

_PARAM_IN = {"path": "path", "querystring": "query", "header": "header"}


def _parameters(request: dict[str, Any] | None) -> list[dict[str, Any]]:
    """``{"method.request.path.id": true}`` -> OpenAPI parameters. Pure."""
    out = []
    for key, required in sorted((request or {}).items()):
        parts = key.split(".", 3)
        if len(parts) == 4 and parts[2] in _PARAM_IN:
            out.append({"name": parts[3], "in": _PARAM_IN[parts[2]], "required": bool(required) or parts[2] == "path",
                        "schema": {"type": "string"}})
    return out


def _integration(i: dict[str, Any]) -> dict[str, Any]:
    responses = {}
    for code, resp in sorted((i.get("integrationResponses") or {}).items()):
        responses[resp.get("selectionPattern") or "default"] = prune({
            "statusCode": resp.get("statusCode", code), "responseParameters": resp.get("responseParameters"),
            "responseTemplates": resp.get("responseTemplates"), "contentHandling": resp.get("contentHandling")})
    return prune({
        "type": (i.get("type") or "").lower(), "httpMethod": i.get("httpMethod"), "uri": i.get("uri"),
        "credentials": i.get("credentials"), "requestParameters": i.get("requestParameters"),
        "requestTemplates": i.get("requestTemplates"),
        "passthroughBehavior": (i.get("passthroughBehavior") or "").lower() or None,
        "contentHandling": i.get("contentHandling"), "timeoutInMillis": i.get("timeoutInMillis"),
        "cacheNamespace": i.get("cacheNamespace"), "cacheKeyParameters": i.get("cacheKeyParameters"),
        "connectionType": i.get("connectionType"), "connectionId": i.get("connectionId"),
        "tlsConfig": i.get("tlsConfig"), "responses": responses})


def _authorizer_scheme(a: dict[str, Any]) -> dict[str, Any]:
    kind = (a.get("type") or "TOKEN").lower()
    source = a.get("identitySource") or ""
    header = source.rsplit(".", 1)[-1] if source.startswith("method.request.header.") else "Unused"
    return {"type": "apiKey", "name": header, "in": "header",
            "x-amazon-apigateway-authtype": "cognito_user_pools" if kind == "cognito_user_pools" else "custom",
            "x-amazon-apigateway-authorizer": prune({
                "type": kind, "authorizerUri": a.get("authorizerUri"), "authorizerCredentials": a.get("authorizerCredentials"),
                "authorizerResultTtlInSeconds": a.get("authorizerResultTtlInSeconds"), "identitySource": source or None,
                "identityValidationExpression": a.get("identityValidationExpression"),
                "providerARNs": a.get("providerARNs")})}


def rest_openapi(doc: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI 3 definition of a REST API's resources, methods, integrations and authorizers,
    as API Gateway imports it (``aws apigateway import-rest-api``). Pure."""
    authorizers = {a.get("id"): a for a in doc.get("authorizers") or []}
    schemes: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    for res in doc.get("resources") or []:
        ops: dict[str, Any] = {}
        for verb, m in sorted((res.get("resourceMethods") or {}).items()):
            security = []
            auth = m.get("authorizationType") or "NONE"
            if auth == "AWS_IAM":
                schemes["sigv4"] = {"type": "apiKey", "name": "Authorization", "in": "header",
                                    "x-amazon-apigateway-authtype": "awsSigv4"}
                security.append({"sigv4": []})
            elif auth in ("CUSTOM", "COGNITO_USER_POOLS") and m.get("authorizerId") in authorizers:
                a = authorizers[m["authorizerId"]]
                schemes[a["name"]] = _authorizer_scheme(a)
                security.append({a["name"]: m.get("authorizationScopes") or []})
            if m.get("apiKeyRequired"):
                schemes["api_key"] = {"type": "apiKey", "name": "x-api-key", "in": "header"}
                security.append({"api_key": []})
            responses = {code: prune({"description": f"{code} response", "headers": {
                name.rsplit(".", 1)[-1]: {"schema": {"type": "string"}}
                for name in (resp.get("responseParameters") or {})}})
                for code, resp in sorted((m.get("methodResponses") or {}).items())}
            op = prune({"operationId": m.get("operationName"), "parameters": _parameters(m.get("requestParameters")),
                        "x-amazon-apigateway-integration":
                            _integration(m["methodIntegration"]) if m.get("methodIntegration") else None})
            if security:  # set after pruning: a requirement's scopes are [] when it has none
                op["security"] = security
            op["responses"] = responses
            ops["x-amazon-apigateway-any-method" if verb == "ANY" else verb.lower()] = op
        if ops or res["path"] != "/":  # the root exists in every API
            paths[res["path"]] = ops
    body: dict[str, Any] = {
        "openapi": "3.0.1",
        "info": prune({"title": doc.get("name"), "description": doc.get("description"), "version": "gitsnap"}),
        "paths": paths,
    }
    if schemes:
        body["components"] = {"securitySchemes": schemes}
    return body



def http_openapi(doc: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The OpenAPI 3 definition of an HTTP API's routes and their integrations, and the ids of
    integrations no route targets (an OpenAPI body has an integration per route). Pure."""
    integrations = {i.get("IntegrationId"): i for i in doc.get("Integrations") or []}
    used: set[str] = set()
    paths: dict[str, Any] = {}
    for route in doc.get("Routes") or []:
        key = route["RouteKey"]
        verb, _, path = key.partition(" ") if key != "$default" else ("ANY", "", "$default")
        target = route.get("Target") or ""
        integ = integrations.get(target.split("/", 1)[1]) if target.startswith("integrations/") else None
        if integ:
            used.add(integ["IntegrationId"])
        op = prune({
            "operationId": route.get("OperationName"),
            "responses": {"default": {"description": f"Default response for {key}"}},
            "x-amazon-apigateway-integration": prune({
                "type": (integ.get("IntegrationType") or "").lower(), "uri": integ.get("IntegrationUri"),
                "httpMethod": integ.get("IntegrationMethod"), "payloadFormatVersion": integ.get("PayloadFormatVersion"),
                "connectionType": integ.get("ConnectionType"), "connectionId": integ.get("ConnectionId"),
                "credentials": integ.get("CredentialsArn"), "timeoutInMillis": integ.get("TimeoutInMillis"),
                "requestParameters": integ.get("RequestParameters"), "responseParameters": integ.get("ResponseParameters"),
                "integrationSubtype": integ.get("IntegrationSubtype"), "tlsConfig": integ.get("TlsConfig"),
                "description": integ.get("Description")}) if integ else None})
        paths.setdefault(path, {})["x-amazon-apigateway-any-method" if verb == "ANY" else verb.lower()] = op
    body = {"openapi": "3.0.1", "info": {"title": doc.get("Name"), "version": doc.get("Version") or "gitsnap"},
            "paths": paths, "x-amazon-apigateway-importexport-version": "1.0"}
    return body, sorted(set(integrations) - used)
