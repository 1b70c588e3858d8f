"""What a collector run is given: clients and the API they are called through, the blob sink,
the previous snapshot, counters."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..config import Config
from ..secrets.sink import SealedItems, SecretSink
from .api import Api


class BlobSink(Protocol):
    """Where bodies go: the snapshot store in a capture, a hashing sink in a live read.

    ``sound`` says an object exists *and* is whole (reuse instead of a GET relies on it);
    call it through :func:`gitsnap.secrets.sink.sound`, which falls back to ``has``.
    """

    def add_bytes(self, data: bytes) -> str: ...
    def add_stream(self, size: int, chunks: Iterable[bytes]) -> tuple[str, str]: ...
    def has(self, object_id: str) -> bool: ...
    def sound(self, object_id: str) -> bool:
        """Whether a stored object may be reused: whole, and hashing to its id (not just there)."""
        ...


class Reporter(Protocol):
    """Progress events; the CLI draws them on a terminal, tests ignore them."""

    def start(self, key: str, label: str, total: int | None = None) -> None: ...
    def advance(self, key: str, n: int = 1, total: int | None = None) -> None: ...
    def finish(self, key: str) -> None: ...
    def warn(self, message: str) -> None: ...


class NullReporter:
    def start(self, key: str, label: str, total: int | None = None) -> None:
        pass

    def advance(self, key: str, n: int = 1, total: int | None = None) -> None:
        pass

    def finish(self, key: str) -> None:
        pass

    def warn(self, message: str) -> None:
        pass


@dataclass
class Counters:
    """Figures for the capture summary, shared by threads."""

    resources: int = 0
    objects: int = 0
    bytes: int = 0
    new_blobs: int = 0
    reused_blobs: int = 0
    downloaded_bytes: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **delta: int) -> None:
        with self._lock:
            for name, n in delta.items():
                setattr(self, name, getattr(self, name) + n)

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}


@dataclass
class UnitContext:
    """One collector run: one service in one region (or ``global``) of one account."""

    account: str
    region: str
    config: Config
    client: Callable[..., Any]
    blobs: BlobSink
    previous: Callable[[str], bytes | None]
    previous_dir: Callable[[str], dict[str, bytes]]
    downloads: ThreadPoolExecutor
    counters: Counters
    reporter: Reporter
    unit_path: str
    # how the runner makes ``client``'s calls and reads their failures: the unit's provider's
    # (collectors/providers.py), so the runner itself knows none
    api: Api
    warnings: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)  # from the command line, e.g. lightsail_snapshot
    secrets: SecretSink | None = None  # bodies go through it: stored plain, or sealed
    sealed: SealedItems = field(default_factory=SealedItems)  # what this unit sealed

    @property
    def sink(self) -> SecretSink:
        assert self.secrets is not None, "a capture or live read sets the secret sink"
        return self.secrets

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        self.reporter.warn(message)
