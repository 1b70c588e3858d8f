"""SQS: queues, with every attribute (visibility, retention, delay, redrive and redrive-allow
policies, access policy, encryption, FIFO settings) and tags.

The message counters (``ApproximateNumberOfMessages*``) and the timestamps are volatile; the
policies are parsed. The queue URL is not stored: it is made of the account, region and name
(and, against a local endpoint, of the endpoint's address), so restore asks for it.

Restore: ``CreateQueue`` with the snapshot's attributes and tags (waiting out AWS's minute
before a deleted queue's name may be used again), ``SetQueueAttributes`` for changes. A queue
whose dead-letter queue is recreated in the same restore gets its redrive policy after every
queue is made: AWS refuses a redrive policy naming a queue that does not exist.
"""

from __future__ import annotations

import json
from typing import Any

import botocore.exceptions as bx

from ..restoring import Operation, RestoreContext, RestoreError
from ..spec import Call, Detail, Raw, ResourceType, Restorer
from .eventbridge import arn_address, by_hand, sealed_guard, tag_ops, value

# read-only attributes (CreateQueue and SetQueueAttributes refuse them)
READ_ONLY = ("QueueArn", "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
             "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp", "LastModifiedTimestamp")
IMMUTABLE = ("FifoQueue",)
POLICIES = ("Policy", "RedrivePolicy", "RedriveAllowPolicy")
DELETED_RECENTLY = ("AWS.SimpleQueueService.QueueDeletedRecently", "QueueDeletedRecently")
# a step ranked after every queue: an unregistered kind takes the default rank (50), after sqs (30)
REDRIVE_KIND = ("sqs", "redrive-policy")


def queue_name(raw: Raw) -> str:
    return raw["QueueUrl"].rstrip("/").rsplit("/", 1)[-1]


def transform_queue(raw: Raw) -> Raw:
    attrs = dict(raw.get("Attributes") or {})
    return {"Name": queue_name(raw), "Attributes": attrs, "Tags": dict(raw.get("Tags") or {})}


def settable(attrs: dict[str, Any]) -> dict[str, str]:
    """The attributes CreateQueue / SetQueueAttributes take, as strings (policies as JSON). Pure."""
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in attrs.items() if k not in READ_ONLY}


def dead_letter_address(attrs: dict[str, Any]) -> str | None:
    """The address of the queue a redrive policy sends to. Pure."""
    policy = attrs.get("RedrivePolicy")
    return arn_address(policy.get("deadLetterTargetArn")) if isinstance(policy, dict) else None


# -- restore -----------------------------------------------------------------------------------

def recreated_dlq(ctx: RestoreContext, address: str, attrs: dict[str, Any]) -> bool:
    """Whether the queue's dead-letter queue is missing live and in the snapshot (so this
    restore makes it again, and a redrive policy naming it must wait until it is)."""
    dlq = dead_letter_address(attrs)
    return dlq is not None and dlq != address and ctx.have(dlq) is None and ctx.want(dlq) is not None


def with_policy(changed: dict[str, str], want: dict[str, Any]) -> dict[str, str]:
    """*changed*, with the snapshot's access policy sent again even when it did not change. Pure.

    AWS's SetQueueAttributes changes only what it is sent; the local endpoint (moto) drops a
    Policy it is not sent. Sending the unchanged policy again is harmless on AWS."""
    if "Policy" in changed or "Policy" not in want:
        return changed
    return {**changed, **settable({"Policy": want["Policy"]})}


def queue_url(sqs: Any, name: str) -> str:
    return sqs.get_queue_url(QueueName=name)["QueueUrl"]


def make_queue(ctx: RestoreContext, sqs: Any, name: str, attrs: dict[str, str], tags: dict[str, str],
               what: str) -> None:
    """CreateQueue, waiting while AWS still holds the name of a queue deleted in the last minute."""
    params: dict[str, Any] = {"QueueName": name, "Attributes": attrs, **({"tags": tags} if tags else {})}
    waits = ctx.waits
    for attempt in range(waits.attempts):
        try:
            sqs.create_queue(**params)
            return
        except bx.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in DELETED_RECENTLY:
                raise
            if attempt + 1 == waits.attempts:
                raise RestoreError(f"{what}: SQS still holds the name of the deleted queue after {waits.attempts} "
                                   "tries; plan again in a minute") from exc
        waits.sleep(waits.delay)


def create_queue(ctx: RestoreContext, address: str) -> list[Operation]:
    want = ctx.want(address)
    sqs = ctx.client("sqs", address)
    name = want["Name"]
    attrs = settable(want.get("Attributes") or {})
    later = recreated_dlq(ctx, address, want.get("Attributes") or {})
    dlq = dead_letter_address(want.get("Attributes") or {})
    first = {k: v for k, v in attrs.items() if not (later and k == "RedrivePolicy")}
    ops = [Operation(address, "create", address, ", ".join(sorted(attrs)),
                     run=lambda: make_queue(ctx, sqs, name, first, want.get("Tags") or {}, address))]
    if later:
        redrive = attrs["RedrivePolicy"]
        ops.append(Operation(address, "put", "Attributes.RedrivePolicy", f"to {dlq}, once it is made again",
                             kind=REDRIVE_KIND, run=lambda: sqs.set_queue_attributes(
                                 QueueUrl=queue_url(sqs, name),
                                 Attributes=with_policy({"RedrivePolicy": redrive}, want.get("Attributes") or {}))))
    return ops


def update_queue(ctx: RestoreContext, address: str) -> list[Operation]:
    want, have = ctx.want(address), ctx.have(address)
    sqs = ctx.client("sqs", address)
    name = want["Name"]
    wa, ha = want.get("Attributes") or {}, have.get("Attributes") or {}
    ops: list[Operation] = []
    changed: dict[str, str] = {}
    for attr in sorted(set(wa) | set(ha)):
        if wa.get(attr) == ha.get(attr) or attr in READ_ONLY:
            continue
        line = f"{value(ha.get(attr))} -> {value(wa.get(attr))}"
        target = f"Attributes.{attr}"
        if attr in IMMUTABLE:
            ops.append(Operation(address, "cannot-restore", target, f"{line}: fixed when the queue is made; delete "
                                 "the queue and restore it to make it again"))
        elif attr not in wa and not ctx.delete:
            ops.append(Operation(address, "kept", target, "live only; --delete clears it"))
        else:
            changed[attr] = settable({attr: wa[attr]})[attr] if attr in wa else ""  # "" removes a policy
            ops.append(Operation(address, "update", target, line))
    updates = [op for op in ops if op.verb == "update"]
    if updates:
        updates[0].run = lambda: sqs.set_queue_attributes(QueueUrl=queue_url(sqs, name),
                                                          Attributes=with_policy(changed, wa))
        if "RedrivePolicy" in changed and recreated_dlq(ctx, address, wa):
            updates[0].kind = REDRIVE_KIND
    ops += by_hand(ctx, address, have, want, ("Name", "Attributes", "Tags"))
    return ops + tag_ops(ctx, address, want.get("Tags"), have.get("Tags"),
                         lambda t: sqs.tag_queue(QueueUrl=queue_url(sqs, name), Tags=t),
                         lambda keys: sqs.untag_queue(QueueUrl=queue_url(sqs, name), TagKeys=keys))


def delete_queue(ctx: RestoreContext, address: str) -> list[Operation]:
    have = ctx.have(address)
    sqs = ctx.client("sqs", address)
    return [Operation(address, "delete", address, "and every message in it",
                      run=lambda: sqs.delete_queue(QueueUrl=queue_url(sqs, have["Name"])))]


QUEUE = ResourceType(
    service="sqs", type="queue", scope="regional", client="sqs",
    list=Call("list_queues", result="QueueUrls", paginate=True),
    item_key="QueueUrl",
    id=queue_name,
    details=(
        Detail("Attributes", Call("get_queue_attributes", params=lambda r: {"QueueUrl": r["QueueUrl"], "AttributeNames": ["All"]},
                                  result="Attributes", identity=True, required=("Attributes", "Attributes.QueueArn"),
                                  documents=tuple(f"Attributes.{p}" for p in POLICIES))),
        Detail("Tags", Call("list_queue_tags", params=lambda r: {"QueueUrl": r["QueueUrl"]}, result="Tags")),
    ),
    transform=transform_queue,
    volatile=("Attributes.ApproximateNumberOfMessages", "Attributes.ApproximateNumberOfMessagesNotVisible",
              "Attributes.ApproximateNumberOfMessagesDelayed", "Attributes.CreatedTimestamp",
              "Attributes.LastModifiedTimestamp"),
    schema="aws.sqs.queue",
    permissions=("sqs:ListQueues", "sqs:GetQueueAttributes", "sqs:ListQueueTags"),
    restore=Restorer(
        create=sealed_guard(create_queue), update=sealed_guard(update_queue), delete=delete_queue, rank=30,
        permissions=("sqs:CreateQueue", "sqs:GetQueueUrl", "sqs:SetQueueAttributes", "sqs:DeleteQueue",
                     "sqs:TagQueue", "sqs:UntagQueue"),
    ),
)

TYPES: tuple[ResourceType, ...] = (QUEUE,)
