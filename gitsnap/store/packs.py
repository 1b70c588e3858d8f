"""Bodies into pack files: a capture of 100,000 objects leaves a few packs, not 100,000 files.

What is written: version 2 packs with a version 2 ``.idx`` (dulwich writes the index and the
entry headers). A body's entry is one whole object as one zlib stream, so a packed body
streams back with bounded memory (packread.py), and the repository is the compressed bodies
plus a few bytes per entry, without ``git gc``.

How a body gets there (:meth:`PackWriter.write_stream`), in one pass over its bytes: git's
SHA-1 and the sha256 are computed together while it is deflated (level 0 for bodies that do
not compress, loose.choose_level). Then:

- **Small bodies** (up to :data:`SMALL_MAX`, 8 MiB: the size below which the secret scan
  holds a body in memory anyway) are compressed in memory by the calling thread, outside
  any lock (zlib and hashlib release the GIL), and appended to the one shared open pack
  under a short lock: one ``pwrite``, no temporary file, no fsync of their own.
- **Big bodies** stream into a pack of their own whose object count (one) is known up
  front, so the pack's checksum is computed as it is written and memory stays bounded for
  any size. Finished at once (one fsync per body of more than 8 MiB is noise).

Documents, trees, commits and tags stay loose objects (repo.py): a few hundred per capture.
Big text documents (a bucket's ``objects.jsonl``, the manifest: over
deltapack.DOCUMENT_MIN) are the exception: :meth:`PackWriter.write_document` appends them
whole to a pack of their own, which :meth:`PackWriter.flush` folds with the previous
documents pack into a new one, the previous versions stored as deltas (deltapack.py). That
pack holds deltas; bodies never do, so a body still streams back with bounded memory.

The shared pack's object count is not known until it is finished, so its header is written
with a count of 0 and rewritten when it is finished, and its trailer (the SHA-1 of all the
bytes before it) is then computed by reading the file back once, from the page cache: what
``git fast-import`` does. The alternative, holding a batch in memory until its count is
known, would put up to a pack's worth of bodies in the process's memory; re-hashing costs
about a second per GiB and no memory.

Finishing a pack (:meth:`PackWriter.flush`, called before every ref move, and whenever the
shared pack passes :data:`ROLL_BYTES`): header, trailer, fsync, rename to
``pack-<checksum>.pack``, the ``.idx`` written to a temporary file, fsynced and renamed,
then the folder fsynced. The ``.pack`` is renamed before the ``.idx`` (git's order: a pack
is only used once its index exists), and nothing is under a final name before it is whole
and on disk. A killed capture leaves only ``objects/pack/tmp_gitsnap_*`` files, which the
next capture's sweep removes (sweep.py).

Until it is finished, what was appended to a pack is readable (:meth:`PackWriter.find`):
the store's readers look here first, so a body written in this run is read back, checked
as sound, or deduplicated before its pack is finished.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import logging
import os
import queue
import struct
import tempfile
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from dulwich.object_format import SHA1
from dulwich.pack import pack_header_chunks, pack_object_header, write_pack_index_v2

from . import deltapack, durable
from .loose import BadObjectError, SizeMismatchError, choose_level, git_blob_id
from .packread import PackFile, PackSet

log = logging.getLogger(__name__)

SMALL_MAX = 8 * 1024 * 1024  # larger bodies stream into a pack of their own
ROLL_BYTES = 1024 * 1024 * 1024  # the shared pack is finished once it is this large
TEMP_PREFIX = "tmp_gitsnap_"  # objects/pack/tmp_gitsnap_*.pack / .idx: what a killed writer leaves
_WRITE_BUFFER = 1024 * 1024
SMALL_WINDOW = 64 * 1024  # bodies up to this size get a deflate state sized to them
_HASH_BEHIND = 8  # chunks (of about 1 MiB) the side hashing thread may lag behind
_SYNC_BEHIND = 64 * 1024 * 1024  # a big body's pack is synced behind the writer every this many bytes


class StoredDeflate:
    """A zlib stream of stored (uncompressed) deflate blocks, for bodies that do not compress.

    Same interface as ``zlib.compressobj`` (``compress``, ``flush``). zlib's own level 0
    costs about 2.5 s of CPU per GiB here (it still runs its block machinery over 64 KiB
    windows); framing the bytes ourselves costs an adler32 and a copy, about 0.2 s per GiB,
    and gives a stream every inflater reads (RFC 1950/1951: header ``78 01``, blocks of at
    most 65,535 bytes with their length and its complement, an empty final block, adler32).
    """

    _HEADER = b"\x78\x01"  # deflate, 32 KiB window, no dictionary, fastest; (0x7801 % 31 == 0)
    _BLOCK = 65535

    def __init__(self) -> None:
        self._adler = 1
        self._started = False

    def compress(self, data: bytes) -> bytes:
        view = memoryview(data)
        self._adler = zlib.adler32(view, self._adler)
        parts: list[bytes | memoryview] = []
        if not self._started:
            parts.append(self._HEADER)
            self._started = True
        for start in range(0, len(view), self._BLOCK):
            block = view[start:start + self._BLOCK]
            parts.append(struct.pack("<BHH", 0, len(block), len(block) ^ 0xFFFF))
            parts.append(block)
        return b"".join(parts)

    def flush(self) -> bytes:
        head = b"" if self._started else self._HEADER
        self._started = True
        return head + struct.pack("<BHH", 1, 0, 0xFFFF) + struct.pack(">I", self._adler)


def _exactly(chunks: Iterable[bytes], size: int) -> tuple[bytes, Iterator[bytes]]:
    """The first chunk (its bytes choose the compression level), and every chunk, the first
    included, checked to add up to *size*.

    Raises (while iterating):
        SizeMismatchError: The chunks held fewer or more bytes than *size*.
    """
    stream = iter(chunks)
    first = next(stream, b"")

    def counted() -> Iterator[bytes]:
        seen = 0
        for chunk in itertools.chain((first,), stream):
            seen += len(chunk)
            if seen > size:
                raise SizeMismatchError(f"expected {size} bytes, got more")
            yield chunk
        if seen != size:
            raise SizeMismatchError(f"expected {size} bytes, got {seen}")

    return first, counted()


def compressor(level: int, size: int):  # -> zlib.Compress | StoredDeflate
    """A deflate stream for a body of *size* bytes. Pure.

    Level 0 (bodies that do not compress) is :class:`StoredDeflate`. zlib's default state (a
    32 KiB window, a 64 Ki-entry hash table) costs more to set up than deflating a 1 KiB
    body does; a window just larger than the body and a smaller table give the same bytes
    (matches cannot reach further back than the body's start), measured at a quarter to a
    half of the CPU per small body. Any window inflates.
    """
    if level == 0:
        return StoredDeflate()
    if size > SMALL_WINDOW:
        return zlib.compressobj(level)
    return zlib.compressobj(level, zlib.DEFLATED, max(9, min(15, (size + 262).bit_length())), 4)


def _entry_header(type_num: int, size: int) -> bytes:
    return bytes(pack_object_header(type_num, None, size, object_format=SHA1))


def _write_all(fd: int, data: bytes | memoryview, offset: int) -> None:
    view = memoryview(data)
    while view:
        done = os.pwrite(fd, view, offset)
        view, offset = view[done:], offset + done


class _OpenPack:
    """A pack being written: a temporary file, its entries so far, readable while written."""

    def __init__(self, pack_dir: str, count: int = 0) -> None:
        os.makedirs(pack_dir, exist_ok=True)
        fd, self.path = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".pack", dir=pack_dir)
        self.fd = fd
        self.name = os.path.basename(self.path)
        self.entries: list[tuple[bytes, int, int]] = []  # (binary id, offset, crc32)
        self.syncing: threading.Thread | None = None  # a write-behind sync (big bodies)
        self.header = b"".join(pack_header_chunks(count))
        _write_all(fd, self.header, 0)
        self.end = len(self.header)

    def pread(self, size: int, offset: int) -> bytes:
        return os.pread(self.fd, size, offset)

    def append(self, raw: bytes, entry: bytes, crc: int) -> int:
        offset = self.end
        _write_all(self.fd, entry, offset)
        self.end += len(entry)
        self.entries.append((raw, offset, crc))
        return offset

    def wait_sync(self) -> None:
        """Wait for a write-behind sync still running on this pack's descriptor."""
        if self.syncing is not None:
            self.syncing.join()

    def discard(self) -> None:
        self.wait_sync()
        with contextlib.suppress(OSError):
            os.close(self.fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


def _sync_behind(fd: int) -> None:
    """Start the disk on what is written so far; the fsync when finishing is what counts."""
    with contextlib.suppress(OSError):
        os.fdatasync(fd)


class _Hashing:
    """Runs hash updates in order on a thread of its own, a few chunks behind the caller.

    At most :data:`_HASH_BEHIND` chunks wait, so memory stays bounded. An exception in an
    update is raised by the next ``run`` or by ``close``.
    """

    def __init__(self) -> None:
        self._todo: queue.Queue = queue.Queue(_HASH_BEHIND)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="gitsnap-hash", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while True:
            item = self._todo.get()
            if item is None:
                return
            fn, data = item
            if self._error is None:
                try:
                    fn(data)
                except BaseException as exc:  # noqa: BLE001 (handed to the writer's thread)
                    self._error = exc

    def run(self, fn: Callable[[Any], None], data: Any) -> None:
        if self._error is not None:
            raise self._error
        self._todo.put((fn, data))

    def close(self, wait: bool = True) -> None:
        """Wait for every update queued (with *wait*), and stop the thread."""
        if not self._thread.is_alive():
            return
        if not wait:
            self._error = self._error or RuntimeError("abandoned")
        self._todo.put(None)
        self._thread.join()
        if wait and self._error is not None:
            raise self._error


class PackWriter:
    """Writes objects into packs under ``objects/pack``. Thread-safe.

    Args:
        pack_dir: ``objects/pack``.
        packs: The store's pack list: a finished pack is added to it.
        sealed: Told of every pack finished by this writer (the store remembers it as sound:
            every entry was hashed as it was written).
        documents: The list of documents packs (deltapack.LIST); None: documents are not
            folded (each capture's stay in a pack of their own).
        trusted: Whether a finished pack is known sound (a documents pack folded from one
            that is not is read whole first).
    """

    def __init__(self, pack_dir: Path, packs: PackSet, sealed: Callable[[PackFile], None],
                 documents: Path | None = None, trusted: Callable[[PackFile], bool] | None = None) -> None:
        self.pack_dir = str(pack_dir)
        self._packs = packs
        self._sealed = sealed
        self._documents = documents
        self._trusted = trusted or (lambda pack: False)
        self._docs: _OpenPack | None = None  # this capture's big documents, whole (deltapack.py)
        self._pairs: dict[bytes, bytes] = {}  # new document -> the previous version at its path
        self._held: dict[bytes, bytes] = {}  # new document -> its bytes (the caller's, not a copy)
        self._lock = threading.Lock()  # the shared pack and the entries index
        self._open: _OpenPack | None = None
        self._entries: dict[bytes, tuple[_OpenPack, int]] = {}  # what is not in a finished pack yet
        self._finishing = 0  # packs being finished by a thread that rolled them over
        self._finished = threading.Condition(self._lock)
        self._errors: list[OSError] = []  # a rolled-over pack that could not be finished
        self._retired: list[int] = []  # descriptors of finished packs, closed by close()

    # -- reading what is not finished yet --------------------------------------------------

    def find(self, raw: bytes) -> tuple[_OpenPack, int] | None:
        """Where an object written by this writer, in a pack not finished yet, is."""
        return self._entries.get(raw)  # a dict read is atomic; entries are added after their bytes

    # -- writing ---------------------------------------------------------------------------

    def write_stream(self, size: int, chunks: Iterable[bytes],
                     keep_existing: Callable[[str], bool]) -> tuple[str, str]:
        """Write a blob of *size* bytes from *chunks*; ``(git blob id, sha256 hex)``.

        ``keep_existing(blob_id)`` says whether a copy already stored can be kept (it is known
        sound); if not, this copy is written, and readers get it from then on.

        Raises:
            SizeMismatchError: The chunks held another number of bytes than *size*; nothing
                was written.
        """
        if size > SMALL_MAX:
            return self._write_big(size, chunks, keep_existing)
        sha1 = hashlib.sha1(b"blob %d\x00" % size)
        sha256 = hashlib.sha256()
        first, body = _exactly(chunks, size)
        comp = compressor(choose_level(first), size)
        pieces = [_entry_header(3, size)]
        for chunk in body:
            sha1.update(chunk)
            sha256.update(chunk)
            pieces.append(comp.compress(chunk))
        pieces.append(comp.flush())
        blob_id = sha1.hexdigest()
        if not keep_existing(blob_id):
            self._append(bytes.fromhex(blob_id), b"".join(pieces))
        return blob_id, sha256.hexdigest()

    def write_document(self, data: bytes, keep_existing: Callable[[str], bool]) -> str:
        """Append a big document, whole, to this capture's documents pack; its blob id.

        Readable at once (:meth:`find`); folded with the previous documents when flushed."""
        blob_id = git_blob_id(data)
        if keep_existing(blob_id):
            return blob_id
        raw = bytes.fromhex(blob_id)
        entry = deltapack.whole_entry(data)  # compressed outside the lock
        with self._lock:
            if raw in self._entries:
                return blob_id
            if self._docs is None:
                self._docs = _OpenPack(self.pack_dir)
            offset = self._docs.append(raw, entry, zlib.crc32(entry))
            self._entries[raw] = (self._docs, offset)
            self._held[raw] = data  # the delta base when flushed: not inflated again
        return blob_id

    def is_document(self, blob_id: str) -> bool:
        """Whether *blob_id* is a document this capture wrote (not flushed yet)."""
        found = self._entries.get(bytes.fromhex(blob_id))
        return found is not None and found[0] is self._docs

    def pair_document(self, blob_id: str, previous: str) -> None:
        """*previous* is the version of document *blob_id* at the same path in the snapshot
        before: when flushed, it is stored as a delta against *blob_id* (deltapack.py)."""
        if blob_id != previous:
            with self._lock:
                self._pairs.setdefault(bytes.fromhex(blob_id), bytes.fromhex(previous))

    def _append(self, raw: bytes, entry: bytes) -> None:
        crc = zlib.crc32(entry)
        rolled = None
        with self._lock:
            if raw in self._entries:  # another thread wrote it meanwhile: never twice in one pack
                return
            if self._open is None:
                self._open = _OpenPack(self.pack_dir)
            pack = self._open
            offset = pack.append(raw, entry, crc)
            self._entries[raw] = (pack, offset)
            if pack.end >= ROLL_BYTES:
                rolled, self._open = pack, None
                self._finishing += 1
        if rolled is not None:
            self._finish_rolled(rolled)

    def _finish_rolled(self, pack: _OpenPack) -> None:
        """Finish a pack that passed ROLL_BYTES, outside the lock: other writers go on."""
        try:
            self._finish(pack)
        except OSError as exc:  # told again by flush(), before any ref can name its objects
            log.warning("cannot finish %s: %s", pack.path, exc)
            with self._lock:
                self._errors.append(exc)
        finally:
            with self._lock:
                self._finishing -= 1
                self._finished.notify_all()

    def _write_big(self, size: int, chunks: Iterable[bytes],
                   keep_existing: Callable[[str], bool]) -> tuple[str, str]:
        """A body larger than SMALL_MAX: streamed into a one-object pack, checksum on the way.

        Four hashes run over a big body (git's SHA-1 and the sha256 of its bytes, the pack's
        SHA-1 and the entry's CRC32 of what is written); in one thread they are most of the
        time a 1 GiB body takes. The sha256 and the pack's two run on a second thread
        (:class:`_Hashing`; hashlib and zlib release the GIL), so the two cores share them.
        """
        pack = _OpenPack(self.pack_dir, count=1)
        side = _Hashing()
        try:
            pack_sha = hashlib.sha1(pack.header)
            sha1 = hashlib.sha1(b"blob %d\x00" % size)
            sha256 = hashlib.sha256()
            crc = [0]

            def written(data: bytes) -> None:
                pack_sha.update(data)
                crc[0] = zlib.crc32(data, crc[0])

            out = bytearray(_entry_header(3, size))  # hashed and summed with the first bytes out
            first, body = _exactly(chunks, size)
            comp = compressor(choose_level(first), size)
            for chunk in body:
                sha1.update(chunk)
                side.run(sha256.update, chunk)
                out += comp.compress(chunk)
                if len(out) >= _WRITE_BUFFER:
                    out = self._spill(pack, out, side, written)
            out += comp.flush()
            self._spill(pack, out, side, written)
            side.close()
            blob_id = sha1.hexdigest()
            if keep_existing(blob_id):
                pack.discard()
                return blob_id, sha256.hexdigest()
            pack.entries.append((bytes.fromhex(blob_id), len(pack.header), crc[0] & 0xFFFFFFFF))
            self._finish(pack, pack_sha.digest())
            return blob_id, sha256.hexdigest()
        except BaseException:
            side.close(wait=False)
            pack.discard()
            raise

    @staticmethod
    def _spill(pack: _OpenPack, out: bytearray, side: _Hashing, written: Callable[[bytes], None]) -> bytearray:
        """Write *out* at the pack's end, hash it on the side; a fresh buffer to fill next.

        Every :data:`_SYNC_BEHIND` bytes the pack is synced on the side as well (write-behind):
        a 1 GiB pack then reaches the disk while it is written, and the fsync that finishing
        needs before a ref may name it waits for the last stretch only, not for the whole.
        """
        data = bytes(out)
        _write_all(pack.fd, data, pack.end)
        before, pack.end = pack.end, pack.end + len(data)
        side.run(written, data)
        if before // _SYNC_BEHIND != pack.end // _SYNC_BEHIND and (pack.syncing is None or not pack.syncing.is_alive()):
            pack.syncing = threading.Thread(target=_sync_behind, args=(pack.fd,), daemon=True)
            pack.syncing.start()
        return bytearray()

    # -- finishing -------------------------------------------------------------------------

    def flush(self) -> int:
        """Finish the shared pack (and wait for any being finished); how many packs were.

        Raises:
            durable.FlushError: A pack could not be finished; no ref may name its objects.
        """
        with self._lock:
            pack, self._open = self._open, None
            while self._finishing:
                self._finished.wait()
            errors, self._errors = self._errors, []
        if errors:
            raise durable.FlushError(errors[0].errno, f"cannot finish a pack: {errors[0].strerror or errors[0]}")
        done = self._flush_documents()
        if pack is None:
            return done
        try:
            self._finish(pack)
        except OSError as exc:
            with self._lock:  # put it back: its entries stay readable, a later flush tries again
                if self._open is None:
                    self._open = pack
            raise durable.FlushError(exc.errno, f"cannot finish {pack.path}: {exc.strerror or exc}") from exc
        return done + 1

    def _flush_documents(self) -> int:
        """Fold this capture's documents and the documents packs listed into one new pack,
        finished; then list it and remove the packs folded into it (deltapack.py).

        An old pack that cannot be folded (damaged) is left as it is and stays listed; the
        new documents are then finished as a pack of their own."""
        with self._lock:
            docs, self._docs = self._docs, None
            pairs, self._pairs = self._pairs, {}
            held, self._held = self._held, {}
        if docs is None:
            return 0
        listed = deltapack.read_list(self._documents) if self._documents is not None else []
        olds = [p for p in self._packs.packs if os.path.basename(p.base) in listed]
        target: _OpenPack | None = None
        try:
            try:
                target = _OpenPack(self.pack_dir)
                deltapack.fold(target, docs, olds, pairs, self._trusted, held)
                folded = olds
            except (BadObjectError, OSError) as exc:  # damaged or unreadable: nothing is lost by not folding
                log.warning("documents packs left as they are, not folded: %s", exc)
                if target is not None:
                    target.discard()
                target, folded = docs, []
            finished = self._finish(target)
        except OSError as exc:
            if target is not None and target is not docs:
                target.discard()
            with self._lock:  # put it back: its entries stay readable, a later flush tries again
                if self._docs is None:
                    self._docs, self._pairs, self._held = docs, {**pairs, **self._pairs}, {**held, **self._held}
            raise durable.FlushError(exc.errno, f"cannot finish the documents pack: {exc.strerror or exc}") from exc
        if target is not docs:
            self._retire(docs)
        if self._documents is not None:
            kept = [name for name in listed if name not in {os.path.basename(p.base) for p in folded}]
            try:
                deltapack.write_list(self._documents, [os.path.basename(finished.base), *kept])
            except OSError as exc:  # the new pack is whole and readable; the old ones stay
                log.warning("cannot update %s (%s): the documents packs stay as they are", self._documents, exc)
                return 1
            self._remove(folded)
        return 1

    def _retire(self, docs: _OpenPack) -> None:
        """Drop the pack this capture's documents were appended to, once they are in a
        finished pack (readers now find them there); its descriptor is closed by close()."""
        with self._lock:
            for raw, _, _ in docs.entries:
                if self._entries.get(raw, (None,))[0] is docs:
                    del self._entries[raw]
            self._retired.append(docs.fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(docs.path)

    def _remove(self, packs: list[PackFile]) -> None:
        """Remove documents packs folded into a finished, listed one (index first: a pack
        without its index is never read, by git or here)."""
        for pack in packs:
            self._packs.drop(pack.base)
            for ext in (".idx", ".pack"):
                try:
                    os.unlink(pack.base + ext)
                except FileNotFoundError:
                    continue
                except OSError as exc:  # a duplicate left behind costs space, not correctness
                    log.warning("cannot remove %s%s: %s", pack.base, ext, exc)
                    break
        if packs:
            with contextlib.suppress(OSError):
                durable.fsync_path(self.pack_dir)

    def _finish(self, pack: _OpenPack, checksum: bytes | None = None) -> PackFile:
        """Header, trailer, fsync, rename; the index likewise; the folder fsynced; registered."""
        if checksum is None:
            _write_all(pack.fd, b"".join(pack_header_chunks(len(pack.entries))), 0)
            checksum = _rehash(pack.fd, pack.end)
        _write_all(pack.fd, checksum, pack.end)
        pack.wait_sync()
        os.fsync(pack.fd)
        # the descriptor stays open (closed by close()): a reader may still be reading an entry
        # through it, and a closed number can be reused by another file at once
        with self._lock:
            self._retired.append(pack.fd)
        base = os.path.join(self.pack_dir, f"pack-{checksum.hex()}")
        os.chmod(pack.path, 0o444)
        os.replace(pack.path, base + ".pack")
        fd, idx_tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".idx", dir=self.pack_dir)
        try:
            with os.fdopen(fd, "wb") as fh:
                write_pack_index_v2(fh, sorted(pack.entries), checksum)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(idx_tmp, 0o444)
            os.replace(idx_tmp, base + ".idx")
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(idx_tmp)
            raise
        durable.fsync_path(self.pack_dir)
        durable.full_sync(self.pack_dir)
        registered = self._packs.add(base)
        with self._lock:
            for raw, _, _ in pack.entries:
                if self._entries.get(raw, (None,))[0] is pack:
                    del self._entries[raw]
        self._sealed(registered)
        return registered

    def abandon(self) -> None:
        """Drop the shared pack and the documents unfinished: no ref names what they hold (a
        failed capture)."""
        with self._lock:
            pack, self._open = self._open, None
            docs, self._docs = self._docs, None
            self._pairs, self._held = {}, {}
            for dropped in (pack, docs):
                if dropped is not None:
                    for raw, _, _ in dropped.entries:
                        self._entries.pop(raw, None)
        for dropped in (pack, docs):
            if dropped is not None:
                dropped.discard()

    def close(self) -> None:
        """:meth:`abandon`, and close the descriptors of finished packs."""
        self.abandon()
        with self._lock:
            retired, self._retired = self._retired, []
        for fd in retired:
            with contextlib.suppress(OSError):
                os.close(fd)


def _rehash(fd: int, end: int) -> bytes:
    """SHA-1 of the first *end* bytes of a file, read back (from the page cache)."""
    sha = hashlib.sha1()
    at = 0
    while at < end:
        data = os.pread(fd, min(8 * 1024 * 1024, end - at), at)
        if not data:
            raise OSError(f"pack file shorter than written ({at} of {end} bytes)")
        sha.update(data)
        at += len(data)
    return sha.digest()
