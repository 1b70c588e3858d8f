"""Examples of EventBridge Scheduler resources: raw API shapes, seeds and damage."""

from __future__ import annotations

from . import Aws, Example

ACCOUNT = "123456789012"
TARGET = {"Arn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:jada-nightly-sync",
          "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/jada-scheduler", "Input": '{"job": "sync"}',
          "RetryPolicy": {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 3600}}
SCHEDULE = {"Name": "nightly-sync", "GroupName": "jada", "ScheduleExpression": "cron(30 2 * * ? *)",
            "ScheduleExpressionTimezone": "America/Los_Angeles", "State": "ENABLED", "Description": "nightly sync",
            "FlexibleTimeWindow": {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}, "Target": TARGET}

SCHEDULE_RAW = {
    "Name": "nightly-sync", "GroupName": "jada",
    "Schedule": {**SCHEDULE, "Arn": f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule/jada/nightly-sync",
                 "CreationDate": "2024-01-01T00:00:00Z", "LastModificationDate": "2024-01-02T00:00:00Z"},
}
GROUP_RAW = {
    "Name": "jada", "Arn": f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule-group/jada",
    "Group": {"Name": "jada", "Arn": f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule-group/jada", "State": "ACTIVE",
              "CreationDate": "2024-01-01T00:00:00Z", "LastModificationDate": "2024-01-02T00:00:00Z"},
    "Tags": [{"Key": "site", "Value": "sailjada"}],
}


def seed_schedule(aws: Aws) -> None:
    client = aws.client("scheduler")
    client.create_schedule_group(Name="jada")
    client.create_schedule(**SCHEDULE)
    client.create_schedule(Name="weekly-report", ScheduleExpression="rate(7 days)", FlexibleTimeWindow={"Mode": "OFF"},
                           Target={"Arn": TARGET["Arn"], "RoleArn": TARGET["RoleArn"]}, State="DISABLED")


def damage_schedule(aws: Aws) -> None:
    client = aws.client("scheduler")
    client.delete_schedule(Name="nightly-sync", GroupName="jada")
    client.delete_schedule(Name="weekly-report")


def seed_group(aws: Aws) -> None:
    aws.client("scheduler").create_schedule_group(Name="jada", Tags=[{"Key": "site", "Value": "sailjada"}])


def damage_group(aws: Aws) -> None:
    aws.client("scheduler").delete_schedule_group(Name="jada")


EXAMPLES = {
    "schedule": Example(raw=SCHEDULE_RAW, seed=seed_schedule, damage=damage_schedule),
    "group": Example(raw=GROUP_RAW, seed=seed_group, damage=damage_group),
}
