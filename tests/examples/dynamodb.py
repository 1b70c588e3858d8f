"""Examples of dynamodb resources: the raw API shape each type's transform is given, and a table
on the local AWS that is deleted (the disaster) and recreated by restore."""

from __future__ import annotations

from . import Example


def _seed(aws):
    """A table with most of what CreateTable can set: a sort key, a global and a local index,
    a stream, tags; then TTL and point-in-time recovery, which restore sets once it is ACTIVE."""
    ddb = aws.client("dynamodb")
    ddb.create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"},
                              {"AttributeName": "email", "AttributeType": "S"}],
        BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 2},
        GlobalSecondaryIndexes=[{"IndexName": "by-email", "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"},
                                 "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 1}}],
        LocalSecondaryIndexes=[{"IndexName": "by-email-local", "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "email", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"}}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        Tags=[{"Key": "env", "Value": "prod"}])
    ddb.update_time_to_live(TableName="orders", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    ddb.update_continuous_backups(TableName="orders", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})


def _damage(aws):
    aws.client("dynamodb").delete_table(TableName="orders")


EXAMPLES = {
    "table": Example(raw={
        "TableName": "t", "Tags": [{"Key": "env", "Value": "prod"}], "ScalableTargets": [], "SampleItems": None,
        "Table": {"TableName": "t", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "ItemCount": 5,
                  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "TableSizeBytes": 10,
                  "TableStatus": "ACTIVE", "CreationDateTime": "2024-01-01T00:00:00Z", "TableId": "0d2e-41"},
        "TimeToLive": {"TimeToLiveStatus": "DISABLED"},
        "ContinuousBackups": {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": {
            "PointInTimeRecoveryStatus": "ENABLED", "EarliestRestorableDateTime": "2024-01-01"}}},
        seed=_seed, damage=_damage),
}
