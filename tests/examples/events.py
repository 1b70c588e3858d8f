"""Examples of EventBridge resources (service ``events``): raw API shapes, seeds and damage."""

from __future__ import annotations

import json

from . import Aws, Example

SERVICE = "events"
ACCOUNT = "123456789012"
FN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:jada-daily-report"
DLQ = f"arn:aws:sqs:us-east-1:{ACCOUNT}:jada-events-dlq"

RULE_RAW = {
    "Name": "jada-daily", "EventBusName": "default", "Arn": f"arn:aws:events:us-east-1:{ACCOUNT}:rule/jada-daily",
    "Rule": {"Name": "jada-daily", "Arn": f"arn:aws:events:us-east-1:{ACCOUNT}:rule/jada-daily", "State": "ENABLED",
             "ScheduleExpression": "cron(0 8 * * ? *)", "EventBusName": "default", "CreatedBy": ACCOUNT},
    "Targets": [{"Id": "report", "Arn": FN, "Input": '{"kind": "daily"}',
                 "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600},
                 "DeadLetterConfig": {"Arn": DLQ}},
                {"Id": "audit", "Arn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:jada-audit",
                 "InputTransformer": {"InputPathsMap": {"t": "$.time"}, "InputTemplate": '{"at": <t>}'}}],
    "Tags": [{"Key": "site", "Value": "sailjada"}],
}
BUS_RAW = {
    "Name": "orders", "Arn": f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/orders",
    "Bus": {"Name": "orders", "Arn": f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/orders", "Description": "shop orders",
            "Policy": {"Version": "2012-10-17", "Statement": [{"Sid": "partner", "Effect": "Allow",
                                                               "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                                                               "Action": "events:PutEvents", "Resource": "*"}]},
            "CreationTime": "2024-01-01T00:00:00Z", "LastModifiedTime": "2024-01-02T00:00:00Z"},
    "Tags": [{"Key": "site", "Value": "sailjada"}],
}


def seed_rule(aws: Aws) -> None:
    events = aws.client("events")
    events.put_rule(Name="jada-daily", ScheduleExpression="cron(0 8 * * ? *)", State="ENABLED",
                    Description="daily report", Tags=[{"Key": "site", "Value": "sailjada"}])
    events.put_targets(Rule="jada-daily", Targets=RULE_RAW["Targets"])
    events.create_event_bus(Name="orders")
    events.put_rule(Name="order-placed", EventBusName="orders", EventPattern=json.dumps({"source": ["shop"]}))


def damage_rule(aws: Aws) -> None:
    events = aws.client("events")
    events.remove_targets(Rule="jada-daily", Ids=["report", "audit"])
    events.delete_rule(Name="jada-daily")
    events.delete_rule(Name="order-placed", EventBusName="orders")


def seed_bus(aws: Aws) -> None:
    events = aws.client("events")
    events.create_event_bus(Name="orders", Description="shop orders", Tags=[{"Key": "site", "Value": "sailjada"}])
    events.put_permission(EventBusName="orders", Action="events:PutEvents", Principal="111122223333", StatementId="partner")


def damage_bus(aws: Aws) -> None:
    aws.client("events").delete_event_bus(Name="orders")


EXAMPLES = {
    "rule": Example(raw=RULE_RAW, seed=seed_rule, damage=damage_rule),
    "bus": Example(raw=BUS_RAW, seed=seed_bus, damage=damage_bus),
}
