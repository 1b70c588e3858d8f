"""Keeping a year of nightly snapshots small: gitsnap forget and gitsnap gc.

Both print a plan and write nothing unless ``--apply`` is given. ``forget`` decides with
restic's retention rules which snapshots stay and rewrites main without the others
(store/forget.py: the model, and which commit ids change); ``gc`` then removes what no ref
reaches any more (store/gc.py).
"""

from __future__ import annotations

from typing import Any

import click

from ..errors import UsageError
from ..words import plural
from .app import Ctx, cli, load_config, open_store, utc_time

_KEEP = click.IntRange(min=-1)
_NONE_GIVEN = "would forget everything but the newest; give at least one --keep-… option"


@cli.command()
@click.option("--keep-last", type=_KEEP, default=0, metavar="N", help="Keep the N newest snapshots (-1: all).")
@click.option("--keep-daily", type=_KEEP, default=0, metavar="N", help="Keep the newest snapshot of each of the last N days.")
@click.option("--keep-weekly", type=_KEEP, default=0, metavar="N", help="… of each of the last N ISO weeks.")
@click.option("--keep-monthly", type=_KEEP, default=0, metavar="N", help="… of each of the last N months.")
@click.option("--keep-yearly", type=_KEEP, default=0, metavar="N", help="… of each of the last N years.")
@click.option("--keep-tag", "keep_tags", multiple=True, metavar="GLOB",
              help="Keep every snapshot with a tag matching GLOB (repeatable); --keep-tag 'v*' keeps releases.")
@click.option("--apply", "apply_", is_flag=True, help="Rewrite the history (default: only print the plan).")
@click.pass_obj
def forget(c: Ctx, keep_last: int, keep_daily: int, keep_weekly: int, keep_monthly: int, keep_yearly: int,
           keep_tags: tuple[str, ...], apply_: bool) -> None:
    """Forget snapshots a retention policy does not keep (restic's rules); the newest always stays.

    Prints which snapshots are kept (and by which rule) and which would go; --apply rewrites
    main without them: later snapshots get new commit ids (same trees), tags follow them.
    Run 'gitsnap gc --apply' afterwards to free the space.
    """
    from ..store.forget import forget as run_forget
    from ..store.forget import get_plan
    from ..store.keep import Policy

    policy = Policy(keep_last, keep_daily, keep_weekly, keep_monthly, keep_yearly, tuple(keep_tags))
    if policy.empty():
        raise UsageError(_NONE_GIVEN)
    store = open_store(c)
    url = load_config(c).remote_url
    if apply_:
        before = dict(store.refs())
        there = _remote_in_step(store, url, before) if url else None
        plan, result = run_forget(store, policy)
    else:
        plan, result = get_plan(store, policy), None
    if not plan.decisions:
        click.echo("No snapshots yet: nothing to forget.")
        return
    for d in plan.decisions:
        tags = f" ({', '.join('tag: ' + t for t in d.snapshot.tags)})" if d.snapshot.tags else ""
        what = f"keep    {d.snapshot.id[:12]} {utc_time(d.snapshot.time)}{tags}"
        click.echo(f"{what}  [{', '.join(d.reasons)}]" if d.keep else f"forget  {d.snapshot.id[:12]} "
                   f"{utc_time(d.snapshot.time)}{tags}")
    kept, gone = len(plan.kept), len(plan.forgotten)
    doomed_tags = [t.name for t in plan.tags if t.commit in {d.snapshot.id for d in plan.forgotten}]
    for ref in plan.others:
        click.echo(f"note: {ref} still names a snapshot this rewrites: its objects stay until it moves", err=True)
    if plan.pending:
        click.echo("note: an earlier forget's tag moves are unfinished; --apply (or gc --apply) finishes them",
                   err=True)
    if result is None:
        tags = f", deleting {plural(len(doomed_tags), 'tag')} ({', '.join(doomed_tags)})" if doomed_tags else ""
        click.echo(f"Would keep {plural(kept, 'snapshot')} and forget {gone}{tags}. "
                   + ("Run with --apply to rewrite main." if gone else "Nothing to do."))
        return
    if not result.forgotten:
        click.echo(f"Kept {plural(kept, 'snapshot')}; nothing to forget.")
        return
    click.echo(f"Forgot {plural(len(result.forgotten), 'snapshot')}, kept {kept}; "
               f"{plural(len(result.rewritten), 'commit id')} changed, {plural(len(result.tags_moved), 'tag')} "
               f"re-created, {len(result.tags_deleted)} deleted; main is now {(result.head_after or '')[:12]}.")
    if url and there is not None:
        click.echo(_rewrite_remote(store, url, there, before, result))
    click.echo("Run 'gitsnap gc --apply' to free their space.")


def _remote_in_step(store: Any, url: str, here: dict[str, str]) -> dict[bytes, bytes] | None:
    """The remote's refs, when it holds this history; None when it has none yet.

    Raises:
        RemoteRejectedError: the remote's main is not this repository's: forgetting here and
            rewriting there would lose the snapshots only the remote has. Nothing is forgotten.
    """
    from ..store.remote import Remote, RemoteRejectedError, redact_url

    there = Remote(url).refs()
    theirs, ours = there.get(b"refs/heads/main"), here.get("refs/heads/main")
    if theirs is None:
        return None
    if theirs.decode() != ours:
        raise RemoteRejectedError(
            f"{redact_url(url)}: its main is {theirs.decode()[:12]}, here {(ours or 'none')[:12]}: forget rewrites "
            "both, so run it where the newest snapshots are (gitsnap clone the remote, then forget there); "
            "nothing was forgotten")
    return there


def _rewrite_remote(store: Any, url: str, there: dict[bytes, bytes], before: dict[str, str], result: Any) -> str:
    """Tell the remote what forget rewrote: main and each moved or deleted tag, every one with a
    lease (moved only if the remote still holds what this repository held before), so a push
    someone made meanwhile is never overwritten. A tag the remote never had is left for the
    next push."""
    from ..store.remote import push_with_lease, redact_url

    now = dict(store.refs())
    moves = [("refs/heads/main", before.get("refs/heads/main"), now.get("refs/heads/main"))]
    moves += [(f"refs/tags/{t}", before.get(f"refs/tags/{t}"), now.get(f"refs/tags/{t}"))
              for t in [*result.tags_moved, *result.tags_deleted]]
    done = 0
    for ref, old, new in moves:
        held = there.get(ref.encode())
        if held is None or held.decode() != old:
            continue  # not there, or not what we had: the next push (or nobody) settles it
        try:
            push_with_lease(store, url, ref.encode(), old, new)
        except Exception as exc:
            hint = (f"git -C {store.path} push --force-with-lease={ref}:{old} URL {new or ''}:{ref}").rstrip()
            raise type(exc)(f"{exc} (forgotten here; the remote still has the old {ref}: once checked, move it "
                            f"with: {hint})") from exc
        done += 1
    return f"rewrote {plural(done, 'ref')} on {redact_url(url)} with a lease (main and the tags that moved)"


@cli.command()
@click.option("--apply", "apply_", is_flag=True, help="Remove the objects (default: only count them).")
@click.pass_obj
def gc(c: Ctx, apply_: bool) -> None:
    """Remove objects no ref reaches (forgotten snapshots, failed captures); a dry run by default."""
    from ..manifest import human_bytes
    from ..store.gc import gc as run_gc

    store = open_store(c)
    outcome = run_gc(store, apply_)
    plan, result = outcome if isinstance(outcome, tuple) else (outcome, None)
    if plan.pending_forget and result is None:
        click.echo("note: an earlier forget's tag moves are unfinished; --apply finishes them first", err=True)
    packed = plan.count - len(plan.loose)
    done = ("rewritten", "removed") if result is not None else ("to rewrite", "to remove")
    where = (f"{len(plan.loose)} loose, {packed} in {plural(len(plan.packs), 'pack')}"
             f" ({plan.packs_rewritten} {done[0]}, {plan.packs_removed} {done[1]})")
    if not plan.count:
        click.echo(f"No unreachable objects ({plural(plan.reachable, 'object')} reachable): nothing to remove.")
    elif result is None:
        click.echo(f"{plural(plan.count, 'unreachable object')} ({human_bytes(plan.bytes)}): {where}. "
                   "Run with --apply to remove them.")
    else:
        click.echo(f"Removed {plural(result.removed, 'unreachable object')} ({human_bytes(result.bytes)}): {where}; "
                   f"{plural(result.packs_written, 'pack')} written, {plural(plan.reachable, 'object')} kept.")
