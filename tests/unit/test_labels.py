"""Names people know resources by, next to their ids (issue 15, part 7), and the wording and
shapes of what diff, parity and capture print about them (issue 15, part 1). Pure functions and
in-memory snapshots: no server."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from gitsnap import canonical

MARK = "redacted:hmac-sha256:0123456789abcdef01234567"


def distribution(aliases: list[str], origin: str = "shop-prod.s3.amazonaws.com") -> dict:
    return {"Id": "E2ABC123", "DistributionConfig": {
        "Aliases": {"Quantity": len(aliases), "Items": aliases},
        "Origins": {"Quantity": 1, "Items": [{"Id": "site", "DomainName": origin}]}}}


def test_each_type_is_named_the_way_people_know_it():
    from gitsnap.labels import label

    assert label("cloudfront/E2ABC123", distribution(["shop.example.com"]), "distribution") == "shop.example.com"
    assert label("cloudfront/E2ABC123", distribution(["www.shop.com", "shop.com", "m.shop.com"]),
                 "distribution") == "m.shop.com +2 more"
    assert label("cloudfront/E2ABC123", distribution([]), "distribution") == "shop-prod.s3.amazonaws.com"
    bucket = {"Name": "shop-prod", "Region": "eu-west-1", "Website": {"IndexDocument": {"Suffix": "index.html"}}}
    assert label("s3/shop-prod", bucket, "bucket") == "shop-prod.s3-website-eu-west-1.amazonaws.com"
    assert label("s3/shop-prod", {**bucket, "Website": None}, "bucket") is None  # no website, no other name
    assert label("lambda/f", {"Configuration": {"Description": "Sends the contact form"}}, "function") == \
        "Sends the contact form"
    assert label("apigateway/s3vrxzgx3d", {"id": "s3vrxzgx3d", "name": "bookings-api"}, "rest-api") == "bookings-api"
    assert label("apigateway/http-api/abc", {"ApiId": "abc", "Name": "webhooks"}, "http-api") == "webhooks"
    assert label("acm/e7f0-11", {"Certificate": {"DomainName": "shop.com"}}, "certificate") == "shop.com"
    assert label("route53/shop.com~Z1", {"Name": "shop.com."}, "zone") == "shop.com"  # a private twin
    mapping = {"UUID": "u-1", "FunctionArn": "arn:aws:lambda:us-east-1:1:function:orders",
               "EventSourceArn": "arn:aws:sqs:us-east-1:1:orders-queue"}
    assert label("lambda/event-source-mapping/u-1", mapping, "event-source-mapping") == "orders-queue -> orders"
    # any other type: a Name tag, as a mapping or as AWS's Key/Value list
    assert label("sns/t", {"Tags": {"Name": "Order events"}}, "topic") == "Order events"
    assert label("rds/db", {"Tags": [{"Key": "Name", "Value": "orders db"}]}, "instance") == "orders db"


def test_no_label_is_shown_when_it_would_say_nothing_or_hold_a_secret():
    from gitsnap.labels import label

    assert label("route53/shop.com", {"Name": "shop.com."}, "zone") is None  # the id already is the name
    assert label("lambda/f", {"Configuration": {"Description": ""}}, "function") is None
    assert label("lambda/f", {"Configuration": {"Description": MARK}}, "function") is None
    assert label("cloudfront/E2ABC123", distribution([MARK]), "distribution") is None
    assert label("lambda/f", {"Configuration": {"Description": f"key {MARK}"}}, "function") is None
    assert label("lambda/f", None, "function") is None
    long = label("lambda/f", {"Configuration": {"Description": "word " * 40}}, "function")
    assert long is not None and len(long) == 60 and long.endswith("...")


def test_named_puts_the_label_and_anything_else_in_one_pair_of_parentheses():
    from gitsnap.labels import named

    assert named("cloudfront/E2", "shop.example.com") == "cloudfront/E2 (shop.example.com)"
    assert named("cloudfront/E2", "shop.example.com", "staging") == "cloudfront/E2 (shop.example.com, staging)"
    assert named("s3/b", None, "prod") == "s3/b (prod)"
    assert named("s3/b", None) == "s3/b"


# -- diff, text and JSON, from snapshots in memory ----------------------------------------------

DIST = "aws/1/global/cloudfront/distribution/E2ABC123.json"
BUCKET = "aws/1/us-east-1/s3/bucket/shop-prod"


def snapshot(ttl: int, keys: dict[str, str]):
    from gitsnap.store.snapshot import Snapshot

    dist = distribution(["shop.example.com"])
    dist["DistributionConfig"]["DefaultCacheBehavior"] = {"DefaultTTL": ttl}
    bucket = {"Name": "shop-prod", "Region": "us-east-1", "Website": None}
    index = "".join(json.dumps({"key": k, "size": 1, "etag": e, "sha256": e * 8, "blob": e * 10}) + "\n"
                    for k, e in sorted(keys.items()))
    files = {DIST: canonical.dumps(dist), f"{BUCKET}/bucket.json": canonical.dumps(bucket),
             f"{BUCKET}/objects.jsonl": index.encode()}
    resources = {"cloudfront/E2ABC123": {"path": DIST, "service": "cloudfront", "type": "distribution"},
                 "s3/shop-prod": {"path": BUCKET, "service": "s3", "type": "bucket"}}
    return Snapshot.in_memory(None, files, resources)  # type: ignore[arg-type]


def test_diff_text_markdown_and_json_name_the_distribution_by_its_alias():
    from gitsnap import render
    from gitsnap.diff import diff_snapshots

    changes = diff_snapshots(snapshot(86400, {"a.html": "1111"}), snapshot(60, {"a.html": "1111"}))
    text = render.text(changes)
    assert "cloudfront/E2ABC123 (shop.example.com)  DistributionConfig.DefaultCacheBehavior.DefaultTTL: 86400 -> 60" in text
    assert "**`cloudfront/E2ABC123`** (shop.example.com)" in render.markdown(changes, "t")
    (change,) = json.loads(render.as_json(changes, {}))["changes"]
    assert change["address"] == "cloudfront/E2ABC123" and change["label"] == "shop.example.com"


def test_an_object_change_says_where_it_is_structurally_in_json():
    """The exact key, never a quoted string to parse: a key with a quote and a space round-trips."""
    from gitsnap import render
    from gitsnap.diff import diff_snapshots

    key = "it's a/k\u00e9y"
    changes = diff_snapshots(snapshot(60, {key: "1111", "gone": "2222"}), snapshot(60, {key: "3333", "new": "4444"}))
    got = {(c["kind"], json.dumps(c["location"], sort_keys=True)) for c in json.loads(render.as_json(changes, {}))["changes"]}
    assert got == {
        ("changed", json.dumps({"field": ["body"], "file": "objects.jsonl", "key": key}, sort_keys=True)),
        ("removed", json.dumps({"file": "objects.jsonl", "key": "gone"}, sort_keys=True)),
        ("added", json.dumps({"file": "objects.jsonl", "key": "new"}, sort_keys=True)),
    }
    ttl = diff_snapshots(snapshot(86400, {}), snapshot(60, {}))[0].to_json()
    assert ttl["location"] == {"field": ["DistributionConfig", "DefaultCacheBehavior", "DefaultTTL"]}
    assert ttl["path"] == "DistributionConfig.DefaultCacheBehavior.DefaultTTL"  # unchanged: [[ignore]] matches it


def test_an_object_metadata_change_names_the_index_field():
    from gitsnap.diff import diff_objects
    from gitsnap.layout import ObjectEntry

    def entry(ctype: str) -> ObjectEntry:
        return ObjectEntry(key="a.html", size=1, sha256="s", blob="b", etag="e", content_type=ctype)

    (c,) = diff_objects("s3/b", {"a.html": entry("text/plain")}, {"a.html": entry("text/html")}, None)
    assert c.to_json()["location"] == {"file": "objects.jsonl", "key": "a.html", "field": ["content_type"]}


# -- counted nouns ------------------------------------------------------------------------------

def test_ignored_and_drifted_counts_are_counted_nouns():
    from gitsnap import render
    from gitsnap.changes import Change

    rule = SimpleNamespace(address="s3/*", path="Versioning*", reason="r")
    assert render.ignored_footer([(rule, 1)]) == "ignored 1 change: s3/* Versioning* (r)\n"
    assert render.ignored_footer([(rule, 2)]) == "ignored 2 changes: s3/* Versioning* (r)\n"
    assert render.per_service([Change("s3/a", "changed", "x")]) == "s3: 1 resource drifted (1 changed)\n"


# -- parity: the same counts and words in text, JSON and the report ----------------------------

def parity_snapshot(staging_keys: dict[str, str], unpaired: bool = True):
    from gitsnap.store.snapshot import Snapshot

    files, resources = {}, {}
    for env, keys in (("prod", {"a.html": "1111"}), ("staging", staging_keys)):
        path = f"aws/1/us-east-1/s3/bucket/shop-{env}"
        files[f"{path}/bucket.json"] = canonical.dumps({"Name": f"shop-{env}", "Region": "us-east-1",
                                                        "Website": {"IndexDocument": {"Suffix": "index.html"}}})
        files[f"{path}/objects.jsonl"] = "".join(
            json.dumps({"key": k, "size": 1, "etag": e, "sha256": e * 8, "blob": e * 10}) + "\n"
            for k, e in sorted(keys.items())).encode()
        resources[f"s3/shop-{env}"] = {"path": path, "service": "s3", "type": "bucket"}
    if unpaired:
        files["aws/1/us-east-1/dynamodb/table/orders-staging/table.json"] = canonical.dumps({"Table": {}})
        resources["dynamodb/orders-staging"] = {"path": "aws/1/us-east-1/dynamodb/table/orders-staging",
                                                "service": "dynamodb", "type": "table"}
    return Snapshot.in_memory(None, files, resources)  # type: ignore[arg-type]


ENVS = {"prod": ("*-prod",), "staging": ("*-staging",)}


@pytest.mark.parametrize(("staging", "unpaired", "line"), [
    ({"a.html": "1111"}, True, "0 findings, 0 of 1 pair differ, 1 unpaired resource"),
    ({"a.html": "1111", "new.html": "2222"}, False, "1 finding, 1 of 1 pair differs, 0 unpaired resources"),
    ({"a.html": "1111"}, False, "The environments match."),
])
def test_parity_text_json_and_report_say_the_same(staging, unpaired, line):
    from gitsnap import report
    from gitsnap.parity import parity, render_json, render_text

    r = parity(parity_snapshot(staging, unpaired), ENVS, "prod", "staging")
    assert render_text(r).splitlines()[-1] == line
    doc = json.loads(render_json(r))
    assert doc["summary"]["line"] == line
    assert doc["summary"]["findings"] == len(doc["findings"]) == len(r.findings)
    assert doc["summary"]["unpaired"] == sum(len(v) for v in doc["only"].values())
    page = report.render("Parity", "", r.changes(), [f.shown for f in r.findings], [], None,
                         summary=r.summary_line(), only=r.unpaired())
    assert line in page
    assert "No differences." not in page  # the report said so beside a finding and an unpaired resource
    if r.findings:
        assert f"<h2>{'1 finding' if len(r.findings) == 1 else f'{len(r.findings)} findings'}</h2>" in page


def test_parity_counts_keys_with_plural_and_names_buckets_by_their_website():
    from gitsnap.parity import parity, render_json, render_text

    r = parity(parity_snapshot({"a.html": "1111", "new.html": "2222"}, False), ENVS, "prod", "staging")
    (f,) = r.findings
    assert f.message == "s3/shop-staging (staging) serves 1 key prod does not have: 'new.html'"  # JSON: addresses
    website = "shop-staging.s3-website-us-east-1.amazonaws.com"
    assert f.shown == f"s3/shop-staging ({website}, staging) serves 1 key prod does not have: 'new.html'"
    text = render_text(r)
    assert f"s3/shop-prod (shop-prod.s3-website-us-east-1.amazonaws.com) <-> s3/shop-staging ({website}): 1 difference" in text
    doc = json.loads(render_json(r))
    assert doc["labels"]["s3/shop-staging"] == website
    assert doc["findings"][0]["addresses"] == ["s3/shop-staging"]


# -- the capture summary ------------------------------------------------------------------------

def test_the_capture_summary_counts_bodies_as_manifest_md_does_and_says_downloads_are_per_read():
    """Two keys with the same bytes are two downloads and one body: MANIFEST.md says "1 body",
    and so must the summary (it said "2 downloaded" as its only count of bodies)."""
    from gitsnap.collectors.context import Counters
    from gitsnap.progress import summary_table

    unit = SimpleNamespace(path="aws/1/us-east-1/s3", status="ok", resources={"s3/b": {}}, seconds=0.1,
                           blobs={"b" * 40: ["s3/b"]})
    result = SimpleNamespace(counters=Counters(resources=1, objects=2, bytes=10, new_blobs=2, downloaded_bytes=10),
                             units=[unit], seconds=0.5)
    caption = summary_table(result).caption
    assert "1 body;" in caption and "per object or package read: 2 downloaded (10 B), 0 reused" in caption
