"""What a generator reads: a snapshot's resources, and the placeholders a builder emits.

A builder reads its document through :class:`Fields`, which records every path it takes, so
that whatever it did not take is listed in the coverage report rather than silently dropped.
Values that are not known until the writer runs are placeholders: :class:`Link` (another
resource of the snapshot: ``!Ref``/``!GetAtt`` or a Terraform reference when that resource is
emitted beside it, else its literal value) and :class:`Secret` (a redacted value: a ``NoEcho``
parameter or a ``sensitive`` variable, never the value). Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..secrets.fingerprint import MARKER

_MISSING = object()


@dataclass(frozen=True)
class Resource:
    """One resource of a snapshot, as the manifest places it.

    Attributes:
        address: its gitsnap address (``s3/shop-prod``).
        account: the account id; region: its region, or ``global``.
        service, type: its registered service and type (``s3``, ``bucket``).
        doc: its parsed document.
        files: its other files, relative to its folder -> blob id (sources, ``objects.jsonl``).
    """

    address: str
    account: str
    region: str
    service: str
    type: str
    doc: dict[str, Any]
    files: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Link:
    """A value that names another resource of the snapshot.

    The writer makes it a reference when *address* is emitted in the same template (or, for
    Terraform, anywhere), else writes *literal*, the value the snapshot recorded.

    Attributes:
        address: the linked resource's gitsnap address.
        attr: ``None`` for its primary reference (CloudFormation ``Ref``), else an attribute
            (``Arn``); the Terraform writer maps it with ``tf_attr``.
        literal: the recorded value, written when no reference can be made.
        tf_attr: the Terraform attribute (``arn``, ``id``, ``name``).
    """

    address: str
    attr: str | None
    literal: Any
    tf_attr: str = "id"


@dataclass(frozen=True)
class Secret:
    """A redacted value: ``fingerprint`` is its marker's id (``redacted:hmac-sha256:<id>``)."""

    fingerprint: str
    name: str  # a readable hint for the parameter name: "jada-contact-form SLACK_TOKEN"


@dataclass(frozen=True)
class Named:
    """A value that may name another resource of the snapshot by what the service calls it (a
    record's alias target or CNAME naming a distribution's ``d123.cloudfront.net``). The engine
    makes it a :class:`Link` when a resource of the generation provides that value (see
    ``IacSpec.provides``), else it stays the value: builders stay pure and need not know."""

    value: str


def name_key(value: str) -> str:
    """How a provided name is matched: DNS names compare without case and final dot."""
    return value.strip().rstrip(".").lower()


@dataclass(frozen=True)
class Block:
    """A Terraform nested block (``versioning_configuration { ... }``), not a map attribute."""

    body: dict[str, Any]


@dataclass(frozen=True)
class JsonEncode:
    """A JSON document (a policy) as a Terraform attribute: ``jsonencode({...})``; CloudFormation
    writes the value itself."""

    value: Any


def secret_of(value: Any, name: str) -> Any:
    """*value*, or a :class:`Secret` placeholder when it is a redaction marker."""
    if isinstance(value, str):
        m = MARKER.fullmatch(value)
        if m:
            return Secret(m.group(1), name)
    return value


def has_marker(value: Any) -> bool:
    """Whether a redaction marker appears anywhere in *value* (inside a string, too)."""
    if isinstance(value, str):
        return MARKER.search(value) is not None
    if isinstance(value, dict):
        return any(has_marker(v) for v in value.values())
    if isinstance(value, list):
        return any(has_marker(v) for v in value)
    return False


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == {} or value == []


def leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every non-empty leaf of a document as (dotted path, value); list items are ``*``."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from leaves(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for v in value:
            yield from leaves(v, f"{path}.*" if path else "*")
    elif not _empty(value):
        yield path, value


class Fields:
    """A document as a builder reads it: every path taken is recorded.

    ``get("Configuration.Timeout")`` returns the value and marks the path (and everything under
    it) used. ``computed(...)`` marks fields the service sets by itself (ids, ARNs, dates): not
    properties, so not lost. :meth:`unused` is then every non-empty leaf neither covers: a field
    the format has no property for, listed per resource in COVERAGE.md.
    """

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self._taken: set[str] = set()
        self._computed: set[str] = set()
        self.notes: dict[str, str] = {}  # path -> why it was not emitted, when a builder knows

    def get(self, path: str, default: Any = None) -> Any:
        """The value at a dotted *path* (``default`` when absent), marked used."""
        self._taken.add(path)
        value: Any = self.doc
        for part in path.split("."):
            if not isinstance(value, dict) or part not in value:
                return default
            value = value[part]
        return default if value is None else value

    def computed(self, *paths: str) -> None:
        """Mark *paths* as set by the service (ids, ARNs, dates, states): nothing to emit."""
        self._computed.update(paths)

    def unsupported(self, path: str, why: str) -> None:
        """Mark *path* as known and not emitted, with the reason COVERAGE.md gives."""
        self.notes[path] = why

    def unused(self) -> list[tuple[str, str]]:
        """(path, reason) for every non-empty leaf no ``get`` or ``computed`` covered, collapsed
        to the shallowest uncovered field; plus every note made with :meth:`unsupported`."""
        covered = self._taken | self._computed
        found: dict[str, str] = {}
        for path, _ in leaves(self.doc):
            if _covered(path, covered):
                continue
            top = _shallowest_uncovered(path, covered)
            found.setdefault(top, "no property for this field")
        # a note stands even when the field is absent: "the password is never in a snapshot"
        found.update(self.notes)
        return sorted(found.items())

    def get_quiet(self, path: str) -> Any:
        value: Any = self.doc
        for part in path.split("."):
            if not isinstance(value, dict) or part not in value:
                return None
            value = value[part]
        return value


def _prefixes(path: str) -> Iterable[str]:
    parts = path.split(".")
    for i in range(1, len(parts) + 1):
        yield ".".join(parts[:i])


def _covered(path: str, covered: set[str]) -> bool:
    return any(p in covered for p in _prefixes(path))


def _shallowest_uncovered(path: str, covered: set[str]) -> str:
    """The shallowest prefix of *path* that no taken path lies under (``Website`` when nothing
    under it was taken; ``Configuration.Layers`` when ``Configuration.Timeout`` was)."""
    for prefix in _prefixes(path):
        if not any(c == prefix or c.startswith(prefix + ".") for c in covered):
            return prefix
    return path


_NAME = re.compile(r"[^A-Za-z0-9]+")


def camel(*parts: str) -> str:
    """``("jada-contact-form", "role")`` -> ``JadaContactFormRole``: a CloudFormation logical id."""
    words = [w for p in parts for w in _NAME.split(p) if w]
    return "".join(w[:1].upper() + w[1:] for w in words) or "Resource"


def snake(*parts: str) -> str:
    """``("jada-contact-form",)`` -> ``jada_contact_form``: a Terraform name (starts with a letter)."""
    name = "_".join(w.lower() for p in parts for w in _NAME.split(p) if w) or "resource"
    return name if name[0].isalpha() or name[0] == "_" else "r_" + name


def split_markers(text: str) -> list[str | Secret]:
    """*text* cut at each redaction marker: plain pieces and :class:`Secret` placeholders (named
    later by the writer). ``["postgres://app:", Secret(id), "@db:5432"]``; one piece when none."""
    pieces: list[str | Secret] = []
    at = 0
    for m in MARKER.finditer(text):
        if m.start() > at:
            pieces.append(text[at:m.start()])
        pieces.append(Secret(m.group(1), ""))
        at = m.end()
    if at < len(text) or not pieces:
        pieces.append(text[at:])
    return pieces


def secret_hint(owner: str, path: tuple[str | int, ...]) -> str:
    """A readable name for a secret found at *path* in *owner*'s properties: the owner and the
    nearest named key (``"jada-contact-form SLACK_TOKEN"``), for parameter and variable names."""
    keys = [p for p in path if isinstance(p, str) and p not in ("Variables", "Value", "value")]
    return f"{owner} {keys[-1]}" if keys else owner
