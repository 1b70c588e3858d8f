"""EventBridge Scheduler: schedule groups (AWS::Scheduler::ScheduleGroup; aws_scheduler_schedule_group)
and schedules (AWS::Scheduler::Schedule; aws_scheduler_schedule).

The ``default`` group exists in every account: it is built in. A schedule's target is a Link
to the function, queue or topic when the snapshot holds it.
"""

from __future__ import annotations

from typing import Any

from ..model import Block, Fields, Link, Resource
from ..spec import Builtin, IacSpec, Out
from .eventbridge import arn_link, tag_list

DEFAULT_GROUP = "default"


def group_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("Name")
    f.computed("Arn", "status")
    if name == DEFAULT_GROUP:
        f.unsupported("Tags", "the default schedule group is not created by CloudFormation: tag it with "
                              "aws scheduler tag-resource")
        raise Builtin("the default schedule group exists in every account")
    out.resource("AWS::Scheduler::ScheduleGroup", {"Name": name, "Tags": tag_list(f.get("Tags"))}, name,
                 identifier={"Name": name})


def group_terraform(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("Name")
    f.computed("Arn", "status")
    if name == DEFAULT_GROUP:
        f.unsupported("Tags", "the default schedule group is not created by Terraform: tag it with "
                              "aws scheduler tag-resource")
        raise Builtin("the default schedule group exists in every account")
    out.block("aws_scheduler_schedule_group", {"name": name, "tags": f.get("Tags") or None}, name, import_id=name)


def _group_link(group: str) -> Any:
    return None if group == DEFAULT_GROUP else Link(f"scheduler/group/{group}", None, group, tf_attr="name")


def _cfn_target(t: dict[str, Any]) -> dict[str, Any]:
    """GetSchedule's target as CloudFormation's: the same names, the ARNs linked. Pure."""
    target = dict(t)
    target["Arn"] = arn_link(t.get("Arn"))
    if t.get("DeadLetterConfig"):
        target["DeadLetterConfig"] = {"Arn": arn_link(t["DeadLetterConfig"].get("Arn"))}
    return target


def schedule_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("Name")
    group = f.get("GroupName") or DEFAULT_GROUP
    f.computed("Arn", "TargetAddress", "status")
    out.resource("AWS::Scheduler::Schedule", {
        "Name": name,
        "GroupName": _group_link(group),
        "Description": f.get("Description"),
        "ScheduleExpression": f.get("ScheduleExpression"),
        "ScheduleExpressionTimezone": f.get("ScheduleExpressionTimezone"),
        "StartDate": f.get("StartDate"),
        "EndDate": f.get("EndDate"),
        "State": f.get("State"),
        "KmsKeyArn": f.get("KmsKeyArn"),
        "FlexibleTimeWindow": f.get("FlexibleTimeWindow"),
        "Target": _cfn_target(f.get("Target") or {}),
        # not in CloudFormation's schema yet: reported when set, below
    }, f"{group}-{name}", identifier={"Name": name})
    if f.get_quiet("ActionAfterCompletion") not in (None, "NONE"):
        f.unsupported("ActionAfterCompletion", "AWS::Scheduler::Schedule has no property for it: set it with "
                                               "aws scheduler update-schedule")
    else:
        f.computed("ActionAfterCompletion")


def _tf_target(t: dict[str, Any], f: Fields) -> Block:
    retry = t.get("RetryPolicy")
    dlq = t.get("DeadLetterConfig")
    sqs = t.get("SqsParameters")
    kinesis = t.get("KinesisParameters")
    bridge = t.get("EventBridgeParameters")
    for key in sorted(k for k in t if k.endswith("Parameters")
                      and k not in ("SqsParameters", "KinesisParameters", "EventBridgeParameters")):
        f.unsupported(f"Target.{key}", "not translated for Terraform yet")
    return Block({
        "arn": arn_link(t.get("Arn")),
        "role_arn": t.get("RoleArn"),
        "input": t.get("Input"),
        "retry_policy": Block({"maximum_event_age_in_seconds": retry.get("MaximumEventAgeInSeconds"),
                               "maximum_retry_attempts": retry.get("MaximumRetryAttempts")}) if retry else None,
        "dead_letter_config": Block({"arn": arn_link(dlq.get("Arn"))}) if dlq else None,
        "sqs_parameters": Block({"message_group_id": sqs.get("MessageGroupId")}) if sqs else None,
        "kinesis_parameters": Block({"partition_key": kinesis.get("PartitionKey")}) if kinesis else None,
        "eventbridge_parameters": Block({"detail_type": bridge.get("DetailType"), "source": bridge.get("Source")})
        if bridge else None,
    })


def schedule_terraform(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("Name")
    group = f.get("GroupName") or DEFAULT_GROUP
    f.computed("Arn", "TargetAddress", "status")
    window = f.get("FlexibleTimeWindow") or {}
    out.block("aws_scheduler_schedule", {
        "name": name,
        "group_name": _group_link(group) or DEFAULT_GROUP,
        "description": f.get("Description"),
        "schedule_expression": f.get("ScheduleExpression"),
        "schedule_expression_timezone": f.get("ScheduleExpressionTimezone"),
        "start_date": f.get("StartDate"),
        "end_date": f.get("EndDate"),
        "state": f.get("State"),
        "kms_key_arn": f.get("KmsKeyArn"),
        "action_after_completion": f.get("ActionAfterCompletion"),
        "flexible_time_window": Block({"mode": window.get("Mode", "OFF"),
                                       "maximum_window_in_minutes": window.get("MaximumWindowInMinutes")}),
        "target": _tf_target(f.get("Target") or {}, f),
    }, f"{group}-{name}", import_id=f"{group}/{name}")


SPECS = {
    "group": IacSpec(
        cloudformation=group_cloudformation, terraform=group_terraform,
        cfn_types=("AWS::Scheduler::ScheduleGroup",), tf_types=("aws_scheduler_schedule_group",),
    ),
    "schedule": IacSpec(
        cloudformation=schedule_cloudformation, terraform=schedule_terraform,
        cfn_types=("AWS::Scheduler::Schedule",), tf_types=("aws_scheduler_schedule",),
    ),
}
