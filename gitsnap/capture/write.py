"""Writing a capture: the new tree, the manifests, the commit, the branch, the tag.

The new tree is the previous one with each successfully read unit's subtree replaced. Units
not read (``--only``) or failed (``--allow-partial``) keep theirs, with their bodies; a unit
the plan no longer has is dropped and named. Every object is written first; the branch moves
last, by compare-and-swap, and the tag after it. If nothing changed outside the manifests,
there is no commit.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import __version__, canonical
from ..flow import flow_map
from ..layout import (
    FLOW_JSON,
    MANIFEST_FILES,
    MANIFEST_JSON,
    MANIFEST_MD,
    OBJECT_INDEX,
    ObjectEntry,
    blob_path,
    load_index,
    new_lines,
)
from ..manifest import ManifestSections, dump_manifest, render_markdown
from ..plan import Plan, unit_key
from ..secrets.guard import Guard
from ..secrets.seal import Sealer
from ..store import SnapshotStore
from ..store.loose import git_blob_id
from ..store.revisions import TreeFiles, files_under
from ..store.snapshot import Snapshot
from ..store.trees import transform_ids, transform_nest
from .finish import unique_addresses
from .units import UnitResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CaptureRequest:
    tag: str | None = None
    message: str | None = None
    only: tuple[str, ...] = ()
    allow_partial: bool = False
    force: bool = False
    lightsail_snapshot: bool = False
    restore_archived: int | None = None  # days: ask S3 to restore archived objects (Bulk tier)


def read_manifest(store: SnapshotStore, files: Mapping[str, str]) -> Mapping[str, Any]:
    """A snapshot's manifest.json (``{}`` for none: the first capture), each section parsed
    when first read (its ``bodies`` map, 20 MB at 100,000 bodies, only when a commit needs it)."""
    blob = files.get(MANIFEST_JSON)
    return ManifestSections(store.read(blob)) if blob else {}


def left_out(service: str, only: tuple[str, ...]) -> bool:
    """Whether --only left *service* out of this capture (so its units were not read). Pure."""
    return bool(only) and service not in only


@dataclass
class Tree:
    """The new snapshot's contents, before the manifests: files by path (git ids), and the
    manifest's units, resources, bodies and sealed items.

    ``bodies`` holds the bodies kept with a unit from the previous manifest (described);
    ``body_units`` the units of this capture that reference each body. The manifest's
    ``bodies`` map (sha256 and size of each) is made only when there is a commit to write.
    """

    files: dict[str, str]
    units: dict[str, Any]
    resources: list[tuple[str, dict[str, Any]]]
    bodies: dict[str, dict[str, Any]]
    sealed: dict[str, dict[str, Any]]
    dropped: list[tuple[str, str]]
    body_units: dict[str, set[str]] = field(default_factory=dict)


class SnapshotWriter:
    """Writes one capture's results as a commit on the store's branch (under its lock)."""

    def __init__(self, store: SnapshotStore, guard: Guard, sealer: Sealer | None, plan: Plan,
                 request: CaptureRequest) -> None:
        self.store = store
        self.guard = guard
        self.sealer = sealer
        self.plan = plan
        self.request = request

    def write(self, head: str | None, previous: Mapping[str, str], prev_manifest: Mapping[str, Any],
              results: list[UnitResult], started: float) -> tuple[str | None, bool, list[tuple[str, str]]]:
        """(commit, whether it is new, units dropped with why): the commit is *head* when
        nothing changed (then only the tag moves)."""
        request = self.request
        tree = self.tree(previous, prev_manifest, results)
        seen = self.seen(prev_manifest)
        failed = any(r.status == "failed" for r in results)
        unchanged = (same_files(tree.files, previous)
                     and set(tree.units) == set(prev_manifest.get("units", {}))
                     and seen == prev_manifest.get("seen_not_captured", []))
        recovered = any(u.get("status") == "failed" for u in prev_manifest.get("units", {}).values())
        if head is not None and unchanged and not failed and not recovered:
            log.info("no change since %s: no commit", head[:12])
            if request.tag:
                self.store.tag(request.tag, head, self.tag_message(), force=request.force)
            return head, False, tree.dropped

        describe_bodies(tree, results, prev_manifest, lambda path: _read_at(self.store, previous, path))
        manifest = self.manifest(tree, seen, started)
        files = dict(tree.files)
        files[MANIFEST_JSON] = self.store.add_bytes(dump_manifest(manifest))
        files[MANIFEST_MD] = self.store.add_bytes(render_markdown(manifest).encode())
        snapshot = Snapshot(self.store, None, files, manifest.get("resources", {}))
        files[FLOW_JSON] = self.store.add_bytes(canonical.dumps(flow_map(snapshot.resources, snapshot.document)))
        root = self.store.write_tree(files, previous.root if isinstance(previous, TreeFiles) else None)
        message = self.guard.clean_text(self.commit_message(manifest, tree.dropped))
        commit = self.store.commit(root, head, message)
        self.store.advance(head, commit)
        if request.tag:
            self.store.tag(request.tag, commit, self.tag_message(), force=request.force)
        return commit, True, tree.dropped

    def tree(self, previous: Mapping[str, str], prev_manifest: Mapping[str, Any], results: list[UnitResult]) -> Tree:
        """The previous tree with each read unit's subtree replaced; kept and dropped units."""
        tree = Tree({}, {}, [], {}, {}, [])
        self._keep_previous(tree, previous, prev_manifest, results)
        for r in results:
            if r.status != "ok":
                tree.units.setdefault(r.path, {"status": "failed", "resources": 0, "service": r.service,
                                               "account": r.account, "region": r.region})
                tree.units[r.path].update(status="failed", error=r.error)
                continue
            for path, data in r.files.items():
                tree.files[path] = self.store.add_bytes(data)
            tree.resources.extend(r.resources.items())
            for blob in r.blobs:
                units = tree.body_units.get(blob)
                if units is None:
                    tree.body_units[blob] = {r.path}
                else:
                    units.add(r.path)
            for item, blob in r.sealed.items.items():
                info = tree.sealed.setdefault(item, {"units": [], "blob": blob})
                info["units"] = sorted(set(info["units"]) | {r.path})
            tree.units[r.path] = {"status": "ok", "service": r.service, "account": r.account,
                                  "region": r.region, "resources": len(r.resources)}
        for blob in (*tree.bodies, *tree.body_units):
            tree.files[blob_path(blob)] = blob
        for item, info in tree.sealed.items():
            tree.files[item] = info.pop("blob")
        return tree

    def _keep_previous(self, tree: Tree, previous: Mapping[str, str], prev_manifest: Mapping[str, Any],
                       results: list[UnitResult]) -> None:
        # A previous unit keeps its subtree when it failed now (--allow-partial), when it was
        # not read now (--only left its service out), or when this capture could not tell
        # whether it still exists (a listing that locates its resources failed). Any other is
        # not in this capture's plan: a full capture is its plan, so the unit is gone (a
        # configuration change, named in the summary), never kept as if it were still read.
        captured = {r.path for r in results if r.status == "ok"}
        failed = {r.path for r in results if r.status == "failed"}
        for path, info in prev_manifest.get("units", {}).items():
            if path in captured:
                continue
            unsure = unit_key(path) in self.plan.unsure
            if not (path in failed or unsure or left_out(unit_key(path)[1], self.request.only)):
                tree.dropped.append((path, f"not in this capture's plan: {self.plan.why_not(path)}"))
                continue
            kept = dict(info, status="failed" if path in failed or unsure else info.get("status", "ok"))
            if unsure and path not in failed:
                kept["error"] = "not read: its resources could not be listed (see the other units)"
            tree.units[path] = kept
            prefix = path + "/"
            tree.files.update(files_under(previous, path))
            tree.resources.extend((a, r) for a, r in prev_manifest.get("resources", {}).items()
                                  if r["path"].startswith(prefix) or r["path"] == path)
            for blob, body in prev_manifest.get("bodies", {}).items():
                if path in body.get("units", []):
                    tree.bodies[blob] = dict(body)
            for item, sealed in prev_manifest.get("sealed", {}).items():
                if path in sealed.get("units", []) and item in previous:
                    tree.sealed[item] = dict(sealed, blob=previous[item])

    def seen(self, prev_manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Seen, not captured: this plan's, and the previous snapshot's for what it did not list."""
        seen = [s.to_json() for s in self.plan.seen]
        seen += [s for s in prev_manifest.get("seen_not_captured", [])
                 if left_out(s["service"], self.request.only) or (s["account"], s["service"]) in self.plan.unsure]
        return sorted(seen, key=lambda s: (s["address"], s["account"]))

    def manifest(self, tree: Tree, seen: list[dict[str, Any]], started: float) -> dict[str, Any]:
        captured_at = _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        return {
            "format": 1,
            "tool": {"name": "gitsnap", "version": __version__},
            "captured_at": captured_at,
            "duration_seconds": round(time.monotonic() - started, 3),
            "units": dict(sorted(tree.units.items())),
            "resources": unique_addresses(tree.resources),
            "bodies": dict(sorted(tree.bodies.items())),
            "sealed": dict(sorted(tree.sealed.items())),
            "sealed_to": self.sealer.digest if self.sealer else None,
            "covered": self.plan.covered,
            "seen_not_captured": seen,
            "totals": {
                "resources": len(tree.resources),
                "bodies": len(tree.bodies),
                "body_bytes": sum(b.get("size", 0) for b in tree.bodies.values()),
                "unreadable_objects": sum(r.get("unreadable", 0) for _, r in tree.resources),
            },
        }

    def commit_message(self, manifest: dict[str, Any], dropped: list[tuple[str, str]]) -> str:
        title = self.request.message or f"capture {manifest['captured_at']}"
        lines = [title, ""]
        for path, unit in manifest["units"].items():
            status = unit.get("status", "ok")
            lines.append(f"{path}: {unit.get('resources', 0)} resources{'' if status == 'ok' else ' [' + status + ']'}")
            if status == "failed":
                lines.append(f"  not read, previous state kept: {unit.get('error') or 'see manifest.json'}")
        lines.extend(f"no longer captured: {path} ({why})" for path, why in dropped)
        if manifest["seen_not_captured"]:
            lines.append(f"seen, not captured: {len(manifest['seen_not_captured'])} (manifest.json seen_not_captured)")
        lines.append("")
        lines.append(f"gitsnap {__version__}")
        return "\n".join(lines) + "\n"

    def tag_message(self) -> str:
        return self.guard.clean_text(self.request.message or f"gitsnap snapshot {self.request.tag}")


def same_files(files: dict[str, str], previous: Mapping[str, str]) -> bool:
    """Whether *files* are the previous snapshot's, its manifests aside.

    Against a snapshot's trees this is one tree id compared: the new tree's, given the
    previous manifests, computed without writing or reading any tree (100,000 bodies are
    100,000 tree entries; reading them back to compare path by path cost more).
    """
    if isinstance(previous, TreeFiles):
        kept = {name: blob for name in MANIFEST_FILES if (blob := previous.get(name)) is not None}
        return transform_ids(transform_nest({**files, **kept})) == previous.root if previous.root else not files
    return files == {p: b for p, b in previous.items() if p not in MANIFEST_FILES}


def _read_at(store: SnapshotStore, files: Mapping[str, str], path: str) -> tuple[str, bytes] | None:
    """``(blob id, bytes)`` of the file at *path* in *files*, or None."""
    blob = files.get(path)
    return (blob, store.read(blob)) if blob is not None else None


def describe_bodies(tree: Tree, results: list[UnitResult], prev_manifest: Mapping[str, Any],
                    previous_file: Callable[[str], tuple[str, bytes] | None] = lambda _path: None) -> None:
    """The manifest's ``bodies`` map in *tree*: units, sha256 and size of every body, from this
    run's index lines or the previous manifest.

    A bucket's ``objects.jsonl`` is canonical, one line per key: a line the previous snapshot's
    index at the same path also had describes a body the previous manifest describes, so only
    the new lines are parsed (100 of 100,000 for a 100-change capture). What the previous
    manifest does not describe is read from the whole index, as before.
    """
    bodies = tree.bodies
    for blob, units in tree.body_units.items():
        body = bodies.setdefault(blob, {"units": []})
        body["units"] = sorted(set(body["units"]) | units)
    known = prev_manifest.get("bodies", {}) if bodies else {}
    partial: list[bytes] = []
    for r in results:
        for path, data in r.files.items():
            if path.endswith("/" + OBJECT_INDEX):
                before = previous_file(path) if known else None
                if before is not None and before[0] == git_blob_id(data):
                    partial.append(data)
                    continue
                lines = new_lines(before[1], data) if before is not None else None
                if lines is not None:
                    partial.append(data)
                _describe_index(bodies, load_index(data) if lines is None else load_index(lines))
            elif path.endswith("/function.json"):
                code = json.loads(data).get("Code") or {}
                if code.get("blob") in bodies:
                    bodies[code["blob"]].update(sha256=code["sha256"], size=code["size"])
    missing = False
    for blob, body in bodies.items():
        if "sha256" not in body:
            if blob in known:
                body.update(sha256=known[blob].get("sha256"), size=known[blob].get("size"))
            else:
                missing = True
    if missing:  # the previous manifest did not describe an unchanged line's body: read it all
        for data in partial:
            _describe_index(bodies, load_index(data), only_missing=True)


def _describe_index(bodies: dict[str, dict[str, Any]], entries: Iterable[ObjectEntry], only_missing: bool = False) -> None:
    """sha256 and size of the bodies of *entries* (with *only_missing*: of those without them yet)."""
    for e in entries:
        body = bodies.get(e.blob) if e.blob else None
        if body is not None and not (only_missing and "sha256" in body):
            body.update(sha256=e.sha256, size=e.size)
