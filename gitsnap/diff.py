"""Differences between two snapshots, as Change records.

The tree diff finds which files changed; the manifests of both snapshots say which
resource each file belongs to. A changed document gets a field-level diff
(deepdiff), an S3 object index a key-level one, other files (Lambda sources) a
file-level one, with unified text diffs on request.

Lists whose order has meaning (``ResourceType.ordered``: CloudFront cache behaviours, Lambda
layers) are compared by position: reordering one is a change. Items that carry their own
identity are still shown by it, and the order itself is one more change at the list's path,
``old`` and ``new`` being the identities in order (``details["order"]``).

A document's ``status`` section (lifecycle states the service changes by itself, see
``ResourceType.status``) is left out of every comparison unless ``include_status`` is true;
its changes then show under paths that start with ``status.``.
"""

from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from . import changes, labels
from .changes import IDENTITIES, Change, Kind, identities, keyed, order_changes, reordered  # noqa: F401 (re-exported)
from .layout import OBJECT_INDEX, ObjectEntry, index_difference, load_index
from .store import SnapshotStore
from .store.snapshot import Snapshot, is_document

if TYPE_CHECKING:
    from .collectors.spec import ResourceType

TEXT_TYPES = ("application/json", "application/javascript", "application/xml", "image/svg+xml",
              "application/x-sh", "application/toml", "application/yaml")
TEXT_SUFFIXES = (".html", ".htm", ".css", ".js", ".mjs", ".json", ".txt", ".md", ".xml", ".svg", ".py",
                 ".gs", ".ts", ".yml", ".yaml", ".toml", ".csv", ".sh", ".ini", ".cfg", ".env.example")
MAX_TEXT_DIFF = 1024 * 1024


def selected(address: str, only: Iterable[str], patterns: Iterable[str]) -> bool:
    only, patterns = tuple(only), tuple(patterns)
    if only and address.split("/", 1)[0] not in only:
        return False
    return not patterns or any(fnmatch.fnmatchcase(address, p) or address == p for p in patterns)


def diff_snapshots(
    a: Snapshot, b: Snapshot, *, only: Iterable[str] = (), addresses: Iterable[str] = (), content: bool = False,
    include_status: bool = False,
) -> list[Change]:
    """Every change from *a* to *b*, by address; status sections only with *include_status*.
    Each change carries its resource's label (gitsnap.labels), from *b*'s document, else *a*'s."""
    changes: list[Change] = []
    for address in sorted(set(a.resources) | set(b.resources)):
        if not selected(address, only, addresses):
            continue
        if address not in a.resources:
            found = [Change(address, "added", details=_resource_summary(b.resources[address]))]
        elif address not in b.resources:
            found = [Change(address, "removed", details=_resource_summary(a.resources[address]))]
        else:
            found = diff_resource(address, a, b, content, include_status=include_status)
        if found:
            name = resource_label(address, a, b)
            changes.extend(dataclasses.replace(c, label=name) if name else c for c in found)
    return changes


def resource_label(address: str, *snapshots: Snapshot) -> str | None:
    """The label of *address* (gitsnap.labels) in the last of *snapshots* that holds it."""
    held = [s for s in snapshots if address in s.resources]
    return labels.of_snapshot(held[-1], address) if held else None


def _resource_summary(info: dict[str, Any]) -> dict[str, Any]:
    return {k: info[k] for k in ("type", "region", "objects", "bytes") if k in info}


def diff_resource(
    address: str, a: Snapshot, b: Snapshot, content: bool = False, *, include_status: bool = False
) -> list[Change]:
    """The changes of one resource present on both sides: its document, object index and files.

    A resource whose folder (or file) has the same id on both snapshots is skipped unread. Of
    two object indexes only the lines that differ are parsed: the rest are equal keys."""
    same = a.resource_tree(address)
    if same is not None and same == b.resource_tree(address):
        return []
    fa, fb = a.resource_files(address), b.resource_files(address)
    out: list[Change] = []
    for rel in sorted(set(fa) | set(fb)):
        ba, bb = fa.get(rel), fb.get(rel)
        if ba == bb:
            continue
        if rel == OBJECT_INDEX:
            if ba and bb:
                old, new = index_difference(a.read(ba), b.read(bb))
            else:
                old = {e.key: e for e in load_index(a.read(ba))} if ba else {}
                new = {e.key: e for e in load_index(b.read(bb))} if bb else {}
            out.extend(diff_objects(address, old, new, a.store if content else None))
        elif (compare := _file_diff(address, rel)) is not None:
            doc = b.document(address) or a.document(address)
            out.extend(c if c.location else dataclasses.replace(c, location={"file": rel})
                       for c in compare(address, a.read(ba) if ba else None, b.read(bb) if bb else None, doc))
        elif is_document(rel) and ba and bb:
            out.extend(diff_documents(address, a.read_json(ba), b.read_json(bb), include_status=include_status))
        else:
            kind: Kind = "added" if ba is None else "removed" if bb is None else "changed"
            text, texts = None, None
            if content:
                old_b, new_b = a.read(ba) if ba else b"", b.read(bb) if bb else b""
                text = text_diff(old_b, new_b, rel)
                texts = _texts(old_b, new_b) if text is not None else None
            out.append(Change(address, kind, f"file {rel}", text_diff=text, texts=texts, location={"file": rel}))
    return out


@functools.cache
def _service_types(service: str) -> tuple[ResourceType, ...]:
    from .collectors import registry  # collectors sit below diff; imported when first needed

    return registry.types_of(service)


def declared_type(address: str) -> ResourceType | None:
    """The registered resource type an address belongs to, or None (an unknown service).

    A non-primary type's addresses start with ``service/type/``; every other address of a
    service is its primary type's (``ResourceType.address``)."""
    service, _, rest = address.partition("/")
    types = _service_types(service)
    return (next((t for t in types if not t.primary and rest.startswith(t.type + "/")), None)
            or next((t for t in types if t.primary), None))


def _file_diff(address: str, rel: str) -> Any:
    """How the address's type compares its file *rel* (``ResourceType.file_diffs``), or None."""
    spec = declared_type(address)
    return spec.file_diffs.get(rel) if spec is not None else None


def ordered_paths(address: str) -> tuple[str, ...]:
    """The field paths of lists whose order has meaning, declared by the address's type."""
    spec = declared_type(address)
    return spec.ordered if spec is not None else ()


def resource_differs(address: str, a: Snapshot, b: Snapshot, *, include_status: bool = False) -> bool:
    """Whether *address* differs between *a* and *b*: present in one only, or any change that
    :func:`diff_resource` reports. A status-only difference does not count unless asked."""
    if (address in a.resources) != (address in b.resources):
        return True
    if address not in a.resources:
        return False
    same = a.resource_tree(address)
    if (same is not None and same == b.resource_tree(address)) or a.resource_files(address) == b.resource_files(address):
        return False
    return bool(diff_resource(address, a, b, include_status=include_status))


def diff_documents(
    address: str, old: Any, new: Any, *, include_status: bool = False, ordered: Iterable[str] | None = None
) -> list[Change]:
    """:func:`gitsnap.changes.diff_documents`, the ordered paths by default those the address's
    type declares."""
    return changes.diff_documents(address, old, new, include_status=include_status,
                                  ordered=ordered_paths(address) if ordered is None else ordered)


OBJECT_FIELDS = ("content_type", "metadata", "headers", "storage_class")


def diff_objects(
    address: str, old: dict[str, ObjectEntry], new: dict[str, ObjectEntry], store: SnapshotStore | None
) -> list[Change]:
    """Key-level changes of a bucket's object index; *store* given means text diffs too."""
    out = []
    for key in sorted(set(old) | set(new)):
        o, n = old.get(key), new.get(key)
        where = f"key {key!r}"
        if o is None:
            assert n is not None
            out.append(Change(address, "added", where, None, None, details={"size": n.size},
                              location=object_location(key)))
        elif n is None:
            out.append(Change(address, "removed", where, None, None, details={"size": o.size},
                              location=object_location(key)))
        else:
            if o.unreadable or n.unreadable:  # no body on one side: the service's ETag and size decide
                body_changed = (o.etag, o.size) != (n.etag, n.size)
            else:
                body_changed = (o.blob, o.sha256, o.etag) != (n.blob, n.sha256, n.etag)
            if body_changed:
                text, texts = None, None
                if (store is not None and o.blob and n.blob and store.has(o.blob) and store.has(n.blob)
                        and is_text(key, n.content_type, n.size)):
                    old_b, new_b = store.read(o.blob), store.read(n.blob)
                    text = text_diff(old_b, new_b, key)
                    texts = _texts(old_b, new_b) if text is not None else None
                out.append(Change(address, "changed", where, None, None, text_diff=text, texts=texts,
                                  details={"old_size": o.size, "new_size": n.size}, location=object_location(key, "body")))
            for f in OBJECT_FIELDS:
                if getattr(o, f) != getattr(n, f):
                    out.append(Change(address, "changed", f"{where} {f}", getattr(o, f), getattr(n, f),
                                      location=object_location(key, f)))
    return out


def object_location(key: str, field_name: str | None = None) -> dict[str, Any]:
    """Where an object index change is, for scripts: the index file, the exact key (never
    quoted or escaped), and what of it changed: ``body`` (its bytes) or an index field
    (``content_type``, ``metadata``, ...); no ``field`` for a key added or removed. Pure."""
    out: dict[str, Any] = {"file": OBJECT_INDEX, "key": key}
    if field_name:
        out["field"] = [field_name]
    return out


def is_text(name: str, content_type: str | None, size: int) -> bool:
    if size > MAX_TEXT_DIFF:
        return False
    ctype = (content_type or "").split(";")[0].strip()
    return ctype.startswith("text/") or ctype in TEXT_TYPES or name.lower().endswith(TEXT_SUFFIXES)


def _texts(old: bytes, new: bytes) -> tuple[str, str]:
    return old.decode("utf-8"), new.decode("utf-8")


def text_diff(old: bytes, new: bytes, name: str) -> str | None:
    """A unified diff of two UTF-8 texts, or None when either side is not text."""
    if len(old) > MAX_TEXT_DIFF or len(new) > MAX_TEXT_DIFF:
        return None
    try:
        a, b = old.decode("utf-8"), new.decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines = difflib.unified_diff(a.splitlines(keepends=True), b.splitlines(keepends=True),
                                 fromfile=f"a/{name}", tofile=f"b/{name}")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def apply_ignores(changes: list[Change], rules: Iterable[Any]) -> tuple[list[Change], list[tuple[Any, int]]]:
    """Drop changes matched by ``[[ignore]]`` rules (address glob + field path glob), Terraform's
    ignore_changes in spirit. Returns the changes kept and, per rule, how many it silenced. Pure."""
    rules = list(rules)
    silenced = [0] * len(rules)
    kept = []
    for c in changes:
        for i, rule in enumerate(rules):
            if fnmatch.fnmatchcase(c.address, rule.address) and c.path and fnmatch.fnmatchcase(c.path, rule.path):
                silenced[i] += 1
                break
        else:
            kept.append(c)
    return kept, [(rule, n) for rule, n in zip(rules, silenced, strict=True)]
