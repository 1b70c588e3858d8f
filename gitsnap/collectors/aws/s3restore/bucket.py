"""One bucket, planned: updated in place, recreated after it was deleted, or deleted (--delete).

- **update** (both sides have it): the settings that differ (:mod:`.settings`), then the objects
  (:mod:`.objects`), then the settings that name other resources, then CloudFront invalidations
  of the objects written (:mod:`.invalidation`).
- **create** (deleted live): CreateBucket in the snapshot's region, the snapshot's settings in
  the order S3 accepts them on a new bucket, every object from the repository's blobs, the
  linked settings, the invalidations.
- **delete** (live only, ``--delete``): every object version and delete marker, then the bucket.
"""

from __future__ import annotations

from typing import Any

import botocore.exceptions as bx

from ....manifest import human_bytes
from ....words import plural
from ...restoring import Operation, RestoreContext, RestoreError, Waits
from ..clients import error_code, pages
from .common import bucket_doc, bucket_name, object_index
from .invalidation import plan_invalidation
from .objects import plan_objects
from .settings import LINKS, Settings

DELETE_BATCH = 1000  # DeleteObjects takes at most 1,000 keys


class BucketCreateError(RestoreError):
    """S3 refused to create the bucket again; nothing of it was written."""


class BucketEmptyError(RestoreError):
    """S3 refused to delete an object of a bucket being deleted; the bucket is kept."""


def _split(ops: list[Operation]) -> tuple[list[Operation], list[Operation]]:
    """Settings that go before the objects, and the linked ones that go after them."""
    return [op for op in ops if op.kind != LINKS], [op for op in ops if op.kind == LINKS]


def plan_bucket(ctx: RestoreContext, address: str) -> list[Operation]:
    """``update``: a bucket both sides have."""
    want, have = bucket_doc(ctx.snapshot, address), bucket_doc(ctx.live, address)
    if not have:
        return plan_create(ctx, address)
    bucket = bucket_name(address, want, have)
    client = ctx.client("s3", address)
    before, linked = _split(Settings(ctx, address, bucket, client).update(want, have))
    objects, written = plan_objects(ctx, address, bucket, object_index(ctx.snapshot, address),
                                    object_index(ctx.live, address))
    return before + objects + linked + plan_invalidation(ctx, address, bucket, written)


def plan_create(ctx: RestoreContext, address: str) -> list[Operation]:
    """``create``: the snapshot's bucket, deleted live, made again with its settings and objects."""
    want = bucket_doc(ctx.snapshot, address)
    bucket = bucket_name(address, want)
    region = want.get("Region") or ctx.where(address)[1]
    client = ctx.client("s3", address)
    index = object_index(ctx.snapshot, address)
    size = sum(e.size for e in index.values())
    create = Operation(address, "create", f"s3://{bucket}",
                       f"in {region}, then its settings and {plural(len(index), 'object')} ({human_bytes(size)})",
                       run=lambda: create_bucket(client, bucket, region, ctx.waits))
    before, linked = _split(Settings(ctx, address, bucket, client).create(want))
    objects, written = plan_objects(ctx, address, bucket, index, {})
    return [create, *before, *objects, *linked, *plan_invalidation(ctx, address, bucket, written)]


def create_params(bucket: str, region: str) -> dict[str, Any]:
    """CreateBucket's parameters. Pure. us-east-1 takes no LocationConstraint: S3 refuses one
    naming it (InvalidLocationConstraint)."""
    if region == "us-east-1":
        return {"Bucket": bucket}
    return {"Bucket": bucket, "CreateBucketConfiguration": {"LocationConstraint": region}}


def create_bucket(client: Any, bucket: str, region: str, waits: Waits) -> None:
    """CreateBucket, then wait until S3 answers for it (its settings are put next)."""
    try:
        client.create_bucket(**create_params(bucket, region))
    except bx.ClientError as exc:
        code = error_code(exc)
        if code == "BucketAlreadyOwnedByYou":
            raise BucketCreateError(f"s3://{bucket} exists again: it was created after the plan was made; nothing "
                                    "more was applied: plan again") from exc
        if code == "BucketAlreadyExists":
            raise BucketCreateError(f"s3://{bucket}: the name now belongs to another account (bucket names are "
                                    "global), so it cannot be recreated; 'gitsnap export REV s3/"
                                    f"{bucket} DIR' writes its objects out") from exc
        if code == "OperationAborted":
            raise BucketCreateError(f"s3://{bucket}: S3 is still removing the deleted bucket of this name "
                                    "(OperationAborted); restore again in a few minutes") from exc
        raise
    wait_for_bucket(client, bucket, waits)


def wait_for_bucket(client: Any, bucket: str, waits: Waits) -> None:
    """Poll HeadBucket until the new bucket answers (S3 may briefly say 404 after creating it)."""
    for _ in range(waits.attempts):
        try:
            client.head_bucket(Bucket=bucket)
            return
        except bx.ClientError as exc:
            if error_code(exc) not in ("404", "NoSuchBucket", "NotFound"):
                raise
        waits.sleep(waits.delay)
    raise BucketCreateError(f"s3://{bucket} was created but S3 still does not find it after "
                            f"{waits.attempts} tries; plan again to finish it")


# -- delete ------------------------------------------------------------------------------------

def versioned(doc: dict[str, Any]) -> bool:
    """Whether a bucket may hold noncurrent versions (versioning enabled, or suspended). Pure."""
    return bool((doc.get("Versioning") or {}).get("Status"))


def count_versions(client: Any, bucket: str) -> tuple[int, int]:
    """(object versions, delete markers) of a versioned bucket, by listing them (a read)."""
    found, markers = 0, 0
    for page in pages(client, "list_object_versions", Bucket=bucket):
        found += len(page.get("Versions", []))
        markers += len(page.get("DeleteMarkers", []))
    return found, markers


def plan_delete(ctx: RestoreContext, address: str) -> list[Operation]:
    """``delete`` (--delete): a bucket live only, emptied (every version of every object) and deleted."""
    have = bucket_doc(ctx.live, address)
    bucket = bucket_name(address, have)
    client = ctx.client("s3", address)
    index = object_index(ctx.live, address)
    what = f"its {plural(len(index), 'object')} ({human_bytes(sum(e.size for e in index.values()))})"
    if versioned(have):
        try:
            found, markers = count_versions(client, bucket)
            what += f": {plural(found, 'object version')} and {plural(markers, 'delete marker')} (versioned: every version goes)"
        except (bx.BotoCoreError, bx.ClientError) as exc:
            what += f" and every older version (versioned; they could not be counted: {error_code(exc) or exc})"
    keep = versioned(have)
    return [Operation(address, "empty", f"s3://{bucket}", f"delete {what}",
                      run=lambda: empty_bucket(client, bucket, keep)),
            Operation(address, "delete", f"s3://{bucket}", "the bucket, once empty",
                      run=lambda: client.delete_bucket(Bucket=bucket))]


def _targets(client: Any, bucket: str, all_versions: bool) -> Any:
    """Pages of ``{"Key", "VersionId"?}`` to delete: every version and marker, or every key."""
    if all_versions:
        for page in pages(client, "list_object_versions", Bucket=bucket):
            yield [{"Key": v["Key"], "VersionId": v["VersionId"]}
                   for v in (*page.get("Versions", []), *page.get("DeleteMarkers", []))]
    else:
        for page in pages(client, "list_objects_v2", Bucket=bucket):
            yield [{"Key": o["Key"]} for o in page.get("Contents", [])]


def empty_bucket(client: Any, bucket: str, all_versions: bool) -> int:
    """Delete every object (every version and delete marker of a versioned bucket), 1,000 at a
    time; returns how many were deleted. One refused (object lock, MFA delete) stops it."""
    deleted = 0
    for batch in _targets(client, bucket, all_versions):
        for start in range(0, len(batch), DELETE_BATCH):
            chunk = batch[start:start + DELETE_BATCH]
            resp = client.delete_objects(Bucket=bucket, Delete={"Objects": chunk, "Quiet": True})
            errors = resp.get("Errors") or []
            deleted += len(chunk) - len(errors)
            if errors:
                first = errors[0]
                raise BucketEmptyError(
                    f"s3://{bucket}/{first.get('Key')}: S3 refused to delete it ({first.get('Code')}: "
                    f"{first.get('Message')}); {deleted} objects were deleted before it and the bucket is kept: "
                    "remove what holds it (object lock, MFA delete) and restore again")
    return deleted
