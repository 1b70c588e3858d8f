"""EventBridge as code: buses (the default one built in unless it has a policy) and rules with targets."""

from __future__ import annotations

from typing import Any

from gitsnap.iac import cloudformation
from gitsnap.iac.model import JsonEncode, Link
from gitsnap.iac.run import build
from gitsnap.iac.spec import Emitted
from tests.iac_examples import cfn_lint_errors, emitted, example_resource

POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
     "Action": "events:PutEvents", "Resource": "arn:aws:events:us-east-1:123456789012:event-bus/default"}]}
RULE = {
    "Rule": {"Name": "order-placed", "Arn": "arn:aws:events:us-east-1:123456789012:rule/orders/order-placed",
             "EventPattern": {"source": ["shop"], "detail-type": ["order placed"]}, "State": "ENABLED",
             "Description": "orders to the processor", "EventBusName": "orders"},
    "Name": "order-placed", "EventBusName": "orders",
    "Targets": [{"Id": "processor", "Arn": "arn:aws:lambda:us-east-1:123456789012:function:jada-event-processor"},
                {"Id": "audit", "Arn": "arn:aws:sqs:us-east-1:123456789012:jada-audit",
                 "SqsParameters": {"MessageGroupId": "orders"}}],
    "Tags": [],
}


def _lint(*items: Emitted) -> list[str]:
    files = cloudformation.render(list(items), "r").files
    return [err for path, body in files.items() if path.endswith(".yaml") for err in cfn_lint_errors(body)]


def test_a_bus_keeps_its_description_policy_and_tags() -> None:
    e = emitted("events", "bus")
    res = e.out.cfn[0]
    assert res.type == "AWS::Events::EventBus" and res.identifier == {"Name": "orders"}
    assert res.properties["Description"] == "shop orders"
    assert res.properties["Policy"]["Statement"][0]["Sid"] == "partner"
    assert res.properties["Tags"] == [{"Key": "site", "Value": "sailjada"}]
    assert e.unused == [] and _lint(e) == []
    tf = emitted("events", "bus", "terraform").out.tf
    assert [(b.type, b.import_id) for b in tf] == [("aws_cloudwatch_event_bus", "orders"),
                                                   ("aws_cloudwatch_event_bus_policy", "orders")]
    assert tf[1].body["event_bus_name"] == Link("events/bus/orders", None, "orders", tf_attr="name")
    assert isinstance(tf[1].body["policy"], JsonEncode)


def _default_bus(policy: Any = None) -> dict[str, Any]:
    bus: dict[str, Any] = {"Name": "default", "Arn": "arn:aws:events:us-east-1:123456789012:event-bus/default"}
    if policy:
        bus["Policy"] = policy  # parsed by the capture's detail read
    return {"Name": "default", "Bus": bus, "Tags": []}


def test_the_default_bus_is_built_in() -> None:
    for fmt in ("cloudformation", "terraform"):
        assert build(example_resource("events", "bus", raw=_default_bus()), fmt)[0] == "built in"


def test_the_default_bus_with_a_policy_gets_only_its_policy() -> None:
    e = build(example_resource("events", "bus", raw=_default_bus(POLICY)), "cloudformation")
    assert [r.type for r in e.out.cfn] == ["AWS::Events::EventBusPolicy"]
    props = e.out.cfn[0].properties
    assert props["EventBusName"] == "default" and props["StatementId"] == "partner"
    assert props["Statement"]["Action"] == "events:PutEvents" and "Sid" not in props["Statement"]
    assert _lint(e) == []
    tf = build(example_resource("events", "bus", raw=_default_bus(POLICY)), "terraform").out.tf
    assert [(b.type, b.import_id, b.body["event_bus_name"]) for b in tf] == [
        ("aws_cloudwatch_event_bus_policy", "default", "default")]


def test_a_rule_keeps_its_schedule_and_targets() -> None:
    e = emitted("events", "rule")
    props = e.out.cfn[0].properties
    assert props["ScheduleExpression"] == "cron(0 8 * * ? *)" and "EventBusName" not in props  # the default bus
    targets = {t["Id"]: t for t in props["Targets"]}
    assert targets["audit"]["InputTransformer"]["InputTemplate"] == '{"at": <t>}'
    assert "ArnAddress" not in targets["report"]
    assert targets["report"]["Arn"] == Link("lambda/jada-daily-report", "Arn",
                                            "arn:aws:lambda:us-east-1:123456789012:function:jada-daily-report",
                                            tf_attr="arn")
    assert targets["report"]["RetryPolicy"] == {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600}
    assert e.unused == [] and _lint(e) == []


def test_a_rule_on_another_bus_links_the_bus_and_its_targets() -> None:
    e = build(example_resource("events", "rule", raw=RULE), "cloudformation")
    props = e.out.cfn[0].properties
    assert props["EventBusName"] == Link("events/bus/orders", "Name", "orders", tf_attr="name")
    assert props["EventPattern"] == {"source": ["shop"], "detail-type": ["order placed"]}
    assert {t["Id"]: t["Arn"].address for t in props["Targets"]} == {"processor": "lambda/jada-event-processor",
                                                                     "audit": "sqs/jada-audit"}
    assert e.unused == [] and _lint(e) == []


def test_a_rule_in_terraform_is_a_rule_and_one_target_block_each_with_provider_import_ids() -> None:
    e = build(example_resource("events", "rule", raw=RULE), "terraform")
    assert [(b.type, b.import_id) for b in e.out.tf] == [
        ("aws_cloudwatch_event_rule", "orders/order-placed"),
        ("aws_cloudwatch_event_target", "orders/order-placed/audit"),
        ("aws_cloudwatch_event_target", "orders/order-placed/processor")]
    rule, audit, _ = e.out.tf
    assert isinstance(rule.body["event_pattern"], JsonEncode)
    assert audit.body["rule"] == Link("events/rule/orders/order-placed", None, "order-placed", tf_attr="name")
    assert audit.body["sqs_target"].body == {"message_group_id": "orders"}
    default = emitted("events", "rule", "terraform").out.tf
    assert default[0].import_id == "jada-daily" and default[1].import_id == "default/jada-daily/audit"


def test_a_rule_managed_by_another_service_is_left_out() -> None:
    raw = {**RULE, "Rule": {**RULE["Rule"], "ManagedBy": "schemas.amazonaws.com"}}
    verdict, why = build(example_resource("events", "rule", raw=raw), "cloudformation")
    assert verdict == "left out" and "schemas.amazonaws.com" in why
