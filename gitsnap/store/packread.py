"""Reading pack files: which pack holds an object, one entry read or streamed, a pack scanned.

A pack (``objects/pack/pack-<sha>.pack`` with its ``.idx``) holds entries one after the
other: a small header (type, size), then a zlib stream. The packs gitsnap writes
(packs.py) hold whole objects only, so any of their entries can be inflated chunk by chunk
with bounded memory and checked the way a loose object is (loose.py): the stream must be
whole, the size as announced, and the bytes must hash to the object's id. Entries stored
as deltas (a capture's documents, deltapack.py; or after a user's ``git gc``) are read
whole: :meth:`PackFile.read_delta` follows the chain to its whole base in the same pack
and applies each delta (delta.py), keeping the last few objects it made, so reading a
chain in order (verify's scan) applies each delta once.

Entries are read with ``os.pread`` on a descriptor of their own, so any number of threads
can read one pack at once (dulwich's pack objects share a file position).

:class:`PackSet` is the store's list of packs, newest first. When an object is in more
than one pack, the newest copy is the one read: a capture that finds a damaged copy writes
a fresh one, which lands in a newer pack than the damaged one.
"""

from __future__ import annotations

import atexit
import hashlib
import mmap
import os
import struct
import threading
import weakref
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from dulwich.object_format import SHA1
from dulwich.pack import load_pack_index

from .delta import apply_delta, delta_sizes
from .loose import CHUNK, BadObjectError, HashMismatchError

TYPE_NAMES = {1: "commit", 2: "tree", 3: "blob", 4: "tag"}
TYPE_NUMS = {name: num for num, name in TYPE_NAMES.items()}
OFS_DELTA, REF_DELTA = 6, 7
_HEAD = 32  # the longest whole-object entry header is 1 + 9 bytes; a ref delta's is 1 + 9 + 20
BIG_ENTRY = 16 * 1024 * 1024  # larger entries are inflated in chunks, also when a pack is scanned


class Source(Protocol):
    """Where entries can be read from: a finished pack, or one still being written."""

    name: str

    def pread(self, size: int, offset: int) -> bytes: ...


def parse_entry_header(head: bytes) -> tuple[int, int, int]:
    """``(type number, size, header length)`` of a pack entry starting at *head*. Pure.

    Raises:
        BadObjectError: The bytes are not an entry header.
    """
    if len(head) >= 2 and not head[1] & 0x80 and 0 < (head[0] >> 4) & 7 != 5:  # up to 2 KiB: verify's usual case
        return (head[0] >> 4) & 7, (head[0] & 0x0F) | ((head[1] & 0x7F) << 4 if head[0] & 0x80 else 0), \
            2 if head[0] & 0x80 else 1
    if not head:
        raise BadObjectError("truncated: the pack ends inside an entry header")
    byte = head[0]
    type_num, size, shift, pos = (byte >> 4) & 7, byte & 0x0F, 4, 1
    while byte & 0x80:
        if pos >= len(head) or shift > 63:
            raise BadObjectError("not a pack entry header")
        byte = head[pos]
        size |= (byte & 0x7F) << shift
        shift += 7
        pos += 1
    if type_num == 0 or type_num == 5:
        raise BadObjectError(f"not a pack entry header (type {type_num})")
    return type_num, size, pos


def is_delta(type_num: int) -> bool:
    return type_num in (OFS_DELTA, REF_DELTA)


def open_entry(source: Source, offset: int, object_id: str | None = None,
               chunk: int = CHUNK) -> tuple[str, int, Iterator[bytes]]:
    """A whole-object entry: ``(kind, size, body chunks)``, checked like a loose object.

    The body is inflated as it is consumed (at most *chunk* bytes at a time); once the last
    chunk is out the stream must have ended, the size must be the header's, and, given
    *object_id*, the bytes must hash to it.

    Raises:
        BadObjectError: The entry is damaged (from here or from the iterator), or is a delta
            (:class:`DeltaEntry`: read it through :func:`read_delta`).
    """
    type_num, size, length = parse_entry_header(source.pread(_HEAD, offset))
    if is_delta(type_num):
        raise DeltaEntry("a delta")
    kind = TYPE_NAMES[type_num]
    return kind, size, _inflate(source, offset + length, kind, size, object_id, chunk)


class DeltaEntry(BadObjectError):
    """The entry is a delta: read it through :meth:`PackFile.read_delta`, which resolves its base."""


def _inflate(source: Source, at: int, kind: str, size: int, object_id: str | None,
             chunk: int) -> Iterator[bytes]:
    decomp = zlib.decompressobj()
    sha1 = hashlib.sha1(b"%s %d\x00" % (kind.encode(), size))
    seen = 0
    try:
        while not decomp.eof:
            raw = decomp.unconsumed_tail
            if not raw:
                raw = source.pread(chunk, at)
                at += len(raw)
                if not raw:
                    raise BadObjectError(f"truncated: the zlib stream ends early (in {source.name})")
            data = decomp.decompress(raw, chunk)
            if data:
                seen += len(data)
                if seen > size:
                    raise BadObjectError(f"header says {size} bytes, holds more (in {source.name})")
                sha1.update(data)
                yield data
    except zlib.error as exc:
        raise BadObjectError(f"zlib: {exc} (in {source.name})") from exc
    if seen != size:
        raise BadObjectError(f"header says {size} bytes, holds {seen} (in {source.name})")
    if object_id is not None and sha1.hexdigest() != object_id:
        raise HashMismatchError(f"content hashes to {sha1.hexdigest()}, not to its id (in {source.name})")


def read_entry(source: Source, offset: int, object_id: str | None = None) -> tuple[str, bytes]:
    """A whole-object entry, read whole and checked: ``(kind, content)``."""
    kind, _, body = open_entry(source, offset, object_id)
    return kind, b"".join(body)


def entry_size(source: Source, offset: int) -> int:
    """An entry's object size from its header (a delta's from the delta's own header)."""
    head = source.pread(_HEAD + 20, offset)
    type_num, size, pos = parse_entry_header(head)
    if not is_delta(type_num):
        return size
    if type_num == OFS_DELTA:
        while head[pos] & 0x80:
            pos += 1
        pos += 1
    else:
        pos += 20
    delta = zlib.decompressobj().decompress(source.pread(256, offset + pos), 32)
    return delta_sizes(delta)[1]  # the base's size, then the object's


# -- deltas -----------------------------------------------------------------------------------

MAX_CHAIN = 10_000  # deltas followed before a chain is judged damaged (a loop never ends)
MADE_BYTES = 64 * 1024 * 1024  # objects made from deltas kept per pack, for the next delta on their chain


class Made:
    """The last objects made from deltas in one pack (by offset), up to MADE_BYTES. Thread-safe.

    Reading a chain in pack order (the base first, as deltapack.py writes them) then applies
    each delta once: the base of the next one was the last one made."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: OrderedDict[int, tuple[int, bytes]] = OrderedDict()
        self._bytes = 0

    def get(self, offset: int) -> tuple[int, bytes] | None:
        with self._lock:
            hit = self._kept.get(offset)
            if hit is not None:
                self._kept.move_to_end(offset)
            return hit

    def put(self, offset: int, made: tuple[int, bytes]) -> None:
        if len(made[1]) > MADE_BYTES:
            return
        with self._lock:
            if offset in self._kept:
                return
            self._kept[offset] = made
            self._bytes += len(made[1])
            while self._bytes > MADE_BYTES:
                _, (_, dropped) = self._kept.popitem(last=False)
                self._bytes -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._bytes = 0


def delta_base(head: bytes, offset: int, length: int, type_num: int) -> tuple[int, bytes | int]:
    """``(where the delta's zlib stream starts, its base)`` for a delta entry's header bytes
    *head* read at *offset*: the base's binary id (ref delta) or its offset (offset delta). Pure.

    Raises:
        BadObjectError: The header is cut short, or the base's offset is not before the entry.
    """
    try:
        if type_num == REF_DELTA:
            base = head[length:length + 20]
            if len(base) != 20:
                raise IndexError
            return offset + length + 20, base
        pos = length
        byte = head[pos]
        rel = byte & 0x7F
        while byte & 0x80:
            pos += 1
            byte = head[pos]
            rel = ((rel + 1) << 7) | (byte & 0x7F)
    except IndexError as exc:
        raise BadObjectError("truncated: the pack ends inside a delta's header") from exc
    if not 0 < rel <= offset - 12:
        raise BadObjectError("a delta's base offset is outside the pack")
    return offset + pos + 1, offset - rel


def inflate_whole(source: Source, at: int, size: int) -> bytes:
    """The zlib stream at *at*, inflated whole; it must hold exactly *size* bytes."""
    decomp = zlib.decompressobj()
    out: list[bytes] = []
    seen = 0
    try:
        while not decomp.eof:
            raw = source.pread(min(CHUNK, size + 1024), at)  # a stream is at most a little larger than its bytes
            at += len(raw)
            if not raw:
                raise BadObjectError(f"truncated: the zlib stream ends early (in {source.name})")
            data = decomp.decompress(raw, size + 1 - seen)
            seen += len(data)
            if seen > size:
                raise BadObjectError(f"header says {size} bytes, holds more (in {source.name})")
            out.append(data)
            if decomp.unconsumed_tail:  # the limit stopped it: the stream holds more than size
                raise BadObjectError(f"header says {size} bytes, holds more (in {source.name})")
    except zlib.error as exc:
        raise BadObjectError(f"zlib: {exc} (in {source.name})") from exc
    if seen != size:
        raise BadObjectError(f"header says {size} bytes, holds {seen} (in {source.name})")
    return b"".join(out)


def resolve(source: Source, offset: int, lookup: Callable[[bytes], int | None],
            made: Made | None = None) -> tuple[int, bytes]:
    """``(type number, content)`` of the entry at *offset*, following deltas to a whole object
    in the same source (*lookup*: a binary id's offset there) and applying them in turn.

    The result is not checked against an id here (the caller knows the id). Every object made
    on the way is offered to *made*, and an object found there ends the walk early.

    Raises:
        BadObjectError: An entry on the chain is damaged, a base is not in this pack (git
            keeps no pack on disk whose deltas need another's objects), or the chain loops.
    """
    chain: list[tuple[int, bytes]] = []  # (offset, delta), from the entry asked for down
    seen: set[int] = set()
    at = offset
    while True:
        hit = made.get(at) if made is not None else None
        if hit is not None:
            type_num, data = hit
            break
        head = source.pread(_HEAD + 20, at)
        type_num, size, length = parse_entry_header(head)
        if not is_delta(type_num):
            data = inflate_whole(source, at + length, size)
            break
        payload, base = delta_base(head, at, length, type_num)
        if isinstance(base, bytes):
            base_at = lookup(base)
            if base_at is None:
                raise BadObjectError(f"a delta's base {base.hex()} is not in {source.name}")
        else:
            base_at = base
        if at in seen or len(chain) >= MAX_CHAIN:
            raise BadObjectError(f"a delta chain loops or is longer than {MAX_CHAIN} (in {source.name})")
        seen.add(at)
        chain.append((at, inflate_whole(source, payload, size)))
        at = base_at
    if type_num not in TYPE_NAMES:
        raise BadObjectError(f"not a pack entry (type {type_num}, in {source.name})")
    for at, delta in reversed(chain):
        data = apply_delta(data, delta)
        if made is not None:
            made.put(at, (type_num, data))
    return type_num, data


# -- one pack ---------------------------------------------------------------------------------


class PackFile:
    """One finished pack and its index, opened for reading from many threads.

    Args:
        base: The pack's path without ``.pack`` / ``.idx``.
    """

    def __init__(self, base: str) -> None:
        self.base = base
        self.path = base + ".pack"
        self.name = os.path.basename(self.path)
        self.index = load_pack_index(base + ".idx", SHA1)
        try:
            self._fd = os.open(self.path, os.O_RDONLY)
        except BaseException:
            self.index.close()
            raise
        self.mtime_ns = os.fstat(self._fd).st_mtime_ns
        self._order: tuple[list[int], list[bytes]] | None = None
        self._made = Made()

    def offset(self, raw: bytes) -> int | None:
        """Where the object with binary id *raw* starts in this pack; None if it is not here."""
        try:
            return self.index.object_offset(raw)
        except KeyError:
            return None

    def pread(self, size: int, offset: int) -> bytes:
        return os.pread(self._fd, size, offset)

    def read_delta(self, raw: bytes) -> tuple[int, bytes]:
        """``(type number, content)`` of any entry, deltas resolved (not checked against its id).

        Raises:
            BadObjectError: The object is not here, or its entry or one on its chain is damaged.
        """
        offset = self.offset(raw)
        if offset is None:
            raise BadObjectError(f"{raw.hex()} is not in {self.name}")
        return resolve(self, offset, self.offset, self._made)

    def offsets(self) -> list[tuple[int, bytes]]:
        """Every entry as ``(offset, binary id)``, in pack order (read from the .idx at once)."""
        return list(zip(*self.order(), strict=True))

    def order(self) -> tuple[list[int], list[bytes]]:
        """Every entry's offset, and its binary id, in pack order; read once, then kept."""
        if self._order is None:
            entries = sorted((offset, name) for name, offset, _ in idx_entries(self.base + ".idx"))
            self._order = [o for o, _ in entries], [n for _, n in entries]
        return self._order

    def names(self) -> set[bytes]:
        """The binary ids of every object in the pack."""
        return set(self.order()[1])

    def size(self) -> int:
        return os.fstat(self._fd).st_size

    def close(self) -> None:
        os.close(self._fd)
        self.index.close()
        self._made.clear()


def idx_entries(path: str) -> list[tuple[bytes, int, int]]:
    """``(binary id, offset, crc32)`` of every entry of a version 2 index, read in bulk.

    dulwich yields them one by one through Python calls; at 100,000 entries reading the
    tables with one ``struct.unpack`` each is ten times faster."""
    with open(path, "rb") as fh:
        data = fh.read()
    if data[:8] != b"\377tOc\x00\x00\x00\x02":
        raise BadObjectError(f"{os.path.basename(path)} is not a version 2 pack index")
    count = struct.unpack_from(">L", data, 8 + 255 * 4)[0]
    names_at = 8 + 256 * 4
    crcs_at = names_at + 20 * count
    offsets_at = crcs_at + 4 * count
    crcs = struct.unpack_from(f">{count}L", data, crcs_at)
    offsets = list(struct.unpack_from(f">{count}L", data, offsets_at))
    large_at = offsets_at + 4 * count
    for i, off in enumerate(offsets):
        if off & 0x80000000:
            offsets[i] = struct.unpack_from(">Q", data, large_at + 8 * (off & 0x7FFFFFFF))[0]
    names = [data[names_at + 20 * i: names_at + 20 * i + 20] for i in range(count)]
    return list(zip(names, offsets, crcs, strict=True))


# -- scanning a pack in order, for verify -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scanned:
    """One entry read in a scan: what it holds, or why it cannot be read."""

    object_id: str
    kind: str | None
    size: int | None
    data: bytes | None  # the content (trees, commits, tags; blobs only when asked)
    sha256: str | None
    problem: str | None  # None when sound; else the reason ("zlib: ...")
    delta: bool = False  # a delta: not read here, read it through PackFile.read_delta


def scan(pack: PackFile, wanted: set[bytes], keep_blobs: bool = False, sha256: bool = True) -> Iterator[Scanned]:
    """Read the *wanted* entries of *pack* in file order, one pass, each inflated and hashed.

    The pack is mapped, not read: entries that are not wanted are skipped. Each entry ends
    where the next begins (the pack's trailer ends the last), so an entry whose zlib stream
    stops short of that, or runs past it, is damaged. Entries larger than
    :data:`BIG_ENTRY` are inflated in chunks. This is verify's inner loop (100,000 entries
    a snapshot): small entries take a path with as few Python steps as checking allows.
    """
    offsets, names = pack.order()
    ends = offsets[1:] + [pack.size() - 20]
    with open(pack.path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        for offset, end, raw in zip(offsets, ends, names, strict=True):
            if raw not in wanted:
                continue
            if end - offset <= BIG_ENTRY:
                yield _scan_small(mapped[offset:end], raw, pack.name, keep_blobs, sha256)
            else:
                yield _scan_one(mapped, offset, end, raw.hex(), pack.name, keep_blobs, sha256)


def _scan_small(entry: bytes, raw: bytes, where: str, keep_blobs: bool, want_sha256: bool) -> Scanned:
    """One whole entry held in memory: header, inflate, SHA-1 (and sha256 of a blob)."""
    try:
        type_num, size, length = parse_entry_header(entry[:_HEAD])
        if is_delta(type_num):
            return Scanned(raw.hex(), None, None, None, None, None, delta=True)
        kind = TYPE_NAMES[type_num]
        decomp = zlib.decompressobj(0)  # the window the stream declares (small for small bodies)
        try:
            data = decomp.decompress(entry[length:])
        except zlib.error as exc:
            raise BadObjectError(f"zlib: {exc} (in {where})") from exc
        if not decomp.eof:
            raise BadObjectError(f"truncated: the zlib stream ends early (in {where})")
        if decomp.unused_data:
            raise BadObjectError(f"bytes after the end of the zlib stream (in {where})")
        if len(data) != size:
            raise BadObjectError(f"header says {size} bytes, holds {len(data)} (in {where})")
        sha1 = hashlib.sha1(b"%s %d\x00" % (kind.encode(), size))
        sha1.update(data)
        digest = hashlib.sha256(data).hexdigest() if want_sha256 and kind == "blob" else None
        keep = data if kind != "blob" or keep_blobs else None
        if sha1.digest() != raw:
            return Scanned(raw.hex(), kind, size, keep, digest,
                           f"content hashes to {sha1.hexdigest()}, not to its id (in {where})")
        return Scanned(raw.hex(), kind, size, keep, digest, None)
    except BadObjectError as exc:
        return Scanned(raw.hex(), None, None, None, None, str(exc))


def _scan_one(mapped: mmap.mmap, offset: int, end: int, object_id: str, where: str, keep_blobs: bool,
              want_sha256: bool) -> Scanned:
    """One big entry, inflated in chunks."""
    try:
        type_num, size, length = parse_entry_header(mapped[offset: offset + _HEAD])
        if is_delta(type_num):
            return Scanned(object_id, None, None, None, None, None, delta=True)
        kind = TYPE_NAMES[type_num]
        sha1 = hashlib.sha1(b"%s %d\x00" % (kind.encode(), size))
        digest = hashlib.sha256() if want_sha256 and kind == "blob" else None
        keep = kind != "blob" or keep_blobs
        kept: list[bytes] = []
        for piece in _inflate_span(mapped, offset + length, end, size, where):
            sha1.update(piece)
            if digest is not None:
                digest.update(piece)
            if keep:
                kept.append(piece)
        sha256 = digest.hexdigest() if digest is not None else None
        data = b"".join(kept) if keep else None
        if sha1.hexdigest() != object_id:
            return Scanned(object_id, kind, size, data, sha256,
                           f"content hashes to {sha1.hexdigest()}, not to its id (in {where})")
        return Scanned(object_id, kind, size, data, sha256, None)
    except BadObjectError as exc:
        return Scanned(object_id, None, None, None, None, str(exc))


def _inflate_span(mapped: mmap.mmap, start: int, end: int, size: int, where: str) -> Iterator[bytes]:
    """The inflated bytes, in chunks, of the zlib stream that must exactly fill ``[start, end)``."""
    decomp = zlib.decompressobj()
    seen, at = 0, start
    try:
        while not decomp.eof and (at < end or decomp.unconsumed_tail):
            if decomp.unconsumed_tail:
                raw = decomp.unconsumed_tail
            else:
                raw = mapped[at: min(at + CHUNK, end)]
                at += len(raw)
            piece = decomp.decompress(raw, CHUNK)
            seen += len(piece)
            if seen > size:
                raise BadObjectError(f"header says {size} bytes, holds more (in {where})")
            yield piece
    except zlib.error as exc:
        raise BadObjectError(f"zlib: {exc} (in {where})") from exc
    if not decomp.eof:
        raise BadObjectError(f"truncated: the zlib stream ends early (in {where})")
    if decomp.unused_data or decomp.unconsumed_tail or at < end:
        raise BadObjectError(f"bytes after the end of the zlib stream (in {where})")
    if seen != size:
        raise BadObjectError(f"header says {size} bytes, holds {seen} (in {where})")


# -- every pack of a repository ---------------------------------------------------------------


class PackSet:
    """The finished packs of ``objects/pack``, newest first. Thread-safe.

    The list is read once and then kept: a pack this process writes is added by its writer
    (:meth:`add`), and a lookup that finds nothing looks at the folder again when its
    mtime changed (another process, or ``git gc``, wrote or removed packs).
    """

    def __init__(self, pack_dir: str) -> None:
        self.pack_dir = pack_dir
        self._packs: tuple[PackFile, ...] = ()
        self._dropped: list[PackFile] = []
        self._lock = threading.Lock()
        self._dir_mtime: int | None = None
        _OPEN.add(self)
        self.refresh()

    @property
    def packs(self) -> tuple[PackFile, ...]:
        return self._packs

    def find(self, raw: bytes, refresh: bool = True) -> tuple[PackFile, int] | None:
        """The first copy of *raw*: ``(pack, offset)`` in the newest pack holding it."""
        for pack in self._packs:
            offset = pack.offset(raw)
            if offset is not None:
                return pack, offset
        if refresh and self.refresh():
            return self.find(raw, refresh=False)
        return None

    def find_all(self, raw: bytes, refresh: bool = True) -> list[tuple[PackFile, int]]:
        """Every copy of *raw*, newest pack first (more than one after a damaged copy was
        written again: the fresh one is newer, but mtimes can tie, so readers try each)."""
        found = [(pack, offset) for pack in self._packs if (offset := pack.offset(raw)) is not None]
        if not found and refresh and self.refresh():
            return self.find_all(raw)
        return found

    def refresh(self) -> bool:
        """Look at the folder again if it changed; whether the list changed."""
        try:
            mtime = os.stat(self.pack_dir).st_mtime_ns
        except FileNotFoundError:
            return False
        with self._lock:
            if mtime == self._dir_mtime:
                return False
            self._dir_mtime = mtime
            try:
                names = set(os.listdir(self.pack_dir))
            except FileNotFoundError:
                return False
            current = {p.base: p for p in self._packs}
            bases = {os.path.join(self.pack_dir, n[:-5]) for n in names
                     if n.endswith(".pack") and not n.startswith("tmp") and n[:-5] + ".idx" in names}
            # a pack that went away (git gc) is dropped, not closed: another thread may be reading it
            kept = [p for b, p in current.items() if b in bases]
            for base in sorted(bases - set(current)):
                try:
                    kept.append(PackFile(base))
                except (OSError, ValueError, AssertionError, BadObjectError):  # half there, or not a pack
                    continue
            changed = len(kept) != len(self._packs) or set(kept) != set(self._packs)
            self._packs = tuple(sorted(kept, key=lambda p: p.mtime_ns, reverse=True))
            return changed

    def add(self, base: str) -> PackFile:
        """Register a pack this process just finished; it is the newest.

        A pack of the same name may be listed already: the same objects, written the same
        way, have the same checksum, so a body written again over a damaged single-object
        pack replaces that file. The old entry's descriptor still reads the old file, so it
        is replaced too (and not closed: another thread may be reading through it).
        """
        pack = PackFile(base)
        with self._lock:
            self._packs = (pack, *(p for p in self._packs if p.base != base))
        return pack

    def drop(self, base: str) -> None:
        """Forget a pack that is being removed (a documents pack folded into a new one). It is
        closed with the set, not now: another thread may be reading through it."""
        with self._lock:
            self._dropped += [p for p in self._packs if p.base == base]
            self._packs = tuple(p for p in self._packs if p.base != base)

    def close(self) -> None:
        with self._lock:
            for pack in (*self._packs, *self._dropped):
                pack.close()
            self._packs = ()
            self._dropped = []
            self._dir_mtime = None


_OPEN: weakref.WeakSet[PackSet] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    """Close every pack set still open when the interpreter exits (a command that never closed
    its store): dulwich's index objects, left to the garbage collector during shutdown, would
    print an ignored-exception traceback."""
    for packs in list(_OPEN):
        packs.close()
