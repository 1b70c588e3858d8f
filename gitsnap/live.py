"""Live state, read exactly as capture reads it, but held in memory: nothing is written.

Bodies are hashed, not stored (``HashingSink``), and a body whose ETag and size match the
snapshot being compared is not even fetched. The result is a :class:`~gitsnap.diff.Snapshot`
that ``diff`` compares with any committed one; restore (and drift) build on it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from .engine import Capture, CaptureFailedError, unique_addresses
from .store import SnapshotStore
from .store.loose import SizeMismatchError, git_blob_id
from .store.snapshot import Snapshot


class HashingSink:
    """A blob sink that computes git ids and sha256 without keeping the bytes."""

    def __init__(self, store: SnapshotStore) -> None:
        self._store = store

    def add_bytes(self, data: bytes) -> str:
        return git_blob_id(data)

    def sound(self, object_id: str) -> bool:
        return self._store.sound(object_id)

    def add_stream(self, size: int, chunks: Iterable[bytes]) -> tuple[str, str]:
        sha1 = hashlib.sha1(b"blob %d\x00" % size)
        sha256 = hashlib.sha256()
        seen = 0
        for chunk in chunks:
            sha1.update(chunk)
            sha256.update(chunk)
            seen += len(chunk)
        if seen != size:
            raise SizeMismatchError(f"expected {size} bytes, got {seen}")
        return sha1.hexdigest(), sha256.hexdigest()

    def has(self, object_id: str) -> bool:
        return self._store.has(object_id)


def read_live(capture: Capture, against: str | None, only: tuple[str, ...]) -> tuple[Snapshot, frozenset[str]]:
    """Live state of the *only* services (all configured when empty), and which services were read.

    Any unit that cannot be read fails the whole read: a plan or a drift report built on
    partial state would call unread resources "deleted".
    """
    capture.blobs = HashingSink(capture.store)
    results = capture.read_units(only, capture.store.files(against))
    failed = [r for r in results if r.status == "failed"]
    if failed:
        raise CaptureFailedError(f"cannot read live state: {failed[0].error}")
    files: dict[str, bytes] = {}
    entries = []
    for r in results:
        files.update(r.files)
        entries.extend(r.resources.items())
    return Snapshot.in_memory(capture.store, files, unique_addresses(entries)), frozenset(r.service for r in results)
