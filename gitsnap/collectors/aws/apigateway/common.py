"""What the API Gateway types share: sorting, JSON-Patch paths, the write parameters an
operation accepts, tags, and the plan's one-line values. Pure, except :func:`tag_ops`' calls."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from ....secrets.fingerprint import is_redacted
from ...restoring import IDENTITY_HINT, NEEDS_IDENTITY, Operation, RestoreContext

MAX_VALUE = 60
# the restore runner's words for it (restore/reveal.py, which collectors cannot import)


def by(items: Any, key: str) -> list[Any]:
    """Items sorted by one field (the order the read calls give carries no meaning)."""
    return sorted(items or [], key=lambda i: str(i.get(key, "")))


def policy_json(value: Any) -> Any:
    """A resource policy as API Gateway returns it (a JSON string, sometimes escaped or
    URL-encoded) as a document; anything that does not parse is kept as it is."""
    if isinstance(value, str):
        for text in (value, unquote(value), value.replace('\\"', '"')):
            try:
                return json.loads(text)
            except ValueError:
                continue
    return value


def pointer(*parts: str) -> str:
    """A JSON-Patch path (RFC 6901): ``pointer("binaryMediaTypes", "image/png")`` is
    ``/binaryMediaTypes/image~1png``."""
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


def shown(value: Any) -> str:
    """A value on one plan line: JSON, cut short."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 3] + "..."


def settable(client: Any, operation: str, item: dict[str, Any], skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields of *item* that *operation* takes as parameters (its botocore input shape):
    a captured document also holds read-only fields (ids, dates, status) that a write refuses."""
    members = client.meta.service_model.operation_model(operation).input_shape.members
    return {k: v for k, v in item.items() if k in members and k not in skip and v is not None}


def arn(ctx: RestoreContext, address: str, path: str) -> str:
    """An API Gateway resource ARN (``arn:aws:apigateway:REGION::/restapis/ID``), for tagging."""
    _, region = ctx.where(address)
    return f"arn:aws:apigateway:{region}::{path}"


def tag_ops(ctx: RestoreContext, address: str, client: Any, resource_arn: str, want: dict[str, str] | None,
            have: dict[str, str] | None, target: str = "tags", v2: bool = False) -> list[Operation]:
    """Tags back as the snapshot has them: TagResource for added and changed ones; one added
    since is kept, unless --delete (UntagResource). ``v2``: apigatewayv2's parameter names."""
    want, have = want or {}, have or {}
    put = {k: v for k, v in want.items() if have.get(k) != v}
    extra = sorted(set(have) - set(want))
    ops: list[Operation] = []
    if put:
        def tag() -> None:
            if v2:
                client.tag_resource(ResourceArn=resource_arn, Tags=put)
            else:
                client.tag_resource(resourceArn=resource_arn, tags=put)

        ops.append(Operation(address, "update", target, f"{shown(have)} -> {shown(want)}", run=tag))
    if extra and ctx.delete:
        def untag() -> None:
            if v2:
                client.untag_resource(ResourceArn=resource_arn, TagKeys=extra)
            else:
                client.untag_resource(resourceArn=resource_arn, tagKeys=extra)

        ops.append(Operation(address, "update", target, f"removed {', '.join(extra)} (--delete)", run=untag))
    elif extra:
        ops.append(Operation(address, "kept", f"{target} {', '.join(extra)}", "live only; --delete removes them"))
    return ops


def cannot(address: str, target: str, why: str) -> Operation:
    """A line for a difference restore does not make, with why and what to do instead."""
    return Operation(address, "cannot-restore", target, why)


def sealed_refused(ctx: RestoreContext, address: str, target: str, value: object) -> Operation | None:
    """A ``needs-identity`` line when *value* is a sealed secret and this machine cannot open it
    (the apply is then refused before anything is written); None otherwise."""
    if is_redacted(value) and not ctx.reveal.available:
        return Operation(address, NEEDS_IDENTITY, target, f"the sealed value; {IDENTITY_HINT}")
    return None
