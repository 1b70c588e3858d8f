"""Where things live in a snapshot tree, and the S3 object index format.

The layout is part of gitsnap's contract (docs/layout.md). Resource ids become
single path segments through :func:`segment`, which escapes anything that is
not safe as a file name; S3 keys are *never* paths: they are data inside
``objects.jsonl``, so every legal key round-trips exactly.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import quote

from .canonical import dumps_line

MANIFEST_MD = "MANIFEST.md"
MANIFEST_JSON = "manifest.json"
FLOW_JSON = "flow.json"  # the request-flow map (flow.py), derived from the documents at each capture
# files made from the rest of the snapshot at each capture (not themselves captured)
MANIFEST_FILES = frozenset({MANIFEST_MD, MANIFEST_JSON, FLOW_JSON})
BLOBS = "blobs"
OBJECT_INDEX = "objects.jsonl"
SEALED_SIDECAR = "sealed.json"  # per resource: its files that were sealed (size, sha256, findings)


def segment(name: str) -> str:
    """A resource id as one safe path segment (percent-escaped where it must be)."""
    out = quote(name, safe="@+=,-_ ")
    if out in ("", ".", "..") or out.startswith("."):
        out = "%2E" + out[1:] if out else "%00"
    return out


def blob_path(blob_id: str) -> str:
    return f"{BLOBS}/{blob_id[:2]}/{blob_id[2:]}"


def aws_unit(account: str, region: str, service: str) -> str:
    """The subtree one collector run owns: ``aws/<account>/<region|global>/<service>``."""
    return f"aws/{segment(account)}/{segment(region)}/{service}"


@dataclass(frozen=True)
class ObjectEntry:
    """One line of a bucket's ``objects.jsonl``."""

    key: str
    size: int
    etag: str
    sha256: str | None
    blob: str | None
    content_type: str | None = None
    metadata: dict[str, Any] | None = None
    headers: dict[str, str] | None = None
    storage_class: str | None = None
    sealed: list[dict[str, Any]] | None = None  # findings; the body is sealed/bodies/<sha256>.age
    # why the body could not be read (archived, KMS-denied, requester-pays): the entry keeps the
    # listing's metadata, ``blob`` and ``sha256`` are None, and restore cannot put the body back
    unreadable: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "size": self.size, "etag": self.etag}
        for name in ("sha256", "blob", "content_type", "metadata", "headers", "storage_class", "sealed", "unreadable"):
            value = getattr(self, name)
            if value not in (None, {}):
                out[name] = value
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ObjectEntry:
        for name in _REQUIRED:
            if name not in data:
                raise KeyError(name)
        # the frozen dataclass's __init__ sets each field through object.__setattr__: filling
        # the instance's dict at once makes reading a 100,000-line index a third faster
        entry = object.__new__(cls)
        values = entry.__dict__
        values.update(_OPTIONAL)
        values.update(data if data.keys() <= _FIELDS else {k: v for k, v in data.items() if k in _FIELDS})
        return entry


_FIELDS = frozenset(f.name for f in fields(ObjectEntry))
_REQUIRED = ("key", "size", "etag")
_OPTIONAL = {name: None for name in _FIELDS if name not in _REQUIRED}


# canonical.dumps_line's encoder, made once: json.dumps with options builds one per call, which
# was half the cost of writing a 100,000-line index
_ENCODE_LINE = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


def _line(entry: ObjectEntry) -> str:
    doc = entry.to_json()
    text = _ENCODE_LINE(doc)
    return text if text.isascii() else dumps_line(doc)  # only non-ASCII text can hold a line breaker


def dump_index(entries: Iterable[ObjectEntry]) -> bytes:
    """One canonical JSON line per key, sorted by key (code point = UTF-8 byte order)."""
    lines = [_line(e) for e in sorted(entries, key=lambda e: e.key)]
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def load_index(data: bytes) -> Iterator[ObjectEntry]:
    # split on "\n" only: keys may hold \x85, \u2028 and other characters splitlines() breaks on
    lines = [line for line in data.decode("utf-8").split("\n") if line.strip()]
    try:  # one parse for the whole index (a call per line cost as much as the parsing)
        docs = json.loads("[" + ",".join(lines) + "]")
    except ValueError:
        docs = None
    if docs is None or len(docs) != len(lines):  # a line that is not one value: parse each, as before
        docs = [json.loads(line) for line in lines]
    for doc in docs:
        yield ObjectEntry.from_json(doc)


def index_lines(data: bytes) -> set[bytes]:
    """The lines of an object index, as a set (each is one key's canonical JSON). Pure."""
    return {line for line in data.split(b"\n") if line.strip()}


def new_lines(old: bytes, new: bytes) -> bytes:
    """The lines of index *new* that index *old* does not have, in *new*'s order. Pure.

    Both are canonical (one sorted line per key), so an unchanged key is an identical line:
    what differs costs one set of lines, and only the differing lines need parsing.
    """
    before = index_lines(old)
    return b"\n".join(line for line in new.split(b"\n") if line.strip() and line not in before)


def index_difference(old: bytes, new: bytes) -> tuple[dict[str, ObjectEntry], dict[str, ObjectEntry]]:
    """The entries of two object indexes whose lines differ, by key: ``(old side, new side)``. Pure.

    A key in both has a line that changed (its body or a field); a key on one side only was
    added or removed. Keys whose line is the same on both sides are in neither.
    """
    a, b = index_lines(old), index_lines(new)
    return ({e.key: e for e in load_index(b"\n".join(a - b))},
            {e.key: e for e in load_index(b"\n".join(b - a))})
