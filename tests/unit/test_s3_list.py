"""The lean ListObjectsV2 (s3list) and the compact no-change pass (s3previous, s3objects).

A bucket's listing is read through the client's lean reader and parsed with ``xml.etree`` into
compact objects instead of botocore's dicts. What must hold: every legal key comes back exactly
(``encoding-type=url``), every page is checked as botocore's checked pager checks it (a failed,
garbled or truncated-without-token page fails the bucket, never "fewer objects"), retries and
signing are botocore's, and a listing and the previous index take a fraction of the memory.

moto cannot answer on cue (a page truncated without a token, garbled XML, a 503 on page two),
so the listing is served here by a tiny local S3 (:class:`ListingS3`) with ListObjectsV2's
semantics, through a real botocore client's signer and connection pool; moto over HTTP shows
real key encoding for the keys it can store.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import Any

import botocore.config
import botocore.parsers
import botocore.session
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitsnap.collectors.aws import s3http, s3list, s3listing, s3objects
from gitsnap.collectors.aws.s3http import FAST_READER, FastS3
from gitsnap.collectors.errors import CollectorError, IncompleteAnswerError
from gitsnap.layout import OBJECT_INDEX, ObjectEntry, dump_index, load_index

from ..memory import MemoryBlobs, context
from .test_s3_list_why import (
    ODD,
    SESSION,
    ListingS3,
    botocore_calls,
    contents_xml,
    make_client,
    page_xml,
)


def lean_client(url: str, attempts: int = 10) -> Any:
    """A botocore S3 client with its lean reader, as AwsAccount makes them."""
    client = make_client(url, attempts)
    setattr(client, FAST_READER, FastS3(client, lambda _region: make_client(url, attempts)))
    return client


@pytest.fixture
def served() -> Iterator[ListingS3]:
    """The odd keys, listed 5 a page."""
    server = ListingS3(ODD, page_keys=5)
    yield server
    server.stop()


@pytest.fixture
def no_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader's backoff sleeps skipped."""
    monkeypatch.setattr(s3http, "sleep", lambda _seconds: None)


# -- keys and fields ------------------------------------------------------------------------------


def test_every_legal_key_round_trips_through_the_lean_listing_as_botocores_does(served: ListingS3) -> None:
    """Fanned out over 5-key pages, the lean listing gives every key exactly, in order, with
    the same fields as botocore's paginator over the same answers."""
    client = lean_client(served.url)
    calls = botocore_calls(client)
    got = s3listing.get_objects(context({"s3": client}), {"Name": "b"})
    assert not calls, "the listing went through botocore's parser"
    assert [o.key for o in got] == sorted(ODD)
    plain = [o for page in make_client(served.url).get_paginator("list_objects_v2").paginate(Bucket="b")
             for o in page.get("Contents", [])]
    assert [o["Key"] for o in plain] == sorted(ODD)
    for mine, theirs in zip(got, plain, strict=True):
        assert (mine["Key"], mine["Size"], mine["ETag"], mine["StorageClass"], mine["ChecksumAlgorithm"]) == (
            theirs["Key"], theirs["Size"], theirs["ETag"], theirs["StorageClass"], theirs["ChecksumAlgorithm"])
        assert mine.last_modified == "2026-11-30T20:17:00.000Z"  # as sent: no datetime per key
    assert all(q.get("encoding-type") == "url" and q.get("list-type") == "2" for _, q, _ in served.seen)


@settings(max_examples=200)
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40), min_size=1,
                max_size=8, unique=True))
def test_a_page_parses_as_botocore_parses_it(keys: list[str]) -> None:
    """Any key (any code point but surrogates, which UTF-8 cannot hold), URL-encoded as S3
    sends it: the same key and fields as botocore's parser and its URL decoding give."""
    body = page_xml([contents_xml(k, i, True) for i, k in enumerate(keys)], True, "tok/+=")
    shape = SESSION.get_service_model("s3").operation_model("ListObjectsV2").output_shape
    theirs = botocore.parsers.RestXMLParser().parse({"body": body, "headers": {}, "status_code": 200}, shape)
    page = s3list.parse_page(body)
    assert [o.key for o in page.contents] == keys
    assert [(o["Size"], o["ETag"], o["StorageClass"]) for o in page.contents] == [
        (o["Size"], o["ETag"], o["StorageClass"]) for o in theirs["Contents"]]
    assert (page.truncated, page.token) == (True, theirs["NextContinuationToken"])


def test_a_page_without_url_encoding_is_read_as_xml_text() -> None:
    """A service that ignores ``encoding-type=url`` sends keys as XML text: entities decoded,
    nothing else done to them ('+' and '%' are the key's own)."""
    page = s3list.parse_page(page_xml([contents_xml("a+b %41 <&>", 3, False)], encode=False, prefixes=["p+q/"]))
    assert [o.key for o in page.contents] == ["a+b %41 <&>"]
    assert page.prefixes == ["p+q/"]


def test_owner_and_restore_status_are_kept_when_listed() -> None:
    item = ("<Contents><Key>k</Key><Size>1</Size><ETag>\"e\"</ETag><StorageClass>GLACIER</StorageClass>"
            "<Owner><ID>abc</ID><DisplayName>jada</DisplayName></Owner>"
            "<RestoreStatus><IsRestoreInProgress>false</IsRestoreInProgress></RestoreStatus></Contents>")
    [obj] = s3list.parse_page(page_xml([item])).contents
    assert obj["Owner"] == {"ID": "abc", "DisplayName": "jada"}
    assert obj["RestoreStatus"] == {"IsRestoreInProgress": "false"}
    assert obj.get("ChecksumAlgorithm") is None and obj["StorageClass"] == "GLACIER"


def test_a_listing_signature_is_botocores(served: ListingS3, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lean listing signs its query (prefix, delimiter, a continuation token with '/', '+'
    and '=') exactly as botocore's SigV4 signer would sign the same request."""
    import botocore.auth
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    served.keys = sorted(ODD + [f"deep/{i}" for i in range(12)])
    s3listing.get_objects(context({"s3": lean_client(served.url)}), {"Name": "b"})
    assert any("continuation-token" in q for _, q, _ in served.seen) and any("prefix" in q for _, q, _ in served.seen)
    for path, _, headers in served.seen:
        when = dt.datetime.strptime(headers["x-amz-date"], "%Y%m%dT%H%M%SZ")
        monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda w=when: w)  # sign at the request's time
        request = AWSRequest("GET", served.url + path)
        S3SigV4Auth(Credentials("AKIDTEST", "secret"), "s3", "us-east-1").add_auth(request)
        assert request.headers["Authorization"] == headers["authorization"], path


# -- every page checked ---------------------------------------------------------------------------


def test_a_page_truncated_without_a_token_is_asked_again_then_an_error(served: ListingS3) -> None:
    cut = page_xml([contents_xml("a", 1, True)], truncated=True)  # more follow, but from where?
    served.script = [lambda q: (200, cut)] * 2
    with pytest.raises(IncompleteAnswerError, match="IsTruncated but gives no NextContinuationToken"):
        s3listing.get_objects(context({"s3": lean_client(served.url)}), {"Name": "b"})
    assert len(served.seen) == 2


def test_a_garbled_page_is_asked_again_and_the_listing_is_whole(served: ListingS3) -> None:
    served.script = [lambda q: (200, b"<ListBucketResult><Contents><Key>a</Ke")]
    got = s3listing.get_objects(context({"s3": lean_client(served.url)}), {"Name": "b"})
    assert [o.key for o in got] == sorted(ODD)


def test_a_page_that_gives_back_its_own_token_is_an_error_not_a_loop(served: ListingS3) -> None:
    def same_token(q: dict[str, str]) -> tuple[int, bytes]:
        return 200, page_xml([contents_xml("k", 1, True)], True, q.get("continuation-token", "t=9"))

    served.script = [same_token] * 20
    with pytest.raises(IncompleteAnswerError, match="continuation token it was asked with"):
        s3listing.get_objects(context({"s3": lean_client(served.url)}), {"Name": "b"})


def test_a_throttled_page_is_retried_and_the_listing_is_whole(served: ListingS3, no_waits: None) -> None:
    slow = (503, b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>")
    served.script = [lambda q: None, lambda q: slow, lambda q: slow]  # page 1 fine, page 2 twice throttled
    got = s3listing.get_objects(context({"s3": lean_client(served.url)}), {"Name": "b"})
    assert [o.key for o in got] == sorted(ODD)


@pytest.mark.parametrize("error", [
    b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>",
    b"<ErrorResponse><Error><Code>SlowDown</Code><Message>slow</Message></Error></ErrorResponse>",
], ids=["s3", "rest-xml"])
def test_a_later_page_that_keeps_failing_fails_the_bucket_never_a_shorter_listing(
        served: ListingS3, no_waits: None, error: bytes) -> None:
    """Either form of error document (S3's ``<Error>``, the REST-XML ``<ErrorResponse>`` botocore
    also reads) names its code."""

    def later_pages_fail(q: dict[str, str]) -> tuple[int, bytes] | None:
        return (503, error) if "continuation-token" in q else None

    served.script = [later_pages_fail] * 100
    with pytest.raises(CollectorError, match="s3/b: s3:ListBucket.*SlowDown"):
        s3listing.get_objects(context({"s3": lean_client(served.url, attempts=3)}), {"Name": "b"})


def test_a_refused_listing_is_access_denied_naming_the_bucket(served: ListingS3) -> None:
    served.script = [lambda q: (403, b"<Error><Code>AccessDenied</Code><Message>no</Message></Error>")]
    with pytest.raises(CollectorError, match="s3/b: s3:ListBucket: access denied"):
        s3listing.get_objects(context({"s3": lean_client(served.url)}), {"Name": "b"})


def test_without_the_lean_reader_the_listing_is_botocores_checked_pages(served: ListingS3) -> None:
    """A client whose calls hooks watch has no lean reader: its listing is botocore's calls
    (which the pager audit sees), with the same objects."""
    client = make_client(served.url)
    calls = botocore_calls(client)
    got = s3listing.get_objects(context({"s3": client}), {"Name": "b"})
    assert [o.key for o in got] == sorted(ODD) and all(isinstance(o, s3list.Listed) for o in got)
    assert calls and set(calls) == {"ListObjectsV2"}


def test_odd_keys_list_the_same_through_moto_over_http(endpoint: str) -> None:
    """moto's own encoding of real keys (those it stores: not every control character)."""
    client = lean_client(endpoint)
    client.create_bucket(Bucket="odd")
    keys = [k for k in ODD if k not in ("cr\rlf\n", "ctl\x01\x1f\x7f")] + ["ctl\x01", "x\x7f"]
    for key in keys:
        client.put_object(Bucket="odd", Key=key, Body=b"x")
    fanned = s3listing.Fanout(s3listing.make_lister(client, "odd"), workers=4, page_keys=2).listing()
    plain = [o["Key"] for page in make_client(endpoint).get_paginator("list_objects_v2").paginate(Bucket="odd")
             for o in page.get("Contents", [])]
    assert [o.key for o in fanned] == plain and sorted(plain) == sorted(keys)


# -- memory: what 100,000 keys cost ---------------------------------------------------------------


def entry(i: int, blobs: MemoryBlobs) -> ObjectEntry:
    body = f"<p>{i}</p>".encode()
    return ObjectEntry(f"k/{i:06d}", len(body), hashlib.md5(body).hexdigest(), hashlib.sha256(body).hexdigest(),
                       blobs.add_bytes(body), content_type="text/html")


def listed(e: ObjectEntry) -> s3list.Listed:
    return s3list.Listed(e.key, e.size, f'"{e.etag}"', "2026-11-30T20:17:00.000Z", "STANDARD")


# -- the new index from the previous lines --------------------------------------------------------


def test_the_index_keeps_unchanged_lines_and_writes_changed_new_and_gone_keys() -> None:
    """A changed body, a new key, a key gone from the listing: the index is exactly what
    dumping every entry gives."""
    blobs = MemoryBlobs()
    entries = [entry(i, blobs) for i in range(50)]
    data = dump_index(entries)
    changed = b"<p>changed</p>"
    new = b"<p>new</p>"
    listing = [listed(e) for e in entries if e.key != "k/000007"]
    listing[3] = s3list.Listed("k/000003", len(changed), f'"{hashlib.md5(changed).hexdigest()}"')
    listing.insert(10, s3list.Listed("k/000009a", len(new), f'"{hashlib.md5(new).hexdigest()}"'))

    class Reads:
        def __init__(self, *_: Any) -> None:
            self.restore_days = None
            self.refused: list[Any] = []

    def fetch(ctx: Any, reads: Any, obj: Any, with_body: bool) -> ObjectEntry:
        body = changed if obj.key == "k/000003" else new
        return ObjectEntry(obj.key, len(body), hashlib.md5(body).hexdigest(), hashlib.sha256(body).hexdigest(),
                           blobs.add_bytes(body), content_type="text/html")

    ctx = context({"s3": make_client("http://127.0.0.1:9")}, blobs,
                  previous={f"aws/123456789012/us-east-1/s3/bucket/b/{OBJECT_INDEX}": data})
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(s3objects, "_fetch", fetch)
        mp.setattr(s3objects, "BucketReads", Reads)
        extras = s3objects.capture_objects(ctx, {"Name": "b", "Objects": listing}, {}, "b")
    got = extras.files[OBJECT_INDEX]
    want = {e.key: e for e in entries if e.key != "k/000007"}
    want["k/000003"] = fetch(None, None, listing[3], True)
    want["k/000009a"] = fetch(None, None, listing[10], True)
    assert got == dump_index(want.values())
    assert extras.summary["objects"] == 50 and extras.blobs == {e.blob for e in want.values()}


def test_an_index_in_an_older_form_is_written_again_whole() -> None:
    """Lines an older gitsnap wrote (here: other key order and spacing) are not today's
    canonical lines: the new index is every entry dumped again, not old lines kept."""
    blobs = MemoryBlobs()
    entries = [entry(i, blobs) for i in range(5)]
    old = "".join(json.dumps(e.to_json(), sort_keys=False, indent=None) + "\n" for e in reversed(entries))
    old_sorted = "\n".join(sorted(old.strip().split("\n"), key=lambda line: json.loads(line)["key"])) + "\n"
    ctx = context({"s3": make_client("http://127.0.0.1:9")}, blobs,
                  previous={f"aws/123456789012/us-east-1/s3/bucket/b/{OBJECT_INDEX}": old_sorted.encode()})
    extras = s3objects.capture_objects(ctx, {"Name": "b", "Objects": [listed(e) for e in entries]}, {}, "b")
    assert extras.files[OBJECT_INDEX] == dump_index(entries)
    assert [e.key for e in load_index(extras.files[OBJECT_INDEX])] == [e.key for e in entries]


def test_last_modified_is_kept_as_sent() -> None:
    [obj] = s3list.parse_page(page_xml([contents_xml("k", 1, True)])).contents
    assert obj["LastModified"] == "2026-11-30T20:17:00.000Z"
    assert dt.datetime.fromisoformat(obj["LastModified"].replace("Z", "+00:00")).year == 2026
