"""EventBridge and Scheduler capture: pure transforms, and the listing of every event bus."""

from __future__ import annotations

import json

from botocore.stub import Stubber

from gitsnap.collectors.aws import eventbridge, scheduler
from tests import memory
from tests.examples import events as events_example
from tests.examples import scheduler as scheduler_example
from tests.unit.test_messaging_kit import SESSION, document


def test_an_arn_becomes_the_address_gitsnap_captures_it_at():
    address = eventbridge.arn_address
    assert address("arn:aws:lambda:us-east-1:1:function:jada-fn") == "lambda/jada-fn"
    assert address("arn:aws:lambda:us-east-1:1:function:jada-fn:live") == "lambda/jada-fn"  # an alias is the function's
    assert address("arn:aws:sqs:us-east-1:1:jada-orders.fifo") == "sqs/jada-orders.fifo"
    assert address("arn:aws:sns:us-east-1:1:jada-alerts") == "sns/jada-alerts"
    assert address("arn:aws:events:us-east-1:1:event-bus/orders") == "events/bus/orders"
    assert address("arn:aws:events:us-east-1:1:rule/orders/placed") == "events/rule/orders/placed"
    assert address("arn:aws:scheduler:us-east-1:1:schedule/jada/nightly") == "scheduler/schedule/jada/nightly"
    assert address("arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f:*") == "logs//aws/lambda/f"
    assert address("arn:aws:states:us-east-1:1:stateMachine:m") is None  # not a type gitsnap captures
    assert address("arn:aws:sns:us-east-1:1:jada-alerts:2bcfbf39-05c3") is None  # a subscription, not the topic
    assert address("not an arn") is None and address(None) is None


def test_a_rule_document_keeps_its_targets_by_id_with_their_addresses():
    doc = document(eventbridge.RULE, events_example.RULE_RAW)
    assert [t["Id"] for t in doc["Targets"]] == ["audit", "report"]
    report = doc["Targets"][1]
    assert report["Arn"] == events_example.FN and report["ArnAddress"] == "lambda/jada-daily-report"
    assert report["RetryPolicy"] == {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600}
    assert report["DeadLetterConfig"] == {"Arn": events_example.DLQ}
    assert doc["Targets"][0]["InputTransformer"]["InputTemplate"] == '{"at": <t>}'
    assert doc["Tags"] == {"site": "sailjada"} and "CreatedBy" not in doc  # the account, not configuration
    assert eventbridge.RULE.address(eventbridge.rule_id(events_example.RULE_RAW)) == "events/rule/jada-daily"
    assert eventbridge.rule_id({"Name": "placed", "EventBusName": "orders"}) == "orders/placed"


def test_put_rule_gets_the_pattern_as_json_text_and_put_targets_never_sees_gitsnap_fields():
    doc = {"Name": "r", "EventBusName": "orders", "EventPattern": {"source": ["shop"]}, "State": "DISABLED", "Tags": {}}
    params = eventbridge.rule_params(doc)
    assert params == {"Name": "r", "EventBusName": "orders", "EventPattern": '{"source": ["shop"]}', "State": "DISABLED"}
    assert json.loads(params["EventPattern"]) == doc["EventPattern"]
    assert eventbridge.target_params({"Id": "1", "Arn": "a", "ArnAddress": "sqs/q"}) == {"Id": "1", "Arn": "a"}


def test_a_bus_document_has_its_policy_parsed_and_no_timestamps():
    doc = document(eventbridge.BUS, events_example.BUS_RAW)
    assert doc["Policy"]["Statement"][0]["Sid"] == "partner"
    assert "CreationTime" not in doc and "LastModifiedTime" not in doc
    assert doc["Description"] == "shop orders" and doc["Tags"] == {"site": "sailjada"}


def test_rules_are_listed_on_every_event_bus_across_pages():
    """ListEventBuses has no botocore paginator: its NextToken is followed by hand."""
    client = SESSION.create_client("events", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    stub = Stubber(client)
    stub.add_response("list_event_buses", {"EventBuses": [{"Name": "default", "Arn": "a1"}], "NextToken": "t1"}, {})
    stub.add_response("list_event_buses", {"EventBuses": [{"Name": "orders", "Arn": "a2"}]}, {"NextToken": "t1"})
    stub.add_response("list_rules", {"Rules": [{"Name": "daily", "Arn": "r1", "EventBusName": "default"}]},
                      {"EventBusName": "default"})
    stub.add_response("list_rules", {"Rules": [{"Name": "placed", "Arn": "r2"}]}, {"EventBusName": "orders"})
    with stub:
        rules = eventbridge.enumerate_rules(memory.context({"events": client}, unit="aws/1/us-east-1/events"))
    stub.assert_no_pending_responses()
    assert [eventbridge.rule_id(r) for r in rules] == ["daily", "orders/placed"]
    assert rules[1]["EventBusName"] == "orders"  # filled in from the bus it was listed on


def test_a_schedule_document_is_get_schedule_with_its_target_address():
    doc = document(scheduler.SCHEDULE, scheduler_example.SCHEDULE_RAW)
    assert doc["ScheduleExpression"] == "cron(30 2 * * ? *)" and doc["ScheduleExpressionTimezone"] == "America/Los_Angeles"
    assert doc["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}
    assert doc["Target"]["RoleArn"].endswith(":role/jada-scheduler") and doc["Target"]["Input"] == '{"job": "sync"}'
    assert doc["TargetAddress"] == "lambda/jada-nightly-sync"
    assert "CreationDate" not in doc and "LastModificationDate" not in doc
    assert scheduler.SCHEDULE.address(scheduler.SCHEDULE.id(scheduler_example.SCHEDULE_RAW)) == "scheduler/schedule/jada/nightly-sync"


def test_schedule_writes_always_name_the_state_and_group_and_never_gitsnap_fields():
    params = scheduler.schedule_params({"Name": "n", "ScheduleExpression": "rate(1 day)", "FlexibleTimeWindow": {"Mode": "OFF"},
                                        "Target": {"Arn": "a", "RoleArn": "r"}, "TargetAddress": "sqs/q", "Arn": "x"})
    assert params == {"Name": "n", "GroupName": "default", "ScheduleExpression": "rate(1 day)", "State": "ENABLED",
                      "FlexibleTimeWindow": {"Mode": "OFF"}, "Target": {"Arn": "a", "RoleArn": "r"}}


def test_a_schedule_groups_lifecycle_state_is_status():
    doc = document(scheduler.GROUP, scheduler_example.GROUP_RAW)
    assert "State" not in doc and doc["status"] == {"State": "ACTIVE"}
    assert doc["Tags"] == {"site": "sailjada"}
