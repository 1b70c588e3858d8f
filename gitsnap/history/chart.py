"""The timeline as inline SVG: stacked bars of changes per service, markers, tags, dates. Pure.

One column per night or run (model.Column), evenly spaced, so a year of nights stays one
readable strip: columns get thinner (down to 2 px, then the chart scrolls sideways), date and
tag labels are thinned so none overlap, and each column's full story is in its tooltip
(``<title>``) and in the section its link jumps to. No script, no font, nothing fetched.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Sequence
from html import escape

from ..words import plural
from .model import Column, transform_totals

WIDTH = 1100  # px the plot aims for; more columns than fit at MIN_STEP scroll sideways
MIN_STEP, MAX_STEP = 2.0, 28.0
PLOT_H = 220  # bar area
TAG_H = 116  # band above the bars for tag labels: nightly-2026-11-30 fits
LANE_H = 18  # marker lane under the bars: two markers at most (first or a run's outcome; partial)
AXIS_H = 26  # date labels
LEFT, RIGHT = 44, 40  # room for the last date label's right half
DATE_GAP = 84  # px between two date labels
TAG_GAP = 13  # px between two (vertical) tag labels
TAG_CHARS = 19
MARKER_TEXT = {"first": "first snapshot", "partial": "partial", "failed": "failed",
               "drift": "drift found", "no-drift": "no drift", "unchanged": "no change"}


def when(ts: int) -> str:
    """A time as the page shows it: ``2026-11-30 02:30 UTC``. Pure."""
    return _dt.datetime.fromtimestamp(ts, _dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def nice_step(top: int) -> int:
    """A tick step of 1, 2 or 5 times a power of ten giving at most five ticks up to *top*. Pure."""
    if top <= 0:
        return 1
    base = 10 ** max(0, int(math.floor(math.log10(top))) - 1)
    return next(s * base for s in (1, 2, 5, 10, 20, 50) if top / (s * base) <= 5)


def is_human_tag(tag: str) -> bool:
    """A tag a person chose (``v1.0``), not one a schedule made (``nightly-2026-11-30``). Pure."""
    return not (tag.startswith(("nightly-", "daily-", "weekly-")) or tag[:4].isdigit())


def spaced(candidates: Sequence[tuple[float, int]], gap: float) -> set[int]:
    """Which of *candidates* ``(x, index)``, tried in the order given, can be labelled with every
    two labels at least *gap* apart. Pure."""
    placed: list[float] = []
    keep = set()
    for x, i in candidates:
        if all(abs(x - p) >= gap for p in placed):
            placed.append(x)
            keep.add(i)
    return keep


def tooltip(col: Column) -> str:
    """Everything about one column, in one line (the SVG ``<title>``). Pure."""
    parts = [when(col.time)]
    if col.night is not None:
        night = col.night
        parts += list(night.tags)
        if night.first:
            parts.append(f"first snapshot: {plural(night.resources, 'resource')}")
        else:
            totals = transform_totals(night)
            detail = ", ".join(f"{s} {n}" for s, n in totals.items())
            parts.append(plural(len(night.changes), "change") + (f": {detail}" if detail else ""))
        if night.failed_units:
            parts.append(f"partial: {plural(len(night.failed_units), 'unit')} failed")
        parts.append(night.commit[:12])
    elif col.run is not None:
        run = col.run
        parts.append(f"{run.command}: {MARKER_TEXT.get(col.markers[0], run.outcome) if col.markers else run.outcome}")
        parts += [f"{k} {v}" for k, v in sorted(run.counts.items())]
        if run.error:
            parts.append(run.error)
    return " \u00b7 ".join(parts)


def transform_svg(columns: Sequence[Column], services: Sequence[str], anchors: Sequence[str]) -> str:
    """The timeline of *columns* as one ``<svg>`` element; *services* in stacking order (their
    index is their colour class ``c<i>``), *anchors* the section id each column links to."""
    n = len(columns)
    step = min(MAX_STEP, max(MIN_STEP, WIDTH / max(n, 1)))
    bar = max(1.0, round(step * 0.72, 1)) if step >= 3 else step - 0.5
    tag_h = TAG_H if any(c.night is not None and c.night.tags for c in columns) else 0
    top_y, base_y = tag_h, tag_h + PLOT_H
    width, height = LEFT + n * step + RIGHT, base_y + LANE_H + AXIS_H
    color = {s: i for i, s in enumerate(services)}
    top = max((len(c.night.changes) for c in columns if c.night is not None and not c.night.first), default=0)
    tick = nice_step(top)
    scale_top = max(tick, math.ceil(top / tick) * tick) if top else 1
    unit = PLOT_H / scale_top
    out = [f'<svg class="timeline" width="{width:.0f}" height="{height}" viewBox="0 0 {width:.0f} {height}" '
           f'role="img" aria-label="changes per service per snapshot">']
    for value in range(0, scale_top + 1, tick):
        y = base_y - value * unit
        out.append(f'<line class="grid" x1="{LEFT}" x2="{width - RIGHT:.0f}" y1="{y:.1f}" y2="{y:.1f}"/>'
                   f'<text class="ytick" x="{LEFT - 4}" y="{y + 4:.1f}">{value}</text>')
    for i, col in enumerate(columns):
        x = LEFT + i * step
        out.append(_column(col, x, step, bar, top_y, base_y, unit, color, anchors[i]))
    out += _dates(columns, step, base_y + LANE_H + 16)
    out += _tags(columns, step, tag_h, top_y)
    out.append(f'<line class="axis" x1="{LEFT}" x2="{width - RIGHT:.0f}" y1="{base_y}" y2="{base_y}"/></svg>')
    return "".join(out)


def _column(col: Column, x: float, step: float, bar: float, top_y: int, base_y: int, unit: float,
            color: dict[str, int], anchor: str) -> str:
    """One column: a link over its whole height, its stacked bar, its marker."""
    kind = "night" if col.night is not None else "run"
    parts = [f'<a class="col {kind}" href="#{anchor}"><title>{escape(tooltip(col))}</title>'
             f'<rect class="hit" x="{x:.1f}" y="{top_y}" width="{step:.1f}" height="{base_y - top_y + LANE_H}"/>']
    bx = x + (step - bar) / 2
    if col.night is not None and not col.night.first:
        y = float(base_y)
        for service, count in sorted(transform_totals(col.night).items(), key=lambda kv: color.get(kv[0], 0)):
            h = count * unit
            y -= h
            parts.append(f'<rect class="bar c{color.get(service, 0)}" data-service="{escape(service)}" '
                         f'data-count="{count}" x="{bx:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}"/>')
    for k, marker in enumerate(col.markers):
        wide = min(7.0, max(2.0, step - 0.4))  # thin columns: thin, but still 7 px tall
        parts.append(f'<rect class="mk {marker}" x="{x + (step - wide) / 2:.1f}" y="{base_y + 2 + k * 8}" '
                     f'width="{wide:.1f}" height="7"/>')
    parts.append("</a>")
    return "".join(parts)


def _dates(columns: Sequence[Column], step: float, y: float) -> list[str]:
    """Date labels under the lane at *y*: a column that starts a day may get one, thinned to one
    per DATE_GAP px."""
    days, last = [], None
    for i, col in enumerate(columns):
        day = when(col.time)[:10]
        if day != last:
            days.append((LEFT + i * step + step / 2, i))
            last = day
    keep = spaced(days, DATE_GAP)
    return [f'<text class="date" x="{LEFT + i * step + step / 2:.1f}" y="{y:.0f}">{when(columns[i].time)[:10]}</text>'
            for i in sorted(keep)]


def _tags(columns: Sequence[Column], step: float, tag_h: int, top_y: int) -> list[str]:
    """Tag labels, vertical in the band above the bars: a person's tags (v1.0) placed first,
    then a schedule's (nightly-...), thinned so none overlap; a labelled column, and any with a
    person's tag, gets a tick."""
    if not tag_h:
        return []
    tagged = [(i, c.night.tags) for i, c in enumerate(columns) if c.night is not None and c.night.tags]
    order = sorted(tagged, key=lambda t: (not any(is_human_tag(x) for x in t[1]), t[0]))
    keep = spaced([(LEFT + i * step + step / 2, i) for i, _ in order], TAG_GAP)
    out = []
    for i, tags in tagged:
        cx = LEFT + i * step + step / 2
        if i in keep or any(is_human_tag(t) for t in tags):  # a schedule's every tag would be a comb
            out.append(f'<line class="tagtick" x1="{cx:.1f}" x2="{cx:.1f}" y1="{top_y - 5}" y2="{top_y}"/>')
        if i in keep:
            human = [t for t in tags if is_human_tag(t)]
            text = ", ".join(human or tags)
            text = text if len(text) <= TAG_CHARS else text[:TAG_CHARS - 1] + "\u2026"
            out.append(f'<text class="tag" transform="translate({cx + 4:.1f},{top_y - 8}) rotate(-90)">'
                       f'{escape(text)}</text>')
    return out
