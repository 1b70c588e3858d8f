"""HTTP and WebSocket APIs (``AWS::ApiGatewayV2::Api``, ``aws_apigatewayv2_api``): an HTTP API's
routes and integrations as its OpenAPI body, then its stages (and a deployment for a stage that
does not deploy by itself)."""

from __future__ import annotations

from typing import Any

from ...model import Fields, JsonEncode, Link, Resource
from ...spec import Out
from ..common import blk
from .common import tf_args
from .openapi import http_openapi

_HTTP_SET = ("ApiId", "ApiEndpoint", "CreatedDate", "ApiGatewayManaged", "Warnings", "ImportInfo", "status",
             "Routes.*.RouteId", "Routes.*.ApiGatewayManaged", "Integrations.*.IntegrationId",
             "Integrations.*.ApiGatewayManaged", "Stages.*.CreatedDate", "Stages.*.LastUpdatedDate",
             "Stages.*.LastDeploymentStatusMessage", "Stages.*.ApiGatewayManaged")
_CORS = ("AllowCredentials", "AllowHeaders", "AllowMethods", "AllowOrigins", "ExposeHeaders", "MaxAge")
# a stage's default settings and each route's (the provider's route_settings adds the route key)
_ROUTE_SETTINGS = ("DataTraceEnabled", "DetailedMetricsEnabled", "LoggingLevel", "ThrottlingBurstLimit",
                   "ThrottlingRateLimit")


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
        "cors_configuration": blk(tf_args(cors, *_CORS)) if cors else None,
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
            "default_route_settings": blk(tf_args(drs, *_ROUTE_SETTINGS)) if drs else None,
            "route_settings": [blk({"route_key": key, **tf_args(v, *_ROUTE_SETTINGS)})
                               for key, v in sorted((s.get("RouteSettings") or {}).items())],
            "access_log_settings": blk(tf_args(logs, "DestinationArn", "Format")) if logs else None,
            "tags": s.get("Tags") or None}, f"{name}-{stage}", import_id=f"{api_id}/{stage}")
