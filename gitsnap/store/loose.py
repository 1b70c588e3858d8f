"""Streaming writer for loose git blobs, with bounded memory.

dulwich builds a whole object in memory before writing it; a 1 GiB S3 object
must not be. A loose object is ``zlib("blob <size>\\0" + body)`` stored under its
SHA-1, so given the size up front we can hash, hash again (sha256 for the
manifest) and compress chunk by chunk, then rename into place atomically.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

# git reads any zlib level. Level 1 for text-like bodies; level 0 (stored blocks) for bodies
# that do not compress (images, archives), where level 1 costs ~10x the time for nothing.
COMPRESSION = 1
SAMPLE = 64 * 1024
INCOMPRESSIBLE = 0.9  # compressed/original ratio of the first chunk above which we store


def choose_level(first_chunk: bytes) -> int:
    """Deflate level for a body, judged by a trial compression of its first bytes. Pure."""
    sample = first_chunk[:SAMPLE]
    if len(sample) < 4096:
        return COMPRESSION
    return 0 if len(zlib.compress(sample, 1)) > INCOMPRESSIBLE * len(sample) else COMPRESSION


class SizeMismatchError(ValueError):
    """The stream yielded a different number of bytes than announced."""


def git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


def write_stream(objects_dir: Path, size: int, chunks: Iterable[bytes]) -> tuple[str, str]:
    """Write a blob of *size* bytes from *chunks*; return ``(git blob id, sha256 hex)``."""
    header = b"blob %d\x00" % size
    sha1 = hashlib.sha1(header)
    sha256 = hashlib.sha256()
    stream = iter(chunks)
    first = next(stream, b"")
    comp = zlib.compressobj(choose_level(first))
    fd, tmp = tempfile.mkstemp(prefix="tmp_obj_", dir=objects_dir)
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
        final = objects_dir / blob_id[:2] / blob_id[2:]
        if final.exists():
            os.unlink(tmp)
        else:
            final.parent.mkdir(exist_ok=True)
            os.chmod(tmp, 0o444)
            os.replace(tmp, final)
        return blob_id, sha256.hexdigest()
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read_stream(path: Path, chunk: int = 1024 * 1024) -> Iterator[bytes]:
    """The body of a loose blob, decompressed chunk by chunk (header stripped)."""
    decomp = zlib.decompressobj()
    header_done = False
    with open(path, "rb") as fh:
        while True:
            raw = fh.read(chunk)
            data = decomp.decompress(raw) if raw else decomp.flush()
            if not header_done:
                nul = data.find(b"\x00")
                if nul < 0:
                    raise ValueError(f"{path}: not a loose git object")
                data = data[nul + 1 :]
                header_done = True
            if data:
                yield data
            if not raw:
                return
