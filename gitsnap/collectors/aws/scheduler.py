"""EventBridge Scheduler: schedule groups and their schedules (the daily triggers).

ListSchedules gives only a summary, so each schedule is read with ``GetSchedule`` (one call
per schedule): expression, timezone, flexible window, start and end, target (with its role,
input, retry policy and dead-letter queue) and state. A schedule's address is
``scheduler/schedule/GROUP/NAME``; its document gains ``TargetAddress``, the gitsnap address of
the target where gitsnap captures that type. Schedules have no tags; groups do.

Restore: ``CreateSchedule``, and ``UpdateSchedule`` with the whole snapshot configuration
(UpdateSchedule replaces every field, so a field left out would be reset); groups with
``CreateScheduleGroup`` and tags. The ``default`` group always exists: it is never created or
deleted.
"""

from __future__ import annotations

from typing import Any

from ..restoring import Operation, RestoreContext, Unrestorable
from ..spec import Call, Detail, Raw, ResourceType, Restorer
from .eventbridge import (
    arn_address,
    by_hand,
    change_lines,
    first_runs,
    sealed_guard,
    tag_list,
    tag_ops,
)
from .shapes import tag_map

DEFAULT_GROUP = "default"
SCHEDULE_FIELDS = ("Name", "GroupName", "ScheduleExpression", "ScheduleExpressionTimezone", "Description",
                   "StartDate", "EndDate", "State", "KmsKeyArn", "FlexibleTimeWindow", "Target",
                   "ActionAfterCompletion")


def transform_schedule(raw: Raw) -> Raw:
    schedule = dict(raw.get("Schedule") or {})
    target = schedule.get("Target") or {}
    return {**schedule, "TargetAddress": arn_address(target.get("Arn"))}


def transform_group(raw: Raw) -> Raw:
    return {**(raw.get("Group") or {}), "Tags": tag_map(raw.get("Tags"))}


def schedule_params(doc: Raw) -> dict[str, Any]:
    """CreateSchedule/UpdateSchedule parameters: every configured field of the document. Pure.

    ``State`` is always sent: UpdateSchedule without it enables the schedule."""
    params = {f: doc[f] for f in SCHEDULE_FIELDS if doc.get(f) is not None}
    params.setdefault("State", "ENABLED")
    params.setdefault("GroupName", DEFAULT_GROUP)
    return params


# -- restore -----------------------------------------------------------------------------------

def create_schedule(ctx: RestoreContext, address: str) -> list[Operation]:
    want = ctx.want(address)
    client = ctx.client("scheduler", address)
    params = schedule_params(want)
    return [Operation(address, "create", address,
                      f"{want.get('ScheduleExpression')} {want.get('ScheduleExpressionTimezone') or 'UTC'}, "
                      f"{params['State']} -> {want.get('TargetAddress') or (want.get('Target') or {}).get('Arn')}",
                      run=lambda: client.create_schedule(**params))]


def update_schedule(ctx: RestoreContext, address: str) -> list[Operation]:
    want, have = ctx.want(address), ctx.have(address)
    client = ctx.client("scheduler", address)
    pick = lambda d: {f: d.get(f) for f in SCHEDULE_FIELDS}  # noqa: E731
    return (first_runs(change_lines(ctx, address, pick(have), pick(want)),
                       lambda: client.update_schedule(**schedule_params(want)))
            + by_hand(ctx, address, have, want, (*SCHEDULE_FIELDS, "Arn", "TargetAddress")))


def delete_schedule(ctx: RestoreContext, address: str) -> list[Operation]:
    have = ctx.have(address)
    client = ctx.client("scheduler", address)
    return [Operation(address, "delete", address,
                      run=lambda: client.delete_schedule(Name=have["Name"], GroupName=have.get("GroupName") or DEFAULT_GROUP))]


def create_group(ctx: RestoreContext, address: str) -> list[Operation]:
    want = ctx.want(address)
    if want["Name"] == DEFAULT_GROUP:  # it cannot be missing live: the service makes it
        raise Unrestorable(Operation(address, "cannot-restore", address, "the default schedule group is AWS's own"))
    client = ctx.client("scheduler", address)
    params = {"Name": want["Name"], **({"Tags": tag_list(want["Tags"])} if want.get("Tags") else {})}
    return [Operation(address, "create", address, run=lambda: client.create_schedule_group(**params))]


def update_group(ctx: RestoreContext, address: str) -> list[Operation]:
    want, have = ctx.want(address), ctx.have(address)
    client = ctx.client("scheduler", address)
    arn = want["Arn"]
    return by_hand(ctx, address, have, want, ("Name", "Arn", "Tags")) + tag_ops(ctx, address, want.get("Tags"), have.get("Tags"),
                   lambda t: client.tag_resource(ResourceArn=arn, Tags=tag_list(t)),
                   lambda keys: client.untag_resource(ResourceArn=arn, TagKeys=keys))


def delete_group(ctx: RestoreContext, address: str) -> list[Operation]:
    have = ctx.have(address)
    if have["Name"] == DEFAULT_GROUP:
        raise Unrestorable(Operation(address, "cannot-restore", address, "the default schedule group cannot be deleted"))
    client = ctx.client("scheduler", address)
    return [Operation(address, "delete", address, "and every schedule in it",
                      run=lambda: client.delete_schedule_group(Name=have["Name"]))]


# -- types -------------------------------------------------------------------------------------

SCHEDULE = ResourceType(
    service="scheduler", type="schedule", scope="regional", client="scheduler", primary=False,
    list=Call("list_schedules", result="Schedules", paginate=True),
    id=lambda r: f"{r.get('GroupName') or DEFAULT_GROUP}/{r['Name']}",
    details=(
        Detail("Schedule", Call("get_schedule", params=lambda r: {"Name": r["Name"], "GroupName": r.get("GroupName") or DEFAULT_GROUP},
                                identity=True, required=("Name", "Arn", "ScheduleExpression", "Target"))),
    ),
    transform=transform_schedule,
    volatile=("CreationDate", "LastModificationDate"),
    schema="aws.scheduler.schedule",
    permissions=("scheduler:ListSchedules", "scheduler:GetSchedule"),
    restore=Restorer(
        create=sealed_guard(create_schedule), update=sealed_guard(update_schedule), delete=delete_schedule, rank=55,
        permissions=("scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule", "iam:PassRole"),
    ),
)

GROUP = ResourceType(
    service="scheduler", type="group", scope="regional", client="scheduler", primary=False,
    list=Call("list_schedule_groups", result="ScheduleGroups", paginate=True),
    id=lambda r: r["Name"],
    details=(
        Detail("Group", Call("get_schedule_group", params=lambda r: {"Name": r["Name"]}, identity=True,
                             required=("Name", "Arn"))),
        Detail("Tags", Call("list_tags_for_resource", params=lambda r: {"ResourceArn": r["Arn"]}, result="Tags")),
    ),
    transform=transform_group,
    volatile=("CreationDate", "LastModificationDate"),
    status=("State",),  # ACTIVE, or DELETING while its schedules go
    schema="aws.scheduler.group",
    permissions=("scheduler:ListScheduleGroups", "scheduler:GetScheduleGroup", "scheduler:ListTagsForResource"),
    restore=Restorer(
        create=sealed_guard(create_group), update=sealed_guard(update_group), delete=delete_group, rank=54,  # before its schedules
        permissions=("scheduler:CreateScheduleGroup", "scheduler:DeleteScheduleGroup", "scheduler:TagResource",
                     "scheduler:UntagResource"),
    ),
)

TYPES: tuple[ResourceType, ...] = (SCHEDULE, GROUP)
