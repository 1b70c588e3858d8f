"""gitsnap push and gitsnap clone: the repository off this machine, and onto a second one."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from ..errors import GitsnapError, UsageError
from .app import Ctx, cli, load_config, open_store


def _shard_refs(names: Iterable[str]) -> list[bytes]:
    from ..engine import shard_ref

    return [shard_ref(name).encode() for name in names]


def push_after(c: Ctx, store: Any, config: Any, refs: Iterable[bytes] = (), *, main: bool = True) -> None:
    """``[remote] url``: push what a capture or a combine just wrote, and say so in one line;
    nothing without a remote. *main* False (a shard) pushes only *refs* and the settings.

    A rejected push is exit 2 (the snapshot is committed here either way, and the error says
    what to do); [notify] is told, as for a failure.
    """
    if not getattr(config, "remote_url", None):
        return
    from ..store.remote import push

    try:
        line = push(store, config.remote_url, list(refs), main=main).summary()
    except Exception as exc:
        if config.notify_urls:
            from ..notify import after_failure

            after_failure(config, "push", store.path, exc, c.debug)
        raise
    click.echo(line)


def fetch_shards(store: Any, config: Any) -> str | None:
    """Bring the remote's shard refs (and main, tags) before shards are combined; a summary
    line, or None with no ``[remote] url``."""
    if not getattr(config, "remote_url", None):
        return None
    from ..store.remote import fetch

    return fetch(store, config.remote_url).summary()


@cli.command("push")
@click.option("--to", "url", metavar="URL", default=None,
              help="Push here instead of [remote] url (ssh://, user@host:path, https://, git://, a path).")
@click.option("--shard", "shards", multiple=True, metavar="NAME",
              help="Also push refs/gitsnap/shards/NAME (repeatable).")
@click.pass_obj
def push_command(c: Ctx, url: str | None, shards: tuple[str, ...]) -> None:
    """Push main, every tag the remote lacks, and the settings a clone needs; never forced."""
    from ..store.remote import push

    store = open_store(c)
    try:
        target = url or load_config(c).remote_url
        if not target:
            raise UsageError("no remote to push to: pass --to URL, or set url under [remote] in gitsnap.toml")
        click.echo(push(store, target, _shard_refs(shards)).summary())
    finally:
        store.close()


@cli.command("clone")
@click.argument("url")
@click.argument("directory", type=click.Path(path_type=Path))
@click.pass_obj
def clone_command(c: Ctx, url: str, directory: Path) -> None:
    """Copy a pushed snapshot repository to DIRECTORY (new or empty), with its recipients and key id.

    The keys are not copied: the fingerprint key and (for restore) the age identity are
    copied by hand, as printed.
    """
    from ..config import CONFIG_NAME, STARTER
    from ..keys import KEY_ID, RECIPIENT
    from ..secrets.fingerprint import default_key_path, key_id, read_key
    from ..secrets.seal import default_identity_path
    from ..store.clone import clone
    from ..store.transport import redact_url
    from ..words import plural

    store = clone(url, directory)
    try:
        (store.path / CONFIG_NAME).write_text(STARTER, "utf-8")
        head = store.head()
        count = len(store.log(head)) if head else 0
        tags = len(store.tags())
        click.echo(f"Cloned {plural(count, 'snapshot')} and {plural(tags, 'tag')} from {redact_url(url)} "
                   f"into {store.path}")
        recorded = store.setting(KEY_ID)
        recipients = store.setting(RECIPIENT)
        if recipients:
            click.echo(f"Secrets are sealed to {', '.join(r[:16] + '…' for r in recipients)} (carried from the remote)")
        key_path, identity_path = default_key_path(), default_identity_path()
        try:
            here = read_key(key_path) if key_path.exists() else None
        except GitsnapError:  # unreadable or too short: said below as "copy it"
            here = None
        if recorded and (here is None or key_id(here) != recorded[0]):
            click.echo(f"Copy the fingerprint key {recorded[0]} by hand from the first machine to {key_path} "
                       "(or set GITSNAP_KEY_FILE): capture, drift and restore need it.")
        click.echo(f"For restore and 'show --reveal', copy the age identity by hand to {identity_path} "
                   "(or set GITSNAP_IDENTITY); log, diff and verify need neither.")
        click.echo(f"The config is a starter ({store.path / CONFIG_NAME}): copy your settings into it, and set "
                   "url under [remote] to push captures made here.")
    finally:
        store.close()
