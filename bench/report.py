"""The bench's results as tables: targets (met / missed), every run, the front check, clients.

``render`` returns the markdown of docs/performance.md. The section "Why a target is missed"
is not generated: it is docs/performance-notes.md (hand-written: the profiles that explain a
missed target), included as it is, so regenerating the numbers never loses the explanations.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from harness import ROOT, Bench, Run

NOTES = ROOT / "docs" / "performance-notes.md"
MIB = 1024 * 1024


@dataclass
class Target:
    label: str
    value: float | None  # None: not measured (failed, skipped, not in this run)
    goal: str  # shown
    met: Callable[[float], bool]
    shown: str = ""  # the value as shown (defaults to 2 decimals)


def _ratio(a: Run | None, b: Run | None) -> float | None:
    if a is None or b is None or a.seconds is None or not b.seconds:
        return None
    return a.seconds / b.seconds


def targets(bench: Bench, labels: dict[str, str]) -> list[Target]:
    f = bench.find
    out: list[Target] = []
    for wl in ("small-2k", "small-20k"):
        if not any(r.workload == wl for r in bench.runs):
            continue
        what = labels[wl]
        out += [
            Target(f"cold capture, {what}: gitsnap / floor", _ratio(f(wl, "gitsnap-cold"), f(wl, "floor")),
                   "<= 2.0", lambda v: v <= 2.0),
            Target(f"cold capture, {what}: gitsnap / aws s3 sync", _ratio(f(wl, "gitsnap-cold"), f(wl, "sync-cold")),
                   "<= 0.3", lambda v: v <= 0.3),
            Target(f"no-change, {what}: gitsnap / aws s3 sync no-op",
                   _ratio(f(wl, "gitsnap-noop"), f(wl, "sync-noop")), "<= 0.5", lambda v: v <= 0.5),
        ]
        noop, one = f(wl, "gitsnap-noop"), f(wl, "gitsnap-one")
        if noop and noop.samples:
            out.append(Target(f"no-change, {what}: body GETs per run", max(noop.gets), "0", lambda v: v == 0,
                              "/".join(map(str, noop.gets))))
        if one and one.samples:
            out.append(Target(f"one change, {what}: GETs per run", max(one.gets) if min(one.gets) == max(one.gets)
                              else -1, "1", lambda v: v == 1, "/".join(map(str, one.gets))))
    wl = "history"
    if any(r.workload == wl for r in bench.runs):
        what = labels[wl]
        noop, listing = f(wl, "gitsnap-noop"), bench.facts.get("history.list_seconds")
        beyond = noop.seconds - listing if noop and noop.seconds is not None and listing is not None else None
        out.append(Target(f"no-change, {what}: gitsnap seconds beyond the listing ({listing or 0:.2f} s)",
                          beyond, "<= 5 s", lambda v: v <= 5.0, f"{beyond:.2f} s" if beyond is not None else ""))
        out.append(Target(f"diff, {what}: gitsnap diff / git diff --stat",
                          _ratio(f(wl, "gitsnap-diff"), f(wl, "git-diff")), "<= 1.5", lambda v: v <= 1.5))
        verify = f(wl, "gitsnap-verify")
        v = verify.seconds if verify else None
        out.append(Target(f"verify, {what}", v, "<= 3 s", lambda x: x <= 3.0, f"{v:.2f} s" if v is not None else ""))
        du, raw = bench.facts.get("history.repo_bytes"), bench.facts.get("history.compressed")
        size = du["disk"] / raw["zlib6_bytes"] if du and raw and raw.get("zlib6_bytes") else None
        out.append(Target(f"repository, {what}: on disk / compressed raw", size, "<= 1.1", lambda x: x <= 1.1))
    wl = "one-gib"
    if any(r.workload == wl for r in bench.runs):
        out.append(Target(f"{labels[wl]}: gitsnap / aws s3 cp", _ratio(f(wl, "gitsnap-cold"), f(wl, "cp")),
                          "<= 1.0", lambda v: v <= 1.0))
    for wl in dict.fromkeys(r.workload for r in bench.runs):
        peaks = [r.peak_mib for r in bench.runs if r.workload == wl and r.key.startswith("gitsnap") and r.peak_mib]
        if peaks:
            out.append(Target(f"peak RSS, gitsnap, {labels.get(wl, wl)}", max(peaks), "<= 200 MiB",
                              lambda v: v <= 200, f"{max(peaks):.0f} MiB"))
    return out


def _fmt(x: float | None, digits: int = 2) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def target_table(ts: list[Target]) -> list[str]:
    lines = ["| target | value | goal | |", "| --- | ---: | --- | --- |"]
    for t in ts:
        if t.value is None:
            verdict, shown = "not measured", "n/a"
        else:
            verdict = "met" if t.met(t.value) else "**missed**"
            shown = t.shown or f"{t.value:.2f}"
        lines.append(f"| {t.label} | {shown} | {t.goal} | {verdict} |")
    return lines


def run_tables(bench: Bench, labels: dict[str, str]) -> list[str]:
    out: list[str] = []
    for wl in dict.fromkeys(r.workload for r in bench.runs):
        out += [f"### {labels.get(wl, wl)}", "",
                "| run | seconds (median) | all samples | CPU s (median) | peak RSS MiB | GETs per sample | requests |",
                "| --- | ---: | --- | ---: | ---: | --- | ---: |"]
        for r in (r for r in bench.runs if r.workload == wl):
            secs = _fmt(r.seconds) if r.seconds is not None else "failed"
            samples = " ".join(f"{s.seconds:.2f}" for s in r.samples)
            reqs = max((int(s.stats.get("requests", 0)) for s in r.samples), default=0)
            out.append(f"| {r.name} | {secs} | {samples} | {_fmt(r.cpu)} | {_fmt(r.peak_mib, 0)} | "
                       f"{'/'.join(map(str, r.gets))} | {reqs} |")
        out.append("")
    return out


def front_table(bench: Bench) -> list[str]:
    rows = bench.facts.get("front_check")
    if not rows:
        return []
    out = ["## Does the front scale?", "",
           f"The floor client GETs {rows[0]['gets']:,} objects at three concurrencies. With the front never the "
           f"bottleneck, GET time is latency x GETs / connections ({bench.latency_ms:g} ms per request) until "
           "the machine's CPU (the front's and the client's, on the same cores) is the limit.", "",
           "| connections | GET seconds | ideal | measured / ideal | front CPU ms per request | client CPU s |",
           "| ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        out.append(f"| {r['workers']} | {r['get_seconds']:.2f} | {r['ideal']:.2f} | {r['get_seconds'] / r['ideal']:.2f} | "
                   f"{r['front_cpu_ms']:.3f} | {_fmt(r['client_cpu'])} |")
    return out + [""]


def clients_table(bench: Bench) -> list[str]:
    data = bench.facts.get("clients")
    if not data:
        return []
    out = ["## Client candidates", "",
           "bench/clients.py lists the bucket and GETs every object into memory with each client it can "
           f"import, {bench.workers}-way, on the same front, each timed in-process (list + GETs); the floor is "
           "bench/floor.py on the same bucket, timed the same way (its CPU includes the interpreter's start).",
           ""]
    if data.get("error"):
        out += [f"bench/clients.py failed: `{data['error'][:500]}`", ""]
    out += ["| client | objects | MiB | seconds | x floor | CPU s | CPU ms per object | note |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    floor = data.get("floor")
    for row in data["rows"]:
        secs, cpu, n = row.get("seconds"), row.get("cpu_seconds"), row.get("objects") or 0
        x = f"{secs / floor:.2f}" if floor and secs else "n/a"
        per = f"{cpu / n * 1000:.2f}" if cpu is not None and n else "n/a"
        out.append(f"| {row.get('client')} | {n:,} | {(row.get('bytes') or 0) / MIB:.1f} | {_fmt(secs)} | {x} | "
                   f"{_fmt(cpu)} | {per} | {row.get('error') or row.get('note') or ''} |")
    return out + [""]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        names = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def render(bench: Bench, labels: dict[str, str], started: float, load: tuple[tuple[float, ...], tuple[float, ...]],
           mode: str) -> str:
    ts = targets(bench, labels)
    took = time.time() - started
    notes = NOTES.read_text().strip() if NOTES.exists() else "(docs/performance-notes.md is missing)"
    if notes.startswith("#"):
        notes = notes.split("\n", 1)[1].strip() if "\n" in notes else ""
    facts = bench.facts
    extra = []
    if "history.repo_bytes" in facts:
        du, raw = facts["history.repo_bytes"], facts["history.compressed"]
        extra.append(f"History repository: {du['disk'] / MIB:.1f} MiB on disk (`du -sk`; apparent size "
                     f"{du['apparent'] / MIB:.1f} MiB), {facts.get('history.packs', 0)} pack files and "
                     f"{facts.get('history.loose', 0):,} loose objects. Compressed raw: the sum over the bucket's "
                     f"{raw['objects']:,} bodies (at the end of the history) of each body's zlib level 6 size, "
                     f"{raw['zlib6_bytes'] / MIB:.1f} MiB (raw {raw['bytes'] / MIB:.1f} MiB).")
    for key in ("small-2k.fsck", "small-20k.fsck"):
        if key in facts:
            extra.append(f"`git fsck --strict` after {key.split('.')[0]}: {facts[key]}.")
    body = [
        "# Performance", "",
        "Produced by `make bench` (bench/run.py); each run replaces this file. The section \"Why a target is "
        "missed\" is docs/performance-notes.md (hand-written), included as it is.", "",
        "## Setup", "",
        f"Every tool talks to the same S3 front (bench/front.py) in the same run: it serves S3's object API "
        f"from memory and adds {bench.latency_ms:g} ms to every request with a non-blocking sleep, so concurrent "
        "requests overlap like on AWS; other calls (bucket configuration, STS) go on to a local moto server "
        "after the same delay. Each tool is its own process, launched by bench/rss.py, which reads its wall "
        "time, CPU time and peak RSS with wait4. GETs per run are the front's own counts.", "",
        f"Concurrency {bench.workers} everywhere: gitsnap's `[aws.s3] workers`, the AWS CLI's "
        "`max_concurrent_requests`, rclone's `--transfers`/`--checkers`, the floor's connections. The floor "
        "(bench/floor.py) lists and GETs every object with unsigned raw HTTP/1.1 on asyncio, bodies discarded. "
        f"Workloads of {labels['small-2k']} and the front check: median of {bench.repeat} runs (all samples "
        f"shown); the bigger ones ({labels['small-20k']}, one object, medium objects, the history) run once.", "",
        f"Machine: {machine()}. Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(started))}, took "
        f"{took / 60:.1f} min, mode {mode}. Load average at start {load[0][0]:.2f}, at the end {load[1][0]:.2f} "
        "(above the core count, other work shared the machine and wall times are inflated).", "",
        "## Targets", "",
        *target_table(ts), "",
        *front_table(bench),
        "## Runs", "",
        *run_tables(bench, labels),
        *([*extra, ""] if extra else []),
        *clients_table(bench),
    ]
    errors = [f"- {r.name} ({labels.get(r.workload, r.workload)}): `{r.error[:1500]}`" for r in bench.runs if r.error]
    if bench.notes or errors:
        body += ["## Notes", "", *[f"- {n}" for n in bench.notes], *errors, ""]
    body += ["## Why a target is missed", "", notes, ""]
    return "\n".join(body)


def console(bench: Bench, labels: dict[str, str]) -> str:
    return "\n".join(target_table(targets(bench, labels)))
