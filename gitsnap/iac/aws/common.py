"""What several service modules write the same way: tags as CloudFormation lists them, an ARN
as a reference to the snapshot resource it names, a resource's reference to itself.

The messaging modules (eventbridge, scheduler, sns, sqs, cloudwatch, logs, secretsmanager) name
each other by ARN, as their collectors share ``collectors/aws/eventbridge/common.py``.
"""

from __future__ import annotations

import re
from typing import Any

from ...collectors.aws.eventbridge.common import arn_address
from ..model import Block, Link, Resource
from ..spec import prune

# What a reference to each captured type's primary resource yields: the CloudFormation attribute
# whose value is the ARN (None: its Ref is the ARN already).
_ARN_ATTR = {"sns": None, "sqs": "Arn", "lambda": "Arn", "events": "Arn"}


def arn_link(arn: str | None) -> Any:
    """*arn* as a :class:`Link` to the snapshot resource it names (an SNS topic, an SQS queue, an
    unqualified Lambda function, an event bus), else the ARN itself. Pure."""
    address = arn_address(arn)
    if not arn or not address:
        return arn
    service = address.split("/", 1)[0]
    if service not in _ARN_ATTR or (service == "lambda" and arn.count(":") != 6):
        return arn  # a function's alias or version: not the function resource's own ARN
    if service == "events" and not address.startswith("events/bus/"):
        return arn
    return Link(address, _ARN_ATTR[service], arn, tf_attr="arn")


def tag_list(tags: dict[str, str] | None) -> list[dict[str, str]]:
    """``{k: v}`` as CloudFormation's ``[{"Key": k, "Value": v}]``, sorted by key. Pure."""
    return [{"Key": k, "Value": v} for k, v in sorted((tags or {}).items())]


def blk(body: dict[str, Any]) -> Block:
    """A nested block without its unset (None, empty) attributes."""
    return Block(prune(body))


def snake(name: str) -> str:
    """``OriginKeepaliveTimeout`` -> ``origin_keepalive_timeout``; ``XSSProtection`` -> ``xss_protection``."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def certificate_link(arn: str | None) -> Any:
    """An ACM certificate ARN as a Link to ``acm/<id>`` (a certificate of the snapshot). Pure."""
    arn = arn or None  # the API's "" for none
    if not arn or ":certificate/" not in arn:
        return arn
    return Link(f"acm/{arn.rsplit('/', 1)[1]}", None, arn, tf_attr="arn")


def name_link(r: Resource, name: str) -> Link:
    """A secondary resource's reference to its snapshot resource's primary one by name
    (``!Ref`` / ``aws_x.y.name``): a policy, filter or target of the resource *r*."""
    return Link(r.address, None, name, tf_attr="name")


def renamed(props: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """CloudFormation *props* under the Terraform attribute names of *names* (CloudFormation
    name -> attribute), in *names*' order; a property not in *names* is not carried. Pure."""
    return {tf: props.get(cfn) for cfn, tf in names.items()}


def tf_retry_and_dlq(target: dict[str, Any]) -> dict[str, Any]:
    """An EventBridge rule's or a schedule's target's retry policy and dead-letter queue as the
    provider's ``retry_policy`` and ``dead_letter_config`` blocks (the APIs share both shapes). Pure."""
    retry = target.get("RetryPolicy")
    dlq = target.get("DeadLetterConfig")
    return {
        "retry_policy": Block({"maximum_event_age_in_seconds": retry.get("MaximumEventAgeInSeconds"),
                               "maximum_retry_attempts": retry.get("MaximumRetryAttempts")}) if retry else None,
        "dead_letter_config": Block({"arn": arn_link(dlq.get("Arn"))}) if dlq else None,
    }
