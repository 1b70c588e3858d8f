"""Examples of apigateway resources: the raw API shape each type's transform is given, and a
round trip on the local AWS for each.

A deleted REST or HTTP API cannot be recreated under its id (NotRestorable's cousin:
``cannot_create``), and a recreated domain gets new target names; so the damage here changes
what restore can put back in place (fields, stages, variables, mappings) instead of deleting.
"""

from __future__ import annotations

from . import Aws, Example

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/abcd-1234"


def _rest_id(aws: Aws, name: str = "jada-bookings-api") -> str:
    return next(a["id"] for a in aws.client("apigateway").get_rest_apis()["items"] if a["name"] == name)


def seed_rest_api(aws: Aws) -> None:
    api = aws.client("apigateway")
    rest = api.create_rest_api(name="jada-bookings-api", description="bookings", binaryMediaTypes=["image/png"])["id"]
    root = next(r["id"] for r in api.get_resources(restApiId=rest)["items"] if r["path"] == "/")
    api.put_method(restApiId=rest, resourceId=root, httpMethod="GET", authorizationType="NONE")
    api.put_integration(restApiId=rest, resourceId=root, httpMethod="GET", type="MOCK")
    api.create_deployment(restApiId=rest, stageName="prod", stageDescription="live",
                          variables={"TABLE": "jada-events"})


def damage_rest_api(aws: Aws) -> None:
    """Edited by hand: the description, a media type, and the stage's description and variable."""
    api = aws.client("apigateway")
    rest = _rest_id(aws)
    api.update_rest_api(restApiId=rest, patchOperations=[
        {"op": "replace", "path": "/description", "value": "changed by hand"},
        {"op": "add", "path": "/binaryMediaTypes/image~1gif", "value": "image/gif"}])
    api.update_stage(restApiId=rest, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/description", "value": "edited"},
        {"op": "replace", "path": "/variables/TABLE", "value": "jada-events-staging"}])


def seed_domain(aws: Aws) -> None:
    seed_rest_api(aws)
    api = aws.client("apigateway")
    api.create_domain_name(domainName="api.sailjada.com", regionalCertificateArn=CERT,
                           endpointConfiguration={"types": ["REGIONAL"]})
    api.create_base_path_mapping(domainName="api.sailjada.com", restApiId=_rest_id(aws), stage="prod", basePath="v1")


def damage_domain(aws: Aws) -> None:
    """The mapping removed by hand (a deleted domain comes back with new target names: see the
    module docstring)."""
    aws.client("apigateway").delete_base_path_mapping(domainName="api.sailjada.com", basePath="v1")


def _http_id(aws: Aws) -> str:
    return next(a["ApiId"] for a in aws.client("apigatewayv2").get_apis()["Items"] if a["Name"] == "jada-webhooks")


def seed_http_api(aws: Aws) -> None:
    v2 = aws.client("apigatewayv2")
    api = v2.create_api(Name="jada-webhooks", ProtocolType="HTTP", Description="webhooks")["ApiId"]
    v2.create_stage(ApiId=api, StageName="live", Description="live stage", StageVariables={"QUEUE": "jada-hooks"})


def damage_http_api(aws: Aws) -> None:
    """The description edited and the stage deleted by hand."""
    v2 = aws.client("apigatewayv2")
    api = _http_id(aws)
    v2.update_api(ApiId=api, Description="changed by hand")
    v2.delete_stage(ApiId=api, StageName="live")


EXAMPLES = {
    "rest-api": Example(raw={"id": "abc", "name": "api", "createdDate": "x", "Resources": [{"id": "r1", "path": "/"}],
                             "Authorizers": [], "Deployments": [],
                             "Stages": [{"stageName": "prod", "variables": {"API_KEY": "topsecret"}, "createdDate": "x"}]},
                        seed=seed_rest_api, damage=damage_rest_api),
    "domain": Example(raw={"domainName": "api.x.com", "BasePathMappings": [], "certificateUploadDate": "x"},
                      seed=seed_domain, damage=damage_domain),
    "http-api": Example(raw={"ApiId": "h1", "Name": "h", "ProtocolType": "HTTP", "CreatedDate": "x", "Routes": [],
                             "Integrations": [], "Stages": [{"StageName": "$default", "StageVariables": {"k": "topsecret"}}]},
                        seed=seed_http_api, damage=damage_http_api),
}
