"""gitsnap report --history: a year of snapshots on one self-contained HTML page.

A timeline of snapshots (changed resources per service per snapshot, stacked; tags labelled;
partial snapshots, failed runs and drift checks marked), each column linking to a section
that lists what changed that night, by service. model.py holds the records and the pure
steps, chart.py draws the SVG, page.py writes the page (all pure); read.py reads the store
and the run log (runlog.py).
"""

from __future__ import annotations

import datetime as _dt

from ..runlog import RunEntry
from ..store import SnapshotStore
from .model import (
    DEFAULT_SINCE,
    Changed,
    Column,
    Night,
    SinceError,
    transform_columns,
    transform_since,
)
from .page import transform_page
from .read import get_nights, get_runs

__all__ = ["DEFAULT_SINCE", "Changed", "Column", "Night", "SinceError", "history_html", "transform_history",
           "transform_since"]


def transform_history(nights: list[Night], runs: list[RunEntry], since: _dt.datetime,
                      generated: _dt.datetime) -> str:
    """The page for these nights and runs (the pure whole: records in, HTML out)."""
    return transform_page(transform_columns(nights, runs), since, generated)


def history_html(store: SnapshotStore, since: str | None = DEFAULT_SINCE, *,
                 now: _dt.datetime | None = None) -> str:
    """The history page of *store* over the window *since* names (``90d``, ``12w``,
    ``2026-09-01``; None means 90 days).

    Raises:
        SinceError: *since* is not a span or a date (a UsageError: exit 2, one line).
    """
    now = now or _dt.datetime.now(_dt.UTC)
    start = transform_since(since, now)
    nights = get_nights(store, start)
    return transform_history(nights, get_runs(store, start), start, now)
