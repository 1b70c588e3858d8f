"""Loose git objects, streamed both ways with bounded memory, and checked on the way out.

dulwich builds a whole object in memory before writing it; a 1 GiB S3 object
must not be. A loose object is ``zlib("<kind> <size>\\0" + body)`` stored under the
SHA-1 of the uncompressed bytes, so given the size up front we can hash, hash again
(sha256 for the manifest) and compress chunk by chunk, then rename into place atomically.

Reading streams the same way and checks everything git would: that the zlib stream
is whole and valid, the header well formed, the size as announced, nothing trailing,
and that the bytes hash to the object's id. A damaged object raises
:class:`BadObjectError`, at the latest after its last chunk.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import tempfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

# git reads any zlib level. Level 1 for text-like bodies; level 0 (stored blocks) for bodies
# that do not compress (images, archives), where level 1 costs ~10x the time for nothing.
COMPRESSION = 1
SAMPLE = 64 * 1024
INCOMPRESSIBLE = 0.9  # compressed/original ratio of the first chunk above which we store
CHUNK = 1024 * 1024
TEMP_PREFIX = "tmp_obj_"  # what a killed writer leaves in objects/ (SnapshotStore.lock sweeps it)
KINDS = ("blob", "tree", "commit", "tag")
_HEADER = re.compile(rb"(blob|tree|commit|tag) (0|[1-9][0-9]{0,18})")
_MAX_HEADER = 32  # "commit " + 19 digits, with room to spare


def choose_level(first_chunk: bytes) -> int:
    """Deflate level for a body, judged by a trial compression of its first bytes. Pure."""
    sample = first_chunk[:SAMPLE]
    if len(sample) < 4096:
        return COMPRESSION
    return 0 if len(zlib.compress(sample, 1)) > INCOMPRESSIBLE * len(sample) else COMPRESSION


class SizeMismatchError(ValueError):
    """The stream yielded a different number of bytes than announced."""


class BadObjectError(ValueError):
    """A loose object's bytes are not the object its name promises; the message says why."""


class HashMismatchError(BadObjectError):
    """The object is whole and readable, but its bytes hash to another id."""


def git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


def object_path(objects_dir: Path, object_id: str) -> Path:
    return objects_dir / object_id[:2] / object_id[2:]


def write_stream(objects_dir: Path, size: int, chunks: Iterable[bytes],
                 keep_existing: Callable[[str], bool] | None = None,
                 stored: Callable[[Path, bool], None] | None = None) -> tuple[str, str]:
    """Write a blob of *size* bytes from *chunks*; return ``(git blob id, sha256 hex)``.

    When the object already exists, it is kept if ``keep_existing(blob_id)`` says so (by
    default always); otherwise the fresh copy replaces it, so a damaged file is repaired
    by writing the same body again.

    Nothing is fsynced here (that would cost one sync per body in the hot path): *stored*
    is told ``(object path, whether this call wrote it)`` so the caller can flush it once,
    before a ref names it (durable.py).
    """
    header = b"blob %d\x00" % size
    sha1 = hashlib.sha1(header)
    sha256 = hashlib.sha256()
    stream = iter(chunks)
    first = next(stream, b"")
    comp = zlib.compressobj(choose_level(first))
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=objects_dir)
    seen = 0
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(comp.compress(header))
            for chunk in itertools.chain((first,), stream):
                seen += len(chunk)
                sha1.update(chunk)
                sha256.update(chunk)
                out.write(comp.compress(chunk))
            out.write(comp.flush())
        if seen != size:
            raise SizeMismatchError(f"expected {size} bytes, got {seen}")
        blob_id = sha1.hexdigest()
        final = object_path(objects_dir, blob_id)
        wrote = not (final.exists() and (keep_existing is None or keep_existing(blob_id)))
        if wrote:
            final.parent.mkdir(exist_ok=True)
            os.chmod(tmp, 0o444)
            os.replace(tmp, final)  # atomic; a reader with the old file open keeps reading it
        else:
            os.unlink(tmp)
        if stored is not None:
            stored(final, wrote)
        return blob_id, sha256.hexdigest()
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def open_object(path: Path, object_id: str | None = None, chunk: int = CHUNK) -> tuple[str, int, Iterator[bytes]]:
    """Open a loose object: ``(kind, size, body chunks)``.

    The header is read and checked at once; the body is inflated chunk by chunk as it is
    consumed (at most *chunk* bytes in memory), and the whole object is checked once the
    last chunk is out: the zlib stream must end, nothing may follow it, the size must be
    the header's, and, given *object_id*, the bytes must hash to it.

    Raises:
        FileNotFoundError: There is no such file.
        OSError: The file cannot be read.
        BadObjectError: The object is damaged (from here, or from the iterator).
    """
    body = _inflate(path, object_id, chunk)
    kind, size = next(body)  # type: ignore[misc]  (the first item is the header)
    return kind, size, body  # type: ignore[return-value]


def read_object(path: Path, object_id: str | None = None) -> tuple[str, bytes]:
    """A whole loose object, checked: ``(kind, body)``."""
    kind, _, body = open_object(path, object_id)
    return kind, b"".join(body)


def read_stream(path: Path, chunk: int = CHUNK, object_id: str | None = None) -> Iterator[bytes]:
    """The body of a loose object, decompressed chunk by chunk (header stripped), checked."""
    _, _, body = open_object(path, object_id, chunk)
    yield from body


def _inflate(path: Path, object_id: str | None, chunk: int) -> Iterator[object]:
    """Yield ``(kind, size)`` once, then the body's chunks; check the object at the end."""
    decomp = zlib.decompressobj()
    sha1 = hashlib.sha1()
    with open(path, "rb") as fh:
        try:
            pending = _header_bytes(fh, decomp, chunk)
            nul = pending.index(b"\x00")
            match = _HEADER.fullmatch(pending[:nul])
            if match is None:
                raise BadObjectError("not a git object header")
            kind, size = match.group(1).decode(), int(match.group(2))
            sha1.update(pending[: nul + 1])
            yield kind, size
            seen = 0
            data = pending[nul + 1 :]
            while True:
                if data:
                    seen += len(data)
                    if seen > size:
                        raise BadObjectError(f"header says {size} bytes, holds more")
                    sha1.update(data)
                    yield data
                if decomp.eof:
                    break
                data = _more(fh, decomp, chunk)
        except zlib.error as exc:
            raise BadObjectError(f"zlib: {exc}") from exc
        if decomp.unused_data or fh.read(1):
            raise BadObjectError("bytes after the end of the zlib stream")
    if seen != size:
        raise BadObjectError(f"header says {size} bytes, holds {seen}")
    if object_id is not None and sha1.hexdigest() != object_id:
        raise HashMismatchError(f"content hashes to {sha1.hexdigest()}, not to its id")


def _header_bytes(fh, decomp, chunk: int) -> bytes:
    """Inflate until the header's NUL is out (a header is a few dozen bytes)."""
    out = b""
    while b"\x00" not in out:
        if len(out) > _MAX_HEADER or decomp.eof:
            raise BadObjectError("not a git object header")
        out += _more(fh, decomp, chunk)
    return out


def _more(fh, decomp, chunk: int) -> bytes:
    """The next inflated bytes (at most *chunk*); raises if the stream ends before zlib's end.

    Input zlib has not consumed yet goes first; at the end of the file, zlib may still hold
    output, so an empty read is only "truncated" once zlib has nothing more to give.
    """
    raw = decomp.unconsumed_tail or fh.read(chunk)
    data = decomp.decompress(raw, chunk)
    if not raw and not data and not decomp.eof:
        raise BadObjectError("truncated: the zlib stream ends early")
    return data
