"""Differences between two snapshots, as Change records.

The tree diff finds which files changed; the manifests of both snapshots say which
resource each file belongs to. A changed document gets a field-level diff
(deepdiff), an S3 object index a key-level one, other files (Lambda sources) a
file-level one, with unified text diffs on request.

A document's ``status`` section (lifecycle states the service changes by itself, see
``ResourceType.status``) is left out of every comparison unless ``include_status`` is true;
its changes then show under paths that start with ``status.``.
"""

from __future__ import annotations

import difflib
import fnmatch
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from deepdiff import DeepDiff

from . import fieldpath
from .layout import MANIFEST_JSON, OBJECT_INDEX, ObjectEntry, load_index
from .normalize import without_status
from .secrets.fingerprint import is_redacted
from .store import SnapshotStore
from .store.loose import git_blob_id

Kind = Literal["added", "removed", "changed"]
TEXT_TYPES = ("application/json", "application/javascript", "application/xml", "image/svg+xml",
              "application/x-sh", "application/toml", "application/yaml")
TEXT_SUFFIXES = (".html", ".htm", ".css", ".js", ".mjs", ".json", ".txt", ".md", ".xml", ".svg", ".py",
                 ".gs", ".ts", ".yml", ".yaml", ".toml", ".csv", ".sh", ".ini", ".cfg", ".env.example")
MAX_TEXT_DIFF = 1024 * 1024
# List items that carry their own identity are compared by it, not by position.
IDENTITIES = (("Name", "Type", "SetIdentifier"), ("Id",), ("Key",), ("Name",), ("Sid",),
              ("HeaderName",), ("PathPattern",), ("UUID",), ("FunctionName",))


@dataclass(frozen=True)
class Change:
    """One difference. ``path`` is a field path, ``key <k>`` or ``file <f>``; empty for a whole resource."""

    address: str
    kind: Kind
    path: str = ""
    old: Any = None
    new: Any = None
    text_diff: str | None = None
    redacted: bool = False
    details: dict[str, Any] = field(default_factory=dict)
    texts: tuple[str, str] | None = field(default=None, compare=False, repr=False)  # for side-by-side views

    def to_json(self) -> dict[str, Any]:
        out = {"address": self.address, "kind": self.kind, "path": self.path}
        if self.redacted:
            out["redacted"] = True
        else:
            out.update(old=self.old, new=self.new)
        if self.details:
            out["details"] = self.details
        if self.text_diff is not None:
            out["text_diff"] = self.text_diff
        return out


@dataclass
class Snapshot:
    """One side of a diff: a snapshot's files and its manifest's resource map.

    A committed snapshot reads its files from the store; live state read into memory
    (``commit`` None) carries them in ``memory``, keyed by the git ids they would have.
    """

    store: SnapshotStore
    commit: str | None
    files: dict[str, str]
    resources: dict[str, dict[str, Any]]
    memory: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def load(cls, store: SnapshotStore, commit: str | None) -> Snapshot:
        files = store.files(commit)
        manifest = json.loads(store.read(files[MANIFEST_JSON])) if MANIFEST_JSON in files else {}
        return cls(store, commit, files, manifest.get("resources", {}))

    @classmethod
    def in_memory(cls, store: SnapshotStore, files: dict[str, bytes], resources: dict[str, dict[str, Any]]) -> Snapshot:
        ids = {path: git_blob_id(data) for path, data in files.items()}
        return cls(store, None, ids, resources, {ids[p]: data for p, data in files.items()})

    def read(self, blob: str) -> bytes:
        data = self.memory.get(blob)
        return data if data is not None else self.store.read(blob)

    def resource_files(self, address: str) -> dict[str, str]:
        """Files of a resource, relative to its folder (or ``""`` for a one-file resource)."""
        path = self.resources[address]["path"]
        if path in self.files:
            return {"": self.files[path]}
        prefix = path + "/"
        return {p[len(prefix):]: b for p, b in self.files.items() if p.startswith(prefix)}

    def read_json(self, blob: str) -> Any:
        return json.loads(self.read(blob))

    def document_blob(self, address: str) -> str | None:
        """The blob of a resource's document: its one file, or the .json at the top of its folder."""
        if address not in self.resources:
            return None
        return next((b for rel, b in self.resource_files(address).items() if _is_document(rel)), None)

    def document(self, address: str) -> Any:
        """A resource's parsed document, or None if the snapshot does not have the resource."""
        blob = self.document_blob(address)
        return self.read_json(blob) if blob else None


def selected(address: str, only: Iterable[str], patterns: Iterable[str]) -> bool:
    only, patterns = tuple(only), tuple(patterns)
    if only and address.split("/", 1)[0] not in only:
        return False
    return not patterns or any(fnmatch.fnmatchcase(address, p) or address == p for p in patterns)


def diff_snapshots(
    a: Snapshot, b: Snapshot, *, only: Iterable[str] = (), addresses: Iterable[str] = (), content: bool = False,
    include_status: bool = False,
) -> list[Change]:
    """Every change from *a* to *b*, by address; status sections only with *include_status*."""
    changes: list[Change] = []
    for address in sorted(set(a.resources) | set(b.resources)):
        if not selected(address, only, addresses):
            continue
        if address not in a.resources:
            changes.append(Change(address, "added", details=_resource_summary(b.resources[address])))
        elif address not in b.resources:
            changes.append(Change(address, "removed", details=_resource_summary(a.resources[address])))
        else:
            changes.extend(diff_resource(address, a, b, content, include_status=include_status))
    return changes


def _resource_summary(info: dict[str, Any]) -> dict[str, Any]:
    return {k: info[k] for k in ("type", "region", "objects", "bytes") if k in info}


def diff_resource(
    address: str, a: Snapshot, b: Snapshot, content: bool = False, *, include_status: bool = False
) -> list[Change]:
    """The changes of one resource present on both sides: its document, object index and files."""
    fa, fb = a.resource_files(address), b.resource_files(address)
    out: list[Change] = []
    for rel in sorted(set(fa) | set(fb)):
        ba, bb = fa.get(rel), fb.get(rel)
        if ba == bb:
            continue
        if rel == OBJECT_INDEX:
            old = {e.key: e for e in load_index(a.read(ba))} if ba else {}
            new = {e.key: e for e in load_index(b.read(bb))} if bb else {}
            out.extend(diff_objects(address, old, new, a.store if content else None))
        elif _is_document(rel) and ba and bb:
            out.extend(diff_documents(address, a.read_json(ba), b.read_json(bb), include_status=include_status))
        else:
            kind: Kind = "added" if ba is None else "removed" if bb is None else "changed"
            text, texts = None, None
            if content:
                old_b, new_b = a.read(ba) if ba else b"", b.read(bb) if bb else b""
                text = text_diff(old_b, new_b, rel)
                texts = _texts(old_b, new_b) if text is not None else None
            out.append(Change(address, kind, f"file {rel}", text_diff=text, texts=texts))
    return out


def _is_document(rel: str) -> bool:
    return rel == "" or ("/" not in rel and rel.endswith(".json"))


def keyed(value: Any) -> Any:
    """Turn lists of identifiable dicts into dicts by identity, recursively. Pure."""
    if isinstance(value, dict):
        return {k: keyed(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [keyed(v) for v in value]
        if items and all(isinstance(i, dict) for i in items):
            for ident in IDENTITIES:
                if all(ident[0] in i for i in items):
                    keys = [" ".join(str(i[f]) for f in ident if i.get(f) is not None) for i in items]
                    if len(set(keys)) == len(keys):
                        return dict(zip(keys, items, strict=True))
        return items
    return value


def resource_differs(address: str, a: Snapshot, b: Snapshot, *, include_status: bool = False) -> bool:
    """Whether *address* differs between *a* and *b*: present in one only, or any change that
    :func:`diff_resource` reports. A status-only difference does not count unless asked."""
    if (address in a.resources) != (address in b.resources):
        return True
    if address not in a.resources or a.resource_files(address) == b.resource_files(address):
        return False
    return bool(diff_resource(address, a, b, include_status=include_status))


def diff_documents(address: str, old: Any, new: Any, *, include_status: bool = False) -> list[Change]:
    """Field-level changes between two versions of one document. Pure.

    The ``status`` section is compared only with *include_status*."""
    if not include_status:
        old, new = without_status(old), without_status(new)
    dd = DeepDiff(keyed(old), keyed(new), view="tree", verbose_level=2)
    out = []
    kinds: dict[str, Kind] = {
        "values_changed": "changed", "type_changes": "changed",
        "dictionary_item_added": "added", "iterable_item_added": "added",
        "dictionary_item_removed": "removed", "iterable_item_removed": "removed",
    }
    for report, kind in kinds.items():
        for level in dd.get(report, []):
            path = fieldpath.render(tuple(level.path(output_format="list")))
            o = None if kind == "added" else level.t1
            n = None if kind == "removed" else level.t2
            out.append(Change(address, kind, path, o, n, redacted=is_redacted(o) or is_redacted(n)))
    return sorted(out, key=lambda c: c.path)


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
            out.append(Change(address, "added", where, None, None, details={"size": n.size}))
        elif n is None:
            out.append(Change(address, "removed", where, None, None, details={"size": o.size}))
        else:
            if (o.blob, o.sha256, o.etag) != (n.blob, n.sha256, n.etag):
                text, texts = None, None
                if (store is not None and o.blob and n.blob and store.has(o.blob) and store.has(n.blob)
                        and is_text(key, n.content_type, n.size)):
                    old_b, new_b = store.read(o.blob), store.read(n.blob)
                    text = text_diff(old_b, new_b, key)
                    texts = _texts(old_b, new_b) if text is not None else None
                out.append(Change(address, "changed", where, None, None, text_diff=text, texts=texts,
                                  details={"old_size": o.size, "new_size": n.size}))
            for f in OBJECT_FIELDS:
                if getattr(o, f) != getattr(n, f):
                    out.append(Change(address, "changed", f"{where} {f}", getattr(o, f), getattr(n, f)))
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
