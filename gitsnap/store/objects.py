"""Reading and checking a snapshot repository's objects, loose or packed.

Every object read is checked on the way: it must decompress, be whole, and hash to its id.
Damage raises :class:`CorruptObjectError` (or :class:`MissingObjectError`) naming the object,
never a zlib or dulwich exception.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dulwich.objects import Commit, ShaFile, Tag, Tree, object_class
from dulwich.repo import Repo

from . import loose
from .errors import (
    CorruptObjectError,
    MissingObjectError,
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


def _damaged(exc: CorruptObjectError, subject: str) -> CorruptObjectError:
    """The same damage, told from where it was met ("refs/heads/main points at commit X")."""
    state = "missing" if isinstance(exc, MissingObjectError) else f"corrupt ({exc.reason})"
    return type(exc)(f"{subject}, which is {state}: {_DAMAGE_HINT}", exc.object_id, exc.reason)


class ObjectReader:
    """The object-reading half of :class:`~.repo.SnapshotStore`."""

    path: Path
    _repo: Repo
    _objects_dir: Path
    _objects_str: str
    _sound: SoundCache
    _packs_lock: threading.Lock

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
