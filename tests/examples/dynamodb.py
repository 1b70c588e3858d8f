"""Examples of dynamodb resources: the raw API shape each type's transform is given."""

from __future__ import annotations

from . import Example

EXAMPLES = {
    "table": Example(raw={
        "TableName": "t", "Tags": [{"Key": "env", "Value": "prod"}], "ScalableTargets": [], "SampleItems": None,
        "Table": {"TableName": "t", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "ItemCount": 5,
                  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "TableSizeBytes": 10,
                  "TableStatus": "ACTIVE"},
        "TimeToLive": {"TimeToLiveStatus": "DISABLED"},
        "ContinuousBackups": {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": {
            "PointInTimeRecoveryStatus": "ENABLED", "EarliestRestorableDateTime": "2024-01-01"}}}),
}


def _seed(aws):
    aws.client("dynamodb").create_table(TableName="orders", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                                        BillingMode="PAY_PER_REQUEST")


def _damage(aws):
    aws.client("dynamodb").update_continuous_backups(
        TableName="orders", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})


EXAMPLES["table"] = Example(raw=EXAMPLES["table"].raw, seed=_seed, damage=_damage)
