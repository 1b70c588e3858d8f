"""The one way live state is read: collect -> normalize -> a sink, for capture and drift alike.

:class:`Pipeline` plans the units (``plan.plan_units``), runs them (:mod:`.units`: the
generic runner collects, :mod:`.finish` normalizes, guards and validates) and hands what
it read to a :class:`Sink`. Capture and a live read (drift, restore's plan and check,
``parity --live``) run the same pipeline; only the sink differs:

- :func:`store_sink` (capture): bodies stream into the repository's loose objects as they
  are read, flagged values are sealed to the recipients; the documents are then written as a
  commit (:mod:`.write`).
- :func:`memory_sink` (a live read): bodies are hashed, not stored (:class:`HashingSink`),
  flagged values are recorded as sealed but sealed to no one; the documents stay in memory
  as a :class:`~gitsnap.store.snapshot.Snapshot` (:mod:`gitsnap.live`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..collectors.context import BlobSink, Counters, NullReporter, Reporter
from ..config import Config
from ..plan import Plan, plan_units
from ..secrets.guard import Guard
from ..secrets.seal import SEALED, Sealer
from ..secrets.sink import SecretSink
from ..store import SnapshotStore
from ..store.loose import SizeMismatchError, git_blob_id
from ..store.revisions import files_under
from .finish import Finisher
from .units import Previous, UnitResult, UnitRunner


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


@dataclass(frozen=True)
class Sink:
    """Where a pipeline's output goes while units run: bodies, and values to seal."""

    blobs: BlobSink
    secrets: SecretSink


def store_sink(blobs: BlobSink, guard: Guard, config: Config, sealer: Sealer, previous: Mapping[str, str],
               reuse: bool) -> Sink:
    """Capture's sink: bodies into *blobs* (the store), values sealed with *sealer*; the
    previous snapshot's sealed items are reused when they were sealed to the same recipients."""
    before = files_under(previous, SEALED)
    return Sink(blobs, SecretSink(guard, sealer, blobs, before, reuse=reuse,
                                  scan_max=config.secrets_scan_max_bytes))


def memory_sink(store: SnapshotStore, guard: Guard, config: Config) -> Sink:
    """A live read's sink: bodies hashed, not stored; flagged values recorded, sealed to no one."""
    blobs = HashingSink(store)
    return Sink(blobs, SecretSink(guard, None, blobs, {}, reuse=False, scan_max=config.secrets_scan_max_bytes))


@dataclass
class Reading:
    """What one pipeline run read: its plan, and a result per planned unit."""

    plan: Plan
    units: list[UnitResult]

    @property
    def failed(self) -> list[UnitResult]:
        return [u for u in self.units if u.status == "failed"]


@dataclass
class Pipeline:
    """Reads live state for one store and configuration; each :meth:`read` into a sink."""

    store: SnapshotStore
    config: Config
    guard: Guard
    reporter: Reporter = field(default_factory=NullReporter)
    counters: Counters = field(default_factory=Counters)
    options: dict[str, Any] = field(default_factory=dict)  # from the command line: lightsail_snapshot, ...

    def read(self, only: tuple[str, ...], previous: Mapping[str, str], sink: Sink) -> Reading:
        """Every planned unit of *only* (all configured when empty), read into *sink*.

        *previous* is the snapshot collectors may reuse from (no GET when ETag and size match).
        """
        plan = plan_units(self.config, only, self.config.s3_workers)
        for warning in plan.warnings:
            self.reporter.warn(warning)
        runner = UnitRunner(
            config=self.config,
            finisher=Finisher(self.config, self.guard, sink.secrets),
            secrets=sink.secrets,
            blobs=sink.blobs,
            previous=Previous(previous, self.store.read),
            reporter=self.reporter,
            counters=self.counters,
            options=self.options,
        )
        return Reading(plan, runner.run_all(plan.units))
