"""The guard: what every document, file and message passes through before it is written.

It works on parsed values, never on serialized text, so a redaction can never break a
document. In a document, declared secret fields and every string the detector flags (by its
shape, or because the field it sits in is named like a secret) are replaced by fingerprints;
the values themselves are handed back to be sealed. A flagged file is kept readable with its
secrets replaced by fingerprints, and its original bytes are sealed whole.
"""

from __future__ import annotations

import fnmatch
import threading
from collections import Counter
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from typing import Any

from .. import fieldpath
from ..errors import GitsnapError
from .detect import Detector, Hit
from .fingerprint import MARKER, Fingerprinter, is_redacted


class SecretInMessageError(GitsnapError):
    """A commit or tag message given on the command line holds a secret."""


@dataclass(frozen=True)
class Finding:
    """Where a secret was found, and by which rule. Never the value."""

    where: str
    rule: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        place = self.where + (f":{self.line}" if self.line else "") + (f" {self.field}" if self.field else "")
        return f"{place}: {self.rule}"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rule": self.rule}
        if self.line:
            out["line"] = self.line
        if self.field:
            out["field"] = self.field
        return out


@dataclass(frozen=True)
class Allow:
    """``[secrets]`` allow list and overrides, each shown in the capture summary when used.

    Attributes:
        paths: snapshot path globs whose files are not scanned (``local/site/files/vendor/*``).
        rules: detector rule ids switched off.
        fingerprints: ``redacted:hmac-sha256:…`` values known not to be secrets: kept in clear.
        seal_paths: snapshot path globs whose files are always sealed whole.
    """

    paths: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    fingerprints: frozenset[str] = frozenset()
    seal_paths: tuple[str, ...] = ()

    def path_allowed(self, path: str) -> str | None:
        """The allow-list glob that covers *path* (a snapshot path, or ``s3/BUCKET/KEY``)."""
        return next((g for g in self.paths if fnmatch.fnmatchcase(path, g)), None)

    def always_sealed(self, path: str) -> bool:
        return any(fnmatch.fnmatchcase(path, g) for g in self.seal_paths)


@dataclass
class FileVerdict:
    """What to store for one file: *stored* is the text with secrets replaced (``None`` when the
    file is binary and cannot be shown), *findings* says why it was sealed."""

    stored: bytes | None
    findings: list[Finding]


@dataclass
class Guard:
    """Applies the detector and fingerprints to everything a capture writes."""

    detector: Detector
    fingerprint: Fingerprinter
    allow: Allow = field(default_factory=Allow)
    findings: list[Finding] = field(default_factory=list)
    allowed_values: list[str] = field(default_factory=list)
    allowed_paths: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _note(self, found: Iterable[Finding]) -> None:
        with self._lock:
            self.findings.extend(found)

    def _keep(self, hits: list[Hit], text: str, where: str) -> list[Hit]:
        out = []
        for h in hits:
            if h.rule in self.allow.rules:
                continue
            if self.allow.fingerprints and self.fingerprint(text[h.start:h.end]) in self.allow.fingerprints:
                with self._lock:
                    self.allowed_values.append(f"{where}: {h.rule} (allowed fingerprint)")
                continue
            out.append(h)
        return out

    # -- documents -------------------------------------------------------------------------

    def document(self, doc: Any, where: str, declared: Iterable[str] = (),
                 keep: Container[str] = (), public: Iterable[str] = ()) -> dict[str, Any]:
        """Redact *doc* in place; return ``{fingerprint hex: value}`` to seal.

        Declared fields are fingerprinted whatever they hold (names in *keep* stay in clear, but
        are still scanned for secret shapes); then every string is scanned, with the name of
        the field it sits in, except the fields a type declares *public*.
        """
        to_seal: dict[str, Any] = {}
        found: list[Finding] = []
        kept_paths: set[fieldpath.Segments] = set()
        public_paths = {path for pattern in public for path, _, _ in fieldpath.matches(doc, pattern)}
        for pattern in declared:
            def sub(path: fieldpath.Segments, value: Any) -> Any:
                if value is None or is_redacted(value):
                    return value
                if path and isinstance(path[-1], str) and path[-1] in keep:
                    kept_paths.add(path)
                    return value
                marker = self.fingerprint(value)
                to_seal[marker[-24:]] = value
                return marker
            fieldpath.replace(doc, pattern, sub)

        def walk(node: Any, path: fieldpath.Segments) -> Any:
            if isinstance(node, dict):
                for k in list(node):
                    node[k] = walk(node[k], (*path, k))
                return node
            if isinstance(node, list):
                for i, item in enumerate(node):
                    node[i] = walk(item, (*path, i))
                return node
            if not isinstance(node, str) or not node or is_redacted(node) or path in public_paths:
                return node
            name = next((p for p in reversed(path) if isinstance(p, str)), "")
            hits = (self.detector.scan_text(node) if path in kept_paths
                    else self.detector.scan_field(name, node))
            hits = self._keep(hits, node, where)
            if not hits:
                return node
            for h in hits:
                found.append(Finding(where, h.rule, field=fieldpath.render(path)))
            return self._replace(node, hits, to_seal)

        walk(doc, ())
        self._note(found)
        return to_seal

    def _replace(self, text: str, hits: list[Hit], to_seal: dict[str, Any]) -> str:
        out, pos = [], 0
        for h in sorted(hits, key=lambda h: h.start):
            if h.start < pos:
                continue
            value = text[h.start:h.end]
            marker = self.fingerprint(value)
            to_seal[marker[-24:]] = value
            out.append(text[pos:h.start])
            out.append(marker)
            pos = h.end
        out.append(text[pos:])
        return "".join(out)

    # -- files and bodies ------------------------------------------------------------------

    def file(self, data: bytes, where: str, name: str = "", note: bool = True) -> FileVerdict:
        """Scan a file; when flagged, its text with each secret replaced (if it is UTF-8).

        With *note* False the findings are returned but not reported (a package whose members
        are reported one by one when they are stored)."""
        glob = self.allow.path_allowed(where)
        if glob is not None:
            with self._lock:
                self.allowed_paths[glob] += 1
            return FileVerdict(data, [])
        if self.allow.always_sealed(where):
            found = [Finding(where, "seal-path (config)")]
            if note:
                self._note(found)
            return FileVerdict(None, found)
        hits = self.detector.scan_bytes(data, name or where)
        if not hits:  # the common case, per body: no second decode
            return FileVerdict(data, [])
        try:
            text: str | None = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None:
            hits = self._keep(hits, text, where)
        if not hits:
            return FileVerdict(data, [])
        found = [Finding(where, h.rule, line=h.line or None) for h in hits]
        if note:
            self._note(found)
        stored = self._replace(text, hits, {}).encode("utf-8") if text is not None else None
        return FileVerdict(stored, found)

    # -- messages --------------------------------------------------------------------------

    @property
    def allowed(self) -> list[str]:
        """What the allow list let through, for the capture summary."""
        return [*self.allowed_values,
                *(f"{n} files not scanned (allow_paths {glob!r})" for glob, n in sorted(self.allowed_paths.items()))]

    def check_message(self, text: str, what: str) -> None:
        """Refuse a message given by the user that holds a secret (nothing is written)."""
        hits = self._keep(self.detector.scan_text(text), text, what)
        if hits:
            raise SecretInMessageError(
                f"the {what} holds what looks like a secret ({hits[0].rule}, line {hits[0].line}): "
                "remove it; nothing was written")

    def clean_text(self, text: str) -> str:
        """Generated text (the commit message): secrets replaced, never refused."""
        hits = self._keep(self.detector.scan_text(text), text, "message")
        return self._replace(text, hits, {}) if hits else text


def markers(text: str) -> list[str]:
    """The fingerprint hexes a text refers to."""
    return MARKER.findall(text)
