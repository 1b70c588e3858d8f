"""gitsnap commit --from-shards: the latest shards (see :mod:`.shards`) as one snapshot on main.

It takes the latest commit of every shard (or the named ones), merges their plans into one and
hands their units to the snapshot writer (:mod:`.write`) as the results of one capture, with
main's snapshot as the previous one. Units, resources, bodies, sealed items, what is dropped
or kept, seen-not-captured and both manifests so come from the same code as a single
capture's: the combined snapshot is what one capture with the shards' services would have
written. Main moves once, by compare-and-swap.

The combined commit names the shard commits it consumed in trailers (``Gitsnap-Shard: NAME
<commit>``, the message's last paragraph). A shard whose latest commit is one of those, or
older, is not applied again: re-applying an old reading over a newer snapshot would undo it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .. import canonical
from ..errors import GitsnapError
from ..plan import Plan, Seen
from ..secrets.guard import Guard
from ..store import ConcurrentUpdateError, RepositoryError, SnapshotStore
from ..store.revisions import TreeFiles
from ..words import plural
from .shards import SHARD_FILE, SHARD_FORMAT, TRAILER, ShardMovedError, get_shard_tips, shard_ref
from .units import UnitResult
from .write import CaptureRequest, SnapshotWriter, Tree, read_manifest

_TRAILER_LINE = re.compile(rf"^{TRAILER}: (\S+) ([0-9a-f]{{40}})$")


class NoShardsError(GitsnapError):
    """There is no shard to combine (none at all, or none by the names asked for)."""


class NothingNewError(GitsnapError):
    """Every shard asked for was already combined into main."""


class ShardConflictError(GitsnapError):
    """Two shards hold the same unit, or were made with different keys: nothing was written."""


class ShardFormatError(GitsnapError):
    """A shard commit without a readable shard.json (not made by gitsnap, or by a newer one)."""



# -- reading shards back -------------------------------------------------------------------------


@dataclass
class Shard:
    """One shard commit as read back: its name, id, shard.json and files (read lazily)."""

    name: str
    commit: str
    meta: dict[str, Any]
    files: TreeFiles

    @property
    def units(self) -> dict[str, Any]:
        return self.meta["units"]

    @property
    def failed(self) -> list[str]:
        return [p for p, u in self.units.items() if u["status"] != "ok"]


def get_shard(store: SnapshotStore, name: str, commit: str) -> Shard:
    """A shard commit and its shard.json, checked to be one this gitsnap can combine."""
    files = store.tree_files(commit)
    blob = files.get(SHARD_FILE)
    if blob is None:
        raise ShardFormatError(f"{shard_ref(name)} ({commit[:12]}) has no {SHARD_FILE}: it was not written by "
                               f"'gitsnap capture --shard'; delete the ref (git update-ref -d {shard_ref(name)})")
    meta = canonical.loads(store.read(blob))
    if not isinstance(meta, dict) or meta.get("format") != SHARD_FORMAT or not isinstance(meta.get("units"), dict):
        raise ShardFormatError(f"shard {name} ({commit[:12]}) has a {SHARD_FILE} of another format "
                               f"({meta.get('format') if isinstance(meta, dict) else '?'}): combine it with the "
                               "gitsnap that captured it, or capture that shard again")
    return Shard(name, commit, meta, files)


def get_unit_results(store: SnapshotStore, shard: Shard) -> list[UnitResult]:
    """A shard's units as the results one capture's runner would have given (files read back)."""
    out = []
    for path, u in shard.units.items():
        r = UnitResult(path, u["service"], u["account"], u["region"], status=u["status"], error=u.get("error"))
        if r.status == "ok":
            r.files = {f"{path}/{rel}": store.read(blob) for rel, blob in shard.files.under(path).items()}
            r.resources = u["resources"]
            r.blobs = {blob: list(addresses) for blob, addresses in u["blobs"].items()}
            for item in u["sealed"]:
                sealed = shard.files.get(item)
                if sealed is None:
                    raise ShardFormatError(f"shard {shard.name} ({shard.commit[:12]}) lists sealed item {item} "
                                           "but does not hold it: capture that shard again")
                r.sealed.put(item, sealed)
        out.append(r)
    return out


# -- which shards are new ------------------------------------------------------------------------


def transform_trailers(message: str) -> list[tuple[str, str]]:
    """The ``(shard name, shard commit)`` pairs a combined commit's message names: lines
    ``Gitsnap-Shard: NAME <commit>`` of its last paragraph (git's trailers). Pure."""
    paragraph = message.rstrip("\n").rsplit("\n\n", 1)[-1]
    return [(m.group(1), m.group(2)) for line in paragraph.splitlines() if (m := _TRAILER_LINE.match(line))]


def get_consumed(store: SnapshotStore, head: str | None) -> dict[str, tuple[str, str]]:
    """Per shard name, the latest shard commit main's history consumed and the commit that
    did: ``name -> (shard commit, main commit)``."""
    out: dict[str, tuple[str, str]] = {}
    if head is None:
        return out
    for entry in store.log():  # newest first: the first mention of a name is its latest
        for name, commit in transform_trailers(entry.message):
            out.setdefault(name, (commit, entry.id))
    return out


def get_stale_reason(store: SnapshotStore, name: str, tip: str, consumed: Mapping[str, tuple[str, str]]) -> str | None:
    """Why shard *name*'s latest commit *tip* must not be applied again, or None if it is new."""
    if name not in consumed:
        return None
    used, into = consumed[name]
    if tip == used:
        return f"shard {name} ({tip[:12]}) was already combined into {into[:12]}"
    try:
        older = store.reaches(used, tip)
    except RepositoryError:  # the consumed commit is not here (its shard was deleted): not older
        older = False
    if older:
        return f"shard {name} ({tip[:12]}) is older than {used[:12]}, which was combined into {into[:12]}"
    return None


# -- combining -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Recipients:
    """What the writer reads of a sealer: the digest of the recipients (manifest ``sealed_to``)."""

    digest: str | None


def transform_covered(covers: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The ``covered`` of one capture that read what each of *covers* read. Pure.

    Per account the regions and services are the union (one capture reads each service in the
    account's regions); how the regions were chosen is the configuration's, the same for all.
    """
    aws: dict[str, dict[str, Any]] = {}
    services: set[str] = set()
    for cover in covers:
        services.update(cover.get("services", []))
        for account, c in cover.get("aws", {}).items():
            mine = aws.setdefault(account, {"regions": [], "regions_from": c.get("regions_from"), "services": []})
            mine["regions"] = sorted(set(mine["regions"]) | set(c.get("regions", [])))
            mine["services"] = sorted(set(mine["services"]) | set(c.get("services", [])))
    return {"aws": dict(sorted(aws.items())), "services": sorted(services)}


def transform_plan(shards: list[Shard]) -> tuple[Plan, tuple[str, ...]]:
    """One plan covering every shard's, and the ``--only`` of one capture that reads them all
    (empty, "every service", if any shard read every service). Pure.

    Raises:
        ShardConflictError: a unit is in two shards.
    """
    owner: dict[str, str] = {}
    for shard in shards:
        for path in shard.units:
            if path in owner:
                raise ShardConflictError(f"unit {path} is in shards {owner[path]} and {shard.name}: each unit must "
                                         "come from one shard (check their --only), or combine them one at a time "
                                         "with --shard NAME; nothing was written")
            owner[path] = shard.name
    plan = Plan(covered=transform_covered(s.meta["covered"] for s in shards))
    plan.seen = [Seen(**s) for shard in shards for s in shard.meta["seen_not_captured"]]
    plan.unsure = {(a, s) for shard in shards for a, s in shard.meta["unsure"]}
    everything = any(not shard.meta["only"] for shard in shards)
    only = () if everything else tuple(sorted({svc for shard in shards for svc in shard.meta["only"]}))
    return plan, only


def _check_keys(shards: list[Shard], key_id: str) -> str | None:
    """The recipients' digest all shards sealed to; refuses shards made with other keys."""
    for shard in shards:
        if shard.meta.get("key_id") != key_id:
            raise ShardConflictError(f"shard {shard.name} was captured with fingerprint key {shard.meta.get('key_id')}, "
                                     f"this repository's is {key_id}: capture it again with GITSNAP_KEY_FILE pointing at "
                                     "the repository's key (fingerprints must match); nothing was written")
    digests = {shard.meta.get("sealed_to") for shard in shards}
    if len(digests) > 1:
        names = ", ".join(f"{s.name} ({s.meta.get('sealed_to')})" for s in shards)
        raise ShardConflictError(f"the shards sealed secrets to different recipients: {names}; capture them again "
                                 "with the same recipients (gitsnap keys show); nothing was written")
    return digests.pop()


class CombinedWriter(SnapshotWriter):
    """The snapshot writer for shards: always a commit (it records what it consumed), the
    shards named in its message's trailers, main moved by compare-and-swap or a clear error."""

    always_commit = True

    def __init__(self, store: SnapshotStore, guard: Guard, sealed_to: str | None, plan: Plan,
                 request: CaptureRequest, shards: list[Shard]) -> None:
        super().__init__(store, guard, _Recipients(sealed_to), plan, request)  # type: ignore[arg-type]
        self.shards = shards

    def commit_message(self, manifest: dict[str, Any], dropped: list[tuple[str, str]]) -> str:
        text = super().commit_message(manifest, dropped)
        if not self.request.message:
            title, rest = text.split("\n", 1)
            text = f"{title} from {plural(len(self.shards), 'shard')} ({', '.join(s.name for s in self.shards)})\n{rest}"
        return text

    def trailers(self) -> str:
        # after the message was cleaned: a shard name or commit id must reach the trailer as is
        return "\n" + "".join(f"{TRAILER}: {s.name} {s.commit}\n" for s in self.shards)

    def manifest(self, tree: Tree, seen: list[dict[str, Any]], started: float) -> dict[str, Any]:
        out = super().manifest(tree, seen, started)
        # the fan-out took as long as its slowest shard (the combine itself takes no reading)
        out["duration_seconds"] = max((s.meta.get("duration_seconds") or 0 for s in self.shards), default=0)
        return out

    def move_branch(self, head: str | None, commit: str) -> None:
        try:
            super().move_branch(head, commit)
        except ConcurrentUpdateError as exc:
            raise ShardMovedError("main moved while the shards were combined (a capture or a fetch ran meanwhile): "
                                  "nothing was changed; run 'gitsnap commit --from-shards' again") from exc


@dataclass
class Combined:
    """What a combine did: the snapshot (as a capture's result reads), the shards it applied
    and those it skipped (already combined), with why."""

    commit: str | None
    created: bool
    tag: str | None
    shards: list[Shard]
    units: list[UnitResult]
    covered: dict[str, Any]
    seen: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[UnitResult]:
        return [u for u in self.units if u.status == "failed"]


def _choose(store: SnapshotStore, names: tuple[str, ...], head: str | None) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """``([(name, commit)] to apply, [(name, why)] skipped)``."""
    tips = get_shard_tips(store)
    if not tips:
        raise NoShardsError("no shards to combine: run `gitsnap capture --shard NAME` first")
    unknown = [n for n in names if n not in tips]
    if unknown:
        raise NoShardsError(f"no shard named {unknown[0]!r} (shards here: {', '.join(sorted(tips))}): "
                            f"run `gitsnap capture --shard {unknown[0]}` first, or fetch it")
    consumed = get_consumed(store, head)
    fresh, skipped = [], []
    for name in sorted(set(names) if names else tips):
        why = get_stale_reason(store, name, tips[name], consumed)
        if why is None:
            fresh.append((name, tips[name]))
        else:
            skipped.append((name, why))
    if not fresh:
        raise NothingNewError(f"nothing new to combine: {'; '.join(why for _, why in skipped)}; "
                              "run `gitsnap capture --shard NAME` for a new reading")
    return fresh, skipped


def combine(store: SnapshotStore, guard: Guard, key_id: str, request: CaptureRequest,
            names: tuple[str, ...] = ()) -> Combined:
    """Write one snapshot on main from the latest commit of each shard (or of *names*).

    *request* gives the tag, message and --force; its ``only`` is the shards'. Main's snapshot
    is the previous one: units no shard holds are kept (or dropped) exactly as one capture of
    the shards' services would keep (or drop) them.

    Raises:
        NoShardsError, NothingNewError: nothing to combine.
        ShardConflictError: two shards hold one unit, or were made with other keys.
        ShardMovedError: main moved meanwhile (nothing was changed).
    """
    started = time.monotonic()
    with store.lock():
        head = store.head()
        fresh, skipped = _choose(store, names, head)
        shards = [get_shard(store, name, commit) for name, commit in fresh]
        sealed_to = _check_keys(shards, key_id)
        plan, only = transform_plan(shards)
        results = [r for shard in shards for r in get_unit_results(store, shard)]
        previous = store.tree_files(head)
        writer = CombinedWriter(store, guard, sealed_to, plan, replace(request, only=only, shard=None), shards)
        commit, created, dropped = writer.write(head, previous, read_manifest(store, previous), results, started)
    return Combined(commit, created, request.tag, shards, results, plan.covered,
                    [s.to_json() for s in plan.seen], skipped, dropped, time.monotonic() - started)
