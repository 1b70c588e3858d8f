"""manifest.json read and written at scale, and MANIFEST.md, the human inventory rendered from it.

A snapshot of a 100,000-object bucket has a 20 MB manifest.json, nearly all of it the
``bodies`` map. :class:`ManifestSections` parses one top-level section when it is asked for
(a diff needs ``resources`` only), and :func:`dump_manifest` writes the ``bodies`` map without
the generic pretty-printer; both give exactly what canonical JSON gives.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from .canonical import dumps, dumps_line

_SECTION = re.compile(rb'\n  "')  # a top-level key: canonical JSON indents it by exactly two spaces
_HEX = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


class ManifestSections(Mapping[str, Any]):
    """A manifest.json that parses each top-level section only when it is read.

    Canonical JSON (sorted keys, two-space indent) puts each top-level key at the start of a
    line indented by exactly two spaces; nothing else is (strings hold no raw newline). Any
    other form is parsed whole, as before.
    """

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._parsed: dict[str, Any] = {}
        self._spans = self._find_spans(data)
        if self._spans is None:
            self._parsed = json.loads(data) if data.strip() else {}

    @staticmethod
    def _find_spans(data: bytes) -> dict[str, tuple[int, int]] | None:
        """Each top-level key's value as ``(start, end)`` in *data*, or None if not canonical."""
        if not (data.startswith(b'{\n  "') and data.endswith(b"\n}\n")):
            return None
        starts = [m.start() + 3 for m in _SECTION.finditer(data)]
        ends = [s - 3 for s in starts[1:]] + [len(data) - 3]
        spans = {}
        try:
            for start, end in zip(starts, ends, strict=True):
                colon = data.index(b'": ', start)
                spans[json.loads(data[start:colon + 1])] = (colon + 3, end - 1 if data[end - 1:end] == b"," else end)
        except ValueError:
            return None
        return spans

    def __getitem__(self, key: str) -> Any:
        if key not in self._parsed:
            if self._spans is None or key not in self._spans:
                raise KeyError(key)
            start, end = self._spans[key]
            self._parsed[key] = json.loads(self._data[start:end])
        return self._parsed[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._spans if self._spans is not None else self._parsed)

    def __len__(self) -> int:
        return len(self._spans if self._spans is not None else self._parsed)


def dump_manifest(manifest: dict[str, Any]) -> bytes:
    """``canonical.dumps(manifest)``, byte for byte, with the ``bodies`` map written directly.

    The generic indenting encoder is pure Python: 1.5 s for 100,000 bodies. Bodies of
    another shape than ``{sha256, size, units}`` go through it as before.
    """
    bodies = manifest.get("bodies")
    if not bodies or not isinstance(bodies, dict):
        return dumps(manifest)
    lines = _body_lines(bodies)
    if lines is None:
        return dumps(manifest)
    text = dumps({**manifest, "bodies": {}})
    marker = b'\n  "bodies": {},\n' if not text.endswith(b'\n  "bodies": {}\n}\n') else b'\n  "bodies": {}\n'
    head, found, tail = text.partition(marker)
    if not found:
        return dumps(manifest)
    comma = b"," if marker.endswith(b",\n") else b""
    block = '\n  "bodies": {\n' + ",\n".join(lines) + "\n  }"
    return head + block.encode("utf-8") + comma + b"\n" + tail


def _string(text: str) -> str:
    return f'"{text}"' if _HEX.fullmatch(text) else dumps_line(text)


def _body_lines(bodies: dict[str, Any]) -> list[str] | None:
    """Each body as canonical JSON at indent 4, or None if one has another shape."""
    units_seen: dict[str, str] = {}
    out = []
    for blob in sorted(bodies):
        body = bodies[blob]
        if not isinstance(blob, str) or not isinstance(body, dict) or not set(body) <= {"sha256", "size", "units"}:
            return None
        fields = []
        sha, size, units = body.get("sha256"), body.get("size"), body.get("units")
        if "sha256" in body:
            if not (sha is None or isinstance(sha, str)):
                return None
            fields.append('      "sha256": ' + ("null" if sha is None else _string(sha)))
        if "size" in body:
            if not (size is None or type(size) is int):
                return None
            fields.append('      "size": ' + ("null" if size is None else str(size)))
        if "units" in body:
            if not isinstance(units, list) or not all(isinstance(u, str) for u in units):
                return None
            if units:
                shown = [units_seen.get(u) or units_seen.setdefault(u, dumps_line(u)) for u in units]
                fields.append('      "units": [\n' + ",\n".join("        " + u for u in shown) + "\n      ]")
            else:
                fields.append('      "units": []')
        inner = ("{\n" + ",\n".join(fields) + "\n    }") if fields else "{}"
        out.append(f"    {_string(blob)}: {inner}")
    return out


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
