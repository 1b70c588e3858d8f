"""Why the listing was rebuilt (issue #13): a no-change capture of 100,000 objects spent 17.5 s
of CPU in botocore's parser of its ListObjectsV2 pages and held 474 MiB, mostly a dict and a
datetime per listed key and the previous index as full entries.

These tests use only what the old code had (the S3 bucket type, AwsAccount's clients,
s3objects), so each fails on it by its behaviour: the listing went through botocore's parser, a listed key took 1,250 bytes,
and the no-change pass over the previous index peaked at 1,500 bytes a key. They measure memory
with tracemalloc (allocation counts, not timing). The listing is served by :class:`ListingS3`,
a tiny local S3 with ListObjectsV2's semantics (moto cannot answer on cue); test_s3_list.py uses
it too.
"""

from __future__ import annotations

import hashlib
import threading
import tracemalloc
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlsplit
from xml.sax.saxutils import escape

import botocore.config
import botocore.session
import pytest

from gitsnap.collectors import run
from gitsnap.collectors.aws import s3, s3objects
from gitsnap.collectors.aws.clients import AwsAccount
from gitsnap.layout import OBJECT_INDEX, ObjectEntry, dump_index

from ..memory import MemoryBlobs, context
from ..s3keys import delimited

SESSION = botocore.session.Session()
NS = "http://s3.amazonaws.com/doc/2006-03-01/"
# keys are data: control characters (XML 1.0 cannot carry most of them; a parser turns \r into
# \n), XML's special characters, '+' and '%' (the URL encoding's own), dot segments, '//'
ODD = ["a", "a//b", "../z", "./y", "<&>\"'", "&amp;", "a+b c", "100%", "%41", "sp ace", "tab\tkey",
       "cr\rlf\n", "ctl\x01\x1f\x7f", "caf\u00e9/men\u00fa", "\u65e5\u672c/\u8a9e", "emoji/\U0001f600",
       "/", "//", "q?x=1#f", "\u2028line", "nbsp\u00a0", "z/"]


def contents_xml(key: str, size: int, encode: bool) -> str:
    etag = hashlib.md5(key.encode("utf-8")).hexdigest()
    shown = quote_plus(key, safe="/") if encode else escape(key)
    return (f"<Contents><Key>{shown}</Key><LastModified>2026-11-30T20:17:00.000Z</LastModified>"
            f"<ETag>&quot;{etag}&quot;</ETag><ChecksumAlgorithm>CRC32</ChecksumAlgorithm>"
            f"<ChecksumType>FULL_OBJECT</ChecksumType><Size>{size}</Size><StorageClass>STANDARD</StorageClass></Contents>")


def page_xml(items: list[str], truncated: bool = False, token: str | None = None, encode: bool = True,
             prefixes: list[str] = ()) -> bytes:  # type: ignore[assignment]
    body = "".join(items) + "".join(
        f"<CommonPrefixes><Prefix>{quote_plus(p, safe='/') if encode else escape(p)}</Prefix></CommonPrefixes>"
        for p in prefixes)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="{NS}"><Name>b</Name>'
            f"<IsTruncated>{'true' if truncated else 'false'}</IsTruncated>{body}"
            + ("<EncodingType>url</EncodingType>" if encode else "")
            + (f"<NextContinuationToken>{escape(token)}</NextContinuationToken>" if token else "")
            + "</ListBucketResult>").encode("utf-8")


# -- a local S3 that lists ------------------------------------------------------------------------

Script = Callable[[dict[str, str]], tuple[int, bytes] | None]


class ListingS3:
    """ListObjectsV2 over a set of keys (prefix, delimiter, max-keys, continuation tokens,
    ``encoding-type=url``), except that a scripted answer is used first."""

    def __init__(self, keys: list[str], page_keys: int = 1000) -> None:
        self.keys = sorted(keys)
        self.page_keys = page_keys
        self.script: list[Script] = []
        self.seen: list[tuple[str, dict[str, str], dict[str, str]]] = []  # (raw path, query, headers)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                status, body = server.handle(self)
                self.send_response(status)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def handle(self, req: BaseHTTPRequestHandler) -> tuple[int, bytes]:
        query = dict(parse_qsl(urlsplit(req.path).query, keep_blank_values=True))
        self.seen.append((req.path, query, {k.lower(): v for k, v in req.headers.items()}))
        if self.script:
            got = self.script.pop(0)(query)
            if got is not None:
                return got
        return 200, self.listing(query)

    def listing(self, query: dict[str, str]) -> bytes:
        prefix, delimiter = query.get("prefix", ""), query.get("delimiter", "")
        size = min(int(query.get("max-keys", self.page_keys)), self.page_keys)
        items = delimited(self.keys, prefix, delimiter)
        start = int(query.get("continuation-token", "0").removeprefix("t="))
        page = items[start:start + size]
        more = start + size < len(items)
        encode = query.get("encoding-type") == "url"
        return page_xml([contents_xml(v, len(v), encode) for t, v in page if t == "k"], more,
                        f"t={start + size}" if more else None, encode, [v for t, v in page if t == "p"])

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def served() -> Iterator[ListingS3]:
    server = ListingS3(ODD, page_keys=5)
    yield server
    server.stop()


def make_client(url: str, attempts: int = 10) -> Any:
    config = botocore.config.Config(retries={"total_max_attempts": attempts, "mode": "standard"})
    return SESSION.create_client("s3", region_name="us-east-1", endpoint_url=url, aws_access_key_id="AKIDTEST",
                                 aws_secret_access_key="secret", config=config)


# -- why -----------------------------------------------------------------------------------------


def botocore_calls(client: Any) -> list[str]:
    """The operations *client* makes through botocore (its ``before-call`` event)."""
    calls: list[str] = []
    client.meta.events.register("before-call.s3.*", lambda model, **_: calls.append(model.name))
    return calls


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Any]:
    """S3 clients as a capture makes them (AwsAccount), for an endpoint."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret",
                        "AWS_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)

    def client(url: str) -> Any:
        monkeypatch.setenv("AWS_ENDPOINT_URL", url)
        return AwsAccount().client("s3", "us-east-1")

    return client


def list_objects(client: Any, bucket: str) -> list[Any]:
    """A bucket's objects, read as the S3 bucket type reads its ``Objects`` detail."""
    [detail] = [d for d in s3.BUCKET.details if d.into == "Objects"]
    ctx = context({"s3": client})
    if detail.fetch is not None:
        return detail.fetch(ctx, {"Name": bucket})
    return run.call(ctx, s3.BUCKET, detail.call, {"Name": bucket}, f"s3/{bucket}")


def test_a_listing_is_not_parsed_by_botocore_and_gives_every_key_exactly(
        served: ListingS3, account: Callable[[str], Any]) -> None:
    """botocore's parser cost 175 ms of CPU a 1,000-key page; a capture's client lists through
    its lean reader instead, and every odd key still comes back exactly, in order."""
    client = account(served.url)
    calls = botocore_calls(client)
    got = list_objects(client, "b")
    assert [o["Key"] for o in got] == sorted(ODD)
    assert not calls, f"the listing went through botocore's parser: {len(calls)} calls"


@pytest.fixture
def big() -> Iterator[ListingS3]:
    """A local S3 with 20,000 keys, 1,000 a page."""
    server = ListingS3([f"{i // 1000:04d}/{i:07d}.html" for i in range(20_000)])
    yield server
    server.stop()


def test_a_listed_key_takes_a_third_of_the_memory_botocores_dict_took(
        big: ListingS3, account: Callable[[str], Any]) -> None:
    """20,000 keys listed (the cost per key at 100,000 is the same): botocore's dict and
    datetime per key held well over 1,000 bytes; a compact listed object with its strings
    about 400."""
    client = account(big.url)
    tracemalloc.start()
    try:
        held = list_objects(client, "b")
        used, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(held) == 20_000
    assert used / 20_000 < 600, f"{used / 20_000:.0f} bytes per listed key"


def test_a_no_change_pass_over_20000_keys_peaks_at_a_fraction_of_the_entries(
        big: ListingS3, account: Callable[[str], Any]) -> None:
    """The previous index was held as a full entry per line (94 MiB at 100,000, 149 MiB at its
    peak): now compact tuples and the lines' bytes, parsed a chunk at a time, peak under 600
    bytes a key; and a no-change index is the previous bytes as they were."""
    listing = list_objects(account(big.url), "b")
    blobs = MemoryBlobs()
    entries = [ObjectEntry(o["Key"], o["Size"], o["ETag"].strip('"'), hashlib.sha256(o["Key"].encode()).hexdigest(),
                           blobs.add_bytes(o["Key"].encode()), content_type="text/html") for o in listing]
    data = dump_index(entries)
    ctx = context({"s3": make_client("http://127.0.0.1:9")}, blobs,
                  previous={f"aws/123456789012/us-east-1/s3/bucket/b/{OBJECT_INDEX}": data})
    tracemalloc.start()
    try:
        extras = s3objects.capture_objects(ctx, {"Name": "b", "Objects": listing}, {}, "b")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert extras.files[OBJECT_INDEX] == data
    assert (ctx.counters.objects, ctx.counters.reused_blobs, ctx.counters.new_blobs) == (20_000, 20_000, 0)
    assert peak / 20_000 < 800, f"{peak / 20_000:.0f} bytes per key at the peak"
