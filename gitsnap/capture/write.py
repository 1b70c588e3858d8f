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
from collections.abc import Mapping
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
    blob_path,
)
from ..manifest import (
    FORMAT,
    ManifestSections,
    code_records,
    dump_manifest,
    index_records,
    render_markdown,
)
from ..plan import Plan, unit_key
from ..secrets.guard import Guard
from ..secrets.seal import Sealer
from ..store import SnapshotStore
from ..store.revisions import TreeFiles, files_under
from ..store.snapshot import Snapshot
from ..store.trees import transform_ids, transform_nest
from ..words import plural
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
    shard: str | None = None  # write a shard commit on refs/gitsnap/shards/<shard>, not a snapshot (shards.py)


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
    ``body_units`` the units of this capture that reference each body (a unit's path, or a
    set of them when several do: one string shared by 100,000 bodies, not 100,000 sets);
    ``kept_indexes`` the object indexes of kept units (their bodies are described there).
    The manifest's ``bodies`` map and ``totals`` are made only when there is a commit to write.
    """

    files: dict[str, str]
    units: dict[str, Any]
    resources: list[tuple[str, dict[str, Any]]]
    bodies: dict[str, dict[str, Any]]
    sealed: dict[str, dict[str, Any]]
    dropped: list[tuple[str, str]]
    body_units: dict[str, str | set[str]] = field(default_factory=dict)
    kept_indexes: list[bytes] = field(default_factory=list)
    body_totals: tuple[int, int] = (0, 0)  # (bodies, bytes) of every body of the snapshot


class SnapshotWriter:
    """Writes one capture's results as a commit on the store's branch (under its lock).

    ``always_commit``: write a commit even when nothing changed (a combine of shards must
    record which shard commits it consumed, changed or not).
    """

    always_commit = False

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
        if head is not None and unchanged and not failed and not recovered and not self.always_commit:
            log.info("no change since %s: no commit", head[:12])
            if request.tag:
                self.store.tag(request.tag, head, self.tag_message(), force=request.force)
            return head, False, tree.dropped

        describe_bodies(tree, results, prev_manifest)
        manifest = self.manifest(tree, seen, started)
        files = dict(tree.files)
        files[MANIFEST_JSON] = self.store.add_bytes(dump_manifest(manifest))
        files[MANIFEST_MD] = self.store.add_bytes(render_markdown(manifest).encode())
        snapshot = Snapshot(self.store, None, files, manifest.get("resources", {}))
        files[FLOW_JSON] = self.store.add_bytes(canonical.dumps(flow_map(snapshot.resources, snapshot.document)))
        root = self.store.write_tree(files, previous.root if isinstance(previous, TreeFiles) else None)
        message = self.guard.clean_text(self.commit_message(manifest, tree.dropped)) + self.trailers()
        commit = self.store.commit(root, head, message)
        self.move_branch(head, commit)
        if request.tag:
            self.store.tag(request.tag, commit, self.tag_message(), force=request.force)
        return commit, True, tree.dropped

    def move_branch(self, head: str | None, commit: str) -> None:
        """Move the branch from *head* to *commit* by compare-and-swap (the last step but the tag)."""
        self.store.advance(head, commit)

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
            body_units, unit = tree.body_units, r.path
            for blob in r.blobs:
                units = body_units.setdefault(blob, unit)
                if units is not unit and units != unit:
                    body_units[blob] = (units | {unit}) if isinstance(units, set) else {units, unit}
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
            kept_files = files_under(previous, path)
            tree.files.update(kept_files)
            tree.resources.extend((a, r) for a, r in prev_manifest.get("resources", {}).items()
                                  if r["path"].startswith(prefix) or r["path"] == path)
            for blob, body in prev_manifest.get("bodies", {}).items():
                if path in body.get("units", []):
                    tree.bodies[blob] = dict(body)
            self._keep_index_bodies(tree, kept_files, path)
            for item, sealed in prev_manifest.get("sealed", {}).items():
                if path in sealed.get("units", []) and item in previous:
                    tree.sealed[item] = dict(sealed, blob=previous[item])

    def _keep_index_bodies(self, tree: Tree, kept_files: Mapping[str, str], unit: str) -> None:
        """The bodies a kept unit's object indexes describe stay in the tree under ``blobs/``
        (a format 2 manifest does not list them; a format 1 one did, and agrees)."""
        described = {"units": [unit]}  # one record shared by all of them (never changed in place)
        for path, blob in kept_files.items():
            if path.endswith("/" + OBJECT_INDEX):
                data = self.store.read(blob)
                tree.kept_indexes.append(data)
                for doc in index_records(data):
                    body = doc.get("blob")
                    if body and body not in tree.bodies:
                        tree.bodies[body] = described

    def seen(self, prev_manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Seen, not captured: this plan's, and the previous snapshot's for what it did not list."""
        seen = [s.to_json() for s in self.plan.seen]
        seen += [s for s in prev_manifest.get("seen_not_captured", [])
                 if left_out(s["service"], self.request.only) or (s["account"], s["service"]) in self.plan.unsure]
        return sorted(seen, key=lambda s: (s["address"], s["account"]))

    def manifest(self, tree: Tree, seen: list[dict[str, Any]], started: float) -> dict[str, Any]:
        captured_at = _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        return {
            "format": FORMAT,
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
                "bodies": tree.body_totals[0],
                "body_bytes": tree.body_totals[1],
                "unreadable_objects": sum(r.get("unreadable", 0) for _, r in tree.resources),
            },
        }

    def commit_message(self, manifest: dict[str, Any], dropped: list[tuple[str, str]]) -> str:
        title = self.request.message or f"capture {manifest['captured_at']}"
        lines = [title, ""]
        for path, unit in manifest["units"].items():
            status = unit.get("status", "ok")
            lines.append(f"{path}: {plural(unit.get('resources', 0), 'resource')}{'' if status == 'ok' else ' [' + status + ']'}")
            if status == "failed":
                lines.append(f"  not read, previous state kept: {unit.get('error') or 'see manifest.json'}")
        lines.extend(f"no longer captured: {path} ({why})" for path, why in dropped)
        if manifest["seen_not_captured"]:
            lines.append(f"seen, not captured: {len(manifest['seen_not_captured'])} (manifest.json seen_not_captured)")
        lines.append("")
        lines.append(f"gitsnap {__version__}")
        return "\n".join(lines) + "\n"

    def trailers(self) -> str:
        """Lines appended to the commit message after it was cleaned: ids, never values."""
        return ""

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


def describe_bodies(tree: Tree, results: list[UnitResult], prev_manifest: Mapping[str, Any]) -> None:
    """The manifest's ``bodies`` map in *tree* (format 2), and the totals of every body.

    A body an object index describes (blob, sha256, size: every S3 object) is left out of the
    map: the index says it. Each index is read in one pass for the totals, which count each
    body once (the same bytes under two keys or buckets are one blob). Any other body (Lambda
    code, layer versions) is listed with its units, sha256 and size, from the document that
    records it or, failing that, the previous manifest.
    """
    pending: dict[str, Any] = dict(tree.body_units)  # blob -> its units (a path or a set): no dict each yet
    for blob in tree.bodies:
        pending.setdefault(blob, None)
    indexes = [data for r in results for path, data in r.files.items() if path.endswith("/" + OBJECT_INDEX)]
    count = size = 0
    for data in (*indexes, *tree.kept_indexes):
        for doc in index_records(data):
            blob = doc.get("blob")
            if blob and pending.pop(blob, pending) is not pending:
                count += 1
                size += doc["size"]
    listed: dict[str, dict[str, Any]] = {}
    for blob, units in pending.items():
        kept = tree.bodies.get(blob) or {}
        mine = set() if units is None else {units} if isinstance(units, str) else units
        listed[blob] = {**kept, "units": sorted(mine | set(kept.get("units", [])))}
    if listed:
        _describe_listed(listed, results, prev_manifest)
    tree.bodies = listed
    tree.body_totals = (count + len(listed), size + sum(b.get("size") or 0 for b in listed.values()))


def _describe_listed(listed: dict[str, dict[str, Any]], results: list[UnitResult], prev_manifest: Mapping[str, Any]) -> None:
    """sha256 and size of the bodies no index describes: from this run's documents (a code
    record beside the blob id), else from the previous manifest."""
    for r in results:
        for path, data in r.files.items():
            if not path.endswith(".json") or b'"blob"' not in data:
                continue
            for blob, sha256, size in code_records(json.loads(data), listed):
                listed[blob].update(sha256=sha256, size=size)
    missing = [body for body in listed.items() if "sha256" not in body[1]]
    known = prev_manifest.get("bodies", {}) if missing else {}  # format 1: 22 MB, parsed only if needed
    for blob, body in missing:
        if blob in known:
            body.update(sha256=known[blob].get("sha256"), size=known[blob].get("size"))
