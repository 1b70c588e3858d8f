"""CloudWatch alarms: metric alarms and composite alarms, with their actions and tags.

An alarm's state (``StateValue``, ``StateReason``, ``StateReasonData``; a composite alarm's
suppression) is status: CloudWatch moves it by itself. Its timestamps are volatile. Each
document gains ``ActionAddresses``: the gitsnap addresses of the SNS topics, Lambda functions
(and other captured types) its actions name.

Restore: ``PutMetricAlarm`` / ``PutCompositeAlarm`` with the snapshot's whole configuration
(both replace every field, so one call creates or updates), tags with ``TagResource``.
Composite alarms rank after metric alarms: their rule names alarms that must exist.
"""

from __future__ import annotations

from typing import Any

from ..restoring import Operation, RestoreContext
from ..spec import Call, Detail, Raw, ResourceType, Restorer
from .eventbridge import (
    addresses,
    by_hand,
    change_lines,
    first_runs,
    sealed_guard,
    tag_list,
    tag_ops,
)
from .shapes import tag_map

ACTIONS = ("AlarmActions", "OKActions", "InsufficientDataActions")
METRIC_FIELDS = ("AlarmName", "AlarmDescription", "ActionsEnabled", *ACTIONS, "MetricName", "Namespace",
                 "Statistic", "ExtendedStatistic", "Dimensions", "Period", "Unit", "EvaluationPeriods",
                 "DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData",
                 "EvaluateLowSampleCountPercentile", "Metrics", "ThresholdMetricId")
COMPOSITE_FIELDS = ("AlarmName", "AlarmDescription", "ActionsEnabled", *ACTIONS, "AlarmRule", "ActionsSuppressor",
                    "ActionsSuppressorWaitPeriod", "ActionsSuppressorExtensionPeriod")
STATUS = ("StateValue", "StateReason", "StateReasonData")


def transform_alarm(raw: Raw) -> Raw:
    alarm = {k: v for k, v in raw.items() if k != "Tags"}
    if not alarm.get("Metrics"):  # metric math only; the local endpoint sends an empty list for none
        alarm.pop("Metrics", None)
    alarm["ActionAddresses"] = addresses(a for field in ACTIONS for a in alarm.get(field) or [])
    alarm["Tags"] = tag_map(raw.get("Tags"))
    return alarm


def alarm_params(doc: Raw, fields: tuple[str, ...]) -> dict[str, Any]:
    """PutMetricAlarm / PutCompositeAlarm parameters: every configured field. Pure."""
    return {f: doc[f] for f in fields if doc.get(f) is not None}


def _pick(doc: Raw, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: doc.get(f) for f in fields}


def _restorer(fields: tuple[str, ...], put: str, rank: int) -> Restorer:
    """Create and update are one call (``put``); tags beside it."""

    def create(ctx: RestoreContext, address: str) -> list[Operation]:
        want = ctx.want(address)
        cw = ctx.client("cloudwatch", address)
        params = {**alarm_params(want, fields), **({"Tags": tag_list(want["Tags"])} if want.get("Tags") else {})}
        actions = ", ".join(want.get("ActionAddresses") or []) or "no captured action targets"
        return [Operation(address, "create", address, f"actions: {actions}", run=lambda: getattr(cw, put)(**params))]

    def update(ctx: RestoreContext, address: str) -> list[Operation]:
        want, have = ctx.want(address), ctx.have(address)
        cw = ctx.client("cloudwatch", address)
        ops = first_runs(change_lines(ctx, address, _pick(have, fields), _pick(want, fields)),
                         lambda: getattr(cw, put)(**alarm_params(want, fields)))
        ops += by_hand(ctx, address, have, want, (*fields, "AlarmArn", "ActionAddresses", "Tags"))
        arn = want["AlarmArn"]
        return ops + tag_ops(ctx, address, want.get("Tags"), have.get("Tags"),
                             lambda t: cw.tag_resource(ResourceARN=arn, Tags=tag_list(t)),
                             lambda keys: cw.untag_resource(ResourceARN=arn, TagKeys=keys))

    def delete(ctx: RestoreContext, address: str) -> list[Operation]:
        have = ctx.have(address)
        cw = ctx.client("cloudwatch", address)
        return [Operation(address, "delete", address, run=lambda: cw.delete_alarms(AlarmNames=[have["AlarmName"]]))]

    camel = "".join(w.title() for w in put.split("_"))
    return Restorer(create=sealed_guard(create), update=sealed_guard(update), delete=delete, rank=rank,
                    permissions=(f"cloudwatch:{camel}", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource",
                                 "cloudwatch:UntagResource"))


def _tags(r: Raw) -> dict[str, str]:
    return {"ResourceARN": r["AlarmArn"]}


# ListTagsForResource is the one per-alarm read: its ResourceNotFound says the alarm is gone
TAGS = Detail("Tags", Call("list_tags_for_resource", params=_tags, result="Tags", identity=True))

METRIC_ALARM = ResourceType(
    service="cloudwatch", type="alarm", scope="regional", client="cloudwatch", primary=False,
    list=Call("describe_alarms", params=lambda _r: {"AlarmTypes": ["MetricAlarm"]}, result="MetricAlarms", paginate=True),
    id=lambda r: r["AlarmName"],
    details=(TAGS,),
    transform=transform_alarm,
    volatile=("AlarmConfigurationUpdatedTimestamp", "StateUpdatedTimestamp", "StateTransitionedTimestamp"),
    status=(*STATUS, "EvaluationState"),
    schema="aws.cloudwatch.alarm",
    permissions=("cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"),
    restore=_restorer(METRIC_FIELDS, "put_metric_alarm", 55),
)

COMPOSITE_ALARM = ResourceType(
    service="cloudwatch", type="composite-alarm", scope="regional", client="cloudwatch", primary=False,
    list=Call("describe_alarms", params=lambda _r: {"AlarmTypes": ["CompositeAlarm"]}, result="CompositeAlarms",
              paginate=True),
    id=lambda r: r["AlarmName"],
    details=(TAGS,),
    transform=transform_alarm,
    volatile=("AlarmConfigurationUpdatedTimestamp", "StateUpdatedTimestamp", "StateTransitionedTimestamp"),
    status=(*STATUS, "ActionsSuppressedBy", "ActionsSuppressedReason"),
    schema="aws.cloudwatch.composite-alarm",
    permissions=("cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"),
    restore=_restorer(COMPOSITE_FIELDS, "put_composite_alarm", 56),  # after the alarms its rule names
)

TYPES: tuple[ResourceType, ...] = (METRIC_ALARM, COMPOSITE_ALARM)
