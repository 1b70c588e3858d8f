"""SNS topics: AWS::SNS::Topic (+ TopicPolicy, one AWS::SNS::Subscription per subscription);
aws_sns_topic (+ aws_sns_topic_subscription, aws_sns_topic_data_protection_policy).

Subscriptions are their own resources in both formats (an inline ``Subscription`` cannot carry
a filter policy or raw delivery). An endpoint that is a captured queue or function is a Link.
An email, http(s) or SMS subscription made again must be confirmed again by its endpoint.
"""

from __future__ import annotations

from typing import Any

from ..model import Fields, JsonEncode, Link, Resource
from ..spec import IacSpec, Out
from .common import arn_link, renamed, tag_list

# Delivery status logging attributes: prefix -> CloudFormation's protocol name.
_FEEDBACK = {"Application": "application", "Firehose": "firehose", "HTTP": "http/s", "Lambda": "lambda", "SQS": "sqs"}
_FEEDBACK_KEYS = ("SuccessFeedbackRoleArn", "SuccessFeedbackSampleRate", "FailureFeedbackRoleArn")
_DEFAULTS = {"RawMessageDelivery": "false", "FilterPolicyScope": "MessageAttributes"}


def _bool(value: Any) -> Any:
    return value == "true" if isinstance(value, str) else value


def _feedback(f: Fields) -> list[dict[str, Any]]:
    """``LambdaSuccessFeedbackRoleArn``... as CloudFormation's DeliveryStatusLogging entries."""
    out = []
    for prefix, protocol in _FEEDBACK.items():
        entry = {k: f.get(f"Attributes.{prefix}{k}") for k in _FEEDBACK_KEYS}
        if any(entry.values()):
            out.append({"Protocol": protocol, **entry})
    return out


def _self(r: Resource, f: Fields) -> Link:
    return Link(r.address, None, f.get("TopicArn"), tf_attr="arn")


def _plain(attrs: dict[str, Any]) -> bool:
    """Whether a subscription sets nothing beyond SNS's defaults: then it is written inline on the
    topic (``Subscription``), the form every CloudFormation implementation takes; one with a
    filter, raw delivery or a redrive policy is an AWS::SNS::Subscription of its own."""
    return all(k in _DEFAULTS and _DEFAULTS[k] == v for k, v in attrs.items())


def _subscription_endpoint(sub: dict[str, Any]) -> Any:
    return arn_link(sub.get("Endpoint")) if sub.get("Protocol") in ("sqs", "lambda") else sub.get("Endpoint")


def _subscription(me: Link, sub: dict[str, Any]) -> dict[str, Any]:
    """A subscription as AWS::SNS::Subscription's properties (the Terraform builder renames them). Pure."""
    attrs = sub.get("Attributes") or {}
    return {
        "TopicArn": me,
        "Protocol": sub.get("Protocol"),
        "Endpoint": _subscription_endpoint(sub),
        "RawMessageDelivery": _bool(attrs.get("RawMessageDelivery")),
        "FilterPolicy": attrs.get("FilterPolicy"),
        "FilterPolicyScope": attrs.get("FilterPolicyScope"),
        "RedrivePolicy": attrs.get("RedrivePolicy"),
        "DeliveryPolicy": attrs.get("DeliveryPolicy"),
        "SubscriptionRoleArn": attrs.get("SubscriptionRoleArn"),
        "ReplayPolicy": attrs.get("ReplayPolicy"),
    }


# AWS::SNS::Subscription's properties as aws_sns_topic_subscription's attributes.
_TF_SUBSCRIPTION = {"TopicArn": "topic_arn", "Protocol": "protocol", "Endpoint": "endpoint",
                    "RawMessageDelivery": "raw_message_delivery", "FilterPolicy": "filter_policy",
                    "FilterPolicyScope": "filter_policy_scope", "RedrivePolicy": "redrive_policy",
                    "DeliveryPolicy": "delivery_policy", "SubscriptionRoleArn": "subscription_role_arn",
                    "ReplayPolicy": "replay_policy"}
# Those the provider takes as JSON text (CloudFormation as a document).
_TF_JSON = ("filter_policy", "redrive_policy", "delivery_policy", "replay_policy")


def _settings(f: Fields) -> dict[str, Any]:
    """The topic settings both formats take as they are, under CloudFormation's names."""
    a = "Attributes."
    return {
        "TopicName": f.get("Name"),
        "DisplayName": f.get(a + "DisplayName"),
        "KmsMasterKeyId": f.get(a + "KmsMasterKeyId"),
        "FifoTopic": _bool(f.get(a + "FifoTopic")),
        "ContentBasedDeduplication": _bool(f.get(a + "ContentBasedDeduplication")),
        "FifoThroughputScope": f.get(a + "FifoThroughputScope"),
    }


_TF_SETTINGS = {"TopicName": "name", "DisplayName": "display_name", "KmsMasterKeyId": "kms_master_key_id",
                "FifoTopic": "fifo_topic", "ContentBasedDeduplication": "content_based_deduplication",
                "FifoThroughputScope": "fifo_throughput_scope"}


def _json(value: Any) -> Any:
    return JsonEncode(value) if value else None


def topic_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    f.computed("TopicArn", "status", "Attributes.Owner")
    a = "Attributes."
    settings = _settings(f)
    name = settings["TopicName"]
    out.resource("AWS::SNS::Topic", {
        **settings,
        "DataProtectionPolicy": f.get(a + "DataProtectionPolicy"),
        "ArchivePolicy": f.get(a + "ArchivePolicy"),
        "SignatureVersion": f.get(a + "SignatureVersion"),
        "TracingConfig": f.get(a + "TracingConfig"),
        "DeliveryStatusLogging": _feedback(f),
        "Subscription": [{"Protocol": sub.get("Protocol"), "Endpoint": _subscription_endpoint(sub)}
                         for sub in f.get("Subscriptions") or [] if _plain(sub.get("Attributes") or {})],
        "Tags": tag_list(f.get("Tags")),
    }, name, identifier={"TopicArn": f.get("TopicArn")})
    if f.get_quiet(a + "DeliveryPolicy"):
        f.unsupported(a + "DeliveryPolicy", "AWS::SNS::Topic has no property for a topic's delivery policy: set it "
                                            "with aws sns set-topic-attributes --attribute-name DeliveryPolicy")
    me = _self(r, f)
    policy = f.get(a + "Policy")
    if policy:
        out.resource("AWS::SNS::TopicPolicy", {"Topics": [me], "PolicyDocument": policy}, f"{name}-policy")
    for n, sub in enumerate(f.get("Subscriptions") or []):
        if _plain(sub.get("Attributes") or {}):
            continue  # inline on the topic (above)
        out.resource("AWS::SNS::Subscription", _subscription(me, sub), f"{name}-subscription-{n + 1}")


def topic_terraform(r: Resource, f: Fields, out: Out) -> None:
    f.computed("TopicArn", "status", "Attributes.Owner")
    a = "Attributes."
    arn = f.get("TopicArn")
    settings = _settings(f)
    name = settings["TopicName"]
    body: dict[str, Any] = {
        **renamed(settings, _TF_SETTINGS),
        "policy": _json(f.get(a + "Policy")),
        "delivery_policy": _json(f.get(a + "DeliveryPolicy")),
        "archive_policy": _json(f.get(a + "ArchivePolicy")),
        "signature_version": int(f.get(a + "SignatureVersion")) if f.get(a + "SignatureVersion") else None,
        "tracing_config": f.get(a + "TracingConfig"),
        "tags": f.get("Tags") or None,
    }
    for prefix in _FEEDBACK:
        tf = {"Application": "application", "Firehose": "firehose", "HTTP": "http", "Lambda": "lambda",
              "SQS": "sqs"}[prefix]
        body[f"{tf}_success_feedback_role_arn"] = f.get(f"{a}{prefix}SuccessFeedbackRoleArn")
        rate = f.get(f"{a}{prefix}SuccessFeedbackSampleRate")
        body[f"{tf}_success_feedback_sample_rate"] = int(rate) if rate else None
        body[f"{tf}_failure_feedback_role_arn"] = f.get(f"{a}{prefix}FailureFeedbackRoleArn")
    out.block("aws_sns_topic", body, name, import_id=arn)
    me = _self(r, f)
    protection = f.get(a + "DataProtectionPolicy")
    if protection:
        out.block("aws_sns_topic_data_protection_policy", {"arn": me, "policy": JsonEncode(protection)}, name,
                  import_id=arn)
    for n, sub in enumerate(f.get("Subscriptions") or []):
        body = renamed(_subscription(me, sub), _TF_SUBSCRIPTION)
        # No import id: a subscription's ARN is not kept (it changes each time it is made).
        out.block("aws_sns_topic_subscription", {k: _json(v) if k in _TF_JSON else v for k, v in body.items()},
                  f"{name}-subscription-{n + 1}")


SPECS = {
    "topic": IacSpec(
        cloudformation=topic_cloudformation, terraform=topic_terraform,
        cfn_types=("AWS::SNS::Topic", "AWS::SNS::TopicPolicy", "AWS::SNS::Subscription"),
        tf_types=("aws_sns_topic", "aws_sns_topic_subscription", "aws_sns_topic_data_protection_policy"),
        tf_no_import=("aws_sns_topic_subscription",),  # its ARN is not kept (it changes on each subscribe)
    ),
}
