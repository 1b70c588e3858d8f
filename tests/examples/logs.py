"""Examples of CloudWatch Logs log groups: raw API shapes, seeds and damage."""

from __future__ import annotations

from . import Aws, Example

ACCOUNT = "123456789012"
NAME = "/aws/lambda/jada-event-processor"
FILTER = {"filterName": "errors", "filterPattern": "ERROR",
          "metricTransformations": [{"metricName": "JadaErrors", "metricNamespace": "Jada", "metricValue": "1"}]}

GROUP_RAW = {
    "logGroupName": NAME, "creationTime": 1700000000000, "retentionInDays": 30, "metricFilterCount": 1,
    "arn": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{NAME}:*", "storedBytes": 123456,
    "logGroupArn": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{NAME}", "logGroupClass": "STANDARD",
    "MetricFilters": [{**FILTER, "logGroupName": NAME, "creationTime": 1700000000001}],
    "SubscriptionFilters": [{"filterName": "ship", "filterPattern": "", "logGroupName": NAME,
                             "destinationArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:jada-log-shipper",
                             "distribution": "ByLogStream", "creationTime": 1700000000002}],
    "Tags": {"site": "sailjada"},
}


def seed_group(aws: Aws) -> None:
    logs = aws.client("logs")
    logs.create_log_group(logGroupName=NAME, tags={"site": "sailjada"})
    logs.put_retention_policy(logGroupName=NAME, retentionInDays=30)
    logs.put_metric_filter(logGroupName=NAME, **FILTER)
    logs.create_log_group(logGroupName="jada-audit")  # no retention: never expires


def damage_group(aws: Aws) -> None:
    """Both groups deleted. AWS deletes a group's metric filters with it; moto keeps them (and
    PutMetricFilter there adds a second filter of the same name instead of replacing it), so
    the filter is deleted first, as AWS would."""
    logs = aws.client("logs")
    logs.delete_metric_filter(logGroupName=NAME, filterName=FILTER["filterName"])
    logs.delete_log_group(logGroupName=NAME)
    logs.delete_log_group(logGroupName="jada-audit")


EXAMPLES = {"group": Example(raw=GROUP_RAW, seed=seed_group, damage=damage_group)}
