"""SQS queues: AWS::SQS::Queue (+ QueuePolicy); aws_sqs_queue.

Attributes are strings in the API and typed in both formats (``"60"`` -> 60, ``"true"`` ->
true). A redrive policy's dead-letter queue is a Link to that queue when the snapshot holds
it; a redrive-allow policy's source queues stay ARNs (linking both ways would make a cycle).
"""

from __future__ import annotations

from typing import Any

from ..model import Fields, JsonEncode, Link, Resource
from ..spec import IacSpec, Out
from .common import arn_link, tag_list

_INTS = ("DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds",
         "VisibilityTimeout", "KmsDataKeyReusePeriodSeconds")
_BOOLS = ("FifoQueue", "ContentBasedDeduplication", "SqsManagedSseEnabled")
_STRINGS = ("DeduplicationScope", "FifoThroughputLimit", "KmsMasterKeyId")
_TF = {"DelaySeconds": "delay_seconds", "MaximumMessageSize": "max_message_size",
       "MessageRetentionPeriod": "message_retention_seconds", "ReceiveMessageWaitTimeSeconds": "receive_wait_time_seconds",
       "VisibilityTimeout": "visibility_timeout_seconds", "KmsDataKeyReusePeriodSeconds": "kms_data_key_reuse_period_seconds",
       "FifoQueue": "fifo_queue", "ContentBasedDeduplication": "content_based_deduplication",
       "SqsManagedSseEnabled": "sqs_managed_sse_enabled", "DeduplicationScope": "deduplication_scope",
       "FifoThroughputLimit": "fifo_throughput_limit", "KmsMasterKeyId": "kms_master_key_id"}


def queue_url(r: Resource, name: str) -> str:
    """The queue's URL (not stored: it is made of the region, account and name)."""
    return f"https://sqs.{r.region}.amazonaws.com/{r.account}/{name}"


def _typed(f: Fields) -> dict[str, Any]:
    """The scalar attributes, typed, under their API names."""
    out: dict[str, Any] = {}
    for key in (*_INTS, *_BOOLS, *_STRINGS):
        value = f.get(f"Attributes.{key}")
        if value is None or value == "":
            continue
        if key in _INTS:
            out[key] = int(value)
        elif key in _BOOLS:
            out[key] = value == "true" if isinstance(value, str) else bool(value)
        else:
            out[key] = value
    return out


def _redrive(f: Fields) -> dict[str, Any] | None:
    policy = f.get("Attributes.RedrivePolicy")
    if not policy:
        return None
    dlq = policy.get("deadLetterTargetArn")
    count = policy.get("maxReceiveCount")
    return {**policy, "deadLetterTargetArn": arn_link(dlq),
            "maxReceiveCount": int(count) if isinstance(count, str) and count.isdigit() else count}


def queue_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("Name")
    f.computed("Attributes.QueueArn", "status")
    out.resource("AWS::SQS::Queue", {
        "QueueName": name,
        **_typed(f),
        "RedrivePolicy": _redrive(f),
        "RedriveAllowPolicy": f.get("Attributes.RedriveAllowPolicy"),
        "Tags": tag_list(f.get("Tags")),
    }, name, identifier={"QueueUrl": queue_url(r, name)})
    policy = f.get("Attributes.Policy")
    if policy:
        out.resource("AWS::SQS::QueuePolicy", {
            "Queues": [Link(r.address, None, queue_url(r, name), tf_attr="id")], "PolicyDocument": policy,
        }, f"{name}-policy")


def queue_terraform(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("Name")
    f.computed("Attributes.QueueArn", "status")
    redrive = _redrive(f)
    allow = f.get("Attributes.RedriveAllowPolicy")
    policy = f.get("Attributes.Policy")
    out.block("aws_sqs_queue", {
        "name": name,
        **{_TF[k]: v for k, v in _typed(f).items()},
        "redrive_policy": JsonEncode(redrive) if redrive else None,
        "redrive_allow_policy": JsonEncode(allow) if allow else None,
        "policy": JsonEncode(policy) if policy else None,
        "tags": f.get("Tags") or None,
    }, name, import_id=queue_url(r, name))


SPECS = {
    "queue": IacSpec(
        cloudformation=queue_cloudformation, terraform=queue_terraform,
        cfn_types=("AWS::SQS::Queue", "AWS::SQS::QueuePolicy"), tf_types=("aws_sqs_queue",),
    ),
}
