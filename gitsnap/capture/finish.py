"""The normalize step: one collected resource made into the files a snapshot stores.

Its document is normalized (volatile fields dropped, status split off, unordered lists
sorted), passed through the guard (declared secret fields and every detector hit become
fingerprints; the values go to the secret sink, which seals them or only records them) and
checked against its schema. Files beside it (sources, local files) and object index metadata
pass the guard too. Nothing here writes to a repository: the sink a pipeline was given does.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from .. import canonical, schemas
from ..collectors.errors import CollectorError
from ..collectors.run import Collected
from ..config import Config
from ..layout import OBJECT_INDEX, SEALED_SIDECAR, dump_index, load_index, segment
from ..normalize import drop_volatile, sort_unordered, split_status
from ..secrets.detect import Detector
from ..secrets.fingerprint import Fingerprinter
from ..secrets.guard import Allow, Guard
from ..secrets.sink import SealedItems, SecretSink


class DocumentError(CollectorError):
    """A collected document does not match its schema (an API change or a gitsnap bug)."""


_QUALIFIER = re.compile(r"@[^@/]+:[a-z0-9-]+$")


def unique_addresses(entries: list[tuple[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Addresses as DESIGN gives them, qualified ``@<account>:<region>`` only where two
    resources of one capture would share one (same function name in two regions). Pure."""
    base = [(_QUALIFIER.sub("", a), info) for a, info in entries]
    counts = Counter(a for a, _ in base)
    out: dict[str, dict[str, Any]] = {}
    for address, info in base:
        if counts[address] > 1:
            address = f"{address}@{info['account']}:{info['region']}"
        out[address] = info
    return dict(sorted(out.items()))


def make_guard(config: Config, fingerprint: Fingerprinter) -> Guard:
    """The guard every capture and live read runs, with the ``[secrets]`` allow list."""
    allow = Allow(config.secrets_allow_paths, config.secrets_allow_rules,
                  config.secrets_allow_fingerprints, config.secrets_seal_paths)
    return Guard(Detector(allow_rules=allow.rules), fingerprint, allow)


def finish_document(
    c: Collected, config: Config, guard: Guard, address: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Normalize, redact and validate one collected document; also the values to seal.

    Pure but for the key."""
    doc = c.document
    doc.update(canonical.plain(c.extras.doc_updates))
    drop_volatile(doc, c.spec.volatile)
    split_status(doc, c.spec.status, address)  # before sorting: a status change must not reorder a list
    sort_unordered(doc, c.spec.unordered)
    keep = getattr(config, c.spec.keep_names) if c.spec.keep_names else frozenset()
    to_seal = guard.document(doc, address, c.spec.secrets, keep, c.spec.public)
    problems = schemas.errors(c.spec.schema, doc)
    if problems:
        err = problems[0]
        raise DocumentError(
            f"{address}: field {schemas.where(err)} does not match schema {c.spec.schema} ({err.message}); please report this"
        )
    return doc, to_seal


@dataclass
class Finished:
    """One resource as a snapshot stores it.

    Attributes:
        address: its address (unqualified: :func:`unique_addresses` qualifies clashes).
        files: its files by path in the snapshot (document, index, sources, sealed sidecar).
        blobs: git ids of the bodies it references.
        info: its manifest entry (path, service, type, account, region and summary figures).
    """

    address: str
    files: dict[str, bytes] = field(default_factory=dict)
    blobs: tuple[str, ...] = ()
    info: dict[str, Any] = field(default_factory=dict)


class Finisher:
    """Finishes every resource of one pipeline: one guard, one secret sink, one config."""

    def __init__(self, config: Config, guard: Guard, secrets: SecretSink) -> None:
        self.config = config
        self.guard = guard
        self.secrets = secrets

    def finish(self, c: Collected, unit_path: str, account: str, region: str,
               sealed: SealedItems) -> Finished:
        """*c*, read in the unit at *unit_path*, as stored files; what it seals goes to *sealed*."""
        address = c.spec.address(c.id)
        doc, to_seal = finish_document(c, self.config, self.guard, address)
        self.secrets.seal_values(to_seal, sealed)
        folder = c.spec.type if c.spec.folder is None else c.spec.folder
        base = "/".join(p for p in (unit_path, folder, segment(c.id)) if p)
        doc_path = f"{base}/{c.spec.document}" if c.spec.document else f"{base}.json"
        out = Finished(address, {doc_path: canonical.dumps(doc)}, tuple(sorted(c.extras.blobs)))
        sidecar: dict[str, Any] = {}
        for rel, data in c.extras.files.items():
            path = f"{base}/{rel}"
            if rel == OBJECT_INDEX:
                out.files[path] = self.clean_index(data, path, sealed)
                continue
            stored, sealed_file = self.secrets.file(data, path, sealed)
            if sealed_file is not None:
                sidecar[rel] = sealed_file
            if stored is not None:
                out.files[path] = stored
        if sidecar:
            out.files[f"{base}/{SEALED_SIDECAR}"] = canonical.dumps(sidecar)
        out.info = {
            "path": base if c.spec.document else doc_path,
            "service": c.spec.service,
            "type": c.spec.type,
            "account": account,
            "region": region,
            **c.extras.summary,
        }
        return out

    def clean_index(self, data: bytes, where: str, sealed: SealedItems) -> bytes:
        """The guard over an object index: metadata and header values, as parsed values. Keys
        are names that must round-trip exactly (``token=abc123.txt`` is a legal key).

        Only lines that can hold metadata or headers are parsed: JSON escapes every quote
        inside a string, so a line without ``"metadata":`` or ``"headers":`` has neither (most
        buckets: no line at all, and a 100,000-line index is not parsed again)."""
        if _METADATA not in data and _HEADERS not in data:
            return data
        entries = []
        changed = False
        for e in load_index(data):
            if e.metadata or e.headers:
                parts = {"metadata": dict(e.metadata or {}), "headers": dict(e.headers or {})}
                to_seal = self.guard.document(parts, f"{where} {e.key!r}")
                if to_seal:
                    self.secrets.seal_values(to_seal, sealed)
                    e = replace(e, metadata=parts["metadata"] or None, headers=parts["headers"] or None)
                    changed = True
            entries.append(e)
        return dump_index(entries) if changed else data


_METADATA = b'"metadata":'
_HEADERS = b'"headers":'
