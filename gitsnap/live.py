"""Live state, read exactly as capture reads it, but held in memory: nothing is written.

Capture and a live read run one pipeline (:mod:`gitsnap.capture.pipeline`: collect ->
normalize -> a sink); a live read's sink hashes bodies instead of storing them, and a body
whose ETag and size match the snapshot being compared is not even fetched. The result is a
:class:`~gitsnap.store.snapshot.Snapshot` that ``diff`` compares with any committed one;
restore, drift and ``parity --live`` build on it.
"""

from __future__ import annotations

from .capture.finish import unique_addresses
from .capture.pipeline import HashingSink
from .capture.run import Capture, CaptureFailedError
from .store.snapshot import Snapshot

__all__ = ["HashingSink", "read_live"]


def read_live(capture: Capture, against: str | None, only: tuple[str, ...]) -> tuple[Snapshot, frozenset[str]]:
    """Live state of the *only* services (all configured when empty), and which services were read.

    Any unit that cannot be read fails the whole read: a plan or a drift report built on
    partial state would call unread resources "deleted".
    """
    reading = capture.read_live(against, only)
    if reading.failed:
        raise CaptureFailedError(f"cannot read live state: {reading.failed[0].error}")
    files: dict[str, bytes] = {}
    entries = []
    for r in reading.units:
        files.update(r.files)
        entries.extend(r.resources.items())
    read = frozenset(r.service for r in reading.units)
    return Snapshot.in_memory(capture.store, files, unique_addresses(entries)), read
