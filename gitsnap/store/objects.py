"""Reading and checking a snapshot repository's objects, loose or packed.

Every object read is checked on the way: it must decompress, be whole, and hash to its id.
Damage raises :class:`CorruptObjectError` (or :class:`MissingObjectError`) naming the object,
never a zlib or dulwich exception.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from dulwich.objects import Commit, ShaFile, Tag, Tree, object_class
from dulwich.repo import Repo

from . import loose, packread
from .durable import PendingWrites
from .errors import (
    CorruptObjectError,
    MissingObjectError,
)
from .packs import PackWriter
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


def _failed_check(object_id: str, exc: Exception, where: str = "") -> ObjectCheck:
    """What ``verify`` says of an object whose reading raised *exc*; *where* follows an
    unreadable file's reason (which pack)."""
    if isinstance(exc, CorruptObjectError):
        return ObjectCheck(object_id, f"corrupt ({exc.reason})")
    if isinstance(exc, OSError):
        return ObjectCheck(object_id, f"corrupt (unreadable: {exc.strerror or exc}{where})")
    return ObjectCheck(object_id, f"corrupt ({exc})")


class ObjectReader:
    """The object-reading half of :class:`~.repo.SnapshotStore`.

    Which copy of an object is read: a loose file if there is one, else the copy in a pack
    this process is still writing (packs.py), else the one in the newest finished pack
    holding it (packread.py). Writing a body again puts the fresh copy where it is read.
    """

    path: Path
    _repo: Repo
    _objects_dir: Path
    _objects_str: str
    _sound: SoundCache
    _packs: packread.PackSet
    _writer: PackWriter
    _pending: PendingWrites
    _shadowed: set[str]  # loose copies not known sound, replaced by a packed copy: removed at flush

    def _loose_path(self, object_id: str) -> Path:
        return loose.object_path(self._objects_dir, object_id)

    def _packed(self, object_id: str, refresh: bool = True) -> tuple[packread.Source, int] | None:
        """The first packed copy: ``(pack, offset)``; None if not packed."""
        raw = bytes.fromhex(object_id)
        return self._writer.find(raw) or self._packs.find(raw, refresh=refresh)

    def _packed_copies(self, object_id: str) -> list[tuple[packread.Source, int]]:
        """Every packed copy, the one this run wrote first, then the newest pack's."""
        raw = bytes.fromhex(object_id)
        fresh = self._writer.find(raw)
        return [fresh] if fresh is not None else self._packs.find_all(raw)

    def _raw(self, object_id: str, what: str = "object") -> tuple[str, bytes]:
        """``(kind, content)`` of an object, checked. *what* names it in errors ("tree at x/").

        The copy read: one this run wrote (not in a finished pack yet), else a loose file,
        else the first sound packed copy; the first damaged copy's error if none is sound.
        """
        if not _HEX40.fullmatch(object_id):
            raise MissingObjectError(f"{what} {object_id!r} is not an object id: {_DAMAGE_HINT}", object_id,
                                     "not an object id")
        fresh = self._writer.find(bytes.fromhex(object_id))
        if fresh is None:
            try:
                return loose.read_object(self._loose_path(object_id), object_id)
            except FileNotFoundError:
                pass
            except loose.BadObjectError as exc:
                raise self._corrupt(object_id, str(exc), what) from exc
            except OSError as exc:
                raise self._corrupt(object_id, f"unreadable: {exc.strerror or exc}", what) from exc
        copies = [fresh] if fresh is not None else self._packs.find_all(bytes.fromhex(object_id))
        if not copies:
            raise MissingObjectError(f"{what} {object_id} is missing: {_DAMAGE_HINT}", object_id, "missing")
        first: CorruptObjectError | None = None
        for source, offset in copies:
            try:
                return self._read_packed(object_id, what, source, offset)
            except CorruptObjectError as exc:
                first = first or exc
        assert first is not None
        raise first

    @staticmethod
    def _corrupt(object_id: str, reason: str, what: str) -> CorruptObjectError:
        return CorruptObjectError(f"{what} {object_id} is corrupt ({reason}): {_DAMAGE_HINT}", object_id, reason)

    def _read_packed(self, object_id: str, what: str, source: packread.Source, offset: int) -> tuple[str, bytes]:
        """A packed object's ``(kind, content)``, checked against its id."""
        try:
            return packread.read_entry(source, offset, object_id)
        except packread.DeltaEntry:
            return self._read_delta(object_id, what, source)
        except loose.BadObjectError as exc:
            raise self._corrupt(object_id, str(exc), what) from exc
        except OSError as exc:
            raise self._corrupt(object_id, f"unreadable: {exc.strerror or exc} (in {source.name})", what) from exc

    def _read_delta(self, object_id: str, what: str, source: packread.Source) -> tuple[str, bytes]:
        """A delta entry (a capture's documents, deltapack.py; or a pack made by git gc),
        resolved within its pack, checked against its id."""
        if not isinstance(source, packread.PackFile):  # deltas are written only into finished packs
            raise self._corrupt(object_id, f"a delta in {source.name}", what)
        try:
            type_num, data = source.read_delta(bytes.fromhex(object_id))
        except loose.BadObjectError as exc:
            raise self._corrupt(object_id, f"{exc} (in {source.name})" if source.name not in str(exc) else str(exc),
                                what) from exc
        except OSError as exc:
            raise self._corrupt(object_id, f"unreadable: {exc.strerror or exc} (in {source.name})", what) from exc
        cls = object_class(type_num)
        if cls is None:
            raise self._corrupt(object_id, f"unknown object type {type_num}", what)
        digest = hashlib.sha1(b"%s %d\x00" % (cls.type_name, len(data)))
        digest.update(data)  # not header + data: that copies a document of megabytes
        if digest.hexdigest() != object_id:
            raise self._corrupt(object_id, f"content hashes to {digest.hexdigest()}, not to its id", what)
        return cls.type_name.decode(), data

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

    # -- soundness -------------------------------------------------------------------------

    def sound(self, object_id: str) -> bool:
        """Whether an object is there, decompresses, and hashes to its id. Thread-safe.

        The copy readers use is judged. A result is remembered with the stat of the file
        holding it (sound.py), so an unchanged body is read once, not once per capture; a
        file whose stat changed is read again. A pack this store wrote is remembered whole,
        so asking about any object in it is a lookup in its index and a stat.
        """
        if not _HEX40.fullmatch(object_id):
            return False
        if self._writer.find(bytes.fromhex(object_id)) is not None:
            return True  # written by this run, hashed as it was
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
        raw = bytes.fromhex(object_id)
        found = self._packs.find(raw)
        if found is None:
            return False
        if self._sound_copy(object_id, *found):
            return True
        return any(self._sound_copy(object_id, pack, offset) for pack, offset in self._packs.find_all(raw)[1:])

    def _known_sound_copy(self, object_id: str, pack: packread.PackFile):  # -> Stamp | None (None: not known)
        current = self._pack_stamp(pack)
        if current is not None and (self._sound.known_pack(current) or self._sound.known(object_id, current)):
            return current
        return None

    def _sound_copy(self, object_id: str, pack: packread.PackFile, offset: int) -> bool:
        """Whether one packed copy is sound: from the cache, else read (and remembered)."""
        if self._known_sound_copy(object_id, pack) is not None:
            return True
        current = self._pack_stamp(pack)
        if current is None:
            return False
        try:
            _, _, body = packread.open_entry(pack, offset, object_id)
            for _ in body:
                pass
        except packread.DeltaEntry:
            try:
                self._read_delta(object_id, "object", pack)
            except CorruptObjectError:
                return False
        except (OSError, loose.BadObjectError):
            return False
        self._sound.remember(object_id, current)
        return True

    @staticmethod
    def _pack_stamp(pack: packread.PackFile):  # -> Stamp | None
        try:
            return stamp(os.stat(pack.path), pack.name)
        except OSError:
            return None

    def _known_sound(self, object_id: str) -> bool:
        """Whether the copy readers use is known sound without reading it (for deduplication).

        A loose copy that is not known sound is replaced by the fresh packed copy: it is
        removed once that copy's pack is finished (flush), so readers then read the pack.
        """
        raw = bytes.fromhex(object_id)
        if self._writer.find(raw) is not None:
            return True
        path = f"{self._objects_str}/{object_id[:2]}/{object_id[2:]}"  # a str: this runs per body
        try:
            st = os.stat(path)
        except FileNotFoundError:
            st = None
        except OSError:
            return False
        if st is not None:
            if self._sound.known(object_id, stamp(st)):
                return True
            self._shadowed.add(path)
            return False
        return any(self._known_sound_copy(object_id, pack) is not None
                   for pack, _ in self._packs.find_all(raw, refresh=False))

    # -- checking, for verify --------------------------------------------------------------

    def check_object(self, object_id: str, sha256: bool = False) -> ObjectCheck:
        """Read one object whole and say what is wrong with it, instead of raising.

        For ``gitsnap verify``: blobs are streamed (their sha256 too, with *sha256*), trees,
        commits and tags parsed. Every object is read afresh (no cache).
        """
        try:
            if not _HEX40.fullmatch(object_id):
                return ObjectCheck(object_id, "corrupt (not an object id)")
            if self._writer.find(bytes.fromhex(object_id)) is not None:
                return self._check_packed(object_id, sha256)
            path = self._loose_path(object_id)
            try:
                kind, size, body = loose.open_object(path, object_id)
            except FileNotFoundError:
                return self._check_packed(object_id, sha256)
            return self._check_body(object_id, kind, body, sha256)
        except (loose.BadObjectError, CorruptObjectError, OSError) as exc:
            return _failed_check(object_id, exc)

    def _check_body(self, object_id: str, kind: str, body: Iterator[bytes], sha256: bool) -> ObjectCheck:
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

    def _check_packed(self, object_id: str, sha256: bool) -> ObjectCheck:
        """The first sound packed copy's check, else the first copy's (what is wrong with it)."""
        copies = self._packed_copies(object_id)
        if not copies:
            return ObjectCheck(object_id, "missing")
        first = None
        for source, offset in copies:
            check = self._check_copy(object_id, source, offset, sha256)
            if check.problem is None:
                return check
            first = first or check
        return first

    def _check_copy(self, object_id: str, source: packread.Source, offset: int, sha256: bool) -> ObjectCheck:
        try:
            try:
                kind, _, body = packread.open_entry(source, offset, object_id)
            except packread.DeltaEntry:
                kind, data = self._read_delta(object_id, "object", source)
                body = iter((data,))
            return self._check_body(object_id, kind, body, sha256)
        except (loose.BadObjectError, CorruptObjectError, OSError) as exc:
            return _failed_check(object_id, exc, f" (in {source.name})")

    def check_objects(self, object_ids: Iterable[str], sha256: bool = False) -> dict[str, ObjectCheck]:
        """:meth:`check_object` for many objects, packed ones read pack by pack, in file order.

        The same findings as one :meth:`check_object` call each, at the cost of one
        sequential pass over each pack instead of a lookup and a read per object: which
        objects a pack holds comes from its whole index at once, which are loose from one
        listing of ``objects/``.
        """
        out: dict[str, ObjectCheck] = {}
        loose_ids = self._loose_ids()
        pending: set[bytes] = set()
        for object_id in object_ids:
            if object_id in out:
                continue
            raw = bytes.fromhex(object_id) if _HEX40.fullmatch(object_id) else None
            if raw is None or object_id in loose_ids or self._writer.find(raw) is not None:
                out[object_id] = self.check_object(object_id, sha256)
            else:
                pending.add(raw)
        for pack in self._packs.packs:
            if not pending:
                break
            try:
                here = pending & pack.names()
            except (OSError, ValueError):  # an unreadable index: each object is read alone below
                continue
            pending -= here
            try:
                for entry in packread.scan(pack, here, sha256=sha256):
                    out[entry.object_id] = self._scanned(entry, sha256)
            except (OSError, ValueError):  # the pack cannot be mapped: read each object alone
                for raw in here:
                    out[raw.hex()] = self.check_object(raw.hex(), sha256)
        for raw in pending:  # in no pack listed: missing, or in a pack that just appeared
            out[raw.hex()] = self.check_object(raw.hex(), sha256)
        return out

    def _loose_ids(self) -> set[str]:
        """Every loose object's id, from one listing of each fan-out folder."""
        found: set[str] = set()
        try:
            folders = [e for e in os.scandir(self._objects_str) if len(e.name) == 2 and e.is_dir()]
        except OSError:
            return found
        for folder in folders:
            with contextlib.suppress(OSError):
                found.update(folder.name + name for name in os.listdir(folder.path) if len(name) == 38)
        return found

    def _scanned(self, entry: packread.Scanned, sha256: bool) -> ObjectCheck:
        if entry.delta or entry.problem is not None:  # a delta; or damaged here: another copy may be sound
            return self.check_object(entry.object_id, sha256)
        if entry.kind != "blob":
            return self._parsed(entry.object_id, entry.kind or "", entry.data or b"")
        return ObjectCheck(entry.object_id, None, "blob", entry.size, entry.sha256 if sha256 else None)

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

    def read(self, blob_id: str) -> bytes:
        """A blob's bytes, checked (CorruptObjectError / MissingObjectError when damaged)."""
        kind, data = self._raw(blob_id, "blob")
        if kind != "blob":
            raise CorruptObjectError(f"blob {blob_id} is a {kind}, not a blob: {_DAMAGE_HINT}", blob_id,
                                     f"a {kind}, not a blob")
        return data

    def iter_blob(self, blob_id: str) -> Iterator[bytes]:
        """A blob's bytes in chunks, streamed with bounded memory, loose or packed.

        Only a delta entry (in a pack made by ``git gc``) is read whole. A damaged body
        raises CorruptObjectError, at the latest after its last chunk: a consumer must not
        act on the bytes before the iteration ends without an error.
        """
        if not _HEX40.fullmatch(blob_id):
            yield self.read(blob_id)  # raises: not an object id
            return
        source = "loose"
        try:
            try:
                if self._writer.find(bytes.fromhex(blob_id)) is not None:
                    raise FileNotFoundError(blob_id)  # this run's copy comes first
                kind, _, body = loose.open_object(self._loose_path(blob_id), blob_id)
            except FileNotFoundError:
                found = self._streamed_copy(blob_id)
                source = found[0].name
                try:
                    kind, _, body = packread.open_entry(*found, blob_id)
                except packread.DeltaEntry:
                    kind, data = self._raw(blob_id, "blob")
                    body = iter((data,))
            if kind != "blob":
                raise CorruptObjectError(f"blob {blob_id} is a {kind}, not a blob: {_DAMAGE_HINT}", blob_id,
                                         f"a {kind}, not a blob")
            yield from body
        except loose.BadObjectError as exc:
            raise self._corrupt(blob_id, str(exc), "blob") from exc
        except OSError as exc:
            where = "" if source == "loose" else f" (in {source})"
            raise self._corrupt(blob_id, f"unreadable: {exc.strerror or exc}{where}", "blob") from exc

    def _streamed_copy(self, blob_id: str) -> tuple[packread.Source, int]:
        """The packed copy to stream: one known sound if any (a stream cannot switch copies
        half way), else the first."""
        copies = self._packed_copies(blob_id)
        if not copies:
            raise MissingObjectError(f"blob {blob_id} is missing: {_DAMAGE_HINT}", blob_id, "missing")
        if len(copies) > 1:
            for pack, offset in copies:
                if isinstance(pack, packread.PackFile) and self._sound_copy(blob_id, pack, offset):
                    return pack, offset
        return copies[0]

    def has(self, object_id: str) -> bool:
        """Whether an object exists, without reading it (a path check, or a pack index lookup)."""
        if not _HEX40.fullmatch(object_id):
            return False
        if os.path.exists(f"{self._objects_str}/{object_id[:2]}/{object_id[2:]}"):
            return True
        return self._packed(object_id) is not None
