"""API Gateway: REST APIs, HTTP APIs and custom domain names.

A REST or HTTP API's resources, methods, routes and integrations are written as its OpenAPI
definition (``Body``; Terraform ``body = jsonencode(...)``), with API Gateway's extensions
(``x-amazon-apigateway-integration``): API Gateway builds the whole tree from it on create, so
no resource has to name an id another gets only when deployed. Each stage follows: for a REST
API, a deployment that creates its stage (CloudFormation) or a deployment and a stage
(Terraform, which imports both); for an HTTP API, the stage itself.

Stage variables are secrets in a snapshot: the writers turn each into a NoEcho parameter or a
sensitive variable.
"""

from __future__ import annotations

from typing import Any

from ..model import Block, Fields, JsonEncode, Link, Resource
from ..spec import IacSpec, Out, prune
from .cloudfront import certificate_link

NONE_PATH = "(none)"  # the empty base path, as GetBasePathMappings names it
_REST_SET = ("id", "createdDate", "rootResourceId", "warnings", "version", "apiStatus", "status",
             "stages.*.createdDate", "stages.*.lastUpdatedDate", "stages.*.cacheClusterStatus",
             "deployments.*.createdDate", "deployments.*.apiSummary", "resources.*.id", "resources.*.parentId",
             "resources.*.pathPart")
_PARAM_IN = {"path": "path", "querystring": "query", "header": "header"}


def _blk(body: dict[str, Any]) -> Block:
    return Block(prune(body))


def _tags(tags: dict[str, str] | None) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted((tags or {}).items())]


# -- REST APIs: the OpenAPI definition of the snapshot's resources and methods ---------------------

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


def _rest_unsupported(f: Fields) -> None:
    """Fields of methods OpenAPI carries only with the models and validators gitsnap does not capture."""
    for res in f.get_quiet("resources") or []:
        for m in (res.get("resourceMethods") or {}).values():
            if m.get("requestModels") or m.get("requestValidatorId") or any(
                    r.get("responseModels") for r in (m.get("methodResponses") or {}).values()):
                f.unsupported("resources", "request/response models and request validators are not captured, so "
                                           "methods that use them are written without them")
                return


def _method_settings(settings: dict[str, Any] | None) -> list[dict[str, Any]]:
    """GetStage's ``{"~1pets/GET": {...}}`` -> CloudFormation MethodSettings (``/~1pets``, GET)."""
    out = []
    for key, s in sorted((settings or {}).items()):
        path, _, method = key.rpartition("/")
        out.append({"ResourcePath": "/" + path, "HttpMethod": method,
                    **{k[:1].upper() + k[1:]: v for k, v in s.items()
                       if k in ("metricsEnabled", "loggingLevel", "dataTraceEnabled", "throttlingBurstLimit",
                                "throttlingRateLimit", "cachingEnabled", "cacheTtlInSeconds", "cacheDataEncrypted")}})
    return out


def _rest_common(f: Fields) -> dict[str, Any]:
    f.computed(*_REST_SET)
    _rest_unsupported(f)
    doc = {k: f.get(k) for k in ("name", "description", "resources", "authorizers")}
    return {**doc, "body": rest_openapi(doc), "endpoint": f.get("endpointConfiguration") or {},
            "stages": f.get("stages") or [], "deployments": {d["id"]: d for d in f.get("deployments") or []},
            "policy": f.get("policy"), "tags": f.get("tags") or {}, "api_key_source": f.get("apiKeySource"),
            "media": f.get("binaryMediaTypes") or [], "disable": f.get("disableExecuteApiEndpoint"),
            "compression": f.get("minimumCompressionSize")}


def _unused_deployments(f: Fields, c: dict[str, Any]) -> None:
    used = {s.get("deploymentId") for s in c["stages"]}
    if set(c["deployments"]) - used:
        f.unsupported("deployments", "deployments no stage uses are history, not configuration: not written")


def rest_api_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    c = _rest_common(f)
    api_id = r.doc["id"]
    out.resource("AWS::ApiGateway::RestApi", {
        # JsonEncode: written as it is (the writer's pruning would drop a security requirement's [])
        "Name": c["name"], "Description": c["description"], "Body": JsonEncode(c["body"]),
        "ApiKeySourceType": c["api_key_source"], "BinaryMediaTypes": c["media"],
        "DisableExecuteApiEndpoint": c["disable"], "MinimumCompressionSize": c["compression"],
        "EndpointConfiguration": prune({"Types": c["endpoint"].get("types"),
                                        "VpcEndpointIds": c["endpoint"].get("vpcEndpointIds"),
                                        "IpAddressType": c["endpoint"].get("ipAddressType")}),
        "Policy": c["policy"], "Tags": _tags(c["tags"]),
    }, c["name"] or api_id, identifier={"RestApiId": api_id})
    this = Link(r.address, None, api_id)
    for s in c["stages"]:
        name = s["stageName"]
        logs = s.get("accessLogSettings") or {}
        canary = s.get("canarySettings") or {}
        if s.get("webAclArn"):
            f.unsupported("stages", "a stage's web ACL association is not written: associate it after deploying")
        deployment = c["deployments"].get(s.get("deploymentId")) or {}
        out.resource("AWS::ApiGateway::Deployment", {
            "RestApiId": this, "Description": deployment.get("description") or None, "StageName": name,
            "StageDescription": {
                "Description": s.get("description") or None, "CacheClusterEnabled": s.get("cacheClusterEnabled"),
                "CacheClusterSize": s.get("cacheClusterSize") if s.get("cacheClusterEnabled") else None,
                "TracingEnabled": s.get("tracingEnabled"), "Variables": s.get("variables"),
                "MethodSettings": _method_settings(s.get("methodSettings")),
                "AccessLogSetting": {"DestinationArn": logs.get("destinationArn"), "Format": logs.get("format")}
                if logs else None,
                "ClientCertificateId": s.get("clientCertificateId"),
                "DocumentationVersion": s.get("documentationVersion"),
                "CanarySetting": {"PercentTraffic": canary.get("percentTraffic"),
                                  "StageVariableOverrides": canary.get("stageVariableOverrides"),
                                  "UseStageCache": canary.get("useStageCache")} if canary else None,
                "Tags": _tags(s.get("tags"))},
        }, f"{c['name'] or api_id}-{name}", identifier={"RestApiId": api_id, "DeploymentId": s.get("deploymentId")}
            if s.get("deploymentId") else None)
    _unused_deployments(f, c)


_TF_SETTINGS = {"metricsEnabled": "metrics_enabled", "loggingLevel": "logging_level",
                "dataTraceEnabled": "data_trace_enabled", "throttlingBurstLimit": "throttling_burst_limit",
                "throttlingRateLimit": "throttling_rate_limit", "cachingEnabled": "caching_enabled",
                "cacheTtlInSeconds": "cache_ttl_in_seconds", "cacheDataEncrypted": "cache_data_encrypted",
                "requireAuthorizationForCacheControl": "require_authorization_for_cache_control",
                "unauthorizedCacheControlHeaderStrategy": "unauthorized_cache_control_header_strategy"}


def rest_api_terraform(r: Resource, f: Fields, out: Out) -> None:
    c = _rest_common(f)
    api_id = r.doc["id"]
    name = c["name"] or api_id
    out.block("aws_api_gateway_rest_api", {
        "name": c["name"], "description": c["description"], "body": JsonEncode(c["body"]),
        "api_key_source": c["api_key_source"], "binary_media_types": c["media"],
        "disable_execute_api_endpoint": c["disable"], "minimum_compression_size": c["compression"],
        "endpoint_configuration": _blk({"types": c["endpoint"].get("types"),
                                        "vpc_endpoint_ids": c["endpoint"].get("vpcEndpointIds"),
                                        "ip_address_type": c["endpoint"].get("ipAddressType")})
        if c["endpoint"] else None,
        "policy": JsonEncode(c["policy"]) if c["policy"] else None,
        "tags": c["tags"] or None}, name, import_id=api_id)
    this = Link(r.address, None, api_id, tf_attr="id")
    written = set()
    for s in c["stages"]:
        dep = s.get("deploymentId")
        if dep and dep not in written:
            written.add(dep)
            out.block("aws_api_gateway_deployment", {
                "rest_api_id": this, "description": (c["deployments"].get(dep) or {}).get("description") or None},
                f"{name}-{dep}", import_id=f"{api_id}/{dep}")
        logs = s.get("accessLogSettings") or {}
        stage = s["stageName"]
        if s.get("webAclArn"):
            f.unsupported("stages", "a stage's web ACL association is not written: associate it after applying")
        out.block("aws_api_gateway_stage", {
            "rest_api_id": this, "stage_name": stage,
            # the id the snapshot recorded: right for an import, to be pointed at the deployment above otherwise
            "deployment_id": dep,
            "description": s.get("description") or None, "cache_cluster_enabled": s.get("cacheClusterEnabled"),
            "cache_cluster_size": s.get("cacheClusterSize") if s.get("cacheClusterEnabled") else None,
            "xray_tracing_enabled": s.get("tracingEnabled"), "variables": s.get("variables") or None,
            "client_certificate_id": s.get("clientCertificateId"),
            "documentation_version": s.get("documentationVersion"),
            "access_log_settings": _blk({"destination_arn": logs.get("destinationArn"), "format": logs.get("format")})
            if logs else None,
            "tags": s.get("tags") or None}, f"{name}-{stage}", import_id=f"{api_id}/{stage}")
        for key, settings in sorted((s.get("methodSettings") or {}).items()):
            path, _, method = key.rpartition("/")
            method_path = f"{path.replace('~1', '/').lstrip('/')}/{method}" if path != "*" else "*/*"
            out.block("aws_api_gateway_method_settings", {
                "rest_api_id": this, "stage_name": stage, "method_path": method_path,
                "settings": _blk({tf: settings.get(api) for api, tf in _TF_SETTINGS.items()})},
                f"{name}-{stage}-{method_path}", import_id=f"{api_id}/{stage}/{method_path}")
    _unused_deployments(f, c)


# -- HTTP and WebSocket APIs -----------------------------------------------------------------------

_HTTP_SET = ("ApiId", "ApiEndpoint", "CreatedDate", "ApiGatewayManaged", "Warnings", "ImportInfo", "status",
             "Routes.*.RouteId", "Routes.*.ApiGatewayManaged", "Integrations.*.IntegrationId",
             "Integrations.*.ApiGatewayManaged", "Stages.*.CreatedDate", "Stages.*.LastUpdatedDate",
             "Stages.*.LastDeploymentStatusMessage", "Stages.*.ApiGatewayManaged")


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


def _http_common(f: Fields) -> dict[str, Any]:
    f.computed(*_HTTP_SET)
    doc = {k: f.get(k) for k in ("Name", "Version", "Routes", "Integrations")}
    body, unused = http_openapi(doc)
    protocol = f.get("ProtocolType")
    if protocol != "HTTP" and (doc["Routes"] or doc["Integrations"]):
        f.unsupported("Routes", "a WebSocket API's routes and integrations are not written yet (no OpenAPI body)")
        body = None
    elif unused:
        f.unsupported("Integrations", f"integrations no route uses are not written: {', '.join(unused)}")
    if any((rt.get("AuthorizationType") or "NONE") != "NONE" for rt in doc["Routes"] or []):
        f.unsupported("Routes", "routes with authorizers are written without them: gitsnap does not capture "
                                "an HTTP API's authorizers")
    return {**doc, "body": body if doc["Routes"] else None, "protocol": protocol,
            "fields": {k: f.get(k) for k in ("Description", "RouteSelectionExpression", "ApiKeySelectionExpression",
                                             "DisableExecuteApiEndpoint", "DisableSchemaValidation",
                                             "CorsConfiguration", "IpAddressType")},
            "tags": f.get("Tags") or {}, "stages": f.get("Stages") or []}


def http_api_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    c = _http_common(f)
    api_id = r.doc["ApiId"]
    name = c["Name"] or api_id
    out.resource("AWS::ApiGatewayV2::Api", {
        "Name": c["Name"], "ProtocolType": c["protocol"], "Version": c["Version"],
        "Body": JsonEncode(c["body"]) if c["body"] else None,
        **c["fields"], "Tags": c["tags"]}, name, identifier={"ApiId": api_id})
    this = Link(r.address, None, api_id)
    for s in c["stages"]:
        stage = s["StageName"]
        out.resource("AWS::ApiGatewayV2::Stage", {
            "ApiId": this, "StageName": stage, "AutoDeploy": s.get("AutoDeploy"), "Description": s.get("Description"),
            "DefaultRouteSettings": s.get("DefaultRouteSettings"), "RouteSettings": s.get("RouteSettings"),
            "StageVariables": s.get("StageVariables"), "AccessLogSettings": s.get("AccessLogSettings"),
            "ClientCertificateId": s.get("ClientCertificateId"), "Tags": s.get("Tags")},
            f"{name}-{stage}", identifier={"ApiId": api_id, "StageName": stage})
        if not s.get("AutoDeploy") and s.get("DeploymentId"):
            # a deployment of the routes the body made, pointed at the stage above (no id to name)
            out.resource("AWS::ApiGatewayV2::Deployment", {"ApiId": this, "StageName": stage},
                         f"{name}-{stage}-deployment", depends_on=[f"{name}-{stage}"],
                         identifier={"ApiId": api_id, "DeploymentId": s["DeploymentId"]})


def http_api_terraform(r: Resource, f: Fields, out: Out) -> None:
    c = _http_common(f)
    api_id = r.doc["ApiId"]
    name = c["Name"] or api_id
    fl = c["fields"]
    cors = fl["CorsConfiguration"] or {}
    out.block("aws_apigatewayv2_api", {
        "name": c["Name"], "protocol_type": c["protocol"], "version": c["Version"],
        "body": JsonEncode(c["body"]) if c["body"] else None, "description": fl["Description"],
        "route_selection_expression": fl["RouteSelectionExpression"],
        "api_key_selection_expression": fl["ApiKeySelectionExpression"],
        "disable_execute_api_endpoint": fl["DisableExecuteApiEndpoint"],
        "fail_on_warnings": None, "ip_address_type": fl["IpAddressType"],
        "cors_configuration": _blk({"allow_credentials": cors.get("AllowCredentials"),
                                    "allow_headers": cors.get("AllowHeaders"), "allow_methods": cors.get("AllowMethods"),
                                    "allow_origins": cors.get("AllowOrigins"), "expose_headers": cors.get("ExposeHeaders"),
                                    "max_age": cors.get("MaxAge")}) if cors else None,
        "tags": c["tags"] or None}, name, import_id=api_id)
    if fl["DisableSchemaValidation"]:
        f.unsupported("DisableSchemaValidation", "the AWS provider has no argument for it")
    this = Link(r.address, None, api_id, tf_attr="id")
    for s in c["stages"]:
        stage = s["StageName"]
        drs = s.get("DefaultRouteSettings") or {}
        logs = s.get("AccessLogSettings") or {}
        if not s.get("AutoDeploy") and s.get("DeploymentId"):
            out.block("aws_apigatewayv2_deployment", {"api_id": this}, f"{name}-{stage}",
                      import_id=f"{api_id}/{s['DeploymentId']}")
        out.block("aws_apigatewayv2_stage", {
            "api_id": this, "name": stage, "auto_deploy": s.get("AutoDeploy"), "description": s.get("Description"),
            # the recorded id: right for an import (an automatic deployment moves it by itself)
            "deployment_id": None if s.get("AutoDeploy") else s.get("DeploymentId"),
            "stage_variables": s.get("StageVariables") or None,
            "client_certificate_id": s.get("ClientCertificateId"),
            "default_route_settings": _blk({"data_trace_enabled": drs.get("DataTraceEnabled"),
                                            "detailed_metrics_enabled": drs.get("DetailedMetricsEnabled"),
                                            "logging_level": drs.get("LoggingLevel"),
                                            "throttling_burst_limit": drs.get("ThrottlingBurstLimit"),
                                            "throttling_rate_limit": drs.get("ThrottlingRateLimit")}) if drs else None,
            "route_settings": [_blk({"route_key": key, "data_trace_enabled": v.get("DataTraceEnabled"),
                                     "detailed_metrics_enabled": v.get("DetailedMetricsEnabled"),
                                     "logging_level": v.get("LoggingLevel"),
                                     "throttling_burst_limit": v.get("ThrottlingBurstLimit"),
                                     "throttling_rate_limit": v.get("ThrottlingRateLimit")})
                               for key, v in sorted((s.get("RouteSettings") or {}).items())],
            "access_log_settings": _blk({"destination_arn": logs.get("DestinationArn"), "format": logs.get("Format")})
            if logs else None,
            "tags": s.get("Tags") or None}, f"{name}-{stage}", import_id=f"{api_id}/{stage}")


# -- custom domain names ----------------------------------------------------------------------------

_DOMAIN_SET = ("regionalDomainName", "regionalHostedZoneId", "distributionDomainName", "distributionHostedZoneId",
               "domainNameId", "domainNameArn", "domainNameStatus", "domainNameStatusMessage", "certificateUploadDate",
               "certificateName", "regionalCertificateName", "mutualTlsAuthentication.truststoreWarnings", "status")


def _domain_common(f: Fields) -> dict[str, Any]:
    f.computed(*_DOMAIN_SET)
    mtls = f.get("mutualTlsAuthentication") or {}
    return {"domain": f.get("domainName"), "cert": certificate_link(f.get("certificateArn")),
            "regional_cert": certificate_link(f.get("regionalCertificateArn")),
            "endpoint": f.get("endpointConfiguration") or {}, "policy": f.get("securityPolicy"),
            "mtls": mtls, "ownership": certificate_link(f.get("ownershipVerificationCertificateArn")),
            "routing": f.get("routingMode"), "tags": f.get("tags") or {},
            "mappings": f.get("basePathMappings") or []}


def _base_path(m: dict[str, Any]) -> str:
    path = m.get("basePath") or ""
    return "" if path == NONE_PATH else path


def _api_link(api_id: str) -> Link:
    return Link(f"apigateway/{api_id}", None, api_id, tf_attr="id")


def domain_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    c = _domain_common(f)
    domain = c["domain"]
    out.resource("AWS::ApiGateway::DomainName", {
        "DomainName": domain, "CertificateArn": c["cert"], "RegionalCertificateArn": c["regional_cert"],
        "EndpointConfiguration": prune({"Types": c["endpoint"].get("types"),
                                        "IpAddressType": c["endpoint"].get("ipAddressType")}),
        "SecurityPolicy": c["policy"],
        "MutualTlsAuthentication": prune({"TruststoreUri": c["mtls"].get("truststoreUri"),
                                          "TruststoreVersion": c["mtls"].get("truststoreVersion")}),
        "OwnershipVerificationCertificateArn": c["ownership"], "RoutingMode": c["routing"],
        "Tags": _tags(c["tags"])}, domain, identifier={"DomainName": domain})
    for m in c["mappings"]:
        path = _base_path(m)
        out.resource("AWS::ApiGateway::BasePathMapping", {
            "DomainName": Link(r.address, None, domain), "BasePath": path or None,
            "RestApiId": _api_link(m["restApiId"]), "Stage": m.get("stage")},
            f"{domain}-{path or 'root'}", identifier={"DomainName": domain, "BasePath": path})


def domain_terraform(r: Resource, f: Fields, out: Out) -> None:
    c = _domain_common(f)
    domain = c["domain"]
    out.block("aws_api_gateway_domain_name", {
        "domain_name": domain, "certificate_arn": c["cert"], "regional_certificate_arn": c["regional_cert"],
        "endpoint_configuration": _blk({"types": c["endpoint"].get("types"),
                                        "ip_address_type": c["endpoint"].get("ipAddressType")})
        if c["endpoint"] else None,
        "security_policy": c["policy"],
        "mutual_tls_authentication": _blk({"truststore_uri": c["mtls"].get("truststoreUri"),
                                           "truststore_version": c["mtls"].get("truststoreVersion")})
        if c["mtls"].get("truststoreUri") else None,
        "ownership_verification_certificate_arn": c["ownership"],
        "tags": c["tags"] or None}, domain, import_id=domain)
    if c["routing"]:
        f.unsupported("routingMode", "not translated for the AWS provider yet")
    for m in c["mappings"]:
        path = _base_path(m)
        out.block("aws_api_gateway_base_path_mapping", {
            "domain_name": Link(r.address, None, domain, tf_attr="domain_name"), "api_id": _api_link(m["restApiId"]),
            "stage_name": m.get("stage"), "base_path": path or None},
            f"{domain}-{path or 'root'}", import_id=f"{domain}/{path}")


SPECS = {
    "rest-api": IacSpec(
        cloudformation=rest_api_cloudformation, terraform=rest_api_terraform,
        cfn_types=("AWS::ApiGateway::RestApi", "AWS::ApiGateway::Deployment"),
        tf_types=("aws_api_gateway_rest_api", "aws_api_gateway_deployment", "aws_api_gateway_stage",
                  "aws_api_gateway_method_settings")),
    "http-api": IacSpec(
        cloudformation=http_api_cloudformation, terraform=http_api_terraform,
        cfn_types=("AWS::ApiGatewayV2::Api", "AWS::ApiGatewayV2::Stage", "AWS::ApiGatewayV2::Deployment"),
        tf_types=("aws_apigatewayv2_api", "aws_apigatewayv2_stage", "aws_apigatewayv2_deployment")),
    "domain": IacSpec(
        cloudformation=domain_cloudformation, terraform=domain_terraform,
        cfn_types=("AWS::ApiGateway::DomainName", "AWS::ApiGateway::BasePathMapping"),
        tf_types=("aws_api_gateway_domain_name", "aws_api_gateway_base_path_mapping")),
}
