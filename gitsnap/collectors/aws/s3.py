"""S3: bucket configuration, plus an object index and content-addressed bodies.

Keys are data, never paths: each bucket's objects are one ``objects.jsonl`` line
per key, and each body is one blob under ``blobs/``. An object whose ETag and
size match the previous snapshot reuses its blob without a GET.
"""

from __future__ import annotations

import base64
import fnmatch
import json
from concurrent.futures import Future
from typing import Any

import botocore.exceptions as bx

from ...layout import OBJECT_INDEX, ObjectEntry, dump_index, load_index, segment
from ..context import UnitContext
from ..spec import Call, Detail, Extras, Raw, ResourceType
from .clients import error_code, translate
from .shapes import tag_map

CHUNK = 1024 * 1024


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
        buckets = client.list_buckets().get("Buckets", [])
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


def _policy(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


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


def _fetch(ctx: UnitContext, bucket: str, key: str, with_body: bool) -> ObjectEntry | None:
    client = ctx.client("s3")
    try:
        if not with_body:
            return entry_from_get(key, client.head_object(Bucket=bucket, Key=key), None, None)
        resp = client.get_object(Bucket=bucket, Key=key)
        size = resp["ContentLength"]
        body = resp["Body"]
        try:
            stored = ctx.sink.body(size, body.iter_chunks(CHUNK), f"s3/{bucket}/{key}", key, ctx.sealed)
        finally:
            body.close()
        ctx.counters.add(new_blobs=1, downloaded_bytes=size)
        return entry_from_get(key, resp, stored.blob, stored.sha256, stored.sealed)
    except (bx.BotoCoreError, bx.ClientError) as exc:
        if error_code(exc) == "NoSuchKey":
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
            or (old.blob is not None and ctx.blobs.has(old.blob))
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
        Detail("Policy", _config("get_bucket_policy", "Policy", "NoSuchBucketPolicy")),
        Detail("Versioning", _config("get_bucket_versioning", None)),
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
