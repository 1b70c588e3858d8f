"""In-memory stand-ins for a collector run's surroundings: the blob store, an inline executor,
and a UnitContext over given clients (unit tests of collectors without a repository)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import Any

from gitsnap.collectors.aws.api import AWS_API
from gitsnap.collectors.context import Counters, NullReporter, UnitContext
from gitsnap.config import Config
from gitsnap.engine import make_guard
from gitsnap.secrets.fingerprint import Fingerprinter
from gitsnap.secrets.sink import SecretSink
from gitsnap.store.loose import git_blob_id

ACCOUNT = "123456789012"


class Inline:
    """An executor that runs each task when it is submitted: a known order for the Stubber."""

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future:
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 (a future carries any failure)
            fut.set_exception(exc)
        return fut

    def map(self, fn: Callable[[Any], Any], items: Any) -> Iterator[Any]:
        return (fn(i) for i in items)

    def __enter__(self) -> Inline:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


class MemoryBlobs:
    """The blob store in memory; like the real one, a body is kept only once fully read."""

    def __init__(self, damaged: set[str] | None = None) -> None:
        self.objects: dict[str, bytes] = {}
        self.damaged = damaged or set()

    def add_bytes(self, data: bytes) -> str:
        self.objects[git_blob_id(data)] = data
        return git_blob_id(data)

    def add_stream(self, size: int, chunks: Any) -> tuple[str, str]:
        data = b"".join(chunks)
        assert len(data) == size
        return self.add_bytes(data), hashlib.sha256(data).hexdigest()

    def has(self, object_id: str) -> bool:
        return object_id in self.objects

    def sound(self, object_id: str) -> bool:
        return object_id in self.objects and object_id not in self.damaged



def context(clients: dict[str, Any], blobs: Any = None, previous: dict[str, bytes] | None = None,
            scan_max: int = 8 * 1024 * 1024, unit: str = f"aws/{ACCOUNT}/us-east-1/s3") -> UnitContext:
    config = Config(path=None)
    blobs = blobs if blobs is not None else MemoryBlobs()
    sink = SecretSink(make_guard(config, Fingerprinter(b"k" * 32)), None, blobs, {}, reuse=False,
                      scan_max=scan_max)
    return UnitContext(
        account=ACCOUNT, region="us-east-1", config=config,
        client=lambda name, _region=None: clients[name],  # a KeyError if a service is not expected
        blobs=blobs, previous=lambda path: (previous or {}).get(path), previous_dir=lambda _p: {},
        downloads=Inline(), counters=Counters(), reporter=NullReporter(), unit_path=unit, secrets=sink, api=AWS_API)
