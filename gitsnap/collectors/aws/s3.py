"""S3: bucket configuration, plus an object index and content-addressed bodies.

Keys are data, never paths: each bucket's objects are one ``objects.jsonl`` line
per key, and each body is one blob under ``blobs/``. An object whose ETag and
size match the previous snapshot reuses its blob without a GET, if that blob is sound.

Every body is checked in the pass that stores it: its length against Content-Length,
and its bytes against the strongest full-object checksum S3 sends (SHA-256, SHA-1,
CRC64NVME, CRC32C, CRC32), else against the ETag where the ETag is the MD5. A body that
fails is fetched again; one that fails every time is an error, and nothing of it is
written (the check raises before the blob writer renames its temporary file).
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
import logging
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Protocol

import botocore.exceptions as bx

from ...layout import OBJECT_INDEX, ObjectEntry, dump_index, load_index, segment
from ...secrets.sink import BodyLengthError
from ..context import UnitContext
from ..errors import BodyIntegrityError
from ..spec import Call, Detail, Extras, Raw, ResourceType
from .clients import error_code, pages, translate
from .shapes import tag_map

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024
BODY_TRIES = 3


def _bucket(name: str) -> dict[str, str]:
    return {"Bucket": name}


def _config(method: str, result: str | None, *absent: str) -> Call:
    return Call(method, params=lambda r: _bucket(r["Name"]), result=result, absent=absent)


def selected(name: str, include: tuple[str, ...], exclude: tuple[str, ...]) -> bool:
    if include and not any(fnmatch.fnmatchcase(name, g) for g in include):
        return False
    return not any(fnmatch.fnmatchcase(name, g) for g in exclude)


def bucket_region(location: str | None) -> str:
    """``GetBucketLocation``'s answer as a region (``None`` and ``EU`` are legacy names)."""
    if not location:
        return "us-east-1"
    return "eu-west-1" if location == "EU" else location


def enumerate_buckets(ctx: UnitContext) -> list[Raw]:
    """Buckets whose region is this unit's region, filtered by [aws.s3] include/exclude."""
    client = ctx.client("s3")
    try:
        # paginated: an account may hold more buckets than one page (ContinuationToken)
        buckets = [b for page in pages(client, "list_buckets") for b in page.get("Buckets", [])]
    except (bx.BotoCoreError, bx.ClientError) as exc:
        raise translate(exc, f"s3 in {ctx.region}: s3:ListAllMyBuckets") from exc
    out = []
    for b in buckets:
        name = b["Name"]
        if not selected(name, ctx.config.s3_include, ctx.config.s3_exclude):
            continue
        try:
            loc = client.get_bucket_location(Bucket=name).get("LocationConstraint")
        except (bx.BotoCoreError, bx.ClientError) as exc:
            if error_code(exc) == "NoSuchBucket":
                ctx.warn(f"s3/{name}: deleted while it was being captured; left out of this snapshot")
                continue
            raise translate(exc, f"s3/{name}: s3:GetBucketLocation") from exc
        if bucket_region(loc) == ctx.region:
            out.append({"Name": name, "Region": ctx.region})
    return out


def _policy(policy: Any) -> Any:
    """The bucket policy as a document (the detail call has parsed and checked it)."""
    return json.loads(policy) if isinstance(policy, str) else policy


def transform_bucket(raw: Raw) -> Raw:
    """The stored bucket document: every configuration, ``null`` where not configured."""
    tagging = raw.get("Tagging")
    return {
        "Name": raw["Name"],
        "Region": raw["Region"],
        "Policy": _policy(raw.get("Policy")),
        "Versioning": raw.get("Versioning") or {},
        "Lifecycle": raw.get("Lifecycle"),
        "Replication": raw.get("Replication"),
        "Cors": raw.get("Cors"),
        "Website": raw.get("Website"),
        "Encryption": raw.get("Encryption"),
        "Tags": tag_map(tagging) if tagging is not None else None,
        "PublicAccessBlock": raw.get("PublicAccessBlock"),
        "OwnershipControls": raw.get("OwnershipControls"),
        "Logging": raw.get("Logging"),
        "Notifications": raw.get("Notifications") or {},
    }


def header_text(value: str) -> Any:
    """Recover UTF-8 that HTTP delivered as latin-1; non-UTF-8 bytes are kept as base64."""
    try:
        raw = value.encode("latin-1")
    except UnicodeEncodeError:
        return value
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(raw).decode("ascii")}


HEADERS = ("CacheControl", "ContentDisposition", "ContentEncoding", "ContentLanguage",
           "WebsiteRedirectLocation", "ServerSideEncryption")


def entry_from_get(key: str, resp: dict[str, Any], blob: str | None, sha256: str | None,
                   sealed: list[dict[str, Any]] | None = None) -> ObjectEntry:
    """The index line for an object, from its GetObject (or HeadObject) response. Pure."""
    headers = {h: resp[h] for h in HEADERS if resp.get(h)}
    meta = {k: header_text(v) for k, v in (resp.get("Metadata") or {}).items()}
    return ObjectEntry(
        key=key,
        size=resp["ContentLength"],
        etag=resp["ETag"].strip('"'),
        sha256=sha256,
        blob=blob,
        content_type=resp.get("ContentType"),
        metadata=meta or None,
        headers=headers or None,
        storage_class=resp.get("StorageClass"),
        sealed=sealed,
    )


# -- checking bodies -------------------------------------------------------------------------

class _Hasher(Protocol):
    def update(self, data: bytes, /) -> None: ...
    def digest(self) -> bytes: ...


class _Crc32:
    """CRC32 as S3 sends it (big-endian, base64), from zlib: always available."""

    def __init__(self) -> None:
        self.value = 0

    def update(self, data: bytes) -> None:
        self.value = zlib.crc32(data, self.value)

    def digest(self) -> bytes:
        return (self.value & 0xFFFFFFFF).to_bytes(4, "big")


class _Crt:
    """CRC32C or CRC64NVME from awscrt (when installed: botocore uses it the same way)."""

    def __init__(self, fn: Callable[[bytes, int], int], width: int) -> None:
        self.fn, self.width, self.value = fn, width, 0

    def update(self, data: bytes) -> None:
        self.value = self.fn(data, self.value)

    def digest(self) -> bytes:
        return self.value.to_bytes(self.width, "big")


def _crt(name: str, width: int) -> Callable[[], _Hasher] | None:
    try:
        from awscrt import checksums  # optional: without it CRC32C and CRC64NVME are not checked
    except ImportError:
        return None
    fn = getattr(checksums, name, None)
    return (lambda: _Crt(fn, width)) if fn is not None else None


# strongest first; one without an implementation here is skipped for the next
CHECKSUMS: tuple[tuple[str, str, Callable[[], _Hasher] | None], ...] = (
    ("ChecksumSHA256", "sha256", hashlib.sha256),
    ("ChecksumSHA1", "sha1", hashlib.sha1),
    ("ChecksumCRC64NVME", "crc64nvme", _crt("crc64nvme", 8)),
    ("ChecksumCRC32C", "crc32c", _crt("crc32c", 4)),
    ("ChecksumCRC32", "crc32", _Crc32),
)
KMS = frozenset({"aws:kms", "aws:kms:dsse"})  # their ETags are not the MD5 of the body
_COMPOSITE = re.compile(r"-[0-9]+$")  # a checksum of part checksums (multipart upload)
_MD5 = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class BodyCheck:
    """What a body must hash to: ``value`` as S3 sent it (base64; hex for the ETag)."""

    label: str
    value: str
    make: Callable[[], _Hasher]
    hex: bool = False

    def encode(self, digest: bytes) -> str:
        return digest.hex() if self.hex else base64.b64encode(digest).decode("ascii")


def body_check(resp: dict[str, Any]) -> BodyCheck | None:
    """The strongest check a GetObject answer allows, or None. Pure.

    Full-object checksums only (a composite ``...-N`` is of the parts, not the body); else
    the ETag, which is the body's MD5 for a single-part upload that is not SSE-KMS/SSE-C.
    """
    composite = resp.get("ChecksumType") == "COMPOSITE"
    for name, label, make in CHECKSUMS:
        value = resp.get(name)
        if value and make is not None and not composite and not _COMPOSITE.search(value):
            return BodyCheck(label, value, make)
    etag = (resp.get("ETag") or "").strip('"')
    if (_MD5.fullmatch(etag) and resp.get("ServerSideEncryption") not in KMS
            and not resp.get("SSECustomerAlgorithm")):
        return BodyCheck("md5 (ETag)", etag, lambda: hashlib.md5(usedforsecurity=False), hex=True)
    return None


class BodyMismatch(Exception):
    """One download of a body was short, long or failed its checksum (fetched again)."""


def checked(chunks: Iterable[bytes], size: int, check: BodyCheck | None) -> Iterator[bytes]:
    """The chunks, passed on as they come; after the last, their count and hash are checked.

    Raising after the last chunk but before the consumer's end means the blob writer never
    finishes: its temporary file is removed, nothing is renamed into place.
    """
    hasher = check.make() if check else None
    seen = 0
    for chunk in chunks:
        seen += len(chunk)
        if hasher is not None:
            hasher.update(chunk)
        yield chunk
    if seen != size:
        raise BodyMismatch(f"length: {seen} of {size} bytes")
    if check is not None and hasher is not None:
        got = check.encode(hasher.digest())
        if got != check.value:
            raise BodyMismatch(f"{check.label}: expected {check.value}, got {got}")


# a body cut short or damaged on the way, as botocore and the sink report it
_SHORT = (BodyLengthError, bx.IncompleteReadError, bx.ResponseStreamingError, bx.FlexibleChecksumError)


def _download(ctx: UnitContext, bucket: str, key: str) -> ObjectEntry:
    resp = ctx.client("s3").get_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    size = resp["ContentLength"]
    body = resp["Body"]
    try:
        chunks = checked(body.iter_chunks(CHUNK), size, body_check(resp))
        stored = ctx.sink.body(size, chunks, f"s3/{bucket}/{key}", key, ctx.sealed)
    except _SHORT as exc:
        raise BodyMismatch(str(exc)) from exc
    finally:
        body.close()
    ctx.counters.add(new_blobs=1, downloaded_bytes=size)
    return entry_from_get(key, resp, stored.blob, stored.sha256, stored.sealed)


def _fetch(ctx: UnitContext, bucket: str, key: str, with_body: bool) -> ObjectEntry | None:
    where = f"s3/{bucket}: key {key!r}"
    try:
        if not with_body:
            return entry_from_get(key, ctx.client("s3").head_object(Bucket=bucket, Key=key), None, None)
        problem = ""
        for _ in range(BODY_TRIES):
            try:
                return _download(ctx, bucket, key)
            except BodyMismatch as exc:
                problem = str(exc)
                log.info("%s: body failed its check (%s); fetching it again", where, problem)
        raise BodyIntegrityError(
            f"{where}: body failed its checksum ({problem}) after {BODY_TRIES} tries; nothing was written")
    except (bx.BotoCoreError, bx.ClientError) as exc:
        if error_code(exc) == "NoSuchKey":  # the key is gone: unlike a part of a resource, it is data
            ctx.warn(f"s3/{bucket}: key {key!r} deleted while it was being captured; left out")
            return None
        raise translate(exc, f"s3/{bucket}: s3:GetObject {key!r}") from exc


def capture_objects(ctx: UnitContext, raw: Raw, doc: Raw, rid: str) -> Extras:
    """Index every object; download only bodies the previous snapshot does not have."""
    bucket = raw["Name"]
    prev_data = ctx.previous(f"{ctx.unit_path}/bucket/{segment(rid)}/{OBJECT_INDEX}")
    previous = {e.key: e for e in load_index(prev_data)} if prev_data else {}
    listing = raw.get("Objects") or []
    key = f"{ctx.unit_path}/bucket/{bucket}/objects"
    ctx.reporter.start(key, f"s3/{bucket}", total=len(listing))
    entries: list[ObjectEntry] = []
    pending: list[Future[ObjectEntry | None]] = []
    with_body = ctx.config.s3_content
    for obj in listing:
        k, size, etag = obj["Key"], obj["Size"], obj["ETag"].strip('"')
        old = previous.get(k)
        if old is not None and old.etag == etag and old.size == size and (
            not with_body
            or (old.blob is not None and ctx.blobs.sound(old.blob))
            or (old.sealed and old.sha256 and ctx.sink.reuse_body(old.sha256, ctx.sealed))
        ):
            entries.append(old)
            ctx.counters.add(reused_blobs=1 if old.blob else 0)
            ctx.reporter.advance(key)
            continue
        fut = ctx.downloads.submit(_fetch, ctx, bucket, k, with_body)
        fut.add_done_callback(lambda _f: ctx.reporter.advance(key))
        pending.append(fut)
    try:
        for fut in pending:
            entry = fut.result()
            if entry is not None:
                entries.append(entry)
    except BaseException:
        for fut in pending:
            fut.cancel()
        raise
    ctx.reporter.finish(key)
    ctx.counters.add(objects=len(entries), bytes=sum(e.size for e in entries))
    return Extras(
        files={OBJECT_INDEX: dump_index(entries)},
        blobs={e.blob for e in entries if e.blob},
        summary={"objects": len(entries), "bytes": sum(e.size for e in entries)},
    )


BUCKET = ResourceType(
    service="s3",
    type="bucket",
    scope="regional",
    client="s3",
    enumerate=enumerate_buckets,
    id=lambda r: r["Name"],
    details=(
        # the identity read: never "not configured", so its NoSuchBucket means the bucket is gone
        Detail("Versioning", Call("get_bucket_versioning", params=lambda r: _bucket(r["Name"]), identity=True)),
        Detail("Policy", Call("get_bucket_policy", params=lambda r: _bucket(r["Name"]), result="Policy",
                              absent=("NoSuchBucketPolicy",), required=("Policy",), documents=("Policy",))),
        Detail("Lifecycle", _config("get_bucket_lifecycle_configuration", "Rules", "NoSuchLifecycleConfiguration")),
        Detail("Replication", _config("get_bucket_replication", "ReplicationConfiguration", "ReplicationConfigurationNotFoundError")),
        Detail("Cors", _config("get_bucket_cors", "CORSRules", "NoSuchCORSConfiguration")),
        Detail("Website", _config("get_bucket_website", None, "NoSuchWebsiteConfiguration")),
        Detail("Encryption", _config("get_bucket_encryption", "ServerSideEncryptionConfiguration", "ServerSideEncryptionConfigurationNotFoundError")),
        Detail("Tagging", _config("get_bucket_tagging", "TagSet", "NoSuchTagSet")),
        Detail("PublicAccessBlock", _config("get_public_access_block", "PublicAccessBlockConfiguration", "NoSuchPublicAccessBlockConfiguration")),
        Detail("OwnershipControls", _config("get_bucket_ownership_controls", "OwnershipControls", "OwnershipControlsNotFoundError")),
        Detail("Logging", _config("get_bucket_logging", "LoggingEnabled")),
        Detail("Notifications", _config("get_bucket_notification_configuration", None)),
        # listed with the configuration calls, so the listing overlaps them
        Detail("Objects", Call("list_objects_v2", params=lambda r: _bucket(r["Name"]), result="Contents", paginate=True)),
    ),
    transform=transform_bucket,
    volatile=("Notifications.EventBridgeConfiguration",),
    unordered=("Lifecycle",),  # CORS rules match in order: keep it
    schema="aws.s3.bucket",
    document="bucket.json",
    extras=capture_objects,
    permissions=(
        "s3:ListAllMyBuckets", "s3:GetBucketLocation", "s3:ListBucket", "s3:GetObject",
        "s3:GetBucketPolicy", "s3:GetBucketVersioning", "s3:GetLifecycleConfiguration",
        "s3:GetReplicationConfiguration", "s3:GetBucketCORS", "s3:GetBucketWebsite",
        "s3:GetEncryptionConfiguration", "s3:GetBucketTagging", "s3:GetBucketPublicAccessBlock",
        "s3:GetBucketOwnershipControls", "s3:GetBucketLogging", "s3:GetBucketNotification",
    ),
)

TYPES = (BUCKET,)
