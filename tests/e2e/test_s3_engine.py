"""The S3 body engine end to end: the installed command against moto over HTTP, through the
fault proxy where S3 must misbehave (moto never throttles, and never pages a small bucket).

The proxy makes ListObjectsV2 answer 2 keys a page, so a bucket of a few dozen odd keys is
"big": the capture fans its listing out over prefixes, and must record exactly the keys a
plain listing gives, in the same order, each with its own body.
"""

from __future__ import annotations

import json

import boto3
import pytest

from ..faults import FaultProxy, Request, Rule

BUCKET = "engine"
# unicode, spaces, '+', '%', '#', '?', keys ending in '/', a key equal to a prefix, '/' alone, deep nesting
ODD = ["a", "a-b", "a/", "a/b", "a/b/", "a/b/c", "a//x", "a0", "/", "//", "/lead", "b c/d e", "b+c/%41", "b#?/x",
       "caf\u00e9/men\u00fa", "\u65e5\u672c/\u8a9e", "emoji/\U0001f600", "z", "zz/", "deep/1/2/3/4/5/6/k",
       "deep/1/2/x", "deep/1/y", "deep/z", "sp ace", "tab\tkey", "100%/x", "q?x=1", "plus+plus"]
BIG = 65 * 1024 * 1024 + 123  # above s3ranged.RANGED_MIN
UNIT = "aws/123456789012/us-east-1/s3"


def small_pages(req: Request) -> None:
    req.path += "&max-keys=2"


def body(key: str) -> bytes:
    return f"<p>{key}</p>\n".encode() * 5


@pytest.fixture
def seeded(endpoint: str) -> boto3.client:
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    s3.create_bucket(Bucket=BUCKET)
    for key in ODD:
        s3.put_object(Bucket=BUCKET, Key=key, Body=body(key))
    return s3


def index(gitsnap) -> list[dict]:  # noqa: ANN001
    text = gitsnap.show(f"HEAD:{UNIT}/bucket/{BUCKET}/objects.jsonl").decode("utf-8")
    return [json.loads(line) for line in text.splitlines() if line]


def test_a_big_bucket_is_listed_by_prefix_and_recorded_exactly_as_a_plain_listing(
        gitsnap, seeded, proxy: tuple[FaultProxy, str]) -> None:  # noqa: ANN001
    fp, url = proxy
    fp.rules.append(Rule("GET", rf"^/{BUCKET}/?\?.*list-type=2", edit_request=small_pages))
    gitsnap("capture", "--only", "s3", env={"AWS_ENDPOINT_URL": url})
    plain = [o["Key"] for page in seeded.get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
             for o in page.get("Contents", [])]
    entries = index(gitsnap)
    assert [e["key"] for e in entries] == plain and sorted(plain) == sorted(ODD)
    for e in entries:
        assert gitsnap.git("cat-file", "blob", e["blob"], binary=True) == body(e["key"]), e["key"]
    assert any("delimiter=%2F" in line or "delimiter=/" in line for line in fp.log), "the listing was not fanned out"
    assert sum("prefix=deep" in line for line in fp.log) >= 1


def test_a_failed_prefix_listing_fails_the_bucket_never_a_shorter_listing(
        gitsnap, seeded, proxy: tuple[FaultProxy, str]) -> None:  # noqa: ANN001
    fp, url = proxy
    fp.rules.append(Rule("GET", rf"^/{BUCKET}/?\?.*prefix=deep", status=503, code="SlowDown"))
    fp.rules.append(Rule("GET", rf"^/{BUCKET}/?\?.*list-type=2", edit_request=small_pages))
    before = gitsnap.head()
    r = gitsnap("capture", "--only", "s3", check=False, env={"AWS_ENDPOINT_URL": url, "AWS_MAX_ATTEMPTS": "2"})
    assert r.code != 0, r.err
    assert f"s3/{BUCKET}" in r.err and "SlowDown" in r.err, r.err
    assert gitsnap.head() == before, "a capture with a failed listing was committed"


def test_slowdown_on_a_body_is_retried_and_the_body_stored(gitsnap, seeded, proxy: tuple[FaultProxy, str]) -> None:  # noqa: ANN001
    fp, url = proxy
    throttled = Rule("GET", rf"^/{BUCKET}/plus\+plus$|^/{BUCKET}/plus%2Bplus$", status=503, code="SlowDown", times=2)
    fp.rules.append(throttled)
    gitsnap("capture", "--only", "s3", env={"AWS_ENDPOINT_URL": url})
    assert throttled.hits == 2
    [entry] = [e for e in index(gitsnap) if e["key"] == "plus+plus"]
    assert gitsnap.git("cat-file", "blob", entry["blob"], binary=True) == body("plus+plus")


def test_a_big_body_is_read_in_ranges_and_stored_whole(gitsnap, endpoint: str, proxy: tuple[FaultProxy, str]) -> None:  # noqa: ANN001
    """Above 64 MiB a body is read as parallel ranged GETs (the proxy counts requests with a
    Range header), and what is stored is the object, byte for byte."""
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    s3.create_bucket(Bucket="big")
    data = bytes(range(256)) * (BIG // 256) + b"x" * (BIG % 256)
    s3.put_object(Bucket="big", Key="video.bin", Body=data)
    fp, url = proxy
    ranged = Rule("GET", r"^/big/video\.bin", when=lambda req: "range" in req.headers, before=lambda: None)
    fp.rules.append(ranged)
    gitsnap("capture", "--only", "s3", env={"AWS_ENDPOINT_URL": url}, timeout=600)
    [entry] = [json.loads(line) for line in gitsnap.show(f"HEAD:{UNIT}/bucket/big/objects.jsonl").splitlines()]
    assert ranged.hits >= BIG // (16 * 1024 * 1024), "the body was not read in ranges"
    assert entry["size"] == BIG
    assert gitsnap.git("cat-file", "blob", entry["blob"], binary=True) == data
