"""Revisions of a snapshot repository: refs, names like ``v1.0~2``, trees as file maps, the log."""

from __future__ import annotations

import heapq
import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from dulwich.objects import Commit, ShaFile, Tag

from .errors import (
    CorruptObjectError,
    RepositoryError,
    RevisionError,
)
from .objects import ObjectReader, _damaged

BRANCH = b"refs/heads/main"
SHARD_REFS = "refs/gitsnap/shards/"  # + NAME: a shard's latest commit (capture --shard; pushed and fetched)
LOCK_NAME = "gitsnap.lock"
SOUND_CACHE = "gitsnap/sound.cache"
_ANCESTRY = re.compile(r"^(.+?)((?:~\d*|\^)+)$")  # v1.0~2, HEAD^^, HEAD~
_ANCESTOR_STEP = re.compile(r"~\d*|\^")
_HEX40 = re.compile(r"[0-9a-f]{40}")
_HEX_PREFIX = re.compile(r"[0-9a-fA-F]{4,39}")
FILE_MODE = 0o100644
_TYPE_NUMS = {"commit": 1, "tree": 2, "blob": 3, "tag": 4}
_DAMAGE_HINT = "the repository is damaged; run 'gitsnap verify' to list the damage"



@dataclass(frozen=True)
class CommitInfo:
    id: str
    message: str
    time: int
    parents: tuple[str, ...]
    tags: tuple[str, ...]


class RevisionReader(ObjectReader):
    """The revision-reading half of :class:`~.repo.SnapshotStore`."""

    def head(self) -> str | None:
        try:
            value = self._repo.refs[BRANCH]
        except KeyError:
            return None
        text = value.decode("ascii", "replace")
        if not _HEX40.fullmatch(text):
            raise RepositoryError(f"{BRANCH.decode()} holds {text[:60]!r}, not a commit id: {_DAMAGE_HINT}")
        return text

    def refs(self) -> list[tuple[str, str]]:
        """Every ref under ``refs/`` as ``(name, what it holds)``, symbolic refs followed.

        What it holds is returned as read, even when it is not an object id (damage).
        """
        out = []
        for name in sorted(self._repo.refs.allkeys()):
            if not name.startswith(b"refs/"):
                continue
            try:
                value = self._repo.refs[name]
            except KeyError:  # a symbolic ref to nothing
                continue
            out.append((name.decode("utf-8", "replace"), value.decode("ascii", "replace")))
        return out

    def resolve(self, rev: str) -> str:
        """A revision (tag, branch, HEAD, HEAD~2, id prefix) as a commit id.

        Raises:
            RevisionError: the name means nothing here.
            CorruptObjectError: it names something damaged (the message names the ref and the object).
        """
        if self.head() is None:
            raise RevisionError(f"unknown revision {rev!r}: the repository has no snapshot yet; run 'gitsnap capture'")
        match = _ANCESTRY.match(rev)
        base, suffix = (match.group(1), match.group(2)) if match else (rev, "")
        object_id, source = self._start(base, rev)
        commit = self._follow(object_id, source)
        if not isinstance(commit, Commit):
            raise RevisionError(f"{rev!r} names a {commit.type_name.decode()}, not a snapshot: name a tag, HEAD, "
                                "HEAD~N or a commit id ('gitsnap log' lists them)")
        for step in _ANCESTOR_STEP.findall(suffix):
            for _ in range(int(step[1:] or "1") if step[0] == "~" else 1):
                if not commit.parents:
                    raise RevisionError(f"unknown revision {rev!r}: {commit.id.decode()[:12]} is the first "
                                        "snapshot ('gitsnap log' lists them)")
                parent = commit.parents[0].decode()
                try:
                    commit = self._object(parent, "commit")
                except CorruptObjectError as exc:
                    raise _damaged(exc, f"commit {commit.id.decode()} has parent {parent}") from exc
        return commit.id.decode()

    def _start(self, base: str, rev: str) -> tuple[str, str]:
        """``(object id, what points at it)`` for a plain name, reading no object."""
        unknown = RevisionError(f"unknown revision {rev!r}: name a tag, HEAD, HEAD~N or a commit id "
                                "('gitsnap log' lists them)")
        ref = self._named_ref(base)
        if ref is not None:
            chain, value = self._repo.refs.follow(ref)
            name = chain[-1].decode("utf-8", "replace")
            if value is None:
                raise unknown
            text = value.decode("ascii", "replace")
            if not _HEX40.fullmatch(text):
                raise RepositoryError(f"{name} holds {text[:60]!r}, not an object id: {_DAMAGE_HINT}")
            return text, name
        lower = base.lower()
        if _HEX40.fullmatch(lower):
            if not self.has(lower):
                raise unknown
            return lower, f"revision {rev!r}"
        if _HEX_PREFIX.fullmatch(base):
            found = [oid.decode() for oid in self._repo.object_store.iter_prefix(lower.encode())]
            if len(found) > 1:
                found = [oid for oid in found if self.check_object(oid).kind in ("commit", "tag")]
            if len(found) > 1:
                raise RevisionError(f"revision {rev!r} is ambiguous ({len(found)} objects start with it): "
                                    "give more digits")
            if found:
                return found[0], f"revision {rev!r}"
        raise unknown

    def _named_ref(self, name: str) -> bytes | None:
        """The ref a plain name means, in git's order (name, refs/name, tags, heads, remotes)."""
        raw = name.encode("utf-8", "surrogateescape")
        for candidate in (raw, b"refs/" + raw, b"refs/tags/" + raw, b"refs/heads/" + raw,
                          b"refs/remotes/" + raw, b"refs/remotes/" + raw + b"/HEAD"):
            try:
                if candidate in self._repo.refs:
                    return candidate
            except (ValueError, KeyError):
                continue
        return None

    def _follow(self, object_id: str, source: str) -> ShaFile:
        """The object *source* points at, annotated tags peeled, every step checked."""
        hint = "commit" if source.startswith("refs/heads/") else "object"
        try:
            obj = self._object(object_id)
        except CorruptObjectError as exc:
            raise _damaged(exc, f"{source} points at {hint} {object_id}") from exc
        while isinstance(obj, Tag):
            target_cls, target = obj.object
            tag = f"tag {obj.name.decode('utf-8', 'replace')} (object {obj.id.decode()})"
            try:
                obj = self._object(target.decode(), target_cls.type_name.decode())
            except CorruptObjectError as exc:
                raise _damaged(exc, f"{tag} points at {target_cls.type_name.decode()} {target.decode()}") from exc
        return obj

    def files(self, commit_id: str | None) -> dict[str, str]:
        """Every file of a snapshot as ``path -> blob id``."""
        if commit_id is None:
            return {}
        out: dict[str, str] = {}
        commit = self._object(commit_id, "commit")
        self._walk(commit.tree.decode(), "", out)
        return out

    def root_tree(self, commit_id: str | None) -> str | None:
        """The root tree of a snapshot (None for none)."""
        if commit_id is None:
            return None
        return self._object(commit_id, "commit").tree.decode()

    def tree_entries(self, tree_id: str, where: str = "") -> dict[bytes, tuple[bool, str]]:
        """One tree's entries: name -> (whether it is a folder, its id). *where* names it in errors."""
        tree = self._object(tree_id, "tree", f"tree at {where or '/'}")
        return {e.path: (bool(e.mode & 0o040000), e.sha.decode()) for e in tree.iteritems()}

    def tree_files(self, commit_id: str | None) -> TreeFiles:
        """Every file of a snapshot as ``path -> blob id``, its trees read only when needed."""
        return TreeFiles(self, self.root_tree(commit_id))

    def _walk(self, tree_id: str, prefix: str, out: dict[str, str]) -> None:
        tree = self._object(tree_id, "tree", f"tree at {prefix or '/'}")
        for entry in tree.iteritems():
            name = prefix + entry.path.decode("utf-8", "surrogateescape")
            if entry.mode & 0o040000:
                self._walk(entry.sha.decode(), name + "/", out)
            else:
                out[name] = entry.sha.decode()

    def tags(self) -> dict[str, str]:
        """Tag name -> commit id (annotated tags peeled)."""
        out = {}
        for ref, value in sorted(self._repo.refs.as_dict(b"refs/tags").items()):
            name = ref.decode("utf-8", "replace")
            text = value.decode("ascii", "replace")
            if not _HEX40.fullmatch(text):
                raise RepositoryError(f"tag {name} holds {text[:60]!r}, not an object id: {_DAMAGE_HINT}")
            out[name] = self._follow(text, f"tag {name}").id.decode()
        return out

    def log(self, rev: str | None = None, limit: int | None = None) -> list[CommitInfo]:
        """Snapshots from *rev* (default HEAD) back, newest first, each commit checked."""
        start = self.resolve(rev) if rev else self.head()
        if start is None:
            return []
        by_commit: dict[str, list[str]] = {}
        for name, cid in self.tags().items():
            by_commit.setdefault(cid, []).append(name)
        shallow = {s.decode() for s in self._repo.get_shallow()}
        order = itertools.count()
        first = self._commit_from(start, f"{'HEAD' if rev is None else repr(rev)} points at commit {start}")
        ready: list[tuple[int, int, str, Commit]] = [(-first.commit_time, next(order), start, first)]
        seen = {start}
        out: list[CommitInfo] = []
        while ready and (limit is None or len(out) < limit):
            _, _, cid, c = heapq.heappop(ready)
            parents = tuple(p.decode() for p in c.parents)
            out.append(CommitInfo(id=cid, message=c.message.decode("utf-8", "replace"), time=c.commit_time,
                                  parents=parents, tags=tuple(sorted(by_commit.get(cid, [])))))
            if cid in shallow or (limit is not None and len(out) >= limit):
                continue  # parents read only when they will be listed
            for p in parents:
                if p not in seen:
                    seen.add(p)
                    pc = self._commit_from(p, f"commit {cid} has parent {p}")
                    heapq.heappush(ready, (-pc.commit_time, next(order), p, pc))
        return out

    def reaches(self, start: str | None, wanted: str) -> bool:
        """Whether commit *wanted* is *start* or one of its ancestors (every parent followed).

        Raises:
            CorruptObjectError: a commit on the way is missing or damaged.
        """
        todo, seen = ([start] if start else []), set()
        while todo:
            current = todo.pop()
            if current == wanted:
                return True
            if current in seen:
                continue
            seen.add(current)
            todo.extend(p.decode() for p in self._object(current, "commit").parents)  # type: ignore[attr-defined]
        return False

    def _commit_from(self, commit_id: str, subject: str) -> Commit:
        """A commit, checked; damage is told as "<subject>, which is missing"."""
        try:
            obj = self._object(commit_id, "commit")
        except CorruptObjectError as exc:
            raise _damaged(exc, subject) from exc
        assert isinstance(obj, Commit)
        return obj


class TreeFiles(Mapping[str, str]):
    """A snapshot's files (``path -> blob id``) that reads its trees only as far as asked.

    ``files[path]``, ``path in files`` and ``get`` read the trees on the path's way;
    :meth:`under` and :meth:`folder_id` one folder; iterating (``items``, ``len``, ``==``)
    reads them all, once. Each tree is read at most once. A capture of a 100,000-object
    bucket so never lists the ``blobs/`` folder to find its bucket's previous index.
    """

    def __init__(self, reader: RevisionReader, root: str | None) -> None:
        self._reader = reader
        self.root = root
        self._trees: dict[str, dict[bytes, tuple[bool, str]]] = {}
        self._all: dict[str, str] | None = None

    def _entries(self, tree_id: str, where: str) -> dict[bytes, tuple[bool, str]]:
        entries = self._trees.get(tree_id)
        if entries is None:
            entries = self._trees[tree_id] = self._reader.tree_entries(tree_id, where)
        return entries

    def _find(self, path: str) -> tuple[bool, str] | None:
        """(is a folder, id) of the entry at *path* ("" is the root), or None."""
        if self.root is None:
            return None
        if path == "":
            return True, self.root
        found: tuple[bool, str] = (True, self.root)
        where = ""
        for part in path.encode("utf-8", "surrogateescape").split(b"/"):
            if not found[0]:
                return None
            entry = self._entries(found[1], where).get(part)
            if entry is None:
                return None
            found, where = entry, f"{where}{part.decode('utf-8', 'surrogateescape')}/"
        return found

    def __getitem__(self, path: str) -> str:
        if self._all is not None:
            return self._all[path]
        found = self._find(path) if path else None
        if found is None or found[0]:
            raise KeyError(path)
        return found[1]

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and self.get(path) is not None

    def folder_id(self, path: str) -> str | None:
        """The tree id of the folder at *path* ("" for the root), or None if there is none."""
        found = self._find(path.rstrip("/"))
        return found[1] if found is not None and found[0] else None

    def under(self, path: str) -> dict[str, str]:
        """The files in the folder at *path*, by path relative to it (``{}`` for no folder)."""
        path = path.rstrip("/")
        tree = self.folder_id(path)
        out: dict[str, str] = {}
        if tree is not None:
            self._collect(tree, "", f"{path}/" if path else "", out)
        return out

    def _collect(self, tree_id: str, prefix: str, where: str, out: dict[str, str]) -> None:
        for name, (is_dir, oid) in self._entries(tree_id, where + prefix).items():
            rel = prefix + name.decode("utf-8", "surrogateescape")
            if is_dir:
                self._collect(oid, rel + "/", where, out)
            else:
                out[rel] = oid

    def flat(self) -> dict[str, str]:
        """Every file, read once (a plain dict)."""
        if self._all is None:
            self._all = self.under("")
        return self._all

    def __iter__(self) -> Iterator[str]:
        return iter(self.flat())

    def __len__(self) -> int:
        return len(self.flat())

    def items(self):  # type: ignore[override]  # the plain dict's view: no lookup per path
        return self.flat().items()

    def keys(self):  # type: ignore[override]
        return self.flat().keys()

    def values(self):  # type: ignore[override]
        return self.flat().values()


def files_under(files: Mapping[str, str], folder: str) -> dict[str, str]:
    """The files of *files* in *folder*, by their full paths: of a snapshot's trees, only that
    folder's are read."""
    if isinstance(files, TreeFiles):
        return {f"{folder}/{rel}": blob for rel, blob in files.under(folder).items()}
    prefix = folder + "/"
    return {p: b for p, b in files.items() if p.startswith(prefix)}
