"""Printing Change records: text for people, JSON for machines, Markdown for reviews; and the
notes under a capture's summary (what it covered, saw but did not capture, no longer captures). Pure."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from .changes import MAX_VALUE, value  # noqa: F401 (re-exported)
from .diff import Change
from .labels import named
from .manifest import human_bytes
from .words import plural


def describe(c: Change) -> str:
    """What changed, after the address: ``path: old -> new`` and friends."""
    if not c.path:
        extra = ""
        if "objects" in c.details:
            extra = f" ({plural(c.details['objects'], 'object')}, {human_bytes(c.details.get('bytes', 0))})"
        return f"{c.kind}{extra}"
    if c.redacted:
        return f"{c.path}: {c.kind} (redacted)"
    if c.path.startswith("key ") and "old_size" in c.details:
        return f"{c.path}: changed ({human_bytes(c.details['old_size'])} -> {human_bytes(c.details['new_size'])})"
    if c.path.startswith("key ") and "size" in c.details:
        return f"{c.path}: {c.kind} ({human_bytes(c.details['size'])})"
    if c.path.startswith("file "):
        return f"{c.path}: {c.kind}"
    if c.kind == "added":
        return f"{c.path}: added {value(c.new)}"
    if c.kind == "removed":
        return f"{c.path}: removed (was {value(c.old)})"
    return f"{c.path}: {value(c.old)} -> {value(c.new)}"


def summary(changes: list[Change]) -> dict[str, int]:
    per_resource: dict[str, str] = {}
    for c in changes:
        per_resource[c.address] = c.kind if not c.path else per_resource.get(c.address, "changed")
    counts = Counter(per_resource.values())
    return {"changes": len(changes), "resources": len(per_resource),
            "added": counts["added"], "removed": counts["removed"], "changed": counts["changed"]}


def summary_line(changes: list[Change]) -> str:
    if not changes:
        return "No differences."
    s = summary(changes)
    return (f"{plural(s['changes'], 'change')} in {plural(s['resources'], 'resource')} "
            f"({s['added']} added, {s['removed']} removed, {s['changed']} changed)")


def text(changes: list[Change]) -> str:
    lines = []
    for c in changes:
        lines.append(f"{named(c.address, c.label)}  {describe(c)}")
        if c.text_diff:
            lines.extend("    " + line for line in c.text_diff.rstrip("\n").split("\n"))
    lines.append(summary_line(changes))
    return "\n".join(lines) + "\n"


def as_json(changes: list[Change], meta: dict[str, Any]) -> str:
    doc = {**meta, "summary": summary(changes), "changes": [c.to_json() for c in changes]}
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def markdown(changes: list[Change], title: str) -> str:
    lines = [f"### {title}", "", summary_line(changes), ""]
    current = None
    for c in changes:
        if c.address != current:
            current = c.address
            lines += ["", f"**`{c.address}`**" + (f" ({_md(c.label)})" if c.label else ""), ""]
        escaped = describe(c).replace("|", "\\|")
        lines.append(f"- {escaped}")
        if c.text_diff:
            lines += ["", "  ```diff", *("  " + x for x in c.text_diff.rstrip("\n").split("\n")), "  ```", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _md(text: str) -> str:
    """Text as Markdown shows it literally: a wildcard alias (``*.shop.com``) is no emphasis."""
    return "".join("\\" + ch if ch in "\\`*_[]<>|#" else ch for ch in text)


def ignored_footer(silenced: list[tuple[Any, int]]) -> str:
    """One line per [[ignore]] rule that silenced something, so noise control is never invisible."""
    lines = [f"ignored {plural(n, 'change')}: {r.address} {r.path} ({r.reason})" for r, n in silenced if n]
    return "".join(line + "\n" for line in lines)


def per_service(changes: list[Change]) -> str:
    """A one-line summary per service: how many resources differ and how."""
    by: dict[str, dict[str, str]] = {}
    for c in changes:
        svc = c.address.split("/", 1)[0]
        kinds = by.setdefault(svc, {})
        kinds[c.address] = c.kind if not c.path else kinds.get(c.address, "changed")
    lines = []
    for svc, resources in sorted(by.items()):
        counts = Counter(resources.values())
        detail = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
        lines.append(f"{svc}: {plural(len(resources), 'resource')} drifted ({detail})")
    return "".join(line + "\n" for line in lines)


SEEN_SHOWN = 10  # seen-not-captured lines printed; manifest.json has them all


def capture_notes(covered: dict[str, Any], seen: list[dict[str, Any]], dropped: list[tuple[str, str]],
                  unreadable: dict[str, int]) -> list[str]:
    """The lines under a capture's summary table: which regions and services it covered, what
    it saw but did not capture, which units it no longer captures, and bodies it could not read.

    Args:
        covered: the manifest's ``covered``.
        seen: the manifest's ``seen_not_captured`` entries of this capture.
        dropped: (unit path, why) of units the previous snapshot had and this plan does not.
        unreadable: bucket address -> objects recorded without a body.
    """
    from .manifest import REGIONS_FROM

    lines = []
    if covered.get("services"):
        lines.append(f"covered: {', '.join(covered['services'])}")
    for account, c in sorted(covered.get("aws", {}).items()):
        how = REGIONS_FROM.get(c.get("regions_from", ""), c.get("regions_from", ""))
        lines.append(f"  account {account}: {', '.join(c['regions']) or 'global services only'} ({how})")
    if seen:
        lines.append(f"seen, not captured: {plural(len(seen), 'resource')} (manifest.json seen_not_captured)")
        for item in seen[:SEEN_SHOWN]:
            where = f" in {item['region']}" if item.get("region") else ""
            lines.append(f"  {item['address']}{where}: {item['reason']}")
        if len(seen) > SEEN_SHOWN:
            lines.append(f"  ... and {len(seen) - SEEN_SHOWN} more")
    lines.extend(f"no longer captured: {path} ({why})" for path, why in dropped)
    if unreadable:
        total = sum(unreadable.values())
        lines.append(f"recorded without a body: {plural(total, 'object')} in {plural(len(unreadable), 'bucket')} "
                     "(archived, KMS-denied or requester-pays; objects.jsonl says why)")
    return lines
