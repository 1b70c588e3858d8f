"""API Gateway as code: a REST or HTTP API's tree as its OpenAPI body, its stages (with their
secret variables as parameters), and custom domains with their mappings and certificate."""

from __future__ import annotations

import hcl2

from gitsnap.iac import cloudformation, terraform
from gitsnap.iac.model import JsonEncode, Link
from tests.iac_examples import cfn_lint_errors, emitted

LAMBDA_URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
              "arn:aws:lambda:us-east-1:123456789012:function:jada-event-processor/invocations")
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/9bf54833-4bbe-48e7-90a8-c405885db38f"

REST = {
    "id": "1lkgoqglw1", "name": "jada-bookings-api", "description": "bookings", "apiKeySource": "HEADER",
    "createdDate": "2026-11-30", "disableExecuteApiEndpoint": False, "endpointConfiguration": {"types": ["REGIONAL"]},
    "policy": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke",'
              '"Resource":"*"}]}',
    "tags": {"site": "jada"},
    "Resources": [
        {"id": "root1", "path": "/"},
        {"id": "res1", "parentId": "root1", "path": "/bookings", "pathPart": "bookings", "resourceMethods": {
            "POST": {"httpMethod": "POST", "authorizationType": "AWS_IAM", "apiKeyRequired": True,
                     "requestParameters": {"method.request.header.X-Trace": False},
                     "methodResponses": {"200": {"statusCode": "200"}},
                     "methodIntegration": {"type": "AWS_PROXY", "httpMethod": "POST", "uri": LAMBDA_URI,
                                           "passthroughBehavior": "WHEN_NO_MATCH", "timeoutInMillis": 29000,
                                           "cacheKeyParameters": []}}}},
        {"id": "res2", "parentId": "res1", "path": "/bookings/{id}", "pathPart": "{id}", "resourceMethods": {
            "GET": {"httpMethod": "GET", "authorizationType": "NONE",
                    "requestParameters": {"method.request.path.id": True},
                    "methodIntegration": {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'},
                                          "integrationResponses": {"200": {"statusCode": "200"}}}}}},
    ],
    "Authorizers": [],
    "Deployments": [{"id": "dep1", "description": "v1"}, {"id": "dep0", "description": "old"}],
    "Stages": [{"stageName": "prod", "deploymentId": "dep1", "description": "live", "cacheClusterEnabled": False,
                "tracingEnabled": True, "variables": {"PAYMENT_KEY": "sk_live_abcdef", "TABLE": "bookings"},
                "methodSettings": {"*/*": {"metricsEnabled": True, "loggingLevel": "INFO", "throttlingBurstLimit": 50},
                                   "~1bookings/POST": {"throttlingRateLimit": 5.0}},
                "tags": {"site": "jada"}}],
}

HTTP = {
    "ApiId": "swzxlxzu", "Name": "jada-webhooks", "ProtocolType": "HTTP", "ApiEndpoint": "https://x",
    "RouteSelectionExpression": "$request.method $request.path", "ApiKeySelectionExpression": "$request.header.x-api-key",
    "DisableExecuteApiEndpoint": False, "CreatedDate": "x",
    "CorsConfiguration": {"AllowOrigins": ["https://sailjada.com"], "AllowMethods": ["POST"], "MaxAge": 300},
    "Tags": {"site": "jada"},
    "Routes": [{"RouteId": "r1", "RouteKey": "POST /stripe", "Target": "integrations/i1", "AuthorizationType": "NONE"},
               {"RouteId": "r2", "RouteKey": "$default", "Target": "integrations/i1", "AuthorizationType": "NONE"}],
    "Integrations": [{"IntegrationId": "i1", "IntegrationType": "AWS_PROXY", "IntegrationUri": LAMBDA_URI,
                      "PayloadFormatVersion": "2.0", "TimeoutInMillis": 30000, "ConnectionType": "INTERNET"},
                     {"IntegrationId": "i9", "IntegrationType": "HTTP_PROXY", "IntegrationUri": "https://old.example"}],
    "Stages": [{"StageName": "live", "AutoDeploy": False, "DeploymentId": "d1",
                "DefaultRouteSettings": {"DetailedMetricsEnabled": False, "ThrottlingBurstLimit": 10},
                "RouteSettings": {}, "StageVariables": {"TOKEN": "whsec_abcdef"}, "Tags": {}},
               {"StageName": "$default", "AutoDeploy": True, "DeploymentId": "d2"}],
}

DOMAIN = {
    "domainName": "api.sailjada.com", "certificateArn": CERT, "certificateName": "api", "securityPolicy": "TLS_1_2",
    "endpointConfiguration": {"types": ["EDGE"]}, "distributionDomainName": "d123.cloudfront.net",
    "distributionHostedZoneId": "Z2FDTNDATAQYW2", "domainNameStatus": "AVAILABLE", "certificateUploadDate": "x",
    "tags": {"site": "jada"},
    "BasePathMappings": [{"basePath": "(none)", "restApiId": "1lkgoqglw1", "stage": "prod"},
                         {"basePath": "v2", "restApiId": "1lkgoqglw1", "stage": "prod"}],
}


def test_rest_api_is_an_openapi_body_and_a_deployment_per_stage() -> None:
    e = emitted("apigateway", "rest-api", raw=REST)
    api, deployment = e.out.cfn
    assert (api.type, api.identifier) == ("AWS::ApiGateway::RestApi", {"RestApiId": "1lkgoqglw1"})
    p = api.properties
    assert (p["Name"], p["ApiKeySourceType"], p["EndpointConfiguration"]) == ("jada-bookings-api", "HEADER",
                                                                               {"Types": ["REGIONAL"]})
    assert p["Policy"]["Statement"][0]["Action"] == "execute-api:Invoke"
    paths = p["Body"].value["paths"]
    assert set(paths) == {"/bookings", "/bookings/{id}"}  # the root exists in every API
    post = paths["/bookings"]["post"]
    assert post["x-amazon-apigateway-integration"] == {"type": "aws_proxy", "httpMethod": "POST", "uri": LAMBDA_URI,
                                                       "passthroughBehavior": "when_no_match", "timeoutInMillis": 29000}
    assert post["security"] == [{"sigv4": []}, {"api_key": []}]
    assert post["parameters"] == [{"name": "X-Trace", "in": "header", "required": False, "schema": {"type": "string"}}]
    assert set(p["Body"].value["components"]["securitySchemes"]) == {"sigv4", "api_key"}
    get = paths["/bookings/{id}"]["get"]
    assert get["parameters"][0]["in"] == "path" and get["parameters"][0]["required"] is True
    assert get["x-amazon-apigateway-integration"]["responses"] == {"default": {"statusCode": "200"}}

    assert deployment.type == "AWS::ApiGateway::Deployment"
    d = deployment.properties
    assert d["RestApiId"] == Link("apigateway/1lkgoqglw1", None, "1lkgoqglw1")
    assert (d["StageName"], d["Description"]) == ("prod", "v1")
    s = d["StageDescription"]
    assert s["TracingEnabled"] is True and s["Variables"]["TABLE"].startswith("redacted:")
    assert s["MethodSettings"] == [
        {"ResourcePath": "/*", "HttpMethod": "*", "MetricsEnabled": True, "LoggingLevel": "INFO",
         "ThrottlingBurstLimit": 50},
        {"ResourcePath": "/~1bookings", "HttpMethod": "POST", "ThrottlingRateLimit": 5.0}]
    # dep0 is history no stage uses: said so, not silently dropped
    assert [path for path, _ in e.unused] == ["deployments"]


def test_rest_api_template_passes_cfn_lint_with_stage_variables_as_parameters() -> None:
    rendered = cloudformation.render([emitted("apigateway", "rest-api", raw=REST)], "r" * 40)
    text = rendered.files["cloudformation/123456789012/us-east-1/template.yaml"].decode()
    assert "sk_live_abcdef" not in text and "redacted:" not in text
    assert "RestApiId: !Ref JadaBookingsApiRestApi" in text
    assert cfn_lint_errors(text) == []


def test_rest_api_terraform_imports_api_deployment_stage_and_method_settings() -> None:
    e = emitted("apigateway", "rest-api", "terraform", raw=REST)
    ids = {(b.type, b.import_id) for b in e.out.tf}
    assert ids == {("aws_api_gateway_rest_api", "1lkgoqglw1"), ("aws_api_gateway_deployment", "1lkgoqglw1/dep1"),
                   ("aws_api_gateway_stage", "1lkgoqglw1/prod"),
                   ("aws_api_gateway_method_settings", "1lkgoqglw1/prod/*/*"),
                   ("aws_api_gateway_method_settings", "1lkgoqglw1/prod/bookings/POST")}
    api = e.out.tf[0].body
    assert isinstance(api["body"], JsonEncode) and "/bookings" in api["body"].value["paths"]
    stage = next(b for b in e.out.tf if b.type == "aws_api_gateway_stage").body
    assert (stage["deployment_id"], stage["xray_tracing_enabled"]) == ("dep1", True)
    text = terraform.render([e], "r" * 40).files["terraform/apigateway.tf"].decode()
    assert "sk_live_abcdef" not in text and "redacted:" not in text
    assert "rest_api_id = aws_api_gateway_rest_api.jada_bookings_api.id" in text
    assert len(hcl2.loads(text)["resource"]) == 5


def test_http_api_routes_and_integrations_are_its_body_and_stages_follow() -> None:
    e = emitted("apigateway", "http-api", raw=HTTP)
    api, default, live, deployment = e.out.cfn
    assert (api.type, api.identifier) == ("AWS::ApiGatewayV2::Api", {"ApiId": "swzxlxzu"})
    body = api.properties["Body"].value
    assert body["paths"]["/stripe"]["post"]["x-amazon-apigateway-integration"] == {
        "type": "aws_proxy", "uri": LAMBDA_URI, "payloadFormatVersion": "2.0", "connectionType": "INTERNET",
        "timeoutInMillis": 30000}
    assert "x-amazon-apigateway-any-method" in body["paths"]["$default"]
    assert api.properties["CorsConfiguration"]["AllowOrigins"] == ["https://sailjada.com"]
    assert api.properties["Tags"] == {"site": "jada"}  # a map in ApiGatewayV2
    assert (live.type, live.properties["StageName"], live.properties["AutoDeploy"]) == (
        "AWS::ApiGatewayV2::Stage", "live", False)
    assert "DeploymentId" not in live.properties  # the deployment below points at it
    assert deployment.type == "AWS::ApiGatewayV2::Deployment" and deployment.depends_on == [live.name]
    assert default.properties["AutoDeploy"] is True
    # an integration no route uses has no place in an OpenAPI body: listed, with its id
    assert e.unused == [("Integrations", "integrations no route uses are not written: i9")]
    rendered = cloudformation.render([e], "r" * 40)
    text = rendered.files["cloudformation/123456789012/us-east-1/template.yaml"].decode()
    assert "whsec_abcdef" not in text and "DependsOn:" in text
    assert cfn_lint_errors(text) == []


def test_http_api_terraform_import_ids() -> None:
    e = emitted("apigateway", "http-api", "terraform", raw=HTTP)
    assert [(b.type, b.import_id) for b in e.out.tf] == [
        ("aws_apigatewayv2_api", "swzxlxzu"), ("aws_apigatewayv2_stage", "swzxlxzu/$default"),
        ("aws_apigatewayv2_deployment", "swzxlxzu/d1"), ("aws_apigatewayv2_stage", "swzxlxzu/live")]
    api = e.out.tf[0].body
    assert api["protocol_type"] == "HTTP" and api["cors_configuration"].body["max_age"] == 300
    default = e.out.tf[1].body
    assert "deployment_id" not in default  # moved by every automatic deployment
    hcl2.loads(terraform.render([e], "r" * 40).files["terraform/apigateway.tf"].decode())


def test_domain_links_its_certificate_and_maps_its_apis() -> None:
    e = emitted("apigateway", "domain", raw=DOMAIN)
    domain, root, v2 = e.out.cfn
    assert domain.properties["CertificateArn"] == Link("acm/9bf54833-4bbe-48e7-90a8-c405885db38f", None, CERT,
                                                       tf_attr="arn")
    assert domain.properties["EndpointConfiguration"] == {"Types": ["EDGE"]}
    assert "DistributionDomainName" not in domain.properties  # API Gateway assigns it
    assert root.properties == {"DomainName": Link("apigateway/domain/api.sailjada.com", None, "api.sailjada.com"),
                               "RestApiId": Link("apigateway/1lkgoqglw1", None, "1lkgoqglw1"), "Stage": "prod"}
    assert root.identifier == {"DomainName": "api.sailjada.com", "BasePath": ""}
    assert v2.properties["BasePath"] == "v2"
    assert e.unused == []
    tf = emitted("apigateway", "domain", "terraform", raw=DOMAIN)
    assert [(b.type, b.import_id) for b in tf.out.tf] == [
        ("aws_api_gateway_domain_name", "api.sailjada.com"),
        ("aws_api_gateway_base_path_mapping", "api.sailjada.com/"),
        ("aws_api_gateway_base_path_mapping", "api.sailjada.com/v2")]
    rest = emitted("apigateway", "rest-api", raw=REST)
    text = cloudformation.render([rest, e], "r" * 40).files[
        "cloudformation/123456789012/us-east-1/template.yaml"].decode()
    assert "RestApiId: !Ref JadaBookingsApiRestApi" in text
    assert cfn_lint_errors(text) == []
