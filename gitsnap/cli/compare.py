"""Commands that compare: diff, drift, report, parity, flow."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from ..words import plural
from .app import Ctx, Exit, check_only, cli, fingerprint_of, load_config, open_store


def _resolve_pair(store: Any, a: str | None, b: str | None) -> tuple[str, str]:
    from ..errors import UsageError

    if a is None:
        head = store.resolve("HEAD")
        log = store.log(limit=2)
        if len(log) < 2:
            raise UsageError("only one snapshot exists: name two revisions, e.g. 'gitsnap diff v1.0 HEAD'")
        return log[1].id, head
    return store.resolve(a), store.resolve(b or "HEAD")


@cli.command()
@click.argument("rev_a", required=False)
@click.argument("rev_b", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text")
@click.option("--content", is_flag=True, help="Add unified diffs of changed text bodies and source files.")
@click.option("--exit-code", is_flag=True, help="Exit 1 when there are differences.")
@click.option("--only", multiple=True, metavar="SERVICE", help="Only this service (repeatable).")
@click.option("--status", "status", is_flag=True,
              help="Also compare the status section (lifecycle states the service changes by itself).")
@click.argument("addresses", nargs=-1, required=False)
@click.pass_obj
def diff(c: Ctx, rev_a: str | None, rev_b: str | None, fmt: str, content: bool, exit_code: bool,
         only: tuple[str, ...], status: bool, addresses: tuple[str, ...]) -> None:
    """Differences between two snapshots (default: the last two), field by field and key by key."""
    from ..addresses import check_patterns
    from ..diff import apply_ignores, diff_snapshots
    from ..store.snapshot import Snapshot

    check_only(only)
    store = open_store(c)
    a, b = _resolve_pair(store, rev_a, rev_b)
    # lazy: diff reads only the folders whose ids differ (as git does); verify reads them all
    snap_a, snap_b = Snapshot.load(store, a, lazy=True), Snapshot.load(store, b, lazy=True)
    check_patterns(addresses, set(snap_a.resources) | set(snap_b.resources),
                   f"{rev_a or a[:12]} or {rev_b or b[:12]}", f"gitsnap show {rev_b or 'HEAD'}")
    changes = diff_snapshots(snap_a, snap_b, only=only, addresses=addresses, content=content, include_status=status)
    changes, silenced = apply_ignores(changes, load_config(c).ignore)
    _print_changes(changes, silenced, fmt, {"from": a, "to": b}, f"gitsnap diff {rev_a or a[:12]}..{rev_b or b[:12]}")
    sys.exit(Exit.DIFFERENCES if exit_code and changes else Exit.OK)


def _print_changes(changes: list[Any], silenced: list[Any], fmt: str, meta: dict[str, Any], title: str,
                   summary: str = "") -> None:
    from .. import render

    if fmt == "json":
        meta = {**meta, "ignored": [{"address": r.address, "path": r.path, "reason": r.reason, "count": n}
                                    for r, n in silenced if n]}
        click.echo(render.as_json(changes, meta), nl=False)
    elif fmt == "markdown":
        click.echo(render.markdown(changes, title) + ("\n" + summary if summary else "")
                   + render.ignored_footer(silenced), nl=False)
    else:
        click.echo(render.text(changes) + summary + render.ignored_footer(silenced), nl=False)


@cli.command()
@click.argument("rev", required=False, default="HEAD")
@click.argument("addresses", nargs=-1)
@click.option("--only", multiple=True, metavar="SERVICE", help="Only this service (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text")
@click.option("--status", "status", is_flag=True,
              help="Also compare the status section (lifecycle states the service changes by itself).")
@click.pass_obj
def drift(c: Ctx, rev: str, addresses: tuple[str, ...], only: tuple[str, ...], fmt: str, status: bool) -> None:
    """Live state against snapshot REV (default HEAD); writes nothing. Exit 1 when it drifted."""
    from .. import render
    from ..drift import drift as run_drift
    from ..runlog import record_run

    check_only(only)
    store = open_store(c)
    config = load_config(c)
    try:
        report = run_drift(store, config, fingerprint_of(store), rev, only, addresses, include_status=status)
    except Exception as exc:  # [notify] on "failure": told before the error exits 2 (the group prints it)
        record_run(store.path, {"command": "drift", "outcome": "failed", "exit_code": int(Exit.ERROR), "error": exc})
        if config.notify_urls:
            from ..notify import after_failure

            after_failure(config, "drift", store.path, exc, c.debug)
        raise
    _print_changes(report.changes, report.silenced, fmt, {"from": report.commit, "to": "live"},
                   f"gitsnap drift: live vs {rev}", render.per_service(report.changes))
    if config.notify_urls:  # apprise is imported only then; a failing notifier leaves the exit code as is
        from ..notify import after_drift

        after_drift(config, store, report, rev, c.debug)
    record_run(store.path, {"command": "drift", "outcome": "drift" if report.changes else "no-drift",
                            "exit_code": int(Exit.DIFFERENCES if report.changes else Exit.OK), "commit": report.commit,
                            "counts": {"changes": len(report.changes),
                                       "resources": len({ch.address for ch in report.changes})}})
    sys.exit(Exit.DIFFERENCES if report.changes else Exit.OK)


@cli.command()
@click.argument("rev_a", required=False)
@click.argument("rev_b", required=False)
@click.option("--drift", "drift_mode", is_flag=True, help="Live state against REV_A (default HEAD).")
@click.option("--parity", "envs", nargs=2, default=None, metavar="ENV_A ENV_B", help="Two environments of REV_A.")
@click.option("--history", "history", is_flag=True,
              help="A timeline of the snapshots: changes per service per night, tags, drift, partial and failed runs.")
@click.option("--since", default=None, metavar="SPAN",
              help="With --history: how far back (90d, 12w or a UTC date like 2026-09-01; default 90d).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the HTML page.")
@click.pass_obj
def report(c: Ctx, rev_a: str | None, rev_b: str | None, drift_mode: bool, envs: tuple[str, str] | None,
           history: bool, since: str | None, output: Path) -> None:
    """Write one self-contained HTML page: a diff (A B), drift (--drift), parity (--parity prod
    staging) or the history (--history [--since 90d])."""
    from .. import render
    from .. import report as html_report
    from ..diff import apply_ignores, diff_snapshots
    from ..errors import UsageError
    from ..flow import dangling_texts, of_snapshot
    from ..store.snapshot import Snapshot

    if sum((bool(envs), drift_mode, history)) > 1:
        raise UsageError("choose one of --drift, --parity and --history")
    if since is not None and not history:
        raise UsageError("--since goes with --history")
    store = open_store(c)
    if history:
        if rev_a or rev_b:
            raise UsageError("--history takes no revisions: it covers main over --since")
        from ..history import history_html

        output.write_text(history_html(store, since), "utf-8")
        click.echo(f"Wrote {output} (snapshots since {since or '90d'} ago)." if not since or since[-1:] in 'dw' else f"Wrote {output} (snapshots since {since}).")
        return
    config = load_config(c)
    findings: list[str] = []
    only: list[str] = []
    summary: str | None = None
    if envs:
        from ..parity import parity

        rev = rev_a or "HEAD"
        result = parity(Snapshot.load(store, store.resolve(rev)), config.environments, envs[0], envs[1],
                        content=True, ignore=config.ignore)
        # the same findings, unpaired resources and last line as 'gitsnap parity' prints
        findings, only, summary = [f.shown for f in result.findings], result.unpaired(), result.summary_line()
        changes = result.changes()
        silenced = result.silenced
        title, subtitle = f"Parity: {envs[0]} vs {envs[1]}", f"snapshot {rev}: {_label(store.log(rev, limit=1)[0])}"
    elif drift_mode:
        from ..drift import drift as run_drift

        rev = rev_a or "HEAD"
        d = run_drift(store, config, fingerprint_of(store), rev)
        changes, silenced = d.changes, d.silenced
        title, subtitle = f"Drift: live vs {rev}", f"snapshot {_label(store.log(d.commit, limit=1)[0])}"
    else:
        a, b = _resolve_pair(store, rev_a, rev_b)
        changes = diff_snapshots(Snapshot.load(store, a), Snapshot.load(store, b), content=True)
        changes, silenced = apply_ignores(changes, config.ignore)
        # the names the user gave, else what people know a snapshot by: its tag, else its date
        info_a, info_b = store.log(a, limit=1)[0], store.log(b, limit=1)[0]
        title = f"Changes {rev_a or _name(info_a)} -> {rev_b or _name(info_b)}"
        subtitle = f"{_label(info_a)} -> {_label(info_b)}"
    ignored = [f"ignored {plural(n, 'change')}: {r.address} {r.path} ({r.reason})" for r, n in silenced if n]
    flow = of_snapshot(Snapshot.load(store, store.resolve(rev if envs or drift_mode else b)))
    dangling = dangling_texts(flow)
    output.write_text(html_report.render(title, subtitle, changes, findings, ignored, flow, summary=summary,
                                         only=only, dangling=dangling), "utf-8")
    line = (summary or render.summary_line(changes)).rstrip(".")
    said = [line[:1].lower() + line[1:]]
    said += [plural(len(findings), "finding")] if findings and not summary else []
    said += [plural(len(dangling), "dangling link")] if dangling else []
    click.echo(f"Wrote {output} ({'; '.join(said)}).")


def _when(info: Any) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(info.time))


def _name(info: Any) -> str:
    """A snapshot (its log entry) as people know it: its first tag, else the UTC date it was captured."""
    return info.tags[0] if info.tags else f"the capture of {_when(info)}"


def _label(info: Any) -> str:
    """A snapshot's tags (if any), capture date and short id: 'nightly-2026-11-30, 2026-11-30 02:30 UTC, 1a2b3c4d5e6f'."""
    return ", ".join([*info.tags, _when(info), info.id[:12]])


@cli.command(name="parity")
@click.argument("env_a")
@click.argument("env_b")
@click.argument("rev", required=False, default="HEAD")
@click.option("--live", is_flag=True, help="Compare live state instead of a snapshot (writes nothing).")
@click.option("--content", is_flag=True, help="Text diffs of bodies that differ between paired buckets.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def parity_cmd(c: Ctx, env_a: str, env_b: str, rev: str, live: bool, content: bool, fmt: str) -> None:
    """Compare two environments (e.g. prod staging) of a snapshot, or of live state. Exit 1 unless they match."""
    from ..parity import parity, render_json, render_text
    from ..store.snapshot import Snapshot

    store = open_store(c)
    config = load_config(c)
    if live:
        from ..engine import Capture
        from ..live import read_live

        snap, _ = read_live(Capture(store, config, fingerprint_of(store)), store.head(), ())
    else:
        snap = Snapshot.load(store, store.resolve(rev))
    from .. import render

    report = parity(snap, config.environments, env_a, env_b, content=content and not live, ignore=config.ignore)
    footer = render.ignored_footer(report.silenced)
    click.echo(render_json(report) if fmt == "json" else render_text(report) + footer, nl=False)
    sys.exit(Exit.OK if report.matches else Exit.DIFFERENCES)


@cli.command(name="flow")
@click.argument("rev", default="HEAD")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format.")
@click.pass_obj
def flow_cmd(c: Ctx, rev: str, fmt: str) -> None:
    """How requests reach what serves them in snapshot REV: domain -> record -> distribution
    (edge functions, web ACL) -> origin. Exits 1 when a link dangles (names something gone)."""
    from ..flow import of_snapshot, render_text
    from ..store.snapshot import Snapshot

    store = open_store(c)
    flow = of_snapshot(Snapshot.load(store, store.resolve(rev)))
    click.echo(json.dumps(flow, indent=2, sort_keys=True) if fmt == "json" else render_text(flow), nl=False)
    sys.exit(Exit.DIFFERENCES if flow["dangling"] else Exit.OK)
