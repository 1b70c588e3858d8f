"""DynamoDB items end to end, through the ``gitsnap`` command: opted-in tables' items captured as
sorted JSON lines (a secret among them sealed, never in clear), an item changed live shows in
``drift``, and a deleted table comes back with ``restore --apply``: settings, then every item."""

from __future__ import annotations

import json
import secrets

import pytest

from gitsnap.sandbox import estate as sample

pytestmark = pytest.mark.e2e

TABLE = "jada-orders"
PATH = f"aws/{sample.ACCOUNT}/us-east-1/dynamodb/table/{TABLE}"


def _canon(value):
    """An item as comparable text: bytes as hex, set members sorted."""
    if isinstance(value, dict):
        return {k: sorted(map(_canon, v)) if k in ("SS", "NS", "BS") else _canon(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canon(v) for v in value]
    return value.hex() if isinstance(value, bytes) else value


def _seed(ddb, password: str) -> list[dict]:
    ddb.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "n", "AttributeType": "N"}],
                     Tags=[{"Key": "site", "Value": "sailjada"}])
    ddb.update_time_to_live(TableName=TABLE, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    ddb.create_table(TableName="jada-log", BillingMode="PAY_PER_REQUEST",  # not opted in: its items stay out
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    ddb.put_item(TableName="jada-log", Item={"id": {"S": "log-line-canary"}})
    items = [{"pk": {"S": f"order-{i % 4}"}, "n": {"N": str(i * 7 % 11)}, "total": {"N": f"{i}.5"},
              "tags": {"SS": ["b", "a"]}, "blob": {"B": bytes([i, 0, 255])},
              "lines": {"L": [{"M": {"sku": {"S": f"sku-{i}"}, "qty": {"N": "2"}}}]}} for i in range(12)]
    items[3]["password"] = {"S": password}
    for item in items:
        ddb.put_item(TableName=TABLE, Item=item)
    return items


def test_items_captured_drifted_and_restored_with_the_table(gitsnap, endpoint):
    ddb = sample.clients(endpoint)("dynamodb")
    password = "pw-" + secrets.token_urlsafe(18)
    items = _seed(ddb, password)
    (gitsnap.repo / "gitsnap.toml").write_text('[aws]\nservices = ["dynamodb"]\n[aws.dynamodb]\nitems = ["jada-o*"]\n')
    gitsnap("capture", "--tag", "v1.0")

    # one line per item, sorted by key (partition key, then the sort key as a number), canonical
    lines = gitsnap.show(f"v1.0:{PATH}/items.jsonl").decode().splitlines()
    stored = [json.loads(line) for line in lines]
    assert len(stored) == len(items)
    assert [(i["pk"]["S"], int(i["n"]["N"])) for i in stored] == sorted((i["pk"]["S"], int(i["n"]["N"])) for i in items)
    assert all(i["tags"] == {"SS": ["a", "b"]} for i in stored)  # set members sorted
    assert json.loads(gitsnap.show(f"v1.0:{PATH}/table.json"))["Items"] == {"Captured": True}
    assert gitsnap.manifest("v1.0")["resources"][f"dynamodb/{TABLE}"]["items"] == len(items)
    # the password attribute is a fingerprint, its value sealed; the other table's items were not read
    secret_line = next(i for i in stored if "password" in i)
    assert secret_line["password"]["S"].startswith("redacted:hmac-sha256:")
    objects = gitsnap.all_objects()
    assert password.encode() not in objects and b"log-line-canary" not in objects

    # an item changed live and one added: drift reports the table's items, nothing else
    ddb.put_item(TableName=TABLE, Item={**items[0], "total": {"N": "999.5"}})
    ddb.put_item(TableName=TABLE, Item={"pk": {"S": "order-new"}, "n": {"N": "1"}})
    out = gitsnap("drift", "v1.0", "--format", "json", check=False)
    assert out.code == 1, out.err
    changes = [c for c in json.loads(out.out)["changes"]]
    assert {c["address"] for c in changes} == {f"dynamodb/{TABLE}"}
    paths = {(c["kind"], c["path"]) for c in changes}
    # item by item (under each item's key), not "file items.jsonl changed"
    assert any(kind == "added" and path.startswith("item ") and "order-new" in path for kind, path in paths), changes
    assert any(kind == "changed" and path.startswith("item ") and "order-0" in path and path.endswith("total.N")
               for kind, path in paths), changes
    assert not any(path.startswith("file ") for _, path in paths), changes

    # the disaster: the table is deleted. restore recreates it with its settings and every item
    ddb.delete_table(TableName=TABLE)
    out = gitsnap("restore", "v1.0", f"dynamodb/{TABLE}", "--apply", "--yes").out  # exit 0: verified after apply
    assert "create             table" in out and f"put                {'items.jsonl'}" in out, out
    back = ddb.scan(TableName=TABLE)["Items"]
    assert sorted(json.dumps(_canon(i), sort_keys=True) for i in back) == sorted(
        json.dumps(_canon(i), sort_keys=True) for i in items)  # the sealed password too
    assert ddb.describe_time_to_live(TableName=TABLE)["TimeToLiveDescription"]["TimeToLiveStatus"] == "ENABLED"
    arn = ddb.describe_table(TableName=TABLE)["Table"]["TableArn"]
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "site", "Value": "sailjada"}]
