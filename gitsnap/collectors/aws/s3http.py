"""S3 object reads (GetObject, HeadObject) without the botocore client's per-call machinery.

A botocore client call costs ~1 ms of CPU (parameter validation, endpoint rules, a dozen
event handlers, response parsing, its own checksum wrapper), which is most of what a capture
spends per small object. :class:`FastS3` makes the same two requests with the parts that
matter, all taken from the client it is built from:

- **credentials**: the client's own (profiles, SSO, assume-role), read per request, so
  refreshable ones are refreshed as botocore would;
- **signing**: SigV4 as botocore's ``S3SigV4Auth`` signs a GET or HEAD without a body
  (:class:`Signer`: byte for byte the same ``Authorization``, tested against botocore's),
  its signing key derived once per day and region instead of per request;
- **endpoint**: the client's endpoint rules, resolved once per bucket by presigning a
  placeholder key (so ``AWS_ENDPOINT_URL``, the config's endpoint, path or virtual-host
  style, FIPS and dual-stack settings are botocore's);
- **HTTP**: the client's own urllib3 session (pool size, timeouts, proxies, CA bundle);
  no :class:`~.clients.Gate`: the gates pace control planes, while object reads are S3's
  data plane (thousands of requests a second per prefix), bounded by the download threads
  (``[aws.s3] workers``); S3's 32-call gate would hold 64 workers to 32 reads in flight;
- **region redirects**: a 301, 307 or 400 answer naming another region in
  ``x-amz-bucket-region`` is asked again of that region (remembered per bucket);
- **retries**: 5xx, throttling (``SlowDown``, ``Throttling``…) and connection errors are
  tried again with jittered exponential backoff, within the same budgets as the clients
  (:data:`~.clients.THROTTLED_ATTEMPTS`, :data:`~.clients.OTHER_ATTEMPTS`);
- **errors**: as botocore's ``ClientError`` (same ``Error`` dict: ``Code``, ``Message``,
  and S3's extra fields such as ``StorageClass``), and botocore's connection exceptions, so
  code that reads error codes (NoSuchKey, InvalidObjectState, AccessDenied, KMS.*) and
  :func:`~.api.translate` work unchanged.

Answers are dicts shaped like botocore's (``ContentLength``, ``ETag``, ``Metadata``,
``ChecksumSHA256``…), with ``Body`` a :class:`Body` stream. Checking the body is the
caller's (:mod:`.s3checksums`): nothing here verifies it twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import random
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import botocore.exceptions as bx
from botocore.awsrequest import AWSPreparedRequest
from urllib3.exceptions import HTTPError as Urllib3Error

from .clients import CLIENT_SETUP, OTHER_ATTEMPTS, THROTTLED_ATTEMPTS

_PLACEHOLDER = "gitsnap-placeholder-key"
FAST_READER = "gitsnap_fast_reader"  # the attribute of an S3 client holding its FastS3
THROTTLING = frozenset({"SlowDown", "Throttling", "ThrottlingException", "ThrottledException",
                        "RequestThrottledException", "TooManyRequestsException", "RequestLimitExceeded",
                        "RequestThrottled", "BandwidthLimitExceeded", "ProvisionedThroughputExceededException",
                        "EC2ThrottledException", "PriorRequestNotComplete"})
TRANSIENT = frozenset({"RequestTimeout", "RequestTimeoutException", "InternalError", "ServiceUnavailable"})
RETRY_STATUS = frozenset({500, 502, 503, 504, 429})
REDIRECT_STATUS = frozenset({301, 302, 307, 400})
# the answer headers a caller reads, as botocore names them
HEADERS = {
    "content-length": "ContentLength", "etag": "ETag", "content-type": "ContentType",
    "cache-control": "CacheControl", "content-disposition": "ContentDisposition",
    "content-encoding": "ContentEncoding", "content-language": "ContentLanguage",
    "content-range": "ContentRange", "last-modified": "LastModified", "expires": "ExpiresString",
    "x-amz-website-redirect-location": "WebsiteRedirectLocation",
    "x-amz-server-side-encryption": "ServerSideEncryption",
    "x-amz-server-side-encryption-customer-algorithm": "SSECustomerAlgorithm",
    "x-amz-server-side-encryption-aws-kms-key-id": "SSEKMSKeyId",
    "x-amz-storage-class": "StorageClass", "x-amz-restore": "Restore",
    "x-amz-checksum-crc32": "ChecksumCRC32", "x-amz-checksum-crc32c": "ChecksumCRC32C",
    "x-amz-checksum-crc64nvme": "ChecksumCRC64NVME", "x-amz-checksum-sha1": "ChecksumSHA1",
    "x-amz-checksum-sha256": "ChecksumSHA256", "x-amz-checksum-type": "ChecksumType",
    "x-amz-mp-parts-count": "PartsCount", "x-amz-version-id": "VersionId",
    "x-amz-request-charged": "RequestCharged", "x-amz-archive-status": "ArchiveStatus",
}
_INTS = frozenset({"ContentLength", "PartsCount"})
_META = "x-amz-meta-"

# sleeping between tries; a test replaces it to run without waiting
sleep: Callable[[float], None] = time.sleep


def backoff(attempt: int, throttled: bool) -> float:
    """Seconds to wait before try *attempt* + 1: jittered exponential, as botocore's standard
    mode (throttling from 1 s, anything else from 50 ms), capped at 20 s. Pure but random."""
    base = 1.0 if throttled else 0.05
    return random.random() * min(base * 2 ** (attempt - 1), 20.0)  # noqa: S311 (jitter, not crypto)


def fast_capable(client: Any, bucket: str) -> bool:
    """Whether :class:`FastS3` can read *bucket* through *client*: plain SigV4 buckets only
    (access point ARNs, directory buckets and Object Lambda need botocore's own auth)."""
    if ":" in bucket or bucket.endswith(("--x-s3", "--ol-s3", "--op-s3")):
        return False
    return getattr(getattr(client, "meta", None), "service_model", None) is not None


class Body:
    """A streaming answer body (the part of botocore's ``StreamingBody`` callers use)."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self._done = False

    def iter_chunks(self, chunk_size: int = 1024 * 1024) -> Iterator[bytes]:
        read = self._raw.read
        try:
            while True:
                chunk = read(chunk_size)
                if not chunk:
                    self._done = True
                    return
                yield chunk
        except (Urllib3Error, OSError, http.client.HTTPException) as exc:
            raise bx.ResponseStreamingError(error=exc) from exc

    def read(self) -> bytes:
        return b"".join(self.iter_chunks())

    def close(self) -> None:
        """Give the connection back to the pool when the body was read whole; else drop it
        (an unread remainder must not be taken for the next answer)."""
        if self._done:
            self._raw.release_conn()
        else:
            self._raw.close()
            self._raw.release_conn()


def _error(status: int, headers: Any, body: bytes) -> dict[str, Any]:
    """botocore's ``Error`` dict from an S3 error answer (XML: ``<Error>``, or the
    ``<ErrorResponse><Error>`` of other REST-XML services; HEAD answers have no body)."""
    err: dict[str, Any] = {}
    if body:
        try:
            root = ET.fromstring(body)  # noqa: S314 (the service's answer, not user input)
        except ET.ParseError:
            root = None
        if root is not None:
            nested = root.find("Error")  # <ErrorResponse><Error>: botocore's parser reads it too
            for child in root if nested is None else nested:
                tag = child.tag.rsplit("}", 1)[-1]
                err[tag] = child.text or ""
    err.setdefault("Code", str(status))
    err.setdefault("Message", http.client.responses.get(status, ""))
    return err


def _client_error(status: int, headers: Any, body: bytes, attempts: int, operation: str) -> bx.ClientError:
    error = _error(status, headers, body)
    response = {
        "Error": error,
        "ResponseMetadata": {
            "HTTPStatusCode": status, "HTTPHeaders": {k.lower(): v for k, v in headers.items()},
            "RequestId": headers.get("x-amz-request-id", ""), "RetryAttempts": attempts - 1,
        },
    }
    return bx.ClientError(response, operation)


def answer(status: int, headers: Any) -> dict[str, Any]:
    """An answer's headers as botocore's GetObject/HeadObject response dict. Pure."""
    out: dict[str, Any] = {}
    meta: dict[str, str] = {}
    for name, value in headers.items():
        low = name.lower()
        field = HEADERS.get(low)
        if field is not None:
            out[field] = int(value) if field in _INTS else value
        elif low.startswith(_META):
            meta[name[len(_META):]] = value
    out["Metadata"] = meta
    out["ResponseMetadata"] = {"HTTPStatusCode": status, "RequestId": headers.get("x-amz-request-id", "")}
    return out


EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
_DEFAULT_PORTS = {"http": ":80", "https": ":443"}


class Signer:
    """SigV4 for a bodiless S3 request (GET, HEAD), as botocore's ``S3SigV4Auth`` signs it:
    every header given is signed with ``host``, ``x-amz-date``, ``x-amz-content-sha256`` (of
    the empty body) and the session token; the path is signed as sent (S3 does not normalize
    it). The derived signing key is kept per (secret, day, region). Thread-safe."""

    def __init__(self) -> None:
        self._keys: dict[tuple[str, str, str], bytes] = {}

    def _key(self, secret: str, day: str, region: str) -> bytes:
        key = self._keys.get((secret, day, region))
        if key is None:
            key = ("AWS4" + secret).encode("utf-8")
            for part in (day, region, "s3", "aws4_request"):
                key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
            if len(self._keys) > 16:  # rotated credentials, a new day: drop the old keys
                self._keys.clear()
            self._keys[(secret, day, region)] = key
        return key

    def sign(self, creds: Any, region: str, method: str, host: str, path: str, query: str,
             headers: dict[str, str], now: dt.datetime | None = None) -> dict[str, str]:
        """The headers to send: *headers* and the signature's (``Authorization`` included)."""
        stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
        day = stamp[:8]
        out = dict(headers)
        out["X-Amz-Date"] = stamp
        if creds.token:
            out["X-Amz-Security-Token"] = creds.token
        out["X-Amz-Content-SHA256"] = EMPTY_SHA256
        signed = {name.lower(): " ".join(value.split()) for name, value in out.items()}
        signed["host"] = host
        names = sorted(signed)
        canonical_query = "&".join(sorted(query.split("&"))) if query else ""
        canonical = "\n".join((method, path, canonical_query, "".join(f"{n}:{signed[n]}\n" for n in names),
                               ";".join(names), EMPTY_SHA256))
        scope = f"{day}/{region}/s3/aws4_request"
        to_sign = f"AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}"
        signature = hmac.new(self._key(creds.secret_key, day, region), to_sign.encode("utf-8"),
                             hashlib.sha256).hexdigest()
        out["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={creds.access_key}/{scope}, "
                                f"SignedHeaders={';'.join(names)}, Signature={signature}")
        return out


class _Where:
    """Where one bucket is read: scheme://host, path prefix, signing region."""

    __slots__ = ("origin", "host", "prefix", "bucket_path", "region")

    def __init__(self, url: str, region: str) -> None:
        parts = urlsplit(url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        host = parts.netloc.lower()
        self.host = host.removesuffix(_DEFAULT_PORTS.get(parts.scheme, "\0"))
        path = parts.path
        if not path.endswith("/" + _PLACEHOLDER):
            raise ValueError(f"cannot place keys in {url}")
        self.prefix = path[: -len(_PLACEHOLDER)]
        # the bucket itself: "/bucket" path-style (as botocore sends it), "/" virtual-hosted
        self.bucket_path = self.prefix.rstrip("/") or "/"
        self.region = region


class FastS3:
    """GetObject and HeadObject of one region's client, made lean (see the module docstring).

    Thread-safe: shared by every download thread of a capture.
    """

    def __init__(self, client: Any, client_for: Callable[[str], Any]) -> None:
        self._client = client
        self._client_for = client_for
        self._where: dict[str, _Where] = {}
        self._signer = Signer()
        self._lock = threading.Lock()
        self._http = client._endpoint.http_session  # noqa: SLF001 (the client's own pool and settings)
        # the client's own attempt budget (AWS_MAX_ATTEMPTS or the profile's max_attempts wins)
        retries = getattr(client.meta.config, "retries", None) or {}
        self._throttled_attempts = retries.get("total_max_attempts") or THROTTLED_ATTEMPTS
        self._other_attempts = min(OTHER_ATTEMPTS, self._throttled_attempts)

    # -- where ----------------------------------------------------------------------------

    def _place(self, bucket: str, region: str | None = None) -> _Where:
        with self._lock:
            where = self._where.get(bucket)
        if where is not None and (region is None or where.region == region):
            return where
        client = self._client if region is None else self._client_for(region)
        url = client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": _PLACEHOLDER})
        where = _Where(url, client.meta.region_name)
        with self._lock:
            self._where[bucket] = where
        return where

    def _credentials(self) -> Any:
        creds = self._client._request_signer._credentials  # noqa: SLF001 (the client's credential chain)
        if creds is None:
            raise bx.NoCredentialsError()
        return creds.get_frozen_credentials()  # refreshable credentials refresh here when due

    # -- one exchange -----------------------------------------------------------------------

    def _exchange(self, method: str, where: _Where, key: str | None, headers: dict[str, str],
                  query: str) -> Any:
        path = where.prefix + quote(key, safe="/~") if key is not None else where.bucket_path
        url = f"{where.origin}{path}" + (f"?{query}" if query else "")
        signed = self._signer.sign(self._credentials(), where.region, method, where.host, path, query, headers)
        return self._http.send(AWSPreparedRequest(method, url, signed, None, True))

    def request(self, method: str, bucket: str, key: str | None, headers: dict[str, str] | None = None,
                query: str = "", operation: str = "GetObject") -> tuple[int, Any, Any]:
        """One request, retried and redirected as the module says: ``(status, headers, raw)``
        of a 2xx answer (or 304/412 to a conditional request); errors raise as botocore's.
        *key* None asks the bucket itself (a listing)."""
        headers = headers or {}
        where = self._place(bucket)
        attempt = 0
        redirected = False
        while True:
            attempt += 1
            try:
                resp = self._exchange(method, where, key, headers, query)
            except (bx.EndpointConnectionError, bx.ConnectionClosedError, bx.ReadTimeoutError,
                    bx.ConnectTimeoutError, bx.HTTPClientError):
                if attempt >= self._other_attempts:
                    raise
                sleep(backoff(attempt, throttled=False))
                continue
            status = resp.status_code
            if status < 300 or status in (304, 412):
                return status, resp.headers, resp.raw
            body = resp.content if method != "HEAD" else b""
            resp.raw.release_conn()
            region = resp.headers.get("x-amz-bucket-region")
            if status in REDIRECT_STATUS and region and region != where.region and not redirected:
                redirected = True  # the bucket is in another region: ask there, once
                where = self._place(bucket, region)
                attempt -= 1
                continue
            error = _client_error(status, resp.headers, body, attempt, operation)
            code = error.response["Error"]["Code"]
            throttled = code in THROTTLING or status in (429, 503)
            if throttled and attempt < self._throttled_attempts or (
                    (status in RETRY_STATUS or code in TRANSIENT) and attempt < self._other_attempts):
                sleep(backoff(attempt, throttled))
                continue
            raise error

    # -- the calls ----------------------------------------------------------------------------

    def get_object(self, bucket: str, key: str, *, checksums: bool = True, payer: bool = False,
                   range_: str | None = None, if_match: str | None = None,
                   part: int | None = None) -> dict[str, Any]:
        """GetObject: the answer dict with ``Body`` (a :class:`Body` to read and close)."""
        headers: dict[str, str] = {}
        if checksums:
            headers["x-amz-checksum-mode"] = "ENABLED"
        if payer:
            headers["x-amz-request-payer"] = "requester"
        if range_:
            headers["Range"] = range_
        if if_match:
            headers["If-Match"] = if_match
        status, got, raw = self.request("GET", bucket, key, headers, f"partNumber={part}" if part else "")
        if status == 412:
            Body(raw).close()
            raise bx.ClientError({"Error": {"Code": "PreconditionFailed", "Message": "the object changed"},
                                  "ResponseMetadata": {"HTTPStatusCode": 412}}, "GetObject")
        out = answer(status, got)
        out["Body"] = Body(raw)
        return out

    def head_object(self, bucket: str, key: str, *, checksums: bool = False, payer: bool = False) -> dict[str, Any]:
        """HeadObject: the answer dict."""
        headers: dict[str, str] = {}
        if checksums:
            headers["x-amz-checksum-mode"] = "ENABLED"
        if payer:
            headers["x-amz-request-payer"] = "requester"
        status, got, raw = self.request("HEAD", bucket, key, headers, operation="HeadObject")
        raw.release_conn()
        return answer(status, got)

    def read_bucket(self, bucket: str, query: str, operation: str) -> bytes:
        """A bucket-level GET (ListObjectsV2: *query* encoded and sorted as signed), its whole
        answer body. A body cut off on the way is asked again, within the retry budget."""
        attempt = 0
        while True:
            attempt += 1
            _, _, raw = self.request("GET", bucket, None, query=query, operation=operation)
            body = Body(raw)
            try:
                return body.read()
            except bx.ResponseStreamingError:
                if attempt >= self._other_attempts:
                    raise
                sleep(backoff(attempt, throttled=False))
            finally:
                body.close()


def attach(client: Any, client_in: Callable[[str | None], Any]) -> None:
    """Give a new S3 client its lean object reader, which the capture's body reads use."""
    setattr(client, FAST_READER, FastS3(client, client_in))


CLIENT_SETUP["s3"] = attach
