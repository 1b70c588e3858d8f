"""CloudWatch Logs groups: AWS::Logs::LogGroup (+ MetricFilter, SubscriptionFilter);
aws_cloudwatch_log_group (+ aws_cloudwatch_log_metric_filter, _subscription_filter).

Log events are not captured, so none are emitted. A subscription filter's destination is a
Link to the function when the snapshot holds it.
"""

from __future__ import annotations

from typing import Any

from ..model import Block, Fields, Link, Resource
from ..spec import IacSpec, Out
from .eventbridge import arn_link, tag_list

_PROTECTION = ("data protection policies are not captured (only whether one is set): set it again with "
               "aws logs put-data-protection-policy")


def _group(r: Resource, f: Fields) -> tuple[str, Link]:
    name = f.get("logGroupName")
    f.computed("logGroupArn", "status", "MetricFilters.*.creationTime", "SubscriptionFilters.*.DestinationAddress")
    if f.get_quiet("dataProtectionStatus"):
        f.unsupported("dataProtectionStatus", _PROTECTION)
    return name, Link(r.address, None, name, tf_attr="name")


def _cfn_transformation(t: dict[str, Any]) -> dict[str, Any]:
    """DescribeMetricFilters' transformation as CloudFormation's: dimensions as a list. Pure."""
    return {"MetricName": t.get("metricName"), "MetricNamespace": t.get("metricNamespace"),
            "MetricValue": t.get("metricValue"), "DefaultValue": t.get("defaultValue"), "Unit": t.get("unit"),
            "Dimensions": [{"Key": k, "Value": v} for k, v in sorted((t.get("dimensions") or {}).items())]}


def group_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name, me = _group(r, f)
    out.resource("AWS::Logs::LogGroup", {
        "LogGroupName": name,
        "RetentionInDays": f.get("retentionInDays"),
        "KmsKeyId": f.get("kmsKeyId"),
        "LogGroupClass": f.get("logGroupClass"),
        "DeletionProtectionEnabled": f.get("deletionProtectionEnabled"),
        "Tags": tag_list(f.get("Tags")),
    }, name, identifier={"LogGroupName": name})
    for mf in f.get("MetricFilters") or []:
        out.resource("AWS::Logs::MetricFilter", {
            "LogGroupName": me, "FilterName": mf.get("filterName"), "FilterPattern": mf.get("filterPattern", ""),
            "MetricTransformations": [_cfn_transformation(t) for t in mf.get("metricTransformations") or []],
            "ApplyOnTransformedLogs": mf.get("applyOnTransformedLogs"),
            "FieldSelectionCriteria": mf.get("fieldSelectionCriteria"),
            "EmitSystemFieldDimensions": mf.get("emitSystemFieldDimensions"),
        }, f"{name}-{mf.get('filterName')}", identifier={"LogGroupName": name, "FilterName": mf.get("filterName")})
    for sf in f.get("SubscriptionFilters") or []:
        out.resource("AWS::Logs::SubscriptionFilter", {
            "LogGroupName": me, "FilterName": sf.get("filterName"), "FilterPattern": sf.get("filterPattern", ""),
            "DestinationArn": arn_link(sf.get("destinationArn")), "RoleArn": sf.get("roleArn"),
            "Distribution": sf.get("distribution"), "ApplyOnTransformedLogs": sf.get("applyOnTransformedLogs"),
            "FieldSelectionCriteria": sf.get("fieldSelectionCriteria"),
            "EmitSystemFields": sf.get("emitSystemFields"),
        }, f"{name}-{sf.get('filterName')}", identifier={"LogGroupName": name, "FilterName": sf.get("filterName")})


def group_terraform(r: Resource, f: Fields, out: Out) -> None:
    name, me = _group(r, f)
    out.block("aws_cloudwatch_log_group", {
        "name": name,
        "retention_in_days": f.get("retentionInDays"),
        "kms_key_id": f.get("kmsKeyId"),
        "log_group_class": f.get("logGroupClass"),
        "tags": f.get("Tags") or None,
    }, name, import_id=name)
    if f.get_quiet("deletionProtectionEnabled"):
        f.unsupported("deletionProtectionEnabled", "not an aws_cloudwatch_log_group attribute in provider v5: set it "
                                                   "with aws logs put-log-group-deletion-protection")
    for mf in f.get("MetricFilters") or []:
        if mf.get("applyOnTransformedLogs") or mf.get("fieldSelectionCriteria") or mf.get("emitSystemFieldDimensions"):
            f.unsupported("MetricFilters", "transformed-log and field selection options are not translated for "
                                           "Terraform yet")
        out.block("aws_cloudwatch_log_metric_filter", {
            "name": mf.get("filterName"), "log_group_name": me, "pattern": mf.get("filterPattern", ""),
            "metric_transformation": [Block({
                "name": t.get("metricName"), "namespace": t.get("metricNamespace"), "value": t.get("metricValue"),
                "default_value": t.get("defaultValue"), "dimensions": t.get("dimensions"), "unit": t.get("unit")})
                for t in mf.get("metricTransformations") or []],
        }, f"{name}-{mf.get('filterName')}", import_id=f"{name}:{mf.get('filterName')}")
    for sf in f.get("SubscriptionFilters") or []:
        if sf.get("applyOnTransformedLogs") or sf.get("fieldSelectionCriteria") or sf.get("emitSystemFields"):
            f.unsupported("SubscriptionFilters", "transformed-log and field selection options are not translated "
                                                 "for Terraform yet")
        out.block("aws_cloudwatch_log_subscription_filter", {
            "name": sf.get("filterName"), "log_group_name": me, "filter_pattern": sf.get("filterPattern", ""),
            "destination_arn": arn_link(sf.get("destinationArn")), "role_arn": sf.get("roleArn"),
            "distribution": sf.get("distribution"),
        }, f"{name}-{sf.get('filterName')}", import_id=f"{name}|{sf.get('filterName')}")


SPECS = {
    "group": IacSpec(
        cloudformation=group_cloudformation, terraform=group_terraform,
        cfn_types=("AWS::Logs::LogGroup", "AWS::Logs::MetricFilter", "AWS::Logs::SubscriptionFilter"),
        tf_types=("aws_cloudwatch_log_group", "aws_cloudwatch_log_metric_filter",
                  "aws_cloudwatch_log_subscription_filter"),
    ),
}
