"""The keep policy of ``gitsnap forget``: which snapshots a retention policy keeps, and why. Pure.

The model (what ``docs/operations.md`` tells users; store/forget.py reads main and rewrites it):

- **A snapshot** is a commit on ``refs/heads/main``, which is linear (one parent each); annotated
  tags name some of them. A snapshot's **date** is its commit time, read in the commit's own time
  zone (capture writes UTC: ``store/repo.py`` ``commit()``), so "daily" means a calendar day of the
  machine that captured.
- **The policy** is restic's (``restic forget``), learnt from its ``snapshot_policy.go``: the
  snapshots are read newest first (main's order, as ``git log`` lists them) and each rule keeps
  the newest snapshot of each of its last N buckets, counting only buckets that have a snapshot:
  ``--keep-last N`` (each snapshot its own bucket), ``--keep-daily N`` (calendar day),
  ``--keep-weekly N`` (ISO week), ``--keep-monthly N``, ``--keep-yearly N``; ``-1`` means every
  bucket. A rule that still has buckets left when it reaches the oldest snapshot keeps that one too
  ("oldest daily snapshot"), so a young repository keeps its whole reach back. ``--keep-tag GLOB``
  (repeatable) keeps every snapshot with a tag matching the glob (``fnmatch``, e.g. ``'v*'``, which
  is what people want: nightly tags come and go, release tags stay); tags are not counted.
  A snapshot is kept if any rule keeps it; the reasons are listed, as restic does. **The newest
  snapshot (main's tip) is always kept.** No rule at all is refused (it would forget everything).
- **The new parents.** :func:`transform_parents` says, for a chain and the commits kept, which
  kept commits get a new parent (every one newer than the oldest forgotten one).
"""

from __future__ import annotations

import datetime
import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    """How many buckets of each kind to keep (0: the rule is off; -1: every bucket), and tag globs."""

    last: int = 0
    daily: int = 0
    weekly: int = 0
    monthly: int = 0
    yearly: int = 0
    tags: tuple[str, ...] = ()

    def empty(self) -> bool:
        """Whether no rule is given (then everything but the newest would go)."""
        return not self.tags and not any((self.last, self.daily, self.weekly, self.monthly, self.yearly))


@dataclass(frozen=True)
class Snap:
    """One snapshot as the policy sees it."""

    id: str
    time: int  # seconds since the epoch (the commit time)
    offset: int = 0  # the commit's time zone, seconds east of UTC
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    """A snapshot and why it is kept (no reasons: it is forgotten)."""

    snapshot: Snap
    reasons: tuple[str, ...]

    @property
    def keep(self) -> bool:
        return bool(self.reasons)


def _local(snap: Snap) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(snap.time + snap.offset, datetime.UTC)


def _bucket(kind: str, snap: Snap, nr: int) -> object:
    """The bucket a snapshot falls in for one rule. Pure."""
    if kind == "last":
        return nr
    when = _local(snap)
    if kind == "daily":
        return when.date()
    if kind == "weekly":
        iso = when.isocalendar()
        return iso.year, iso.week
    if kind == "monthly":
        return when.year, when.month
    return when.year


_RULES = ("last", "daily", "weekly", "monthly", "yearly")
_REASON = {"last": "last snapshot", "daily": "daily snapshot", "weekly": "weekly snapshot",
           "monthly": "monthly snapshot", "yearly": "yearly snapshot"}
NEWEST = "newest snapshot (main's tip, always kept)"


def transform_policy(snapshots: Sequence[Snap], policy: Policy) -> list[Decision]:
    """Which of *snapshots* (newest first, main's order) *policy* keeps, and why. Pure.

    Each rule walks the snapshots newest first and keeps a snapshot whose bucket differs from
    the last bucket it kept, while it has buckets left; the oldest snapshot is kept by a rule
    that still has buckets left when it gets there. The first snapshot (the newest) is always
    kept.
    """
    left = {kind: getattr(policy, kind) for kind in _RULES}
    last: dict[str, object] = {}
    out = []
    for nr, snap in enumerate(snapshots):
        reasons = [f"tag {tag} matches {glob!r}" for glob in policy.tags for tag in snap.tags
                   if fnmatch.fnmatchcase(tag, glob)]
        oldest = nr == len(snapshots) - 1
        for kind in _RULES:
            if left[kind] == 0:
                continue
            value = _bucket(kind, snap, nr)
            if kind in last and value == last[kind] and not oldest:
                continue
            reasons.append(f"oldest {_REASON[kind]}" if kind in last and value == last[kind] else _REASON[kind])
            last[kind] = value
            if left[kind] > 0:
                left[kind] -= 1
        if nr == 0 and not reasons:
            reasons.append(NEWEST)
        out.append(Decision(snap, tuple(reasons)))
    return out


def transform_parents(chain: Sequence[str], keep: set[str]) -> dict[str, str | None]:
    """For each kept commit of *chain* (oldest first) whose parent changes, its new parent
    (the old id of the kept commit before it; None: it becomes the first). Pure.

    A kept commit older than every forgotten one keeps its parent (and so its id).
    """
    out: dict[str, str | None] = {}
    previous: str | None = None
    changed = False
    for cid in chain:
        if cid not in keep:
            changed = True
            continue
        if changed:
            out[cid] = previous
        previous = cid
    return out
