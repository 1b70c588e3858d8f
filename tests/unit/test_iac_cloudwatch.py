"""CloudWatch alarms as code: metric and composite alarms, actions linked to their topics."""

from __future__ import annotations

from gitsnap.iac import cloudformation
from gitsnap.iac.model import Link
from tests.iac_examples import cfn_lint_errors, emitted

TOPIC = "arn:aws:sns:us-east-1:123456789012:jada-alerts"


def test_a_metric_alarm_keeps_its_metric_threshold_and_linked_actions() -> None:
    e = emitted("cloudwatch", "alarm")
    res = e.out.cfn[0]
    p = res.properties
    assert res.type == "AWS::CloudWatch::Alarm" and res.identifier == {"AlarmName": "jada-errors"}
    assert p["AlarmActions"] == [Link("sns/jada-alerts", None, TOPIC, tf_attr="arn")] == p["OKActions"]
    assert (p["MetricName"], p["Namespace"], p["Statistic"], p["Period"], p["Threshold"]) == (
        "Errors", "AWS/Lambda", "Sum", 300, 1.0)
    assert p["Dimensions"] == [{"Name": "FunctionName", "Value": "jada-event-processor"}]
    assert "StateValue" not in p and "InsufficientDataActions" not in p
    assert e.unused == []
    template = next(b for path, b in cloudformation.render([e], "r").files.items() if path.endswith(".yaml"))
    assert cfn_lint_errors(template) == []
    tf = emitted("cloudwatch", "alarm", "terraform").out.tf[0]
    assert (tf.type, tf.import_id) == ("aws_cloudwatch_metric_alarm", "jada-errors")
    assert tf.body["dimensions"] == {"FunctionName": "jada-event-processor"}
    assert tf.body["alarm_actions"] == [Link("sns/jada-alerts", None, TOPIC, tf_attr="arn")]


def test_a_metric_math_alarm_keeps_its_queries() -> None:
    raw = {"AlarmName": "jada-error-rate", "AlarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:jada-error-rate",
           "ComparisonOperator": "GreaterThanThreshold", "EvaluationPeriods": 2,
           "Threshold": 5.0, "ActionsEnabled": True, "AlarmActions": [], "OKActions": [], "InsufficientDataActions": [],
           "StateValue": "OK",
           "Metrics": [{"Id": "rate", "Expression": "100*errors/invocations", "ReturnData": True},
                       {"Id": "errors", "ReturnData": False, "MetricStat": {
                           "Metric": {"Namespace": "AWS/Lambda", "MetricName": "Errors",
                                      "Dimensions": [{"Name": "FunctionName", "Value": "f"}]},
                           "Period": 300, "Stat": "Sum"}}]}
    e = emitted("cloudwatch", "alarm", raw=raw)
    metrics = e.out.cfn[0].properties["Metrics"]
    assert metrics[0] == {"Id": "rate", "Expression": "100*errors/invocations", "ReturnData": True}
    assert metrics[1]["MetricStat"]["Stat"] == "Sum"
    assert e.unused == []
    template = next(b for path, b in cloudformation.render([e], "r").files.items() if path.endswith(".yaml"))
    assert cfn_lint_errors(template) == []
    query = emitted("cloudwatch", "alarm", "terraform", raw=raw).out.tf[0].body["metric_query"][1].body
    assert query["metric"].body["dimensions"] == {"FunctionName": "f"} and query["metric"].body["stat"] == "Sum"


def test_a_composite_alarm_keeps_its_rule() -> None:
    e = emitted("cloudwatch", "composite-alarm")
    res = e.out.cfn[0]
    assert res.type == "AWS::CloudWatch::CompositeAlarm"
    assert res.properties["AlarmRule"] == 'ALARM("jada-errors") OR ALARM("jada-5xx")'
    assert res.properties["AlarmActions"][0].address == "sns/jada-alerts"
    assert e.unused == []
    template = next(b for path, b in cloudformation.render([e], "r").files.items() if path.endswith(".yaml"))
    assert cfn_lint_errors(template) == []
    tf = emitted("cloudwatch", "composite-alarm", "terraform").out.tf[0]
    assert (tf.type, tf.import_id) == ("aws_cloudwatch_composite_alarm", "jada-down")
