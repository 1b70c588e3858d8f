"""Where things live in a snapshot tree, and the S3 object index format.

The layout is part of gitsnap's contract (docs/layout.md). Resource ids become
single path segments through :func:`segment`, which escapes anything that is
not safe as a file name; S3 keys are *never* paths: they are data inside
``objects.jsonl``, so every legal key round-trips exactly.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
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
        return cls(
            key=data["key"],
            size=data["size"],
            etag=data["etag"],
            sha256=data.get("sha256"),
            blob=data.get("blob"),
            content_type=data.get("content_type"),
            metadata=data.get("metadata"),
            headers=data.get("headers"),
            storage_class=data.get("storage_class"),
            sealed=data.get("sealed"),
            unreadable=data.get("unreadable"),
        )


def dump_index(entries: Iterable[ObjectEntry]) -> bytes:
    """One canonical JSON line per key, sorted by key (code point = UTF-8 byte order)."""
    lines = [dumps_line(e.to_json()) for e in sorted(entries, key=lambda e: e.key)]
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def load_index(data: bytes) -> Iterator[ObjectEntry]:
    # split on "\n" only: keys may hold \x85, \u2028 and other characters splitlines() breaks on
    for line in data.decode("utf-8").split("\n"):
        if line.strip():
            yield ObjectEntry.from_json(json.loads(line))
