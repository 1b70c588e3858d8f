"""Examples of CloudWatch alarms: raw API shapes, seeds and damage."""

from __future__ import annotations

from . import Aws, Example

ACCOUNT = "123456789012"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:jada-alerts"
ALARM = {"AlarmName": "jada-errors", "AlarmDescription": "event processor errors", "ActionsEnabled": True,
         "AlarmActions": [TOPIC], "OKActions": [TOPIC], "InsufficientDataActions": [],
         "MetricName": "Errors", "Namespace": "AWS/Lambda", "Statistic": "Sum",
         "Dimensions": [{"Name": "FunctionName", "Value": "jada-event-processor"}], "Period": 300,
         "EvaluationPeriods": 1, "DatapointsToAlarm": 1, "Threshold": 1.0, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
         "TreatMissingData": "notBreaching"}
STATE = {"StateValue": "ALARM", "StateReason": "Threshold Crossed", "StateReasonData": "{}",
         "StateUpdatedTimestamp": "2024-01-01T00:00:00Z", "AlarmConfigurationUpdatedTimestamp": "2024-01-01T00:00:00Z",
         "StateTransitionedTimestamp": "2024-01-01T00:00:00Z"}

ALARM_RAW = {**ALARM, **STATE, "AlarmArn": f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:jada-errors", "Metrics": [],
             "Tags": [{"Key": "site", "Value": "sailjada"}]}
COMPOSITE_RAW = {"AlarmName": "jada-down", "AlarmArn": f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:jada-down",
                 "AlarmRule": 'ALARM("jada-errors") OR ALARM("jada-5xx")', "ActionsEnabled": True,
                 "AlarmActions": [TOPIC], "OKActions": [], "InsufficientDataActions": [], **STATE,
                 "ActionsSuppressedBy": "None", "ActionsSuppressedReason": "", "Tags": []}


def seed_alarm(aws: Aws) -> None:
    aws.client("cloudwatch").put_metric_alarm(**ALARM, Tags=[{"Key": "site", "Value": "sailjada"}])


def damage_alarm(aws: Aws) -> None:
    aws.client("cloudwatch").delete_alarms(AlarmNames=["jada-errors"])


EXAMPLES = {
    "alarm": Example(raw=ALARM_RAW, seed=seed_alarm, damage=damage_alarm),
    "composite-alarm": Example(raw=COMPOSITE_RAW, no_round_trip=(
        "moto has no PutCompositeAlarm; covered by "
        "tests/unit/test_messaging_restore.py::test_a_deleted_composite_alarm_is_put_back_after_the_alarms_it_names")),
}
