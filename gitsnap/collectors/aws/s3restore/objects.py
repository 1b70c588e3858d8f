"""A bucket's objects back from the repository's blobs: what to put, what to delete, how.

Each put carries what the object index recorded (content type, user metadata, headers, storage
class) and a condition: If-Match the live ETag the plan saw, or If-None-Match for a key live
does not have, so a write that raced the plan is refused instead of overwritten.
"""

from __future__ import annotations

import tempfile
from typing import Any

import botocore.exceptions as bx

from ....layout import ObjectEntry
from ....manifest import human_bytes
from ....secrets.fingerprint import has_marker
from ...restoring import IDENTITY_HINT, NEEDS_IDENTITY, Operation, RestoreContext, RestoreError
from ..clients import error_code

IN_MEMORY = 64 * 1024 * 1024  # bodies up to this size are sent from memory; larger ones from a temp file
MAX_PUT = 5 * 1024 ** 3  # the most one PutObject takes (S3 answers EntityTooLarge past it)
HEADER_PARAMS = {"CacheControl": "CacheControl", "ContentDisposition": "ContentDisposition",
                 "ContentEncoding": "ContentEncoding", "ContentLanguage": "ContentLanguage",
                 "WebsiteRedirectLocation": "WebsiteRedirectLocation", "ServerSideEncryption": "ServerSideEncryption"}
RACED = ("PreconditionFailed", "412", "ConditionalRequestConflict")


def same_object(a: ObjectEntry, b: ObjectEntry) -> bool:
    """Whether two index entries are one object. An entry whose body could not be read has no
    blob to compare: then the ETag and size say it (S3's own identity of a body). Pure."""
    if a.unreadable or b.unreadable:
        return (a.etag, a.size) == (b.etag, b.size)

    def facts(e: ObjectEntry) -> tuple[object, ...]:
        return (e.blob, e.sha256 if e.sealed else None, e.size, e.content_type, e.metadata, e.headers)

    return facts(a) == facts(b)


def put_params(bucket: str, e: ObjectEntry, live: ObjectEntry | None) -> dict[str, Any]:
    """PutObject's parameters but the body, as the index entry recorded them. Pure."""
    params: dict[str, Any] = {"Bucket": bucket, "Key": e.key}
    if e.content_type:
        params["ContentType"] = e.content_type
    for header, param in HEADER_PARAMS.items():
        if (e.headers or {}).get(header):
            params[param] = e.headers[header]  # type: ignore[index]
    if e.metadata:  # a value kept as base64 (not UTF-8) cannot be sent as a header again
        params["Metadata"] = {k: v for k, v in e.metadata.items() if isinstance(v, str)}
    if e.storage_class and e.storage_class != "STANDARD":
        params["StorageClass"] = e.storage_class
    if live is None:
        params["IfNoneMatch"] = "*"
    else:
        params["IfMatch"] = f'"{live.etag}"'
    return params


def put_object(ctx: RestoreContext, address: str, bucket: str, e: ObjectEntry, live: ObjectEntry | None) -> None:
    """Write one object from its blob (or its sealed body, opened with the identity), guarded."""
    client = ctx.client("s3", address)
    params = put_params(bucket, e, live)
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
        if error_code(exc) in RACED:
            raise RestoreError(f"s3://{bucket}/{e.key} changed after the plan was made; nothing more was "
                               "applied: plan again") from exc
        raise


def plan_put(ctx: RestoreContext, address: str, bucket: str, w: ObjectEntry, h: ObjectEntry | None) -> Operation:
    """The put of one snapshot entry, or the line that says why it cannot be made."""
    target = f"s3://{bucket}/{w.key}"
    if w.unreadable:
        return Operation(address, "cannot-restore-body", target,
                         f"the snapshot has no body for it: it could not be read at capture ({w.unreadable})")
    if w.sealed or has_marker(w.metadata) or has_marker(w.headers):
        if not ctx.reveal.available:
            return Operation(address, NEEDS_IDENTITY, target, f"sealed in the snapshot; {IDENTITY_HINT}")
    elif not w.blob:
        return Operation(address, "cannot-restore", target, "the snapshot has no body (content = false)")
    if w.size > MAX_PUT:
        return Operation(address, "cannot-restore", target, f"({human_bytes(w.size)}) larger than one PutObject "
                         "takes (5 GiB), and gitsnap does not upload in parts: 'gitsnap export' writes it out")
    if w.blob and not ctx.store.has(w.blob):
        raise RestoreError(f"{target}: the snapshot's body {w.blob} is missing from the repository; "
                           "run 'gitsnap verify' and restore from another snapshot")
    return Operation(address, "put", target, f"({human_bytes(w.size)})",
                     run=lambda: put_object(ctx, address, bucket, w, h))


def plan_objects(ctx: RestoreContext, address: str, bucket: str, want: dict[str, ObjectEntry],
                 have: dict[str, ObjectEntry]) -> tuple[list[Operation], list[str]]:
    """The object operations that make *have* (live's index) into *want* (the snapshot's), and
    the keys they write (for the CloudFront invalidation). Live-only keys are deleted only with
    ``--delete``."""
    ops: list[Operation] = []
    changed: list[str] = []
    client = ctx.client("s3", address) if ctx.delete else None
    for key in sorted(set(want) | set(have)):
        w, h = want.get(key), have.get(key)
        target = f"s3://{bucket}/{key}"
        if w is not None and (h is None or not same_object(w, h)):
            op = plan_put(ctx, address, bucket, w, h)
            ops.append(op)
            if op.run is not None:
                changed.append(key)
        elif w is None and h is not None:
            if client is not None:
                ops.append(Operation(address, "delete", target, f"({human_bytes(h.size)})",
                                     run=lambda k=key: client.delete_object(Bucket=bucket, Key=k)))
                changed.append(key)
            else:
                ops.append(Operation(address, "kept", target, "(live only; --delete removes it)"))
    return ops, changed
