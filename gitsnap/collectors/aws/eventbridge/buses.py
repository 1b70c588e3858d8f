"""EventBridge event buses, with their resource policy (the default bus's too)."""

from __future__ import annotations

import json

from ...context import UnitContext
from ...restoring import Operation, RestoreContext, Unrestorable
from ...spec import Call, Detail, Raw, ResourceType, Restorer
from ..shapes import tag_map
from .common import (
    DEFAULT_BUS,
    both,
    by_hand,
    change_lines,
    first_runs,
    sealed_guard,
    tag_list,
    tag_ops,
    token_pages,
)


def enumerate_buses(ctx: UnitContext) -> list[Raw]:
    return token_pages(ctx, BUS, "list_event_buses", "EventBuses", {}, f"events in {ctx.region}")


def transform_bus(raw: Raw) -> Raw:
    bus = dict(raw.get("Bus") or {})
    return {**bus, "Tags": tag_map(raw.get("Tags"))}


# -- restore ------------------------------------------------------------------------------------

BUS_FIELDS = ("Description", "KmsKeyIdentifier", "DeadLetterConfig")


def create_bus(ctx: RestoreContext, address: str) -> list[Operation]:
    want = ctx.want(address)
    name = want["Name"]
    if name.startswith("aws.partner/"):
        raise Unrestorable(Operation(address, "cannot-restore", address,
                                     "a partner event bus is made from its partner event source: accept the "
                                     "source again in the partner's console"))
    events = ctx.client("events", address)
    params = {"Name": name, **{f: want[f] for f in BUS_FIELDS if want.get(f) is not None},
              **({"Tags": tag_list(want["Tags"])} if want.get("Tags") else {})}
    ops = [Operation(address, "create", address, want.get("Description") or "", run=lambda: events.create_event_bus(**params))]
    if want.get("Policy"):
        policy = json.dumps(want["Policy"])
        ops.append(Operation(address, "put", "Policy", f"{len(want['Policy'].get('Statement') or [])} statement(s)",
                             run=lambda: events.put_permission(EventBusName=name, Policy=policy)))
    return ops


def update_bus(ctx: RestoreContext, address: str) -> list[Operation]:
    want, have = both(ctx, address)
    events = ctx.client("events", address)
    name = want["Name"]
    pick = lambda d: {f: d.get(f) for f in BUS_FIELDS}  # noqa: E731
    ops = first_runs(change_lines(ctx, address, pick(have), pick(want)),
                     lambda: events.update_event_bus(Name=name, **{f: v for f, v in pick(want).items() if v is not None}))
    if want.get("Policy") != have.get("Policy"):
        if want.get("Policy"):
            policy = json.dumps(want["Policy"])
            ops.append(Operation(address, "put", "Policy", "the snapshot's policy",
                                 run=lambda: events.put_permission(EventBusName=name, Policy=policy)))
        elif ctx.delete:
            ops.append(Operation(address, "delete", "Policy", "every permission (the snapshot has none)",
                                 run=lambda: events.remove_permission(EventBusName=name, RemoveAllPermissions=True)))
        else:
            ops.append(Operation(address, "kept", "Policy", "live only; --delete removes it"))
    ops += by_hand(ctx, address, have, want, (*BUS_FIELDS, "Name", "Arn", "Policy", "Tags"))
    arn = want["Arn"]
    return ops + tag_ops(ctx, address, want.get("Tags"), have.get("Tags"),
                         lambda t: events.tag_resource(ResourceARN=arn, Tags=tag_list(t)),
                         lambda keys: events.untag_resource(ResourceARN=arn, TagKeys=keys))


def delete_bus(ctx: RestoreContext, address: str) -> list[Operation]:
    have = ctx.have(address)
    if have["Name"] == DEFAULT_BUS:
        raise Unrestorable(Operation(address, "cannot-restore", address, "the default event bus cannot be deleted"))
    events = ctx.client("events", address)
    return [Operation(address, "delete", address, run=lambda: events.delete_event_bus(Name=have["Name"]))]


BUS = ResourceType(
    service="events", type="bus", scope="regional", client="events", primary=False,
    enumerate=enumerate_buses,
    id=lambda r: r["Name"],
    details=(
        Detail("Bus", Call("describe_event_bus", params=lambda r: {"Name": r["Name"]}, identity=True,
                           required=("Name", "Arn"), documents=("Policy",))),
        Detail("Tags", Call("list_tags_for_resource", params=lambda r: {"ResourceARN": r["Arn"]}, result="Tags")),
    ),
    transform=transform_bus,
    volatile=("CreationTime", "LastModifiedTime"),
    schema="aws.events.bus",
    permissions=("events:ListEventBuses", "events:DescribeEventBus", "events:ListTagsForResource"),
    restore=Restorer(
        create=sealed_guard(create_bus), update=sealed_guard(update_bus), delete=delete_bus, rank=54,  # before the rules on it
        permissions=("events:CreateEventBus", "events:UpdateEventBus", "events:DeleteEventBus",
                     "events:PutPermission", "events:RemovePermission", "events:TagResource",
                     "events:UntagResource"),
    ),
)
