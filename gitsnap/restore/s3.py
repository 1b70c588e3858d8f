"""Restore S3: objects (body, content type, headers, metadata) and bucket configuration,
then a CloudFront invalidation of the changed paths on distributions served from the bucket.

Within a bucket the configuration goes first, in the order real S3 needs (see
:func:`config_order`), then the objects; the invalidations are ranked after every bucket
and distribution of the plan (``ops.RANK``).
"""

from __future__ import annotations

import json
import tempfile
import uuid
from typing import Any
from urllib.parse import quote

import botocore.exceptions as bx

from ..collectors.aws.accounts import unknown_account_hint
from ..collectors.aws.clients import error_code
from ..layout import OBJECT_INDEX, ObjectEntry, load_index
from ..manifest import human_bytes
from ..render import plural
from .ops import NEEDS_IDENTITY, Operation, RestoreContext, RestoreError
from .reveal import IDENTITY_HINT, has_marker

IN_MEMORY = 64 * 1024 * 1024
INVALIDATION = ("cloudfront", "invalidation")  # ranked after every bucket and distribution
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
    """Whether two index entries are one object. An entry whose body could not be read has no
    blob to compare: then the ETag and size say it (S3's own identity of a body). Pure."""
    if a.unreadable or b.unreadable:
        return (a.etag, a.size) == (b.etag, b.size)

    def facts(e: ObjectEntry) -> tuple[object, ...]:
        return (e.blob, e.sha256 if e.sealed else None, e.size, e.content_type, e.metadata, e.headers)

    return facts(a) == facts(b)


def put_object(ctx: RestoreContext, address: str, bucket: str, e: ObjectEntry, live: ObjectEntry | None) -> None:
    """Write one object from its blob, guarded: If-Match the live ETag, or If-None-Match for new keys."""
    client = ctx.client("s3", address)
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
    "OwnershipControls": ("put_bucket_ownership_controls", "delete_bucket_ownership_controls",
                          lambda v: {"OwnershipControls": v}),
}


def blocks_policy(pab: Any) -> bool:
    """Whether a public access block makes S3 refuse a public bucket policy. Pure."""
    return bool(pab and pab.get("BlockPublicPolicy"))


def config_order(want: dict[str, Any]) -> list[str]:
    """The bucket settings in the order real S3 accepts them (the local endpoint takes any). Pure.

    - OwnershipControls first: they decide whether ACLs apply at all.
    - The public access block before the policy when the snapshot's block lets a public
      policy through (S3 refuses PutBucketPolicy with AccessDenied while BlockPublicPolicy is
      on), after it when the block is to be turned on (then a public policy must go in first).
    - Versioning before Lifecycle, whose noncurrent-version rules are about it.
    - Encryption before the objects (they follow the configuration), so that objects put
      without their own encryption header get the snapshot's default.
    """
    pab_first = not blocks_policy(want.get("PublicAccessBlock"))
    return ["OwnershipControls", *(["PublicAccessBlock"] if pab_first else []), "Policy",
            *([] if pab_first else ["PublicAccessBlock"]), "Versioning", "Encryption", "Website", "Cors",
            "Lifecycle", "Tags"]


def plan_bucket(ctx: RestoreContext, address: str) -> list[Operation]:
    snap_doc, live_doc = _doc(ctx.snapshot, address), _doc(ctx.live, address)
    bucket = snap_doc.get("Name") or live_doc.get("Name") or address.split("/", 1)[1]
    if not live_doc:
        return [Operation(address, "cannot-restore", f"s3://{bucket}", "the bucket does not exist live; create it first")]
    client = ctx.client("s3", address)
    ops = plan_bucket_config(ctx, address, bucket, client, snap_doc, live_doc)
    want_keys, have_keys = _index(ctx.snapshot, address), _index(ctx.live, address)
    changed: list[str] = []
    for key in sorted(set(want_keys) | set(have_keys)):
        w, h = want_keys.get(key), have_keys.get(key)
        target = f"s3://{bucket}/{key}"
        if w is not None and (h is None or not same_object(w, h)):
            if w.unreadable:
                ops.append(Operation(address, "cannot-restore-body", target,
                                     f"the snapshot has no body for it: it could not be read at capture ({w.unreadable})"))
                continue
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
                                 run=lambda e=w, live=h: put_object(ctx, address, bucket, e, live)))
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


def plan_bucket_config(ctx: RestoreContext, address: str, bucket: str, client: Any,
                       snap_doc: dict[str, Any], live_doc: dict[str, Any]) -> list[Operation]:
    """The bucket's settings, in :func:`config_order`."""
    ops: list[Operation] = []
    for name in config_order(snap_doc):
        put, delete, params = CONFIG_CALLS[name]
        want, have = snap_doc.get(name), live_doc.get(name)
        if want == have or (not want and not have):
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
        else:  # versioning, once enabled, can be suspended but never turned off again
            ops.append(Operation(address, "not-restorable-yet", f"s3://{bucket} {name}",
                                 f"{name} was never enabled in the snapshot; once on it can only be suspended"))
    for name in sorted(set(snap_doc) | set(live_doc)):
        if name not in CONFIG_CALLS and name not in ("Name", "Region") and snap_doc.get(name) != live_doc.get(name):
            ops.append(Operation(address, "not-restorable-yet", f"s3://{bucket} {name}", "differs; restore it by hand"))
    return ops


def serves(origin: dict[str, Any], bucket: str) -> bool:
    """Whether a CloudFront origin is this bucket (REST or website endpoint, any region). Pure."""
    host = origin.get("DomainName", "")
    return host.split(".s3", 1)[0] == bucket and ".s3" in host


def viewer_paths(keys: list[str], origin_paths: list[str]) -> list[str]:
    """The paths viewers request for *keys* through origins with these OriginPaths. Pure.

    An origin with OriginPath ``/site`` serves key ``site/a.html`` at ``/a.html``, and no key
    outside ``site/``. More than 100 paths become ``/*`` (one path, and no per-path charge).
    """
    paths: set[str] = set()
    for prefix in {p.strip("/") for p in origin_paths}:
        for key in keys:
            if prefix and not key.startswith(prefix + "/"):
                continue
            rel = key[len(prefix) + 1:] if prefix else key
            paths.add("/" + quote(rel.lstrip("/"), safe="/~"))
    return ["/*"] if len(paths) > 100 else sorted(paths)


def distributions(ctx: RestoreContext) -> tuple[Any, str]:
    """Where to look for the distributions to invalidate: live CloudFront when it was read
    (it has the distributions made since the snapshot, and not those deleted), else the
    snapshot's (CloudFront left out of [aws] services)."""
    if "cloudfront" in ctx.live_services:
        return ctx.live, "live"
    return ctx.snapshot, "the snapshot"


def plan_invalidation(ctx: RestoreContext, address: str, bucket: str, keys: list[str]) -> list[Operation]:
    """Invalidate the changed paths on every distribution whose origin is this bucket, each
    through a client in the distribution's own account (it may not be the bucket's)."""
    if not keys:
        return []
    source, where = distributions(ctx)
    ops = []
    for dist_address, info in sorted(source.resources.items()):
        if info.get("type") != "distribution":
            continue
        doc = source.document(dist_address) or {}
        origins = [o for o in doc.get("DistributionConfig", {}).get("Origins", {}).get("Items", []) if serves(o, bucket)]
        paths = viewer_paths(keys, [o.get("OriginPath", "") for o in origins]) if origins else []
        if not paths:
            continue
        if not ctx.accounts.reaches(info["account"]):
            ops.append(Operation(address, "cannot-restore", dist_address, "invalidation: " + unknown_account_hint(
                info["account"], ctx.accounts.known()), kind=INVALIDATION))
            continue
        cf = ctx.accounts.client("cloudfront", info["account"], info["region"])
        batch = {"Paths": {"Quantity": len(paths), "Items": paths}, "CallerReference": f"gitsnap-restore-{uuid.uuid4()}"}
        detail = plural(len(paths), "path") + ("" if where == "live" else f" (distribution known from {where})")
        ops.append(Operation(address, "invalidate", dist_address, detail, kind=INVALIDATION,
                             run=lambda d=doc["Id"], b=batch, c=cf: c.create_invalidation(DistributionId=d, InvalidationBatch=b)))
    return ops
