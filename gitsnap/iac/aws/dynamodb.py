"""DynamoDB tables: ``AWS::DynamoDB::Table`` / ``aws_dynamodb_table`` (keys, attribute
definitions, billing, indexes, stream, TTL, point-in-time recovery, encryption, class,
deletion protection, tags), and each auto-scaling target as
``AWS::ApplicationAutoScaling::ScalableTarget`` / ``aws_appautoscaling_target``.

Items are data, not configuration: a table's ``items.jsonl`` (``[aws.dynamodb] items``) and the
deprecated ``SampleItems`` are not written as code (``gitsnap restore`` puts items back); the
sample is listed in the coverage report, the items file is not a document field and is said
here. Global table replicas are listed too: they need ``AWS::DynamoDB::GlobalTable``.
"""

from __future__ import annotations

from typing import Any

from ..model import Block, Fields, Resource
from ..spec import IacSpec, Out
from .common import tag_list

ON_DEMAND = "PAY_PER_REQUEST"
_COMPUTED = ("Table.TableArn", "Table.TableId", "Table.TableStatus", "Table.CreationDateTime", "Table.ItemCount",
             "Table.TableSizeBytes", "Table.LatestStreamArn", "Table.LatestStreamLabel",
             "Table.BillingModeSummary.LastUpdateToPayPerRequestDateTime",
             "Table.TableClassSummary.LastUpdateDateTime", "Table.SSEDescription.Status",
             "Table.SSEDescription.InaccessibleEncryptionDateTime", "Table.WarmThroughput", "Table.RestoreSummary",
             "Table.ArchivalSummary", "Table.StreamSpecification.StreamEnabled", "TimeToLive.TimeToLiveStatus",
             "ContinuousBackups.ContinuousBackupsStatus",
             "ContinuousBackups.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus",
             "ContinuousBackups.PointInTimeRecoveryDescription.EarliestRestorableDateTime",
             "ContinuousBackups.PointInTimeRecoveryDescription.LatestRestorableDateTime", "status")
_INDEX_COMPUTED = ("IndexStatus", "Backfilling", "IndexSizeBytes", "ItemCount", "IndexArn", "WarmThroughput")


def _billing(f: Fields) -> str:
    return f.get("Table.BillingModeSummary.BillingMode") or "PROVISIONED"


def _on_demand(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """On-demand maximums; DescribeTable reports "no maximum" as -1, which is no property."""
    found = {k: v for k, v in (value or {}).items() if isinstance(v, int) and v > 0}
    return found or None


def _throughput(value: dict[str, Any] | None, billing: str) -> dict[str, Any] | None:
    """Provisioned capacity; none for an on-demand table (DescribeTable reports it as 0/0, which
    CloudFormation refuses)."""
    if billing == ON_DEMAND or not value:
        return None
    return {"ReadCapacityUnits": value.get("ReadCapacityUnits"), "WriteCapacityUnits": value.get("WriteCapacityUnits")}


def _index(i: dict[str, Any], billing: str, local: bool) -> dict[str, Any]:
    extra = sorted(set(i) - {"IndexName", "KeySchema", "Projection", "ProvisionedThroughput", "OnDemandThroughput",
                             "ContributorInsightsSpecification", *_INDEX_COMPUTED})
    if extra:
        raise _Odd(f"index {i['IndexName']}: {', '.join(extra)}")
    out = {"IndexName": i["IndexName"], "KeySchema": i["KeySchema"], "Projection": i["Projection"]}
    if not local:
        out["ProvisionedThroughput"] = _throughput(i.get("ProvisionedThroughput"), billing)
        out["OnDemandThroughput"] = _on_demand(i.get("OnDemandThroughput"))
    return out


class _Odd(Exception):
    """An index field with no property."""


def _indexes(f: Fields, key: str, billing: str) -> list[dict[str, Any]]:
    found, odd = [], []
    for i in f.get(f"Table.{key}") or []:
        try:
            found.append(_index(i, billing, key == "LocalSecondaryIndexes"))
        except _Odd as exc:
            odd.append(str(exc))
    if odd:
        f.unsupported(f"Table.{key}", "fields with no property: " + "; ".join(odd))
    return found


def _ttl(f: Fields) -> dict[str, Any] | None:
    ttl = f.get("TimeToLive") or {}
    if ttl.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
        return None
    return {"Enabled": True, "AttributeName": ttl.get("AttributeName")}


def _pitr(f: Fields) -> dict[str, Any] | None:
    pitr = f.get("ContinuousBackups.PointInTimeRecoveryDescription") or {}
    if pitr.get("PointInTimeRecoveryStatus") != "ENABLED":
        return None
    return {"PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": pitr.get("RecoveryPeriodInDays")}


def _sse(f: Fields) -> dict[str, Any] | None:
    sse = f.get("Table.SSEDescription") or {}
    if sse.get("Status") not in ("ENABLED", "ENABLING", "UPDATING"):
        return None  # the default: an AWS owned key, which DescribeTable does not describe
    return {"SSEEnabled": True, "SSEType": sse.get("SSEType"), "KMSMasterKeyId": sse.get("KMSMasterKeyArn")}


def _stream(f: Fields) -> str | None:
    stream = f.get("Table.StreamSpecification") or {}
    return stream.get("StreamViewType") if stream.get("StreamEnabled") else None


def _left(f: Fields) -> None:
    """The fields a table document may hold that no table property takes."""
    f.computed(*_COMPUTED)
    if f.get_quiet("SampleItems"):
        f.unsupported("SampleItems", "items are data, not configuration: gitsnap restore puts them back")
    for path in ("Table.Replicas", "Table.GlobalTableVersion", "Table.GlobalTableWitnesses",
                 "Table.MultiRegionConsistency"):
        if f.get_quiet(path):
            f.unsupported(path, "a global table's replicas need AWS::DynamoDB::GlobalTable "
                                "(aws_dynamodb_table replica blocks), not translated yet")


def _targets(f: Fields) -> list[dict[str, Any]]:
    return [t for t in f.get("ScalableTargets") or [] if t.get("ResourceId") and t.get("ScalableDimension")]


def table_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("Table.TableName")
    _left(f)
    billing = _billing(f)
    view = _stream(f)
    props = {
        "TableName": name,
        "KeySchema": f.get("Table.KeySchema"),
        "AttributeDefinitions": sorted(f.get("Table.AttributeDefinitions") or [], key=lambda a: a["AttributeName"]),
        "BillingMode": billing,
        "ProvisionedThroughput": _throughput(f.get("Table.ProvisionedThroughput"), billing),
        "OnDemandThroughput": _on_demand(f.get("Table.OnDemandThroughput")),
        "GlobalSecondaryIndexes": _indexes(f, "GlobalSecondaryIndexes", billing),
        "LocalSecondaryIndexes": _indexes(f, "LocalSecondaryIndexes", billing),
        "StreamSpecification": {"StreamViewType": view} if view else None,
        "TimeToLiveSpecification": _ttl(f),
        "PointInTimeRecoverySpecification": _pitr(f),
        "SSESpecification": _sse(f),
        "TableClass": f.get("Table.TableClassSummary.TableClass"),
        "DeletionProtectionEnabled": f.get("Table.DeletionProtectionEnabled"),
        "Tags": tag_list(f.get("Tags")),
    }
    out.resource("AWS::DynamoDB::Table", props, name, identifier={"TableName": name})
    for t in _targets(f):
        dim = t["ScalableDimension"].rsplit(":", 1)[-1]
        out.resource("AWS::ApplicationAutoScaling::ScalableTarget", {
            "ServiceNamespace": t.get("ServiceNamespace", "dynamodb"), "ResourceId": t["ResourceId"],
            "ScalableDimension": t["ScalableDimension"], "MinCapacity": t.get("MinCapacity"),
            "MaxCapacity": t.get("MaxCapacity"), "RoleARN": t.get("RoleARN"), "SuspendedState": t.get("SuspendedState"),
        }, f"{name}-{t['ResourceId'].rsplit('/', 1)[-1]}-{dim}", depends_on=[name],
            identifier={"ResourceId": t["ResourceId"], "ScalableDimension": t["ScalableDimension"],
                        "ServiceNamespace": t.get("ServiceNamespace", "dynamodb")})


def _key(schema: list[dict[str, str]], kind: str) -> str | None:
    return next((k["AttributeName"] for k in schema or [] if k["KeyType"] == kind), None)


def _tf_index(i: dict[str, Any], local: bool) -> Block:
    projection = i["Projection"]
    body: dict[str, Any] = {"name": i["IndexName"], "range_key": _key(i["KeySchema"], "RANGE"),
                            "projection_type": projection.get("ProjectionType"),
                            "non_key_attributes": projection.get("NonKeyAttributes")}
    if not local:
        body = {"name": i["IndexName"], "hash_key": _key(i["KeySchema"], "HASH"), **body}
        tp = i.get("ProvisionedThroughput") or {}
        body["read_capacity"] = tp.get("ReadCapacityUnits")
        body["write_capacity"] = tp.get("WriteCapacityUnits")
        od = i.get("OnDemandThroughput") or {}  # already without its -1s
        body["on_demand_throughput"] = Block({"max_read_request_units": od.get("MaxReadRequestUnits"),
                                              "max_write_request_units": od.get("MaxWriteRequestUnits")}) if od else None
    return Block(body)


def table_terraform(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("Table.TableName")
    _left(f)
    billing = _billing(f)
    keys = f.get("Table.KeySchema") or []
    tp = _throughput(f.get("Table.ProvisionedThroughput"), billing) or {}
    od = _on_demand(f.get("Table.OnDemandThroughput")) or {}
    view = _stream(f)
    ttl, pitr, sse = _ttl(f), _pitr(f), _sse(f)
    body = {
        "name": name, "billing_mode": billing, "hash_key": _key(keys, "HASH"), "range_key": _key(keys, "RANGE"),
        "read_capacity": tp.get("ReadCapacityUnits"), "write_capacity": tp.get("WriteCapacityUnits"),
        "attribute": [Block({"name": a["AttributeName"], "type": a["AttributeType"]})
                      for a in sorted(f.get("Table.AttributeDefinitions") or [], key=lambda a: a["AttributeName"])],
        "global_secondary_index": [_tf_index(i, False) for i in _indexes(f, "GlobalSecondaryIndexes", billing)],
        "local_secondary_index": [_tf_index(i, True) for i in _indexes(f, "LocalSecondaryIndexes", billing)],
        "on_demand_throughput": Block({"max_read_request_units": od.get("MaxReadRequestUnits"),
                                       "max_write_request_units": od.get("MaxWriteRequestUnits")}) if od else None,
        "stream_enabled": True if view else None, "stream_view_type": view,
        "ttl": Block({"attribute_name": ttl["AttributeName"], "enabled": True}) if ttl else None,
        "point_in_time_recovery": Block({"enabled": True, "recovery_period_in_days": pitr["RecoveryPeriodInDays"]})
        if pitr else None,
        "server_side_encryption": Block({"enabled": True, "kms_key_arn": sse["KMSMasterKeyId"]}) if sse else None,
        "table_class": f.get("Table.TableClassSummary.TableClass"),
        "deletion_protection_enabled": f.get("Table.DeletionProtectionEnabled"),
        "tags": f.get("Tags") or None,
    }
    out.block("aws_dynamodb_table", body, name, import_id=name)
    for t in _targets(f):
        ns = t.get("ServiceNamespace", "dynamodb")
        out.block("aws_appautoscaling_target", {
            "service_namespace": ns, "resource_id": t["ResourceId"], "scalable_dimension": t["ScalableDimension"],
            "min_capacity": t.get("MinCapacity"), "max_capacity": t.get("MaxCapacity"), "role_arn": t.get("RoleARN"),
        }, f"{name}-{t['ResourceId'].rsplit('/', 1)[-1]}-{t['ScalableDimension'].rsplit(':', 1)[-1]}",
            import_id=f"{ns}/{t['ResourceId']}/{t['ScalableDimension']}")
        if t.get("SuspendedState"):
            f.unsupported("ScalableTargets", "a target's SuspendedState is not translated for Terraform yet")


SPECS = {
    "table": IacSpec(
        cloudformation=table_cloudformation, terraform=table_terraform,
        cfn_types=("AWS::DynamoDB::Table", "AWS::ApplicationAutoScaling::ScalableTarget"),
        tf_types=("aws_dynamodb_table", "aws_appautoscaling_target"),
    ),
}
