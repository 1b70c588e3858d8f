"""Every supported resource type, by service. One line per service module."""

from __future__ import annotations

from .aws import acm, apigateway, awslambda, cloudfront, dynamodb, iam, rds, route53, s3, ses
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
}


def aws_services() -> frozenset[str]:
    return frozenset(AWS)


def all_types() -> list[ResourceType]:
    return [t for types in AWS.values() for t in types]
