"""DynamoDB tables: description, TTL, point-in-time recovery, auto-scaling targets, tags, and
(only when asked, ``[aws.dynamodb] items``) every item, in ``items.jsonl`` beside the document."""

from __future__ import annotations

from typing import Any

import botocore.exceptions as bx

from ...context import UnitContext
from ...errors import IncompleteAnswerError
from ...run import call
from ...spec import Call, Detail, Raw, ResourceType
from ..clients import TruncatedPageError, pages, translate
from ..shapes import tag_map
from .items import ITEMS, item_changes, items_extras, key_names, sort_key, to_json_item, wants_items
from .restore import RESTORER


def _table(r: Raw) -> dict[str, str]:
    return {"TableName": r["TableName"]}


def fetch_tags(ctx: UnitContext, raw: Raw) -> Any:
    arn = (raw.get("Table") or {}).get("TableArn")
    what = f"dynamodb/{raw['TableName']}: dynamodb:ListTagsOfResource"
    try:
        # checked pages: one that says more follow but gives no token is an error, not the end
        return [t for page in pages(ctx.client("dynamodb"), "list_tags_of_resource", ResourceArn=arn)
                for t in page.get("Tags", [])]
    except TruncatedPageError as exc:
        raise IncompleteAnswerError(f"{what}: {exc}; capture again (report it if it persists)") from exc
    except (bx.BotoCoreError, bx.ClientError) as exc:
        raise translate(exc, what) from exc


SCALABLE_IDS_PER_CALL = 50  # DescribeScalableTargets takes at most 50 ResourceIds


def fetch_scalable_targets(ctx: UnitContext, raw: Raw) -> Any:
    """The auto-scaling targets of the table and of each of its global secondary indexes.

    DescribeScalableTargets returns only the resources it is asked about, and an index is its
    own resource (``table/NAME/index/INDEX``): asked about the table alone, it leaves every
    index's read and write scaling out."""
    name = raw["TableName"]
    indexes = [i["IndexName"] for i in (raw.get("Table") or {}).get("GlobalSecondaryIndexes") or []]
    ids = [f"table/{name}", *(f"table/{name}/index/{i}" for i in indexes)]
    found: list[Any] = []
    for start in range(0, len(ids), SCALABLE_IDS_PER_CALL):
        chunk = ids[start:start + SCALABLE_IDS_PER_CALL]
        targets = Call("describe_scalable_targets", client="application-autoscaling", result="ScalableTargets",
                       paginate=True, params=lambda _r, chunk=chunk: {"ServiceNamespace": "dynamodb", "ResourceIds": chunk})
        found.extend(call(ctx, TABLE, targets, raw, f"dynamodb/{name}") or [])
    return found


def fetch_sample(ctx: UnitContext, raw: Raw) -> Any:
    """Deprecated (``[aws.dynamodb] sample_items``): up to N items in the document, in key order.
    A table ``[aws.dynamodb] items`` names has all of them in ``items.jsonl`` instead."""
    n = ctx.config.dynamodb_sample_items
    if not n or wants_items(ctx.config, raw["TableName"]):
        return None
    try:
        items = ctx.client("dynamodb").scan(TableName=raw["TableName"], Limit=n).get("Items", [])
    except (bx.BotoCoreError, bx.ClientError) as exc:
        raise translate(exc, f"dynamodb/{raw['TableName']}: dynamodb:Scan") from exc
    keys = key_names(raw.get("Table"))
    return sorted((to_json_item(i) for i in items), key=lambda i: sort_key(i, keys))


def transform_table(raw: Raw) -> Raw:
    doc = {
        "Table": raw["Table"],
        "TimeToLive": raw.get("TimeToLive"),
        "ContinuousBackups": raw.get("ContinuousBackups"),
        "ScalableTargets": sorted(raw.get("ScalableTargets") or [],
                                  key=lambda t: (t.get("ResourceId", ""), t.get("ScalableDimension", ""))),
        "Tags": tag_map(raw.get("Tags")),
    }
    if raw.get("SampleItems") is not None:
        doc["SampleItems"] = raw["SampleItems"]
    return doc


_INDEX_VOLATILE = ("ItemCount", "IndexSizeBytes",
                   "ProvisionedThroughput.NumberOfDecreasesToday", "ProvisionedThroughput.LastIncreaseDateTime",
                   "ProvisionedThroughput.LastDecreaseDateTime")
# Lifecycle states DynamoDB moves by itself, and warm throughput, which it raises as traffic grows
# (docs/diff.md). TimeToLiveStatus, SSEDescription.Status and PointInTimeRecoveryStatus are
# settings the user made, reported as a status: configuration.
_INDEX_STATUS = ("IndexStatus", "Backfilling", "WarmThroughput")

TABLE = ResourceType(
    service="dynamodb",
    type="table",
    scope="regional",
    client="dynamodb",
    list=Call("list_tables", result="TableNames", paginate=True),
    item_key="TableName",
    id=lambda r: r["TableName"],
    details=(
        Detail("Table", Call("describe_table", params=_table, result="Table", identity=True, required=("Table",))),
        Detail("TimeToLive", Call("describe_time_to_live", params=_table, result="TimeToLiveDescription")),
        Detail("ContinuousBackups", Call("describe_continuous_backups", params=_table, result="ContinuousBackupsDescription")),
        Detail("ScalableTargets", fetch=fetch_scalable_targets),
        Detail("Tags", fetch=fetch_tags),
        Detail("SampleItems", fetch=fetch_sample),
    ),
    transform=transform_table,
    extras=items_extras,
    document="table.json",
    volatile=(
        "Table.ItemCount", "Table.TableSizeBytes",
        # this incarnation of the table, not its configuration: a table recreated with the same
        # settings (by restore, or by hand) is the same table to diff, drift and restore
        "Table.CreationDateTime", "Table.TableId", "Table.LatestStreamLabel", "Table.LatestStreamArn",
        "Table.ProvisionedThroughput.NumberOfDecreasesToday", "Table.ProvisionedThroughput.LastIncreaseDateTime",
        "Table.ProvisionedThroughput.LastDecreaseDateTime", "Table.BillingModeSummary.LastUpdateToPayPerRequestDateTime",
        "Table.TableClassSummary.LastUpdateDateTime",
        *(f"Table.GlobalSecondaryIndexes.*.{f}" for f in _INDEX_VOLATILE),
        *(f"Table.LocalSecondaryIndexes.*.{f}" for f in _INDEX_VOLATILE),
        "Table.VectorIndexes.*.ItemCount", "Table.VectorIndexes.*.IndexSizeBytes",
        "Table.Replicas.*.ReplicaStatusPercentProgress", "Table.Replicas.*.ReplicaTableClassSummary.LastUpdateDateTime",
        "ContinuousBackups.PointInTimeRecoveryDescription.EarliestRestorableDateTime",
        "ContinuousBackups.PointInTimeRecoveryDescription.LatestRestorableDateTime",
        "ScalableTargets.*.CreationTime", "ScalableTargets.*.PredictedCapacity",
    ),
    status=(
        "Table.TableStatus", "Table.WarmThroughput", "Table.ArchivalSummary", "Table.RestoreSummary.RestoreInProgress",
        "Table.SSEDescription.InaccessibleEncryptionDateTime",
        *(f"Table.GlobalSecondaryIndexes.*.{f}" for f in _INDEX_STATUS),
        "Table.VectorIndexes.*.IndexStatus", "Table.VectorIndexes.*.Backfilling",
        "Table.Replicas.*.ReplicaStatus", "Table.Replicas.*.ReplicaStatusDescription",
        "Table.Replicas.*.ReplicaInaccessibleDateTime", "Table.Replicas.*.WarmThroughput",
        "Table.Replicas.*.GlobalSecondaryIndexes.*.WarmThroughput", "Table.GlobalTableWitnesses.*.WitnessStatus",
    ),
    unordered=("Table.AttributeDefinitions", "Table.GlobalSecondaryIndexes", "Table.LocalSecondaryIndexes"),
    schema="aws.dynamodb.table",
    permissions=("dynamodb:ListTables", "dynamodb:DescribeTable", "dynamodb:DescribeTimeToLive",
                 "dynamodb:DescribeContinuousBackups", "dynamodb:ListTagsOfResource",
                 "application-autoscaling:DescribeScalableTargets", "dynamodb:Scan"),
    restore=RESTORER,
    # items.jsonl compared item by item (keys from the table's document), not as one file
    file_diffs={ITEMS: lambda address, old, new, doc: item_changes(
        address, old, new, key_names((doc or {}).get("Table")))},
)
