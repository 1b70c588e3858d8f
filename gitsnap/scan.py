"""scan: audit a repository's history for secret values that older gitsnap versions wrote.

Every blob, commit message and annotated tag message reachable from a ref (or from the
named revisions) goes through the secret detector once. What comes back names the
object, where it was first seen, the rule and the line: never the value. The scanned
bytes are dropped as soon as the detector returns.

Not scanned: age ciphertext (gitsnap's sealed secrets, encrypted on purpose), and blobs
larger than ``max_bytes`` (listed in ``skipped`` so nothing is silently left out).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Protocol

from .store import SnapshotStore
from .store.walk import DEFAULT_MAX_BYTES, iter_history_objects
from .words import plural

AGE_MAGIC = b"age-encryption.org/v1\n"
PURGE_HINT = (
    'to purge: rotate each secret first, then follow docs/scan.md, "Purging a secret from history"'
)


class _Hit(Protocol):
    rule: str
    line: int


class SecretDetector(Protocol):
    """What scan needs of ``gitsnap.secrets.detect.Detector``."""

    def scan_bytes(self, data: bytes, name: str = "") -> Sequence[_Hit]: ...


@dataclass(frozen=True)
class ScanHit:
    """One secret-shaped value in history: where it is, which rule; not what it is."""

    object: str
    kind: str  # "blob" | "commit" | "tag"
    path: str | None
    commit: str | None
    rule: str
    line: int
    ref: str | None = None


@dataclass(frozen=True)
class Skipped:
    """A blob that was not read: larger than the scan's limit."""

    object: str
    path: str | None
    commit: str | None
    size: int | None


@dataclass
class ScanReport:
    hits: list[ScanHit] = field(default_factory=list)
    objects: int = 0  # objects whose bytes went through the detector
    skipped: list[Skipped] = field(default_factory=list)
    sealed: int = 0  # age ciphertext blobs, not scanned on purpose

    @property
    def clean(self) -> bool:
        return not self.hits


def scan_history(store: SnapshotStore, revs: list[str] | None, detector: SecretDetector,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> ScanReport:
    """Scan what every ref (``revs`` None or empty) or the named revisions reach.

    Raises the store's ``RevisionError`` for an unknown revision, before scanning anything.
    """
    report = ScanReport()
    for obj in iter_history_objects(store, revs, max_bytes=max_bytes):
        if obj.skipped:
            report.skipped.append(Skipped(obj.id, obj.path, obj.commit, obj.size))
            continue
        if obj.kind == "blob" and obj.data.startswith(AGE_MAGIC):
            report.sealed += 1
            continue
        report.objects += 1
        if not obj.data:
            continue
        for hit in detector.scan_bytes(obj.data, obj.path or ""):
            report.hits.append(ScanHit(obj.id, obj.kind, obj.path, obj.commit, hit.rule, hit.line,
                                       obj.ref))
    return report


# -- rendering (the CLI prints these) -----------------------------------------------------


def hit_line(hit: ScanHit) -> str:
    commit = f" (commit {hit.commit[:12]})" if hit.commit else ""
    return f"{hit.object[:12]} {hit.kind} {hit.path or '-'}{commit}: {hit.rule} line {hit.line}"


def render_text(report: ScanReport) -> str:
    """One line per hit and a closing line; or the clean summary. Never a value."""
    lines: list[str] = []
    if report.hits:
        lines += [hit_line(h) for h in report.hits]
        n = len(report.hits)
        lines.append(f"{n} secret{'' if n == 1 else 's'} found in {report.objects} scanned objects; "
                     + PURGE_HINT)
    else:
        lines.append(f"scanned {plural(report.objects, 'object')}: no secret found")
    return "\n".join(lines) + "\n"


def skipped_lines(report: ScanReport, max_bytes: int = DEFAULT_MAX_BYTES) -> list[str]:
    """Warnings (for stderr) about blobs that were not scanned."""
    if not report.skipped:
        return []
    n = len(report.skipped)
    out = [f"gitsnap: warning: {n} blob{'' if n == 1 else 's'} larger than {max_bytes} bytes not scanned "
           "(raise --max-bytes to include them):"]
    out += [f"  {s.object[:12]} {s.path or '-'} ({s.size} bytes)" for s in report.skipped]
    return out


def render_json(report: ScanReport) -> str:
    doc = {
        "objects": report.objects,
        "hits": [asdict(h) for h in report.hits],
        "skipped": [asdict(s) for s in report.skipped],
        "sealed": report.sealed,
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"
