"""report: one self-contained HTML page people would rather look at than a terminal.

Summary counts per service, findings highlighted, each changed resource with its field
changes, and text bodies as side-by-side diffs. No scripts, fonts or images are fetched:
the file can be mailed, attached to a ticket or opened offline. Pure: data in, HTML out.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import html
from collections import Counter, defaultdict
from typing import Any

from .diff import Change
from .render import describe, summary_line
from .words import plural

STYLE = """
body{font:14px/1.45 -apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;max-width:1200px;color:#1d232a}
h1{font-size:1.6em;margin-bottom:.2em} .sub{color:#5b6570;margin-top:0}
table.summary{border-collapse:collapse;margin:1em 0} .summary th,.summary td{border:1px solid #d5dae0;padding:.35em .8em;text-align:right}
.summary th:first-child,.summary td:first-child{text-align:left}
.flow li{margin:.15em 0}.dangling{color:#c92a2a;font-weight:bold}
.finding{background:#fff4e5;border-left:5px solid #e8590c;padding:.5em .8em;margin:.4em 0}
.resource{border:1px solid #d5dae0;border-radius:6px;margin:1em 0;padding:.4em 1em}
.resource h3{font-family:Menlo,Consolas,monospace;font-size:1.05em}
.kind-added h3{color:#2b8a3e} .kind-removed h3{color:#c92a2a}
li.change{font-family:Menlo,Consolas,monospace;font-size:.92em;margin:.2em 0}
.redacted{color:#7048e8} .ignored{color:#5b6570}
table.diff{font-family:Menlo,Consolas,monospace;font-size:12px;border-collapse:collapse;width:100%;margin:.5em 0}
table.diff td{padding:0 .4em;vertical-align:top;white-space:pre-wrap;word-break:break-all}
.diff_header{background:#f1f3f5;color:#868e96} .diff_next{display:none}
.diff_add{background:#d3f9d8} .diff_chg{background:#fff3bf} .diff_sub{background:#ffe3e3}
.none{color:#2b8a3e;font-weight:600} .label{color:#5b6570;font-weight:normal}
.line{font-weight:600}
"""


def summary_rows(changes: list[Change]) -> list[tuple[str, int, int, int, int]]:
    per: dict[str, dict[str, str]] = defaultdict(dict)
    count: Counter[str] = Counter()
    for c in changes:
        svc = c.address.split("/", 1)[0]
        per[svc][c.address] = c.kind if not c.path else per[svc].get(c.address, "changed")
        count[svc] += 1
    rows = []
    for svc in sorted(per):
        kinds = Counter(per[svc].values())
        rows.append((svc, kinds["changed"], kinds["added"], kinds["removed"], count[svc]))
    return rows


def side_by_side(c: Change) -> str:
    if not c.texts:
        return ""
    old, new = c.texts
    table = difflib.HtmlDiff(wrapcolumn=80).make_table(
        old.splitlines(), new.splitlines(), "before", "after", context=True, numlines=2)
    return table


def render(title: str, subtitle: str, changes: list[Change], findings: list[str] = (),  # type: ignore[assignment]
           ignored: list[str] = (), flow: dict[str, Any] | None = None,
           summary: str | None = None, only: list[str] = (), dangling: list[str] = ()) -> str:  # type: ignore[assignment]
    """The page.

    Args:
        findings: what to act on, first (parity's findings).
        summary: the line the text output ends with (parity's), shown above the table, so
            the page and the terminal say the same; without it, the changes' own count.
        only: resources of one side with no counterpart on the other (parity's unpaired).
        dangling: request-flow links that name something gone (gitsnap.flow).
    """
    e = html.escape
    when = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{e(title)}</title>",
             f"<style>{STYLE}</style></head><body>",
             f"<h1>{e(title)}</h1><p class=sub>{e(subtitle)} &middot; generated {when} by gitsnap</p>"]
    if findings:
        parts.append(f"<h2>{plural(len(findings), 'finding')}</h2>")
        parts += [f"<div class=finding>{e(f)}</div>" for f in findings]
    if only:
        parts.append(f"<h2>{plural(len(only), 'unpaired resource')}</h2>")
        parts += [f"<div class=finding>{e(x)}</div>" for x in only]
    if dangling:
        parts.append(f"<h2>{plural(len(dangling), 'dangling link')}</h2>")
        parts += [f"<div class=finding>{e(x)}</div>" for x in dangling]
    parts.append("<h2>Summary</h2>")
    rows = summary_rows(changes)
    if summary is not None:
        parts.append(f"<p class='line{' none' if not rows and not findings and not only else ''}'>{e(summary)}</p>")
    elif rows:
        parts.append(f"<p class=line>{e(summary_line(changes))}</p>")
    if rows:
        parts.append("<table class=summary><tr><th>service</th><th>changed</th><th>added</th><th>removed</th><th>changes</th></tr>")
        parts += [f"<tr><td>{e(s)}</td><td>{a}</td><td>{b}</td><td>{c}</td><td>{d}</td></tr>" for s, a, b, c, d in rows]
        parts.append("</table>")
    elif summary is None:
        parts.append(f"<p class=none>{e(summary_line(changes))}</p>")
    by_address: dict[str, list[Change]] = defaultdict(list)
    for c in changes:
        by_address[c.address].append(c)
    if by_address:
        parts.append("<h2>Resources</h2>")
    for address, items in by_address.items():
        kind = items[0].kind if len(items) == 1 and not items[0].path else "changed"
        name = f" <span class=label>({e(items[0].label)})</span>" if items[0].label else ""
        parts.append(f"<section class='resource kind-{kind}'><h3>{e(address)}{name}</h3><ul>")
        for c in items:
            cls = "change redacted" if c.redacted else "change"
            parts.append(f"<li class='{cls}'>{e(describe(c))}</li>")
        parts.append("</ul>")
        parts += [side_by_side(c) for c in items if c.texts]
        parts.append("</section>")
    parts += [f"<p class=ignored>{e(i)}</p>" for i in ignored]
    if flow and flow.get("routes"):
        parts += flow_section(flow)
    parts.append("</body></html>\n")
    return "".join(parts)


def _target(node: dict[str, Any]) -> str:
    if node.get("to"):
        return f"<b>{html.escape(node['to'])}</b>"
    return "<i>outside this estate</i>" if node.get("external") else "<span class=dangling>dangling</span>"


def flow_section(flow: dict[str, Any]) -> list[str]:
    """The request-flow map drawn as a tree: each domain, the distribution it reaches (with its
    edge functions and web ACL) and each origin, dangling links marked."""
    e = html.escape
    parts = ["<h2>Request flow</h2><ul class=flow>"]
    for route in flow["routes"]:
        parts.append(f"<li>{e(route['record'])} &rarr; {e(route['value'])} &rarr; {_target(route)}")
        via = route.get("via")
        if via:
            parts.append("<ul>")
            parts += [f"<li>edge {e(x['behaviour'])}: {_target(x) if x['to'] else e(x['arn'] or '')}</li>"
                      for x in via["edge"]]
            if via.get("waf"):
                parts.append(f"<li>web ACL: {e(via['waf_to'] or via['waf'])}</li>")
            parts += [f"<li>origin {e(o['id'] or '')}: {e(o['domain'] or '')}{e(o['path'])} &rarr; {_target(o)}</li>"
                      for o in via["origins"]]
            parts.append("</ul>")
        parts.append("</li>")
    parts.append("</ul>")
    return parts
