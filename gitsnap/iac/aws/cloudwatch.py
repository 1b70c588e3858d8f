"""CloudWatch alarms: metric alarms (AWS::CloudWatch::Alarm; aws_cloudwatch_metric_alarm) and
composite alarms (AWS::CloudWatch::CompositeAlarm; aws_cloudwatch_composite_alarm).

An action naming a captured SNS topic (or function) is a Link to it. State is status, not
configuration.
"""

from __future__ import annotations

from typing import Any

from ..model import Block, Fields, Resource
from ..spec import IacSpec, Out
from .eventbridge import arn_link, tag_list

ACTIONS = ("AlarmActions", "OKActions", "InsufficientDataActions")
_TF_ACTIONS = {"AlarmActions": "alarm_actions", "OKActions": "ok_actions",
               "InsufficientDataActions": "insufficient_data_actions"}


def _actions(f: Fields) -> dict[str, list[Any]]:
    return {k: [arn_link(a) for a in f.get(k) or []] for k in ACTIONS}


def _computed(f: Fields) -> None:
    f.computed("AlarmArn", "ActionAddresses", "status", "EvaluationState")


def _threshold(f: Fields) -> float | None:
    """The static threshold; none for an anomaly-detection alarm (ThresholdMetricId names its band)."""
    if f.get_quiet("ThresholdMetricId"):
        f.computed("Threshold")
        return None
    return f.get("Threshold")


def _metric_query(q: dict[str, Any]) -> dict[str, Any]:
    """A DescribeAlarms metric query as CloudFormation's MetricDataQuery (the same names). Pure."""
    return {k: q.get(k) for k in ("Id", "Expression", "Label", "MetricStat", "Period", "ReturnData", "AccountId")}


def alarm_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("AlarmName")
    _computed(f)
    out.resource("AWS::CloudWatch::Alarm", {
        "AlarmName": name,
        "AlarmDescription": f.get("AlarmDescription"),
        "ActionsEnabled": f.get("ActionsEnabled"),
        **_actions(f),
        "MetricName": f.get("MetricName"),
        "Namespace": f.get("Namespace"),
        "Statistic": f.get("Statistic"),
        "ExtendedStatistic": f.get("ExtendedStatistic"),
        "Dimensions": f.get("Dimensions"),
        "Period": f.get("Period"),
        "Unit": f.get("Unit"),
        "EvaluationPeriods": f.get("EvaluationPeriods"),
        "DatapointsToAlarm": f.get("DatapointsToAlarm"),
        "Threshold": _threshold(f),
        "ComparisonOperator": f.get("ComparisonOperator"),
        "TreatMissingData": f.get("TreatMissingData"),
        "EvaluateLowSampleCountPercentile": f.get("EvaluateLowSampleCountPercentile"),
        "Metrics": [_metric_query(q) for q in f.get("Metrics") or []],
        "ThresholdMetricId": f.get("ThresholdMetricId"),
        "Tags": tag_list(f.get("Tags")),
    }, name, identifier={"AlarmName": name})


def _tf_query(q: dict[str, Any]) -> Block:
    stat = q.get("MetricStat") or {}
    metric = stat.get("Metric") or {}
    return Block({
        "id": q.get("Id"), "expression": q.get("Expression"), "label": q.get("Label"),
        "return_data": q.get("ReturnData"), "period": q.get("Period"), "account_id": q.get("AccountId"),
        "metric": Block({
            "metric_name": metric.get("MetricName"), "namespace": metric.get("Namespace"),
            "dimensions": {d["Name"]: d["Value"] for d in metric.get("Dimensions") or []} or None,
            "period": stat.get("Period"), "stat": stat.get("Stat"), "unit": stat.get("Unit"),
        }) if stat else None,
    })


def alarm_terraform(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("AlarmName")
    _computed(f)
    out.block("aws_cloudwatch_metric_alarm", {
        "alarm_name": name,
        "alarm_description": f.get("AlarmDescription"),
        "actions_enabled": f.get("ActionsEnabled"),
        **{_TF_ACTIONS[k]: v for k, v in _actions(f).items()},
        "metric_name": f.get("MetricName"),
        "namespace": f.get("Namespace"),
        "statistic": f.get("Statistic"),
        "extended_statistic": f.get("ExtendedStatistic"),
        "dimensions": {d["Name"]: d["Value"] for d in f.get("Dimensions") or []} or None,
        "period": f.get("Period"),
        "unit": f.get("Unit"),
        "evaluation_periods": f.get("EvaluationPeriods"),
        "datapoints_to_alarm": f.get("DatapointsToAlarm"),
        "threshold": _threshold(f),
        "comparison_operator": f.get("ComparisonOperator"),
        "treat_missing_data": f.get("TreatMissingData"),
        "evaluate_low_sample_count_percentiles": f.get("EvaluateLowSampleCountPercentile"),
        "metric_query": [_tf_query(q) for q in f.get("Metrics") or []],
        "threshold_metric_id": f.get("ThresholdMetricId"),
        "tags": f.get("Tags") or None,
    }, name, import_id=name)


def _suppressor(f: Fields) -> tuple[Any, Any, Any]:
    return (f.get("ActionsSuppressor"), f.get("ActionsSuppressorWaitPeriod"), f.get("ActionsSuppressorExtensionPeriod"))


def composite_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("AlarmName")
    _computed(f)
    suppressor, wait, extension = _suppressor(f)
    out.resource("AWS::CloudWatch::CompositeAlarm", {
        "AlarmName": name,
        "AlarmRule": f.get("AlarmRule"),
        "AlarmDescription": f.get("AlarmDescription"),
        "ActionsEnabled": f.get("ActionsEnabled"),
        **_actions(f),
        "ActionsSuppressor": suppressor,
        "ActionsSuppressorWaitPeriod": wait,
        "ActionsSuppressorExtensionPeriod": extension,
        "Tags": tag_list(f.get("Tags")),
    }, name, identifier={"AlarmName": name})


def composite_terraform(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("AlarmName")
    _computed(f)
    suppressor, wait, extension = _suppressor(f)
    out.block("aws_cloudwatch_composite_alarm", {
        "alarm_name": name,
        "alarm_rule": f.get("AlarmRule"),
        "alarm_description": f.get("AlarmDescription"),
        "actions_enabled": f.get("ActionsEnabled"),
        **{_TF_ACTIONS[k]: v for k, v in _actions(f).items()},
        "actions_suppressor": Block({"alarm": suppressor, "wait_period": wait, "extension_period": extension})
        if suppressor else None,
        "tags": f.get("Tags") or None,
    }, name, import_id=name)


SPECS = {
    "alarm": IacSpec(
        cloudformation=alarm_cloudformation, terraform=alarm_terraform,
        cfn_types=("AWS::CloudWatch::Alarm",), tf_types=("aws_cloudwatch_metric_alarm",),
    ),
    "composite-alarm": IacSpec(
        cloudformation=composite_cloudformation, terraform=composite_terraform,
        cfn_types=("AWS::CloudWatch::CompositeAlarm",), tf_types=("aws_cloudwatch_composite_alarm",),
    ),
}
