"""What the history page shows, as plain records: nights, runs, the timeline's columns. Pure.

A *night* is one snapshot (a commit on ``main``) with the addresses that changed since its
parent, grouped by service. A *run* is one line of the run log (runlog.py): the capture that
made a night, or a run that left no commit (a failed capture, a capture that found nothing
changed, a drift check). The timeline has one column per night and one per run that left no
night, in time order.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..errors import UsageError
from ..runlog import RunEntry

DEFAULT_SINCE = "90d"
_SPAN = re.compile(r"(\d{1,5})([dw])")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class SinceError(UsageError):
    """``--since`` is neither a span (90d, 12w) nor a date (2026-09-01)."""


@dataclass(frozen=True)
class Changed:
    """One address that changed from a snapshot's parent to it."""

    service: str
    address: str
    kind: str  # added | removed | changed
    label: str | None = None  # the name people know it by (labels.py), shown beside the address


@dataclass(frozen=True)
class Night:
    """One snapshot and what changed since its parent."""

    commit: str
    time: int  # commit time, seconds since the epoch (UTC)
    tags: tuple[str, ...] = ()
    parent: str | None = None
    changes: tuple[Changed, ...] = ()
    failed_units: tuple[str, ...] = ()  # units whose status is "failed" in its manifest: a partial snapshot
    resources: int = 0  # resources the snapshot holds

    @property
    def first(self) -> bool:
        """The first snapshot: everything in it is new, nothing is a change."""
        return self.parent is None


@dataclass(frozen=True)
class Column:
    """One column of the timeline: a night (with the capture run that made it, if logged), or a
    run that left no night."""

    time: int
    night: Night | None = None
    run: RunEntry | None = None

    @property
    def anchor(self) -> str:
        """The id of the section this column links to."""
        if self.night is not None:
            return f"n-{self.night.commit[:12]}"
        assert self.run is not None
        return f"r-{self.time}-{self.run.command}"

    @property
    def markers(self) -> tuple[str, ...]:
        """What the column is marked with: ``first``, ``partial``, ``failed``, ``drift``,
        ``no-drift``, ``unchanged`` (a capture that found nothing to commit)."""
        out = []
        if self.night is not None:
            if self.night.first:
                out.append("first")
            if self.night.failed_units or (self.run is not None and self.run.outcome == "partial"):
                out.append("partial")
        elif self.run is not None:
            out.append({"ok": "unchanged", "changes": "unchanged"}.get(self.run.outcome, self.run.outcome))
        return tuple(out)


def service_of(path: str) -> str:
    """The service a snapshot path belongs to: the segment after account and region under
    ``aws/`` (``aws/<account>/<region>/<service>/...``), else the provider (``gas``, ``local``). Pure."""
    parts = path.split("/")
    return parts[3] if parts[0] == "aws" and len(parts) > 3 else parts[0]


def unit_of(path: str) -> str:
    """The folder of the unit a snapshot path belongs to (``aws/<a>/<r>/<service>``, ``gas``). Pure."""
    parts = path.split("/")
    return "/".join(parts[:4]) if parts[0] == "aws" and len(parts) > 3 else parts[0]


def transform_since(text: str | None, now: _dt.datetime) -> _dt.datetime:
    """The start of the window ``--since`` names: ``90d``, ``12w`` back from *now*, or a UTC date. Pure.

    Raises:
        SinceError: anything else (one line: what was given, what to give).
    """
    value = (text or DEFAULT_SINCE).strip()
    span = _SPAN.fullmatch(value)
    if span and int(span.group(1)) > 0:
        days = int(span.group(1)) * (7 if span.group(2) == "w" else 1)
        return now - _dt.timedelta(days=days)
    if _DATE.fullmatch(value):
        try:
            return _dt.datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=_dt.UTC)
        except ValueError:
            pass
    raise SinceError(f"--since {value!r} is not a span or a date: give days (90d), weeks (12w) "
                     "or a UTC date (2026-09-01)")


def transform_columns(nights: Iterable[Night], runs: Iterable[RunEntry]) -> list[Column]:
    """The timeline: one column per night, the capture run that made it (same commit) joined to it,
    and one per other run, in time order. Pure."""
    nights = list(nights)
    by_commit = {n.commit: n for n in nights}
    joined: dict[str, RunEntry] = {}
    columns = []
    for run in runs:
        made = run.command == "capture" and run.outcome in ("changes", "partial") and run.commit in by_commit
        if made and run.commit not in joined:
            joined[run.commit] = run  # type: ignore[index]
        else:
            columns.append(Column(int(run.when.timestamp()), None, run))
    columns += [Column(n.time, n, joined.get(n.commit)) for n in nights]
    return sorted(columns, key=lambda c: (c.time, c.night is None))


def transform_totals(night: Night) -> dict[str, int]:
    """Changed addresses per service on one night, largest first (ties by name). Pure."""
    counts = Counter(c.service for c in night.changes)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def transform_services(columns: Sequence[Column]) -> dict[str, int]:
    """Changed addresses per service over the whole window, largest first: the chart's stacking
    order and its legend. Pure."""
    counts: Counter[str] = Counter()
    for col in columns:
        if col.night is not None:
            counts.update(c.service for c in col.night.changes)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
