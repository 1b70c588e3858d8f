"""gitsnap report --history: the pure page (stacked totals, markers, labels, links, size), --since,
and the read side on a small in-process repository (no cloud: snapshots written with the store)."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gitsnap.history import (
    Changed,
    Night,
    SinceError,
    history_html,
    transform_history,
    transform_since,
)
from gitsnap.history.chart import DATE_GAP, TAG_GAP
from gitsnap.history.model import transform_columns, transform_totals
from gitsnap.runlog import RunEntry, record_run
from gitsnap.store import SnapshotStore

NOW = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)
DAY = 86400
T0 = int(NOW.timestamp()) - 10 * DAY


def cid(i: int) -> str:
    return f"{i:02x}" * 20


def at(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def nights() -> list[Night]:
    """Four nights: the first snapshot (tagged v1.0), two s3 + one lambda change, a partial one, one iam."""
    return [
        Night(cid(1), T0, ("v1.0",), None, (), (), 12),
        Night(cid(2), T0 + DAY, (), cid(1), (Changed("s3", "s3/site-prod", "changed"),
                                               Changed("s3", "s3/logs", "added"),
                                               Changed("lambda", "lambda/contact", "changed")), (), 13),
        Night(cid(3), T0 + 2 * DAY, ("nightly-2026-11-23",), cid(2), (Changed("s3", "s3/logs", "removed"),),
              ("aws/123456789012/us-east-1/lambda",), 12),
        Night(cid(4), T0 + 4 * DAY, (), cid(3), (Changed("iam", "iam/role/deployer", "changed"),), (), 12),
    ]


def runs() -> list[RunEntry]:
    return [
        RunEntry("capture", "changes", 0, at(T0 + DAY), cid(2), {"changes": 3}),  # made night 2: joined to it
        RunEntry("capture", "failed", 2, at(T0 + 3 * DAY), error="ConcurrentUpdateError",
                 units=("aws/123456789012/us-east-1/s3",)),
        RunEntry("drift", "drift", 1, at(T0 + 3 * DAY + 60), cid(3), {"changes": 2}),
        RunEntry("drift", "no-drift", 0, at(T0 + 5 * DAY), cid(4)),
    ]


def page(n=None, r=None) -> str:
    return transform_history(nights() if n is None else n, runs() if r is None else r,
                             NOW - dt.timedelta(days=90), NOW)


def svg_of(html: str) -> ET.Element:
    """The timeline's SVG, parsed as XML: it must be well-formed on its own."""
    text = re.search(r"<svg class=\"timeline\".*?</svg>", html, re.S).group(0)
    return ET.fromstring(text)


def columns_of(svg: ET.Element) -> list[ET.Element]:
    return [a for a in svg.iter("a") if "col" in a.get("class", "").split()]


def test_each_column_stacks_its_changed_resources_per_service():
    cols = columns_of(svg_of(page()))
    assert len(cols) == 7  # 4 nights, the failed capture, 2 drift checks; the capture that made night 2 joined it
    night2 = cols[1]
    stacked = {r.get("data-service"): int(r.get("data-count")) for r in night2.iter("rect") if "bar" in r.get("class")}
    assert stacked == {"s3": 2, "lambda": 1}
    assert transform_totals(nights()[1]) == {"s3": 2, "lambda": 1}
    # stacked: one on top of the other, heights in proportion to the counts
    bars = sorted((r for r in night2.iter("rect") if "bar" in r.get("class")), key=lambda r: float(r.get("y")))
    top, bottom = bars
    assert float(top.get("y")) + float(top.get("height")) == pytest.approx(float(bottom.get("y")), abs=0.11)
    assert float(bottom.get("height")) == pytest.approx(2 * float(top.get("height")), abs=0.11)
    # the first snapshot is no change (everything in it is new): no bar, a "first snapshot" marker
    assert [r.get("class") for r in cols[0].iter("rect") if r.get("class") != "hit"] == ["mk first"]


def test_tags_partial_failed_and_drift_are_marked_and_labelled():
    html = page()
    svg = svg_of(html)
    assert [t.text for t in svg.iter("text") if t.get("class") == "tag"] == ["v1.0", "nightly-2026-11-23"]
    marks = [[r.get("class") for r in c.iter("rect") if r.get("class", "").startswith("mk ")] for c in columns_of(svg)]
    assert marks == [["mk first"], [], ["mk partial"], ["mk failed"], ["mk drift"], [], ["mk no-drift"]]
    assert "Partial: 1 unit failed and kept their previous version: aws/123456789012/us-east-1/lambda" in html
    assert "ConcurrentUpdateError" in html and "4 snapshots, 5 changes, 1 partial, 1 failed run, " \
        "2 drift checks (1 found drift)" in html


def test_every_column_links_to_a_section_that_lists_its_addresses_by_service():
    html = page()
    links = [a.get("href") for a in columns_of(svg_of(html))]
    assert len(links) == len(set(links))
    for href in links:
        assert href.startswith("#") and f"id='{href[1:]}'" in html
    section = re.search(rf"<section class=night id='n-{cid(2)[:12]}'>.*?</section>", html).group(0)
    assert re.findall(r"<h4>([^<]+)</h4>", section) == ["s3 (2)", "lambda (1)"]
    assert "~ s3/site-prod" in section and "+ s3/logs" in section and "~ lambda/contact" in section
    assert f"gitsnap report {cid(1)[:12]} {cid(2)[:12]} -o diff.html" in section


def test_the_page_is_self_contained_and_names_no_address_outside_it():
    html = page()
    assert "://" not in html and "xmlns" not in html  # not even the SVG namespace: HTML does not need it
    for fetches in ("src=", "<link", "<script", "url(", "@import"):
        assert fetches not in html
    assert all(h.startswith("#") for h in re.findall(r'href=["\']?([^"\' >]+)', html))


def test_the_name_people_know_a_resource_by_stands_beside_its_address():
    named = [Night(cid(1), T0), Night(cid(2), T0 + DAY, (), cid(1),
                                      (Changed("cloudfront", "cloudfront/E2ABC", "changed", "shop.example.com"),))]
    assert "~ cloudfront/E2ABC <span class=name>(shop.example.com)</span>" in page(named, [])


def test_what_a_resource_is_called_is_escaped():
    bad = [Night(cid(1), T0, ("<b>",), None), Night(cid(2), T0 + DAY, (), cid(1), (Changed("s3", "s3/<script>x", "added"),))]
    html = page(bad, [])
    assert "<script>" not in html and "&lt;script&gt;x" in html
    svg_of(html)


def test_four_hundred_nights_stay_one_readable_page_under_a_megabyte():
    """A year and more of nightly captures with schedule tags, drift checks every week: thin bars,
    thinned labels, and the HTML well under 1 MB."""
    many = [Night(cid(1) if i == 0 else f"{i:040x}", T0 - 400 * DAY + i * DAY, (f"nightly-{i:03d}",),
                  None if i == 0 else f"{i - 1:040x}",
                  tuple(Changed(s, f"{s}/thing-{i}-{j}", "changed") for j, s in enumerate(["s3", "lambda", "iam"][: i % 4])))
            for i in range(400)]
    weekly = [RunEntry("drift", "no-drift", 0, at(T0 - 400 * DAY + i * DAY + 3600)) for i in range(0, 400, 7)]
    html = transform_history(many, weekly, NOW - dt.timedelta(days=500), NOW)
    assert len(html.encode()) < 1_000_000
    svg = svg_of(html)
    assert len(columns_of(svg)) == 400 + len(weekly)
    bar_widths = {float(r.get("width")) for r in svg.iter("rect") if "bar" in r.get("class", "")}
    assert max(bar_widths) <= 3
    for cls, gap in (("date", DATE_GAP), ("tag", TAG_GAP)):
        xs = sorted(float(t.get("x") or re.search(r"translate\(([\d.]+)", t.get("transform")).group(1))
                    for t in svg.iter("text") if t.get("class") == cls)
        assert 5 < len(xs) < 150, cls  # thinned, not gone
        assert min(b - a for a, b in zip(xs, xs[1:], strict=False)) >= gap - 0.2


def test_a_capture_run_joins_the_night_it_made_and_other_runs_get_their_own_column():
    cols = transform_columns(nights(), runs())
    assert [(c.night.commit[:2] if c.night else c.run.outcome) for c in cols] == \
        ["01", "02", "03", "failed", "drift", "04", "no-drift"]
    assert cols[1].run is not None and cols[1].run.counts == {"changes": 3}


def test_no_snapshot_in_the_window_says_so():
    html = page([], [])
    assert "No snapshot and no run since 2026-09-02" in html and "<svg" not in html


@pytest.mark.parametrize(("text", "expected"), [
    ("90d", NOW - dt.timedelta(days=90)), (None, NOW - dt.timedelta(days=90)), ("12w", NOW - dt.timedelta(weeks=12)),
    ("1d", NOW - dt.timedelta(days=1)), ("2026-09-01", dt.datetime(2026, 9, 1, tzinfo=dt.UTC)),
])
def test_since_takes_days_weeks_or_a_date(text, expected):
    assert transform_since(text, NOW) == expected


@pytest.mark.parametrize("text", ["3x", "0d", "90", "d90", "2026-02-30", "2026/09/01", "ninety days", "-5d"])
def test_a_since_that_is_neither_is_one_line_saying_what_to_give(text):
    with pytest.raises(SinceError) as err:
        transform_since(text, NOW)
    message = str(err.value)
    assert "\n" not in message and repr(text) in message and "90d" in message and "12w" in message
    assert "2026-09-01" in message


# -- the read side, on a repository written in-process -------------------------------------------

UNIT = "aws/123456789012/us-east-1"


def write_snapshot(store: SnapshotStore, parent: str | None, docs: dict[str, tuple[str, dict]],
                   failed: tuple[str, ...] = ()) -> str:
    """One commit holding *docs* (address -> (path, document)) and a manifest saying so."""
    files = {path: store.add_bytes(json.dumps(doc, sort_keys=True).encode()) for path, doc in docs.values()}
    units = {"/".join(p.split("/")[:4]): {"status": "ok"} for p, _ in docs.values()}
    units.update({u: {"status": "failed", "error": "AccessDenied: secret-ish text"} for u in failed})
    resources = {a: {"path": p, "type": p.split("/")[4]} for a, (p, _) in docs.items()}
    manifest = {"format": 2, "resources": resources, "units": units}
    files["manifest.json"] = store.add_bytes(json.dumps(manifest, indent=2, sort_keys=True).encode() + b"\n")
    commit = store.commit(store.write_tree(files), parent, "capture")
    store.advance(parent, commit)
    return commit


def test_history_html_reads_each_snapshot_against_its_parent(tmp_path: Path):
    store = SnapshotStore.init(tmp_path / "snap")
    q = ("sqs/queue/jobs", (f"{UNIT}/sqs/queue/jobs.json", {"VisibilityTimeout": 30}))
    site = ("s3/site", (f"{UNIT}/s3/bucket/site/bucket.json", {"Versioning": "Off"}))
    fn = ("lambda/contact", (f"{UNIT}/lambda/function/contact/function.json",
                             {"Configuration": {"Timeout": 3, "Description": "Contact form handler"}}))
    c1 = write_snapshot(store, None, dict([q, site]))
    store.tag("v1.0", c1, "first")
    c2 = write_snapshot(store, c1, dict([q, ("s3/site", (site[1][0], {"Versioning": "Enabled"})), fn]))
    c3 = write_snapshot(store, c2, dict([("s3/site", (site[1][0], {"Versioning": "Enabled"})), fn]),
                        failed=(f"{UNIT}/lambda",))
    record_run(store.path, RunEntry("capture", "failed", 2, error="RepositoryError"))
    html = history_html(store, "90d")
    svg = svg_of(html)
    cols = columns_of(svg)
    assert len(cols) == 4
    assert {r.get("data-service"): r.get("data-count") for r in cols[1].iter("rect") if "bar" in r.get("class")} \
        == {"s3": "1", "lambda": "1"}
    assert [r.get("data-service") for r in cols[2].iter("rect") if "bar" in r.get("class")] == ["sqs"]
    assert [t.text for t in svg.iter("text") if t.get("class") == "tag"] == ["v1.0"]
    assert "mk partial" in ET.tostring(cols[2]).decode() and "mk failed" in ET.tostring(cols[3]).decode()
    section = re.search(rf"<section class=night id='n-{c2[:12]}'>.*?</section>", html).group(0)
    assert "~ s3/site" in section and "+ lambda/contact" in section and "sqs" not in section
    assert "lambda/contact <span class=name>(Contact form handler)</span>" in section  # the name people know
    assert "\u2212 sqs/queue/jobs" in html and "secret-ish" not in html
    assert c3[:12] in html
    assert "No snapshot" in history_html(store, "2099-01-01")
