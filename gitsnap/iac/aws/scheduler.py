"""EventBridge Scheduler: schedule groups (AWS::Scheduler::ScheduleGroup; aws_scheduler_schedule_group)
and schedules (AWS::Scheduler::Schedule; aws_scheduler_schedule).

The ``default`` group exists in every account: it is built in. A schedule's target is a Link
to the function, queue or topic when the snapshot holds it.
"""

from __future__ import annotations

from typing import Any

from ..model import Block, Fields, Link, Resource
from ..spec import Builtin, IacSpec, Out
from .common import arn_link, renamed, tag_list, tf_retry_and_dlq

DEFAULT_GROUP = "default"


def _group(f: Fields, fmt: str) -> str:
    """A group's name; the default group is built in (its tags are set by hand after deploying)."""
    name = f.get("Name")
    f.computed("Arn", "status")
    if name == DEFAULT_GROUP:
        f.unsupported("Tags", f"the default schedule group is not created by {fmt}: tag it with "
                              "aws scheduler tag-resource")
        raise Builtin("the default schedule group exists in every account")
    return name


def group_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name = _group(f, "CloudFormation")
    out.resource("AWS::Scheduler::ScheduleGroup", {"Name": name, "Tags": tag_list(f.get("Tags"))}, name,
                 identifier={"Name": name})


def group_terraform(r: Resource, f: Fields, out: Out) -> None:
    name = _group(f, "Terraform")
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


# Schedule properties both formats take as they are: CloudFormation name -> Terraform attribute.
_TF_SCHEDULE = {"Description": "description", "ScheduleExpression": "schedule_expression",
                "ScheduleExpressionTimezone": "schedule_expression_timezone", "StartDate": "start_date",
                "EndDate": "end_date", "State": "state", "KmsKeyArn": "kms_key_arn"}


def _schedule(f: Fields) -> tuple[str, str, dict[str, Any]]:
    """(name, group, the properties of :data:`_TF_SCHEDULE` under CloudFormation's names)."""
    f.computed("Arn", "TargetAddress", "status")
    return f.get("Name"), f.get("GroupName") or DEFAULT_GROUP, {k: f.get(k) for k in _TF_SCHEDULE}


def schedule_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name, group, props = _schedule(f)
    out.resource("AWS::Scheduler::Schedule", {
        "Name": name,
        "GroupName": _group_link(group),
        **props,
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
        **tf_retry_and_dlq(t),
        "sqs_parameters": Block({"message_group_id": sqs.get("MessageGroupId")}) if sqs else None,
        "kinesis_parameters": Block({"partition_key": kinesis.get("PartitionKey")}) if kinesis else None,
        "eventbridge_parameters": Block({"detail_type": bridge.get("DetailType"), "source": bridge.get("Source")})
        if bridge else None,
    })


def schedule_terraform(r: Resource, f: Fields, out: Out) -> None:
    name, group, props = _schedule(f)
    window = f.get("FlexibleTimeWindow") or {}
    out.block("aws_scheduler_schedule", {
        "name": name,
        "group_name": _group_link(group) or DEFAULT_GROUP,
        **renamed(props, _TF_SCHEDULE),
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
