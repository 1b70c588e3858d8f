"""CloudWatch alarms: metric alarms (AWS::CloudWatch::Alarm; aws_cloudwatch_metric_alarm) and
composite alarms (AWS::CloudWatch::CompositeAlarm; aws_cloudwatch_composite_alarm).

An action naming a captured SNS topic (or function) is a Link to it. State is status, not
configuration.
"""

from __future__ import annotations

from typing import Any

from ..model import Block, Fields, Resource
from ..spec import IacSpec, Out
from .common import arn_link, renamed, tag_list

ACTIONS = ("AlarmActions", "OKActions", "InsufficientDataActions")

# CloudFormation name -> Terraform attribute of what both alarm types hold (:func:`_head`).
_TF_HEAD = {"AlarmName": "alarm_name", "AlarmDescription": "alarm_description", "ActionsEnabled": "actions_enabled",
            "AlarmActions": "alarm_actions", "OKActions": "ok_actions",
            "InsufficientDataActions": "insufficient_data_actions"}
# A metric alarm's (Dimensions and Metrics change shape on the way).
_TF_ALARM = {**_TF_HEAD, "MetricName": "metric_name", "Namespace": "namespace", "Statistic": "statistic",
             "ExtendedStatistic": "extended_statistic", "Dimensions": "dimensions", "Period": "period",
             "Unit": "unit", "EvaluationPeriods": "evaluation_periods", "DatapointsToAlarm": "datapoints_to_alarm",
             "Threshold": "threshold", "ComparisonOperator": "comparison_operator",
             "TreatMissingData": "treat_missing_data",
             "EvaluateLowSampleCountPercentile": "evaluate_low_sample_count_percentiles",
             "Metrics": "metric_query", "ThresholdMetricId": "threshold_metric_id"}
# A composite alarm's, its rule second as in CloudFormation's order.
_TF_COMPOSITE = {"AlarmName": "alarm_name", "AlarmRule": "alarm_rule",
                 **{k: v for k, v in _TF_HEAD.items() if k != "AlarmName"}}


def _head(f: Fields, **after_name: Any) -> dict[str, Any]:
    """What both alarm types hold first, under CloudFormation's names: the name (then
    *after_name*: a composite's rule), the description and the actions."""
    f.computed("AlarmArn", "ActionAddresses", "status", "EvaluationState")
    return {
        "AlarmName": f.get("AlarmName"),
        **after_name,
        "AlarmDescription": f.get("AlarmDescription"),
        "ActionsEnabled": f.get("ActionsEnabled"),
        **{k: [arn_link(a) for a in f.get(k) or []] for k in ACTIONS},
    }


def _threshold(f: Fields) -> float | None:
    """The static threshold; none for an anomaly-detection alarm (ThresholdMetricId names its band)."""
    if f.get_quiet("ThresholdMetricId"):
        f.computed("Threshold")
        return None
    return f.get("Threshold")


def _metric_query(q: dict[str, Any]) -> dict[str, Any]:
    """A DescribeAlarms metric query as CloudFormation's MetricDataQuery (the same names). Pure."""
    return {k: q.get(k) for k in ("Id", "Expression", "Label", "MetricStat", "Period", "ReturnData", "AccountId")}


def _alarm(f: Fields) -> dict[str, Any]:
    """A metric alarm's properties under CloudFormation's names (the Terraform builder renames them)."""
    return {
        **_head(f),
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
    }


def _cloudformation(type_: str, props: dict[str, Any], f: Fields, out: Out) -> None:
    """Emit an alarm of either type, tagged, imported by its name."""
    name = props["AlarmName"]
    out.resource(type_, {**props, "Tags": tag_list(f.get("Tags"))}, name, identifier={"AlarmName": name})


def _terraform(type_: str, body: dict[str, Any], f: Fields, out: Out) -> None:
    """Emit an alarm of either type, tagged, imported by its name."""
    name = body["alarm_name"]
    out.block(type_, {**body, "tags": f.get("Tags") or None}, name, import_id=name)


def alarm_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    _cloudformation("AWS::CloudWatch::Alarm", _alarm(f), f, out)


def _tf_query(q: dict[str, Any]) -> Block:
    stat = q.get("MetricStat") or {}
    metric = stat.get("Metric") or {}
    return Block({
        "id": q.get("Id"), "expression": q.get("Expression"), "label": q.get("Label"),
        "return_data": q.get("ReturnData"), "period": q.get("Period"), "account_id": q.get("AccountId"),
        "metric": Block({
            "metric_name": metric.get("MetricName"), "namespace": metric.get("Namespace"),
            "dimensions": _dimensions(metric.get("Dimensions")),
            "period": stat.get("Period"), "stat": stat.get("Stat"), "unit": stat.get("Unit"),
        }) if stat else None,
    })


def _dimensions(dimensions: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    """``[{"Name": n, "Value": v}]`` as the provider's map. Pure."""
    return {d["Name"]: d["Value"] for d in dimensions or []} or None


def alarm_terraform(r: Resource, f: Fields, out: Out) -> None:
    props = _alarm(f)
    body = renamed(props, _TF_ALARM)
    body["dimensions"] = _dimensions(props["Dimensions"])
    body["metric_query"] = [_tf_query(q) for q in props["Metrics"]]
    _terraform("aws_cloudwatch_metric_alarm", body, f, out)


def _composite(f: Fields) -> dict[str, Any]:
    """A composite alarm's properties under CloudFormation's names."""
    return {
        **_head(f, AlarmRule=f.get("AlarmRule")),
        "ActionsSuppressor": f.get("ActionsSuppressor"),
        "ActionsSuppressorWaitPeriod": f.get("ActionsSuppressorWaitPeriod"),
        "ActionsSuppressorExtensionPeriod": f.get("ActionsSuppressorExtensionPeriod"),
    }


def composite_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    _cloudformation("AWS::CloudWatch::CompositeAlarm", _composite(f), f, out)


def composite_terraform(r: Resource, f: Fields, out: Out) -> None:
    props = _composite(f)
    suppressor = props["ActionsSuppressor"]
    _terraform("aws_cloudwatch_composite_alarm", {
        **renamed(props, _TF_COMPOSITE),
        "actions_suppressor": Block({"alarm": suppressor, "wait_period": props["ActionsSuppressorWaitPeriod"],
                                     "extension_period": props["ActionsSuppressorExtensionPeriod"]})
        if suppressor else None,
    }, f, out)


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
