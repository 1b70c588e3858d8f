"""The workloads: each seeds its own bucket on the front, runs every tool on it, removes it.

Sizes come from :class:`Sizes` (``QUICK`` for ``--quick``). Every tool works at the bench's
concurrency (``--workers``): gitsnap's ``[aws.s3] workers``, the CLI's
``max_concurrent_requests``, rclone's ``--transfers``/``--checkers``, the floor's connections.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from itertools import count
from pathlib import Path

from harness import BENCH, Bench

KIB, MIB = 1024, 1024 * 1024


@dataclass(frozen=True)
class Sizes:
    small: int = 2_000
    medium: int = 20_000
    object_size: int = KIB
    gib_mib: int = 1024
    media_count: int = 200
    media_mib: int = 5
    history: int = 100_000
    changes: int = 100
    repeat: int = 3


QUICK = Sizes(small=300, medium=1_000, gib_mib=64, media_count=10, history=3_000, changes=10, repeat=1)
_edits = count(1)


def floor_argv(bench: Bench, bucket: str, workers: int | None = None, list_only: bool = False) -> list[str]:
    argv = [sys.executable, str(BENCH / "floor.py"), "--endpoint", bench.front.endpoint, "--bucket", bucket,
            "--workers", str(workers or bench.workers)]
    return argv + (["--list-only"] if list_only else [])


def aws(*args: str) -> list[str]:
    return [sys.executable, "-m", "awscli", "s3", *args, "--only-show-errors"]


def rclone(bench: Bench, bucket: str, dest: Path) -> list[str] | None:
    exe = shutil.which("rclone")
    if exe is None:
        return None
    return [exe, "sync", f"bench:{bucket}", str(dest), "--transfers", str(bench.workers),
            "--checkers", str(bench.workers)]


def edit(bench: Bench, bucket: str, n: int = 1) -> None:
    bench.front.call("edit", bucket=bucket, count=n, tag=next(_edits))


def front_check(bench: Bench, sizes: Sizes) -> None:
    """The floor at 16, 64 and 128 connections: does the front scale as latency x GETs / concurrency?"""
    # enough GETs that 128-way still takes a measurable time (0.8 s at 25 ms in the full run)
    wl, bucket, n = "front", "bench-front", sizes.small * 2
    bench.front.bucket(bucket, n, sizes.object_size)
    rows = []
    for workers in (16, 64, 128):
        before = bench.front.stats().get("cpu_seconds", 0.0)
        run = bench.measure(wl, f"floor-{workers}", f"floor, {workers} connections", floor_argv(bench, bucket, workers))
        after = bench.front.stats().get("cpu_seconds", 0.0)
        results = [json.loads(s.stdout) for s in run.ok if s.stdout.strip()]
        if results:
            get_s = sorted(r["get_seconds"] for r in results)[len(results) // 2]
            ideal = n * bench.latency_ms / 1000 / workers
            per_req = (after - before) / max(n * len(results), 1) * 1000
            rows.append({"workers": workers, "gets": n, "get_seconds": get_s, "ideal": ideal,
                         "front_cpu_ms": per_req, "client_cpu": run.cpu})
    bench.facts["front_check"] = rows
    bench.front.remove(bucket)


def small(bench: Bench, sizes: Sizes, wl: str, n: int, r: int) -> None:
    """``n`` small objects: cold, no-change and one-change runs of every tool, ``r`` times each."""
    bucket = f"bench-{wl}"
    seeded = bench.front.bucket(bucket, n, sizes.object_size)
    bench.facts[f"{wl}.bytes"] = seeded["bytes"]
    work = bench.work / wl
    sync_dir, rc_dir, repo = work / "sync", work / "rclone", work / "snap"
    bench.measure(wl, "floor", f"floor ({bench.workers} connections, bodies discarded)", floor_argv(bench, bucket),
                  repeat=r)

    sync = aws("sync", f"s3://{bucket}", str(sync_dir))
    bench.measure(wl, "sync-cold", "aws s3 sync, cold", sync, repeat=r,
                  before=lambda: shutil.rmtree(sync_dir, ignore_errors=True))
    bench.measure(wl, "sync-noop", "aws s3 sync, no change", sync, repeat=r)

    rc = rclone(bench, bucket, rc_dir)
    if rc:
        bench.measure(wl, "rclone-cold", "rclone sync, cold", rc, repeat=r, env=bench.rclone_env,
                      before=lambda: shutil.rmtree(rc_dir, ignore_errors=True))
        bench.measure(wl, "rclone-noop", "rclone sync, no change", rc, repeat=r, env=bench.rclone_env)

    env = bench.gitsnap_repo(repo, bucket)
    capture = [bench.gitsnap, "capture", "-m", wl]
    bench.measure(wl, "gitsnap-cold", "gitsnap capture, cold", capture, env=env, repeat=r,
                  before=lambda: bench.gitsnap_repo(repo, bucket))
    bench.measure(wl, "gitsnap-noop", "gitsnap capture, no change", capture, env=env, repeat=r)
    bench.measure(wl, "gitsnap-one", "gitsnap capture, one object changed", capture, env=env, repeat=r,
                  before=lambda: edit(bench, bucket))
    fsck = subprocess.run(["git", "-C", str(repo), "fsck", "--strict"], capture_output=True, text=True)
    bench.facts[f"{wl}.fsck"] = "ok" if fsck.returncode == 0 else fsck.stderr.strip()[-1000:]
    bench.measure(wl, "sync-one", "aws s3 sync, one object changed", sync, repeat=r,
                  before=lambda: edit(bench, bucket))
    if rc:
        bench.measure(wl, "rclone-one", "rclone sync, one object changed", rc, repeat=r, env=bench.rclone_env,
                      before=lambda: edit(bench, bucket))
    if wl == "small-2k":
        unscanned = work / "snap-unscanned"
        env2 = bench.gitsnap_repo(unscanned, bucket, '[secrets]\nallow_paths = ["*"]\n')
        bench.measure(wl, "gitsnap-cold-unscanned", "gitsnap capture, cold, bodies not scanned for secrets",
                      capture, env=env2, repeat=1)
    bench.front.remove(bucket)
    shutil.rmtree(work, ignore_errors=True)


def small_2k(bench: Bench, sizes: Sizes) -> None:
    small(bench, sizes, "small-2k", sizes.small, sizes.repeat)


def small_20k(bench: Bench, sizes: Sizes) -> None:
    # once: a big workload (three runs of every tool take 15 minutes on 2 cores)
    small(bench, sizes, "small-20k", sizes.medium, 1)


def one_gib(bench: Bench, sizes: Sizes) -> None:
    """One big incompressible object: gitsnap against `aws s3 cp` (and the floor: one GET)."""
    wl, bucket = "one-gib", "bench-gib"
    bench.front.bucket(bucket, 1, sizes.gib_mib * MIB, "random")
    key = "0000/0000000.bin"
    work = bench.work / wl
    work.mkdir(parents=True, exist_ok=True)
    bench.measure(wl, "floor", "floor (one GET, body discarded)", floor_argv(bench, bucket), repeat=1)
    bench.measure(wl, "cp", "aws s3 cp", aws("cp", f"s3://{bucket}/{key}", str(work / "obj.bin")), repeat=1)
    (work / "obj.bin").unlink(missing_ok=True)
    repo = work / "snap"
    env = bench.gitsnap_repo(repo, bucket)
    bench.measure(wl, "gitsnap-cold", "gitsnap capture, cold", [bench.gitsnap, "capture", "-m", wl], env=env,
                  repeat=1)
    bench.front.remove(bucket)
    shutil.rmtree(work, ignore_errors=True)


def media(bench: Bench, sizes: Sizes) -> None:
    """Many medium incompressible objects (photos)."""
    wl, bucket = "media-5m", "bench-media"
    bench.front.bucket(bucket, sizes.media_count, sizes.media_mib * MIB, "random")
    work = bench.work / wl
    bench.measure(wl, "floor", f"floor ({bench.workers} connections, bodies discarded)", floor_argv(bench, bucket),
                  repeat=1)
    bench.measure(wl, "sync-cold", "aws s3 sync, cold", aws("sync", f"s3://{bucket}", str(work / "sync")), repeat=1)
    rc = rclone(bench, bucket, work / "rclone")
    if rc:
        bench.measure(wl, "rclone-cold", "rclone sync, cold", rc, repeat=1, env=bench.rclone_env)
    env = bench.gitsnap_repo(work / "snap", bucket)
    bench.measure(wl, "gitsnap-cold", "gitsnap capture, cold", [bench.gitsnap, "capture", "-m", wl], env=env,
                  repeat=1)
    bench.front.remove(bucket)
    shutil.rmtree(work, ignore_errors=True)


def history(bench: Bench, sizes: Sizes) -> None:
    """A big bucket's history: cold, no-change, N changes, diff, verify, size on disk."""
    wl, bucket = "history", "bench-history"
    bench.front.bucket(bucket, sizes.history, sizes.object_size)
    work = bench.work / wl
    repo = work / "snap"
    env = bench.gitsnap_repo(repo, bucket)
    capture = [bench.gitsnap, "capture", "-m"]
    listing = bench.measure(wl, "listing", "the listing alone (floor client, ListObjectsV2 pages)",
                            floor_argv(bench, bucket, list_only=True), repeat=sizes.repeat)
    lists = [json.loads(s.stdout)["list_seconds"] for s in listing.ok if s.stdout.strip()]
    bench.facts["history.list_seconds"] = sorted(lists)[len(lists) // 2] if lists else None
    cold = bench.measure(wl, "gitsnap-cold", "gitsnap capture, cold", capture + ["cold"], env=env, repeat=1)
    if cold.error:
        return _end(bench, bucket, work)
    a = _head(repo)
    bench.measure(wl, "gitsnap-noop", "gitsnap capture, no change", capture + ["again"], env=env, repeat=1)
    bench.measure(wl, "gitsnap-changes", f"gitsnap capture, {sizes.changes} objects changed",
                  capture + ["changes"], env=env, repeat=1, before=lambda: edit(bench, bucket, sizes.changes))
    b = _head(repo)
    bench.facts["history.commits"] = (a, b)
    if a and b and a != b:
        bench.measure(wl, "gitsnap-diff", f"gitsnap diff A B ({sizes.changes} changes)",
                      [bench.gitsnap, "diff", a, b], env=env, repeat=sizes.repeat)
        bench.measure(wl, "git-diff", "git diff --stat A B (same commits)",
                      ["git", "-C", str(repo), "diff", "--stat", a, b], env=env, repeat=sizes.repeat)
    bench.measure(wl, "gitsnap-verify", "gitsnap verify", [bench.gitsnap, "verify"], env=env, repeat=1)
    bench.facts["history.repo_bytes"] = _du(repo)
    bench.facts["history.compressed"] = bench.front.call("compressed", method="GET", bucket=bucket)
    bench.facts["history.packs"] = len(list((repo / "objects" / "pack").glob("*.pack")))
    bench.facts["history.loose"] = sum(1 for d in (repo / "objects").glob("[0-9a-f][0-9a-f]") for _ in d.iterdir())
    _end(bench, bucket, work)


def _end(bench: Bench, bucket: str, work: Path) -> None:
    bench.front.remove(bucket)
    shutil.rmtree(work, ignore_errors=True)


def _head(repo: Path) -> str | None:
    out = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True)
    return out.stdout.strip() or None


def _du(path: Path) -> dict[str, int]:
    """Disk usage (``du -sk``: blocks, what a disk holds) and apparent size (``du -sb``), in bytes."""
    blocks = subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True).stdout.split()[0]
    apparent = subprocess.run(["du", "-sb", str(path)], capture_output=True, text=True).stdout.split()[0]
    return {"disk": int(blocks) * 1024, "apparent": int(apparent)}


def clients(bench: Bench, sizes: Sizes) -> None:
    """bench/clients.py (H-engine's client candidates) on the same front, next to the floor."""
    wl, bucket = "clients", "bench-clients"
    script = BENCH / "clients.py"
    if not script.exists():
        bench.notes.append("client candidates: bench/clients.py is not in the tree; skipped")
        return
    bench.front.bucket(bucket, sizes.small, sizes.object_size)
    floor = bench.measure(wl, "floor", f"floor ({bench.workers} connections, bodies discarded)",
                          floor_argv(bench, bucket), repeat=sizes.repeat)
    argv = [sys.executable, str(script), "--endpoint", bench.front.endpoint, "--bucket", bucket,
            "--workers", str(bench.workers)]
    run = bench.measure(wl, "clients", "bench/clients.py (every candidate, in sequence)", argv, repeat=1)
    rows = []
    for sample in run.samples:
        bench.notes += [f"client candidates: {line.strip()}" for line in sample.stderr.splitlines()
                        if line.startswith("clients.py:")]
        for line in sample.stdout.splitlines():
            if line.strip().startswith("{"):
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    bench.notes.append(f"client candidates: unreadable line {line[:200]!r}")
    # the floor's own timing (list + GETs, in-process), as clients.py times each candidate
    timed = sorted((json.loads(s.stdout) for s in floor.ok if s.stdout.strip()), key=lambda r: r["seconds"])
    mid = timed[len(timed) // 2] if timed else None
    if mid:
        rows.insert(0, {"client": "floor (raw asyncio HTTP, unsigned)", "objects": mid["objects"],
                        "bytes": mid["bytes"], "seconds": mid["seconds"], "cpu_seconds": mid["cpu_seconds"]})
    bench.facts["clients"] = {"rows": rows, "floor": mid["seconds"] if mid else None, "error": run.error}
    bench.front.remove(bucket)


WORKLOADS = {
    "front": front_check,
    "small-2k": small_2k,
    "small-20k": small_20k,
    "one-gib": one_gib,
    "media-5m": media,
    "history": history,
    "clients": clients,
}
