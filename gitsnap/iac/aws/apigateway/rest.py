"""REST APIs (``AWS::ApiGateway::RestApi``, ``aws_api_gateway_rest_api``): the OpenAPI body,
then each stage: a deployment that creates it (CloudFormation) or a deployment and a stage
(Terraform, which imports both), and the stage's method settings."""

from __future__ import annotations

from typing import Any

from ...model import Fields, JsonEncode, Link, Resource
from ...spec import Out, prune
from ..common import blk
from ..common import tag_list as tags
from .common import cfn_props, pascal, tf_args
from .openapi import rest_openapi

_REST_SET = ("id", "createdDate", "rootResourceId", "warnings", "version", "apiStatus", "status",
             "stages.*.createdDate", "stages.*.lastUpdatedDate", "stages.*.cacheClusterStatus",
             "deployments.*.createdDate", "deployments.*.apiSummary", "resources.*.id", "resources.*.parentId",
             "resources.*.pathPart")
_ENDPOINT = ("types", "vpcEndpointIds", "ipAddressType")
_ACCESS_LOG = ("destinationArn", "format")
# a stage's method settings CloudFormation takes; the provider takes two more
_CFN_SETTINGS = ("metricsEnabled", "loggingLevel", "dataTraceEnabled", "throttlingBurstLimit", "throttlingRateLimit",
                 "cachingEnabled", "cacheTtlInSeconds", "cacheDataEncrypted")
_TF_SETTINGS = (*_CFN_SETTINGS, "requireAuthorizationForCacheControl", "unauthorizedCacheControlHeaderStrategy")


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
                    **{pascal(k): v for k, v in s.items() if k in _CFN_SETTINGS}})
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
        "EndpointConfiguration": prune(cfn_props(c["endpoint"], *_ENDPOINT)),
        "Policy": c["policy"], "Tags": tags(c["tags"]),
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
                "AccessLogSetting": cfn_props(logs, *_ACCESS_LOG) if logs else None,
                "ClientCertificateId": s.get("clientCertificateId"),
                "DocumentationVersion": s.get("documentationVersion"),
                "CanarySetting": cfn_props(canary, "percentTraffic", "stageVariableOverrides", "useStageCache")
                if canary else None,
                "Tags": tags(s.get("tags"))},
        }, f"{c['name'] or api_id}-{name}", identifier={"RestApiId": api_id, "DeploymentId": s.get("deploymentId")}
            if s.get("deploymentId") else None)
    _unused_deployments(f, c)


def rest_api_terraform(r: Resource, f: Fields, out: Out) -> None:
    c = _rest_common(f)
    api_id = r.doc["id"]
    name = c["name"] or api_id
    out.block("aws_api_gateway_rest_api", {
        "name": c["name"], "description": c["description"], "body": JsonEncode(c["body"]),
        "api_key_source": c["api_key_source"], "binary_media_types": c["media"],
        "disable_execute_api_endpoint": c["disable"], "minimum_compression_size": c["compression"],
        "endpoint_configuration": blk(tf_args(c["endpoint"], *_ENDPOINT)) if c["endpoint"] else None,
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
            "access_log_settings": blk(tf_args(logs, *_ACCESS_LOG)) if logs else None,
            "tags": s.get("tags") or None}, f"{name}-{stage}", import_id=f"{api_id}/{stage}")
        for key, settings in sorted((s.get("methodSettings") or {}).items()):
            path, _, method = key.rpartition("/")
            method_path = f"{path.replace('~1', '/').lstrip('/')}/{method}" if path != "*" else "*/*"
            out.block("aws_api_gateway_method_settings", {
                "rest_api_id": this, "stage_name": stage, "method_path": method_path,
                "settings": blk(tf_args(settings, *_TF_SETTINGS))},
                f"{name}-{stage}-{method_path}", import_id=f"{api_id}/{stage}/{method_path}")
    _unused_deployments(f, c)
