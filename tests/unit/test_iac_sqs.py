"""SQS queues as code: typed attributes, the queue policy, the dead-letter queue as a link."""

from __future__ import annotations

from gitsnap.iac import cloudformation
from gitsnap.iac.model import JsonEncode, Link
from tests.iac_examples import cfn_lint_errors, emitted

URL = "https://sqs.us-east-1.amazonaws.com/123456789012/jada-orders"
DLQ = "arn:aws:sqs:us-east-1:123456789012:jada-orders-dlq"


def test_a_queue_with_typed_attributes_its_policy_and_a_linked_dead_letter_queue() -> None:
    e = emitted("sqs", "queue")
    assert [r.type for r in e.out.cfn] == ["AWS::SQS::Queue", "AWS::SQS::QueuePolicy"]
    queue, policy = e.out.cfn
    assert queue.identifier == {"QueueUrl": URL}
    p = queue.properties
    assert (p["QueueName"], p["VisibilityTimeout"], p["MessageRetentionPeriod"], p["DelaySeconds"]) == (
        "jada-orders", 60, 345600, 0)
    assert p["SqsManagedSseEnabled"] is True
    assert p["RedrivePolicy"] == {"deadLetterTargetArn": Link("sqs/jada-orders-dlq", "Arn", DLQ, tf_attr="arn"),
                                  "maxReceiveCount": 5}
    assert policy.properties["Queues"] == [Link("sqs/jada-orders", None, URL, tf_attr="id")]
    assert policy.properties["PolicyDocument"]["Statement"][0]["Action"] == "sqs:SendMessage"
    assert e.unused == []
    template = next(b for path, b in cloudformation.render([e], "r").files.items() if path.endswith(".yaml"))
    assert cfn_lint_errors(template) == []


def test_a_queue_in_terraform_is_imported_by_its_url() -> None:
    e = emitted("sqs", "queue", "terraform")
    block = e.out.tf[0]
    assert (block.type, block.import_id) == ("aws_sqs_queue", URL)
    b = block.body
    assert (b["visibility_timeout_seconds"], b["message_retention_seconds"], b["sqs_managed_sse_enabled"]) == (
        60, 345600, True)
    assert b["redrive_policy"] == JsonEncode({"deadLetterTargetArn": Link("sqs/jada-orders-dlq", "Arn", DLQ,
                                                                          tf_attr="arn"), "maxReceiveCount": 5})
    assert isinstance(b["policy"], JsonEncode) and b["tags"] == {"site": "sailjada"}
    assert e.unused == []


def test_a_fifo_queue_keeps_its_fifo_settings() -> None:
    raw = {"QueueUrl": URL + ".fifo", "Attributes": {
        "QueueArn": "arn:aws:sqs:us-east-1:123456789012:jada-orders.fifo", "FifoQueue": "true",
        "ContentBasedDeduplication": "true", "DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId",
        "RedriveAllowPolicy": {"redrivePermission": "allowAll"}}, "Tags": {}}
    e = emitted("sqs", "queue", raw=raw)
    p = e.out.cfn[0].properties
    assert p["FifoQueue"] is True and p["DeduplicationScope"] == "messageGroup"
    assert p["RedriveAllowPolicy"] == {"redrivePermission": "allowAll"}
    assert e.unused == []
