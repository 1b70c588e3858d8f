"""S3 buckets: listing and locating them, their configuration calls, and the stored document.

This module owns the bucket type: the ``BUCKET`` spec (its configuration calls, the object
listing, the permissions a capture needs) and ``transform_bucket``. A bucket's objects, the
index and the bodies, are captured by :mod:`.s3objects` (its ``extras``); how a body is
checked is :mod:`.s3checksums`; how ``restore`` puts a bucket back is :mod:`.s3restore`.

Buckets are listed once per account (``locate``: one paginated ListBuckets, with each
bucket's region from ``BucketRegion``, or GetBucketLocation where it is missing), and each
is read through its own region's client, in the unit of its region.
"""

from __future__ import annotations

import fnmatch
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import botocore.exceptions as bx

from ..context import UnitContext
from ..spec import Call, Detail, LocateContext, Located, Raw, ResourceType
from .clients import error_code, pages, translate
from .s3listing import get_objects
from .s3objects import capture_objects
from .s3restore import RESTORER
from .shapes import tag_map

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
        # one page for a small bucket; a big one is fanned out over its key prefixes (s3listing)
        Detail("Objects", fetch=get_objects),
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
    restore=RESTORER,  # s3restore/: update, create (deleted live), delete (--delete)
)

TYPES = (BUCKET,)
