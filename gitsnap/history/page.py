"""The history page: summary, timeline, legend, one section per night, the runs without a
snapshot. Pure: columns in, one self-contained HTML page out (inline CSS and SVG, no script,
nothing fetched, no address of anything outside the page)."""

from __future__ import annotations

import datetime as _dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from html import escape

from ..words import plural
from .chart import MARKER_TEXT, transform_svg, when
from .model import Column, Night, transform_services, transform_totals

MAX_LISTED = 300  # addresses listed per night; the rest are counted (the full diff has them)
MAX_PAGE_LISTED = 6000  # addresses listed on the whole page, newest nights first: it stays under ~1 MB
PALETTE = ("#4263eb", "#0ca678", "#e64980", "#15aabf", "#82c91e", "#364fc7", "#a0522d", "#1864ab",
           "#087f5b", "#fcc419", "#495057", "#5c940d", "#0b7285", "#c2255c", "#748ffc", "#66a80f",
           "#3bc9db", "#862e9c", "#e67700", "#a61e4d")  # red, orange and purple come late: the markers use them
KIND_SIGN = {"added": "+", "removed": "\u2212", "changed": "~"}

STYLE = """
body{font:14px/1.45 -apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;max-width:1200px;color:#1d232a;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em} .sub{color:#5b6570;margin-top:0}
.scroll{overflow-x:auto;border:1px solid #e9ecef;border-radius:6px;padding:.4em 0}
svg.timeline{display:block} .timeline text{font-size:11px;fill:#495057}
.timeline .ytick{text-anchor:end} .timeline .date{text-anchor:middle} .timeline .tag{fill:#1d232a;font-weight:600}
.grid{stroke:#f1f3f5} .axis{stroke:#868e96} .tagtick{stroke:#1d232a}
.hit{fill:transparent} .col:hover .hit{fill:#f1f3f5}
.mk.first{fill:#adb5bd} .mk.partial{fill:#f08c00} .mk.failed{fill:#e03131} .mk.drift{fill:#9c36b5}
.mk.no-drift{fill:#d0bfff} .mk.unchanged{fill:#dee2e6}
.legend{display:flex;flex-wrap:wrap;gap:.3em 1.2em;margin:.6em 0;padding:0;list-style:none}
.legend .sw{display:inline-block;width:.9em;height:.9em;border-radius:2px;vertical-align:-.1em;margin-right:.3em}
section.night,tr.run{scroll-margin-top:1em}
section.night{border:1px solid #d5dae0;border-radius:6px;margin:1em 0;padding:.2em 1em .6em}
section.night:target,tr.run:target{outline:3px solid #4263eb;background:#f8f9ff}
section.night h3{margin:.5em 0 .2em;font-size:1.05em} .meta{color:#5b6570;margin:.2em 0}
.tagname{background:#e7f5ff;border-radius:4px;padding:0 .35em;margin-left:.4em;font-weight:600}
.partial{color:#d9480f} .failed{color:#c92a2a} .drift{color:#862e9c}
h4{margin:.6em 0 .1em;font-size:.95em} ul.addr{margin:.1em 0;padding-left:1.4em}
ul.addr li{font-family:Menlo,Consolas,monospace;font-size:.9em}
li.added{color:#2b8a3e} li.removed{color:#c92a2a} .name{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#5b6570}
code{background:#f1f3f5;padding:0 .3em;border-radius:3px}
table.runs{border-collapse:collapse} .runs th,.runs td{border:1px solid #d5dae0;padding:.25em .6em;text-align:left}
.none{color:#2b8a3e;font-weight:600}
"""


def transform_anchors(columns: Sequence[Column]) -> list[str]:
    """Each column's section id, unique in the page (a repeated one gets ``-2``, ``-3``). Pure."""
    seen: Counter[str] = Counter()
    out = []
    for col in columns:
        base = col.anchor
        seen[base] += 1
        out.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return out


def transform_page(columns: Sequence[Column], since: _dt.datetime, generated: _dt.datetime) -> str:
    """The whole page. Pure."""
    services = list(transform_services(columns))
    anchors = transform_anchors(columns)
    nights = [c.night for c in columns if c.night is not None]
    runs = [(c, a) for c, a in zip(columns, anchors, strict=True) if c.night is None]
    title = f"Snapshot history since {since:%Y-%m-%d}"
    parts = ["<!doctype html><html lang=en><head><meta charset=utf-8>",
             f"<title>{escape(title)}</title><style>{STYLE}{_colours(services)}</style></head><body>",
             f"<h1>{escape(title)}</h1>",
             f"<p class=sub>{escape(_summary(columns))} &middot; generated {generated:%Y-%m-%d %H:%M} UTC by gitsnap</p>"]
    if not columns:
        parts.append(f"<p class=none>No snapshot and no run since {since:%Y-%m-%d}.</p></body></html>\n")
        return "".join(parts)
    parts.append("<h2>Timeline</h2><p class=meta>Changed resources per service, one column per snapshot or "
                 "run; click a column for its changes.</p>")
    parts.append(f"<div class=scroll>{transform_svg(columns, services, anchors)}</div>")
    parts.append(_legend(columns, services))
    if nights:
        parts.append("<h2>Snapshots</h2>")
        by_commit = {c.night.commit: (c, a) for c, a in zip(columns, anchors, strict=True) if c.night is not None}
        budget = MAX_PAGE_LISTED
        for night in reversed(nights):
            col, anchor = by_commit[night.commit]
            text, listed = _night(col, night, anchor, min(MAX_LISTED, budget))
            parts.append(text)
            budget -= listed
    if runs:
        parts.append("<h2>Runs without a snapshot</h2><table class=runs><tr><th>time</th><th>command</th>"
                     "<th>outcome</th><th>exit</th><th>counts</th><th>error</th><th>failing units</th></tr>")
        parts += [_run_row(c, a) for c, a in reversed(runs)]
        parts.append("</table>")
    parts.append("</body></html>\n")
    return "".join(parts)


def _colours(services: Sequence[str]) -> str:
    return "".join(f".c{i}{{fill:{PALETTE[i % len(PALETTE)]};background:{PALETTE[i % len(PALETTE)]}}}"
                   for i in range(len(services)))


def _summary(columns: Sequence[Column]) -> str:
    nights = [c.night for c in columns if c.night is not None]
    marks = Counter(m for c in columns for m in c.markers)
    drift_checks = sum(1 for c in columns if c.run is not None and c.run.command == "drift")
    parts = [plural(len(nights), "snapshot"), plural(sum(len(n.changes) for n in nights), "change")]
    if marks["partial"]:
        parts.append(f"{marks['partial']} partial")
    if marks["failed"]:
        parts.append(plural(marks["failed"], "failed run"))
    if drift_checks:
        parts.append(f"{plural(drift_checks, 'drift check')} ({marks['drift']} found drift)")
    return ", ".join(parts)


def _legend(columns: Sequence[Column], services: Sequence[str]) -> str:
    totals = transform_services(columns)
    items = [f"<li><span class='sw c{i}'></span>{escape(s)} ({totals[s]})</li>" for i, s in enumerate(services)]
    seen = {m for c in columns for m in c.markers}
    items += [f"<li><svg width='12' height='12'><rect class='mk {m}' width='10' height='10' y='1'/></svg> {MARKER_TEXT[m]}</li>"
              for m in MARKER_TEXT if m in seen]
    return f"<ul class=legend>{''.join(items)}</ul>"


def _night(col: Column, night: Night, anchor: str, limit: int) -> tuple[str, int]:
    """One night's section, listing at most *limit* addresses; and how many it listed."""
    e = escape
    tags = "".join(f"<span class=tagname>{e(t)}</span>" for t in night.tags)
    out = [f"<section class=night id='{e(anchor)}'><h3>{when(night.time)}{tags} "
           f"<code>{night.commit[:12]}</code></h3>"]
    if night.first:
        out.append(f"<p class=meta>First snapshot: {plural(night.resources, 'resource')} captured.</p>")
    else:
        totals = transform_totals(night)
        detail = ", ".join(f"{s} {n}" for s, n in totals.items())
        out.append(f"<p class=meta>{plural(len(night.changes), 'changed resource')} since "
                   f"<code>{night.parent[:12]}</code>{' (' + e(detail) + ')' if detail else ''}. The full diff: "
                   f"<code>gitsnap report {night.parent[:12]} {night.commit[:12]} -o diff.html</code></p>")
    if night.failed_units:
        out.append(f"<p class=partial>Partial: {plural(len(night.failed_units), 'unit')} failed and kept "
                   f"their previous version: {e(', '.join(night.failed_units))}</p>")
    if col.run is not None and col.run.error:
        out.append(f"<p class=meta>Run: {e(col.run.outcome)}, exit {col.run.exit_code}, {e(col.run.error)}</p>")
    by_service: dict[str, list] = defaultdict(list)
    for c in night.changes:
        by_service[c.service].append(c)
    listed = 0
    for service in transform_totals(night):
        if listed >= limit:
            break
        items = by_service[service]
        out.append(f"<h4>{e(service)} ({len(items)})</h4><ul class=addr>")
        for c in items:
            if listed >= limit:
                break
            listed += 1
            shown = f" <span class=name>({e(c.label)})</span>" if c.label else ""
            out.append(f"<li class={c.kind}>{KIND_SIGN.get(c.kind, '')} {e(c.address)}{shown}</li>")
        out.append("</ul>")
    if len(night.changes) > listed:
        out.append(f"<p class=meta>and {len(night.changes) - listed} more: the full diff lists them.</p>")
    out.append("</section>")
    return "".join(out), listed


def _run_row(col: Column, anchor: str) -> str:
    run = col.run
    assert run is not None
    e = escape
    outcome = MARKER_TEXT.get(col.markers[0], run.outcome) if col.markers else run.outcome
    cls = "failed" if run.outcome == "failed" else "drift" if run.outcome == "drift" else ""
    counts = ", ".join(f"{k} {v}" for k, v in sorted(run.counts.items()))
    return (f"<tr class='run {cls}' id='{e(anchor)}'><td>{when(col.time)}</td><td>{e(run.command)}</td>"
            f"<td>{e(outcome)}</td><td>{run.exit_code}</td><td>{e(counts)}</td><td>{e(run.error or '')}</td>"
            f"<td>{e(', '.join(run.units))}</td></tr>")
