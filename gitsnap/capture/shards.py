"""Shards: one capture fanned out over machines, git as the meeting point (writing one).

``gitsnap capture --shard NAME --only …`` reads its units exactly as a capture does (main's
snapshot as the previous one, so unchanged bodies are not fetched again), but writes them as
a *shard commit* on ``refs/gitsnap/shards/NAME`` instead of moving main. Its tree holds:

- the files of each unit it read, at their snapshot paths;
- the bodies those units reference (``blobs/…``) and the items they sealed (``sealed/…``),
  so fetching the shard ref brings everything the combine needs;
- ``shard.json``: what the shard covered (its ``--only``, plan coverage, seen-not-captured,
  unsure listings), each unit's status, error, resources, bodies and sealed items, the main
  commit it started from, the fingerprint key id and the recipients' digest.

Its parent is the shard ref's previous commit (none for the first). Combining the shards into
one snapshot on main is :mod:`.combine`.
"""

from __future__ import annotations

import datetime as _dt
import re
import time
from typing import Any

from .. import __version__, canonical
from ..errors import GitsnapError, UsageError
from ..layout import blob_path
from ..plan import Plan
from ..secrets.guard import Guard
from ..secrets.seal import Sealer
from ..store import RepositoryError, SnapshotStore
from ..store.revisions import SHARD_REFS
from ..words import plural
from .units import UnitResult
from .write import CaptureRequest

SHARD_FILE = "shard.json"  # at the root of a shard commit's tree
SHARD_FORMAT = 1
TRAILER = "Gitsnap-Shard"  # in a combined commit's message: "Gitsnap-Shard: NAME <shard commit>"
_HEX40 = re.compile(r"[0-9a-f]{40}")


class ShardNameError(UsageError):
    """A shard name that cannot be one component of a git ref."""


class ShardMovedError(GitsnapError):
    """A ref moved while a shard was written or shards were combined: nothing was changed."""


def shard_ref(name: str) -> str:
    """The ref a shard's commits go on. Pure."""
    return SHARD_REFS + name


def check_shard_name(store: SnapshotStore, name: str) -> None:
    """Refuse a name that is not one valid ref component (``eu``, ``s3-1``, ``batch.7``)."""
    if not name or "/" in name or not store.valid_tag_name(name):
        raise ShardNameError(f"invalid shard name {name!r}: use one word of letters, digits, '.', '-', '_' "
                             "(e.g. --shard s3-eu), no '/', no '..', not ending in '.lock'")


def get_shard_tips(store: SnapshotStore) -> dict[str, str]:
    """Every shard's name -> its latest commit, from ``refs/gitsnap/shards/*``."""
    out = {}
    for ref, value in store.refs():
        if not ref.startswith(SHARD_REFS):
            continue
        if not _HEX40.fullmatch(value):
            raise RepositoryError(f"{ref} holds {value[:60]!r}, not a commit id: delete that ref "
                                  f"(git update-ref -d {ref}) and capture that shard again")
        out[ref[len(SHARD_REFS):]] = value
    return out


def _move_ref(store: SnapshotStore, ref: str, old: str | None, new: str, what: str) -> None:
    """Compare-and-swap *ref* from *old* to *new* once every object is on disk (the store's CAS,
    which also flushes: a ref never names an object not yet written)."""
    moved = store.move_ref(ref, old, new)
    if not moved:
        raise ShardMovedError(f"{ref} moved while {what} (another run on this repository?): "
                              "nothing was changed; run it again")


# -- writing a shard -----------------------------------------------------------------------------


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def transform_shard_meta(name: str, base: str | None, request: CaptureRequest, plan: Plan,
                         results: list[UnitResult], key_id: str, sealed_to: str | None,
                         seconds: float) -> dict[str, Any]:
    """shard.json: what a shard read and everything the combine needs to replay it. Pure."""
    units: dict[str, Any] = {}
    for r in results:
        unit: dict[str, Any] = {"status": r.status, "service": r.service, "account": r.account, "region": r.region}
        if r.status != "ok":
            unit["error"] = r.error
        else:
            unit["resources"] = r.resources
            unit["blobs"] = {blob: sorted(set(addresses)) for blob, addresses in r.blobs.items()}
            unit["sealed"] = sorted(r.sealed.items)
        units[r.path] = unit
    return {
        "format": SHARD_FORMAT,
        "name": name,
        "base": base,
        "tool": {"name": "gitsnap", "version": __version__},
        "captured_at": _now(),
        "duration_seconds": round(seconds, 3),
        "only": sorted(request.only),
        "key_id": key_id,
        "sealed_to": sealed_to,
        "covered": plan.covered,
        "seen_not_captured": sorted((s.to_json() for s in plan.seen), key=lambda s: (s["address"], s["account"])),
        "unsure": sorted([a, s] for a, s in plan.unsure),
        "units": dict(sorted(units.items())),
    }


def transform_shard_message(meta: dict[str, Any], title: str | None) -> str:
    """A shard commit's message: its units as a snapshot's message lists them, and its base. Pure."""
    lines = [title or f"shard {meta['name']} {meta['captured_at']}", ""]
    for path, unit in meta["units"].items():
        if unit["status"] == "ok":
            lines.append(f"{path}: {plural(len(unit['resources']), 'resource')}")
        else:
            lines.append(f"{path}: [failed] {unit.get('error') or ''}".rstrip())
    lines += ["", f"started from main {meta['base'] or '(no snapshot yet)'}", "", f"gitsnap {__version__}"]
    return "\n".join(lines) + "\n"


class ShardWriter:
    """Writes one capture's results as a shard commit on ``refs/gitsnap/shards/NAME``."""

    def __init__(self, store: SnapshotStore, guard: Guard, sealer: Sealer | None, plan: Plan,
                 request: CaptureRequest, key_id: str) -> None:
        if request.shard is None:
            raise ValueError("a ShardWriter needs request.shard")
        self.store = store
        self.guard = guard
        self.sealer = sealer
        self.plan = plan
        self.request = request
        self.name = request.shard
        self.key_id = key_id

    def write(self, base: str | None, results: list[UnitResult], started: float) -> str:
        """The shard commit (always a new one: each is a reading to combine); its id."""
        ref = shard_ref(self.name)
        old = get_shard_tips(self.store).get(self.name)
        meta = transform_shard_meta(self.name, base, self.request, self.plan, results, self.key_id,
                                    self.sealer.digest if self.sealer else None, time.monotonic() - started)
        files: dict[str, str] = {}
        for r in results:
            if r.status != "ok":
                continue
            for path, data in r.files.items():
                files[path] = self.store.add_bytes(data)
            for blob in r.blobs:
                files[blob_path(blob)] = blob
            files.update(r.sealed.items)
        files[SHARD_FILE] = self.store.add_bytes(canonical.dumps(meta))
        root = self.store.write_tree(files, self.store.root_tree(old) if old else None)
        message = self.guard.clean_text(transform_shard_message(meta, self.request.message))
        commit = self.store.commit(root, old, message)
        _move_ref(self.store, ref, old, commit, f"shard {self.name} was written")
        return commit


