"""Commands that put state back: restore (plan, apply) and export."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ..errors import DeclinedError, IncompleteError
from ..words import plural
from .app import Ctx, Exit, check_only, cli, fingerprint_of, load_config, open_store


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
    from ..errors import UsageError
    from ..restore.run import Restore, RestoreError, applied_line

    if to_dir is not None:
        _restore_local(c, rev, addresses, to_dir, do_apply)
        return
    check_only(only)
    if do_apply and not yes and not sys.stdin.isatty():
        raise UsageError("--apply needs --yes when not run from a terminal; nothing was changed")
    store = open_store(c)
    r = Restore(store, load_config(c), fingerprint_of(store), rev, addresses, only, delete)
    plan = r.plan()
    names = plan_labels(plan, r.snapshot, r.live)
    click.echo(labelled_json(plan, names) if fmt == "json" else labelled_text(plan.text(), names), nl=False)
    if not do_apply:
        if plan.actions and fmt == "text":
            click.echo("Nothing was changed: run again with --apply to apply this plan.")
        sys.exit(Exit.DIFFERENCES if plan.operations else Exit.OK)
    if plan.blocked:
        raise RestoreError(f"{plural(len(plan.blocked), 'operation')} need the age identity, which this machine "
                           "does not have (GITSNAP_IDENTITY); nothing was changed")
    if not plan.actions:
        _restore_outcome(rev, plan, plan, applied=False, names=names)
        return
    if not yes and not click.confirm(f"Apply {plural(len(plan.actions), 'operation')} to live state?", default=False):
        raise DeclinedError("declined: nothing was changed")
    r.apply(plan, progress=lambda op: click.echo(labelled_line(applied_line(op), op.address, names), err=True))
    after = r.verify()
    if record:
        result = r.record(plan)
        if result.created:
            click.echo(f"Recorded the restored live state as snapshot {(result.commit or '')[:12]}.")
    _restore_outcome(rev, plan, after, applied=True, names=names)


def plan_labels(plan: Any, snapshot: Any, live: Any) -> dict[str, str]:
    """The label (gitsnap.labels) of each resource the plan names: the snapshot's document says
    it, else live's (a resource created since)."""
    from ..diff import resource_label

    addresses = {op.address for op in plan.operations}
    return {a: name for a in sorted(addresses) if (name := resource_label(a, live, snapshot))}


def labelled_text(text: str, names: dict[str, str]) -> str:
    """A plan's text with each resource's line (its address alone) followed by its label. Pure."""
    from ..labels import named

    return "".join(named(line, names[line]) + "\n" if line in names else line + "\n" for line in text.splitlines())


def labelled_line(line: str, address: str, names: dict[str, str]) -> str:
    """A line that starts with *address*, the address followed by its label. Pure."""
    from ..labels import named

    return named(address, names.get(address)) + line[len(address):] if line.startswith(address) else line


def labelled_json(plan: Any, names: dict[str, str]) -> str:
    """The plan as JSON, each operation with a ``label`` when its resource has one ("address"
    unchanged)."""
    doc = plan.to_json()
    for op in doc["operations"]:
        if op["address"] in names:
            op["label"] = names[op["address"]]
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def _restore_outcome(rev: str, plan: Any, after: Any, applied: bool, names: dict[str, str] | None = None) -> None:
    """Per resource: applied / skipped (why) / still different, from the plan and a fresh re-read
    of live state (*after*). Says "matches" only when it does; raises IncompleteError (exit 3)
    when anything selected was not done."""
    from ..restore.outcome import outcomes

    rows = outcomes(plan, after)
    click.echo(f"Outcome (live state re-read after {'applying' if applied else 'planning'}):")
    from ..labels import named

    for row in rows:
        click.echo(f"  {named(row.address, (names or {}).get(row.address))}: {row.text()}")
    left = [row for row in rows if not row.done]
    kept = sum(row.kept for row in rows)
    if left:
        raise IncompleteError(f"live state does not match {rev}: {len(left)} of {plural(len(rows), 'resource')} "
                              "were not fully restored (listed above with why)")
    extra = f", except {plural(kept, 'live-only item')} kept (listed above as kept)" if kept else ""
    click.echo(f"Live state now matches {rev}{extra}." if applied else f"Live state already matches {rev}{extra}.")


def _restore_local(c: Ctx, rev: str, addresses: tuple[str, ...], to_dir: Path, do_apply: bool) -> None:
    import os

    from ..errors import UsageError
    from ..keys import unsealer
    from ..restore.reveal import Revealer
    from ..store.snapshot import Snapshot

    store = open_store(c)
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
        click.echo(f"{address}: wrote {plural(n, 'file')} into {to_dir}")


@cli.command(name="export")
@click.argument("rev")
@click.argument("address")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def export_cmd(c: Ctx, rev: str, address: str, dest: Path) -> None:
    """Write a bucket's objects from snapshot REV into a directory (keys that are not paths are listed)."""
    from ..restore.run import export_bucket

    written, refused = export_bucket(open_store(c), rev, address, dest)
    click.echo(f"{address}: wrote {plural(written, 'object')} into {dest}")
    if refused:
        click.echo(f"{plural(len(refused), 'key')} cannot be files here and were not written:", err=True)
        for key in refused:
            click.echo(f"  {key!r}", err=True)
        were = "was" if len(refused) == 1 else "were"
        raise IncompleteError(f"{address}: {len(refused)} of {plural(written + len(refused), 'key')} {were} not written (listed "
                              f"above); 'gitsnap restore {rev} {address} --apply' puts every key back in the bucket")
