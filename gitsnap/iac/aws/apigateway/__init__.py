"""API Gateway: REST APIs, HTTP APIs and custom domain names.

A REST or HTTP API's resources, methods, routes and integrations are written as its OpenAPI
definition (``Body``; Terraform ``body = jsonencode(...)``), with API Gateway's extensions
(``x-amazon-apigateway-integration``): API Gateway builds the whole tree from it on create, so
no resource has to name an id another gets only when deployed. Each stage follows: for a REST
API, a deployment that creates its stage (CloudFormation) or a deployment and a stage
(Terraform, which imports both); for an HTTP API, the stage itself.

Stage variables are secrets in a snapshot: the writers turn each into a NoEcho parameter or a
sensitive variable.

Modules: ``openapi`` (the bodies), ``rest``, ``http`` (HTTP and WebSocket APIs), ``domain``
(custom domain names and base path mappings), ``common`` (field names in each format).
"""

from __future__ import annotations

from ...spec import IacSpec
from .domain import domain_cloudformation, domain_terraform
from .http import http_api_cloudformation, http_api_terraform
from .rest import rest_api_cloudformation, rest_api_terraform

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
