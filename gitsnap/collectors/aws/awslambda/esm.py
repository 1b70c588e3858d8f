"""Event source mappings (``lambda/event-source-mapping/UUID``): what feeds a function from a
queue or stream. A mapping is its own resource, with its own id and lifecycle: it is created,
changed and deleted apart from the function, and outlives it.

Its document is the mapping's configuration, with ``FunctionAddress`` (``lambda/NAME``: the
function it invokes) and ``Enabled`` (the setting behind ``State``, which is kept as status).

The UUID is the service's choice: a mapping created again gets a new one. So a restore that
recreates a deleted mapping says so, and from then on the live mapping with the same function
and source stands in for the snapshot's (it is updated to its settings, never deleted for not
being in the snapshot, and the plan says the old UUID cannot come back).
"""

from __future__ import annotations

from typing import Any

from ...restoring import Operation, RestoreContext
from ...spec import Call, Raw, ResourceType, Restorer
from .common import shown

SERVICE, TYPE = "lambda", "event-source-mapping"
# settings UpdateEventSourceMapping changes in place
UPDATABLE = ("BatchSize", "Enabled", "FilterCriteria", "MaximumBatchingWindowInSeconds", "ParallelizationFactor",
             "DestinationConfig", "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError", "MaximumRetryAttempts",
             "TumblingWindowInSeconds", "SourceAccessConfigurations", "FunctionResponseTypes", "ScalingConfig",
             "DocumentDBEventSourceConfig", "KMSKeyArn", "MetricsConfig", "ProvisionedPollerConfig")
# settings only CreateEventSourceMapping takes
CREATE_ONLY = ("EventSourceArn", "StartingPosition", "StartingPositionTimestamp", "Topics", "Queues",
               "SelfManagedEventSource", "SelfManagedKafkaEventSourceConfig", "AmazonManagedKafkaEventSourceConfig")
ENABLED = {"Enabled": True, "Enabling": True, "Creating": True, "Disabled": False, "Disabling": False}
PERMISSIONS = ("lambda:CreateEventSourceMapping", "lambda:UpdateEventSourceMapping",
               "lambda:DeleteEventSourceMapping")


def function_address(arn: str | None) -> str | None:
    """``lambda/NAME`` of a (possibly qualified) function ARN. Pure."""
    parts = (arn or "").split(":")
    return f"lambda/{parts[6]}" if len(parts) >= 7 and parts[5] == "function" else None


def transform_mapping(raw: Raw) -> Raw:
    doc = {k: v for k, v in raw.items() if k not in ("Tags", "ResponseMetadata")}
    doc["FunctionAddress"] = function_address(raw.get("FunctionArn"))
    doc["Enabled"] = ENABLED.get(raw.get("State", ""))
    return doc


def key(doc: dict[str, Any]) -> tuple[str, ...]:
    """What makes two mappings the same feed: function (with qualifier), source, topics, queues. Pure."""
    return (str(doc.get("FunctionArn")), str(doc.get("EventSourceArn") or doc.get("SelfManagedEventSource")),
            str(doc.get("Topics")), str(doc.get("Queues")))


def _others(ctx: RestoreContext, address: str, side: str) -> list[tuple[str, dict[str, Any]]]:
    """The mappings of the other *side* ("live" or "snapshot") only, in this one's account and region,
    with the same function and source."""
    here = ctx.where(address)
    this = ctx.want(address) if side == "live" else ctx.have(address)
    snap, other = (ctx.live, ctx.snapshot) if side == "live" else (ctx.snapshot, ctx.live)
    found = []
    for a, info in snap.resources.items():
        if a == address or (info.get("service"), info.get("type")) != (SERVICE, TYPE) or a in other.resources:
            continue
        if (info.get("account"), info.get("region")) != here:
            continue
        doc = snap.document(a)
        if doc is not None and key(doc) == key(this):
            found.append((a, doc))
    return found


def settings(doc: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: doc[f] for f in fields if doc.get(f) is not None}


def plan_settings(ctx: RestoreContext, address: str, want: dict[str, Any], have: dict[str, Any]) -> list[Operation]:
    """The mapping *have* (live) updated to *want*'s settings; create-only ones said, not done."""
    lam = ctx.client("lambda", address)
    ops = []
    changed = {f: want.get(f) for f in UPDATABLE if want.get(f) is not None and want.get(f) != have.get(f)}
    if want.get("FunctionArn") != have.get("FunctionArn"):
        changed["FunctionName"] = want["FunctionArn"]
    if changed:
        ops.append(Operation(address, "update", f"{SERVICE}/{TYPE}/{have['UUID']}",
                             ", ".join(f"{k} {shown(have.get('FunctionArn' if k == 'FunctionName' else k))} -> {shown(v)}"
                                       for k, v in changed.items()),
                             run=lambda: lam.update_event_source_mapping(UUID=have["UUID"], **changed)))
    for f in CREATE_ONLY:
        if want.get(f) != have.get(f):
            ops.append(Operation(address, "cannot-restore", f, f"{shown(have.get(f))} live; it is set only when a "
                                                               "mapping is created: delete the mapping and restore"))
    return ops


def plan_update(ctx: RestoreContext, address: str) -> list[Operation]:
    return plan_settings(ctx, address, ctx.want(address), ctx.have(address))


def plan_create(ctx: RestoreContext, address: str) -> list[Operation]:
    """CreateEventSourceMapping with the snapshot's settings (a new UUID); or, where live already
    has the same feed under another UUID, that one brought to the snapshot's settings."""
    want = ctx.want(address)
    standing = _others(ctx, address, "live")
    if standing:
        other, doc = standing[0]
        return [Operation(address, "cannot-restore", address,
                          f"recreated as {other}: a mapping's UUID is the service's choice, so this one cannot "
                          "come back"), *plan_settings(ctx, address, want, doc)]
    lam = ctx.client("lambda", address)
    params = {"FunctionName": want["FunctionArn"], **settings(want, CREATE_ONLY), **settings(want, UPDATABLE)}
    return [Operation(address, "create", f"{SERVICE}/{TYPE}", f"{want.get('EventSourceArn')} -> "
                      f"{want.get('FunctionAddress')}; gets a new UUID (the service chooses it)",
                      run=lambda: lam.create_event_source_mapping(**params))]


def plan_delete(ctx: RestoreContext, address: str) -> list[Operation]:
    """DeleteEventSourceMapping, unless this live mapping stands in for a snapshot's one of the
    same feed that a restore recreated."""
    have = ctx.have(address)
    stands_for = _others(ctx, address, "snapshot")
    if stands_for:
        return [Operation(address, "kept", address, f"stands in for {stands_for[0][0]} (the same feed, recreated "
                                                    "under a new UUID)")]
    lam = ctx.client("lambda", address)
    return [Operation(address, "delete", f"{SERVICE}/{TYPE}/{have['UUID']}", str(have.get("EventSourceArn")),
                      run=lambda: lam.delete_event_source_mapping(UUID=have["UUID"]))]


EVENT_SOURCE_MAPPING = ResourceType(
    service=SERVICE,
    type=TYPE,
    scope="regional",
    client="lambda",
    primary=False,
    list=Call("list_event_source_mappings", result="EventSourceMappings", paginate=True),
    id=lambda r: r["UUID"],
    transform=transform_mapping,
    volatile=("LastModified", "StateTransitionReason", "LastProcessingResult"),
    status=("State",),
    schema="aws.lambda.event-source-mapping",
    permissions=("lambda:ListEventSourceMappings",),
    restore=Restorer(update=plan_update, create=plan_create, delete=plan_delete, rank=45, permissions=PERMISSIONS),
)
