"""Running the planned units concurrently, each failure kept to its own unit.

A unit is one collector run (a service in one region of one account, or a non-cloud
provider). Its resources are collected by the generic runner, each one finished
(:mod:`.finish`) into the unit's result. A collector that raises fails only its unit: the
error is recorded, the traceback logged under ``--debug``. Credential errors stop everything
at once: every other unit would fail the same way.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..collectors.context import BlobSink, Counters, Reporter, UnitContext
from ..collectors.errors import CollectorError, CredentialsError
from ..collectors.providers import api_for
from ..collectors.run import collect
from ..config import Config
from ..errors import GitsnapError
from ..plan import Unit
from ..secrets.sink import SealedItems, SecretSink
from ..store.revisions import files_under
from .finish import Finished, Finisher

log = logging.getLogger(__name__)

UNIT_WORKERS = 8  # units read at once


@dataclass
class UnitResult:
    path: str
    service: str
    account: str
    region: str
    status: str = "ok"
    error: str | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    blobs: dict[str, list[str]] = field(default_factory=dict)
    sealed: SealedItems = field(default_factory=SealedItems)
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, done: Finished) -> None:
        """One finished resource of this unit."""
        self.files.update(done.files)
        for blob in done.blobs:
            self.blobs.setdefault(blob, []).append(done.address)
        self.resources[done.address] = done.info


@dataclass
class Previous:
    """The snapshot a read compares with: its files by path, read from the store on demand
    (a collector reuses a body, or a document's unchanged parts, instead of asking again)."""

    files: Mapping[str, str]
    read: Callable[[str], bytes]

    def file(self, rel: str) -> bytes | None:
        blob = self.files.get(rel)
        return self.read(blob) if blob else None

    def folder(self, prefix: str) -> dict[str, bytes]:
        # of a lazily read snapshot (store TreeFiles), only that folder's trees are read
        folder = prefix.rstrip("/")
        return {p[len(folder) + 1:]: self.read(b) for p, b in files_under(self.files, folder).items()}


@dataclass
class UnitRunner:
    """Runs units with one set of surroundings: where bodies go, how values are sealed."""

    config: Config
    finisher: Finisher
    secrets: SecretSink
    blobs: BlobSink
    previous: Previous
    reporter: Reporter
    counters: Counters
    options: dict[str, Any]

    def run_all(self, units: list[Unit]) -> list[UnitResult]:
        """Every unit, concurrently; a result for each, in the order given."""
        log.info("reading %d units: %s", len(units), ", ".join(u.path for u in units))
        downloads = ThreadPoolExecutor(self.config.s3_workers, thread_name_prefix="gitsnap-get")
        pool = ThreadPoolExecutor(min(UNIT_WORKERS, max(1, len(units))), thread_name_prefix="gitsnap-unit")
        try:
            results = list(pool.map(lambda u: self.run(u, downloads), units))
        except BaseException:
            # Ctrl-C (or a bug): do not wait for requests in flight. Queued work is dropped and the
            # threads still in a call are abandoned; nothing they write is referenced by a ref.
            for executor in (pool, downloads):
                executor.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
        downloads.shutdown()
        return results

    def context(self, unit: Unit, result: UnitResult, downloads: ThreadPoolExecutor) -> UnitContext:
        return UnitContext(
            account=unit.account,
            region=unit.region,
            config=self.config,
            client=unit.client,
            blobs=self.blobs,
            previous=self.previous.file,
            previous_dir=self.previous.folder,
            downloads=downloads,
            counters=self.counters,
            reporter=self.reporter,
            unit_path=unit.path,
            warnings=result.warnings,
            options=self.options,
            secrets=self.secrets,
            sealed=result.sealed,
            api=api_for(unit.service),
        )

    def run(self, unit: Unit, downloads: ThreadPoolExecutor) -> UnitResult:
        """One unit: collect -> finish each resource; a failure fails this unit only."""
        result = UnitResult(unit.path, unit.service, unit.account, unit.region)
        started = time.monotonic()
        ctx = self.context(unit, result, downloads)
        try:
            if unit.error is not None:  # planning could not locate its resources
                raise CollectorError(unit.error)
            for spec in unit.types:
                for c in collect(ctx, spec, unit.located.get(spec.type)):
                    result.add(self.finisher.finish(c, unit.path, unit.account, unit.region, result.sealed))
                    self.counters.add(resources=1)
        except CredentialsError:
            raise
        except GitsnapError as exc:
            # an EndpointError here is one service missing in one region (STS, in planning, already
            # proved the endpoint answers): that unit fails and is reported, the others go on
            result.status, result.error = "failed", str(exc)
        except Exception as exc:  # a collector bug must not take the others down
            log.debug("collector %s crashed", unit.path, exc_info=True)
            result.status = "failed"
            result.error = f"{unit.service} in {unit.region}: internal error {type(exc).__name__}: {exc} (run with --debug)"
        result.seconds = time.monotonic() - started
        log.info("%s: %s, %d resources in %.1f s", unit.path, result.status, len(result.resources), result.seconds)
        return result
