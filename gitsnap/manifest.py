"""MANIFEST.md: the human inventory of a snapshot, rendered from manifest.json. Pure."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any


def human_bytes(n: int | None) -> str:
    if n is None:
        return "-"
    value = float(n)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{n} B"


def render_markdown(manifest: dict[str, Any]) -> str:
    resources = manifest.get("resources", {})
    per_unit: dict[str, Counter[str]] = defaultdict(Counter)
    sizes: dict[str, Counter[str]] = defaultdict(Counter)
    for info in resources.values():
        unit = "/".join(info["path"].split("/")[:4])
        per_unit[unit][info["type"]] += 1
        sizes[unit]["objects"] += info.get("objects", 0)
        sizes[unit]["bytes"] += info.get("bytes", 0)
    lines = [
        "# gitsnap snapshot",
        "",
        f"Captured {manifest.get('captured_at')} by gitsnap {manifest.get('tool', {}).get('version')}.",
        "",
        f"{len(resources)} resources, {manifest.get('totals', {}).get('bodies', 0)} bodies "
        f"({human_bytes(manifest.get('totals', {}).get('body_bytes', 0))}).",
        "",
        "## Collectors",
        "",
        "| unit | status | resources | objects | size |",
        "| --- | --- | --- | ---: | ---: |",
    ]
    for path, unit in manifest.get("units", {}).items():
        kinds = ", ".join(f"{n} {t}" for t, n in sorted(per_unit.get(path, Counter()).items())) or "0"
        status = unit.get("status", "ok")
        if unit.get("error"):
            status += f": {unit['error']}"
        size = sizes.get(path, Counter())
        lines.append(f"| {path} | {status} | {kinds} | {size['objects']} | {human_bytes(size['bytes'])} |")
    buckets = [(a, r) for a, r in resources.items() if r.get("type") == "bucket"]
    if buckets:
        lines += ["", "## Buckets", "", "| bucket | region | objects | size |", "| --- | --- | --- | --- |"]
        for address, r in buckets:
            lines.append(f"| {address} | {r['region']} | {r.get('objects', 0)} | {human_bytes(r.get('bytes', 0))} |")
    lines += coverage_lines(manifest.get("covered"))
    lines += unreadable_lines(resources)
    lines += seen_lines(manifest.get("seen_not_captured") or [])
    lines += ["", "Machine-readable inventory: manifest.json. Bodies: blobs/<aa>/<rest of git blob id>.", ""]
    return "\n".join(lines)


REGIONS_FROM = {"config": "[aws] regions", "all": "every enabled region (regions = \"all\")",
                "session": "the session's region, and every region holding a bucket"}


def coverage_lines(covered: dict[str, Any] | None) -> list[str]:
    """What the capture that made this snapshot read (absent before gitsnap recorded it)."""
    if not covered:
        return []
    lines = ["", "## Covered by this capture", "", f"Services: {', '.join(covered.get('services', [])) or 'none'}."]
    if covered.get("aws"):
        lines += ["", "| account | regions | chosen by | services |", "| --- | --- | --- | --- |"]
        for account, c in sorted(covered["aws"].items()):
            how = REGIONS_FROM.get(c.get("regions_from", ""), c.get("regions_from", ""))
            lines.append(f"| {account} | {', '.join(c['regions']) or '-'} | {how} | {', '.join(c['services'])} |")
    return lines


def unreadable_lines(resources: dict[str, Any]) -> list[str]:
    """Buckets with objects recorded without a body (archived, KMS-denied, requester-pays)."""
    rows = [(a, r) for a, r in resources.items() if r.get("unreadable")]
    if not rows:
        return []
    lines = ["", "## Objects recorded without a body", "",
             "Their index lines say why (`unreadable` in objects.jsonl).", "",
             "| bucket | objects |", "| --- | ---: |"]
    return lines + [f"| {a} | {r['unreadable']} |" for a, r in rows]


def seen_lines(seen: list[dict[str, Any]]) -> list[str]:
    """Resources a listing showed that this snapshot does not hold, and why."""
    if not seen:
        return []
    lines = ["", "## Seen, not captured", "", "| resource | account | region | why |", "| --- | --- | --- | --- |"]
    return lines + [f"| {s['address']} | {s['account']} | {s.get('region') or '-'} | {s['reason']} |" for s in seen]
