"""Route53 ChangeBatches within the service's limits. Pure.

What one ChangeResourceRecordSets request may hold (Route53 quotas, "Elements and characters
in ChangeResourceRecordSets requests"): 1,000 ResourceRecord elements and 32,000 characters of
Value elements, an UPSERT counting twice for both. Only a batch is atomic, so every change to
one name goes in one batch, its deletions first.
"""

from __future__ import annotations

from typing import Any

MAX_RECORDS = 1000
MAX_VALUE_CHARS = 32000

Change = dict[str, Any]


def record_key(rr: dict[str, Any]) -> tuple[str, str, str]:
    """A record set's identity in its zone: name, type and set identifier."""
    return (rr["Name"], rr["Type"], rr.get("SetIdentifier", ""))


def change_weight(change: Change) -> tuple[int, int]:
    """(ResourceRecord elements, Value characters) a change counts for in its batch.

    An alias record has no ResourceRecord; it is counted as one, to stay on the safe side."""
    times = 2 if change["Action"] == "UPSERT" else 1
    values = [str(r.get("Value", "")) for r in change["ResourceRecordSet"].get("ResourceRecords") or []]
    return times * max(1, len(values)), times * sum(len(v) for v in values)


def weight(changes: list[Change]) -> tuple[int, int]:
    weights = [change_weight(c) for c in changes]
    return sum(w[0] for w in weights), sum(w[1] for w in weights)


def fits(used: tuple[int, int]) -> bool:
    return used[0] <= MAX_RECORDS and used[1] <= MAX_VALUE_CHARS


def by_name(changes: list[Change]) -> list[list[Change]]:
    """Changes grouped by record name (DNS names are case-insensitive), in first-seen order,
    each group's DELETEs first: Route53 applies a batch in order, and a record that replaces
    another at its name (a CNAME for an A, a simple record for weighted ones) needs the old one
    gone first, in the same batch so that no query sees the name without either."""
    groups: dict[str, list[Change]] = {}
    for change in changes:
        groups.setdefault(change["ResourceRecordSet"]["Name"].lower(), []).append(change)
    return [sorted(g, key=lambda c: c["Action"] != "DELETE") for g in groups.values()]


def transform_batches(changes: list[Change]) -> list[list[Change]]:
    """Changes as ChangeBatches within Route53's limits, every change to one name in one batch.

    Raises:
        ValueError: the changes to one name alone exceed a batch (the caller plans them out).
    """
    batches: list[list[Change]] = []
    current: list[Change] = []
    used = (0, 0)
    for group in by_name(changes):
        size = weight(group)
        if not fits(size):
            raise ValueError(f"the changes to {group[0]['ResourceRecordSet']['Name']} exceed one ChangeBatch")
        if current and not fits((used[0] + size[0], used[1] + size[1])):
            batches.append(current)
            current, used = [], (0, 0)
        current.extend(group)
        used = (used[0] + size[0], used[1] + size[1])
    if current:
        batches.append(current)
    return batches


def clash(want: dict[str, Any], other: dict[str, Any]) -> bool:
    """Whether Route53 refuses *want* while *other* (at the same name) exists."""
    if want["Name"].lower() != other["Name"].lower():
        return False
    if "CNAME" in (want["Type"], other["Type"]):
        return True  # a CNAME stands alone at its name
    # a simple record and a routing-policy set (weighted, latency, ...) of one name and type
    return want["Type"] == other["Type"] and bool(want.get("SetIdentifier")) != bool(other.get("SetIdentifier"))
