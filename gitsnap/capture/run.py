"""One capture: check the request, read through the pipeline into the store, write a commit.

The order keeps a repository valid whatever happens: every object is written first, the
branch moves last by compare-and-swap, the tag after it. A failed unit fails the capture
(nothing moves) unless partial captures are allowed, in which case its previous subtree is
kept and marked failed: unknown state is never recorded as deleted.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from ..collectors.context import BlobSink, Counters, NullReporter, Reporter
from ..config import Config
from ..errors import GitsnapError, UsageError
from ..secrets.fingerprint import Fingerprinter
from ..secrets.seal import Sealer
from ..store import SnapshotStore
from .finish import make_guard
from .pipeline import Pipeline, Reading, memory_sink, store_sink
from .shards import ShardWriter, check_shard_name
from .units import UnitResult
from .write import CaptureRequest, SnapshotWriter, read_manifest


class CaptureFailedError(GitsnapError):
    """A collector failed and partial captures were not allowed: nothing was written."""


@dataclass
class CaptureResult:
    commit: str | None
    created: bool
    tag: str | None
    counters: Counters
    units: list[UnitResult]
    seconds: float
    findings: list[str]
    allowed: list[str] = field(default_factory=list)
    unscanned: list[str] = field(default_factory=list)
    covered: dict[str, Any] = field(default_factory=dict)  # regions and services this capture read
    seen: list[dict[str, Any]] = field(default_factory=list)  # seen, not captured (manifest's list)
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (unit, why): no longer captured
    shard: str | None = None  # the shard written (``commit`` is then the shard commit; main did not move)

    @property
    def failed(self) -> list[UnitResult]:
        return [u for u in self.units if u.status == "failed"]


class Capture:
    """Live state read against one store: as a commit (:meth:`run`) or in memory (:meth:`read_live`)."""

    def __init__(
        self,
        store: SnapshotStore,
        config: Config,
        fingerprint: Fingerprinter,
        reporter: Reporter | None = None,
        blobs: BlobSink | None = None,
    ) -> None:
        self.store = store
        self.blobs: BlobSink = blobs or store
        self.config = config
        self.fingerprint = fingerprint
        self.guard = make_guard(config, fingerprint)
        self.reporter = reporter or NullReporter()
        self.pipeline = Pipeline(store, config, self.guard, self.reporter)

    @property
    def counters(self) -> Counters:
        return self.pipeline.counters

    def check(self, request: CaptureRequest) -> None:
        """Refuse a secret typed on the command line, before anything is read or written."""
        if request.message:
            self.guard.check_message(request.message, "-m message")

    def _options(self, request: CaptureRequest) -> None:
        """The request's options the collectors read, and the request's own checks."""
        if request.lightsail_snapshot:
            if not request.tag:
                raise UsageError("--lightsail-snapshot names snapshots after the tag: add --tag (e.g. --tag v1.0)")
            self.pipeline.options["lightsail_snapshot"] = request.tag
        if request.restore_archived:
            self.pipeline.options["restore_archived"] = request.restore_archived
        if request.shard is not None:
            check_shard_name(self.store, request.shard)
            if request.tag is not None:
                raise UsageError("--shard writes a shard, not a snapshot, so it takes no --tag: tag the combined "
                                 "snapshot instead (gitsnap commit --from-shards --tag T)")
        if request.tag is not None:
            if not self.store.valid_tag_name(request.tag):
                raise UsageError(f"invalid tag name {request.tag!r}: use letters, digits, '.', '-', '_' (e.g. v1.0)")
            if self.store.tag_exists(request.tag) and not request.force:
                raise UsageError(f"tag {request.tag!r} already exists: choose another name or pass --force")

    def run(self, request: CaptureRequest, sealer: Sealer) -> CaptureResult:
        """Read every planned unit into the store and write the snapshot commit."""
        started = time.monotonic()
        self.check(request)
        self._options(request)
        with self.store.lock():
            head = self.store.head()
            previous = self.store.tree_files(head)  # trees read as the capture needs them
            prev_manifest = read_manifest(self.store, previous)
            sink = store_sink(self.blobs, self.guard, self.config, sealer, previous,
                              reuse=prev_manifest.get("sealed_to") == sealer.digest)
            reading = self.pipeline.read(request.only, previous, sink)
            if reading.failed and not request.allow_partial:
                first = reading.failed[0]
                more = f" (and {len(reading.failed) - 1} more failed)" if len(reading.failed) > 1 else ""
                raise CaptureFailedError(f"{first.error}{more}; nothing was written (use --allow-partial to keep what was read)")
            if request.shard is not None:  # a shard commit on its own ref; main does not move
                shard = ShardWriter(self.store, self.guard, sealer, reading.plan, request, self.fingerprint.key_id)
                commit, created, dropped = shard.write(head, reading.units, started), True, []
            else:
                writer = SnapshotWriter(self.store, self.guard, sealer, reading.plan, request)
                commit, created, dropped = writer.write(head, previous, prev_manifest, reading.units, started)
        return CaptureResult(
            commit=commit,
            created=created,
            tag=request.tag,
            counters=self.counters,
            units=reading.units,
            seconds=time.monotonic() - started,
            findings=[str(f) for f in self.guard.findings],
            allowed=list(self.guard.allowed),
            unscanned=list(sink.secrets.unscanned),
            covered=reading.plan.covered,
            seen=[s.to_json() for s in reading.plan.seen],
            dropped=dropped,
            shard=request.shard,
        )

    def read_live(self, against: str | None, only: tuple[str, ...]) -> Reading:
        """Every planned unit of *only* read into memory (bodies hashed, nothing written);
        *against* is the snapshot bodies need not be fetched again for."""
        return self.pipeline.read(only, self.store.tree_files(against), memory_sink(self.store, self.guard, self.config))
