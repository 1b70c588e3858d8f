"""EventBridge rules on every event bus, with their targets."""

from __future__ import annotations

import json
from typing import Any

from ...context import UnitContext
from ...restoring import Operation, RestoreContext, Unrestorable
from ...run import call
from ...spec import Call, Detail, Raw, ResourceType, Restorer
from ..shapes import tag_map
from .buses import enumerate_buses
from .common import (
    DEFAULT_BUS,
    arn_address,
    both,
    by_hand,
    change_lines,
    checked,
    first_runs,
    sealed_guard,
    tag_list,
    tag_ops,
)

TARGETS_PER_CALL = 10  # PutTargets and RemoveTargets take at most 10 targets


def rule_id(raw: Raw) -> str:
    bus = raw.get("EventBusName") or DEFAULT_BUS
    return raw["Name"] if bus == DEFAULT_BUS else f"{bus}/{raw['Name']}"


def enumerate_rules(ctx: UnitContext) -> list[Raw]:
    """Every rule on every event bus of the region."""
    found: list[Raw] = []
    for bus in enumerate_buses(ctx):
        listing = Call("list_rules", params=lambda _r, b=bus["Name"]: {"EventBusName": b}, result="Rules", paginate=True)
        for rule in call(ctx, RULE, listing, {}, f"events in {ctx.region}, bus {bus['Name']}") or []:
            found.append({**rule, "EventBusName": rule.get("EventBusName") or bus["Name"]})
    return sorted(found, key=rule_id)


def _rule(r: Raw) -> dict[str, str]:
    return {"Name": r["Name"], "EventBusName": r["EventBusName"]}


def transform_rule(raw: Raw) -> Raw:
    rule = {k: v for k, v in (raw.get("Rule") or {}).items() if k != "CreatedBy"}
    targets = []
    for target in sorted(raw.get("Targets") or [], key=lambda t: t.get("Id", "")):
        address = arn_address(target.get("Arn"))
        targets.append({**target, **({"ArnAddress": address} if address else {})})
    return {**rule, "Targets": targets, "Tags": tag_map(raw.get("Tags"))}


# -- restore ------------------------------------------------------------------------------------

RULE_FIELDS = ("ScheduleExpression", "EventPattern", "State", "Description", "RoleArn")


def rule_params(doc: Raw) -> dict[str, Any]:
    """PutRule's parameters from a rule's document (the pattern as JSON text). Pure."""
    params: dict[str, Any] = {"Name": doc["Name"], "EventBusName": doc.get("EventBusName") or DEFAULT_BUS}
    for field in RULE_FIELDS:
        if doc.get(field) is not None:
            params[field] = json.dumps(doc[field]) if field == "EventPattern" else doc[field]
    return params


def target_params(target: Raw) -> Raw:
    """A target as PutTargets takes it (without the address gitsnap added). Pure."""
    return {k: v for k, v in target.items() if k != "ArnAddress"}


def _put_targets(events: Any, doc: Raw, targets: list[Raw], what: str) -> None:
    for start in range(0, len(targets), TARGETS_PER_CALL):
        chunk = [target_params(t) for t in targets[start:start + TARGETS_PER_CALL]]
        checked(events.put_targets(Rule=doc["Name"], EventBusName=doc.get("EventBusName") or DEFAULT_BUS,
                                   Targets=chunk), what)


def _remove_targets(events: Any, doc: Raw, ids: list[str], what: str) -> None:
    for start in range(0, len(ids), TARGETS_PER_CALL):
        checked(events.remove_targets(Rule=doc["Name"], EventBusName=doc.get("EventBusName") or DEFAULT_BUS,
                                      Ids=ids[start:start + TARGETS_PER_CALL]), what)


def _rule_tags(ctx: RestoreContext, address: str, events: Any, want: Raw, have: Raw | None) -> list[Operation]:
    arn = want["Arn"]
    return tag_ops(ctx, address, want.get("Tags"), (have or {}).get("Tags"),
                   lambda t: events.tag_resource(ResourceARN=arn, Tags=tag_list(t)),
                   lambda keys: events.untag_resource(ResourceARN=arn, TagKeys=keys))


def create_rule(ctx: RestoreContext, address: str) -> list[Operation]:
    want = ctx.want(address)
    events = ctx.client("events", address)
    params = {**rule_params(want), **({"Tags": tag_list(want["Tags"])} if want.get("Tags") else {})}
    how = want.get("ScheduleExpression") or "event pattern"
    ops = [Operation(address, "create", address, f"{how}, {want.get('State', 'ENABLED')}",
                     run=lambda: events.put_rule(**params))]
    targets = want.get("Targets") or []
    if targets:
        ops.append(Operation(address, "put", "Targets", ", ".join(t.get("ArnAddress") or t["Arn"] for t in targets),
                             run=lambda: _put_targets(events, want, targets, address)))
    return ops


def update_rule(ctx: RestoreContext, address: str) -> list[Operation]:
    want, have = both(ctx, address)
    events = ctx.client("events", address)
    if want.get("ManagedBy"):
        raise Unrestorable(Operation(address, "cannot-restore", address,
                                     f"managed by {want['ManagedBy']}: change it through that service"))
    pick = lambda d: {f: d.get(f) for f in RULE_FIELDS}  # noqa: E731
    ops = first_runs(change_lines(ctx, address, pick(have), pick(want)),
                     lambda: events.put_rule(**rule_params(want)))
    wt = {t["Id"]: t for t in want.get("Targets") or []}
    ht = {t["Id"]: t for t in have.get("Targets") or []}
    changed = [wt[i] for i in sorted(wt) if ht.get(i) != wt[i]]
    if changed:
        ops.append(Operation(address, "put", "Targets", ", ".join(t["Id"] for t in changed),
                             run=lambda: _put_targets(events, want, changed, address)))
    extra = sorted(set(ht) - set(wt))
    if extra and ctx.delete:
        ops.append(Operation(address, "delete", "Targets", ", ".join(extra),
                             run=lambda: _remove_targets(events, have, extra, address)))
    elif extra:
        ops.append(Operation(address, "kept", "Targets", f"{', '.join(extra)}: live only; --delete removes them"))
    ops += by_hand(ctx, address, have, want, (*RULE_FIELDS, "Name", "EventBusName", "Arn", "Targets", "Tags"))
    return ops + _rule_tags(ctx, address, events, want, have)


def delete_rule(ctx: RestoreContext, address: str) -> list[Operation]:
    have = ctx.have(address)
    if have.get("ManagedBy"):
        raise Unrestorable(Operation(address, "cannot-restore", address,
                                     f"live only, and managed by {have['ManagedBy']}: delete it through that service"))
    events = ctx.client("events", address)
    ids = [t["Id"] for t in have.get("Targets") or []]

    def run() -> None:
        if ids:  # a rule with targets cannot be deleted
            _remove_targets(events, have, ids, address)
        events.delete_rule(Name=have["Name"], EventBusName=have.get("EventBusName") or DEFAULT_BUS)

    return [Operation(address, "delete", address, f"and its {len(ids)} target(s)" if ids else "", run=run)]


RULE = ResourceType(
    service="events", type="rule", scope="regional", client="events", primary=False,
    enumerate=enumerate_rules,
    id=rule_id,
    details=(
        Detail("Rule", Call("describe_rule", params=_rule, identity=True, required=("Name", "Arn"),
                            documents=("EventPattern",))),
        Detail("Targets", Call("list_targets_by_rule", params=lambda r: {"Rule": r["Name"], "EventBusName": r["EventBusName"]},
                               result="Targets", paginate=True)),
        Detail("Tags", Call("list_tags_for_resource", params=lambda r: {"ResourceARN": r["Arn"]}, result="Tags")),
    ),
    transform=transform_rule,
    schema="aws.events.rule",
    permissions=("events:ListEventBuses", "events:ListRules", "events:DescribeRule", "events:ListTargetsByRule",
                 "events:ListTagsForResource"),
    restore=Restorer(
        create=sealed_guard(create_rule), update=sealed_guard(update_rule), delete=delete_rule, rank=55,
        permissions=("events:PutRule", "events:PutTargets", "events:RemoveTargets", "events:DeleteRule",
                     "events:TagResource", "events:UntagResource", "iam:PassRole"),
    ),
)
