"""The S3 body engine: the lean reader (s3http), ranged reads of big bodies (s3ranged), the
listing fan-out (s3listing), and the per-object loop of s3objects.

moto cannot answer on cue (a 503 now, a 301 naming another region, a part cut short), so
the reader's behaviour is shown against a tiny local HTTP server that answers what each
test scripts, through a real botocore client's signer and connection pool. The listing
fan-out is checked against an in-memory lister with ListObjectsV2's semantics, and against
moto over HTTP for real key encoding; odd keys round-trip through the reader against moto.
"""

from __future__ import annotations

import base64
import hashlib
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

import botocore.config
import botocore.exceptions as bx
import botocore.session
import pytest
from botocore.stub import Stubber

from gitsnap.collectors.aws import s3http, s3listing, s3objects, s3ranged
from gitsnap.collectors.aws.s3http import FAST_READER, FastS3
from gitsnap.collectors.errors import BodyIntegrityError, CollectorError, IncompleteAnswerError
from gitsnap.layout import OBJECT_INDEX, load_index

from ..memory import MemoryBlobs, context
from ..s3keys import delimited

SESSION = botocore.session.Session()

# -- a scripted S3 -----------------------------------------------------------------------------


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass
class Seen:
    method: str
    key: str
    query: str
    headers: dict[str, str]


class ScriptedS3:
    """Serves objects (with Range), except that a scripted answer for a key is used first."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.extra: dict[str, dict[str, str]] = {}  # more headers per key (checksums, ETag)
        self.script: dict[str, list[Callable[[Seen], Answer | None]]] = {}
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                self.answer(server.handle(self, "GET"))

            def do_HEAD(self) -> None:  # noqa: N802
                self.answer(server.handle(self, "HEAD"), head=True)

            def answer(self, a: Answer, head: bool = False) -> None:
                self.send_response(a.status)
                for k, v in a.headers.items():
                    self.send_header(k, v)
                if "Content-Length" not in a.headers:
                    self.send_header("Content-Length", str(len(a.body)))
                self.end_headers()
                if not head:
                    self.wfile.write(a.body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def put(self, key: str, body: bytes, **headers: str) -> None:
        self.objects[key] = body
        self.extra[key] = {"ETag": f'"{hashlib.md5(body).hexdigest()}"', **headers}

    def handle(self, req: BaseHTTPRequestHandler, method: str) -> Answer:
        parts = urlsplit(req.path)
        key = unquote(parts.path.split("/", 2)[2])
        seen = Seen(method, key, parts.query, {k.lower(): v for k, v in req.headers.items()})
        with self._lock:
            self.seen.append(seen)
            steps = self.script.get(key) or []
            step = steps.pop(0) if steps else None
        if step is not None:
            got = step(seen)
            if got is not None:
                return got
        return self.serve(seen)

    def serve(self, seen: Seen) -> Answer:
        body = self.objects.get(seen.key)
        if body is None:
            return Answer(404, {"Content-Type": "application/xml"},
                          b"<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>")
        headers = {"Content-Type": "application/octet-stream", **self.extra[seen.key]}
        if_match = seen.headers.get("if-match")
        if if_match and if_match != headers["ETag"]:
            return Answer(412, {}, b"<Error><Code>PreconditionFailed</Code><Message>x</Message></Error>")
        rng = seen.headers.get("range")
        if rng:
            start, end = (int(x) for x in rng.removeprefix("bytes=").split("-"))
            end = min(end, len(body) - 1)
            part = {k: v for k, v in headers.items() if not k.startswith("x-amz-checksum")}
            return Answer(206, {**part, "Content-Range": f"bytes {start}-{end}/{len(body)}"}, body[start:end + 1])
        return Answer(200, headers, body)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def s3() -> Iterator[ScriptedS3]:
    server = ScriptedS3()
    yield server
    server.stop()


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The reader's backoff sleeps, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(s3http, "sleep", slept.append)
    return slept


def make_client(url: str, region: str = "us-east-1") -> Any:
    config = botocore.config.Config(retries={"total_max_attempts": 10, "mode": "standard"})
    return SESSION.create_client("s3", region_name=region, endpoint_url=url, aws_access_key_id="AKIDTEST",
                                 aws_secret_access_key="secret", config=config)


def fast_client(url: str) -> Any:
    """A botocore S3 client with its lean reader, as AwsAccount makes them."""
    client = make_client(url)
    setattr(client, FAST_READER, FastS3(client, lambda region: make_client(url, region)))
    return client


def listed(key: str, body: bytes) -> dict[str, Any]:
    return {"Key": key, "Size": len(body), "ETag": f'"{hashlib.md5(body).hexdigest()}"'}


def capture(client: Any, objects: list[dict[str, Any]], blobs: MemoryBlobs | None = None) -> list[Any]:
    ctx = context({"s3": client}, blobs)
    extras = s3objects.capture_objects(ctx, {"Name": "b", "Objects": objects}, {}, "b")
    return list(load_index(extras.files[OBJECT_INDEX]))


def crc32(data: bytes) -> str:
    return base64.b64encode((zlib.crc32(data) & 0xFFFFFFFF).to_bytes(4, "big")).decode()


BODY = b"<p>Sunset sail from Shelter Island, 6pm</p>\n" * 4

# -- the lean reader ------------------------------------------------------------------------------


def test_the_reader_is_what_reads_bodies_and_they_are_stored_whole(s3: ScriptedS3) -> None:
    s3.put("a.html", BODY, **{"x-amz-checksum-crc32": crc32(BODY), "x-amz-meta-Owner": "jada"})
    blobs = MemoryBlobs()
    [entry] = capture(fast_client(s3.url), [listed("a.html", BODY)], blobs)
    assert blobs.objects == {entry.blob: BODY}
    assert entry.sha256 == hashlib.sha256(BODY).hexdigest() and entry.metadata == {"Owner": "jada"}
    [get] = s3.seen
    assert get.headers["x-amz-checksum-mode"] == "ENABLED"
    assert get.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDTEST/")
    assert "/us-east-1/s3/aws4_request" in get.headers["authorization"]


@pytest.mark.parametrize("spoil", ["flipped", "short", "bad checksum"])
def test_a_body_bad_every_time_is_fetched_three_times_then_an_error_and_nothing_is_written(
        s3: ScriptedS3, spoil: str) -> None:
    s3.put("a.html", BODY, **{"x-amz-checksum-crc32": crc32(BODY)})

    def bad(_seen: Seen) -> Answer:
        headers = {"ETag": s3.extra["a.html"]["ETag"], "x-amz-checksum-crc32": crc32(BODY)}
        if spoil == "flipped":
            return Answer(200, headers, BODY[:-1] + b"X")
        if spoil == "short":  # announces the whole length, sends less, closes
            return Answer(200, {**headers, "Content-Length": str(len(BODY)), "Connection": "close"}, BODY[:20])
        return Answer(200, {**headers, "x-amz-checksum-crc32": crc32(b"other")}, BODY)

    s3.script["a.html"] = [bad, bad, bad]
    blobs = MemoryBlobs()
    with pytest.raises(BodyIntegrityError, match=r"s3/b: key 'a.html': body failed its checksum .* after 3 tries; "
                                                 r"nothing was written"):
        capture(fast_client(s3.url), [listed("a.html", BODY)], blobs)
    assert blobs.objects == {}
    assert len(s3.seen) == 3


def test_a_body_bad_once_is_fetched_again_and_stored(s3: ScriptedS3) -> None:
    s3.put("a.html", BODY)
    s3.script["a.html"] = [lambda _s: Answer(200, {"ETag": s3.extra["a.html"]["ETag"]}, BODY.upper())]
    blobs = MemoryBlobs()
    [entry] = capture(fast_client(s3.url), [listed("a.html", BODY)], blobs)
    assert blobs.objects == {entry.blob: BODY}


SLOWDOWN = Answer(503, {"Content-Type": "application/xml"},
                  b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>")


def test_slowdown_is_retried_with_backoff_and_the_body_stored(s3: ScriptedS3, waits: list[float]) -> None:
    s3.put("a.html", BODY)
    s3.script["a.html"] = [lambda _s: SLOWDOWN] * 3
    blobs = MemoryBlobs()
    [entry] = capture(fast_client(s3.url), [listed("a.html", BODY)], blobs)
    assert blobs.objects == {entry.blob: BODY}
    assert len(s3.seen) == 4 and len(waits) == 3, "each retry backs off first"
    assert all(0 <= w <= 2 ** i for i, w in enumerate(waits)), waits


def test_slowdown_that_never_ends_fails_naming_the_key_after_the_throttling_budget(
        s3: ScriptedS3, waits: list[float]) -> None:
    s3.put("a.html", BODY)
    s3.script["a.html"] = [lambda _s: SLOWDOWN] * 20
    with pytest.raises(CollectorError, match=r"s3/b: s3:GetObject 'a.html'.*SlowDown"):
        capture(fast_client(s3.url), [listed("a.html", BODY)])
    assert len(s3.seen) == 10, "THROTTLED_ATTEMPTS tries, as the botocore clients"


def test_a_500_is_retried_a_few_times_only(s3: ScriptedS3, waits: list[float]) -> None:
    s3.put("a.html", BODY)
    s3.script["a.html"] = [lambda _s: Answer(500, {}, b"<Error><Code>InternalError</Code></Error>")] * 20
    with pytest.raises(CollectorError, match="InternalError"):
        capture(fast_client(s3.url), [listed("a.html", BODY)])
    assert len(s3.seen) == 4 and all(w <= 0.05 * 2 ** i for i, w in enumerate(waits))


def test_a_bucket_in_another_region_is_asked_again_there_signed_for_that_region(s3: ScriptedS3) -> None:
    s3.put("a.html", BODY)
    s3.script["a.html"] = [lambda _s: Answer(301, {"x-amz-bucket-region": "eu-west-1"},
                                             b"<Error><Code>PermanentRedirect</Code><Message>m</Message></Error>")]
    blobs = MemoryBlobs()
    [entry] = capture(fast_client(s3.url), [listed("a.html", BODY)], blobs)
    assert blobs.objects == {entry.blob: BODY}
    first, second = s3.seen
    assert "/us-east-1/s3/" in first.headers["authorization"]
    assert "/eu-west-1/s3/" in second.headers["authorization"]


def test_a_malformed_authorization_naming_the_region_is_a_redirect_too(s3: ScriptedS3) -> None:
    s3.put("a.html", BODY)
    s3.script["a.html"] = [lambda _s: Answer(400, {"x-amz-bucket-region": "ap-southeast-2"},
                                             b"<Error><Code>AuthorizationHeaderMalformed</Code></Error>")]
    capture(fast_client(s3.url), [listed("a.html", BODY)])
    assert "/ap-southeast-2/s3/" in s3.seen[-1].headers["authorization"]


def test_error_codes_read_as_before(s3: ScriptedS3) -> None:
    """NoSuchKey: deleted while captured (left out, warned); InvalidObjectState: archived
    (recorded); KMS.*: recorded; a requester-pays bucket sends the header."""
    s3.put("archived", b"x")
    s3.script["archived"] = [lambda _s: Answer(403, {}, b"<Error><Code>InvalidObjectState</Code><StorageClass>"
                                                        b"DEEP_ARCHIVE</StorageClass></Error>")]
    s3.put("kms", b"y")
    s3.script["kms"] = [lambda _s: Answer(400, {}, b"<Error><Code>KMS.DisabledException</Code></Error>")]
    ctx = context({"s3": fast_client(s3.url)})
    extras = s3objects.capture_objects(
        ctx, {"Name": "b", "Objects": [listed("gone", b"z"), listed("archived", b"x"), listed("kms", b"y")]}, {}, "b")
    entries = {e.key: e for e in load_index(extras.files[OBJECT_INDEX])}
    assert set(entries) == {"archived", "kms"}
    assert entries["archived"].unreadable == "archived: DEEP_ARCHIVE"
    assert entries["kms"].unreadable == "kms: KMS.DisabledException"
    assert any("'gone' deleted while it was being captured" in w for w in ctx.warnings)


def test_requester_pays_is_sent_when_configured(s3: ScriptedS3) -> None:
    import dataclasses

    s3.put("a", BODY)
    ctx = context({"s3": fast_client(s3.url)})
    ctx = dataclasses.replace(ctx, config=dataclasses.replace(ctx.config, s3_requester_pays=True))
    s3objects.capture_objects(ctx, {"Name": "b", "Objects": [listed("a", BODY)]}, {}, "b")
    assert s3.seen[0].headers["x-amz-request-payer"] == "requester"


def test_refreshable_credentials_are_read_per_request(s3: ScriptedS3) -> None:
    """The reader signs with the client's credential object as it is now, not a copy taken
    once: refreshed credentials (assume-role, SSO) are used as soon as botocore has them."""
    s3.put("a", BODY)
    s3.put("b", BODY)
    client = fast_client(s3.url)
    reader = getattr(client, FAST_READER)
    reader.get_object("b", "a")["Body"].close()
    client._request_signer._credentials.access_key = "AKIDROTATED"  # what a refresh does
    reader.get_object("b", "b")["Body"].close()
    assert "Credential=AKIDTEST/" in s3.seen[0].headers["authorization"]
    assert "Credential=AKIDROTATED/" in s3.seen[1].headers["authorization"]


def test_a_stubbed_client_without_the_reader_still_reads_through_botocore() -> None:
    client = make_client("http://127.0.0.1:9")
    with Stubber(client) as stub:
        import io

        from botocore.response import StreamingBody

        stub.add_response("get_object", {"Body": StreamingBody(io.BytesIO(BODY), len(BODY)), "ContentLength": len(BODY),
                                         "ETag": f'"{hashlib.md5(BODY).hexdigest()}"'},
                          {"Bucket": "b", "Key": "a", "ChecksumMode": "ENABLED"})
        [entry] = capture(client, [listed("a", BODY)])
    assert entry.sha256 == hashlib.sha256(BODY).hexdigest()


# -- big bodies: ranged reads -------------------------------------------------------------------


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(s3ranged, "RANGED_MIN", 100)
    monkeypatch.setattr(s3ranged, "PART_SIZE", 64)
    monkeypatch.setattr(s3ranged, "IN_FLIGHT", 3)


BIG = bytes(range(256)) * 5 + b"tail"  # 1,284 bytes: 21 parts of 64


def test_a_big_body_is_read_in_ranges_and_stored_whole_in_order(s3: ScriptedS3, small_parts: None) -> None:
    s3.put("big.bin", BIG, **{"x-amz-checksum-crc32": crc32(BIG), "x-amz-checksum-type": "FULL_OBJECT"})
    blobs = MemoryBlobs()
    [entry] = capture(fast_client(s3.url), [listed("big.bin", BIG)], blobs, )
    assert blobs.objects == {entry.blob: BIG}
    gets = [s for s in s3.seen if s.method == "GET"]
    assert len(gets) == 21
    assert sorted(s.headers["range"] for s in gets) == sorted(f"bytes={a}-{b}" for a, b in s3ranged.parts(len(BIG), 64))
    assert {s.headers["if-match"] for s in gets} == {s3.extra["big.bin"]["ETag"]}, "every part of one version"


def test_a_part_that_comes_back_short_is_asked_again(s3: ScriptedS3, small_parts: None) -> None:
    s3.put("big.bin", BIG)
    seen_parts: list[str] = []

    def short_once(seen: Seen) -> Answer | None:
        if seen.headers.get("range") == "bytes=640-703" and "640" not in seen_parts:
            seen_parts.append("640")
            return Answer(206, {"Content-Range": f"bytes 640-703/{len(BIG)}", "Content-Length": "64",
                                "Connection": "close"}, BIG[640:660])
        return None

    s3.script["big.bin"] = [short_once] * 40
    blobs = MemoryBlobs()
    [entry] = capture(fast_client(s3.url), [listed("big.bin", BIG)], blobs)
    assert blobs.objects == {entry.blob: BIG}
    assert [s.headers.get("range") for s in s3.seen].count("bytes=640-703") == 2


@pytest.mark.parametrize("spoil", ["short", "wrong range", "flipped whole"])
def test_a_big_body_that_fails_every_time_is_an_error_and_nothing_is_written(
        s3: ScriptedS3, small_parts: None, spoil: str) -> None:
    s3.put("big.bin", BIG)

    def bad(seen: Seen) -> Answer | None:
        if seen.headers.get("range") != "bytes=128-191":
            return None
        if spoil == "short":
            return Answer(206, {"Content-Range": f"bytes 128-191/{len(BIG)}", "Content-Length": "64",
                                "Connection": "close"}, BIG[128:140])
        if spoil == "wrong range":
            return Answer(206, {"Content-Range": f"bytes 0-63/{len(BIG)}"}, BIG[0:64])
        return Answer(206, {"Content-Range": f"bytes 128-191/{len(BIG)}"}, bytes(64))  # ETag (MD5) fails

    s3.script["big.bin"] = [bad] * 500
    blobs = MemoryBlobs()
    with pytest.raises(BodyIntegrityError, match="after 3 tries; nothing was written"):
        capture(fast_client(s3.url), [listed("big.bin", BIG)], blobs)
    assert blobs.objects == {}


def test_a_big_body_replaced_while_read_is_not_mixed(s3: ScriptedS3, small_parts: None) -> None:
    s3.put("big.bin", BIG)
    other = BIG[::-1]
    calls = {"n": 0}

    def replace_after_head(seen: Seen) -> Answer | None:
        calls["n"] += 1
        if seen.method == "GET" and calls["n"] == 5:
            s3.put("big.bin", other)  # from now on the old ETag no longer matches
        return None

    s3.script["big.bin"] = [replace_after_head] * 500
    blobs = MemoryBlobs()
    [entry] = capture(fast_client(s3.url), [listed("big.bin", BIG)], blobs)
    assert list(blobs.objects.values()) == [other], "the second try read the new version whole"
    assert entry.etag == hashlib.md5(other).hexdigest()


# -- the listing fan-out --------------------------------------------------------------------------

ODD = ["a", "a-b", "a/", "a/b", "a/b/", "a/b/c", "a//x", "a0", "/", "//", "/lead", "b c/d e", "b+c/%41", "b#?/x",
       "caf\u00e9/men\u00fa", "\u65e5\u672c/\u8a9e", "emoji/\U0001f600", "z", "zz/", "deep/1/2/3/4/5/6/k",
       "deep/1/2/x", "deep/1/y", "deep/z", "sp ace", "tab\tkey", "100%/x", "q?x=1", "plus+plus"]


class FakeListing:
    """ListObjectsV2's semantics over a set of keys (Prefix, Delimiter, MaxKeys, pages)."""

    def __init__(self, keys: list[str], fail_prefix: str | None = None) -> None:
        self.keys = sorted(keys)
        self.fail_prefix = fail_prefix
        self.calls: list[dict[str, Any]] = []

    def __call__(self, single_page: bool = False, Prefix: str = "", Delimiter: str = "",  # noqa: N803
                 MaxKeys: int = 1000) -> list[dict[str, Any]]:
        self.calls.append({"Prefix": Prefix, "Delimiter": Delimiter})
        if self.fail_prefix is not None and Prefix == self.fail_prefix:
            raise bx.ClientError({"Error": {"Code": "SlowDown", "Message": "slow"}}, "ListObjectsV2")
        items = delimited(self.keys, Prefix, Delimiter)
        pages = [items[i:i + MaxKeys] for i in range(0, max(len(items), 1), MaxKeys)]
        out = [{"Contents": [{"Key": v, "Size": 1} for t, v in page if t == "k"],
                "CommonPrefixes": [{"Prefix": v} for t, v in page if t == "p"],
                "IsTruncated": i < len(pages) - 1} for i, page in enumerate(pages)]
        return out[:1] if single_page else out


@pytest.mark.parametrize("keys", [
    ODD,
    [f"k{i:03d}" for i in range(40)],  # no '/' at all
    [f"p{i % 3}/{i:03d}" for i in range(40)] + ["p1", "p1/"],
    [f"one/two/{i:03d}" for i in range(40)],  # one big prefix, split one level down
    [f"{i:03d}/x" for i in range(40)],  # many small prefixes
], ids=["odd", "flat", "three", "nested", "many"])
def test_the_fanned_out_listing_is_the_plain_listing(keys: list[str]) -> None:
    fake = FakeListing(keys)
    got = [o["Key"] for o in s3listing.Fanout(fake, workers=4, page_keys=3).listing()]
    assert got == sorted(keys), "same keys, same order, none twice"
    assert len(fake.calls) > 1


def test_a_flat_bucket_costs_no_more_than_the_plain_listing_and_a_first_page() -> None:
    fake = FakeListing([f"k{i:03d}" for i in range(40)])
    s3listing.Fanout(fake, page_keys=3).listing()
    assert [c["Prefix"] for c in fake.calls] == ["", ""]


def test_a_small_bucket_is_one_page() -> None:
    fake = FakeListing(["a/b", "c"])
    assert [o["Key"] for o in s3listing.Fanout(fake).listing()] == ["a/b", "c"]
    assert len(fake.calls) == 1


def test_a_failed_prefix_listing_fails_the_whole_listing() -> None:
    fake = FakeListing(ODD, fail_prefix="deep/")
    with pytest.raises(bx.ClientError):
        s3listing.Fanout(fake, workers=4, page_keys=3).listing()


def stubbed_listing() -> tuple[Any, Stubber]:
    client = SESSION.create_client("s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(client)
    stub.activate()
    return client, stub


def test_a_page_truncated_without_a_token_is_asked_again_then_an_error() -> None:
    client, stub = stubbed_listing()
    for _ in range(2):
        stub.add_response("list_objects_v2", {"IsTruncated": True, "Contents": [{"Key": "a", "Size": 1}], "KeyCount": 1})
    ctx = context({"s3": client})
    with pytest.raises(IncompleteAnswerError, match="IsTruncated but gives no NextContinuationToken"):
        s3listing.get_objects(ctx, {"Name": "b"})


def test_a_throttled_later_page_is_an_error_not_a_shorter_listing() -> None:
    client, stub = stubbed_listing()
    stub.add_response("list_objects_v2", {"IsTruncated": True, "NextContinuationToken": "t",
                                          "Contents": [{"Key": "a/1", "Size": 1}]})
    stub.add_response("list_objects_v2", {"IsTruncated": True, "NextContinuationToken": "t2",
                                          "CommonPrefixes": [{"Prefix": "a/"}]})
    stub.add_client_error("list_objects_v2", "SlowDown", "Please reduce your request rate.", 503)
    with pytest.raises(CollectorError, match="SlowDown"):
        s3listing.get_objects(context({"s3": client}), {"Name": "b"})


# -- against moto, over HTTP ----------------------------------------------------------------------


@pytest.fixture
def moto_bucket(endpoint: str) -> tuple[Any, str]:
    client = fast_client(endpoint)
    client.create_bucket(Bucket="odd")
    for key in ODD:
        client.put_object(Bucket="odd", Key=key, Body=key.encode("utf-8") * 3)
    return client, endpoint


def test_odd_keys_list_the_same_fanned_out_and_round_trip_through_the_reader(moto_bucket: tuple[Any, str]) -> None:
    client, _ = moto_bucket
    plain = [o["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket="odd")
             for o in page.get("Contents", [])]
    fanned = s3listing.Fanout(s3listing.make_lister(client, "odd"), workers=4, page_keys=2).listing()
    assert [o["Key"] for o in fanned] == plain and sorted(plain) == sorted(ODD)
    blobs = MemoryBlobs()
    ctx = context({"s3": client}, blobs)
    extras = s3objects.capture_objects(ctx, {"Name": "odd", "Objects": fanned}, {}, "odd")
    entries = list(load_index(extras.files[OBJECT_INDEX]))
    assert [e.key for e in entries] == plain
    assert all(blobs.objects[e.blob] == e.key.encode("utf-8") * 3 for e in entries)


# -- signing ------------------------------------------------------------------------------------


@pytest.mark.parametrize("origin", ["http://127.0.0.1:4566", "https://bucket.s3.eu-west-1.amazonaws.com",
                                    "https://S3.Example.COM:8443", "http://example.com:80"])
@pytest.mark.parametrize("token", [None, "FwoGZXIvYXdzE//token+with/odd=chars"])
def test_the_signature_is_botocores_byte_for_byte(origin: str, token: str | None) -> None:
    """The lean signer must sign exactly as botocore's S3SigV4Auth: same canonical request,
    same Authorization, for odd keys, every header the reader sends, a session token."""
    import datetime as dt
    from urllib.parse import quote

    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token)
    frozen = creds.get_frozen_credentials()
    signer = s3http.Signer()
    variants = [({"x-amz-checksum-mode": "ENABLED"}, ""),
                ({"x-amz-checksum-mode": "ENABLED", "x-amz-request-payer": "requester", "Range": "bytes=0-99",
                  "If-Match": '"9b2cf535f27731c974343645a3985328"'}, ""),
                ({"x-amz-checksum-mode": "ENABLED"}, "partNumber=3"),
                ({}, "")]
    for key in ODD:
        for headers, query in variants:
            path = "/odd/" + quote(key, safe="/~")
            url = origin + path + (f"?{query}" if query else "")
            request = AWSRequest(method="GET", url=url, headers=dict(headers))
            S3SigV4Auth(creds, "s3", "eu-west-1").add_auth(request)
            when = dt.datetime.strptime(request.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
            where = s3http._Where(origin + "/odd/" + s3http._PLACEHOLDER, "eu-west-1")
            ours = signer.sign(frozen, "eu-west-1", "GET", where.host, path, query, headers, now=when)
            assert ours["Authorization"] == request.headers["Authorization"], (key, headers, query)
            assert {k.lower(): v for k, v in ours.items()} == {k.lower(): v for k, v in request.headers.items()}
