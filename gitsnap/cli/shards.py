"""gitsnap commit --from-shards: the shards written by ``capture --shard`` as one snapshot."""

from __future__ import annotations

import sys

import click

from ..errors import UsageError
from ..words import plural
from .app import Ctx, Exit, cli, load_config, open_store
from .remote import fetch_shards, push_after
from .snapshots import failed_lines


@cli.command()
@click.option("--from-shards", "from_shards", is_flag=True,
              help="Combine the latest commit of each shard (refs/gitsnap/shards/*) into one snapshot on main.")
@click.option("--shard", "names", multiple=True, metavar="NAME",
              help="Combine only this shard (repeatable; default: every shard not combined yet).")
@click.option("--tag", "-t", default=None, help="Annotated tag for the combined snapshot, e.g. v1.0.")
@click.option("-m", "--message", default=None, help="Commit (and tag) message.")
@click.option("--force", is_flag=True, help="Move an existing tag.")
@click.pass_obj
def commit(c: Ctx, from_shards: bool, names: tuple[str, ...], tag: str | None, message: str | None,
           force: bool) -> None:
    """Write one snapshot from the shards that 'gitsnap capture --shard NAME' wrote.

    Each shard's units replace main's, exactly as one capture of all the shards' services
    would; main moves once. A shard already combined is skipped; exit 3 if a shard was partial.
    """
    from ..engine import CaptureRequest, check_shard_name, combine, make_guard
    from ..keys import fingerprinter
    from ..render import capture_notes

    if not from_shards:
        raise UsageError("gitsnap commit makes a snapshot from shards only: add --from-shards "
                         "(a snapshot of live state is 'gitsnap capture')")
    store = open_store(c)
    config = load_config(c)
    for name in names:
        check_shard_name(store, name)
    if tag is not None:
        if not store.valid_tag_name(tag):
            raise UsageError(f"invalid tag name {tag!r}: use letters, digits, '.', '-', '_' (e.g. v1.0)")
        if store.tag_exists(tag) and not force:
            raise UsageError(f"tag {tag!r} already exists: choose another name or pass --force")
    fetched = fetch_shards(store, config)  # [remote] url: the shards other machines pushed
    if fetched:
        click.echo(fetched)
    try:
        fingerprint = fingerprinter(store)
        guard = make_guard(config, fingerprint)
        if message:
            guard.check_message(message, "-m message")
        request = CaptureRequest(tag=tag, message=message, force=force)
        result = combine(store, guard, fingerprint.key_id, request, names)
    except Exception as exc:  # [notify] on "failure", as for capture
        if config.notify_urls:
            from ..notify import after_failure

            after_failure(config, "commit --from-shards", store.path, exc, c.debug)
        raise
    for shard in result.shards:
        meta = shard.meta
        base = (meta.get("base") or "")[:12] or "no snapshot"
        failed = f", {len(shard.failed)} failed" if shard.failed else ""
        click.echo(f"shard {shard.name} {shard.commit[:12]}: {plural(len(shard.units), 'unit')}{failed}, "
                   f"captured {meta.get('captured_at')} from main {base}")
    for _, why in result.skipped:
        click.echo(f"skipped: {why}")
    unreadable = {a: r["unreadable"] for u in result.units for a, r in u.resources.items() if r.get("unreadable")}
    for line in capture_notes(result.covered, result.seen, result.dropped, unreadable):
        click.echo(line)
    for line in failed_lines(result.failed):
        click.echo(line, err=True)
    tagged = f", tagged {result.tag}" if result.tag else ""
    click.echo(f"Snapshot {(result.commit or '')[:12]} committed from {plural(len(result.shards), 'shard')}{tagged}.")
    if config.notify_urls:
        from ..notify import after_capture

        after_capture(config, store, result, c.debug)
    push_after(c, store, config)
    sys.exit(Exit.PARTIAL if result.failed else Exit.OK)
