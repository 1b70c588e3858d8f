"""The daily trigger and its queue, through the ``gitsnap`` command: a rule's schedule changed
and a queue deleted show in drift and diff as exactly those two changes, and ``restore --apply``
puts both back."""

from __future__ import annotations

import json

import pytest

from gitsnap.sandbox import estate as sample

pytestmark = pytest.mark.e2e
ONLY = ("--only", "events", "--only", "sqs")  # the services this story touches (the others are empty here)
DLQ_ARN = "arn:aws:sqs:us-east-1:123456789012:jada-orders-dlq"


def seed(endpoint: str) -> None:
    """A daily rule sending to a function and a queue, and the queue with its dead-letter queue."""
    aws = sample.clients(endpoint)
    events, sqs = aws("events"), aws("sqs")
    events.put_rule(Name="jada-daily", ScheduleExpression="cron(0 8 * * ? *)", State="ENABLED", Description="daily report")
    events.put_targets(Rule="jada-daily", Targets=[
        {"Id": "report", "Arn": "arn:aws:lambda:us-east-1:123456789012:function:jada-daily-report",
         "Input": '{"kind": "daily"}', "RetryPolicy": {"MaximumRetryAttempts": 3}},
        {"Id": "orders", "Arn": "arn:aws:sqs:us-east-1:123456789012:jada-orders",
         "InputTransformer": {"InputPathsMap": {"t": "$.time"}, "InputTemplate": '{"at": <t>}'}}])
    sqs.create_queue(QueueName="jada-orders-dlq")
    sqs.create_queue(QueueName="jada-orders", tags={"site": "sailjada"}, Attributes={
        "VisibilityTimeout": "60", "RedrivePolicy": json.dumps({"deadLetterTargetArn": DLQ_ARN, "maxReceiveCount": 5})})


def changes(out: str) -> set[tuple[str, str, str]]:
    return {(c["address"], c["kind"], c["path"]) for c in json.loads(out)["changes"]}


def test_a_changed_schedule_and_a_deleted_queue_are_drift_and_restore_puts_them_back(gitsnap, endpoint):
    seed(endpoint)
    gitsnap("capture", "--tag", "v1", *ONLY)

    aws = sample.clients(endpoint)
    aws("events").put_rule(Name="jada-daily", ScheduleExpression="cron(0 20 * * ? *)", State="ENABLED",
                           Description="daily report")
    sqs = aws("sqs")
    sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName="jada-orders")["QueueUrl"])

    expected = {("events/rule/jada-daily", "changed", "ScheduleExpression"), ("sqs/jada-orders", "removed", "")}
    drift = gitsnap("drift", "v1", *ONLY, "--format", "json", check=False)
    assert drift.code == 1 and changes(drift.out) == expected, drift.out
    gitsnap("capture", "-m", "after the damage", *ONLY)
    diff = gitsnap("diff", "v1", "HEAD", *ONLY, "--format", "json")
    assert changes(diff.out) == expected, diff.out

    applied = gitsnap("restore", "v1", *ONLY, "--apply", "--yes")
    assert applied.code == 0, applied.out
    assert "create             sqs/jada-orders" in applied.out, applied.out  # the plan it applied
    assert 'update             ScheduleExpression  "cron(0 20 * * ? *)" -> "cron(0 8 * * ? *)"' in applied.out

    rule = aws("events").describe_rule(Name="jada-daily")
    assert rule["ScheduleExpression"] == "cron(0 8 * * ? *)"
    assert {t["Id"] for t in aws("events").list_targets_by_rule(Rule="jada-daily")["Targets"]} == {"report", "orders"}
    url = sqs.get_queue_url(QueueName="jada-orders")["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attrs["VisibilityTimeout"] == "60"
    assert json.loads(attrs["RedrivePolicy"]) == {"deadLetterTargetArn": DLQ_ARN, "maxReceiveCount": 5}
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"site": "sailjada"}
    after = gitsnap("drift", "v1", *ONLY, check=False)
    assert after.code == 0 and after.out.startswith("No differences."), after.out
