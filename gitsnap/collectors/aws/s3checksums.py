"""S3 object bodies: which checksum a GetObject answer allows, and checking a body as it streams.

Every body is checked in the pass that stores it: its length against Content-Length,
and its bytes against the strongest full-object checksum S3 sends (SHA-256, SHA-1,
CRC64NVME, CRC32C, CRC32), else against the ETag where the ETag is the MD5. Everything
here is pure (no I/O): :mod:`.s3objects` fetches again a body that fails, and raises when
one fails every time.
"""

from __future__ import annotations

import base64
import hashlib
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol


class _Hasher(Protocol):
    def update(self, data: bytes, /) -> None: ...
    def digest(self) -> bytes: ...


class _Crc32:
    """CRC32 as S3 sends it (big-endian, base64), from zlib: always available."""

    def __init__(self) -> None:
        self.value = 0

    def update(self, data: bytes) -> None:
        self.value = zlib.crc32(data, self.value)

    def digest(self) -> bytes:
        return (self.value & 0xFFFFFFFF).to_bytes(4, "big")


class _Crt:
    """CRC32C or CRC64NVME from awscrt (when installed: botocore uses it the same way)."""

    def __init__(self, fn: Callable[[bytes, int], int], width: int) -> None:
        self.fn, self.width, self.value = fn, width, 0

    def update(self, data: bytes) -> None:
        self.value = self.fn(data, self.value)

    def digest(self) -> bytes:
        return self.value.to_bytes(self.width, "big")


def _crt(name: str, width: int) -> Callable[[], _Hasher] | None:
    try:
        from awscrt import checksums  # optional: without it CRC32C and CRC64NVME are not checked
    except ImportError:
        return None
    fn = getattr(checksums, name, None)
    return (lambda: _Crt(fn, width)) if fn is not None else None


# strongest first; one without an implementation here is skipped for the next
CHECKSUMS: tuple[tuple[str, str, Callable[[], _Hasher] | None], ...] = (
    ("ChecksumSHA256", "sha256", hashlib.sha256),
    ("ChecksumSHA1", "sha1", hashlib.sha1),
    ("ChecksumCRC64NVME", "crc64nvme", _crt("crc64nvme", 8)),
    ("ChecksumCRC32C", "crc32c", _crt("crc32c", 4)),
    ("ChecksumCRC32", "crc32", _Crc32),
)
KMS = frozenset({"aws:kms", "aws:kms:dsse"})  # their ETags are not the MD5 of the body
_COMPOSITE = re.compile(r"-[0-9]+$")  # a checksum of part checksums (multipart upload)
_MD5 = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class BodyCheck:
    """What a body must hash to: ``value`` as S3 sent it (base64; hex for the ETag)."""

    label: str
    value: str
    make: Callable[[], _Hasher]
    hex: bool = False

    def encode(self, digest: bytes) -> str:
        return digest.hex() if self.hex else base64.b64encode(digest).decode("ascii")


def body_check(resp: dict[str, Any]) -> BodyCheck | None:
    """The strongest check a GetObject answer allows, or None. Pure.

    Full-object checksums only (a composite ``...-N`` is of the parts, not the body); else
    the ETag, which is the body's MD5 for a single-part upload that is not SSE-KMS/SSE-C.
    """
    composite = resp.get("ChecksumType") == "COMPOSITE"
    for name, label, make in CHECKSUMS:
        value = resp.get(name)
        if value and make is not None and not composite and not _COMPOSITE.search(value):
            return BodyCheck(label, value, make)
    etag = (resp.get("ETag") or "").strip('"')
    if (_MD5.fullmatch(etag) and resp.get("ServerSideEncryption") not in KMS
            and not resp.get("SSECustomerAlgorithm")):
        return BodyCheck("md5 (ETag)", etag, lambda: hashlib.md5(usedforsecurity=False), hex=True)
    return None


class BodyMismatch(Exception):
    """One download of a body was short, long or failed its checksum (fetched again)."""


def judge(seen: int, size: int, check: BodyCheck | None, hasher: Any) -> None:
    """The verdict on a body once all of it went by: *seen* of *size* bytes, and *hasher*
    (``check.make()`` fed every byte) against the service's value. Raises BodyMismatch."""
    if seen != size:
        raise BodyMismatch(f"length: {seen} of {size} bytes")
    if check is not None and hasher is not None:
        got = check.encode(hasher.digest())
        if got != check.value:
            raise BodyMismatch(f"{check.label}: expected {check.value}, got {got}")


def verify(data: bytes, size: int, check: BodyCheck | None) -> None:
    """Check a body read whole: its length, then its hash, in one pass. Raises BodyMismatch."""
    hasher = check.make() if check is not None and len(data) == size else None  # no hash of a wrong length
    if hasher is not None:
        hasher.update(data)
    judge(len(data), size, check, hasher)


def checked(chunks: Iterable[bytes], size: int, check: BodyCheck | None) -> Iterator[bytes]:
    """The chunks, passed on as they come; after the last, their count and hash are checked.

    Raising after the last chunk but before the consumer's end means the blob writer never
    finishes: its temporary file is removed, nothing is renamed into place.
    """
    hasher = check.make() if check else None
    seen = 0
    for chunk in chunks:
        seen += len(chunk)
        if hasher is not None:
            hasher.update(chunk)
        yield chunk
    judge(seen, size, check, hasher)
