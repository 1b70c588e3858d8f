"""Bodies and files through the guard: stored plain, or sealed when they hold a secret.

A body up to ``scan_max`` bytes is read into memory, scanned, and then either written as a
plain blob or sealed whole (``sealed/bodies/<sha256>.age``): a flagged body is never written
in clear, not even as an unreferenced object. Larger bodies are streamed unscanned and counted
(docs/secrets.md: the size cap). Sealed items already in the previous snapshot are reused by
name while the recipients are unchanged, so an unchanged secret costs no new object.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import GitsnapError
from .guard import Finding, Guard
from .seal import Sealer, body_path, value_path

SCAN_MAX = 8 * 1024 * 1024


class BodyLengthError(GitsnapError):
    """A body's stream ended short of (or ran past) the length the service announced."""


class Blobs(Protocol):
    def add_bytes(self, data: bytes) -> str: ...
    def add_stream(self, size: int, chunks: Iterable[bytes]) -> tuple[str, str]: ...
    def has(self, object_id: str) -> bool: ...
    def sound(self, object_id: str) -> bool: ...


@dataclass(frozen=True)
class StoredBody:
    """A body as the snapshot records it: a plain blob, or sealed (``blob`` None)."""

    blob: str | None
    sha256: str
    size: int
    findings: tuple[Finding, ...] = ()

    @property
    def sealed(self) -> list[dict[str, Any]] | None:
        return [f.to_json() for f in self.findings] if self.findings else None


class SealedItems:
    """What one unit sealed: snapshot path -> blob id of the ciphertext."""

    def __init__(self) -> None:
        self.items: dict[str, str] = {}
        self._lock = threading.Lock()

    def put(self, path: str, blob: str) -> None:
        with self._lock:
            self.items[path] = blob


class SecretSink:
    """The guard, the sealer and the blob store together, for one capture (or live read).

    With no sealer (a live read for drift or restore) nothing is encrypted or written: bodies
    are only hashed, and a flagged body is recorded as sealed exactly as capture would.
    """

    def __init__(self, guard: Guard, sealer: Sealer | None, blobs: Blobs,
                 previous_sealed: dict[str, str], reuse: bool, scan_max: int = SCAN_MAX) -> None:
        self.guard = guard
        self.sealer = sealer
        self.blobs = blobs
        self.previous_sealed = previous_sealed if reuse else {}
        self.scan_max = scan_max
        self.unscanned: list[str] = []
        self._lock = threading.Lock()

    # -- sealing ---------------------------------------------------------------------------

    def _seal(self, path: str, data: Any, out: SealedItems, value: bool) -> None:
        if self.sealer is None:
            return
        old = self.previous_sealed.get(path)
        if old is not None and self.blobs.sound(old):
            out.put(path, old)
            return
        cipher = self.sealer.seal_value(data) if value else self.sealer.seal(data)
        out.put(path, self.blobs.add_bytes(cipher))

    def seal_values(self, values: dict[str, Any], out: SealedItems) -> None:
        for fp_hex, value in values.items():
            self._seal(value_path(fp_hex), value, out, value=True)

    def reuse_body(self, sha256: str, out: SealedItems) -> bool:
        """Carry a previously sealed body forward (same object, no GET); False if not possible."""
        if self.sealer is None:
            return True
        path = body_path(sha256)
        old = self.previous_sealed.get(path)
        if old is None or not self.blobs.sound(old):
            return False
        out.put(path, old)
        return True

    # -- bodies and files ------------------------------------------------------------------

    def body(self, size: int, chunks: Iterable[bytes], where: str, name: str, out: SealedItems) -> StoredBody:
        """Store one body (an S3 object, a code package): plain, or sealed if it holds a secret."""
        if size > self.scan_max:
            with self._lock:
                self.unscanned.append(where)
            blob, sha = self.blobs.add_stream(size, chunks)
            return StoredBody(blob, sha, size)
        data = b"".join(_bounded(chunks, size))
        return self.body_bytes(data, where, name, out, size)

    def body_bytes(self, data: bytes, where: str, name: str, out: SealedItems,
                   expected: int | None = None) -> StoredBody:
        verdict = self.guard.file(data, where, name)
        if not verdict.findings:
            blob, sha = self.blobs.add_stream(len(data) if expected is None else expected, [data])
            return StoredBody(blob, sha, len(data))
        sha = hashlib.sha256(data).hexdigest()
        self._seal(body_path(sha), data, out, value=False)
        return StoredBody(None, sha, len(data), tuple(verdict.findings))

    def package(self, path: str, size: int, members: dict[str, bytes], where: str,
                out: SealedItems) -> StoredBody:
        """A code package (zip) on local disk: sealed whole when any member holds a secret.

        The members are scanned, not the compressed bytes; each member is reported when it is
        stored as a readable source file."""
        findings = [Finding(f.where, f.rule, f.line, field=name) for name, data in members.items()
                    for f in self.guard.file(data, f"{where}/{name}", name, note=False).findings]
        with open(path, "rb") as fh:
            if not findings:
                blob, sha = self.blobs.add_stream(size, iter(lambda: fh.read(1024 * 1024), b""))
                return StoredBody(blob, sha, size)
            data = fh.read()
        sha = hashlib.sha256(data).hexdigest()
        self._seal(body_path(sha), data, out, value=False)
        return StoredBody(None, sha, len(data), tuple(findings))

    def file(self, data: bytes, where: str, out: SealedItems) -> tuple[bytes | None, dict[str, Any] | None]:
        """A readable file of the snapshot (local files, extracted sources, script files).

        Returns what to store at its path (its text with secrets replaced; ``None`` for a
        flagged binary) and, when flagged, its sidecar entry: size, sha256 and findings.
        """
        verdict = self.guard.file(data, where)
        if not verdict.findings:
            return data, None
        sha = hashlib.sha256(data).hexdigest()
        self._seal(body_path(sha), data, out, value=False)
        return verdict.stored, {"size": len(data), "sha256": sha,
                                "findings": [f.to_json() for f in verdict.findings]}


def _bounded(chunks: Iterable[bytes], size: int) -> Iterator[bytes]:
    """The chunks, checked to add up to *size* (a short or long body is an error, not data)."""
    seen = 0
    for chunk in chunks:
        seen += len(chunk)
        if seen > size:
            break
        yield chunk
    if seen != size:
        raise BodyLengthError(f"expected {size} bytes, got {seen if seen <= size else 'more'}")
