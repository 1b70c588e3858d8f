"""Field-level and key-level diffs, without any repository or AWS."""

from __future__ import annotations

from gitsnap.diff import diff_documents, diff_objects, is_text, keyed, text_diff
from gitsnap.layout import ObjectEntry
from gitsnap.render import describe, summary_line


def test_record_sets_are_compared_by_identity_not_position():
    old = {"RecordSets": [{"Name": "a.", "Type": "A", "TTL": 60}, {"Name": "b.", "Type": "A", "TTL": 60}]}
    new = {"RecordSets": [{"Name": "0.", "Type": "A", "TTL": 5}, {"Name": "a.", "Type": "A", "TTL": 60},
                          {"Name": "b.", "Type": "A", "TTL": 300}]}
    changes = diff_documents("route53/x.com", old, new)
    assert [(c.kind, c.path) for c in changes] == [
        ("added", "RecordSets['0. A']"), ("changed", "RecordSets['b. A'].TTL")]
    assert describe(changes[1]) == "RecordSets['b. A'].TTL: 60 -> 300"


def test_redacted_values_are_flagged_and_never_printed():
    old = {"Env": {"K": "redacted:hmac-sha256:aaa"}}
    new = {"Env": {"K": "redacted:hmac-sha256:bbb"}}
    (c,) = diff_documents("lambda/f", old, new)
    assert c.redacted and describe(c) == "Env.K: changed (redacted)"
    assert "old" not in c.to_json() and "new" not in c.to_json()


def test_keyed_leaves_ambiguous_lists_positional():
    assert keyed([{"Name": "a"}, {"Name": "a"}]) == [{"Name": "a"}, {"Name": "a"}]
    assert keyed([1, 2]) == [1, 2]


def entry(key, blob, size=1, **kw):
    return ObjectEntry(key=key, size=size, etag=blob, sha256=blob * 8, blob=blob * 5, **kw)


def test_object_changes_name_keys_with_sizes_and_metadata():
    old = {"a": entry("a", "aaaaaaaa"), "gone": entry("gone", "bbbbbbbb", 4), "m": entry("m", "cccccccc", content_type="text/plain")}
    new = {"a": entry("a", "dddddddd", 2), "m": entry("m", "cccccccc", content_type="text/html"), "new": entry("new", "eeeeeeee", 9)}
    got = [(c.kind, c.path) for c in diff_objects("s3/b", old, new, None)]
    assert got == [("changed", "key 'a'"), ("removed", "key 'gone'"), ("changed", "key 'm' content_type"), ("added", "key 'new'")]
    assert summary_line(diff_objects("s3/b", old, new, None)) == "4 changes in 1 resource (0 added, 0 removed, 1 changed)"


def test_text_detection_and_diffs():
    assert is_text("index.html", None, 10) and is_text("x", "application/json", 10)
    assert not is_text("photo.jpg", "image/jpeg", 10) and not is_text("a.html", None, 10**9)
    assert text_diff(b"\xff\xfe", b"x", "f") is None
    assert "-old\n+new\n" in text_diff(b"old\n", b"new\n", "f")


def test_colliding_addresses_are_qualified_and_others_left_alone():
    from gitsnap.engine import unique_addresses

    east = {"account": "111111111111", "region": "us-east-1"}
    west = {"account": "111111111111", "region": "us-west-2"}
    out = unique_addresses([("lambda/f", east), ("lambda/f", west), ("lambda/g", east),
                            ("ses/bookings@sailjada.com", east), ("lambda/h@111111111111:us-east-1", east)])
    assert list(out) == ["lambda/f@111111111111:us-east-1", "lambda/f@111111111111:us-west-2", "lambda/g",
                         "lambda/h", "ses/bookings@sailjada.com"]
