"""S3: bucket configuration, plus an object index and content-addressed bodies.

Keys are data, never paths: each bucket's objects are one ``objects.jsonl`` line
per key, and each body is one blob under ``blobs/``. An object whose ETag and
size match the previous snapshot reuses its blob without a GET, if that blob is sound.

Every body is checked in the pass that stores it: its length against Content-Length,
and its bytes against the strongest full-object checksum S3 sends (SHA-256, SHA-1,
CRC64NVME, CRC32C, CRC32), else against the ETag where the ETag is the MD5. A body that
fails is fetched again; one that fails every time is an error, and nothing of it is
written (the check raises before the blob writer renames its temporary file).

Buckets are listed once per account (``locate``: one paginated ListBuckets, with each
bucket's region from ``BucketRegion``, or GetBucketLocation where it is missing), and each
is read through its own region's client, in the unit of its region.

An object whose body cannot be read is recorded, not fatal: archived (GLACIER, DEEP_ARCHIVE
without a restored copy; Intelligent-Tiering archive tiers), KMS-denied, or requester-pays.
Its index line keeps the listing's metadata, has no body, and says why in ``unreadable``;
the bucket's warning counts them. ``--restore-archived DAYS`` asks S3 to restore archived
ones (Bulk tier), so a capture after the thaw stores their bodies. Any other denial is
unknown state and fails the unit, as before.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
import logging
import re
import threading
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, Protocol

import botocore.exceptions as bx

from ...layout import OBJECT_INDEX, ObjectEntry, dump_index, load_index, segment
from ...secrets.sink import BodyLengthError
from ..context import UnitContext
from ..errors import BodyIntegrityError
from ..spec import Call, Detail, Extras, LocateContext, Located, Raw, ResourceType
from .clients import error_code, pages, translate
from .shapes import tag_map

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024
BODY_TRIES = 3
LOCATE_WORKERS = 8  # GetBucketLocation calls at once (only where ListBuckets gives no BucketRegion)
EXCLUDED = "excluded by [aws.s3] include/exclude"


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


def locate_buckets(ctx: LocateContext) -> list[Located]:
    """Every bucket of the account with its region, from one paginated ListBuckets.

    ``BucketRegion`` in the answer places a bucket; GetBucketLocation is asked only where it
    is missing, and only for buckets ``[aws.s3] include/exclude`` selects. The excluded ones
    are returned too, with ``skip`` saying so (recorded as seen, not captured).
    """
    client = ctx.client("s3")
    try:
        # paginated: an account may hold more buckets than one page (ContinuationToken)
        buckets = [b for page in pages(client, "list_buckets") for b in page.get("Buckets", [])]
    except (bx.BotoCoreError, bx.ClientError) as exc:
        raise translate(exc, "s3: s3:ListAllMyBuckets") from exc
    out: list[Located] = []
    ask: list[str] = []
    for b in buckets:
        name, region = b["Name"], b.get("BucketRegion")
        if not selected(name, ctx.config.s3_include, ctx.config.s3_exclude):
            out.append(Located(region, {"Name": name}, skip=EXCLUDED))
        elif region:
            out.append(Located(region, {"Name": name, "Region": region}))
        else:
            ask.append(name)
    with ThreadPoolExecutor(LOCATE_WORKERS, thread_name_prefix="gitsnap-s3-locate") as pool:
        for name, where in zip(ask, pool.map(lambda n: get_bucket_region(ctx, client, n), ask), strict=True):
            if where is not None:
                out.append(Located(where, {"Name": name, "Region": where}))
    return out


def get_bucket_region(ctx: LocateContext, client: Any, name: str) -> str | None:
    """A bucket's region by GetBucketLocation; None (with a warning) if it was just deleted."""
    try:
        loc = client.get_bucket_location(Bucket=name).get("LocationConstraint")
    except (bx.BotoCoreError, bx.ClientError) as exc:
        if error_code(exc) == "NoSuchBucket":
            ctx.warn(f"s3/{name}: deleted while it was being captured; left out of this snapshot")
            return None
        raise translate(exc, f"s3/{name}: s3:GetBucketLocation") from exc
    return bucket_region(loc)


def enumerate_buckets(ctx: UnitContext) -> list[Raw]:
    """This unit's buckets, for a unit planned without ``locate`` (planning hands them over)."""
    found = locate_buckets(LocateContext(ctx.account, ctx.config, ctx.client, ctx.warn))
    return [b.raw for b in found if b.skip is None and b.region == ctx.region]


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

# -- bodies that cannot be read --------------------------------------------------------------

ARCHIVED = frozenset({"GLACIER", "DEEP_ARCHIVE"})  # listed classes whose body needs a restored copy
INTELLIGENT = "INTELLIGENT_TIERING"  # its archive tiers show only when a GET is refused
DENIED = frozenset({"AccessDenied", "403"})  # GetObject's code, and HeadObject's (no body, status only)


def restore_state(head: dict[str, Any]) -> str | None:
    """What HeadObject's ``Restore`` header says: ``"restored"`` (a copy can be read), ``"restore
    in progress"``, or None (no restore). Pure."""
    restore = head.get("Restore") or ""
    if 'ongoing-request="false"' in restore:
        return "restored"
    return "restore in progress" if 'ongoing-request="true"' in restore else None


def listed_entry(obj: Raw, why: str) -> ObjectEntry:
    """The index line of an object whose body could not be read: the listing's metadata. Pure."""
    storage = obj.get("StorageClass")
    return ObjectEntry(key=obj["Key"], size=obj["Size"], etag=obj["ETag"].strip('"'), sha256=None, blob=None,
                       storage_class=None if storage == "STANDARD" else storage, unreadable=why)


def archive_label(error: dict[str, Any], listed: str | None) -> str:
    """``GLACIER``, or ``INTELLIGENT_TIERING DEEP_ARCHIVE_ACCESS``, from an InvalidObjectState
    error (it names the class and, for Intelligent-Tiering, the tier). Pure."""
    parts = [error.get("StorageClass") or listed or "archived tier", error.get("AccessTier")]
    return " ".join(p for p in parts if p)


class BucketReads:
    """Object reads of one bucket: GET and HEAD (with ``RequestPayer`` when configured), why a
    body cannot be read, and restore requests (``--restore-archived``). Shared by threads."""

    def __init__(self, ctx: UnitContext, bucket: str) -> None:
        self.ctx, self.bucket = ctx, bucket
        self.payer_args = {"RequestPayer": "requester"} if ctx.config.s3_requester_pays else {}
        self.restore_days: int | None = ctx.options.get("restore_archived")
        self.refused: list[tuple[str, str]] = []  # (key, error code) of restore requests S3 refused
        self._payer: str | None = None
        self._lock = threading.Lock()

    def get(self, key: str) -> dict[str, Any]:
        return self.ctx.client("s3").get_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED", **self.payer_args)

    def head(self, key: str) -> dict[str, Any]:
        return self.ctx.client("s3").head_object(Bucket=self.bucket, Key=key, **self.payer_args)

    def payer(self) -> str | None:
        """Who pays for reads (GetBucketRequestPayment), asked once; None if it cannot be told."""
        with self._lock:
            if self._payer is None:
                try:
                    self._payer = self.ctx.client("s3").get_bucket_request_payment(Bucket=self.bucket).get("Payer", "")
                except (bx.BotoCoreError, bx.ClientError):
                    self._payer = ""
            return self._payer or None

    def archived(self, obj: Raw, label: str, state: str | None) -> str:
        """The reason for an archived body, with a restore requested if asked and none is on."""
        if state is None and self.restore_days:
            state = self.request_restore(obj["Key"], label.startswith(INTELLIGENT))
        return f"archived: {label}" + (f" ({state})" if state else "")

    def request_restore(self, key: str, intelligent: bool) -> str | None:
        """RestoreObject, Bulk tier; Intelligent-Tiering takes no ``Days`` (it restores to its
        frequent tier). Returns the restore state to record, or None if S3 refused."""
        request: dict[str, Any] = {"GlacierJobParameters": {"Tier": "Bulk"}}
        if not intelligent:
            request["Days"] = self.restore_days
        try:
            self.ctx.client("s3").restore_object(Bucket=self.bucket, Key=key, RestoreRequest=request,
                                                 **self.payer_args)
        except (bx.BotoCoreError, bx.ClientError) as exc:
            code = error_code(exc) or type(exc).__name__
            if code == "RestoreAlreadyInProgress":
                return "restore in progress"
            with self._lock:
                self.refused.append((key, code))
            return None
        return "restore requested"

    def unreadable(self, obj: Raw, exc: bx.ClientError) -> str | None:
        """Why a refused read is a body that cannot be read (recorded), or None: a denial of
        unknown cause, which stays an error."""
        code = error_code(exc) or ""
        if code == "InvalidObjectState":
            label = archive_label(exc.response.get("Error", {}), obj.get("StorageClass"))
            return self.archived(obj, label, None)
        if code.startswith("KMS."):
            return f"kms: {code}"
        if code not in DENIED:
            return None
        try:
            head = self.head(obj["Key"])
        except (bx.BotoCoreError, bx.ClientError):
            head = None  # HEAD refused too: requester-pays refuses both
        if head is not None:
            return "kms: access denied" if head.get("ServerSideEncryption") in KMS else None
        if not self.payer_args and self.payer() == "Requester":
            return "requester-pays"
        return None


def _download(ctx: UnitContext, reads: BucketReads, key: str) -> ObjectEntry:
    resp = reads.get(key)
    size = resp["ContentLength"]
    body = resp["Body"]
    try:
        chunks = checked(body.iter_chunks(CHUNK), size, body_check(resp))
        stored = ctx.sink.body(size, chunks, f"s3/{reads.bucket}/{key}", key, ctx.sealed)
    except _SHORT as exc:
        raise BodyMismatch(str(exc)) from exc
    finally:
        body.close()
    ctx.counters.add(new_blobs=1, downloaded_bytes=size)
    return entry_from_get(key, resp, stored.blob, stored.sha256, stored.sealed)


def _fetch(ctx: UnitContext, reads: BucketReads, obj: Raw, with_body: bool) -> ObjectEntry | None:
    key = obj["Key"]
    where = f"s3/{reads.bucket}: key {key!r}"
    try:
        if not with_body:
            return entry_from_get(key, reads.head(key), None, None)
        if obj.get("StorageClass") in ARCHIVED:
            head = reads.head(key)
            state = restore_state(head)
            if state != "restored":  # no readable copy: no GET, which S3 would refuse
                why = reads.archived(obj, obj["StorageClass"], state)
                return replace(entry_from_get(key, head, None, None), unreadable=why)
        problem = ""
        for _ in range(BODY_TRIES):
            try:
                return _download(ctx, reads, key)
            except BodyMismatch as exc:
                problem = str(exc)
                log.info("%s: body failed its check (%s); fetching it again", where, problem)
        raise BodyIntegrityError(
            f"{where}: body failed its checksum ({problem}) after {BODY_TRIES} tries; nothing was written")
    except (bx.BotoCoreError, bx.ClientError) as exc:
        if error_code(exc) == "NoSuchKey":  # the key is gone: unlike a part of a resource, it is data
            ctx.warn(f"s3/{reads.bucket}: key {key!r} deleted while it was being captured; left out")
            return None
        why = reads.unreadable(obj, exc) if with_body and isinstance(exc, bx.ClientError) else None
        if why is not None:
            return listed_entry(obj, why)
        raise translate(exc, f"s3/{reads.bucket}: s3:GetObject {key!r}") from exc


def warn_unreadable(ctx: UnitContext, reads: BucketReads, entries: list[ObjectEntry]) -> int:
    """One warning per bucket for its bodies that could not be read (and refused restores)."""
    unread = sorted((e for e in entries if e.unreadable), key=lambda e: e.key)
    if unread:
        kinds = ", ".join(f"{n} {why}" for why, n in sorted(Counter(e.unreadable for e in unread).items()))
        waiting = any((e.unreadable or "").startswith("archived:") and "(" not in (e.unreadable or "") for e in unread)
        hint = "; 'gitsnap capture --restore-archived DAYS' asks S3 to restore archived ones" if (
            waiting and not reads.restore_days) else ""
        noun = "object" if len(unread) == 1 else "objects"
        ctx.warn(f"s3/{reads.bucket}: {len(unread)} {noun} could not be read and {'is' if len(unread) == 1 else 'are'} "
                 f"recorded without a body ({kinds}; first {unread[0].key!r}){hint}")
    if reads.refused:
        key, code = sorted(reads.refused)[0]
        ctx.warn(f"s3/{reads.bucket}: S3 refused to restore {len(reads.refused)} archived objects "
                 f"(first {key!r}: {code}); --restore-archived needs s3:RestoreObject")
    return len(unread)


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
    reads = BucketReads(ctx, bucket)
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
        fut = ctx.downloads.submit(_fetch, ctx, reads, obj, with_body)
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
    unread = warn_unreadable(ctx, reads, entries) if with_body else 0
    ctx.counters.add(objects=len(entries), bytes=sum(e.size for e in entries))
    summary = {"objects": len(entries), "bytes": sum(e.size for e in entries)}
    if unread:
        summary["unreadable"] = unread  # manifest.json: per bucket, and in totals
    return Extras(
        files={OBJECT_INDEX: dump_index(entries)},
        blobs={e.blob for e in entries if e.blob},
        summary=summary,
    )


BUCKET = ResourceType(
    service="s3",
    type="bucket",
    scope="regional",
    client="s3",
    enumerate=enumerate_buckets,
    locate=locate_buckets,
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
        "s3:GetBucketRequestPayment",  # asked only when a GET is refused: is it requester-pays?
    ),
)

TYPES = (BUCKET,)
