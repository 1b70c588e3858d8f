"""Every supported resource type, by service. One line per service module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..config import Config
from .aws import (
    acm,
    apigateway,
    awslambda,
    cloudfront,
    cloudwatch,
    dynamodb,
    eventbridge,
    iam,
    lightsail,
    logs,
    rds,
    route53,
    s3,
    scheduler,
    secretsmanager,
    ses,
    sns,
    sqs,
    ssm,
    wafv2,
)
from .gas import projects as gas_projects
from .local import files as local_files
from .spec import ResourceType

AWS: dict[str, tuple[ResourceType, ...]] = {
    "s3": s3.TYPES,
    "cloudfront": cloudfront.TYPES,
    "lambda": awslambda.TYPES,
    "route53": route53.TYPES,
    "dynamodb": dynamodb.TYPES,
    "iam": iam.TYPES,
    "apigateway": apigateway.TYPES,
    "ses": ses.TYPES,
    "acm": acm.TYPES,
    "rds": rds.TYPES,
    "lightsail": lightsail.TYPES,
    "wafv2": wafv2.TYPES,
    "events": eventbridge.TYPES,
    "scheduler": scheduler.TYPES,
    "ssm": ssm.TYPES,
    "secretsmanager": secretsmanager.TYPES,
    "sns": sns.TYPES,
    "sqs": sqs.TYPES,
    "cloudwatch": cloudwatch.TYPES,
    "logs": logs.TYPES,
}


# Providers outside AWS: one unit each, present when the config names something to read.
OTHER: dict[str, tuple[ResourceType, ...]] = {
    "gas": gas_projects.TYPES,
    "local": local_files.TYPES,
}


def aws_services() -> frozenset[str]:
    return frozenset(AWS)


def other_services() -> frozenset[str]:
    return frozenset(OTHER)


def configured(service: str, config: Config) -> bool:
    section = config.raw.get(service, {})
    if service == "local":
        return bool(section.get("paths") or section.get("env_files"))
    return bool(section.get("projects"))


def client_factory(service: str, config: Config) -> Callable[..., Any]:
    if service == "gas":
        return gas_projects.client_factory(config)

    def no_client(*_args: Any) -> Any:
        raise TypeError(f"{service} collectors make no API calls")

    return no_client


def all_types() -> list[ResourceType]:
    return [t for types in (*AWS.values(), *OTHER.values()) for t in types]


def configured_services(config: Config) -> tuple[str, ...]:
    """Every service a capture with no ``--only`` reads: ``[aws] services`` (else every AWS
    service), and each other provider the configuration names something for."""
    aws = config.services or tuple(sorted(AWS))
    return tuple(sorted({*aws, *(s for s in OTHER if configured(s, config))}))


def type_of(service: str, type_: str) -> ResourceType | None:
    """The registered type *service*/*type_* (as a manifest records them), or None."""
    return next((t for t in (*AWS.get(service, ()), *OTHER.get(service, ())) if t.type == type_), None)
