"""CloudWatch Logs groups as code: retention, class, tags, metric and subscription filters."""

from __future__ import annotations

from gitsnap.iac import cloudformation
from gitsnap.iac.model import Link
from tests.iac_examples import cfn_lint_errors, emitted

NAME = "/aws/lambda/jada-event-processor"
ME = Link(f"logs/{NAME}", None, NAME, tf_attr="name")


def test_a_log_group_and_its_filters_in_cloudformation() -> None:
    e = emitted("logs", "group")
    assert [r.type for r in e.out.cfn] == ["AWS::Logs::LogGroup", "AWS::Logs::MetricFilter",
                                           "AWS::Logs::SubscriptionFilter"]
    group, metric, sub = e.out.cfn
    assert group.identifier == {"LogGroupName": NAME}
    assert group.properties == {"LogGroupName": NAME, "RetentionInDays": 30, "LogGroupClass": "STANDARD",
                                "Tags": [{"Key": "site", "Value": "sailjada"}]}
    assert metric.properties["LogGroupName"] == ME
    assert metric.properties["MetricTransformations"] == [{"MetricName": "JadaErrors", "MetricNamespace": "Jada",
                                                           "MetricValue": "1"}]
    assert sub.properties["FilterPattern"] == ""  # required, even empty
    assert sub.properties["DestinationArn"].address == "lambda/jada-log-shipper"
    assert e.unused == []
    template = next(b for path, b in cloudformation.render([e], "r").files.items() if path.endswith(".yaml"))
    assert cfn_lint_errors(template) == []


def test_a_log_group_in_terraform_with_provider_import_ids() -> None:
    e = emitted("logs", "group", "terraform")
    assert [(b.type, b.import_id) for b in e.out.tf] == [
        ("aws_cloudwatch_log_group", NAME), ("aws_cloudwatch_log_metric_filter", f"{NAME}:errors"),
        ("aws_cloudwatch_log_subscription_filter", f"{NAME}|ship")]
    assert e.out.tf[0].body["retention_in_days"] == 30
    assert e.out.tf[1].body["log_group_name"] == ME
    assert e.unused == []


def test_metric_dimensions_become_cloudformation_key_value_pairs() -> None:
    raw = {"logGroupName": "/jada/app", "arn": "arn:aws:logs:us-east-1:123456789012:log-group:/jada/app:*",
           "kmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
           "dataProtectionStatus": "ACTIVATED",
           "MetricFilters": [{"filterName": "latency", "filterPattern": "{ $.ms = * }", "metricTransformations": [
               {"metricName": "Latency", "metricNamespace": "Jada", "metricValue": "$.ms", "unit": "Milliseconds",
                "dimensions": {"Route": "$.route"}}]}], "SubscriptionFilters": [], "Tags": {}}
    e = emitted("logs", "group", raw=raw)
    assert e.out.cfn[1].properties["MetricTransformations"][0]["Dimensions"] == [{"Key": "Route", "Value": "$.route"}]
    assert [path for path, _ in e.unused] == ["dataProtectionStatus"]  # the policy itself is not captured
    template = next(b for path, b in cloudformation.render([e], "r").files.items() if path.endswith(".yaml"))
    assert cfn_lint_errors(template) == []
