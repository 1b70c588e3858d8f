"""The lean listing and the no-change pass end to end: the installed command against moto.

A capture's S3 client lists through its lean reader (s3list) and keeps unchanged keys' index
lines as they were (s3previous). What a user checks: every key recorded exactly (keys are
data: control characters, XML's special characters, dot segments), and a capture after a
change, a deletion and a new key records exactly those, each unchanged line as it was.
"""

from __future__ import annotations

import json

import boto3

BUCKET = "listing"
UNIT = "aws/123456789012/us-east-1/s3"
# keys moto stores and lists back (it refuses some control characters)
KEYS = ["a", "a//b", "../z", "./y", "<&>\"'", "&amp;", "a+b c", "100%", "%41", "tab\tkey", "ctl\x01",
        "del\x7f", "caf\u00e9/men\u00fa", "\u65e5\u672c/\u8a9e", "emoji/\U0001f600", "/", "q?x=1#f", "nbsp\u00a0"]


def body(key: str) -> bytes:
    return f"<p>{key!r}</p>\n".encode()


def lines(gitsnap) -> list[bytes]:  # noqa: ANN001
    data = gitsnap.show(f"HEAD:{UNIT}/bucket/{BUCKET}/objects.jsonl")
    return [line for line in data.split(b"\n") if line]


def test_every_key_is_recorded_exactly_and_a_change_rewrites_only_its_lines(gitsnap, endpoint: str) -> None:  # noqa: ANN001
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    s3.create_bucket(Bucket=BUCKET)
    for key in KEYS:
        s3.put_object(Bucket=BUCKET, Key=key, Body=body(key))
    gitsnap("capture", "--only", "s3")
    first = lines(gitsnap)
    entries = [json.loads(line) for line in first]
    assert [e["key"] for e in entries] == sorted(KEYS)
    for e in entries:
        assert gitsnap.git("cat-file", "blob", e["blob"], binary=True) == body(e["key"]), e["key"]

    head = gitsnap.head()
    gitsnap("capture", "--only", "s3")
    assert gitsnap.head() == head, "a capture with nothing changed made a commit"

    s3.put_object(Bucket=BUCKET, Key="<&>\"'", Body=b"changed")
    s3.delete_object(Bucket=BUCKET, Key="ctl\x01")
    s3.put_object(Bucket=BUCKET, Key="new\x02", Body=b"new")
    gitsnap("capture", "--only", "s3")
    second = lines(gitsnap)
    after = {json.loads(line)["key"]: line for line in second}
    assert sorted(after) == sorted(set(KEYS) - {"ctl\x01"} | {"new\x02"})
    assert [json.loads(line)["key"] for line in second] == sorted(after), "the index is in key order"
    before = {json.loads(line)["key"]: line for line in first}
    assert {k for k in after if after[k] != before.get(k)} == {"<&>\"'", "new\x02"}
    changed = json.loads(after["<&>\"'"])
    assert gitsnap.git("cat-file", "blob", changed["blob"], binary=True) == b"changed"
