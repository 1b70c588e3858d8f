"""Commands that make and read snapshots: init, keys, capture, log, show, verify."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import click
from rich.console import Console

from ..words import plural
from .app import Ctx, Exit, cli, load_config, open_store, utc_time
from .remote import push_after


@cli.command()
@click.option("--recipient", "recipients", multiple=True, metavar="AGE1…",
              help="Seal secrets to this age public key (repeatable) instead of making an identity here.")
@click.pass_obj
def init(c: Ctx, recipients: tuple[str, ...]) -> None:
    """Create the snapshot repository, a starter gitsnap.toml, and its keys."""
    from ..config import CONFIG_NAME, STARTER
    from ..keys import init_keys
    from ..secrets.seal import parse_recipients
    from ..store import SnapshotStore

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
    from ..keys import KEY_ID, recipients, unsealer

    store = open_store(c)
    rs = recipients(store, load_config(c))
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
    from ..keys import fingerprinter, init_keys

    store = open_store(c)
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
@click.option("--shard", default=None, metavar="NAME",
              help="Write what was read as shard NAME (refs/gitsnap/shards/NAME), not on main; "
                   "'gitsnap commit --from-shards' combines the shards into one snapshot.")
@click.pass_obj
def capture(c: Ctx, tag: str | None, message: str | None, only: tuple[str, ...], allow_partial: bool, force: bool,
            lightsail_snapshot: bool, restore_archived: int | None, shard: str | None) -> None:
    """Capture live state as a new snapshot commit (or, with --shard, as one shard of a snapshot)."""
    from ..engine import Capture, CaptureRequest
    from ..keys import check_locations, fingerprinter, sealer
    from ..progress import RichReporter, summary_table
    from ..render import capture_notes
    from ..runlog import record_run  # the line report --history draws; appending never fails a run

    store = open_store(c)
    config = load_config(c)
    try:
        check_locations(store, config)
        err = Console(stderr=True)
        request = CaptureRequest(tag=tag, message=message, only=only, allow_partial=allow_partial, force=force,
                                 lightsail_snapshot=lightsail_snapshot, restore_archived=restore_archived,
                                 shard=shard)
        with RichReporter(err) as reporter:
            cap = Capture(store, config, fingerprinter(store), reporter)
            cap.check(request)
            result = cap.run(request, sealer(store, config))
    except Exception as exc:  # [notify] on "failure": told before the error exits 2 (the group prints it)
        if shard is None:
            record_run(store.path, {"command": "capture", "outcome": "failed", "exit_code": int(Exit.ERROR),
                                    "error": exc})
        if config.notify_urls:
            from ..notify import after_failure

            after_failure(config, "capture", store.path, exc, c.debug)
        raise
    out = Console(highlight=False, soft_wrap=True)
    out.print(summary_table(result))
    unreadable = {a: r["unreadable"] for u in result.units for a, r in u.resources.items() if r.get("unreadable")}
    for line in capture_notes(result.covered, result.seen, result.dropped, unreadable):
        click.echo(line)
    for line in failed_lines(result.failed):
        click.echo(line, err=True)
    if result.findings:
        click.echo(f"gitsnap: sealed {plural(len(result.findings), 'secret')} found in what was captured "
                   "(values replaced by fingerprints; originals sealed to the recipients):", err=True)
        for f in result.findings:
            click.echo(f"  {f}", err=True)
    for a in result.allowed:
        click.echo(f"gitsnap: allowed by [secrets]: {a}", err=True)
    if result.unscanned:
        click.echo(f"gitsnap: {plural(len(result.unscanned), 'body', 'bodies')} over [secrets] scan_max_bytes were stored unscanned "
                   f"(first: {result.unscanned[0]})", err=True)
    short = (result.commit or "")[:12]
    tagged = f", tagged {result.tag}" if result.tag else ""
    code = Exit.PARTIAL if result.failed else Exit.OK
    if result.shard is not None:  # not a snapshot: [notify] speaks when the shards are combined
        click.echo(f"Shard {result.shard} {short} written; combine with `gitsnap commit --from-shards`")
        from ..engine import shard_ref

        push_after(c, store, config, [shard_ref(result.shard).encode()], main=False)
        sys.exit(code)
    if result.created:
        click.echo(f"Snapshot {short} committed{tagged}.")
    elif result.commit:
        click.echo(f"No changes since {short}: no new commit{tagged}.")
    outcome = "partial" if result.failed else "changes" if result.created else "ok"
    record_run(store.path, {"command": "capture", "outcome": outcome, "exit_code": int(code), "commit": result.commit,
                            "units": [u.path for u in result.failed],
                            "counts": {"units": len(result.units), "failed_units": len(result.failed)}})
    if config.notify_urls:  # apprise is imported only then; a failing notifier leaves the exit code as is
        from ..notify import after_capture

        after_capture(config, store, result, c.debug)
    push_after(c, store, config)
    sys.exit(code)


def failed_lines(failed: Sequence[Any]) -> list[str]:
    """One line per distinct failure: the units one error failed (an account whose role was
    refused fails all its units with the same words) are named together, not once each."""
    by_error: dict[str, list[str]] = {}
    for unit in failed:
        by_error.setdefault(str(unit.error), []).append(unit.path)
    return [f"gitsnap: failed: {error} (previous state of {paths[0]} kept)" if len(paths) == 1 else
            f"gitsnap: failed: {error} (previous state of {plural(len(paths), 'unit')} kept: {', '.join(paths)})"
            for error, paths in by_error.items()]


@cli.command(name="log")
@click.option("-n", "--max-count", type=int, default=None, help="Show at most N snapshots.")
@click.pass_obj
def log_cmd(c: Ctx, max_count: int | None) -> None:
    """List snapshots, newest first, with their tags."""
    store = open_store(c)
    entries = store.log(limit=max_count)
    if not entries:
        click.echo("No snapshots yet: run 'gitsnap capture'.")
    for entry in entries:
        when = utc_time(entry.time)
        tags = f" ({', '.join('tag: ' + t for t in entry.tags)})" if entry.tags else ""
        click.echo(f"{entry.id[:12]} {when}{tags} {entry.message.splitlines()[0] if entry.message else ''}")


@cli.command()
@click.argument("rev")
@click.argument("address", required=False)
@click.option("--reveal", is_flag=True, help="Open sealed values with the age identity (prints secrets!).")
@click.pass_obj
def show(c: Ctx, rev: str, address: str | None, reveal: bool) -> None:
    """Show a snapshot's MANIFEST.md, or one resource's document."""
    from ..errors import UsageError
    from ..store.snapshot import Snapshot

    store = open_store(c)
    snap = Snapshot.load(store, store.resolve(rev))
    if address is None:
        blob = snap.files.get("MANIFEST.md")
        click.echo(store.read(blob).decode("utf-8") if blob else "(no MANIFEST.md in this snapshot)", nl=False)
        return
    if address not in snap.resources:
        from ..addresses import nearest

        close = nearest(address, snap.resources)
        mean = f" (did you mean {' or '.join(close)}?)" if close else ""
        raise UsageError(f"no resource {address!r} in {rev}{mean}; 'gitsnap show {rev}' lists what it has")
    files = snap.resource_files(address)
    doc = snap.document_blob(address)
    if doc and reveal:
        from .. import canonical
        from ..keys import unsealer
        from ..restore.reveal import Revealer

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
@click.argument("rev", required=False, default="HEAD")
@click.pass_obj
def verify(c: Ctx, rev: str) -> None:
    """Check every body and document of a snapshot against its manifest (no cloud access)."""
    from ..manifest import human_bytes
    from ..render import plural
    from ..verify import VerifyError
    from ..verify import verify as run_verify

    store = open_store(c)
    report = run_verify(store, rev)  # resolves rev itself: a damaged ref is a problem line, not an abort
    for problem in report.problems:
        click.echo(f"  {problem}", err=True)
    if report.problems:
        n = len(report.problems)
        raise VerifyError(f"{rev}: {n} problem{'' if n == 1 else 's'} found (listed above); the repository is damaged")
    bodies = f"{report.bodies} bod{'y' if report.bodies == 1 else 'ies'}"
    click.echo(f"{rev}: {bodies} ({human_bytes(report.body_bytes)}) and "
               f"{plural(report.documents, 'document')} verified ({report.objects} git objects checked)")
