"""How many body bytes the download threads may hold in memory at once.

A body up to the secret scan's limit (8 MiB) is read whole, checked and scanned in memory,
and held about three times over on its way into a pack (the bytes read, the scanned copy,
the compressed entry). With 64 download threads, 200 bodies of 5 MiB held 1.2 GiB at once.
Each GET of a body read whole first takes its size from one budget shared by every bucket
(:data:`BODY_BUDGET`), and gives it back once the body is stored: 24 MiB of bodies in flight
keeps a capture's peak near 200 MiB whatever the object sizes, while small bodies (the usual
case, where latency and not bytes bound the speed) still run all 64 threads at once. A body
larger than the whole budget waits until it can hold all of it, so it runs alone.
Bodies read in ranges (:mod:`.s3ranged`) bound their own memory and take nothing here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

BUDGET_BYTES = 24 * 1024 * 1024


class ByteBudget:
    """A counting budget of bytes, shared by threads.

    Args:
        limit: Bytes that may be held at once. A request for more than *limit* is granted
            when nothing else is held (it takes the whole budget).
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held = 0
        self._changed = threading.Condition()

    @contextmanager
    def hold(self, size: int) -> Iterator[None]:
        """Hold *size* bytes of the budget for the duration of the block."""
        want = min(max(size, 0), self.limit)
        with self._changed:
            while self.held and self.held + want > self.limit:
                self._changed.wait()
            self.held += want
        try:
            yield
        finally:
            with self._changed:
                self.held -= want
                self._changed.notify_all()


BODY_BUDGET = ByteBudget(BUDGET_BYTES)
