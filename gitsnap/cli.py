"""The gitsnap command line: thin click commands over the library.

Exit codes live here and nowhere else: :class:`Exit` is the table of codes and
:data:`EXIT_FOR` maps each typed error to one. Every gitsnap error prints as one
line; a traceback only with --debug. A closed pipe ends quietly; Ctrl-C (or SIGTERM)
stops at once, the lock released and nothing half-written.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import time
import traceback
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console

from . import __version__
from .errors import DeclinedError, GitsnapError, IncompleteError


class Exit(IntEnum):
    """Every exit code gitsnap uses (README "Exit codes" is generated from this table's docs)."""

    OK = 0  # success; no differences
    DIFFERENCES = 1  # differences found or changes pending (diff --exit-code, drift, parity, restore plan, scan)
    ERROR = 2  # error: usage, config, credentials, endpoint, repository, a failed read; nothing was written
    PARTIAL = 3  # partial: a snapshot was written with failures named, or export/restore left something undone
    DECLINED = 4  # a confirmation was answered "no": nothing was changed
    INTERRUPTED = 130  # interrupted by Ctrl-C (SIGINT): nothing half-written, the lock released
    BROKEN_PIPE = 141  # the reader of the output went away (``gitsnap log | head``): ends quietly
    TERMINATED = 143  # stopped by SIGTERM (a scheduler's timeout): as for Ctrl-C


# Typed errors to exit codes, most specific first; any other GitsnapError is Exit.ERROR.
EXIT_FOR: tuple[tuple[type[GitsnapError], Exit], ...] = (
    (DeclinedError, Exit.DECLINED),
    (IncompleteError, Exit.PARTIAL),
    (GitsnapError, Exit.ERROR),
)

log = logging.getLogger("gitsnap")


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so it unwinds exactly like Ctrl-C."""


def code_for(exc: GitsnapError) -> Exit:
    return next(code for kind, code in EXIT_FOR if isinstance(exc, kind))


@dataclass
class Ctx:
    repo: Path
    config_path: str | None
    verbose: bool
    debug: bool


def fail(message: str, debug: bool, code: int = Exit.ERROR) -> NoReturn:
    if debug:
        traceback.print_exc()
    click.echo(f"gitsnap: error: {message}", err=True)
    sys.exit(code)


def _quiet_pipe_exit() -> NoReturn:
    """The reader closed the pipe: say nothing, and keep Python from complaining at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os._exit(Exit.BROKEN_PIPE)


def _interrupted(exc: KeyboardInterrupt, debug: bool) -> NoReturn:
    """Stop now. Whatever was running has unwound its ``with`` blocks (the lock is released and
    refs only ever move last), so the worker threads still finishing a request are abandoned
    rather than waited for: ``os._exit`` keeps Ctrl-C within a second or two."""
    code = Exit.TERMINATED if isinstance(exc, Terminated) else Exit.INTERRUPTED
    if debug:
        traceback.print_exc()
    what = "terminated" if code == Exit.TERMINATED else "interrupted"
    try:
        click.echo(f"gitsnap: error: {what}; nothing half-done was written (refs and tags are as they were)", err=True)
        sys.stderr.flush()
        sys.stdout.flush()
    except (BrokenPipeError, OSError):
        pass
    os._exit(code)


class GitsnapGroup(click.Group):
    """Maps every error to its exit code, in one place."""

    def invoke(self, ctx: click.Context) -> Any:
        debug = "--debug" in sys.argv[1:]
        try:
            return super().invoke(ctx)
        except GitsnapError as exc:
            fail(str(exc), debug, code_for(exc))
        except KeyboardInterrupt as exc:
            _interrupted(exc, debug)
        except BrokenPipeError:
            _quiet_pipe_exit()
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except Exception as exc:  # a bug: still one line, unless --debug
            fail(f"internal error {type(exc).__name__}: {exc} (run with --debug for the traceback)", debug)


@click.group(cls=GitsnapGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--repo", type=click.Path(file_okay=False, path_type=Path), envvar="GITSNAP_REPO",
              default=None, help="Snapshot repository (default: $GITSNAP_REPO, else the current directory).")
@click.option("--config", "config_path", type=str, default=None,
              help="Config file (default: $GITSNAP_CONFIG, else gitsnap.toml in the repository).")
@click.option("-v", "--verbose", is_flag=True, help="Say more about what happens.")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.version_option(__version__, prog_name="gitsnap")
@click.pass_context
def cli(ctx: click.Context, repo: Path | None, config_path: str | None, verbose: bool, debug: bool) -> None:
    """Version a whole cloud estate in git: capture, diff, drift, parity, restore."""
    level = logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="gitsnap: %(message)s", stream=sys.stderr)
    if not debug:
        for noisy in ("botocore", "boto3", "urllib3"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    ctx.obj = Ctx(repo=(repo or Path.cwd()), config_path=config_path, verbose=verbose, debug=debug)


def _open(c: Ctx) -> Any:
    from .store import SnapshotStore

    return SnapshotStore(c.repo)


def _fingerprint(store: Any) -> Any:
    from .keys import fingerprinter

    return fingerprinter(store)


def _config(c: Ctx) -> Any:
    from . import config
    from .collectors.registry import aws_services

    path, named = config.resolve_path(c.config_path, c.repo)
    return config.load(path, required=named, known_services=aws_services())


def _check_only(only: tuple[str, ...]) -> None:
    from .addresses import check_services
    from .collectors import registry

    check_services(only, registry.aws_services() | registry.other_services())


@cli.command()
@click.option("--recipient", "recipients", multiple=True, metavar="AGE1…",
              help="Seal secrets to this age public key (repeatable) instead of making an identity here.")
@click.pass_obj
def init(c: Ctx, recipients: tuple[str, ...]) -> None:
    """Create the snapshot repository, a starter gitsnap.toml, and its keys."""
    from .config import CONFIG_NAME, STARTER
    from .keys import init_keys
    from .secrets.seal import parse_recipients
    from .store import SnapshotStore

    parse_recipients(list(recipients), "--recipient")  # refused before anything is made
    store = SnapshotStore.init(c.repo)
    (store.path / CONFIG_NAME).write_text(STARTER, "utf-8")
    kid, chosen, identity = init_keys(store, list(recipients))
    click.echo(f"Initialized gitsnap repository in {store.path} (config: {store.path / CONFIG_NAME})")
    click.echo(f"Fingerprint key {kid}; secrets are sealed to {', '.join(r[:16] + '…' for r in chosen)}")
    if identity is not None:
        click.echo(f"The age identity that unseals them is {identity}: back it up outside this machine; "
                   "restore and 'show --reveal' need it, capture does not.")


@cli.group()
def keys() -> None:
    """The repository's fingerprint key and sealing recipients (docs/secrets.md)."""


@keys.command("show")
@click.pass_obj
def keys_show(c: Ctx) -> None:
    """Print the fingerprint key id, the recipients, and whether this machine has the identity."""
    from .keys import KEY_ID, recipients, unsealer

    store = _open(c)
    rs = recipients(store, _config(c))
    ident = unsealer()
    click.echo(f"fingerprint key id: {(store.setting(KEY_ID) or ['(none yet)'])[0]}")
    for r in rs:
        mine = " (this machine's identity)" if ident is not None and ident.recipient == r else ""
        click.echo(f"recipient: {r}{mine}")
    if not rs:
        click.echo("no recipients: run 'gitsnap keys init'")
    click.echo(f"identity: {ident.path if ident else 'not on this machine'}")


@keys.command("init")
@click.option("--recipient", "recipients", multiple=True, metavar="AGE1…", help="Seal to this age public key.")
@click.pass_obj
def keys_init(c: Ctx, recipients: tuple[str, ...]) -> None:
    """Set up keys for a repository made before sealing existed (or replace its recipients)."""
    from .keys import fingerprinter, init_keys

    store = _open(c)
    fingerprinter(store)  # an existing key id must still match
    kid, chosen, identity = init_keys(store, list(recipients))
    click.echo(f"Fingerprint key {kid}; secrets are sealed to {', '.join(chosen)}"
               + (f"; identity {identity}" if identity else ""))


@cli.command()
@click.option("--tag", "-t", default=None, help="Annotated tag for this snapshot, e.g. v1.0.")
@click.option("-m", "--message", default=None, help="Commit (and tag) message.")
@click.option("--only", multiple=True, metavar="SERVICE", help="Capture only this service (repeatable); the rest is kept.")
@click.option("--allow-partial", is_flag=True, help="Commit what was read if a collector fails (exit 3).")
@click.option("--force", is_flag=True, help="Move an existing tag.")
@click.option("--lightsail-snapshot", is_flag=True,
              help="First create a Lightsail instance snapshot named <instance>-<tag> (needs --tag).")
@click.option("--restore-archived", type=click.IntRange(min=1), default=None, metavar="DAYS",
              help="Ask S3 to restore archived objects (Bulk tier) for DAYS, so a later capture stores their bodies.")
@click.pass_obj
def capture(c: Ctx, tag: str | None, message: str | None, only: tuple[str, ...], allow_partial: bool, force: bool,
            lightsail_snapshot: bool, restore_archived: int | None) -> None:
    """Capture live state as a new snapshot commit."""
    from .engine import Capture, CaptureRequest
    from .keys import check_locations, fingerprinter, sealer
    from .progress import RichReporter, summary_table
    from .render import capture_notes

    store = _open(c)
    config = _config(c)
    check_locations(store, config)
    err = Console(stderr=True)
    request = CaptureRequest(tag=tag, message=message, only=only, allow_partial=allow_partial, force=force,
                             lightsail_snapshot=lightsail_snapshot, restore_archived=restore_archived)
    with RichReporter(err) as reporter:
        cap = Capture(store, config, fingerprinter(store), reporter)
        cap.check(request)
        result = cap.run(request, sealer(store, config))
    out = Console(highlight=False, soft_wrap=True)
    out.print(summary_table(result))
    unreadable = {a: r["unreadable"] for u in result.units for a, r in u.resources.items() if r.get("unreadable")}
    for line in capture_notes(result.covered, result.seen, result.dropped, unreadable):
        click.echo(line)
    for u in result.failed:
        click.echo(f"gitsnap: failed: {u.error} (previous state of {u.path} kept)", err=True)
    if result.findings:
        click.echo(f"gitsnap: sealed {len(result.findings)} secrets found in what was captured "
                   "(values replaced by fingerprints; originals sealed to the recipients):", err=True)
        for f in result.findings:
            click.echo(f"  {f}", err=True)
    for a in result.allowed:
        click.echo(f"gitsnap: allowed by [secrets]: {a}", err=True)
    if result.unscanned:
        click.echo(f"gitsnap: {len(result.unscanned)} bodies over [secrets] scan_max_bytes were stored unscanned "
                   f"(first: {result.unscanned[0]})", err=True)
    short = (result.commit or "")[:12]
    tagged = f", tagged {result.tag}" if result.tag else ""
    if result.created:
        click.echo(f"Snapshot {short} committed{tagged}.")
    elif result.commit:
        click.echo(f"No changes since {short}: no new commit{tagged}.")
    sys.exit(Exit.PARTIAL if result.failed else Exit.OK)


def _resolve_pair(store: Any, a: str | None, b: str | None) -> tuple[str, str]:
    from .errors import UsageError

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
    from .addresses import check_patterns
    from .diff import apply_ignores, diff_snapshots
    from .store.snapshot import Snapshot

    _check_only(only)
    store = _open(c)
    a, b = _resolve_pair(store, rev_a, rev_b)
    snap_a, snap_b = Snapshot.load(store, a), Snapshot.load(store, b)
    check_patterns(addresses, set(snap_a.resources) | set(snap_b.resources),
                   f"{rev_a or a[:12]} or {rev_b or b[:12]}", f"gitsnap show {rev_b or 'HEAD'}")
    changes = diff_snapshots(snap_a, snap_b, only=only, addresses=addresses, content=content, include_status=status)
    changes, silenced = apply_ignores(changes, _config(c).ignore)
    _print_changes(changes, silenced, fmt, {"from": a, "to": b}, f"gitsnap diff {rev_a or a[:12]}..{rev_b or b[:12]}")
    sys.exit(Exit.DIFFERENCES if exit_code and changes else Exit.OK)


def _print_changes(changes: list[Any], silenced: list[Any], fmt: str, meta: dict[str, Any], title: str,
                   summary: str = "") -> None:
    from . import render

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
    from . import render
    from .drift import drift as run_drift

    _check_only(only)
    store = _open(c)
    report = run_drift(store, _config(c), _fingerprint(store), rev, only, addresses, include_status=status)
    _print_changes(report.changes, report.silenced, fmt, {"from": report.commit, "to": "live"},
                   f"gitsnap drift: live vs {rev}", render.per_service(report.changes))
    sys.exit(Exit.DIFFERENCES if report.changes else Exit.OK)


@cli.command(name="log")
@click.option("-n", "--max-count", type=int, default=None, help="Show at most N snapshots.")
@click.pass_obj
def log_cmd(c: Ctx, max_count: int | None) -> None:
    """List snapshots, newest first, with their tags."""
    store = _open(c)
    entries = store.log(limit=max_count)
    if not entries:
        click.echo("No snapshots yet: run 'gitsnap capture'.")
    for entry in entries:
        when = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime(entry.time))
        tags = f" ({', '.join('tag: ' + t for t in entry.tags)})" if entry.tags else ""
        click.echo(f"{entry.id[:12]} {when}{tags} {entry.message.splitlines()[0] if entry.message else ''}")


@cli.command()
@click.argument("rev")
@click.argument("address", required=False)
@click.option("--reveal", is_flag=True, help="Open sealed values with the age identity (prints secrets!).")
@click.pass_obj
def show(c: Ctx, rev: str, address: str | None, reveal: bool) -> None:
    """Show a snapshot's MANIFEST.md, or one resource's document."""
    from .errors import UsageError
    from .store.snapshot import Snapshot

    store = _open(c)
    snap = Snapshot.load(store, store.resolve(rev))
    if address is None:
        blob = snap.files.get("MANIFEST.md")
        click.echo(store.read(blob).decode("utf-8") if blob else "(no MANIFEST.md in this snapshot)", nl=False)
        return
    if address not in snap.resources:
        from .addresses import nearest

        close = nearest(address, snap.resources)
        mean = f" (did you mean {' or '.join(close)}?)" if close else ""
        raise UsageError(f"no resource {address!r} in {rev}{mean}; 'gitsnap show {rev}' lists what it has")
    files = snap.resource_files(address)
    doc = snap.document_blob(address)
    if doc and reveal:
        from . import canonical
        from .keys import unsealer
        from .restore.reveal import Revealer

        opener = unsealer()
        if opener is None:
            raise UsageError("--reveal needs the age identity (GITSNAP_IDENTITY, default ~/.config/gitsnap/identity.age)")
        doc_value = Revealer(snap, opener).deep(json.loads(store.read(doc)), address)
        click.echo(canonical.dumps(doc_value).decode("utf-8"), nl=False)
    elif doc:
        click.echo(store.read(doc).decode("utf-8"), nl=False)
    others = sorted(rel for rel in files if files[rel] != doc)
    if others:
        click.echo(f"# also in {snap.resources[address]['path']}/: " + ", ".join(others))


@cli.command()
@click.argument("rev_a", required=False)
@click.argument("rev_b", required=False)
@click.option("--drift", "drift_mode", is_flag=True, help="Live state against REV_A (default HEAD).")
@click.option("--parity", "envs", nargs=2, default=None, metavar="ENV_A ENV_B", help="Two environments of REV_A.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the HTML page.")
@click.pass_obj
def report(c: Ctx, rev_a: str | None, rev_b: str | None, drift_mode: bool, envs: tuple[str, str] | None,
           output: Path) -> None:
    """Write one self-contained HTML page: a diff (A B), drift (--drift) or parity (--parity prod staging)."""
    from . import report as html_report
    from .diff import apply_ignores, diff_snapshots
    from .store.snapshot import Snapshot

    store = _open(c)
    config = _config(c)
    findings: list[str] = []
    if envs:
        from .parity import parity

        rev = rev_a or "HEAD"
        result = parity(Snapshot.load(store, store.resolve(rev)), config.environments, envs[0], envs[1],
                        content=True, ignore=config.ignore)
        findings = [f.message for f in result.findings]
        findings += [f"only in {envs[0]}: {a}" for a in result.only_a] + [f"only in {envs[1]}: {b}" for b in result.only_b]
        changes = [ch for pair in result.pairs for ch in pair.changes]
        silenced = result.silenced
        title, subtitle = f"Parity: {envs[0]} vs {envs[1]}", f"snapshot {rev}"
    elif drift_mode:
        from .drift import drift as run_drift

        rev = rev_a or "HEAD"
        d = run_drift(store, config, _fingerprint(store), rev)
        changes, silenced = d.changes, d.silenced
        title, subtitle = f"Drift: live vs {rev}", f"snapshot {d.commit[:12]}"
    else:
        a, b = _resolve_pair(store, rev_a, rev_b)
        changes = diff_snapshots(Snapshot.load(store, a), Snapshot.load(store, b), content=True)
        changes, silenced = apply_ignores(changes, config.ignore)
        title, subtitle = f"Changes {rev_a or a[:12]} -> {rev_b or b[:12]}", f"{a[:12]} -> {b[:12]}"
    ignored = [f"ignored {n}: {r.address} {r.path} ({r.reason})" for r, n in silenced if n]
    output.write_text(html_report.render(title, subtitle, changes, findings, ignored), "utf-8")
    click.echo(f"Wrote {output} ({len(changes)} changes, {len(findings)} findings).")


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
    from .parity import parity, render_json, render_text
    from .store.snapshot import Snapshot

    store = _open(c)
    config = _config(c)
    if live:
        from .engine import Capture
        from .live import read_live

        snap, _ = read_live(Capture(store, config, _fingerprint(store)), store.head(), ())
    else:
        snap = Snapshot.load(store, store.resolve(rev))
    from . import render

    report = parity(snap, config.environments, env_a, env_b, content=content and not live, ignore=config.ignore)
    footer = render.ignored_footer(report.silenced)
    click.echo(render_json(report) if fmt == "json" else render_text(report) + footer, nl=False)
    sys.exit(Exit.OK if report.matches else Exit.DIFFERENCES)


@cli.command()
@click.argument("rev")
@click.argument("addresses", nargs=-1)
@click.option("--only", multiple=True, metavar="SERVICE", help="Only this service (repeatable).")
@click.option("--apply", "do_apply", is_flag=True, help="Apply the plan (asks on a terminal; needs --yes otherwise).")
@click.option("--yes", is_flag=True, help="Do not ask before applying.")
@click.option("--delete", is_flag=True, help="Also remove what the snapshot does not have (objects, records, env vars).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="How to print the plan.")
@click.option("--capture/--no-capture", "record", default=True, help="Commit the restored live state afterwards.")
@click.option("--to", "to_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="For local/NAME: write the snapshot's files into this directory.")
@click.pass_obj
def restore(c: Ctx, rev: str, addresses: tuple[str, ...], only: tuple[str, ...], do_apply: bool, yes: bool,
            delete: bool, fmt: str, record: bool, to_dir: Path | None) -> None:
    """Put live state back to snapshot REV: a plan by default, applied with --apply."""
    from .errors import UsageError
    from .restore.run import Restore, RestoreError, plan_json

    if to_dir is not None:
        _restore_local(c, rev, addresses, to_dir, do_apply)
        return
    _check_only(only)
    if do_apply and not yes and not sys.stdin.isatty():
        raise UsageError("--apply needs --yes when not run from a terminal; nothing was changed")
    store = _open(c)
    r = Restore(store, _config(c), _fingerprint(store), rev, addresses, only, delete)
    plan = r.plan()
    click.echo(plan_json(plan) if fmt == "json" else plan.text(), nl=False)
    if not do_apply:
        if plan.actions and fmt == "text":
            click.echo("Nothing was changed: run again with --apply to apply this plan.")
        sys.exit(Exit.DIFFERENCES if plan.operations else Exit.OK)
    if plan.blocked:
        raise RestoreError(f"{len(plan.blocked)} operations need the age identity, which this machine does not "
                           "have (GITSNAP_IDENTITY); nothing was changed")
    if not plan.actions:
        _restore_outcome(rev, plan, plan, applied=False)
        return
    if not yes and not click.confirm(f"Apply {len(plan.actions)} operations to live state?", default=False):
        raise DeclinedError("declined: nothing was changed")
    r.apply(plan, progress=lambda op: click.echo(f"applied {op.verb} {op.target}", err=True))
    after = r.verify()
    if record:
        result = r.record(plan)
        if result.created:
            click.echo(f"Recorded the restored live state as snapshot {(result.commit or '')[:12]}.")
    _restore_outcome(rev, plan, after, applied=True)


def _restore_outcome(rev: str, plan: Any, after: Any, applied: bool) -> None:
    """Per resource: applied / skipped (why) / still different, from the plan and a fresh re-read
    of live state (*after*). Says "matches" only when it does; raises IncompleteError (exit 3)
    when anything selected was not done."""
    from .restore.outcome import outcomes

    rows = outcomes(plan, after)
    click.echo(f"Outcome (live state re-read after {'applying' if applied else 'planning'}):")
    for row in rows:
        click.echo(f"  {row.address}: {row.text()}")
    left = [row for row in rows if not row.done]
    kept = sum(row.kept for row in rows)
    if left:
        raise IncompleteError(f"live state does not match {rev}: {len(left)} of {len(rows)} resources were not fully "
                              "restored (listed above with why)")
    extra = f", except {kept} live-only items kept (listed above as kept)" if kept else ""
    click.echo(f"Live state now matches {rev}{extra}." if applied else f"Live state already matches {rev}{extra}.")


def _restore_local(c: Ctx, rev: str, addresses: tuple[str, ...], to_dir: Path, do_apply: bool) -> None:
    import os

    from .errors import UsageError
    from .keys import unsealer
    from .restore.reveal import Revealer
    from .store.snapshot import Snapshot

    store = _open(c)
    snap = Snapshot.load(store, store.resolve(rev))
    if not addresses or not all(a.startswith("local/") and a in snap.resources for a in addresses):
        raise UsageError(f"--to takes local/NAME addresses present in {rev} ('gitsnap show {rev}' lists them)")
    for address in addresses:
        files = snap.resource_files(address)
        meta = json.loads(store.read(files["path.json"]))
        original = Path(os.path.expanduser(meta["Path"])).resolve()
        if to_dir.resolve() == original and not do_apply:
            raise UsageError(f"{to_dir} is {address}'s own path: pass --apply to write over it")
        reveal = Revealer(snap, unsealer())
        wanted = sorted({rel for rel in [*files, *reveal.sealed_files(address)] if rel.startswith("files/")})
        contents = {rel: reveal.file(address, rel) for rel in wanted}  # all opened before any is written
        n = 0
        for rel, data in contents.items():
            target = to_dir / rel[len("files/"):]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data or b"")
            n += 1
        click.echo(f"{address}: wrote {n} files into {to_dir}")


@cli.command(name="export")
@click.argument("rev")
@click.argument("address")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def export_cmd(c: Ctx, rev: str, address: str, dest: Path) -> None:
    """Write a bucket's objects from snapshot REV into a directory (keys that are not paths are listed)."""
    from .restore.run import export_bucket

    written, refused = export_bucket(_open(c), rev, address, dest)
    click.echo(f"{address}: wrote {written} objects into {dest}")
    if refused:
        click.echo(f"{len(refused)} keys cannot be files here and were not written:", err=True)
        for key in refused:
            click.echo(f"  {key!r}", err=True)
        raise IncompleteError(f"{address}: {len(refused)} of {written + len(refused)} keys were not written (listed "
                              f"above); 'gitsnap restore {rev} {address} --apply' puts every key back in the bucket")


@cli.command()
@click.argument("rev", required=False, default="HEAD")
@click.pass_obj
def verify(c: Ctx, rev: str) -> None:
    """Check every body and document of a snapshot against its manifest (no cloud access)."""
    from .manifest import human_bytes
    from .verify import VerifyError
    from .verify import verify as run_verify

    store = _open(c)
    report = run_verify(store, rev)  # resolves rev itself: a damaged ref is a problem line, not an abort
    for problem in report.problems:
        click.echo(f"  {problem}", err=True)
    if report.problems:
        n = len(report.problems)
        raise VerifyError(f"{rev}: {n} problem{'' if n == 1 else 's'} found (listed above); the repository is damaged")
    click.echo(f"{rev}: {report.bodies} bodies ({human_bytes(report.body_bytes)}) and "
               f"{report.documents} documents verified ({report.objects} git objects checked)")


@cli.command()
@click.argument("revs", nargs=-1, metavar="[REV]...")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--max-bytes", type=click.IntRange(min=0), default=8 * 1024 * 1024, show_default=True,
              help="Blobs larger than this are listed as skipped, not read.")
@click.pass_obj
def scan(c: Ctx, revs: tuple[str, ...], fmt: str, max_bytes: int) -> None:
    """Audit history (every ref, or what REV... reach) for secret values. Exit 1 if any is found."""
    from .scan import render_json, render_text, scan_history, skipped_lines
    from .secrets.detect import Detector

    report = scan_history(_open(c), list(revs) or None, Detector(), max_bytes=max_bytes)
    click.echo(render_json(report) if fmt == "json" else render_text(report), nl=False)
    for line in skipped_lines(report, max_bytes):
        click.echo(line, err=True)
    sys.exit(Exit.DIFFERENCES if report.hits else Exit.OK)


@cli.command()
@click.option("--only", multiple=True, metavar="SERVICE", help="Only this service (repeatable).")
@click.option("--restore", "writes", is_flag=True,
              help="The policy a restore's writes need instead (attach it beside the read-only one).")
def permissions(only: tuple[str, ...], writes: bool) -> None:
    """Print the read-only IAM policy a capture needs, derived from the declarations."""
    import json

    from .collectors.permissions import read_only_policy, restore_policy
    from .collectors.registry import aws_services
    from .errors import UsageError

    unknown = sorted(set(only) - aws_services())
    if unknown:
        raise UsageError(f"unknown service {unknown[0]!r}; known: {', '.join(sorted(aws_services()))}")
    click.echo(json.dumps((restore_policy if writes else read_only_policy)(only), indent=2))


@cli.group()
def sandbox() -> None:
    """An embedded local AWS endpoint with a sample estate, to try gitsnap without an account."""


@sandbox.command("serve")
@click.option("--port", type=int, default=4566, show_default=True, help="Port on 127.0.0.1 (0: any free port).")
@click.option("--no-seed", is_flag=True, help="Start empty instead of with the sample estate.")
@click.option("--ready-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Once ready, write the environment (KEY=value lines, sourceable) here, for scripts.")
def sandbox_serve(port: int, no_seed: bool, ready_file: Path | None) -> None:
    """Run the local endpoint until interrupted."""
    server, estate = _sandbox_modules()
    sb = server.Sandbox(port=port).start()
    if not no_seed:
        estate.seed(sb.endpoint, sb.lightsail_endpoint)
    click.echo("Local AWS endpoint running. In another shell:\n")
    for k, v in sb.env().items():
        click.echo(f"  export {k}={v}")
    click.echo("\nThen: gitsnap --repo snap init && gitsnap --repo snap capture --tag v1.0\nCtrl-C to stop.")
    if ready_file:
        ready_file.write_text("".join(f"{k}={v}\n" for k, v in sb.env().items()))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sb.stop()


@sandbox.command("change")
def sandbox_change() -> None:
    """Edit the sample estate (a page, a distribution, a function), as someone might."""
    _, estate = _sandbox_modules()
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        raise click.UsageError("AWS_ENDPOINT_URL is not set: point it at 'gitsnap sandbox serve'")
    for line in estate.change(endpoint):
        click.echo(f"changed {line}")


def _sandbox_modules() -> tuple[Any, Any]:
    from .errors import UsageError

    try:
        from .sandbox import estate, server
    except ImportError as exc:
        raise UsageError(f"the sandbox needs moto: pip install 'gitsnap[sandbox]' ({exc.name} missing)") from exc
    return server, estate


def _on_sigterm(_signum: int, _frame: Any) -> None:
    raise Terminated


def main() -> None:
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        cli(prog_name="gitsnap")
    except BrokenPipeError:  # raised while click itself printed (usage, --help)
        _quiet_pipe_exit()
