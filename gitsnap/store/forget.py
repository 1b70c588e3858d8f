"""gitsnap forget: main rewritten without the snapshots a retention policy forgets.

The model (what ``docs/operations.md`` tells users):

- **A snapshot** is a commit on ``refs/heads/main``, which is linear (one parent each); annotated
  tags name some of them. **The policy** (``--keep-last``, ``--keep-daily``, ... ``--keep-tag``,
  restic's) is store/keep.py's, pure: this module reads main and its tags, asks the policy, and
  rewrites them.
- **The rewrite.** Forgetting a snapshot in the middle of the chain re-parents every later kept
  snapshot onto the kept one before it. Their *trees* are untouched, so every document and body of
  a kept snapshot is byte-identical and nothing reachable from a kept snapshot's tree is rewritten;
  author, committer, dates, time zones and message are copied. But **the commit ids of every kept
  snapshot newer than the oldest forgotten one change** (a commit's id covers its parent); the
  result maps old ids to new. A repository that was pushed then needs the rewritten main pushed
  with a lease (``store/remote.py`` ``push_with_lease``), never a plain push. A commit or tag
  signature would no longer match, so it is not copied.
- **Tags.** Each tag of a kept snapshot whose id changed is re-created with the same name,
  message, tagger and date, pointing at the rewritten commit (a lightweight tag is simply moved);
  the tags of forgotten snapshots are deleted. Tags of commits that are not on main are left alone.
- **Order, and what a failure leaves.** Under the capture lock (``store.lock()``), so no capture
  runs meanwhile: every new commit and tag object is written and flushed to disk first; then a
  journal of the ref moves (``gitsnap/forget.journal``) is written; then main is moved by
  compare-and-swap, and only then the tags (each by compare-and-swap). A failure before main moves
  leaves the repository as it was (the new objects are unreachable; ``gitsnap gc`` removes them).
  Once main has moved, a tag that could not be moved keeps naming its snapshot's old commit, which
  stays in the repository (the tag reaches it) until the journal is finished: the next
  ``gitsnap forget --apply`` or ``gitsnap gc --apply`` finishes it first (:func:`resume`), each
  tag again by compare-and-swap, so a tag someone moved meanwhile is left as it is and named.
- Forgotten snapshots' objects stay on disk until ``gitsnap gc --apply`` (store/gc.py) prunes what
  no ref reaches any more.
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import dataclass, field

from dulwich.objects import Commit, Tag

from . import durable
from .errors import ConcurrentUpdateError, RepositoryError
from .keep import Decision, Policy, Snap, transform_parents, transform_policy
from .repo import BRANCH, SnapshotStore

log = logging.getLogger(__name__)

JOURNAL = "gitsnap/forget.journal"
TAGS = b"refs/tags/"


class ForgetError(RepositoryError):
    """The history cannot be rewritten as asked (a merge on main, a tag of a tag on it)."""


class TagsNotMovedError(RepositoryError):
    """Main was rewritten, but some tags could not be moved: the journal says what is left."""


# -- reading main and its tags ----------------------------------------------------------------


@dataclass(frozen=True)
class TagRef:
    """A tag of a snapshot on main: its ref, what the ref holds, and the tag object if annotated."""

    name: str
    value: str  # the ref's value: a tag object's id, or the commit's (lightweight)
    commit: str
    annotated: bool


@dataclass
class Plan:
    """What forget would do: the decisions (newest first), the tags on main, other refs that
    still reach forgotten snapshots."""

    head: str | None
    decisions: list[Decision]
    tags: list[TagRef]
    others: list[str] = field(default_factory=list)  # refs (not main, not tags) naming main's old commits
    pending: bool = False  # an earlier forget's tag moves are still to finish (the journal)

    @property
    def kept(self) -> list[Decision]:
        return [d for d in self.decisions if d.keep]

    @property
    def forgotten(self) -> list[Decision]:
        return [d for d in self.decisions if not d.keep]


@dataclass
class Result:
    """What forget --apply did. ``rewritten`` maps each kept snapshot's old commit id to its new
    one (only those that changed): what a pushed repository's remote must be told."""

    head_before: str | None
    head_after: str | None
    forgotten: list[str] = field(default_factory=list)
    rewritten: dict[str, str] = field(default_factory=dict)
    tags_moved: list[str] = field(default_factory=list)
    tags_deleted: list[str] = field(default_factory=list)


def get_chain(store: SnapshotStore) -> list[Commit]:
    """Main's commits, newest first, each read and checked.

    Raises:
        ForgetError: main has a merge commit (forget handles a linear history).
    """
    head = store.head()
    shallow = {s.decode() for s in store._repo.get_shallow()}
    out: list[Commit] = []
    at = head
    while at is not None:
        commit = store._object(at, "commit")
        assert isinstance(commit, Commit)
        out.append(commit)
        if len(commit.parents) > 1:
            raise ForgetError(f"commit {at} on {BRANCH.decode()} is a merge: forget handles a linear history "
                              "only; leave this repository's history as it is")
        if at in shallow or not commit.parents:
            break
        at = commit.parents[0].decode()
    return out


def get_tags(store: SnapshotStore, on_main: set[str]) -> list[TagRef]:
    """Every tag that names a commit on main (annotated or lightweight), sorted by name.

    Raises:
        ForgetError: a tag of a tag names a commit on main (it cannot be re-created faithfully).
    """
    out = []
    for name, value in store.refs():
        if not name.startswith(TAGS.decode()):
            continue
        obj = store._object(value)
        if isinstance(obj, Commit):
            if value in on_main:
                out.append(TagRef(name[len(TAGS):], value, value, False))
            continue
        if not isinstance(obj, Tag):
            continue
        target_cls, target = obj.object
        if target_cls is Commit:
            if target.decode() in on_main:
                out.append(TagRef(name[len(TAGS):], value, target.decode(), True))
            continue
        if target_cls is Tag and store.tags().get(name[len(TAGS):]) in on_main:
            raise ForgetError(f"tag {name[len(TAGS):]} is a tag of a tag on {BRANCH.decode()}: forget cannot "
                              "re-create it; delete it (git tag -d) or re-tag the snapshot, then run forget again")
    return sorted(out, key=lambda t: t.name)


def get_plan(store: SnapshotStore, policy: Policy) -> Plan:
    """Read main and its tags and decide (nothing is written)."""
    chain = get_chain(store)
    on_main = {c.id.decode() for c in chain}
    tags = get_tags(store, on_main)
    by_commit: dict[str, list[str]] = {}
    for tag in tags:
        by_commit.setdefault(tag.commit, []).append(tag.name)
    snaps = [Snap(c.id.decode(), c.commit_time, c.commit_timezone, tuple(sorted(by_commit.get(c.id.decode(), []))))
             for c in chain]
    decisions = transform_policy(snaps, policy)
    keep = {d.snapshot.id for d in decisions if d.keep}
    changing = set(transform_parents([c.id.decode() for c in reversed(chain)], keep))
    others = [name for name, value in store.refs()
              if name != BRANCH.decode() and not name.startswith(TAGS.decode()) and value in on_main
              and (value in changing or value not in keep)]
    return Plan(chain[0].id.decode() if chain else None, decisions, tags, others,
                pending=(store.path / JOURNAL).exists())


# -- rewriting --------------------------------------------------------------------------------


def forget(store: SnapshotStore, policy: Policy) -> tuple[Plan, Result]:
    """Apply *policy*: rewrite main without the forgotten snapshots, move and delete tags.

    Takes the capture lock. An earlier forget's unfinished tag moves are finished first.

    Raises:
        ConcurrentUpdateError: main moved while this ran (only a git command can, under the lock):
            nothing was changed.
        TagsNotMovedError: main was rewritten but a tag could not be moved (recoverable: see the
            module's docstring).
    """
    with store.lock():
        resume(store)
        plan = get_plan(store, policy)
        return plan, _apply(store, plan)


def _apply(store: SnapshotStore, plan: Plan) -> Result:
    result = Result(plan.head, plan.head)
    if not plan.forgotten or plan.head is None:
        return result
    commits = {c.id.decode(): c for c in get_chain(store)}
    chain = [d.snapshot.id for d in reversed(plan.decisions)]  # oldest first
    keep = {d.snapshot.id for d in plan.kept}
    new_parents = transform_parents(chain, keep)
    new_id: dict[str, str] = {}
    for cid in chain:
        if cid not in keep:
            continue
        if cid not in new_parents:
            new_id[cid] = cid
            continue
        parent = new_parents[cid]
        rewritten = _reparented(commits[cid], new_id[parent] if parent is not None else None)
        store._add_object(rewritten)
        new_id[cid] = rewritten.id.decode()
    result.rewritten = {old: new for old, new in new_id.items() if old != new}
    result.forgotten = [d.snapshot.id for d in plan.forgotten]
    moves: list[tuple[str, str, str | None]] = []  # (ref, old value, new value or None: delete)
    for tag in plan.tags:
        ref = (TAGS + tag.name.encode()).decode()
        if tag.commit not in keep:
            moves.append((ref, tag.value, None))
        elif tag.commit in result.rewritten:
            moves.append((ref, tag.value, _retarget(store, tag, result.rewritten[tag.commit])))
    head_after = new_id[plan.head]
    store.flush()  # every new object on disk before the journal and any ref names it
    _write_journal(store, plan.head, head_after, moves)
    if not _move(store, BRANCH, plan.head, head_after):
        _drop_journal(store)
        raise ConcurrentUpdateError(f"{BRANCH.decode()} moved while forget ran (a git command?): nothing was "
                                    "changed; run forget again")
    result.head_after = head_after
    failed = _move_tags(store, moves, result)
    if failed:
        raise TagsNotMovedError(
            f"main was rewritten ({len(result.forgotten)} forgotten), but {len(failed)} tag(s) could not be moved "
            f"({', '.join(failed)}): they still name the old commits; run 'gitsnap gc --apply' or "
            "'gitsnap forget --apply …' again to finish")
    _drop_journal(store)
    return result


def _reparented(commit: Commit, parent: str | None) -> Commit:
    """A copy of *commit* on another parent: same tree, people, dates, zones, message, extra
    headers; no signature (it would not match)."""
    c = Commit()
    c.tree = commit.tree
    c.parents = [parent.encode()] if parent else []
    c.author, c.committer = commit.author, commit.committer
    c.author_time, c.commit_time = commit.author_time, commit.commit_time
    c.author_timezone, c.commit_timezone = commit.author_timezone, commit.commit_timezone
    c._author_timezone_neg_utc = commit._author_timezone_neg_utc
    c._commit_timezone_neg_utc = commit._commit_timezone_neg_utc
    if commit.encoding is not None:
        c.encoding = commit.encoding
    c.message = commit.message
    c._extra = list(commit._extra)  # unknown headers, kept as they were
    return c


def _retarget(store: SnapshotStore, tag: TagRef, commit_id: str) -> str:
    """What the tag's ref should hold once its commit is *commit_id*: a lightweight tag the commit
    itself, an annotated one a new tag object (same name, tagger, date, zone, message)."""
    if not tag.annotated:
        return commit_id
    old = store._object(tag.value, "tag")
    assert isinstance(old, Tag)
    new = Tag()
    new.name = old.name
    new.tagger = old.tagger
    new.tag_time = old.tag_time
    new.tag_timezone = old.tag_timezone
    new._tag_timezone_neg_utc = old._tag_timezone_neg_utc
    new.message = old.message
    new._extra = list(old._extra)
    new.object = (Commit, commit_id.encode())
    store._add_object(new)
    return new.id.decode()


def _move(store: SnapshotStore, ref: bytes | str, old: str, new: str | None) -> bool:
    """Compare-and-swap (or delete, *new* None) one ref, "gitsnap forget" in main's reflog."""
    return store.move_ref(ref.decode() if isinstance(ref, bytes) else ref, old, new, command="forget")


def _move_tags(store: SnapshotStore, moves: list[tuple[str, str, str | None]], result: Result) -> list[str]:
    """Move each tag by compare-and-swap; the names of those that failed (logged)."""
    failed = []
    for ref, old, new in moves:
        name = ref[len(TAGS):]
        try:
            ok = _move(store, ref, old, new)
        except RepositoryError as exc:
            log.warning("%s", exc)
            ok = False
        if not ok:
            failed.append(name)
            continue
        (result.tags_deleted if new is None else result.tags_moved).append(name)
    return failed


# -- the journal: finishing a forget whose tags did not all move ------------------------------


def _write_journal(store: SnapshotStore, old: str, new: str, moves: list[tuple[str, str, str | None]]) -> None:
    path = store.path / JOURNAL
    path.parent.mkdir(exist_ok=True)
    durable.replace_file(path, json.dumps({"main": [old, new], "tags": [list(m) for m in moves]}).encode("utf-8"))


def _drop_journal(store: SnapshotStore) -> None:
    with contextlib.suppress(FileNotFoundError):
        (store.path / JOURNAL).unlink()


def resume(store: SnapshotStore) -> list[str]:
    """Finish an interrupted forget's tag moves; the tags moved or deleted. Call under the lock.

    If main never moved (the forget stopped before), nothing had changed: the journal is
    dropped. If main moved (and captures may have added snapshots on top since), each tag
    still at its old value is moved; one someone moved meanwhile is left and named.
    """
    path = store.path / JOURNAL
    try:
        journal = json.loads(path.read_text("utf-8"))
        old_head, new_head = journal["main"]
        moves = [(str(r), str(o), None if n is None else str(n)) for r, o, n in journal["tags"]]
    except FileNotFoundError:
        return []
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("%s is unreadable (%s): removed; check the tags with 'gitsnap log'", path, exc)
        _drop_journal(store)
        return []
    head = store.head()
    if head == old_head or not store.reaches(head, new_head):
        _drop_journal(store)
        return []
    done = []
    for ref, old, new in moves:
        current = dict(store.refs()).get(ref)
        if current == new:
            continue
        if current != old:
            log.warning("%s was moved by someone else since forget ran: left as it is", ref)
            continue
        if _move(store, ref, old, new):
            done.append(ref[len(TAGS):])
        else:
            log.warning("%s could not be moved: left as it is", ref)
    _drop_journal(store)
    if done:
        log.warning("finished an interrupted forget: %d tag(s) moved or deleted (%s)", len(done), ", ".join(done))
    return done
