"""What the history page reads: the snapshots in the window, what changed in each, the run log.

Which addresses changed between a snapshot and its parent is asked of diff.py
(:func:`~gitsnap.diff.resource_differs`: a status-only difference is no change, as in
``gitsnap diff``). A unit whose folder has the same tree id on both sides is skipped unread,
so a night that changed one bucket reads that bucket's unit, not the whole estate.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any

from .. import labels
from ..diff import resource_differs
from ..layout import MANIFEST_JSON
from ..manifest import ManifestSections
from ..runlog import RunEntry, read_runs
from ..store import SnapshotStore
from ..store.revisions import TreeFiles
from ..store.snapshot import Snapshot
from .model import Changed, Night, service_of, unit_of

MAX_LABELLED = 300  # changed resources per night whose document is read for a label (the page lists as many)


def get_snapshot(store: SnapshotStore, commit: str) -> tuple[Snapshot, Mapping[str, Any]]:
    """A snapshot read lazily (trees only as far as asked) and its manifest's units."""
    files = store.tree_files(commit)
    blob = files.get(MANIFEST_JSON)
    manifest: Mapping[str, Any] = ManifestSections(store.read(blob)) if blob is not None else {}
    return Snapshot(store, commit, files, manifest.get("resources", {})), manifest.get("units", {})


def get_changed(a: Snapshot, b: Snapshot) -> list[Changed]:
    """The addresses that differ from *a* to *b*: added, removed or changed, each with the name
    people know it by (labels.py) from the side that holds it."""
    same: dict[str, bool] = {}

    def unit_same(path: str) -> bool:
        unit = unit_of(path)
        if unit not in same:
            ids = [s.files.folder_id(unit) if isinstance(s.files, TreeFiles) else None for s in (a, b)]
            same[unit] = ids[0] is not None and ids[0] == ids[1]
        return same[unit]

    out = []
    for address in sorted(set(a.resources) | set(b.resources)):
        ra, rb = a.resources.get(address), b.resources.get(address)
        if ra is None or rb is None:
            info = rb if ra is None else ra
            kind = "added" if ra is None else "removed"
        elif not (ra["path"] == rb["path"] and unit_same(rb["path"])) and resource_differs(address, a, b):
            info, kind = rb, "changed"
        else:
            continue
        holder = a if kind == "removed" else b
        name = labels.of_snapshot(holder, address) if len(out) < MAX_LABELLED else None
        out.append(Changed(service_of(info["path"]), address, kind, name))
    return out


def get_nights(store: SnapshotStore, since: _dt.datetime) -> list[Night]:
    """The snapshots on ``main`` committed at or after *since*, oldest first, each with what
    changed since its (first) parent, which may be older than *since*."""
    cutoff = since.timestamp()
    # the log is newest first along the parents: reversed, it is oldest first even when two
    # snapshots share a second
    entries = [info for info in reversed(store.log()) if info.time >= cutoff]
    nights = []
    loaded: dict[str, Snapshot] = {}  # the last snapshot read: the next one's parent, most nights
    for info in entries:
        snap, units = get_snapshot(store, info.id)
        parent = info.parents[0] if info.parents else None
        changes: list[Changed] = []
        if parent is not None:
            before = loaded.get(parent) or get_snapshot(store, parent)[0]
            changes = get_changed(before, snap)
        failed = tuple(sorted(p for p, u in units.items() if isinstance(u, dict) and u.get("status") == "failed"))
        nights.append(Night(info.id, info.time, info.tags, parent, tuple(changes), failed, len(snap.resources)))
        loaded = {info.id: snap}
    return nights


def get_runs(store: SnapshotStore, since: _dt.datetime) -> list[RunEntry]:
    """The run log's entries at or after *since*, oldest first."""
    return [r for r in read_runs(store.path) if r.when >= since]
