"""Push and fetch: which refs move on a remote copy of the snapshot repository, and which here.

One :class:`Remote` per URL (reached through :class:`~gitsnap.store.transport.Transport`:
URLs, retries, credentials kept out of words). What it guarantees:

- **Never forced.** ``refs/heads/main`` is pushed only when the remote's main is an ancestor
  of ours; a tag only when the remote lacks it. Anything else raises
  :class:`RemoteRejectedError` before a single ref is sent, so nothing on the remote moves.
  Every ref update carries the old value the remote advertised, which git's receive-pack
  checks as it updates: a push racing another is refused there too (a compare-and-swap).
  :meth:`Remote.push_with_lease` is that compare-and-swap for one ref, for ``gitsnap forget``.
- **Settings travel with the snapshots.** A push also publishes ``refs/gitsnap/settings``
  (store/settings.py), which ``gitsnap clone`` (store/clone.py) writes back into git config.

Pushing reads the repository, except the settings commit it may add (a few loose objects and
a compare-and-swap of its own ref), so it takes no lock and may run inside a capture's.
:meth:`Remote.fetch` writes a received pack and moves refs: it holds the capture lock (the
lock's sweep would otherwise remove a pack being received).
"""

from __future__ import annotations

import fnmatch
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dulwich.errors import GitProtocolError
from dulwich.objects import ZERO_SHA

from . import durable
from .errors import CorruptObjectError, RepositoryError
from .repo import BRANCH, SnapshotStore
from .revisions import SHARD_REFS
from .settings import SETTINGS_REF, settings_commit
from .transport import RemoteError, Transport, redact_url, scrub

# redact_url, scrub and RemoteError are transport.py's, named here too: callers import them from here
__all__ = ["DEFAULT_FETCH", "FetchResult", "PushResult", "Remote", "RemoteError", "RemoteRejectedError",
           "fetch", "push", "push_with_lease", "redact_url", "scrub"]

log = logging.getLogger(__name__)

TAGS = b"refs/tags/"
SHARDS = SHARD_REFS.encode()
DEFAULT_FETCH = (BRANCH, TAGS + b"*", SHARDS + b"*")


class RemoteRejectedError(RemoteError):
    """A push would move a ref the remote has and this repository does not descend from (someone
    else pushed, or a tag points elsewhere there): refused before anything was sent."""


# -- results -----------------------------------------------------------------------------------


def _short(ref: bytes) -> str:
    name = ref.decode("utf-8", "replace")
    for prefix, label in (("refs/heads/", ""), ("refs/tags/", "tag "), (SHARD_REFS, "shard ")):
        if name.startswith(prefix):
            return label + name[len(prefix):]
    return name


@dataclass(frozen=True)
class PushResult:
    """What a push changed on the remote.

    Attributes:
        url: The remote, redacted.
        updated: Each ref moved or created: ``ref -> (old id or None, new id)``.
        left: Refs deliberately left as the remote has them: ``ref -> why``.
    """

    url: str
    updated: dict[bytes, tuple[str | None, str]] = field(default_factory=dict)
    left: dict[bytes, str] = field(default_factory=dict)

    def summary(self) -> str:
        """One line: ``pushed main and 1 tag to URL``, or that the remote was up to date."""
        from ..words import plural

        shown = [r for r in self.updated if r != SETTINGS_REF]
        if not shown:
            return f"{self.url} is up to date (nothing to push)"
        parts = ["main"] if BRANCH in shown else []
        tags = sum(r.startswith(TAGS) for r in shown)
        shards = sum(r.startswith(SHARDS) for r in shown)
        parts += [plural(tags, "tag")] if tags else []
        parts += [plural(shards, "shard")] if shards else []
        words = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        return f"pushed {words} to {self.url}"


@dataclass(frozen=True)
class FetchResult:
    """What a fetch brought: refs created or fast-forwarded, and refs it left (and why)."""

    url: str
    updated: dict[bytes, tuple[str | None, str]] = field(default_factory=dict)
    left: dict[bytes, str] = field(default_factory=dict)

    def summary(self) -> str:
        """One line: how many refs came, the shards among them, and what was left as it was."""
        from ..words import plural

        shards = sum(1 for ref in self.updated if ref.startswith(SHARDS))
        came = f"fetched {plural(len(self.updated), 'ref')}" if self.updated else "nothing new to fetch"
        among = f" ({plural(shards, 'shard')})" if shards else ""
        left = "".join(f"; {_short(ref)} left: {why}" for ref, why in sorted(self.left.items()))
        return f"{came}{among} from {self.url}{left}"


# -- the remote --------------------------------------------------------------------------------


class Remote(Transport):
    """One remote repository, by URL: push to it and fetch from it (arguments: :class:`Transport`)."""

    def _send(self, store: SnapshotStore, decide: Callable[[dict[bytes, bytes]], dict[bytes, bytes]]) -> dict[bytes, tuple[str | None, str]]:
        """One push: *decide* sees the remote's refs and returns the refs to set (or raises)."""
        repo = store._repo
        store.flush()  # every object a ref names is on disk before it is sent
        moved: dict[bytes, tuple[str | None, str]] = {}

        def update_refs(remote: dict[bytes, bytes]) -> dict[bytes, bytes]:
            remote = {k: v for k, v in remote.items() if not k.endswith(b"^{}")}
            wanted = {ref: new for ref, new in decide(remote).items() if remote.get(ref) != new}
            moved.clear()
            moved.update({ref: (_text(remote.get(ref)), new.decode()) for ref, new in wanted.items()})
            return wanted

        def pack(have: Iterable[bytes], want: Iterable[bytes], *, ofs_delta: bool = True,
                 progress: Callable[..., None] | None = None) -> tuple[int, Any]:
            return repo.object_store.generate_pack_data(set(have), set(want), ofs_delta=ofs_delta, progress=progress)

        def attempt() -> Any:
            client, path = self._client("push")
            target = path.encode() if isinstance(path, str) else path
            try:
                return client.send_pack(target, update_refs, pack, atomic=True)
            except GitProtocolError as exc:
                if "does not support atomic" not in str(exc):
                    raise
                return client.send_pack(target, update_refs, pack)  # an old server: ref by ref

        result = self._retrying("pushing to", attempt)
        refused = {ref: why for ref, why in (result.ref_status or {}).items() if why}
        if refused:
            named = ", ".join(f"{_short(r)} ({self._scrub(str(w))})" for r, w in sorted(refused.items()))
            raise RemoteRejectedError(f"{self.shown} refused {named} (moved there since it was read?): fetch "
                                      "and compare, then push again")
        return moved

    # -- push ----------------------------------------------------------------------------------

    def push(self, store: SnapshotStore, refs: Iterable[bytes] = (), *, main: bool = True) -> PushResult:
        """Push main, every tag the remote lacks, the settings and the shard *refs* given.

        *main* False leaves main out: a shard machine's main is only where its shard started,
        and the remote's may have moved on since (another night was combined).

        Raises:
            RemoteRejectedError: the remote's main (or a given shard) is not an ancestor of
                ours, or one of our tags exists there pointing elsewhere; nothing was pushed.
            RemoteError: the remote cannot be reached (after retries) or refused the push.
        """
        extra = list(refs)
        for ref in extra:
            if not ref.startswith(SHARDS):
                raise RemoteError(f"{ref.decode('utf-8', 'replace')} is not a shard ref ({SHARDS.decode()}NAME): "
                                  "only main, tags and shards are pushed")
        local = {name.encode(): value.encode() for name, value in store.refs()}
        missing = [r for r in extra if r not in local]
        if missing:
            raise RemoteError(f"{_short(missing[0])} does not exist in {store.path}: capture it first")
        settings = settings_commit(store)
        if (BRANCH not in local or not main) and not extra:
            raise RemoteError(f"{store.path} has no snapshot to push yet: run 'gitsnap capture' first")
        left: dict[bytes, str] = {}

        def decide(remote: dict[bytes, bytes]) -> dict[bytes, bytes]:
            out: dict[bytes, bytes] = {}
            for ref in ([BRANCH] if BRANCH in local and main else []) + extra:
                if _moves_forward(store, remote.get(ref), local[ref], ref, self.shown):
                    out[ref] = local[ref]
            for ref, value in local.items():
                if ref.startswith(TAGS):
                    there = remote.get(ref)
                    if there is None:
                        out[ref] = value
                    elif there != value:
                        raise RemoteRejectedError(
                            f"{self.shown}: {_short(ref)} there is {there.decode()[:12]}, here {value.decode()[:12]} "
                            f"(the same name given to another snapshot): rename or delete the tag here "
                            f"(git -C {store.path} tag -d {ref[len(TAGS):].decode()}), then push again; nothing "
                            "was pushed")
            if settings is not None:
                there = remote.get(SETTINGS_REF)
                if there is None or there == settings or _is_ancestor(store, there, settings):
                    out[SETTINGS_REF] = settings
                else:
                    left[SETTINGS_REF] = "changed elsewhere; left as the remote has it"
            return out

        updated = self._send(store, decide)
        for ref, why in left.items():
            log.info("%s: %s %s", self.shown, _short(ref), why)
        return PushResult(self.shown, updated, left)

    def push_with_lease(self, store: SnapshotStore, ref: bytes, expected_old: str | bytes | None,
                        new: str | bytes | None) -> PushResult:
        """Set *ref* on the remote to *new* (None deletes it) only if it is still *expected_old*
        (None: only if it does not exist). The remote checks the old value as it updates, so
        a push between our read and our update is refused too.

        Raises:
            RemoteRejectedError: the remote's *ref* is not *expected_old*; nothing was changed.
        """
        old_b = _bytes(expected_old)
        new_b = _bytes(new) or ZERO_SHA

        def decide(remote: dict[bytes, bytes]) -> dict[bytes, bytes]:
            there = remote.get(ref)
            if there != old_b:
                now = there.decode()[:12] if there else "absent"
                was = old_b.decode()[:12] if old_b else "absent"
                raise RemoteRejectedError(
                    f"{self.shown}: {_short(ref)} is {now} there, not {was} as expected (someone pushed since "
                    "it was read): fetch and compare, then run it again; nothing was changed there")
            return {ref: new_b}

        return PushResult(self.shown, self._send(store, decide))

    # -- fetch --------------------------------------------------------------------------------------

    def fetch(self, store: SnapshotStore, patterns: Iterable[bytes] = DEFAULT_FETCH) -> FetchResult:
        """Bring the remote's refs matching *patterns* (fnmatch on full names) and their objects.

        A ref new here is created; an existing branch, shard or settings ref moves only when it
        fast-forwards (main is never rewound or replaced); a tag is never moved. Holds the
        capture lock: do not call it inside ``store.lock()``.
        """
        with store.lock():
            return self.fetch_locked(store, list(patterns))

    def fetch_locked(self, store: SnapshotStore, patterns: list[bytes]) -> FetchResult:
        """:meth:`fetch`, for a caller already holding ``store.lock()`` (clone)."""
        repo = store._repo
        remote: dict[bytes, bytes] = {}

        def wants(refs: Mapping[bytes, bytes | None], *args: object, **kwargs: object) -> list[bytes]:
            remote.clear()
            remote.update({k: v for k, v in refs.items()
                           if v and v != ZERO_SHA and not k.endswith(b"^{}") and _matches(k, patterns)})
            return sorted({v for v in remote.values() if v not in repo.object_store})

        pack_dir = Path(repo.object_store.path) / "pack"
        before = set(os.listdir(pack_dir)) if pack_dir.is_dir() else set()

        def attempt() -> None:
            client, path = self._client("pull")
            client.fetch(path.encode() if isinstance(path, str) else path, repo, determine_wants=wants)

        self._retrying("fetching from", attempt)
        _sync_new_files(pack_dir, before)
        local = {name.encode(): value.encode() for name, value in store.refs()}
        updated: dict[bytes, tuple[str | None, str]] = {}
        left: dict[bytes, str] = {}
        for ref in sorted(remote, key=lambda r: r == BRANCH):  # main moves last
            there, here = remote[ref], local.get(ref)
            if here == there:
                continue
            if here is not None and (ref.startswith(TAGS) or not _is_ancestor(store, here, there)):
                left[ref] = "differs here; kept as it is here"
                continue
            if not store._swap(ref, here, there):
                left[ref] = "moved here while fetching; kept"
                continue
            updated[ref] = (_text(here), there.decode())
        return FetchResult(self.shown, updated, left)

# -- helpers (reading the local repository) ----------------------------------------------------


def _bytes(value: str | bytes | None) -> bytes | None:
    if value is None:
        return None
    return value if isinstance(value, bytes) else value.encode()


def _text(value: bytes | None) -> str | None:
    return value.decode() if value is not None else None


def _matches(ref: bytes, patterns: list[bytes]) -> bool:
    name = ref.decode("utf-8", "replace")
    return any(fnmatch.fnmatchcase(name, p.decode()) for p in patterns)


def _is_ancestor(store: SnapshotStore, ancestor: bytes, descendant: bytes) -> bool:
    """Whether commit *ancestor* is *descendant* or reachable from it. An *ancestor* not in this
    repository is not (someone else's snapshot); nor is one behind damage (verify says which)."""
    if ancestor == descendant:
        return True
    if not store.has(ancestor.decode()):
        return False
    try:
        return store.reaches(descendant.decode(), ancestor.decode())
    except CorruptObjectError:
        return False
    todo, seen = [descendant.decode()], set()
    target = ancestor.decode()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            commit = store._object(current, "commit")
        except CorruptObjectError:
            continue  # not a commit (a tag object) or damaged: verify says which
        for parent in commit.parents:
            parent_id = parent.decode()
            if parent_id == target:
                return True
            todo.append(parent_id)
    return False


def _moves_forward(store: SnapshotStore, there: bytes | None, here: bytes, ref: bytes, shown: str) -> bool:
    """Whether *ref* should be sent: the remote lacks it or is behind. Raises when the remote has
    what we lack (it diverged, or is ahead: someone else pushed)."""
    if there is None:
        return True
    if there == here:
        return False
    if _is_ancestor(store, there, here):
        return True
    what = "main" if ref == BRANCH else _short(ref)
    raise RemoteRejectedError(
        f"{shown}: the remote's {what} has snapshots this repository lacks (someone else pushed, or history "
        f"was rewritten here): what is committed here stays here, unpushed; go on from a fresh copy "
        f"('gitsnap clone URL DIR', then compare with 'gitsnap log') and let one machine capture into one remote; "
        "nothing was pushed")


def _sync_new_files(folder: Path, before: set[str]) -> None:
    """fsync the packs a fetch wrote (dulwich does not), then their folder: before a ref names them."""
    if not folder.is_dir():
        return
    new = [name for name in os.listdir(folder) if name not in before]
    try:
        for name in new:
            durable.fsync_path(str(folder / name))
        if new:
            durable.fsync_path(str(folder))
    except durable.FlushError as exc:
        raise RepositoryError(f"{exc.strerror}: no ref was moved; check the disk holding {folder}") from exc


# -- the API the CLI uses ----------------------------------------------------------------------


def push(store: SnapshotStore, url: str, refs: Iterable[bytes] = (), *, main: bool = True,
         **options: Any) -> PushResult:
    """Push main, new tags, the settings and the shard *refs* to *url* (see :meth:`Remote.push`)."""
    return Remote(url, **options).push(store, refs, main=main)


def push_with_lease(store: SnapshotStore, url: str, ref: bytes, expected_old: str | bytes | None,
                    new: str | bytes | None, **options: Any) -> PushResult:
    """Compare-and-swap *ref* on *url* (see :meth:`Remote.push_with_lease`)."""
    return Remote(url, **options).push_with_lease(store, ref, expected_old, new)


def fetch(store: SnapshotStore, url: str, patterns: Iterable[bytes] = DEFAULT_FETCH, **options: Any) -> FetchResult:
    """Fetch refs matching *patterns* from *url* (see :meth:`Remote.fetch`)."""
    return Remote(url, **options).fetch(store, patterns)
