"""SnapshotStore: a bare git repository holding one commit per capture.

Layout of the repository folder (a bare git repository; see also identity.py):

- ``HEAD``, ``config``, ``objects/``, ``refs/``: git's own. ``config`` holds
  ``gitsnap.format`` and the repository's settings (``gitsnap.*``).
- ``gitsnap.repository``: the marker that says gitsnap made this folder, and its format.
  Nothing opens a folder that has neither the marker nor ``gitsnap.format``.
- ``gitsnap.lock``: the capture lock (``flock``; its content means nothing). It stays at the
  root, where every gitsnap version has looked for it, so that an older and a newer gitsnap
  on one repository still exclude each other.
- ``gitsnap/sound.cache``: which objects were found sound, by file stat (sound.py).
- ``gitsnap.toml``: the configuration (config.py), when kept in the repository.

Every object read through the store is checked on the way: it must decompress, be whole,
and hash to its id. Damage raises :class:`CorruptObjectError` (or
:class:`MissingObjectError`) naming the object, never a zlib or dulwich exception.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import heapq
import itertools
import logging
import os
import re
import stat
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from dulwich.errors import NotGitRepository
from dulwich.file import FileLocked
from dulwich.index import commit_tree
from dulwich.objects import Blob, Commit, ShaFile, Tag, Tree, object_class
from dulwich.refs import check_ref_format
from dulwich.repo import Repo

from . import durable, identity, loose, sweep
from .errors import (
    ConcurrentUpdateError,
    CorruptObjectError,
    MissingObjectError,
    NotARepositoryError,
    RepositoryError,
    RevisionError,
)
from .sound import SoundCache, stamp

log = logging.getLogger(__name__)

BRANCH = b"refs/heads/main"
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
class _Recording:
    """An object container for dulwich helpers (commit_tree) whose writes go through the store."""

    add_object: Callable[[ShaFile], None]


@dataclass(frozen=True)
class CommitInfo:
    id: str
    message: str
    time: int
    parents: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class TreeEntry:
    name: str  # one path segment (bytes that are not UTF-8 surrogate-escaped)
    id: str
    is_dir: bool
    is_submodule: bool = False


@dataclass(frozen=True)
class ObjectCheck:
    """One object, read and checked, for ``gitsnap verify``: what it is and what is wrong.

    ``problem`` is None when the object is sound, ``"missing"``, or ``"corrupt (why)"``.
    What could be read is filled in even for some damaged objects: a blob whose bytes
    inflate but hash to another id still has its ``sha256`` and ``size``.
    """

    id: str
    problem: str | None = None
    kind: str | None = None
    size: int | None = None
    sha256: str | None = None  # blobs
    tree: str | None = None  # commits
    parents: tuple[str, ...] = ()  # commits
    target: tuple[str, str] | None = None  # tags: (kind, id)
    tag_name: str | None = None  # tags
    entries: tuple[TreeEntry, ...] = ()  # trees

    @property
    def missing(self) -> bool:
        return self.problem == "missing"


def _identity() -> bytes:
    name = os.environ.get("GIT_COMMITTER_NAME") or os.environ.get("GIT_AUTHOR_NAME") or "gitsnap"
    email = (
        os.environ.get("GIT_COMMITTER_EMAIL") or os.environ.get("GIT_AUTHOR_EMAIL") or "gitsnap@localhost"
    )
    return f"{name} <{email}>".encode()


def _damaged(exc: CorruptObjectError, subject: str) -> CorruptObjectError:
    """The same damage, told from where it was met ("refs/heads/main points at commit X")."""
    state = "missing" if isinstance(exc, MissingObjectError) else f"corrupt ({exc.reason})"
    return type(exc)(f"{subject}, which is {state}: {_DAMAGE_HINT}", exc.object_id, exc.reason)


class SnapshotStore:
    """Objects and refs of one snapshot repository (bare: the history is the product)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.format = identity.identify(self.path)  # refuses before anything is opened or written
        try:
            self._repo = Repo(str(self.path))
        except NotGitRepository as exc:
            raise NotARepositoryError(f"{self.path} is not a git repository any more: restore it from a copy "
                                      "or a clone, or pass --repo") from exc
        self._objects_dir = Path(self._repo.object_store.path)
        self._objects_str = str(self._objects_dir)
        self._sound = SoundCache(self.path / SOUND_CACHE)
        self._packs_lock = threading.Lock()  # dulwich pack files share one file position
        self._pending = durable.PendingWrites(self._objects_dir)  # flushed before any ref moves

    @classmethod
    def init(cls, path: Path) -> SnapshotStore:
        path = Path(path)
        if path.exists() and not path.is_dir():
            raise RepositoryError(f"{path} is a file: choose an empty or new directory")
        if path.exists() and any(path.iterdir()):
            raise RepositoryError(f"{path} exists and is not empty: choose an empty or new directory")
        path.mkdir(parents=True, exist_ok=True)
        repo = Repo.init_bare(str(path))
        repo.refs.set_symbolic_ref(b"HEAD", BRANCH)
        cfg = repo.get_config()
        cfg.set((b"gitsnap",), b"format", str(identity.FORMAT).encode())
        cfg.write_to_path()
        repo.close()
        identity.write_marker(path)
        return cls(path)

    # -- repository settings (git config, never pushed) -------------------------------------

    def setting(self, name: str) -> list[str]:
        """Every value of ``gitsnap.<name>`` in the repository's git config."""
        cfg = self._repo.get_config()
        try:
            return [v.decode() for v in cfg.get_multivar((b"gitsnap",), name.encode())]
        except KeyError:
            return []

    def set_setting(self, name: str, values: list[str]) -> None:
        """Replace ``gitsnap.<name>`` by *values* (one config line each)."""
        cfg = self._repo.get_config()
        with contextlib.suppress(KeyError):
            cfg.remove((b"gitsnap",), name.encode())
        for value in values:
            cfg.add((b"gitsnap",), name.encode(), value.encode())
        cfg.write_to_path()

    # -- checked objects -------------------------------------------------------------------

    def _loose_path(self, object_id: str) -> Path:
        return loose.object_path(self._objects_dir, object_id)

    def _raw(self, object_id: str, what: str = "object") -> tuple[str, bytes]:
        """``(kind, content)`` of an object, checked. *what* names it in errors ("tree at x/")."""
        if not _HEX40.fullmatch(object_id):
            raise MissingObjectError(f"{what} {object_id!r} is not an object id: {_DAMAGE_HINT}", object_id,
                                     "not an object id")
        try:
            return loose.read_object(self._loose_path(object_id), object_id)
        except FileNotFoundError:
            pass
        except loose.BadObjectError as exc:
            raise self._corrupt(object_id, str(exc), what) from exc
        except OSError as exc:
            raise self._corrupt(object_id, f"unreadable: {exc.strerror or exc}", what) from exc
        packed = self._read_packed(object_id, what)
        if packed is None:
            raise MissingObjectError(f"{what} {object_id} is missing: {_DAMAGE_HINT}", object_id, "missing")
        return packed

    @staticmethod
    def _corrupt(object_id: str, reason: str, what: str) -> CorruptObjectError:
        return CorruptObjectError(f"{what} {object_id} is corrupt ({reason}): {_DAMAGE_HINT}", object_id, reason)

    def _pack_holding(self, object_id: str):  # -> dulwich Pack | None
        raw = bytes.fromhex(object_id)
        with self._packs_lock:
            for pack in self._repo.object_store.packs:
                if raw in pack:
                    return pack
        return None

    def _read_packed(self, object_id: str, what: str, pack=None) -> tuple[str, bytes] | None:
        """A packed object's ``(kind, content)``, checked against its id; None if not packed."""
        pack = pack or self._pack_holding(object_id)
        if pack is None:
            return None
        try:
            with self._packs_lock:
                type_num, data = pack.get_raw(bytes.fromhex(object_id))
        except Exception as exc:  # noqa: BLE001 (dulwich raises many types on bad pack data)
            raise self._corrupt(object_id, f"in {os.path.basename(pack.data.path)}: {type(exc).__name__}: {exc}",
                                what) from exc
        cls = object_class(type_num)
        if cls is None:
            raise self._corrupt(object_id, f"unknown object type {type_num}", what)
        kind = cls.type_name.decode()
        actual = hashlib.sha1(b"%s %d\x00" % (cls.type_name, len(data)) + data).hexdigest()
        if actual != object_id:
            raise self._corrupt(object_id, f"content hashes to {actual}, not to its id", what)
        return kind, data

    def _object(self, object_id: str, want: str | None = None, what: str | None = None) -> ShaFile:
        """A parsed tree, commit or tag (or blob), checked, of kind *want* if given."""
        what = what or want or "object"
        kind, data = self._raw(object_id, what)
        if want is not None and kind != want:
            raise CorruptObjectError(f"{what} {object_id} is a {kind}, not a {want}: {_DAMAGE_HINT}", object_id,
                                     f"a {kind}, not a {want}")
        try:
            return ShaFile.from_raw_string(_TYPE_NUMS[kind], data, sha=object_id.encode())
        except Exception as exc:  # noqa: BLE001 (dulwich's parsers raise many types on bad input)
            raise self._corrupt(object_id, f"malformed {kind}: {exc}", what) from exc

    def sound(self, object_id: str) -> bool:
        """Whether an object is there, decompresses, and hashes to its id. Thread-safe.

        The copy readers use is judged: the loose file if there is one, else the pack. A
        result is remembered with that file's stat (sound.py), so an unchanged body is read
        once, not once per capture; a file whose stat changed is read again.
        """
        if not _HEX40.fullmatch(object_id):
            return False
        path = f"{self._objects_str}/{object_id[:2]}/{object_id[2:]}"  # a str: this runs per body
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return self._sound_packed(object_id)
        except OSError:
            return False
        current = stamp(st)  # taken before reading: a change while we read shows next time
        if self._sound.known(object_id, current):
            return True
        try:
            _, _, body = loose.open_object(Path(path), object_id)
            for _ in body:
                pass
        except (OSError, loose.BadObjectError):
            self._sound.forget(object_id)
            return False
        self._sound.remember(object_id, current)
        return True

    def _sound_packed(self, object_id: str) -> bool:
        pack = self._pack_holding(object_id)
        if pack is None:
            return False
        try:
            current = stamp(os.stat(pack.data.path), os.path.basename(pack.data.path))
        except OSError:
            return False
        if self._sound.known(object_id, current):
            return True
        try:
            self._read_packed(object_id, "object", pack)
        except CorruptObjectError:
            self._sound.forget(object_id)
            return False
        self._sound.remember(object_id, current)
        return True

    def _known_sound_loose(self, object_id: str) -> bool:
        """Whether the loose copy is remembered as sound at its current stat (no reading)."""
        try:
            return self._sound.known(object_id, stamp(os.stat(self._loose_path(object_id))))
        except OSError:
            return False

    def check_object(self, object_id: str, sha256: bool = False) -> ObjectCheck:
        """Read one object whole and say what is wrong with it, instead of raising.

        For ``gitsnap verify``: blobs are streamed (their sha256 too, with *sha256*), trees,
        commits and tags parsed. Every object is read afresh (no cache).
        """
        try:
            if not _HEX40.fullmatch(object_id):
                return ObjectCheck(object_id, "corrupt (not an object id)")
            path = self._loose_path(object_id)
            try:
                kind, size, body = loose.open_object(path, object_id)
            except FileNotFoundError:
                return self._check_packed(object_id, sha256)
            if kind != "blob":
                return self._parsed(object_id, kind, b"".join(body))
            digest, seen = hashlib.sha256(), 0
            try:
                for chunk in body:
                    digest.update(chunk)
                    seen += len(chunk)
            except loose.HashMismatchError as exc:  # whole and readable, but not what its id says
                return ObjectCheck(object_id, f"corrupt ({exc})", kind, seen, digest.hexdigest() if sha256 else None)
            return ObjectCheck(object_id, None, kind, seen, digest.hexdigest() if sha256 else None)
        except loose.BadObjectError as exc:
            return ObjectCheck(object_id, f"corrupt ({exc})")
        except CorruptObjectError as exc:
            return ObjectCheck(object_id, f"corrupt ({exc.reason})")
        except OSError as exc:
            return ObjectCheck(object_id, f"corrupt (unreadable: {exc.strerror or exc})")

    def _check_packed(self, object_id: str, sha256: bool) -> ObjectCheck:
        packed = self._read_packed(object_id, "object")
        if packed is None:
            return ObjectCheck(object_id, "missing")
        kind, data = packed
        if kind != "blob":
            return self._parsed(object_id, kind, data)
        return ObjectCheck(object_id, None, kind, len(data), hashlib.sha256(data).hexdigest() if sha256 else None)

    def _parsed(self, object_id: str, kind: str, data: bytes) -> ObjectCheck:
        try:
            obj = ShaFile.from_raw_string(_TYPE_NUMS[kind], data, sha=object_id.encode())
            if isinstance(obj, Commit):
                return ObjectCheck(object_id, None, kind, len(data), tree=obj.tree.decode(),
                                   parents=tuple(p.decode() for p in obj.parents))
            if isinstance(obj, Tag):
                target_cls, target = obj.object
                return ObjectCheck(object_id, None, kind, len(data), target=(target_cls.type_name.decode(),
                                   target.decode()), tag_name=obj.name.decode("utf-8", "replace"))
            assert isinstance(obj, Tree)
            entries = tuple(TreeEntry(e.path.decode("utf-8", "surrogateescape"), e.sha.decode(),
                                      stat.S_ISDIR(e.mode), stat.S_IFMT(e.mode) == 0o160000)
                            for e in obj.iteritems())
            return ObjectCheck(object_id, None, kind, len(data), entries=entries)
        except Exception as exc:  # noqa: BLE001 (dulwich's parsers raise many types on bad input)
            return ObjectCheck(object_id, f"corrupt (malformed {kind}: {exc})", kind)

    # -- reading ---------------------------------------------------------------------------

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

    def _walk(self, tree_id: str, prefix: str, out: dict[str, str]) -> None:
        tree = self._object(tree_id, "tree", f"tree at {prefix or '/'}")
        for entry in tree.iteritems():
            name = prefix + entry.path.decode("utf-8", "surrogateescape")
            if entry.mode & 0o040000:
                self._walk(entry.sha.decode(), name + "/", out)
            else:
                out[name] = entry.sha.decode()

    def read(self, blob_id: str) -> bytes:
        """A blob's bytes, checked (CorruptObjectError / MissingObjectError when damaged)."""
        kind, data = self._raw(blob_id, "blob")
        if kind != "blob":
            raise CorruptObjectError(f"blob {blob_id} is a {kind}, not a blob: {_DAMAGE_HINT}", blob_id,
                                     f"a {kind}, not a blob")
        return data

    def iter_blob(self, blob_id: str) -> Iterator[bytes]:
        """A blob's bytes in chunks; loose objects are streamed, packed ones read whole.

        A damaged body raises CorruptObjectError, at the latest after its last chunk: a
        consumer must not act on the bytes before the iteration ends without an error.
        """
        path = self._loose_path(blob_id) if _HEX40.fullmatch(blob_id) else None
        try:
            if path is None:
                raise FileNotFoundError(blob_id)
            kind, _, body = loose.open_object(path, blob_id)
            if kind != "blob":
                raise CorruptObjectError(f"blob {blob_id} is a {kind}, not a blob: {_DAMAGE_HINT}", blob_id,
                                         f"a {kind}, not a blob")
            yield from body
        except FileNotFoundError:
            yield self.read(blob_id)
        except loose.BadObjectError as exc:
            raise self._corrupt(blob_id, str(exc), "blob") from exc
        except OSError as exc:
            raise self._corrupt(blob_id, f"unreadable: {exc.strerror or exc}", "blob") from exc

    def has(self, object_id: str) -> bool:
        """Whether an object exists, without reading it.

        dulwich's ``in`` decompresses a loose object to answer, which for a 256 MiB body
        costs its whole size in memory and time; a path check (or the pack index) does not.
        """
        loose_path = self._objects_dir / object_id[:2] / object_id[2:]
        return loose_path.exists() or self._repo.object_store.contains_packed(object_id.encode())

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

    def _commit_from(self, commit_id: str, subject: str) -> Commit:
        """A commit, checked; damage is told as "<subject>, which is missing"."""
        try:
            obj = self._object(commit_id, "commit")
        except CorruptObjectError as exc:
            raise _damaged(exc, subject) from exc
        assert isinstance(obj, Commit)
        return obj

    # -- writing ---------------------------------------------------------------------------

    def add_bytes(self, data: bytes) -> str:
        blob = Blob.from_string(data)
        self._add_object(blob)
        return blob.id.decode()

    def _add_object(self, obj: ShaFile) -> None:
        """Add an object through dulwich (which does not fsync it) and record it to be flushed."""
        path = self._loose_path(obj.id.decode())
        try:
            mtime: float | None = os.stat(path).st_mtime  # before dulwich freshens it
        except FileNotFoundError:
            mtime = None
        self._repo.object_store.add_object(obj)
        if mtime is None:
            self._pending.wrote(path)
        else:
            self._pending.found(path, mtime)

    def _stored(self, path: Path, wrote: bool) -> None:
        if wrote:
            self._pending.wrote(path)
        else:
            self._pending.found(path)

    def add_stream(self, size: int, chunks: Iterable[bytes]) -> tuple[str, str]:
        """Stream a body into a blob; returns ``(blob id, sha256)``. Memory stays bounded.

        An existing copy of the same blob is kept only if it is known to be sound; any other
        is replaced by the fresh one, so writing a body again repairs a damaged copy.
        """
        blob_id, sha256 = loose.write_stream(self._objects_dir, size, chunks, keep_existing=self._known_sound_loose,
                                             stored=self._stored)
        with contextlib.suppress(OSError):  # just written (or known sound): remember it
            self._sound.remember(blob_id, stamp(os.stat(self._loose_path(blob_id))))
        return blob_id, sha256

    def write_tree(self, files: dict[str, str]) -> str:
        entries = [
            (path.encode("utf-8", "surrogateescape"), blob.encode(), FILE_MODE)
            for path, blob in sorted(files.items())
        ]
        # commit_tree only calls add_object: give it ours, so the trees are flushed before a ref moves
        return commit_tree(_Recording(self._add_object), entries).decode()

    def commit(self, tree_id: str, parent: str | None, message: str) -> str:
        c = Commit()
        c.tree = tree_id.encode()
        c.parents = [parent.encode()] if parent else []
        c.author = c.committer = _identity()
        c.author_time = c.commit_time = int(time.time())
        c.author_timezone = c.commit_timezone = 0
        c.encoding = b"UTF-8"
        c.message = message.encode("utf-8")
        self._add_object(c)
        return c.id.decode()

    def advance(self, old: str | None, new: str) -> None:
        """Move the branch from *old* to *new*, or fail if it is no longer at *old*."""
        ok = self._swap(BRANCH, old.encode() if old else None, new.encode())
        if not ok:
            raise ConcurrentUpdateError(
                "the snapshot branch moved during this capture (another capture ran?): nothing was changed; run capture again"
            )

    def flush(self) -> int:
        """fsync every object written in this run (and their folders); return how many files.

        Called before every ref move, so a power cut can never leave a ref naming an object
        that was not on disk yet (durable.py). Cheap when nothing is pending.
        """
        started = time.monotonic()
        try:
            flushed = self._pending.flush()
        except durable.FlushError as exc:
            raise RepositoryError(f"{exc.strerror}: no ref was moved; check the disk holding {self.path} "
                                  "and run capture again") from exc
        if flushed:
            log.debug("flushed %d object files to disk in %.3f s", flushed, time.monotonic() - started)
        return flushed

    def _swap(self, ref: bytes, old: bytes | None, new: bytes) -> bool:
        """Compare-and-swap a ref, once every object written so far is on disk.

        dulwich's set_if_equals treats old=None as "don't check", so "must not exist yet" goes
        through add_if_new instead. Only the branch gets a reflog entry: a reflog of tag
        objects makes 'git gc' complain "not a commit". dulwich fsyncs the ref file before
        renaming it; the folder holding its name is synced after, so a capture that reported
        success survives a power cut."""
        message = b"gitsnap capture" if ref == BRANCH else None
        self.flush()
        try:
            with sweep.moving_refs(self.path):
                if old is None:
                    moved = self._repo.refs.add_if_new(ref, new, message=message)
                else:
                    moved = self._repo.refs.set_if_equals(ref, old, new, message=message)
        except FileLocked as exc:  # a git command is moving it, or one was killed doing so
            lock = f"{self.path / ref.decode()}.lock"
            raise RepositoryError(f"{ref.decode()} is locked by {lock} (a git command running here, or one that "
                                  "was killed), so it was not moved: if no git command is running, delete that file "
                                  "and run capture again") from exc
        if moved:
            with contextlib.suppress(durable.FlushError):  # the ref moved; its folder's sync is best effort
                durable.fsync_path(str((self.path / ref.decode()).parent))
        return moved

    @staticmethod
    def valid_tag_name(name: str) -> bool:
        return bool(name) and check_ref_format(b"refs/tags/" + name.encode())

    def tag_exists(self, name: str) -> bool:
        return (b"refs/tags/" + name.encode()) in self._repo.refs

    def tag(self, name: str, commit_id: str, message: str, force: bool = False) -> None:
        ref = b"refs/tags/" + name.encode()
        old = self._repo.refs[ref] if ref in self._repo.refs else None  # noqa: SIM401 (no .get)
        if old is not None and not force:
            raise RepositoryError(f"tag {name!r} already exists: choose another name or pass --force")
        tag = Tag()
        tag.tagger = _identity()
        tag.tag_time = int(time.time())
        tag.tag_timezone = 0
        tag.name = name.encode()
        tag.object = (Commit, commit_id.encode())
        tag.message = (message.rstrip("\n") + "\n").encode("utf-8")
        self._add_object(tag)
        if not self._swap(ref, old, tag.id):
            raise ConcurrentUpdateError(f"tag {name!r} changed during this capture: run capture again")

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the capture lock: one writer at a time.

        On entry, with the lock held: mark a repository made before the marker existed,
        and remove temporary files a killed run left (sweep.py). On exit, save the sound
        cache.
        """
        path = self.path / LOCK_NAME
        with open(path, "a") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise RepositoryError(
                    f"another gitsnap process is writing to {self.path}: wait for it to finish"
                ) from exc
            try:
                self._upgrade()
                sweep.sweep(self.path)
                yield
            finally:
                self._sound.save()
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _upgrade(self) -> None:
        """Give a repository both marks of identity (identity.py); only under the lock."""
        if not identity.config_has_format(self.path):
            self.set_setting("format", [str(self.format)])
        if not identity.has_marker(self.path):
            identity.write_marker(self.path, self.format)
            log.info("marked %s as a gitsnap repository (%s)", self.path, identity.MARKER)

    def close(self) -> None:
        self._sound.save()
        self._repo.close()
