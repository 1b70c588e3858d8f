"""Every object a repository's history holds, each once: for auditing old snapshots.

``iter_history_objects`` walks what refs (or named revisions) reach, the way
``git rev-list --objects`` does, and yields the objects whose bytes can hold text a
person or a collector wrote: blobs (their content), commits and annotated tags (their
messages). Trees are walked but not yielded.

Commits are visited parents first (oldest first), so a blob's ``commit`` is the first
commit, in history order, whose tree holds it: the one that introduced it. Trees and
blobs are deduplicated by id, so an unchanged subtree shared by a thousand snapshots is
read once. Blobs larger than ``max_bytes`` are not read at all: their size comes from
the loose object's header or the pack entry's header, and they are yielded with
``skipped=True`` and no data.
"""

from __future__ import annotations

import heapq
import stat
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from dulwich.objects import S_ISGITLINK, Blob, Commit, ShaFile, Tag, Tree

from . import packread
from .errors import CorruptObjectError, RepositoryError
from .repo import SnapshotStore, _damaged

DEFAULT_MAX_BYTES = 8 * 1024 * 1024

Kind = Literal["blob", "commit", "tag"]


@dataclass(frozen=True)
class HistoryObject:
    """One object of the history. ``data`` is a blob's content or a commit's/tag's message."""

    kind: Kind
    id: str
    path: str | None  # blobs: the first path it was seen at; a tag: None
    commit: str | None  # the first commit it was seen in (a commit: itself; a tag: its target)
    data: bytes = field(repr=False)  # a repr or a log line must never show a secret
    skipped: bool = False  # a blob over max_bytes, not read (data is b"")
    size: int | None = None  # blobs: content size in bytes
    ref: str | None = None  # the ref (or revision) through which it was first reached


@dataclass
class _CommitNode:
    tree: bytes
    parents: tuple[bytes, ...]
    time: int
    ref: str


def iter_history_objects(store: SnapshotStore, revs: list[str] | None = None,
                         max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[HistoryObject]:
    """Objects reachable from every ref (``revs`` None or empty) or from the named revisions.

    Every ref counts: branches, tags (annotated tag objects included, and tags of tags),
    and any other ref under ``refs/`` (notes, stashes, remotes, backups). Unreachable
    objects (what ``git gc`` would prune) are not read. A revision is resolved with
    ``store.resolve`` and reaches its commit and all its ancestors; a revision that names
    an annotated tag also reaches the tag object. An unknown revision raises
    ``RevisionError`` before anything is yielded.
    """
    repo = store._repo
    starts = _starts_from_refs(repo) if not revs else _starts_from_revs(store, revs)
    walk = _Walk(store, max_bytes)
    try:
        # Tags first: they are few, and their targets may be trees or blobs as well as commits.
        commit_tips: list[tuple[bytes, str]] = []
        for sha, ref in starts:
            obj: ShaFile | None = _load(store, sha, ref)
            while isinstance(obj, Tag):
                target_cls, target = obj.object
                if obj.id not in walk.seen:
                    walk.seen.add(obj.id)
                    peeled = _peel_to_commit(store, obj)
                    yield HistoryObject("tag", obj.id.decode(), None, peeled, obj.message or b"", ref=ref)
                if target_cls is Blob:  # do not inflate a blob just to learn it is one
                    yield from walk.blob(target, None, None, ref)
                    obj = None
                else:
                    obj = _load(store, target, ref)
            if isinstance(obj, Commit):
                commit_tips.append((obj.id, ref))
            elif isinstance(obj, Tree):
                yield from walk.tree(obj.id, None, ref)
            elif isinstance(obj, Blob):
                yield from walk.blob(obj.id, None, None, ref)

        commits = _collect_commits(store, commit_tips)
        for cid in _parents_first(commits):
            node = commits[cid]
            hex_id = cid.decode()
            message = _load(store, cid, node.ref).message or b""  # read again: not kept for all
            yield HistoryObject("commit", hex_id, None, hex_id, message, ref=node.ref)
            yield from walk.tree(node.tree, hex_id, node.ref)
    finally:
        walk.close()


# -- where to start -------------------------------------------------------------------------


def _ref_order(name: bytes) -> tuple[int, bytes]:
    for rank, prefix in enumerate((b"refs/heads/", b"refs/tags/", b"refs/")):
        if name.startswith(prefix):
            return rank, name
    return 3, name  # HEAD and other pseudo-refs last: they repeat a branch


def _starts_from_refs(repo) -> list[tuple[bytes, str]]:
    out = []
    for name in sorted(repo.refs.allkeys(), key=_ref_order):
        try:
            sha = repo.refs[name]
        except KeyError:  # a symbolic ref to nothing (HEAD of an empty repository)
            continue
        out.append((sha, name.decode("utf-8", "replace")))
    return out


def _starts_from_revs(store: SnapshotStore, revs: list[str]) -> list[tuple[bytes, str]]:
    repo = store._repo
    out = []
    for rev in revs:
        commit = store.resolve(rev)  # raises RevisionError, before anything is read
        ref = _named_ref(repo, rev)
        if ref is not None:
            tip = repo.refs[ref]
            obj = _load(store, tip, rev)
            if isinstance(obj, Tag) and _peel_to_commit(store, obj) == commit:
                out.append((tip, rev))  # the annotated tag object itself, then its commit
                continue
        out.append((commit.encode(), rev))
    return out


def _named_ref(repo, rev: str) -> bytes | None:
    """The ref a plain name means, in git's order (rev, refs/rev, refs/tags/rev, refs/heads/rev)."""
    name = rev.encode("utf-8", "surrogateescape")
    for candidate in (name, b"refs/" + name, b"refs/tags/" + name, b"refs/heads/" + name):
        try:
            if candidate in repo.refs:
                return candidate
        except (ValueError, KeyError):
            continue
    return None


def _load(store: SnapshotStore, sha: bytes, ref: str) -> ShaFile:
    """An object, checked; damage raises CorruptObjectError saying which ref reaches it."""
    try:
        return store._object(sha.decode())
    except CorruptObjectError as exc:
        raise _damaged(exc, f"{ref} reaches object {sha.decode()}") from exc


def _peel_to_commit(store: SnapshotStore, obj: ShaFile) -> str | None:
    """The commit a tag (or a chain of tags) points at; None for a tag of a tree or blob."""
    while isinstance(obj, Tag):
        target_cls, target = obj.object
        if target_cls not in (Tag, Commit):
            return None
        try:
            obj = store._object(target.decode())
        except CorruptObjectError:  # the walk meets it again, and says so
            return None
    return obj.id.decode() if isinstance(obj, Commit) else None


# -- commits ----------------------------------------------------------------------------------


def _collect_commits(store: SnapshotStore, tips: list[tuple[bytes, str]]) -> dict[bytes, _CommitNode]:
    """Every commit the tips reach (not past a shallow boundary), without recursion."""
    shallow = store._repo.get_shallow()
    commits: dict[bytes, _CommitNode] = {}
    stack = list(reversed(tips))
    while stack:
        cid, ref = stack.pop()
        if cid in commits:
            continue
        obj = _load(store, cid, ref)
        if not isinstance(obj, Commit):
            raise RepositoryError(f"{ref} reaches {cid.decode()} as a parent, but it is not a commit: "
                                  "the repository is damaged ('git fsck' says more)")
        parents = () if cid in shallow else tuple(obj.parents)
        commits[cid] = _CommitNode(obj.tree, parents, obj.commit_time, ref)
        stack.extend((p, ref) for p in reversed(parents) if p not in commits)
    return commits


def _parents_first(commits: dict[bytes, _CommitNode]) -> Iterator[bytes]:
    """Topological order, parents before children; among ready commits, oldest first."""
    waiting = {cid: sum(1 for p in node.parents if p in commits) for cid, node in commits.items()}
    children: dict[bytes, list[bytes]] = {}
    for cid, node in commits.items():
        for p in node.parents:
            if p in commits:
                children.setdefault(p, []).append(cid)
    ready = [(commits[c].time, c) for c, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    while ready:
        _, cid = heapq.heappop(ready)
        yield cid
        for child in children.get(cid, ()):
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(ready, (commits[child].time, child))


# -- trees and blobs --------------------------------------------------------------------------


class _Walk:
    """Trees and blobs, each once; blob sizes from object headers."""

    def __init__(self, store: SnapshotStore, max_bytes: int) -> None:
        self.store = store
        self.max_bytes = max_bytes
        self.seen: set[bytes] = set()
        self.sizes = _SizeProbe(store)

    def close(self) -> None:
        self.sizes.close()

    def tree(self, tree_id: bytes, commit: str | None, ref: str) -> Iterator[HistoryObject]:
        stack = [(tree_id, "")]
        while stack:
            tid, base = stack.pop()
            if tid in self.seen:
                continue
            self.seen.add(tid)
            tree = _load(self.store, tid, ref)
            if not isinstance(tree, Tree):
                raise RepositoryError(f"{ref} reaches {tid.decode()} as a tree, but it is not one: "
                                      "the repository is damaged ('git fsck' says more)")
            subtrees = []
            for entry in tree.iteritems():
                path = base + entry.path.decode("utf-8", "surrogateescape")
                if S_ISGITLINK(entry.mode):  # a submodule's commit lives in another repository
                    continue
                if stat.S_ISDIR(entry.mode):
                    subtrees.append((entry.sha, path + "/"))
                else:
                    yield from self.blob(entry.sha, path, commit, ref)
            stack.extend(reversed(subtrees))

    def blob(self, sha: bytes, path: str | None, commit: str | None, ref: str) -> Iterator[HistoryObject]:
        if sha in self.seen:
            return
        self.seen.add(sha)
        hex_id = sha.decode()
        size = self.sizes.size(hex_id)
        if size is not None and size > self.max_bytes:
            yield HistoryObject("blob", hex_id, path, commit, b"", skipped=True, size=size, ref=ref)
            return
        try:
            data = self.store.read(hex_id)
        except CorruptObjectError as exc:
            raise _damaged(exc, f"{ref} reaches blob {hex_id} at {path or '-'}") from exc
        if len(data) > self.max_bytes:  # the size was not known up front (an alternate store)
            yield HistoryObject("blob", hex_id, path, commit, b"", skipped=True, size=len(data), ref=ref)
            return
        yield HistoryObject("blob", hex_id, path, commit, data, size=len(data), ref=ref)


# -- object sizes without reading the object ------------------------------------------------

def blob_size(store: SnapshotStore, blob_id: str) -> int | None:
    """An object's size from its loose or packed header, without inflating it; None if unknown."""
    probe = _SizeProbe(store)
    try:
        return probe.size(blob_id)
    finally:
        probe.close()


class _SizeProbe:
    def __init__(self, store: SnapshotStore) -> None:
        self.store = store
        self.objects_dir = store._objects_dir

    def size(self, blob_id: str) -> int | None:
        loose = self.objects_dir / blob_id[:2] / blob_id[2:]
        try:
            if loose.exists():
                return _loose_size(loose)
            found = self.store._packed(blob_id)
            return None if found is None else packread.entry_size(*found)
        except (OSError, ValueError, IndexError, KeyError, zlib.error):
            return None

    def close(self) -> None:
        pass


def _loose_size(path: Path) -> int:
    with open(path, "rb") as fh:
        header = zlib.decompressobj().decompress(fh.read(4096), 64)
    kind, _, rest = header.partition(b" ")
    size, nul, _ = rest.partition(b"\x00")
    if not nul or kind not in (b"blob", b"tree", b"commit", b"tag"):
        raise ValueError(f"{path}: not a loose git object")
    return int(size)
