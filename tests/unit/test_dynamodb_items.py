"""A table's items, captured when ``[aws.dynamodb] items`` names it: the JSON-lines format, the
parallel paginated Scan (botocore's Stubber: moto's server answers a whole table in one page, so
it cannot show pagination or a cap reached half-way), the size cap, the secrets guard over item
values, and the item-level difference."""

from __future__ import annotations

import dataclasses
import json

import boto3
import botocore.session
import pytest
from botocore.stub import Stubber
from moto import mock_aws
from pyrage import x25519

from gitsnap.collectors import run
from gitsnap.collectors.aws.dynamodb import TABLE
from gitsnap.collectors.aws.dynamodb import items as items_module
from gitsnap.collectors.aws.dynamodb.items import (
    ITEMS,
    dump_items,
    from_json_item,
    item_changes,
    items_extras,
    key_names,
    load_items,
    scan_items,
    sort_key,
    to_json_item,
)
from gitsnap.config import Config
from gitsnap.engine import make_guard
from gitsnap.secrets.fingerprint import Fingerprinter
from gitsnap.secrets.seal import Sealer
from gitsnap.secrets.sink import SecretSink
from tests.memory import Inline, context

SCHEMA = {"KeySchema": [{"AttributeName": "n", "KeyType": "RANGE"}, {"AttributeName": "pk", "KeyType": "HASH"}]}


def stub_client():
    client = botocore.session.get_session().create_client(
        "dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    return client, Stubber(client)


def with_items(ctx, *globs: str, max_bytes: int = 1 << 20, segments: int = 1, sealer=None):
    config = dataclasses.replace(Config(path=None), dynamodb_items=globs, dynamodb_items_max_bytes=max_bytes,
                                 dynamodb_items_segments=segments)
    sink = SecretSink(make_guard(config, Fingerprinter(b"k" * 32)), sealer, ctx.blobs, {}, reuse=False)
    return dataclasses.replace(ctx, config=config, secrets=sink)


# -- the line format ---------------------------------------------------------------------------

def test_items_are_sorted_by_key_numbers_as_numbers_and_set_members_sorted():
    keys = key_names(SCHEMA)
    assert keys == ["pk", "n"]  # partition key first, whatever order the schema lists them in
    items = [to_json_item({"pk": {"S": "b"}, "n": {"N": "2"}}), to_json_item({"pk": {"S": "a"}, "n": {"N": "10"}}),
             to_json_item({"pk": {"S": "a"}, "n": {"N": "9"}, "s": {"SS": ["z", "y"]}, "ns": {"NS": ["10", "9"]}})]
    items.sort(key=lambda i: sort_key(i, keys))
    assert [(i["pk"]["S"], i["n"]["N"]) for i in items] == [("a", "9"), ("a", "10"), ("b", "2")]
    assert items[0]["s"] == {"SS": ["y", "z"]} and items[0]["ns"] == {"NS": ["9", "10"]}
    data = dump_items(items)
    assert data.count(b"\n") == 3 and b" " not in data  # one compact line per item
    assert load_items(data) == items


def test_binary_values_round_trip_through_base64():
    item = {"k": {"S": "x"}, "b": {"B": b"\x00\xff"}, "bs": {"BS": [b"\x02", b"\x01"]},
            "m": {"M": {"inner": {"B": b"\x10"}, "l": {"L": [{"B": b"\x11"}, {"BOOL": True}, {"NULL": True}]}}}}
    stored = to_json_item(item)
    assert stored["b"] == {"B": "AP8="} and stored["bs"] == {"BS": ["AQ==", "Ag=="]}
    back = from_json_item(json.loads(json.dumps(stored)))
    assert back["b"] == item["b"] and back["m"] == item["m"] and sorted(back["bs"]["BS"]) == [b"\x01", b"\x02"]


# -- the scan ----------------------------------------------------------------------------------

def page(items, last=None):
    out = {"Items": items, "Count": len(items), "ScannedCount": len(items)}
    if last:
        out["LastEvaluatedKey"] = last
    return out


def test_a_scan_follows_every_page_of_every_segment(monkeypatch):
    monkeypatch.setattr(items_module, "ThreadPoolExecutor", lambda *_a, **_k: Inline())  # segments in order
    client, stub = stub_client()
    a, b, c = ({"pk": {"S": x}, "n": {"N": "1"}} for x in "abc")
    # one segment's pages in order, then the other's: the stub answers in the order asked
    stub.add_response("scan", page([a], last={"pk": {"S": "a"}, "n": {"N": "1"}}),
                      {"TableName": "t", "Segment": 0, "TotalSegments": 2})
    stub.add_response("scan", page([b]), {"TableName": "t", "Segment": 0, "TotalSegments": 2,
                                          "ExclusiveStartKey": {"pk": {"S": "a"}, "n": {"N": "1"}}})
    stub.add_response("scan", page([c]), {"TableName": "t", "Segment": 1, "TotalSegments": 2})
    with stub:
        got = scan_items(client, "t", 2, 1 << 20)
    stub.assert_no_pending_responses()
    assert sorted(i["pk"]["S"] for i in got) == ["a", "b", "c"]


def test_past_the_cap_the_items_are_recorded_as_not_captured_never_as_empty():
    client, stub = stub_client()
    big = [{"pk": {"S": f"k{i}"}, "n": {"N": "1"}, "body": {"S": "x" * 100}} for i in range(5)]
    stub.add_response("scan", page(big[:3], last={"pk": {"S": "k2"}, "n": {"N": "1"}}), {"TableName": "orders"})
    ctx = with_items(context({"dynamodb": client}), "orders", max_bytes=250)
    raw = {"TableName": "orders", "Table": {"TableName": "orders", **SCHEMA}}
    with stub:
        extras = items_extras(ctx, raw, {}, "orders")
    stub.assert_no_pending_responses()  # the second page was never asked for
    assert ITEMS not in extras.files
    assert extras.doc_updates["Items"]["Captured"] is False
    assert "items_max_bytes (250 bytes)" in extras.doc_updates["Items"]["Why"]
    assert len(ctx.warnings) == 1 and ctx.warnings[0].startswith("dynamodb/orders: items not captured")
    assert "\n" not in ctx.warnings[0]


def test_only_the_tables_named_are_scanned_and_an_empty_table_is_an_empty_file():
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        for name in ("jada-orders", "jada-log"):
            ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                             BillingMode="PAY_PER_REQUEST")
        ddb.put_item(TableName="jada-log", Item={"pk": {"S": "line"}})
        ctx = with_items(context({"dynamodb": ddb, "application-autoscaling":
                                  boto3.client("application-autoscaling", region_name="us-east-1")}),
                         "jada-o*", segments=3)
        found = {c.id: c for c in run.collect(ctx, TABLE)}
    assert found["jada-orders"].extras.files == {ITEMS: b""}
    assert found["jada-orders"].extras.doc_updates == {"Items": {"Captured": True}}
    assert found["jada-log"].extras.files == {} and "Items" not in found["jada-log"].document


def test_item_values_pass_the_secrets_guard_with_their_attribute_names():
    """A value is judged with the name of the attribute that holds it (``password``), as a
    document field is; it becomes a fingerprint and is sealed."""
    identity = x25519.Identity.generate()
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        ddb.create_table(TableName="users", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        ddb.put_item(TableName="users", Item={"pk": {"S": "ada"}, "password": {"S": "Tr0ub4dor&3-horse-staple"},
                                              "profile": {"M": {"api_token": {"S": "ghp_" + "a1B2" * 9}}},
                                              "city": {"S": "Lisbon"}})
        ctx = with_items(context({"dynamodb": ddb}), "users", sealer=Sealer([str(identity.to_public())]))
        extras = items_extras(ctx, {"TableName": "users", "Table": {"KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"}]}}, {}, "users")
    (item,) = load_items(extras.files[ITEMS])
    assert item["password"]["S"].startswith("redacted:hmac-sha256:")
    assert item["profile"]["M"]["api_token"]["S"].startswith("redacted:hmac-sha256:")
    assert item["city"] == {"S": "Lisbon"} and item["pk"] == {"S": "ada"}
    assert b"Tr0ub4dor" not in extras.files[ITEMS]
    assert len([p for p in ctx.sealed.items if p.startswith("sealed/values/")]) == 2


# -- differences -------------------------------------------------------------------------------

def test_item_changes_name_each_item_by_its_key():
    keys = ["pk"]
    old = dump_items([{"pk": {"S": "a"}, "v": {"N": "1"}}, {"pk": {"S": "b"}, "v": {"N": "1"}}])
    new = dump_items([{"pk": {"S": "a"}, "v": {"N": "2"}}, {"pk": {"S": "c"}}])
    got = {(c.kind, c.path, json.dumps(c.old), json.dumps(c.new)) for c in item_changes("dynamodb/t", old, new, keys)}
    assert got == {("changed", 'item {"pk":{"S":"a"}} v.N', '"1"', '"2"'),
                   ("removed", 'item {"pk":{"S":"b"}}', json.dumps({"pk": {"S": "b"}, "v": {"N": "1"}}), "null"),
                   ("added", 'item {"pk":{"S":"c"}}', "null", json.dumps({"pk": {"S": "c"}}))}
    assert item_changes("dynamodb/t", old, old, keys) == []


@pytest.mark.parametrize("old, new", [(None, b""), (b"", None)])
def test_a_table_opted_in_or_out_shows_no_item_changes_when_it_is_empty(old, new):
    assert item_changes("dynamodb/t", old, new, ["pk"]) == []
