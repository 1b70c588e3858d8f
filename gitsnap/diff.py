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

import difflib
import fnmatch
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from deepdiff import DeepDiff

from . import fieldpath
from .layout import MANIFEST_JSON, OBJECT_INDEX, ObjectEntry, load_index
from .normalize import without_status
from .secrets.fingerprint import is_redacted
from .store import SnapshotStore
from .store.loose import git_blob_id

if TYPE_CHECKING:
    from .collectors.spec import ResourceType

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


def identities(items: list[Any]) -> list[str] | None:
    """Each item's identity (the first of IDENTITIES every item has, unique), or None. Pure."""
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    for ident in IDENTITIES:
        if all(ident[0] in i for i in items):
            keys = [" ".join(str(i[f]) for f in ident if i.get(f) is not None) for i in items]
            if len(set(keys)) == len(keys):
                return keys
    return None


def keyed(value: Any) -> Any:
    """Turn lists of identifiable dicts into dicts by identity, recursively. Pure.

    The order of such a list is gone from the result: for the lists whose order has meaning,
    :func:`diff_documents` compares it on its own."""
    return _keyed(value, frozenset(), (), (), {})


def _spots(doc: Any, ordered: Iterable[str]) -> frozenset[fieldpath.Segments]:
    """Where in *doc* the *ordered* paths name a list."""
    return frozenset(path for p in ordered for path, parent, key in fieldpath.matches(doc, p)
                     if isinstance(parent[key], list))


def _keyed(value: Any, spots: frozenset[fieldpath.Segments], at: fieldpath.Segments, shown: fieldpath.Segments,
           orders: dict[fieldpath.Segments, list[str] | None]) -> Any:
    """:func:`keyed`, walking *at* (the path in *value*) and *shown* (the path in the result);
    for each ordered list met, *orders* gets its identities in order (None: kept positional)."""
    if isinstance(value, dict):
        return {k: _keyed(v, spots, (*at, k), (*shown, k), orders) for k, v in value.items()}
    if isinstance(value, list):
        keys = identities(value)
        if at in spots:
            orders[shown] = keys
        if keys is None:
            return [_keyed(v, spots, (*at, i), (*shown, i), orders) for i, v in enumerate(value)]
        return {k: _keyed(v, spots, (*at, i), (*shown, k), orders) for i, (k, v) in enumerate(zip(keys, value, strict=True))}
    return value


def reordered(old: list[str], new: list[str]) -> bool:
    """Whether *new* puts items in another order than *old*: items on both sides moved
    relative to each other, or an added item went anywhere but the end. Pure.

    A removal or an append changes no item's precedence over another that stays, and is
    already reported as its own change."""
    kept, added = set(old) & set(new), [k for k in new if k not in set(old)]
    return [k for k in old if k in kept] + added != new


def order_changes(address: str, old: dict[fieldpath.Segments, list[str] | None],
                  new: dict[fieldpath.Segments, list[str] | None]) -> list[Change]:
    """One change per ordered list of identifiable items whose order changed. Pure."""
    out = []
    for path in sorted(set(old) & set(new), key=str):
        o, n = old[path], new[path]
        if o is not None and n is not None and reordered(o, n):
            out.append(Change(address, "changed", fieldpath.render(path), o, n, details={"order": True}))
    return out


@functools.cache
def _service_types(service: str) -> tuple[ResourceType, ...]:
    from .collectors import registry  # collectors sit below diff; imported when first needed

    return tuple(t for t in registry.all_types() if t.service == service)


def declared_type(address: str) -> ResourceType | None:
    """The registered resource type an address belongs to, or None (an unknown service).

    A non-primary type's addresses start with ``service/type/``; every other address of a
    service is its primary type's (``ResourceType.address``)."""
    service, _, rest = address.partition("/")
    types = _service_types(service)
    return (next((t for t in types if not t.primary and rest.startswith(t.type + "/")), None)
            or next((t for t in types if t.primary), None))


def ordered_paths(address: str) -> tuple[str, ...]:
    """The field paths of lists whose order has meaning, declared by the address's type."""
    spec = declared_type(address)
    return spec.ordered if spec is not None else ()


def resource_differs(address: str, a: Snapshot, b: Snapshot, *, include_status: bool = False) -> bool:
    """Whether *address* differs between *a* and *b*: present in one only, or any change that
    :func:`diff_resource` reports. A status-only difference does not count unless asked."""
    if (address in a.resources) != (address in b.resources):
        return True
    if address not in a.resources or a.resource_files(address) == b.resource_files(address):
        return False
    return bool(diff_resource(address, a, b, include_status=include_status))


def diff_documents(
    address: str, old: Any, new: Any, *, include_status: bool = False, ordered: Iterable[str] | None = None
) -> list[Change]:
    """Field-level changes between two versions of one document. Pure (given *ordered*).

    The ``status`` section is compared only with *include_status*. Lists at the *ordered* field
    paths (by default, those the address's type declares) are compared by position: a new
    order is a change at the list's path, whose values are the items' identities in order;
    lists without identities are compared position by position anyway."""
    if not include_status:
        old, new = without_status(old), without_status(new)
    ordered = ordered_paths(address) if ordered is None else tuple(ordered)
    orders_old: dict[fieldpath.Segments, list[str] | None] = {}
    orders_new: dict[fieldpath.Segments, list[str] | None] = {}
    dd = DeepDiff(_keyed(old, _spots(old, ordered), (), (), orders_old),
                  _keyed(new, _spots(new, ordered), (), (), orders_new), view="tree", verbose_level=2)
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
    out.extend(order_changes(address, orders_old, orders_new))
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
