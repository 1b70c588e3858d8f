"""CloudFront invalidations of the objects a restore wrote, on every distribution serving the bucket.

They are ranked after every bucket and distribution of the plan (``("cloudfront",
"invalidation")``, rank 60), each through a client in the distribution's own account.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

from ....words import plural
from ...restoring import Operation, RestoreContext
from ..accounts import unknown_account_hint

INVALIDATION = ("cloudfront", "invalidation")  # ranked after every bucket and distribution
MAX_PATHS = 100  # past this, one "/*" (one path, and no per-path charge)


def serves(origin: dict[str, Any], bucket: str) -> bool:
    """Whether a CloudFront origin is this bucket (REST or website endpoint, any region). Pure."""
    host = origin.get("DomainName", "")
    return host.split(".s3", 1)[0] == bucket and ".s3" in host


def viewer_paths(keys: list[str], origin_paths: list[str]) -> list[str]:
    """The paths viewers request for *keys* through origins with these OriginPaths. Pure.

    An origin with OriginPath ``/site`` serves key ``site/a.html`` at ``/a.html``, and no key
    outside ``site/``. More than 100 paths become ``/*``.
    """
    paths: set[str] = set()
    for prefix in {p.strip("/") for p in origin_paths}:
        for key in keys:
            if prefix and not key.startswith(prefix + "/"):
                continue
            rel = key[len(prefix) + 1:] if prefix else key
            paths.add("/" + quote(rel.lstrip("/"), safe="/~"))
    return ["/*"] if len(paths) > MAX_PATHS else sorted(paths)


def distributions(ctx: RestoreContext) -> tuple[Any, str]:
    """Where to look for the distributions to invalidate: live CloudFront when it was read
    (it has the distributions made since the snapshot, and not those deleted), else the
    snapshot's (CloudFront left out of [aws] services)."""
    if "cloudfront" in ctx.live_services:
        return ctx.live, "live"
    return ctx.snapshot, "the snapshot"


def plan_invalidation(ctx: RestoreContext, address: str, bucket: str, keys: list[str]) -> list[Operation]:
    """Invalidate the written paths on every distribution whose origin is this bucket."""
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
