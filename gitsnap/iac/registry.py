"""Every service's IaC specs. One line per service module, imported when first asked for."""

from __future__ import annotations

import importlib

from .spec import IacSpec

# One line per service: its registered name (collectors/registry.py) and the module of its SPECS.
MODULES = {
    "s3": ".aws.s3",
    "cloudfront": ".aws.cloudfront",
    "lambda": ".aws.awslambda",
    "route53": ".aws.route53",
    "dynamodb": ".aws.dynamodb",
    "iam": ".aws.iam",
    "apigateway": ".aws.apigateway",
    "ses": ".aws.ses",
    "acm": ".aws.acm",
    "rds": ".aws.rds",
    "lightsail": ".aws.lightsail",
    "wafv2": ".aws.wafv2",
    "events": ".aws.eventbridge",
    "scheduler": ".aws.scheduler",
    "ssm": ".aws.ssm",
    "secretsmanager": ".aws.secretsmanager",
    "sns": ".aws.sns",
    "sqs": ".aws.sqs",
    "cloudwatch": ".aws.cloudwatch",
    "logs": ".aws.logs",
}

# Services that are not AWS resources: no format has a type for them.
NOT_AWS = {
    "gas": "Apps Script projects are not AWS resources: neither CloudFormation nor the AWS provider "
           "has a type for them (gitsnap restore puts their files back)",
    "local": "local files are not cloud resources (gitsnap restore puts them back)",
}

_loaded: dict[str, dict[str, IacSpec]] = {}


def specs_of(service: str) -> dict[str, IacSpec]:
    """A service's specs by type name; empty for a service with no module (yet)."""
    if service not in _loaded:
        module = MODULES.get(service)
        try:
            _loaded[service] = importlib.import_module(module, __package__).SPECS if module else {}
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}{module}":
                raise
            _loaded[service] = {}
    return _loaded[service]


def spec_for(service: str, type_: str) -> IacSpec | None:
    return specs_of(service).get(type_)


def why_none(service: str, type_: str) -> str:
    """Why a type has no spec at all: the line COVERAGE.md gives."""
    return NOT_AWS.get(service) or f"gitsnap cannot yet write {service} {type_} resources as code"
