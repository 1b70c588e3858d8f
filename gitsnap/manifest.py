"""manifest.json read and written at scale, and MANIFEST.md, the human inventory rendered from it.

Format 2 (docs/manifest.md): the ``bodies`` map lists only the bodies no object index
describes (Lambda code, layer versions); a bucket's bodies are described by its
``objects.jsonl`` alone (blob, sha256, size), read with :func:`index_records`. Format 1 listed
every body, 22 MB of JSON at 100,000 bodies; it is still read (:func:`manifest_format`).

:class:`ManifestSections` parses one top-level section when it is asked for (a diff needs
``resources`` only), and :func:`dump_manifest` writes the ``bodies`` map without the generic
pretty-printer; both give exactly what canonical JSON gives.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .canonical import dumps, dumps_line
from .words import plural

FORMAT = 2  # the manifest format this gitsnap writes; it reads 1 and 2
INDEX_REQUIRED = ("key", "size", "etag")  # what every object index line has (layout.ObjectEntry)
INDEX_CHUNK = 1 << 20  # bytes of an object index parsed at once: memory stays bounded at any size

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


def manifest_format(manifest: Mapping[str, Any]) -> int:
    """The manifest's format: 1 (every body in ``bodies``) when absent or older, else 2. Pure."""
    value = manifest.get("format", 1)
    return 2 if type(value) is int and value >= 2 else 1


def index_records(data: bytes) -> Iterator[dict[str, Any]]:
    """Each line of an object index (``objects.jsonl``) as its JSON object, in order. Pure.

    A chunk of lines is parsed at once (one parse per line cost as much as the parsing) and
    no chunk outlives its loop: a 100,000-line index never becomes 100,000 objects at once.
    Lines split on ``\\n`` only (keys may hold \\x85, \\u2028: JSON escapes ``\\n`` alone).

    Raises:
        ValueError: a line is not one JSON object.
        KeyError: a line lacks a field every index line has (``key``, ``size``, ``etag``).
    """
    start = 0
    while start < len(data):
        end = data.find(b"\n", start + INDEX_CHUNK)
        end = len(data) if end < 0 else end + 1
        lines = [line for line in data[start:end].split(b"\n") if line.strip()]
        start = end
        try:
            docs = json.loads(b"[" + b",".join(lines) + b"]")
        except ValueError:
            docs = None
        if docs is None or len(docs) != len(lines):  # a line that is not one value: parse each
            docs = [json.loads(line) for line in lines]
        for doc in docs:
            if not isinstance(doc, dict):
                raise ValueError(f"a line is {type(doc).__name__}, not an object")
            for name in INDEX_REQUIRED:
                if name not in doc:
                    raise KeyError(name)
            yield doc


def code_records(node: Any, wanted: Mapping[str, Any]) -> Iterator[tuple[str, Any, Any]]:
    """``(blob, sha256, size)`` of each record in a document that describes a body of *wanted*:
    an object with ``blob``, ``sha256`` and ``size`` (a Lambda function's ``Code``, each layer
    version's). Pure."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            blob = item.get("blob")
            if isinstance(blob, str) and blob in wanted and "sha256" in item and "size" in item:
                yield blob, item["sha256"], item["size"]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def all_bodies(manifest: Mapping[str, Any], indexes: Iterable[bytes]) -> dict[str, dict[str, Any]]:
    """Every body of a snapshot, ``blob -> {sha256, size}``: its manifest's ``bodies`` map and
    the bodies its object indexes (the bytes of each ``objects.jsonl``) describe. Pure.

    The inventory format 1 kept in the manifest alone; for tools and tests that want it whole.
    """
    out = {blob: {"sha256": body.get("sha256"), "size": body.get("size")}
           for blob, body in (manifest.get("bodies") or {}).items()}
    for data in indexes:
        for doc in index_records(data):
            blob = doc.get("blob")
            if blob and blob not in out:
                out[blob] = {"sha256": doc.get("sha256"), "size": doc["size"]}
    return out


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
        f"{plural(len(resources), 'resource')}, {plural(manifest.get('totals', {}).get('bodies', 0), 'body', 'bodies')} "
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
