"""verify: check a snapshot, and the refs that reach it, without any cloud access.

Two layers of checks, each damage named by object id and snapshot path:

1. **Git objects.** Every ref (the branch, tags, any other ref under ``refs/``) must hold
   an object id; annotated tag objects and the commits they point at must be sound; the
   snapshot's commit and all its ancestors must be sound commits; every tree and blob of
   the snapshot is read whole and must decompress and hash to its id. A damaged object is
   a problem line (``blob 3f2a… at aws/…/bucket.json: corrupt (zlib: …)``), never an
   exception: verify goes on and lists everything.
2. **The manifest.** Every body must be in the tree under ``blobs/`` and hash to the sha256
   and size recorded for it: by its object index line (a bucket's bodies) or by the manifest's
   ``bodies`` map (any other body; in a format 1 manifest, every body, and each index line
   must name one it lists). A body under ``blobs/`` that nothing describes is a problem too.
   Every resource document must parse and match its schema; sealed items must be age
   ciphertext.

What a damaged tree hides (its files) is not reported again as "missing" by the manifest
checks: the tree's own line says it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from . import schemas
from .collectors import registry
from .errors import GitsnapError
from .layout import BLOBS, MANIFEST_JSON, OBJECT_INDEX, blob_path
from .manifest import index_records, manifest_format
from .secrets.seal import AGE_MAGIC, body_path
from .store import (
    CorruptObjectError,
    MissingObjectError,
    ObjectCheck,
    RepositoryError,
    SnapshotStore,
)

BODY_FOLDERS = BLOBS + "/"  # blobs/<aa>/: no two such trees are alike, so none is walked twice


class VerifyError(GitsnapError):
    """A snapshot does not match its own manifest, or the repository is damaged."""


@dataclass
class Report:
    bodies: int = 0
    body_bytes: int = 0
    documents: int = 0
    objects: int = 0  # git objects read and checked
    problems: list[str] = field(default_factory=list)


def verify(store: SnapshotStore, rev: str = "HEAD") -> Report:
    """Check snapshot *rev* and every ref; return what was checked and every problem found.

    Raises:
        RevisionError: *rev* names nothing (an unknown name, or no snapshot yet).
    """
    run = _Run(store)
    run.refs()
    try:
        commit = store.resolve(rev)
    except CorruptObjectError as exc:  # the refs pass has said so, unless rev is an id
        run.problem(exc.object_id, f"revision {rev}: object {exc.object_id} is {_state(exc)}")
        return run.report()
    except RepositoryError as exc:  # a ref that holds no object id: the refs pass has said so
        if not run.lines:
            run.problem("revision", str(exc))
        return run.report()
    run.history(commit, rev)
    files, hidden = run.tree(commit)
    _Manifest(run, files, hidden).check()
    return run.report()


def _state(exc: CorruptObjectError) -> str:
    return "missing" if isinstance(exc, MissingObjectError) else f"corrupt ({exc.reason})"


class _Run:
    """One verify run: each object checked once, each damaged object reported once."""

    def __init__(self, store: SnapshotStore) -> None:
        self.store = store
        self.checks: dict[str, ObjectCheck] = {}
        self.lines: dict[str, str] = {}  # object id (or a unique key) -> its problem line
        self.bodies = self.body_bytes = self.documents = 0

    def check(self, object_id: str, sha256: bool = False) -> ObjectCheck:
        if object_id not in self.checks:
            self.checks[object_id] = self.store.check_object(object_id, sha256=sha256)
        return self.checks[object_id]

    def problem(self, key: str, line: str) -> None:
        self.lines.setdefault(key, line)

    def report(self) -> Report:
        return Report(self.bodies, self.body_bytes, self.documents, len(self.checks), list(self.lines.values()))

    # -- refs and tags ---------------------------------------------------------------------

    def refs(self) -> None:
        for name, value in self.store.refs():
            is_tag = name.startswith("refs/tags/")
            label = f"tag {name[len('refs/tags/'):]}" if is_tag else f"ref {name}"
            if len(value) != 40 or any(c not in "0123456789abcdef" for c in value):
                self.problem(f"ref:{name}", f"{label} holds {value[:60]!r}, not an object id")
                continue
            want = "commit" if name.startswith("refs/heads/") else "object"
            c = self.check(value)
            if c.missing:
                self.problem(value, f"{label} points at missing {want} {value}")
            elif c.problem:
                what = f"{label} (object {value}) is" if c.kind == "tag" or (is_tag and not c.kind) else \
                    f"{c.kind or want} {value} ({label}):"
                self.problem(value, f"{what} {c.problem}")
            elif c.kind == "tag":
                self._peel(c, label)
            elif want == "commit" and c.kind != "commit":
                self.problem(value, f"{label} points at {value}, a {c.kind}, not a commit")

    def _peel(self, tag: ObjectCheck, label: str) -> None:
        """Follow an annotated tag (and tags of tags) to what it names, checking each step."""
        seen = set()
        while tag.target is not None and tag.id not in seen:
            seen.add(tag.id)
            kind, target = tag.target
            c = self.check(target)
            if c.missing:
                self.problem(target, f"{label} (object {tag.id}) points at missing {kind} {target}")
                return
            if c.problem:
                self.problem(target, f"{kind} {target} (tagged {label[4:]}): {c.problem}")
                return
            if c.kind != kind:
                self.problem(target, f"{label} (object {tag.id}) says {kind} {target}, but that is a {c.kind}")
                return
            if c.kind != "tag":
                return
            tag = c

    # -- commits ---------------------------------------------------------------------------

    def history(self, commit: str, rev: str) -> None:
        """The commit and every ancestor: sound commit objects (their trees are not walked)."""
        shallow = {s.decode() for s in self.store._repo.get_shallow()}
        stack, seen = [(commit, None)], {commit}
        while stack:
            cid, child = stack.pop()
            c = self.check(cid)
            where = f"parent of {child}" if child else rev
            if c.problem or c.kind != "commit":
                self.problem(cid, f"commit {cid} ({where}): {c.problem or f'is a {c.kind}, not a commit'}")
                continue
            if cid in shallow:
                continue
            for parent in c.parents:
                if parent not in seen:
                    seen.add(parent)
                    stack.append((parent, cid))

    # -- trees and blobs -------------------------------------------------------------------

    def tree(self, commit: str) -> tuple[dict[str, str], list[str]]:
        """Walk the snapshot: every tree and blob read and checked.

        Trees are read as they are walked; blobs are checked after the walk, all at once
        (``check_objects``: one pass over each pack, in file order), and their problems are
        then listed in walk order, among the trees'.

        Returns the files found (``path -> blob id``) and the folders a damaged tree hides.
        """
        c = self.check(commit)
        files: dict[str, str] = {}
        hidden: list[str] = []
        if c.problem or c.tree is None:
            return files, [""]
        found: list[tuple[str, str | None]] = []  # (object id, blob path) or (tree id, None): walk order
        tree_lines: dict[str, str] = {}  # a damaged tree's problem line, listed in walk order below
        stack = [(c.tree, "")]
        while stack:
            tree_id, prefix = stack.pop()
            t = self.check(tree_id)
            where = f"at {prefix}" if prefix else f"at / (root of commit {commit})"
            if t.problem or t.kind != "tree":
                found.append((tree_id, None))
                tree_lines.setdefault(tree_id, f"tree {tree_id} {where}: {t.problem or f'is a {t.kind}, not a tree'}")
                hidden.append(prefix)
                continue
            for entry in reversed(t.entries):
                path = prefix + entry.name
                if entry.is_submodule:  # a commit in another repository
                    continue
                if entry.is_dir:
                    stack.append((entry.id, path + "/"))
                    continue
                files[path] = entry.id
                found.append((entry.id, path))
            if prefix.startswith(BODY_FOLDERS):  # its entries (100,000 under blobs/) are in files now
                self.checks[tree_id] = replace(t, entries=())
        self.check_many([oid for oid, path in found if path is not None], sha256=True)
        for oid, path in found:
            if path is None:
                self.problem(oid, tree_lines[oid])
                continue
            b = self.checks[oid]
            if b.problem or b.kind != "blob":
                self.problem(oid, f"blob {oid} at {path}: {b.problem or f'is a {b.kind}, not a blob'}")
        return files, hidden

    def check_many(self, object_ids: list[str], sha256: bool = False) -> None:
        """Check every object not checked yet, in one batch (pack by pack, in file order)."""
        todo = [oid for oid in object_ids if oid not in self.checks]
        if todo:
            self.checks.update(self.store.check_objects(todo, sha256=sha256))


class _Manifest:
    """The snapshot against its manifest.json, on top of the object checks."""

    def __init__(self, run: _Run, files: dict[str, str], hidden: list[str]) -> None:
        self.run = run
        self.files = files
        self.hidden = hidden
        self.format = 1
        self.described: set[str] = set()  # bodies some description named
        self.counted: set[str] = set()  # bodies checked and counted in the report

    def problem(self, line: str) -> None:
        self.run.problem(f"manifest:{len(self.run.lines)}", line)

    def is_hidden(self, path: str) -> bool:
        return any(path.startswith(prefix) for prefix in self.hidden)

    def content(self, path: str) -> bytes | None:
        """A file's bytes, or None when its blob is damaged (its own line says so)."""
        blob = self.files[path]
        if self.run.check(blob).problem:
            return None
        try:
            return self.run.store.read(blob)
        except CorruptObjectError:  # changed under us since the check
            return None

    def json_file(self, path: str, who: str) -> Any:
        """A JSON file of the snapshot, or None after noting why it cannot be read (missing,
        damaged, not JSON). A file under a damaged tree was already reported with the tree."""
        if path not in self.files:
            if not self.is_hidden(path):
                self.problem(f"{who}{path} is missing")
            return None
        raw = self.content(path)
        if raw is None:
            return None
        try:
            return json.loads(raw)
        except ValueError as exc:
            self.problem(f"{who}{path} is not JSON ({exc})")
            return None

    def check(self) -> None:
        manifest = self.json_file(MANIFEST_JSON, "")
        if manifest is None:
            return
        self.format = manifest_format(manifest)
        bodies = manifest.get("bodies", {})
        for blob, info in sorted(bodies.items()):
            self.body(blob, info.get("sha256"), info.get("size"), "the manifest")
        self.sealed(manifest.get("sealed", {}))
        by_type = {(t.service, t.type): t for t in registry.all_types()}
        for address, res in sorted(manifest.get("resources", {}).items()):
            try:
                self.resource(address, res, by_type, bodies)
            except (KeyError, TypeError, ValueError) as exc:
                self.problem(f"{address}: cannot be checked ({type(exc).__name__}: {exc})")
        self.undescribed()

    def body(self, blob: str, sha256: Any, size: Any, where: str) -> None:
        """One description of a body (*where* says whose): the body is in the tree at
        ``blobs/..`` and its sha256 and size are the ones described. Each problem is said
        once per body, however many keys share it; runs once per index line (100,000)."""
        run = self.run
        self.described.add(blob)
        path = blob_path(blob)
        if self.files.get(path) != blob:
            if not self.is_hidden(path):
                run.problem(f"absent:{blob}", f"body {blob} is not in the tree at {path}")
            return
        c = run.checks.get(blob) or run.check(blob, sha256=True)
        matches = c.sha256 == sha256 and c.size == size
        if c.problem:
            if c.sha256 is not None and not matches:  # one line for one damaged body
                run.lines[blob] = (f"body {blob}: sha256/size do not match {where} "
                                   f"(blob {blob} at {path}: {c.problem})")
            return
        if c.sha256 is None:  # checked earlier without its sha256 (also a document?)
            c = run.checks[blob] = run.store.check_object(blob, sha256=True)
            matches = c.sha256 == sha256 and c.size == size
        if not matches:
            run.problem(f"differs:{blob}", f"body {blob}: sha256/size do not match {where}")
        if blob not in self.counted:
            self.counted.add(blob)
            run.bodies += 1
            run.body_bytes += c.size or 0

    def undescribed(self) -> None:
        """Bodies in the tree that no index line and no manifest entry describes: unchecked."""
        prefix, described = BLOBS + "/", self.described
        for path, blob in self.files.items():
            if not path.startswith(prefix) or blob in described:
                continue
            if path == blob_path(blob):
                self.problem(f"body {blob} at {path} is described by no object index and not listed in the manifest")
            else:
                self.problem(f"{path} holds blob {blob}, not the body its path names")

    def sealed(self, sealed: dict[str, Any]) -> None:
        # ciphertext cannot be checked without the identity; that it is there and is age can
        for item in sorted(sealed):
            if item not in self.files:
                if not self.is_hidden(item):
                    self.problem(f"sealed item {item} is not in the tree")
                continue
            data = self.content(item)
            if data is not None and not data.startswith(AGE_MAGIC):
                self.problem(f"sealed item {item} is not age ciphertext")

    def resource(self, address: str, res: dict[str, Any], by_type: dict[tuple[str, str], Any],
                 bodies: dict[str, Any]) -> None:
        spec = by_type.get((res["service"], res["type"]))
        if spec is None:
            self.problem(f"{address}: unknown resource type {res['service']}/{res['type']}")
            return
        path = f"{res['path']}/{spec.document}" if spec.document else res["path"]
        doc = self.json_file(path, f"{address}: ")
        if doc is None:
            return
        for err in schemas.errors(spec.schema, doc)[:1]:
            self.problem(f"{address}: field {schemas.where(err)}: {err.message}")
        self.run.documents += 1
        index_path = f"{res['path']}/{OBJECT_INDEX}"
        index = self.content(index_path) if index_path in self.files else None
        if not index:
            return
        where = f"its object index ({index_path})"
        run, files, checks, described, counted = self.run, self.files, self.run.checks, self.described, self.counted
        listed = bodies if self.format == 1 else None
        try:
            for doc in index_records(index):
                # the usual line (100,000 a bucket), checked here without a call: its body, read
                # whole by the tree walk, is where its id says and has the sha256 and size recorded
                blob = doc.get("blob")
                if blob and not doc.get("sealed") and (listed is None or blob in listed):
                    c = checks.get(blob)
                    if (c is not None and c.problem is None and c.sha256 is not None and c.sha256 == doc.get("sha256")
                            and c.size == doc["size"] and files.get(blob_path(blob)) == blob):
                        if blob not in counted:
                            counted.add(blob)
                            described.add(blob)
                            run.bodies += 1
                            run.body_bytes += c.size
                        continue
                self.index_line(address, doc, bodies, where)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            self.problem(f"{address}: {index_path} is not a valid object index ({exc})")

    def index_line(self, address: str, doc: dict[str, Any], bodies: dict[str, Any], where: str) -> None:
        """One line of a bucket's object index: its body described, its sealed body present."""
        blob = doc.get("blob")
        if blob:
            if self.format == 1 and blob not in bodies:
                self.problem(f"{address}: key {doc['key']!r} points at body {blob}, not in the manifest")
                self.described.add(blob)  # said here: not again as a body nothing describes
            else:
                self.body(blob, doc.get("sha256"), doc["size"], where)
        if doc.get("sealed"):
            sealed = body_path(doc.get("sha256") or "")
            if sealed not in self.files and not self.is_hidden(sealed):
                self.problem(f"{address}: key {doc['key']!r} is sealed, but {sealed} is not in the tree")
