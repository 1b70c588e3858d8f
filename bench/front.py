"""A latency-injecting S3 front: S3's object API served from memory, everything else proxied.

Real S3 answers in tens of milliseconds with nearly unlimited concurrency; a local moto
server answers in about 5 ms, one request at a time. This front makes a local endpoint look
like the former: every request waits ``--latency-ms`` (a non-blocking sleep, so concurrent
requests overlap) and the S3 data path is served from memory by one asyncio process:

- buckets: CreateBucket (also sent upstream), HeadBucket, GetBucketLocation, ListObjectsV2
  and ListObjects (prefix, delimiter + CommonPrefixes, continuation-token / marker,
  start-after, max-keys <= 1000, encoding-type=url), DeleteObjects, DeleteBucket;
- objects: PutObject (MD5 ETag; ``x-amz-checksum-*`` kept and returned on GET/HEAD with
  ``x-amz-checksum-mode: ENABLED``; Content-MD5, SHA and CRC32 checksums verified),
  CopyObject, GetObject (Range -> 206, If-Match, If-None-Match, partNumber), HeadObject,
  DeleteObject, multipart uploads;
- anything else (bucket configuration sub-resources such as ``?policy``, STS, other
  services, buckets the front does not hold) is proxied to an upstream endpoint (a moto
  server, started here unless ``--upstream`` names one), after the same latency.

Auth headers are accepted and ignored. Private endpoints (no latency) under ``/__front/``:
``GET stats`` (request counters, JSON), ``POST reset``, ``POST seed?bucket=&count=&size=
&pattern=html|random&prefix=&checksum=crc32|none``, ``POST drop?bucket=`` (empty a bucket),
``POST latency?ms=``, ``POST edit?bucket=&count=&tag=`` (change objects spread over the
bucket), ``GET compressed?bucket=`` (raw and zlib-6 sizes of the bodies). Usage: /work/notes/h/front.md, or ``python bench/front.py --help``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import bisect
import hashlib
import itertools
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import zlib
from collections import Counter
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from urllib.parse import parse_qsl, quote_plus, unquote, urlsplit
from xml.sax.saxutils import escape

NS = "http://s3.amazonaws.com/doc/2006-03-01/"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
WRITE_CHUNK = 1024 * 1024
CHECKSUM_HEADERS = ("x-amz-checksum-crc32", "x-amz-checksum-crc32c", "x-amz-checksum-crc64nvme",
                    "x-amz-checksum-sha1", "x-amz-checksum-sha256")
# headers a PUT sets that GET and HEAD give back, as S3 does
KEPT_HEADERS = ("content-type", "content-encoding", "content-disposition", "content-language",
                "cache-control", "expires", "x-amz-website-redirect-location", "x-amz-storage-class",
                "x-amz-server-side-encryption")
HOP_HEADERS = frozenset({"host", "connection", "transfer-encoding", "content-length", "expect",
                         "keep-alive", "proxy-connection"})
OWN_HEADERS = frozenset({"date", "server", "x-amz-request-id"})  # the front sends its own
REASONS = {200: "OK", 204: "No Content", 206: "Partial Content", 304: "Not Modified",
           400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
           409: "Conflict", 412: "Precondition Failed", 416: "Requested Range Not Satisfiable",
           500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


class S3Error(Exception):
    """An S3 error answer: status, code, message (and the key or bucket it is about)."""

    def __init__(self, status: int, code: str, message: str, **extra: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra

    def xml(self) -> bytes:
        extra = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in self.extra.items())
        return (f"{XML_HEAD}<Error><Code>{self.code}</Code><Message>{escape(self.message)}</Message>"
                f"{extra}<RequestId>{request_id()}</RequestId></Error>").encode()


_IDS = itertools.count(0x5A17E000000000)


def request_id() -> str:
    return f"{next(_IDS):016X}"


_DATE: list = [0, ""]


def now_date() -> str:
    """The Date header, formatted once a second."""
    t = int(time.time())
    if _DATE[0] != t:
        _DATE[:] = [t, formatdate(t, usegmt=True)]
    return _DATE[1]


@dataclass(slots=True)
class Obj:
    """One stored object: its body and what S3 says about it."""

    body: bytes
    etag: str  # hex, without quotes (MD5, or MD5-of-MD5s-N for a multipart upload)
    modified: float
    headers: dict[str, str]  # KEPT_HEADERS and x-amz-meta-*, as given on PUT
    checksums: dict[str, str]  # x-amz-checksum-<alg> -> base64 value
    parts: list[int] | None = None  # part sizes of a multipart upload
    base: list[tuple[str, str]] | None = None  # GET/HEAD headers, made on the first read


@dataclass
class Bucket:
    name: str
    region: str
    objects: dict[str, Obj] = field(default_factory=dict)
    uploads: dict[str, dict[int, bytes]] = field(default_factory=dict)
    _sorted: list[str] | None = None

    def keys(self) -> list[str]:
        """Keys in S3's order (UTF-8 byte order is code point order), sorted once per change."""
        if self._sorted is None:
            self._sorted = sorted(self.objects)
        return self._sorted

    def put(self, key: str, obj: Obj) -> None:
        if key not in self.objects:
            self._sorted = None
        self.objects[key] = obj

    def delete(self, key: str) -> bool:
        if self.objects.pop(key, None) is None:
            return False
        self._sorted = None
        return True


# -- bodies for seeding ------------------------------------------------------------------------

_VOCABULARY = ("the sunset sail tickets events harbor island evening tour guide booking family summer "
         "weather crew captain deck view ocean wind wave coast light bay dolphin lunch dinner drink "
         "music band private charter group price season schedule departure return hour minute boat "
         "catamaran snorkel beach reef fish photo gallery review contact about policy refund cancel "
         "weekend holiday gift card member offer discount adult child senior free parking map road "
         "north south east west village market shop cafe hotel room night morning afternoon sunrise "
         "calm rough safety jacket briefing welcome aboard enjoy relax celebrate birthday wedding")
WORDS = _VOCABULARY.split()


def html_pool(size: int = 2 * 1024 * 1024) -> bytes:
    """HTML-like text that compresses like a web page (about 3x with zlib), deterministic."""
    rng = random.Random(13)
    parts, total = [], 0
    while total < size:
        words = " ".join(rng.choices(WORDS, k=rng.randint(20, 60)))
        tag = rng.choice(("p", "li", "h2", "div", "span"))
        link = f'<a href="/{rng.choice(WORDS)}/{rng.randint(1, 9999)}.html">{rng.choice(WORDS)}</a>'
        piece = f'<{tag} class="{rng.choice(WORDS)}">{words} {link}</{tag}>\n'
        parts.append(piece)
        total += len(piece)
    return "".join(parts).encode()[:size]


_POOL: bytes | None = None


def make_body(i: int, size: int, pattern: str) -> bytes:
    """Object ``i``'s body: ``html`` (distinct, compressible text) or ``random`` (incompressible)."""
    global _POOL
    if pattern == "random":
        return os.urandom(size)
    if pattern != "html":
        raise ValueError(f"unknown pattern {pattern!r} (html or random)")
    if _POOL is None:
        _POOL = html_pool()
    head = f"<!doctype html><!-- object {i} -->\n".encode()
    need = max(size - len(head), 0)
    start = (i * 104729) % (len(_POOL) - 1)
    out = bytearray(head)
    while len(out) < size:
        out += _POOL[start:start + need - (len(out) - len(head))]
        start = 0
    return bytes(out[:size])


def crc32_b64(data: bytes) -> str:
    return base64.b64encode((zlib.crc32(data) & 0xFFFFFFFF).to_bytes(4, "big")).decode()


# -- the store ---------------------------------------------------------------------------------


class Store:
    """Buckets in memory, with request counters."""

    def __init__(self) -> None:
        self.buckets: dict[str, Bucket] = {}
        self.stats: Counter[str] = Counter()

    def bucket(self, name: str) -> Bucket:
        b = self.buckets.get(name)
        if b is None:
            raise S3Error(404, "NoSuchBucket", "The specified bucket does not exist", BucketName=name)
        return b

    def create(self, name: str, region: str = "us-east-1") -> Bucket:
        return self.buckets.setdefault(name, Bucket(name, region))

    def seed(self, bucket: str, count: int, size: int, pattern: str = "html", prefix: str = "",
             checksum: str = "crc32") -> tuple[int, int]:
        """Put ``count`` objects of ``size`` bytes: key ``{prefix}{i//1000:04d}/{i:07d}.html``."""
        b = self.create(bucket)
        ext, ctype = (".html", "text/html") if pattern == "html" else (".bin", "application/octet-stream")
        now, total = time.time(), 0
        for i in range(count):
            body = make_body(i, size, pattern)
            sums = {"x-amz-checksum-crc32": crc32_b64(body)} if checksum == "crc32" else {}
            b.put(f"{prefix}{i // 1000:04d}/{i:07d}{ext}",
                  Obj(body, hashlib.md5(body).hexdigest(), now, {"content-type": ctype}, sums))
            total += size
        return count, total


    def edit(self, bucket: str, count: int, tag: str) -> list[str]:
        """Change ``count`` objects spread evenly over the bucket (a comment appended to each
        body: new ETag, LastModified and checksum). Returns the keys changed."""
        b = self.bucket(bucket)
        keys = b.keys()
        step = max(len(keys) // max(count, 1), 1)
        changed = keys[::step][:count]
        for key in changed:
            o = b.objects[key]
            body = o.body + f"<!-- edit {tag} -->\n".encode()
            sums = {h: crc32_b64(body) for h in o.checksums if h == "x-amz-checksum-crc32"}
            b.put(key, Obj(body, hashlib.md5(body).hexdigest(), time.time(), dict(o.headers), sums))
        return changed


# -- HTTP plumbing -----------------------------------------------------------------------------


@dataclass
class Request:
    method: str
    target: str
    path: str  # percent-decoded
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes | memoryview = b""
    length: int | None = None  # Content-Length to announce when different from len(body) (HEAD)


async def read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        out = bytearray()
        while True:
            line = await reader.readuntil(b"\r\n")
            n = int(line.split(b";")[0].strip() or b"0", 16)
            if n == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":
                    pass  # trailers of the transfer encoding: not used by S3 clients
                return bytes(out)
            out += await reader.readexactly(n)
            await reader.readexactly(2)
    n = int(headers.get("content-length") or 0)
    return await reader.readexactly(n) if n else b""


def aws_chunked(body: bytes) -> tuple[bytes, dict[str, str]]:
    """Decode an ``aws-chunked`` payload (signed or not): the data and the trailing headers."""
    out, trailers, pos = bytearray(), {}, 0
    while True:
        end = body.index(b"\r\n", pos)
        n = int(body[pos:end].split(b";")[0], 16)
        pos = end + 2
        if n == 0:
            break
        out += body[pos:pos + n]
        pos += n + 2
    for line in body[pos:].split(b"\r\n"):
        name, sep, value = line.decode("latin-1").partition(":")
        if sep:
            trailers[name.strip().lower()] = value.strip()
    return bytes(out), trailers


def http_date(t: float) -> str:
    return formatdate(t, usegmt=True)


def iso_date(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(t))


def xml_response(body: str, status: int = 200) -> Response:
    return Response(status, [("Content-Type", "application/xml")], (XML_HEAD + body).encode())


# -- S3 operations -----------------------------------------------------------------------------


class Front:
    """Routes a request: private endpoints, S3 from memory, or the upstream."""

    def __init__(self, store: Store, latency: float, upstream: str | None) -> None:
        self.store, self.latency = store, latency
        self.upstream = urlsplit(upstream) if upstream else None

    async def handle(self, req: Request) -> Response:
        if req.path.startswith("/__front/"):
            return self.private(req)
        self.store.stats["requests"] += 1
        if self.latency:
            await asyncio.sleep(self.latency)
        try:
            local = self.route(req)
            if local is None:
                self.store.stats["proxied"] += 1
                return await self.proxy(req)
            return await local if asyncio.iscoroutine(local) else local
        except S3Error as exc:
            self.store.stats[f"error_{exc.code}"] += 1
            return Response(exc.status, [("Content-Type", "application/xml")], exc.xml())

    # which requests are S3's, and which bucket/key they name
    def route(self, req: Request):
        if not self.is_s3(req):
            return None
        bucket, key = self.address(req)
        if not bucket:
            return None  # ListBuckets: the upstream knows every bucket (the front creates them there too)
        q = {k: v for k, v in req.query.items() if k != "x-id"}
        m = req.method
        if not key:
            if m == "PUT" and not q:
                return self.create_bucket(req, bucket)
            if bucket not in self.store.buckets:
                return None  # a bucket only the upstream holds: all of it is the upstream's
            if m == "HEAD" and not q:
                return self.head_bucket(bucket)
            if m == "GET" and "location" in q:
                return self.location(bucket)
            if m == "GET" and q.get("list-type") == "2":
                return self.list_objects(bucket, q, v2=True)
            if m == "GET" and not (set(q) - {"prefix", "delimiter", "marker", "max-keys", "encoding-type"}):
                return self.list_objects(bucket, q, v2=False)
            if m == "POST" and "delete" in q:
                return self.delete_objects(bucket, req.body)
            if m == "DELETE" and not q:
                return self.delete_bucket(req, bucket)
            return None  # configuration sub-resources
        if bucket not in self.store.buckets:
            return None
        if m == "GET" and not (set(q) - {"partNumber", "versionId"} - {k for k in q if k.startswith("response-")}):
            return self.get_object(req, bucket, key, q, head=False)
        if m == "HEAD" and not (set(q) - {"partNumber", "versionId"}):
            return self.get_object(req, bucket, key, q, head=True)
        if m == "PUT" and not q:
            if "x-amz-copy-source" in req.headers:
                return self.copy_object(req, bucket, key)
            return self.put_object(req, bucket, key)
        if m == "DELETE" and not q:
            return self.delete_object(bucket, key)
        if m == "POST" and "uploads" in q:
            return self.create_upload(bucket, key)
        if m == "PUT" and "uploadId" in q and "partNumber" in q:
            return self.upload_part(req, bucket, q)
        if m == "POST" and "uploadId" in q:
            return self.complete_upload(req, bucket, key, q)
        if m == "DELETE" and "uploadId" in q:
            self.store.bucket(bucket).uploads.pop(q["uploadId"], None)
            return Response(204, [])
        return None  # object sub-resources (?tagging, ?acl, ...)

    @staticmethod
    def is_s3(req: Request) -> bool:
        auth = req.headers.get("authorization", "") or req.query.get("X-Amz-Credential", "")
        m = re.search(r"Credential=[^/,]*/[^/]*/[^/]*/([^/]*)/", auth) or re.search(r"^[^/]*/[^/]*/[^/]*/([^/]*)/", auth)
        if m:
            return m.group(1) == "s3"
        if "x-amz-target" in req.headers:
            return False
        return not (req.method == "POST" and req.path == "/")

    def address(self, req: Request) -> tuple[str, str]:
        host = req.headers.get("host", "").split(":")[0]
        label = host.split(".")[0]
        if "." in host and label in self.store.buckets and not host.replace(".", "").isdigit():
            return label, req.path[1:]  # virtual-hosted style
        bucket, _, key = req.path[1:].partition("/")
        return bucket, key

    # buckets
    async def create_bucket(self, req: Request, bucket: str) -> Response:
        m = re.search(r"<LocationConstraint>([^<]*)</LocationConstraint>", req.body.decode("utf-8", "replace"))
        region = m.group(1) if m else "us-east-1"
        if self.upstream is not None:
            resp = await self.proxy(req)
            if resp.status < 300 or b"BucketAlreadyOwnedByYou" in bytes(resp.body):
                self.store.create(bucket, region)
            return resp
        self.store.create(bucket, region)
        return Response(200, [("Location", f"/{bucket}")])

    def head_bucket(self, bucket: str) -> Response:
        b = self.store.bucket(bucket)
        return Response(200, [("x-amz-bucket-region", b.region), ("Content-Type", "application/xml")])

    def location(self, bucket: str) -> Response:
        b = self.store.bucket(bucket)
        region = "" if b.region == "us-east-1" else b.region
        return xml_response(f'<LocationConstraint xmlns="{NS}">{region}</LocationConstraint>')

    async def delete_bucket(self, req: Request, bucket: str) -> Response:
        b = self.store.bucket(bucket)
        if b.objects:
            raise S3Error(409, "BucketNotEmpty", "The bucket you tried to delete is not empty", BucketName=bucket)
        del self.store.buckets[bucket]
        if self.upstream is not None:
            return await self.proxy(req)
        return Response(204, [])

    def list_objects(self, bucket: str, q: dict[str, str], v2: bool) -> Response:
        self.store.stats["list"] += 1
        b = self.store.bucket(bucket)
        prefix, delim = q.get("prefix", ""), q.get("delimiter", "")
        try:
            max_keys = min(int(q.get("max-keys", "1000")), 1000)
        except ValueError:
            raise S3Error(400, "InvalidArgument", "max-keys must be an integer") from None
        url = q.get("encoding-type") == "url"
        enc = (lambda s: quote_plus(s, safe="/")) if url else (lambda s: s)
        token = q.get("continuation-token") if v2 else None
        after = q.get("start-after", "") if v2 else q.get("marker", "")
        start_key = after
        if token:
            try:
                start_key = max(start_key, base64.urlsafe_b64decode(token.encode()).decode().split(":", 1)[1])
            except (ValueError, IndexError, UnicodeDecodeError):
                raise S3Error(400, "InvalidArgument", "The continuation token provided is incorrect") from None
        keys = b.keys()
        i = bisect.bisect_right(keys, start_key)
        if prefix:
            i = max(i, bisect.bisect_left(keys, prefix))
        contents, prefixes, last, truncated = [], [], None, False
        n = len(keys)
        while i < n:
            key = keys[i]
            if not key.startswith(prefix):
                break
            if len(contents) + len(prefixes) >= max_keys:
                truncated = max_keys > 0
                break
            if delim:
                cut = key.find(delim, len(prefix))
                if cut >= 0:
                    cp = key[:cut + len(delim)]
                    i = bisect.bisect_left(keys, successor(cp), i + 1)
                    if cp <= start_key:
                        continue  # the prefix the marker or token ended on: already given
                    prefixes.append(cp)
                    last = ("P", cp)
                    continue
            contents.append(key)
            last = ("K", key)
            i += 1
        parts = [f'<ListBucketResult xmlns="{NS}"><Name>{escape(bucket)}</Name><Prefix>{xml_text(enc(prefix))}</Prefix>']
        if v2:
            if token:
                parts.append(f"<ContinuationToken>{escape(token)}</ContinuationToken>")
            if truncated and last:
                nxt = base64.urlsafe_b64encode(f"{last[0]}:{last[1]}".encode()).decode()
                parts.append(f"<NextContinuationToken>{nxt}</NextContinuationToken>")
            parts.append(f"<KeyCount>{len(contents) + len(prefixes)}</KeyCount>")
            if "start-after" in q:
                parts.append(f"<StartAfter>{escape(enc(after))}</StartAfter>")
        else:
            parts.append(f"<Marker>{escape(enc(after))}</Marker>")
            if truncated and last and delim:
                parts.append(f"<NextMarker>{escape(enc(last[1]))}</NextMarker>")
        parts.append(f"<MaxKeys>{max_keys}</MaxKeys>")
        if delim:
            parts.append(f"<Delimiter>{escape(enc(delim))}</Delimiter>")
        parts.append(f"<IsTruncated>{'true' if truncated else 'false'}</IsTruncated>")
        objects = b.objects
        for key in contents:
            o = objects[key]
            sums = "".join(f"<ChecksumAlgorithm>{h.rsplit('-', 1)[1].upper()}</ChecksumAlgorithm>"
                           for h in o.checksums)
            if sums:
                sums += "<ChecksumType>FULL_OBJECT</ChecksumType>"
            storage = o.headers.get("x-amz-storage-class", "STANDARD")
            parts.append(f"<Contents><Key>{xml_text(enc(key))}</Key><LastModified>{iso_date(o.modified)}</LastModified>"
                         f"<ETag>&quot;{o.etag}&quot;</ETag>{sums}<Size>{len(o.body)}</Size>"
                         f"<StorageClass>{storage}</StorageClass></Contents>")
        for cp in prefixes:
            parts.append(f"<CommonPrefixes><Prefix>{xml_text(enc(cp))}</Prefix></CommonPrefixes>")
        if url:
            parts.append("<EncodingType>url</EncodingType>")
        parts.append("</ListBucketResult>")
        return xml_response("".join(parts))

    def delete_objects(self, bucket: str, body: bytes) -> Response:
        b = self.store.bucket(bucket)
        text = body.decode("utf-8")
        quiet = "<Quiet>true</Quiet>" in text
        done = []
        for m in re.finditer(r"<Key>(.*?)</Key>", text, re.S):
            key = unescape_xml(m.group(1))
            b.delete(key)
            self.store.stats["delete"] += 1
            if not quiet:
                done.append(f"<Deleted><Key>{escape(key)}</Key></Deleted>")
        return xml_response(f'<DeleteResult xmlns="{NS}">{"".join(done)}</DeleteResult>')

    # objects
    def get_object(self, req: Request, bucket: str, key: str, q: dict[str, str], head: bool) -> Response:
        self.store.stats["head" if head else "get"] += 1
        o = self.store.bucket(bucket).objects.get(key)
        if o is None:
            raise S3Error(404, "NoSuchKey", "The specified key does not exist.", Key=key)
        etag = f'"{o.etag}"'
        match, none_match = req.headers.get("if-match"), req.headers.get("if-none-match")
        if match and match.strip() not in (etag, "*"):
            raise S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold",
                          Condition="If-Match")
        if o.base is None:  # an object never changes once put (a PUT replaces it): its headers are kept
            o.base = [("ETag", etag), ("Last-Modified", http_date(o.modified)), ("Accept-Ranges", "bytes"),
                      *[(k.title() if not k.startswith("x-amz-") else k, v) for k, v in o.headers.items()
                        if k != "content-type"],
                      ("Content-Type", o.headers.get("content-type", "binary/octet-stream"))]
        if none_match and none_match.strip() in (etag, "*"):
            return Response(304, o.base[:3])
        headers = list(o.base)
        overrides = {k[len("response-"):].lower(): v for k, v in q.items() if k.startswith("response-")}
        if overrides:
            headers = [(k, v) for k, v in headers if k.lower() not in overrides]
            headers += [(k.title(), v) for k, v in overrides.items()]
        size = len(o.body)
        start, end, status = 0, size - 1, 200
        part = q.get("partNumber")
        if part:
            sizes = o.parts or [size]
            n = int(part)
            if not 1 <= n <= len(sizes):
                raise S3Error(416, "InvalidPartNumber", "The requested partnumber is not satisfiable")
            start = sum(sizes[:n - 1])
            end = start + sizes[n - 1] - 1
            status = 206 if o.parts else 200
            headers.append(("x-amz-mp-parts-count", str(len(sizes))))
        elif "range" in req.headers:
            start, end = parse_range(req.headers["range"], size)
            status = 206
        if status == 206:
            headers.append(("Content-Range", f"bytes {start}-{end}/{size}"))
        elif req.headers.get("x-amz-checksum-mode", "").upper() == "ENABLED" and o.checksums:
            headers += list(o.checksums.items()) + [("x-amz-checksum-type", "FULL_OBJECT")]
        length = end - start + 1
        if head:
            return Response(status, headers, b"", length)
        self.store.stats["get_bytes"] += length
        return Response(status, headers, memoryview(o.body)[start:end + 1])

    def put_object(self, req: Request, bucket: str, key: str) -> Response:
        self.store.stats["put"] += 1
        b = self.store.bucket(bucket)
        body, sums = self.payload(req)
        obj = Obj(body, hashlib.md5(body).hexdigest(), time.time(), kept(req.headers), sums)
        b.put(key, obj)
        return Response(200, [("ETag", f'"{obj.etag}"'), *sums.items()])

    def copy_object(self, req: Request, bucket: str, key: str) -> Response:
        src = unquote(req.headers["x-amz-copy-source"].split("?")[0]).lstrip("/")
        sb, _, sk = src.partition("/")
        o = self.store.bucket(sb).objects.get(sk)
        if o is None:
            raise S3Error(404, "NoSuchKey", "The specified key does not exist.", Key=sk)
        headers = o.headers
        if req.headers.get("x-amz-metadata-directive", "COPY").upper() == "REPLACE":
            headers = kept(req.headers)
        now = time.time()
        self.store.bucket(bucket).put(key, Obj(o.body, o.etag, now, dict(headers), dict(o.checksums), o.parts))
        return xml_response(f'<CopyObjectResult xmlns="{NS}"><LastModified>{iso_date(now)}</LastModified>'
                            f"<ETag>&quot;{o.etag}&quot;</ETag></CopyObjectResult>")

    def delete_object(self, bucket: str, key: str) -> Response:
        self.store.stats["delete"] += 1
        self.store.bucket(bucket).delete(key)
        return Response(204, [])

    def create_upload(self, bucket: str, key: str) -> Response:
        upload = uuid.uuid4().hex
        self.store.bucket(bucket).uploads[upload] = {}
        return xml_response(f'<InitiateMultipartUploadResult xmlns="{NS}"><Bucket>{escape(bucket)}</Bucket>'
                            f"<Key>{escape(key)}</Key><UploadId>{upload}</UploadId></InitiateMultipartUploadResult>")

    def upload_part(self, req: Request, bucket: str, q: dict[str, str]) -> Response:
        parts = self.store.bucket(bucket).uploads.get(q["uploadId"])
        if parts is None:
            raise S3Error(404, "NoSuchUpload", "The specified upload does not exist.", UploadId=q["uploadId"])
        body, _ = self.payload(req)
        parts[int(q["partNumber"])] = body
        return Response(200, [("ETag", f'"{hashlib.md5(body).hexdigest()}"')])

    def complete_upload(self, req: Request, bucket: str, key: str, q: dict[str, str]) -> Response:
        b = self.store.bucket(bucket)
        parts = b.uploads.pop(q["uploadId"], None)
        if parts is None:
            raise S3Error(404, "NoSuchUpload", "The specified upload does not exist.", UploadId=q["uploadId"])
        wanted = [int(n) for n in re.findall(r"<PartNumber>(\d+)</PartNumber>", req.body.decode())] or sorted(parts)
        chunks = [parts[n] for n in wanted]
        md5s = b"".join(hashlib.md5(c).digest() for c in chunks)
        etag = f"{hashlib.md5(md5s).hexdigest()}-{len(chunks)}"
        b.put(key, Obj(b"".join(chunks), etag, time.time(), {}, {}, [len(c) for c in chunks]))
        return xml_response(f'<CompleteMultipartUploadResult xmlns="{NS}"><Bucket>{escape(bucket)}</Bucket>'
                            f"<Key>{escape(key)}</Key><ETag>&quot;{etag}&quot;</ETag></CompleteMultipartUploadResult>")

    @staticmethod
    def payload(req: Request) -> tuple[bytes, dict[str, str]]:
        """A PUT's body (aws-chunked decoded) and its checksums, verified where hashlib/zlib can."""
        body, headers = req.body, dict(req.headers)
        if "aws-chunked" in headers.get("content-encoding", "") or headers.get(
                "x-amz-content-sha256", "").startswith("STREAMING-"):
            body, trailers = aws_chunked(body)
            headers.update(trailers)
        sums = {h: headers[h] for h in CHECKSUM_HEADERS if h in headers}
        expected = {"x-amz-checksum-sha256": lambda d: base64.b64encode(hashlib.sha256(d).digest()).decode(),
                    "x-amz-checksum-sha1": lambda d: base64.b64encode(hashlib.sha1(d).digest()).decode(),
                    "x-amz-checksum-crc32": crc32_b64}
        for h, value in sums.items():
            if h in expected and expected[h](body) != value:
                raise S3Error(400, "BadDigest", f"The {h[15:].upper()} you specified did not match the calculated checksum.")
        md5 = headers.get("content-md5")
        if md5 and base64.b64encode(hashlib.md5(body).digest()).decode() != md5:
            raise S3Error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
        return body, sums

    # the upstream
    async def proxy(self, req: Request) -> Response:
        if self.upstream is None:
            raise S3Error(501, "NotImplemented", f"the front has no upstream for {req.method} {req.target}")
        up = self.upstream
        reader, writer = await asyncio.open_connection(up.hostname, up.port or 80)
        try:
            lines = [f"{req.method} {req.target} HTTP/1.1", f"Host: {up.netloc}", "Connection: close",
                     f"Content-Length: {len(req.body)}"]
            lines += [f"{k}: {v}" for k, v in req.headers.items() if k not in HOP_HEADERS]
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + req.body)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status_line, *hlines = head[:-4].decode("latin-1").split("\r\n")
            status = int(status_line.split(" ", 2)[1])
            headers = [(k.strip(), v.strip()) for k, _, v in (h.partition(":") for h in hlines)]
            low = {k.lower(): v for k, v in headers}
            if req.method == "HEAD" or status in (204, 304):
                body = b""
            elif "chunked" in low.get("transfer-encoding", "").lower():
                body = await read_body(reader, low)
            elif "content-length" in low:
                body = await reader.readexactly(int(low["content-length"]))
            else:
                body = await reader.read()
        finally:
            writer.close()
        kept_headers = [(k, v) for k, v in headers if k.lower() not in HOP_HEADERS | OWN_HEADERS]
        length = int(low.get("content-length", 0)) if req.method == "HEAD" else None
        return Response(status, kept_headers, body, length)

    # private endpoints, no latency
    def private(self, req: Request) -> Response:
        name, q = req.path[len("/__front/"):], req.query
        if name == "stats":
            data = {**self.store.stats, "cpu_seconds": round(time.process_time(), 3)}
        elif name == "reset":
            self.store.stats.clear()
            data = {}
        elif name == "seed":
            n, total = self.store.seed(q["bucket"], int(q["count"]), int(q["size"]), q.get("pattern", "html"),
                                       q.get("prefix", ""), q.get("checksum", "crc32"))
            data = {"objects": n, "bytes": total}
        elif name == "edit":
            data = {"edited": self.store.edit(q["bucket"], int(q.get("count", "1")), q.get("tag", "1"))}
        elif name == "compressed":
            objs = self.store.bucket(q["bucket"]).objects.values()
            data = {"objects": len(objs), "bytes": sum(len(o.body) for o in objs),
                    "zlib6_bytes": sum(len(zlib.compress(o.body, 6)) for o in objs)}
        elif name == "drop":
            b = self.store.bucket(q["bucket"])
            data = {"dropped": len(b.objects)}
            b.objects.clear()
            b._sorted = None
        elif name == "latency":
            self.latency = float(q["ms"]) / 1000
            data = {"latency_ms": self.latency * 1000}
        elif name == "health":
            data = {"ok": True, "buckets": {k: len(v.objects) for k, v in self.store.buckets.items()}}
        else:
            return Response(404, [("Content-Type", "text/plain")], b"unknown front endpoint\n")
        return Response(200, [("Content-Type", "application/json")], json.dumps(data).encode())


def kept(headers: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k in KEPT_HEADERS or k.startswith("x-amz-meta-")}


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_text(text: str) -> str:
    """XML-escaped element text; control characters as character references (as S3 writes them)."""
    text = escape(text)
    return _CONTROL.sub(lambda m: f"&#{ord(m.group())};", text) if _CONTROL.search(text) else text


def successor(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def unescape_xml(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def parse_range(value: str, size: int) -> tuple[int, int]:
    """``bytes=a-b``, ``bytes=a-`` or ``bytes=-n`` -> inclusive (start, end), as S3 reads it."""
    m = re.fullmatch(r"\s*bytes=(\d*)-(\d*)\s*", value)
    if not m or (not m.group(1) and not m.group(2)):
        return 0, size - 1  # S3 ignores a range it cannot parse (several ranges too)
    if not m.group(1):
        n = int(m.group(2))
        return max(size - n, 0), size - 1
    start = int(m.group(1))
    end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
    if start >= size or start > end:
        raise S3Error(416, "InvalidRange", "The requested range is not satisfiable", ActualObjectSize=str(size))
    return start, end


class Server:
    """The HTTP/1.1 server (keep-alive, one asyncio task per connection)."""

    def __init__(self, front: Front) -> None:
        self.front = front

    async def connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.transport.set_write_buffer_limits(high=4 * WRITE_CHUNK)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head[:-4].decode("latin-1").split("\r\n")
                method, target, version = lines[0].split(" ", 2)
                headers: dict[str, str] = {}
                for line in lines[1:]:
                    k, _, v = line.partition(":")
                    headers[k.strip().lower()] = v.strip()
                if headers.get("expect", "").lower() == "100-continue":
                    writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                body = await read_body(reader, headers)
                raw_path, _, raw_query = target.partition("?")
                if raw_path.startswith("http://") or raw_path.startswith("https://"):
                    raw_path = urlsplit(raw_path).path or "/"
                req = Request(method, target, unquote(raw_path),
                              dict(parse_qsl(raw_query, keep_blank_values=True)), headers, body)
                try:
                    resp = await self.front.handle(req)
                except Exception as exc:  # a bug in the front: answer 500 rather than hang the client
                    print(f"front: {method} {target}: {exc!r}", file=sys.stderr)
                    resp = Response(500, [("Content-Type", "application/xml")],
                                    S3Error(500, "InternalError", repr(exc)).xml())
                close = headers.get("connection", "").lower() == "close" or version == "HTTP/1.0"
                await self.send(writer, resp, method == "HEAD", close)
                if close:
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()

    @staticmethod
    async def send(writer: asyncio.StreamWriter, resp: Response, head: bool, close: bool) -> None:
        length = resp.length if resp.length is not None else len(resp.body)
        lines = [f"HTTP/1.1 {resp.status} {REASONS.get(resp.status, 'Unknown')}",
                 f"Date: {now_date()}", "Server: AmazonS3",
                 f"x-amz-request-id: {request_id()}"]
        lines += [f"{k}: {v}" for k, v in resp.headers]
        if resp.status not in (204, 304):
            lines.append(f"Content-Length: {length}")
        if close:
            lines.append("Connection: close")
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        body = b"" if head or resp.status in (204, 304) else resp.body
        if len(body) <= 64 * 1024:
            writer.write(data + bytes(body))
        else:
            writer.write(data)
            view = memoryview(body)
            for pos in range(0, len(view), WRITE_CHUNK):
                writer.write(view[pos:pos + WRITE_CHUNK])
                await writer.drain()
        await writer.drain()


# -- starting it -------------------------------------------------------------------------------


def start_sandbox(work: Path) -> tuple[subprocess.Popen, str]:
    """A moto server as the upstream: ``gitsnap sandbox serve --no-seed``."""
    ready = work / "upstream.env"
    gitsnap = shutil.which("gitsnap") or str(Path(sys.executable).with_name("gitsnap"))
    proc = subprocess.Popen([gitsnap, "sandbox", "serve", "--no-seed", "--port", "0", "--ready-file", str(ready)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        if ready.exists() and "AWS_ENDPOINT_URL=" in ready.read_text():
            env = dict(line.split("=", 1) for line in ready.read_text().splitlines() if "=" in line)
            return proc, env["AWS_ENDPOINT_URL"].strip()
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    sys.exit("front: the upstream sandbox (gitsnap sandbox serve) did not start")


async def create_upstream_bucket(upstream: str, bucket: str) -> None:
    up = urlsplit(upstream)
    reader, writer = await asyncio.open_connection(up.hostname, up.port or 80)
    writer.write(f"PUT /{bucket} HTTP/1.1\r\nHost: {up.netloc}\r\nContent-Length: 0\r\n"
                 "Authorization: AWS4-HMAC-SHA256 Credential=front/20240101/us-east-1/s3/aws4_request, "
                 "SignedHeaders=host, Signature=0\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    await reader.read()
    writer.close()


def parse_seed(spec: str) -> tuple[str, int, int, str, str]:
    """``bucket:count:size[:pattern[:checksum]]``; size takes K/M/G suffixes (binary)."""
    parts = spec.split(":")
    if not 3 <= len(parts) <= 5:
        raise argparse.ArgumentTypeError(f"--seed {spec!r}: want bucket:count:size[:pattern[:checksum]]")
    mult = {"K": 1024, "M": 1024 ** 2, "G": 1024 ** 3}
    size = parts[2].upper()
    n = int(size[:-1]) * mult[size[-1]] if size[-1] in mult else int(size)
    return parts[0], int(parts[1]), n, parts[3] if len(parts) > 3 else "html", parts[4] if len(parts) > 4 else "crc32"


async def serve(args: argparse.Namespace) -> None:
    sandbox, upstream = None, args.upstream
    tmp = Path(tempfile.mkdtemp(prefix="front-"))
    if upstream == "auto":
        sandbox, upstream = start_sandbox(tmp)
    elif upstream == "none":
        upstream = None
    try:
        store = Store()
        for bucket, count, size, pattern, checksum in args.seed:
            store.seed(bucket, count, size, pattern, checksum=checksum)
            if upstream:
                await create_upstream_bucket(upstream, bucket)
        front = Front(store, args.latency_ms / 1000, upstream)
        server = await asyncio.start_server(Server(front).connection, args.host, args.port,
                                            limit=1024 * 1024, backlog=1024)
        port = server.sockets[0].getsockname()[1]
        endpoint = f"http://{args.host}:{port}"
        env = f"AWS_ENDPOINT_URL={endpoint}\nFRONT_UPSTREAM={upstream or ''}\n"
        if args.ready_file:
            part = Path(args.ready_file + ".part")
            part.write_text(env)
            part.replace(args.ready_file)
        print(f"front: {endpoint} (latency {args.latency_ms:g} ms, upstream {upstream or 'none'})", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        async with server:
            await stop.wait()
    finally:
        if sandbox is not None:
            sandbox.terminate()
            try:
                sandbox.wait(10)
            except subprocess.TimeoutExpired:
                sandbox.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0: any free port (see --ready-file)")
    p.add_argument("--latency-ms", type=float, default=25.0, help="added to every request (default 25)")
    p.add_argument("--upstream", default="auto",
                   help="endpoint for what the front does not serve: a URL, 'auto' (start a moto sandbox, "
                        "the default) or 'none'")
    p.add_argument("--seed", type=parse_seed, action="append", default=[],
                   metavar="BUCKET:COUNT:SIZE[:PATTERN[:CHECKSUM]]",
                   help="fill a bucket before serving; PATTERN html (default) or random, CHECKSUM crc32 "
                        "(default) or none; repeatable")
    p.add_argument("--ready-file", help="once serving, write AWS_ENDPOINT_URL=... here")
    args = p.parse_args(argv)
    run(serve(args))


def run(main_coro) -> None:
    """Run on uvloop when it is installed (the bench extra has it): about half the CPU per request."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main_coro)
    else:
        uvloop.run(main_coro)


if __name__ == "__main__":
    main()
