"""The body budget: download threads never hold more body bytes at once than it allows."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from gitsnap.collectors.aws.s3budget import ByteBudget


def _run(budget: ByteBudget, sizes: list[int]) -> int:
    """Hold each size on 16 threads at once; the most ever held together."""
    peak, lock = [0], threading.Lock()
    current = [0]

    def body(size: int) -> None:
        with budget.hold(size):
            with lock:
                current[0] += size
                peak[0] = max(peak[0], current[0])
            time.sleep(0.002)  # a GET's wait, so threads overlap
            with lock:
                current[0] -= size

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(body, sizes))
    assert budget.held == 0
    return peak[0]


def test_bodies_held_at_once_stay_within_the_budget():
    mib = 1024 * 1024
    assert _run(ByteBudget(32 * mib), [5 * mib] * 60) <= 32 * mib


def test_small_bodies_all_run_at_once():
    # 16 threads of 1 KiB bodies: the budget never holds any of them back
    assert _run(ByteBudget(32 * 1024 * 1024), [1024] * 16 * 20) > 1024


def test_a_body_larger_than_the_budget_runs_alone():
    mib = 1024 * 1024
    sizes = [40 * mib, 1 * mib, 1 * mib, 40 * mib, 1 * mib]
    peak = _run(ByteBudget(32 * mib), sizes)
    assert peak <= 40 * mib  # never a big one beside anything else
