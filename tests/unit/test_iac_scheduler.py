"""EventBridge Scheduler as code: groups (the default one built in) and schedules."""

from __future__ import annotations

from gitsnap.iac import cloudformation
from gitsnap.iac.model import Link
from gitsnap.iac.run import build
from tests.iac_examples import cfn_lint_errors, emitted, example_resource

DLQ = "arn:aws:sqs:us-east-1:123456789012:jada-schedules-dlq"


def test_a_group_keeps_its_tags_and_the_default_group_is_built_in() -> None:
    e = emitted("scheduler", "group")
    assert e.out.cfn[0].type == "AWS::Scheduler::ScheduleGroup"
    assert e.out.cfn[0].properties == {"Name": "jada", "Tags": [{"Key": "site", "Value": "sailjada"}]}
    assert e.unused == []
    tf = emitted("scheduler", "group", "terraform").out.tf[0]
    assert (tf.type, tf.import_id, tf.body) == ("aws_scheduler_schedule_group", "jada",
                                                {"name": "jada", "tags": {"site": "sailjada"}})
    raw = {"Name": "default", "Group": {"Name": "default", "Arn": "arn:aws:scheduler:us-east-1:1:schedule-group/default",
                                        "State": "ACTIVE"}, "Tags": []}
    for fmt in ("cloudformation", "terraform"):
        assert build(example_resource("scheduler", "group", raw=raw), fmt)[0] == "built in"


def test_a_schedule_keeps_its_expression_window_and_target() -> None:
    e = emitted("scheduler", "schedule")
    res = e.out.cfn[0]
    p = res.properties
    assert res.type == "AWS::Scheduler::Schedule" and res.identifier == {"Name": "nightly-sync"}
    assert p["GroupName"] == Link("scheduler/group/jada", None, "jada", tf_attr="name")
    assert (p["ScheduleExpression"], p["ScheduleExpressionTimezone"]) == ("cron(30 2 * * ? *)", "America/Los_Angeles")
    assert p["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}
    assert p["Target"]["Arn"].address == "lambda/jada-nightly-sync"
    assert p["Target"]["RoleArn"] == "arn:aws:iam::123456789012:role/jada-scheduler"
    assert p["Target"]["RetryPolicy"] == {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 3600}
    assert e.unused == []
    files = cloudformation.render([e, emitted("scheduler", "group")], "r").files
    assert [err for path, b in files.items() if path.endswith(".yaml") for err in cfn_lint_errors(b)] == []


def test_a_schedule_in_terraform_is_imported_by_group_and_name() -> None:
    raw = {"Name": "cleanup", "Schedule": {
        "Name": "cleanup", "GroupName": "default", "Arn": "arn:aws:scheduler:us-east-1:123456789012:schedule/default/cleanup",
        "ScheduleExpression": "rate(1 day)", "State": "DISABLED", "FlexibleTimeWindow": {"Mode": "OFF"},
        "ActionAfterCompletion": "NONE",
        "Target": {"Arn": "arn:aws:sqs:us-east-1:123456789012:jada-cleanup", "RoleArn": "arn:aws:iam::123456789012:role/r",
                   "SqsParameters": {"MessageGroupId": "g"}, "DeadLetterConfig": {"Arn": DLQ}}}}
    e = build(example_resource("scheduler", "schedule", raw=raw), "terraform")
    block = e.out.tf[0]
    assert (block.type, block.import_id) == ("aws_scheduler_schedule", "default/cleanup")
    assert block.body["group_name"] == "default"
    assert block.body["flexible_time_window"].body["mode"] == "OFF"
    target = block.body["target"].body
    assert target["arn"].address == "sqs/jada-cleanup"
    assert target["sqs_parameters"].body == {"message_group_id": "g"}
    assert target["dead_letter_config"].body["arn"].address == "sqs/jada-schedules-dlq"
    assert e.unused == []
    cfn = build(example_resource("scheduler", "schedule", raw=raw), "cloudformation")
    assert "GroupName" not in cfn.out.cfn[0].properties  # the default group
    assert cfn.unused == []
