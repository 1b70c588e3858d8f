"""SNS: topics, with their attributes, tags and subscriptions.

A topic's subscriptions are part of its document (``Subscriptions``, sorted by protocol and
endpoint), not resources of their own: a subscription's only id is an ARN ending in a random
UUID that changes each time it is made, so an address built on it could never be restored to.
A subscription is identified by its protocol and endpoint. An email address or https URL is
personal data, not a secret (the engine's detector still scans it, and seals a URL carrying a
token). Whether it is confirmed is status. The counters (``SubscriptionsConfirmed`` ...) and
``EffectiveDeliveryPolicy`` (AWS's defaults merged in) are volatile; ``Policy`` and
``DeliveryPolicy`` are parsed.

Restore: ``CreateTopic`` then ``SetTopicAttributes`` for what CreateTopic does not take, and
``Subscribe`` for each subscription. An email, email-json, http(s) or SMS subscription made
again must be confirmed again by its endpoint: the plan says so.
"""

from __future__ import annotations

import json
from typing import Any

from ...secrets.fingerprint import PREFIX
from ..context import UnitContext
from ..restoring import Operation, RestoreContext, RestoreError, Unrestorable
from ..run import call
from ..spec import Call, Detail, Raw, ResourceType, Restorer
from .eventbridge import by_hand, sealed_guard, tag_list, tag_ops, value
from .iam import policy_json
from .shapes import tag_map

PENDING = "PendingConfirmation"
JSON_ATTRIBUTES = ("Policy", "DeliveryPolicy", "DataProtectionPolicy", "ArchivePolicy", "FilterPolicy", "RedrivePolicy",
                   "ReplayPolicy")
# what CreateTopic takes; the rest (delivery status logging) only SetTopicAttributes
CREATE_ATTRIBUTES = ("DeliveryPolicy", "DisplayName", "FifoTopic", "Policy", "SignatureVersion", "TracingConfig",
                     "KmsMasterKeyId", "ContentBasedDeduplication", "ArchivePolicy", "FifoThroughputScope",
                     "DataProtectionPolicy")
IMMUTABLE = ("FifoTopic",)
SUBSCRIPTION_ATTRIBUTES = ("RawMessageDelivery", "FilterPolicy", "FilterPolicyScope", "RedrivePolicy", "DeliveryPolicy",
                           "SubscriptionRoleArn", "ReplayPolicy")
# what an attribute the snapshot does not have is set to (its default); others are cleared with ""
CLEARED = {"RawMessageDelivery": "false", "FilterPolicyScope": "MessageAttributes"}
CONFIRMED_BY_ENDPOINT = ("email", "email-json", "http", "https", "sms")


def topic_name(raw: Raw) -> str:
    return raw["TopicArn"].rsplit(":", 1)[-1]


def attributes(raw: dict[str, Any] | None, keep: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Attributes as stored: empty ones left out (AWS and the local endpoint differ in sending
    them), JSON ones parsed. Pure."""
    out = {}
    for key, val in (raw or {}).items():
        if val in ("", None) or (keep is not None and key not in keep):
            continue
        out[key] = policy_json(val) if key in JSON_ATTRIBUTES else val
    return out


def fetch_subscriptions(ctx: UnitContext, raw: Raw) -> list[Raw]:
    """The topic's subscriptions, each with its attributes (a pending one has none to read)."""
    what = f"sns/{topic_name(raw)}"
    listing = Call("list_subscriptions_by_topic", params=lambda r: {"TopicArn": r["TopicArn"]},
                   result="Subscriptions", paginate=True)
    found = []
    for sub in call(ctx, TOPIC, listing, raw, what) or []:
        arn = sub.get("SubscriptionArn") or PENDING
        item: Raw = {"Protocol": sub.get("Protocol"), "Endpoint": sub.get("Endpoint")}
        if arn == PENDING:
            found.append({**item, PENDING: True})
            continue
        read = Call("get_subscription_attributes", params=lambda _r, a=arn: {"SubscriptionArn": a},
                    result="Attributes", absent=("NotFound",))
        attrs = call(ctx, TOPIC, read, raw, what)
        if attrs is None:  # unsubscribed between the listing and this read: gone, as SNS says
            continue
        found.append({**item, "Attributes": attributes(attrs, SUBSCRIPTION_ATTRIBUTES),
                      PENDING: attrs.get(PENDING) == "true"})
    return found


def sub_key(sub: Raw) -> tuple[str, str]:
    return (sub.get("Protocol") or "", sub.get("Endpoint") or "")


def transform_topic(raw: Raw) -> Raw:
    return {
        "Name": topic_name(raw),
        "TopicArn": raw["TopicArn"],
        "Attributes": {k: v for k, v in attributes(raw.get("Attributes")).items() if k not in ("TopicArn", "Owner")},
        "Subscriptions": sorted(raw.get("Subscriptions") or [], key=sub_key),
        "Tags": tag_map(raw.get("Tags")),
    }


# -- restore -----------------------------------------------------------------------------------

def wire(val: Any) -> str:
    """An attribute as SNS takes it: a string (JSON documents serialized). Pure."""
    return val if isinstance(val, str) else json.dumps(val)


def _subscribe_op(address: str, sns: Any, arn: str, sub: Raw) -> Operation:
    attrs = {k: wire(v) for k, v in (sub.get("Attributes") or {}).items()}
    again = sub.get("Protocol") in CONFIRMED_BY_ENDPOINT
    note = "the endpoint must confirm it again (SNS sends it a confirmation message)" if again else ""
    return Operation(address, "create", f"Subscriptions {sub.get('Protocol')} {sub.get('Endpoint')}", note,
                     run=lambda: sns.subscribe(TopicArn=arn, Protocol=sub["Protocol"], Endpoint=sub["Endpoint"],
                                               Attributes=attrs, ReturnSubscriptionArn=True))


def create_topic(ctx: RestoreContext, address: str) -> list[Operation]:
    want = ctx.want(address)
    sns = ctx.client("sns", address)
    attrs = want.get("Attributes") or {}
    first = {k: wire(v) for k, v in attrs.items() if k in CREATE_ATTRIBUTES}
    later = {k: wire(v) for k, v in attrs.items() if k not in CREATE_ATTRIBUTES}
    params = {"Name": want["Name"], "Attributes": first, **({"Tags": tag_list(want["Tags"])} if want.get("Tags") else {})}

    def run() -> None:
        sns.create_topic(**params)
        for name, val in sorted(later.items()):
            sns.set_topic_attributes(TopicArn=want["TopicArn"], AttributeName=name, AttributeValue=val)

    ops = [Operation(address, "create", address, ", ".join(sorted(attrs)), run=run)]
    return ops + [_subscribe_op(address, sns, want["TopicArn"], s) for s in want.get("Subscriptions") or []]


def live_subscription(ctx: RestoreContext, sns: Any, topic_arn: str, sub: Raw, what: str) -> str:
    """The ARN of the live subscription with *sub*'s protocol and endpoint (read at apply time:
    the documents do not keep ARNs, which change whenever a subscription is made again). A
    sealed endpoint is compared as it was captured (opened with the identity)."""
    endpoint = sub.get("Endpoint")
    if endpoint and PREFIX in endpoint:
        endpoint = ctx.reveal.text(endpoint, f"{what} subscription endpoint")
    for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn):
        for found in page.get("Subscriptions", []):
            if sub_key(found) == (sub.get("Protocol"), endpoint) and found.get("SubscriptionArn") != PENDING:
                return found["SubscriptionArn"]
    raise RestoreError(f"{what}: no confirmed {sub.get('Protocol')} subscription to {sub.get('Endpoint')} is live "
                       "any more; plan again")


def _subscription_ops(ctx: RestoreContext, address: str, sns: Any, arn: str, want: Raw, have: Raw) -> list[Operation]:
    ws = {sub_key(s): s for s in want.get("Subscriptions") or []}
    hs = {sub_key(s): s for s in have.get("Subscriptions") or []}
    ops: list[Operation] = []
    for key in sorted(set(ws) | set(hs)):
        w, h = ws.get(key), hs.get(key)
        target = f"Subscriptions {key[0]} {key[1]}"
        if h is None:
            ops.append(_subscribe_op(address, sns, arn, w))
        elif w is None and ctx.delete:
            ops.append(Operation(address, "delete", target, run=lambda s=h: sns.unsubscribe(
                SubscriptionArn=live_subscription(ctx, sns, arn, s, address))))
        elif w is None:
            ops.append(Operation(address, "kept", target, "live only; --delete unsubscribes it"))
        elif w.get("Attributes") == h.get("Attributes"):
            continue
        elif "Attributes" not in w:  # pending when captured: nothing known to put back
            ops.append(Operation(address, "kept", target, "it was pending confirmation in the snapshot, so its "
                                 "attributes were not readable then; live's are kept"))
        elif "Attributes" not in h:
            ops.append(Operation(address, "cannot-restore", target, "pending confirmation: its attributes can be "
                                 "read and set once the endpoint confirms it; confirm it, then plan again"))
        else:
            ops.extend(_subscription_attribute_ops(ctx, address, sns, arn, w, h, target))
    return ops


def _subscription_attribute_ops(ctx: RestoreContext, address: str, sns: Any, arn: str, w: Raw, h: Raw, target: str) -> list[Operation]:
    wa, ha = w.get("Attributes") or {}, h.get("Attributes") or {}
    ops = []
    for name in sorted(set(wa) | set(ha)):
        if wa.get(name) == ha.get(name):
            continue
        new = wire(wa[name]) if name in wa else CLEARED.get(name, "")  # "" removes a policy

        def run(n: str = name, v: str = new) -> None:
            sns.set_subscription_attributes(SubscriptionArn=live_subscription(ctx, sns, arn, w, address),
                                            AttributeName=n, AttributeValue=v)

        ops.append(Operation(address, "update", f"{target} {name}", f"{value(ha.get(name))} -> {value(wa.get(name))}",
                             run=run))
    return ops


def update_topic(ctx: RestoreContext, address: str) -> list[Operation]:
    want, have = ctx.want(address), ctx.have(address)
    sns = ctx.client("sns", address)
    arn = have["TopicArn"]
    wa, ha = want.get("Attributes") or {}, have.get("Attributes") or {}
    ops: list[Operation] = []
    for name in sorted(set(wa) | set(ha)):
        if wa.get(name) == ha.get(name):
            continue
        line = f"{value(ha.get(name))} -> {value(wa.get(name))}"
        if name in IMMUTABLE:
            ops.append(Operation(address, "cannot-restore", f"Attributes.{name}", f"{line}: fixed when the topic is "
                                 "made; delete the topic and restore it to make it again"))
        elif name not in wa and not ctx.delete:
            ops.append(Operation(address, "kept", f"Attributes.{name}", "live only; --delete clears it"))
        else:
            ops.append(Operation(address, "update", f"Attributes.{name}", line, run=lambda n=name: sns.set_topic_attributes(
                TopicArn=arn, AttributeName=n, AttributeValue=wire(wa[n]) if n in wa else "")))
    ops += _subscription_ops(ctx, address, sns, arn, want, have)
    ops += by_hand(ctx, address, have, want, ("Name", "TopicArn", "Attributes", "Subscriptions", "Tags"))
    return ops + tag_ops(ctx, address, want.get("Tags"), have.get("Tags"),
                         lambda t: sns.tag_resource(ResourceArn=arn, Tags=tag_list(t)),
                         lambda keys: sns.untag_resource(ResourceArn=arn, TagKeys=keys))


def delete_topic(ctx: RestoreContext, address: str) -> list[Operation]:
    have = ctx.have(address)
    if not have.get("TopicArn"):
        raise Unrestorable(Operation(address, "cannot-restore", address, "live has no ARN for it; delete it by hand"))
    sns = ctx.client("sns", address)
    subs = len(have.get("Subscriptions") or [])
    return [Operation(address, "delete", address, f"and its {subs} subscription(s)" if subs else "",
                      run=lambda: sns.delete_topic(TopicArn=have["TopicArn"]))]


TOPIC = ResourceType(
    service="sns", type="topic", scope="regional", client="sns",
    list=Call("list_topics", result="Topics", paginate=True),
    id=topic_name,
    details=(
        Detail("Attributes", Call("get_topic_attributes", params=lambda r: {"TopicArn": r["TopicArn"]}, result="Attributes",
                                  identity=True, required=("Attributes",), documents=("Attributes.Policy",))),
        Detail("Tags", Call("list_tags_for_resource", params=lambda r: {"ResourceArn": r["TopicArn"]}, result="Tags")),
        Detail("Subscriptions", fetch=fetch_subscriptions),
    ),
    transform=transform_topic,
    volatile=("Attributes.SubscriptionsConfirmed", "Attributes.SubscriptionsPending", "Attributes.SubscriptionsDeleted",
              "Attributes.EffectiveDeliveryPolicy", "Attributes.BeginningArchiveTime"),
    status=(f"Subscriptions.*.{PENDING}",),  # the list is sorted by transform_topic (protocol, endpoint)
    schema="aws.sns.topic",
    permissions=("sns:ListTopics", "sns:GetTopicAttributes", "sns:ListTagsForResource", "sns:ListSubscriptionsByTopic",
                 "sns:GetSubscriptionAttributes"),
    restore=Restorer(
        create=sealed_guard(create_topic), update=sealed_guard(update_topic), delete=delete_topic,
        rank=31,  # after the queues it delivers to (sqs 30)
        permissions=("sns:CreateTopic", "sns:SetTopicAttributes", "sns:DeleteTopic", "sns:Subscribe", "sns:Unsubscribe",
                     "sns:SetSubscriptionAttributes", "sns:ListSubscriptionsByTopic", "sns:TagResource",
                     "sns:UntagResource"),
    ),
)

TYPES: tuple[ResourceType, ...] = (TOPIC,)
