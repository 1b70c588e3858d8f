"""DynamoDB tables as code, in CloudFormation and Terraform: keys, billing, indexes, stream, TTL,
point-in-time recovery, encryption, auto-scaling targets. Pure builder tests on stored
documents (tests/iac_examples.py); the CloudFormation ones are also checked with cfn-lint."""

from __future__ import annotations

from typing import Any

from gitsnap.iac.aws import dynamodb
from gitsnap.iac.cloudformation import render
from gitsnap.iac.model import Block, Fields, Resource
from gitsnap.iac.spec import Emitted, Out
from tests.iac_examples import ACCOUNT, cfn_lint_errors, example_resource

KMS = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234"


def table(billing: str = "PROVISIONED", **more: Any) -> Resource:
    """A table as DescribeTable & co. answer, with what CreateTable and the follow-up calls set."""
    tp = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 2, "NumberOfDecreasesToday": 0}
    if billing != "PROVISIONED":
        tp = {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0, "NumberOfDecreasesToday": 0}
    return example_resource("dynamodb", "table", raw={
        "TableName": "orders", "Tags": [{"Key": "env", "Value": "prod"}], "ScalableTargets": more.pop("targets", []),
        "Table": {
            "TableName": "orders", "TableArn": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders",
            "TableStatus": "ACTIVE", "ItemCount": 3, "TableSizeBytes": 10, "TableId": "0d2e",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "AttributeDefinitions": [{"AttributeName": "sk", "AttributeType": "N"},
                                     {"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "email", "AttributeType": "S"}],
            "BillingModeSummary": {"BillingMode": billing}, "ProvisionedThroughput": tp,
            "GlobalSecondaryIndexes": [{"IndexName": "by-email", "IndexStatus": "ACTIVE", "ItemCount": 3,
                                        "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                                        "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]},
                                        "ProvisionedThroughput": dict(tp)}],
            "LocalSecondaryIndexes": [{"IndexName": "by-email-local", "IndexSizeBytes": 1,
                                       "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                     {"AttributeName": "email", "KeyType": "RANGE"}],
                                       "Projection": {"ProjectionType": "ALL"}}],
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            "LatestStreamArn": "arn:aws:dynamodb:us-east-1:1:table/orders/stream/x",
            "SSEDescription": {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": KMS},
            "TableClassSummary": {"TableClass": "STANDARD_INFREQUENT_ACCESS"}, "DeletionProtectionEnabled": True,
            **more},
        "TimeToLive": {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"},
        "ContinuousBackups": {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": {
            "PointInTimeRecoveryStatus": "ENABLED", "RecoveryPeriodInDays": 14}}})


def build(r: Resource, fmt: str) -> tuple[Out, list[tuple[str, str]]]:
    f, out = Fields(r.doc), Out()
    dynamodb.SPECS["table"].builder(fmt)(r, f, out)
    return out, f.unused()


def test_table_cloudformation_recreates_every_setting():
    out, unused = build(table(), "cloudformation")
    (t,) = out.cfn
    assert t.type == "AWS::DynamoDB::Table" and t.identifier == {"TableName": "orders"}
    p = t.properties
    assert p["KeySchema"][1] == {"AttributeName": "sk", "KeyType": "RANGE"}
    assert [a["AttributeName"] for a in p["AttributeDefinitions"]] == ["email", "pk", "sk"]
    assert p["BillingMode"] == "PROVISIONED"
    assert p["ProvisionedThroughput"] == {"ReadCapacityUnits": 5, "WriteCapacityUnits": 2}
    (gsi,) = p["GlobalSecondaryIndexes"]
    assert gsi == {"IndexName": "by-email", "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                   "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]},
                   "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 2}}
    assert p["LocalSecondaryIndexes"][0]["IndexName"] == "by-email-local"
    assert p["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert p["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "expires"}
    assert p["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 14}
    assert p["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": KMS}
    assert p["TableClass"] == "STANDARD_INFREQUENT_ACCESS" and p["DeletionProtectionEnabled"] is True
    assert p["Tags"] == [{"Key": "env", "Value": "prod"}]
    assert unused == []


def test_on_demand_table_has_no_provisioned_throughput_anywhere():
    """DescribeTable reports an on-demand table's capacity as 0/0, which CloudFormation refuses."""
    out, _ = build(table("PAY_PER_REQUEST"), "cloudformation")
    p = out.cfn[0].properties
    assert p["BillingMode"] == "PAY_PER_REQUEST" and "ProvisionedThroughput" not in p
    assert "ProvisionedThroughput" not in p["GlobalSecondaryIndexes"][0]
    out, _ = build(table("PAY_PER_REQUEST"), "terraform")
    body = out.tf[0].body
    assert "read_capacity" not in body and body["global_secondary_index"][0].body["read_capacity"] is None


def test_table_terraform():
    out, unused = build(table(), "terraform")
    (t,) = out.tf
    assert (t.type, t.import_id) == ("aws_dynamodb_table", "orders")
    b = t.body
    assert (b["hash_key"], b["range_key"], b["read_capacity"], b["write_capacity"]) == ("pk", "sk", 5, 2)
    assert b["attribute"][0] == Block({"name": "email", "type": "S"})
    gsi = b["global_secondary_index"][0].body
    assert (gsi["name"], gsi["hash_key"], gsi["projection_type"], gsi["non_key_attributes"]) == (
        "by-email", "email", "INCLUDE", ["total"])
    assert b["local_secondary_index"][0].body["range_key"] == "email"
    assert (b["stream_enabled"], b["stream_view_type"]) == (True, "NEW_AND_OLD_IMAGES")
    assert b["ttl"] == Block({"attribute_name": "expires", "enabled": True})
    assert b["point_in_time_recovery"] == Block({"enabled": True, "recovery_period_in_days": 14})
    assert b["server_side_encryption"] == Block({"enabled": True, "kms_key_arn": KMS})
    assert unused == []


def test_items_and_replicas_are_listed_not_written():
    r = table(Replicas=[{"RegionName": "eu-west-1"}])
    r.doc["SampleItems"] = [{"pk": "a"}]
    _, unused = build(r, "cloudformation")
    reasons = dict(unused)
    assert "items are data" in reasons["SampleItems"]
    assert "GlobalTable" in reasons["Table.Replicas"]


def test_auto_scaling_targets_become_scalable_targets():
    targets = [{"ServiceNamespace": "dynamodb", "ResourceId": "table/orders",
                "ScalableDimension": "dynamodb:table:ReadCapacityUnits", "MinCapacity": 5, "MaxCapacity": 50,
                "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/x"}]
    out, unused = build(table(targets=targets), "cloudformation")
    (target,) = [x for x in out.cfn if x.type == "AWS::ApplicationAutoScaling::ScalableTarget"]
    assert (target.properties["MinCapacity"], target.properties["MaxCapacity"]) == (5, 50)
    assert target.depends_on == ["orders"] and unused == []
    out, _ = build(table(targets=targets), "terraform")
    assert out.tf[1].import_id == "dynamodb/table/orders/dynamodb:table:ReadCapacityUnits"


def test_table_templates_pass_cfn_lint():
    for r in (table(), table("PAY_PER_REQUEST")):
        out, unused = build(r, "cloudformation")
        for path, body in render([Emitted(r, out, unused)], "0" * 40).files.items():
            if path.endswith(".yaml"):
                assert cfn_lint_errors(body) == []
