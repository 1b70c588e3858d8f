"""make bench: gitsnap, `aws s3 sync`, rclone and a lean floor client on an S3 front that looks like AWS.

The front (bench/front.py, its own process) serves S3 from memory with 25 ms added to every
request; each workload seeds its own bucket on it, runs every tool (each its own process,
launched by bench/rss.py: wall time, CPU and peak RSS from wait4), and removes the bucket.
Results print as tables and go to docs/performance.md (full runs) with each target of
issue 13 marked met or missed. Modules: front, floor (the clients), harness (processes,
samples), workloads, report.

    python bench/run.py                 # the full run (~25 min on 2 cores)
    python bench/run.py --quick         # smaller counts, one repeat (~3 min), writes .bench/performance.md
    python bench/run.py --only history  # one workload (comma-separated for several)
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import ROOT, Bench  # noqa: E402
from report import console, render  # noqa: E402
from workloads import QUICK, WORKLOADS, Sizes  # noqa: E402


def labels(sizes: Sizes) -> dict[str, str]:
    kib = f"{sizes.object_size // 1024} KiB"
    return {
        "front": f"front check, {sizes.small * 2:,} GETs",
        "small-2k": f"{sizes.small:,} x {kib} objects",
        "small-20k": f"{sizes.medium:,} x {kib} objects",
        "one-gib": f"one {sizes.gib_mib:,} MiB object" if sizes.gib_mib != 1024 else "one 1 GiB object",
        "media-5m": f"{sizes.media_count} x {sizes.media_mib} MiB objects",
        "history": f"history of {sizes.history:,} objects, {sizes.changes} changes",
        "clients": f"client candidates, {sizes.small:,} objects",
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="smaller counts, one repeat; writes .bench/performance.md")
    p.add_argument("--only", help=f"comma-separated workloads: {', '.join(WORKLOADS)}")
    p.add_argument("--latency-ms", type=float, default=25.0, help="added by the front to every request")
    p.add_argument("--workers", type=int, default=64, help="concurrency of every tool (default 64)")
    p.add_argument("--timeout", type=float, default=1800.0, help="seconds before one tool run is given up")
    p.add_argument("--out", type=Path, help="markdown report (default: docs/performance.md for a full run of "
                                             "every workload, else .bench/performance.md)")
    args = p.parse_args()
    chosen = [w.strip() for w in args.only.split(",")] if args.only else list(WORKLOADS)
    unknown = [w for w in chosen if w not in WORKLOADS]
    if unknown:
        p.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}")
    sizes = QUICK if args.quick else Sizes()
    work = ROOT / ".bench"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    out = args.out or (ROOT / "docs" / "performance.md" if not args.quick and not args.only
                       else work / "performance.md")
    names = labels(sizes)
    started, load0 = time.time(), os.getloadavg()
    if not shutil.which("rclone"):
        note = "rclone is not on PATH: its runs are skipped (`apt-get install rclone` to include them)"
    else:
        note = None
    bench = Bench(work, args.latency_ms, args.workers, sizes.repeat, args.timeout)
    if note:
        bench.notes.append(note)
    print(f"bench: front {bench.front.endpoint}, latency {args.latency_ms:g} ms, concurrency {args.workers}, "
          f"{'quick' if args.quick else 'full'}", flush=True)
    try:
        for name in chosen:
            print(f"\n== {names[name]}", flush=True)
            t0 = time.time()
            try:
                WORKLOADS[name](bench, sizes)
            except Exception as exc:  # one broken workload must not lose the others' numbers
                traceback.print_exc()
                bench.notes.append(f"workload {name} stopped: {type(exc).__name__}: {exc}")
            print(f"   ({time.time() - t0:.0f} s)", flush=True)
    finally:
        bench.front.stop()
    print()
    print(console(bench, names))
    mode = ("quick" if args.quick else "full") + (f", only {', '.join(chosen)}" if args.only else "")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(bench, names, started, (load0, os.getloadavg()), mode))
    print(f"\nwritten to {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out} "
          f"({(time.time() - started) / 60:.1f} min)")


if __name__ == "__main__":
    main()
