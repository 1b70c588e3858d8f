"""Big S3 objects: ranged GETs in parallel, fed in order into the one pass that checks and stores.

One GET stream of a 1 GiB object runs at one connection's speed. Above :data:`RANGED_MIN`
an object is read as :data:`PART_SIZE` ranges, :data:`IN_FLIGHT` at a time, and the parts are
handed to the store in order as they complete, so memory holds at most ``IN_FLIGHT + 2``
parts whatever the object's size.

What is checked:

- **before**: one HeadObject (``ChecksumMode`` ENABLED) gives the ETag, the length and the
  service's full-object checksum, if any;
- **every part**: a 206 answer whose ``Content-Range`` is exactly the range asked, of the
  object's length, with as many bytes as it says; each part is asked ``If-Match`` the ETag,
  so an object replaced while it is read fails instead of mixing two versions. A part that
  comes back short or damaged is asked again (:data:`PART_TRIES` times);
- **the whole**: the length, and the strongest full-object check the HEAD allows
  (:func:`.s3checksums.body_check`: a full-object SHA/CRC checksum, else the ETag when it is
  the MD5 of a single-part upload). A multipart ETag (``md5-of-md5s-N``) and a composite
  checksum cover the upload's parts, whose boundaries a range read does not know: such a
  body is checked part by part and by length, not as a whole.

A failure raises :class:`~.s3checksums.BodyMismatch`: the caller fetches the body again, and
nothing of a failed read is stored (the store's ``add_stream`` only finishes an object once
the check after the last part has passed).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import botocore.exceptions as bx

from .clients import error_code
from .s3checksums import BodyCheck, BodyMismatch, body_check, judge

if TYPE_CHECKING:
    from ...layout import ObjectEntry
    from ..context import UnitContext
    from ..spec import Raw
    from .s3objects import BucketReads

RANGED_MIN = 64 * 1024 * 1024  # bodies larger than this are read in ranges
PART_SIZE = 8 * 1024 * 1024  # bytes per ranged GET (as the AWS CLI)
IN_FLIGHT = 6  # ranged GETs of one body at once: memory holds at most IN_FLIGHT + 2 parts
PART_TRIES = 3  # a part that comes back short or damaged is asked again this many times
CHUNK = 1024 * 1024


_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
_mmap_fixed = False


def _fix_mmap_threshold() -> None:
    """Make glibc give part buffers back to the system when they are freed.

    glibc raises its mmap threshold each time a large mmapped block is freed, so after the
    first part, 8 MiB part buffers come from the heaps of the part threads and stay there once
    freed: resident memory grows well past the parts in flight. A fixed threshold (4 MiB)
    keeps every part buffer mmapped, so freeing it returns it. Best effort: other C
    libraries manage large blocks their own way.
    """
    global _mmap_fixed  # noqa: PLW0603 (once per process)
    if _mmap_fixed:
        return
    _mmap_fixed = True
    try:
        import ctypes
        import ctypes.util

        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, 4 * 1024 * 1024)
    except (OSError, AttributeError):
        pass


def wanted(obj: Raw) -> bool:
    """Whether a listed object is read in ranges. Pure."""
    return obj.get("Size", 0) > RANGED_MIN


def parts(size: int, part_size: int | None = None) -> list[tuple[int, int]]:
    """The inclusive byte ranges covering *size* bytes (PART_SIZE each by default). Pure."""
    part_size = part_size or PART_SIZE
    return [(start, min(start + part_size, size) - 1) for start in range(0, size, part_size)]


def check_part(resp: dict[str, Any], start: int, end: int, size: int) -> None:
    """A part's answer must be the range asked, of an object of *size* bytes. Pure; raises
    BodyMismatch."""
    status = resp.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if status is not None and status != 206:
        raise BodyMismatch(f"range {start}-{end}: status {status}, not 206")
    want = f"bytes {start}-{end}/{size}"
    if resp.get("ContentRange") != want:
        raise BodyMismatch(f"range {start}-{end}: Content-Range {resp.get('ContentRange')!r}, not {want!r}")
    if resp.get("ContentLength") != end - start + 1:
        raise BodyMismatch(f"range {start}-{end}: Content-Length {resp.get('ContentLength')}")


def _read_part(body: Any, length: int) -> bytearray | None:
    """A part's bytes, read into one buffer of its length (no copy doubling its size); None if
    more or fewer bytes came."""
    buf = bytearray(length)
    view = memoryview(buf)
    got = 0
    for chunk in body.iter_chunks(CHUNK):
        if got + len(chunk) > length:
            return None
        view[got:got + len(chunk)] = chunk
        got += len(chunk)
    return buf if got == length else None


def get_part(reads: BucketReads, key: str, start: int, end: int, size: int, etag: str) -> bytearray:
    """One part, checked; asked again up to PART_TRIES times if short or damaged."""
    problem = ""
    for _ in range(PART_TRIES):
        try:
            resp = reads.get(key, range_=f"bytes={start}-{end}", if_match=etag)
        except bx.ClientError as exc:
            if error_code(exc) in ("PreconditionFailed", "412"):
                raise BodyMismatch(f"the object changed while it was read (range {start}-{end})") from exc
            raise
        body = resp["Body"]
        try:
            check_part(resp, start, end, size)
            data = _read_part(body, end - start + 1)
        except (bx.IncompleteReadError, bx.ResponseStreamingError) as exc:
            problem = f"range {start}-{end}: {exc}"
            continue
        except BodyMismatch as exc:
            problem = str(exc)
            continue
        finally:
            body.close()
        if data is not None:
            return data
        problem = f"range {start}-{end}: not {end - start + 1} bytes"
    raise BodyMismatch(problem)


def stream(reads: BucketReads, key: str, size: int, etag: str, pool: ThreadPoolExecutor) -> Iterator[bytearray]:
    """The body's parts in order, IN_FLIGHT fetched ahead."""
    ranges = iter(parts(size))
    window: deque[Future[bytearray]] = deque()

    def refill() -> None:
        while len(window) < IN_FLIGHT:
            nxt = next(ranges, None)
            if nxt is None:
                return
            window.append(pool.submit(get_part, reads, key, nxt[0], nxt[1], size, etag))

    refill()
    try:
        while window:
            data = window.popleft().result()
            refill()
            yield data
            del data
    finally:
        for fut in window:
            fut.cancel()


def verified(parts_in_order: Iterator[bytearray], size: int, check: BodyCheck | None,
             hashing: ThreadPoolExecutor) -> Iterator[memoryview]:
    """The parts as 1 MiB slices for the store, checked as :func:`.s3checksums.checked` does.

    The check's hash runs on its own thread, a part at a time and in order, while the store
    hashes and compresses the same part: the two passes overlap instead of adding up. After
    the last part, the length and hash are checked before the store may finish the object.
    """
    hasher = check.make() if check else None
    hashed: Future[None] | None = None
    seen = 0
    for data in parts_in_order:
        if hasher is not None:
            if hashed is not None:
                hashed.result()
            hashed = hashing.submit(hasher.update, data)
        seen += len(data)
        view = memoryview(data)
        for at in range(0, len(data), CHUNK):
            yield view[at:at + CHUNK]
        del view, data
    if hashed is not None:
        hashed.result()
    judge(seen, size, check, hasher)


def download(ctx: UnitContext, reads: BucketReads, obj: Raw, where: str) -> ObjectEntry:
    """A big body, read in ranges, checked and stored in one pass (see the module docstring)."""
    from .s3objects import entry_from_get  # the index line is s3objects' (which imports this)

    _fix_mmap_threshold()
    key = obj["Key"]
    head = reads.head(key, checksums=True)
    size, etag = head["ContentLength"], head["ETag"]
    with ThreadPoolExecutor(IN_FLIGHT, thread_name_prefix="gitsnap-part") as pool, \
            ThreadPoolExecutor(1, thread_name_prefix="gitsnap-part-hash") as hashing:
        try:
            chunks = verified(stream(reads, key, size, etag, pool), size, body_check(head), hashing)
            stored = ctx.sink.body(size, chunks, where, key, ctx.sealed)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    return entry_from_get(key, head, stored.blob, stored.sha256, stored.sealed)
