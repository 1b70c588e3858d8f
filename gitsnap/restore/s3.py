"""Restore S3: objects (body, content type, headers, metadata) and bucket configuration,
then a CloudFront invalidation of the changed paths on distributions served from the bucket."""

from __future__ import annotations

import json
import tempfile
import uuid
from typing import Any
from urllib.parse import quote

import botocore.exceptions as bx

from ..collectors.aws.clients import error_code
from ..layout import OBJECT_INDEX, ObjectEntry, load_index
from ..manifest import human_bytes
from ..render import plural
from .ops import NEEDS_IDENTITY, Operation, RestoreContext, RestoreError
from .reveal import IDENTITY_HINT, has_marker

IN_MEMORY = 64 * 1024 * 1024
HEADER_PARAMS = {"CacheControl": "CacheControl", "ContentDisposition": "ContentDisposition",
                 "ContentEncoding": "ContentEncoding", "ContentLanguage": "ContentLanguage",
                 "WebsiteRedirectLocation": "WebsiteRedirectLocation", "ServerSideEncryption": "ServerSideEncryption"}


def _index(snap: Any, address: str) -> dict[str, ObjectEntry]:
    files = snap.resource_files(address)
    blob = files.get(OBJECT_INDEX)
    return {e.key: e for e in load_index(snap.read(blob))} if blob else {}


def _doc(snap: Any, address: str) -> dict[str, Any]:
    blob = snap.resource_files(address).get("bucket.json")
    return json.loads(snap.read(blob)) if blob else {}


def same_object(a: ObjectEntry, b: ObjectEntry) -> bool:
    def facts(e: ObjectEntry) -> tuple[object, ...]:
        return (e.blob, e.sha256 if e.sealed else None, e.size, e.content_type, e.metadata, e.headers)

    return facts(a) == facts(b)


def put_object(ctx: RestoreContext, bucket: str, e: ObjectEntry, live: ObjectEntry | None) -> None:
    """Write one object from its blob, guarded: If-Match the live ETag, or If-None-Match for new keys."""
    client = ctx.account.client("s3")
    params: dict[str, Any] = {"Bucket": bucket, "Key": e.key}
    if e.content_type:
        params["ContentType"] = e.content_type
    for header, param in HEADER_PARAMS.items():
        if (e.headers or {}).get(header):
            params[param] = e.headers[header]  # type: ignore[index]
    if e.metadata:
        params["Metadata"] = {k: v for k, v in e.metadata.items() if isinstance(v, str)}
    if live is None:
        params["IfNoneMatch"] = "*"
    else:
        params["IfMatch"] = f'"{live.etag}"'
    try:
        if e.sealed:  # opened with the identity and checked against its sha256
            client.put_object(Body=ctx.reveal.body(e.sha256, f"s3://{bucket}/{e.key}"), **params)
        elif e.size <= IN_MEMORY:
            client.put_object(Body=ctx.store.read(e.blob), **params)  # type: ignore[arg-type]
        else:
            with tempfile.TemporaryFile() as tmp:  # stream the blob to disk, then upload from there
                for chunk in ctx.store.iter_blob(e.blob):  # type: ignore[arg-type]
                    tmp.write(chunk)
                tmp.seek(0)
                client.put_object(Body=tmp, **params)
    except bx.ClientError as exc:
        if error_code(exc) in ("PreconditionFailed", "412", "ConditionalRequestConflict"):
            raise RestoreError(f"s3://{bucket}/{e.key} changed after the plan was made; nothing more was "
                               "applied: plan again") from exc
        raise


CONFIG_CALLS: dict[str, tuple[str, str | None, Any]] = {
    # field: (put method, delete method, how the stored value becomes the put's parameters)
    "Policy": ("put_bucket_policy", "delete_bucket_policy", lambda v: {"Policy": json.dumps(v) if not isinstance(v, str) else v}),
    "Website": ("put_bucket_website", "delete_bucket_website", lambda v: {"WebsiteConfiguration": v}),
    "Tags": ("put_bucket_tagging", "delete_bucket_tagging",
             lambda v: {"Tagging": {"TagSet": [{"Key": k, "Value": x} for k, x in sorted(v.items())]}}),
    "Cors": ("put_bucket_cors", "delete_bucket_cors", lambda v: {"CORSConfiguration": {"CORSRules": v}}),
    "Lifecycle": ("put_bucket_lifecycle_configuration", "delete_bucket_lifecycle", lambda v: {"LifecycleConfiguration": {"Rules": v}}),
    "Encryption": ("put_bucket_encryption", "delete_bucket_encryption", lambda v: {"ServerSideEncryptionConfiguration": v}),
    "PublicAccessBlock": ("put_public_access_block", "delete_public_access_block", lambda v: {"PublicAccessBlockConfiguration": v}),
    "Versioning": ("put_bucket_versioning", None, lambda v: {"VersioningConfiguration": {"Status": v.get("Status", "Suspended")}}),
}


def plan_bucket(ctx: RestoreContext, address: str) -> list[Operation]:
    snap_doc, live_doc = _doc(ctx.snapshot, address), _doc(ctx.live, address)
    bucket = snap_doc.get("Name") or live_doc.get("Name") or address.split("/", 1)[1]
    if not live_doc:
        return [Operation(address, "cannot-restore", f"s3://{bucket}", "the bucket does not exist live; create it first")]
    ops: list[Operation] = []
    client = ctx.account.client("s3")
    for name, (put, delete, params) in CONFIG_CALLS.items():
        want, have = snap_doc.get(name), live_doc.get(name)
        if want == have:
            continue
        if has_marker(want) and not ctx.reveal.available:
            ops.append(Operation(address, NEEDS_IDENTITY, f"s3://{bucket} {name}", IDENTITY_HINT))
            continue
        if want in (None, {}) and delete:
            ops.append(Operation(address, "delete", f"s3://{bucket} {name}", "(not configured in the snapshot)",
                                 run=lambda m=delete: getattr(client, m)(Bucket=bucket)))
        elif want not in (None, {}):
            put_params = params(want)
            ops.append(Operation(address, "update", f"s3://{bucket} {name}",
                                 run=lambda m=put, p=put_params: getattr(client, m)(Bucket=bucket, **p)))
    for name in sorted(set(snap_doc) | set(live_doc)):
        if name not in CONFIG_CALLS and name not in ("Name", "Region") and snap_doc.get(name) != live_doc.get(name):
            ops.append(Operation(address, "not-restorable-yet", f"s3://{bucket} {name}", "differs; restore it by hand"))
    want_keys, have_keys = _index(ctx.snapshot, address), _index(ctx.live, address)
    changed: list[str] = []
    for key in sorted(set(want_keys) | set(have_keys)):
        w, h = want_keys.get(key), have_keys.get(key)
        target = f"s3://{bucket}/{key}"
        if w is not None and (h is None or not same_object(w, h)):
            if w.sealed or has_marker(w.metadata) or has_marker(w.headers):
                if not ctx.reveal.available:
                    ops.append(Operation(address, NEEDS_IDENTITY, target, f"sealed in the snapshot; {IDENTITY_HINT}"))
                    continue
            elif not w.blob:
                ops.append(Operation(address, "cannot-restore", target, "the snapshot has no body (content = false)"))
                continue
            if w.blob and not ctx.store.has(w.blob):
                raise RestoreError(f"{target}: the snapshot's body {w.blob} is missing from the repository; "
                                   "run 'gitsnap verify' and restore from another snapshot")
            ops.append(Operation(address, "put", target, f"({human_bytes(w.size)})",
                                 run=lambda e=w, live=h: put_object(ctx, bucket, e, live)))
            changed.append(key)
        elif w is None and h is not None:
            if ctx.delete:
                ops.append(Operation(address, "delete", target, f"({human_bytes(h.size)})",
                                     run=lambda k=key: client.delete_object(Bucket=bucket, Key=k)))
                changed.append(key)
            else:
                ops.append(Operation(address, "kept", target, "(live only; --delete removes it)"))
    ops.extend(plan_invalidation(ctx, address, bucket, changed))
    return ops


def plan_invalidation(ctx: RestoreContext, address: str, bucket: str, keys: list[str]) -> list[Operation]:
    """Invalidate the changed paths on every distribution whose origin is this bucket."""
    if not keys:
        return []
    ops = []
    cf = ctx.account.client("cloudfront")
    for dist_address, info in sorted(ctx.live.resources.items()):
        if info.get("type") != "distribution":
            continue
        doc = json.loads(ctx.live.read(ctx.live.files[info["path"]]))
        origins = doc.get("DistributionConfig", {}).get("Origins", {}).get("Items", [])
        if not any(o.get("DomainName", "").split(".s3")[0] == bucket for o in origins):
            continue
        paths = ["/*"] if len(keys) > 100 else sorted("/" + quote(k.lstrip("/"), safe="/~") for k in keys)
        batch = {"Paths": {"Quantity": len(paths), "Items": paths}, "CallerReference": f"gitsnap-restore-{uuid.uuid4()}"}
        ops.append(Operation(address, "invalidate", dist_address, plural(len(paths), "path"),
                             run=lambda d=doc["Id"], b=batch: cf.create_invalidation(DistributionId=d, InvalidationBatch=b)))
    return ops
