"""CloudWatch Logs groups: AWS::Logs::LogGroup (+ MetricFilter, SubscriptionFilter);
aws_cloudwatch_log_group (+ aws_cloudwatch_log_metric_filter, _subscription_filter).

Log events are not captured, so none are emitted. A subscription filter's destination is a
Link to the function when the snapshot holds it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..model import Block, Fields, Link, Resource
from ..spec import IacSpec, Out
from .common import arn_link, name_link, renamed, tag_list

_PROTECTION = ("data protection policies are not captured (only whether one is set): set it again with "
               "aws logs put-data-protection-policy")


def _group(r: Resource, f: Fields) -> tuple[str, Link, dict[str, Any]]:
    """(name, a reference to the group, the settings both formats take under CloudFormation's names)."""
    name = f.get("logGroupName")
    f.computed("logGroupArn", "status", "MetricFilters.*.creationTime", "SubscriptionFilters.*.DestinationAddress")
    if f.get_quiet("dataProtectionStatus"):
        f.unsupported("dataProtectionStatus", _PROTECTION)
    props = {"LogGroupName": name, "RetentionInDays": f.get("retentionInDays"), "KmsKeyId": f.get("kmsKeyId"),
             "LogGroupClass": f.get("logGroupClass")}
    return name, name_link(r, name), props


def _cfn_transformation(t: dict[str, Any]) -> dict[str, Any]:
    """DescribeMetricFilters' transformation as CloudFormation's: dimensions as a list. Pure."""
    return {"MetricName": t.get("metricName"), "MetricNamespace": t.get("metricNamespace"),
            "MetricValue": t.get("metricValue"), "DefaultValue": t.get("defaultValue"), "Unit": t.get("unit"),
            "Dimensions": [{"Key": k, "Value": v} for k, v in sorted((t.get("dimensions") or {}).items())]}


def _metric_filter(mf: dict[str, Any], me: Link) -> dict[str, Any]:
    """A metric filter as AWS::Logs::MetricFilter's properties. Pure."""
    return {
        "LogGroupName": me, "FilterName": mf.get("filterName"), "FilterPattern": mf.get("filterPattern", ""),
        "MetricTransformations": [_cfn_transformation(t) for t in mf.get("metricTransformations") or []],
        "ApplyOnTransformedLogs": mf.get("applyOnTransformedLogs"),
        "FieldSelectionCriteria": mf.get("fieldSelectionCriteria"),
        "EmitSystemFieldDimensions": mf.get("emitSystemFieldDimensions"),
    }


def _subscription_filter(sf: dict[str, Any], me: Link) -> dict[str, Any]:
    """A subscription filter as AWS::Logs::SubscriptionFilter's properties. Pure."""
    return {
        "LogGroupName": me, "FilterName": sf.get("filterName"), "FilterPattern": sf.get("filterPattern", ""),
        "DestinationArn": arn_link(sf.get("destinationArn")), "RoleArn": sf.get("roleArn"),
        "Distribution": sf.get("distribution"), "ApplyOnTransformedLogs": sf.get("applyOnTransformedLogs"),
        "FieldSelectionCriteria": sf.get("fieldSelectionCriteria"),
        "EmitSystemFields": sf.get("emitSystemFields"),
    }


# The filters' options neither translated for Terraform yet (reported when set).
_TRANSFORMED = ("ApplyOnTransformedLogs", "FieldSelectionCriteria", "EmitSystemFieldDimensions", "EmitSystemFields")


def _filters(f: Fields, name: str, me: Link) -> Iterator[tuple[str, dict[str, Any], dict[str, Any], str]]:
    """(kind, recorded filter, its CloudFormation properties, name hint) of each metric and
    subscription filter of the group."""
    for mf in f.get("MetricFilters") or []:
        yield "MetricFilters", mf, _metric_filter(mf, me), f"{name}-{mf.get('filterName')}"
    for sf in f.get("SubscriptionFilters") or []:
        yield "SubscriptionFilters", sf, _subscription_filter(sf, me), f"{name}-{sf.get('filterName')}"


def group_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name, me, props = _group(r, f)
    out.resource("AWS::Logs::LogGroup", {
        **props, "DeletionProtectionEnabled": f.get("deletionProtectionEnabled"), "Tags": tag_list(f.get("Tags")),
    }, name, identifier={"LogGroupName": name})
    for kind, _, filt, hint in _filters(f, name, me):
        out.resource("AWS::Logs::MetricFilter" if kind == "MetricFilters" else "AWS::Logs::SubscriptionFilter",
                     filt, hint, identifier={"LogGroupName": name, "FilterName": filt["FilterName"]})


_TF_GROUP = {"LogGroupName": "name", "RetentionInDays": "retention_in_days", "KmsKeyId": "kms_key_id",
             "LogGroupClass": "log_group_class"}
_TF_METRIC_FILTER = {"FilterName": "name", "LogGroupName": "log_group_name", "FilterPattern": "pattern"}
_TF_SUBSCRIPTION_FILTER = {"FilterName": "name", "LogGroupName": "log_group_name", "FilterPattern": "filter_pattern",
                           "DestinationArn": "destination_arn", "RoleArn": "role_arn", "Distribution": "distribution"}


def _tf_transformation(t: dict[str, Any]) -> Block:
    """DescribeMetricFilters' transformation as the provider's block (dimensions stay a map). Pure."""
    return Block({"name": t.get("metricName"), "namespace": t.get("metricNamespace"), "value": t.get("metricValue"),
                  "default_value": t.get("defaultValue"), "dimensions": t.get("dimensions"), "unit": t.get("unit")})


def group_terraform(r: Resource, f: Fields, out: Out) -> None:
    name, me, props = _group(r, f)
    out.block("aws_cloudwatch_log_group", {**renamed(props, _TF_GROUP), "tags": f.get("Tags") or None}, name,
              import_id=name)
    if f.get_quiet("deletionProtectionEnabled"):
        f.unsupported("deletionProtectionEnabled", "not an aws_cloudwatch_log_group attribute in provider v5: set it "
                                                   "with aws logs put-log-group-deletion-protection")
    for kind, recorded, filt, hint in _filters(f, name, me):
        if any(filt.get(k) for k in _TRANSFORMED):
            f.unsupported(kind, "transformed-log and field selection options are not translated for Terraform yet")
        if kind == "MetricFilters":
            out.block("aws_cloudwatch_log_metric_filter", {
                **renamed(filt, _TF_METRIC_FILTER),
                "metric_transformation": [_tf_transformation(t) for t in recorded.get("metricTransformations") or []],
            }, hint, import_id=f"{name}:{filt['FilterName']}")
        else:
            out.block("aws_cloudwatch_log_subscription_filter", renamed(filt, _TF_SUBSCRIPTION_FILTER), hint,
                      import_id=f"{name}|{filt['FilterName']}")


SPECS = {
    "group": IacSpec(
        cloudformation=group_cloudformation, terraform=group_terraform,
        cfn_types=("AWS::Logs::LogGroup", "AWS::Logs::MetricFilter", "AWS::Logs::SubscriptionFilter"),
        tf_types=("aws_cloudwatch_log_group", "aws_cloudwatch_log_metric_filter",
                  "aws_cloudwatch_log_subscription_filter"),
    ),
}
