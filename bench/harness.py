"""The bench's plumbing: the front as a child process, each tool launched by rss.py, results.

Every measured command is its own process, spawned by bench/rss.py (wall time, peak RSS and
CPU from wait4). The front's request counters are zeroed before each sample and read after,
so each sample knows how many GETs, HEADs and listings it made.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


@dataclass
class Sample:
    """One run of one command."""

    seconds: float
    peak_mib: float
    cpu: float
    stats: dict[str, float]  # the front's counters for this run (get, head, list, requests, ...)
    stdout: str = ""
    error: str | None = None
    stderr: str = ""  # what the command wrote to stderr (rss.py's own line removed)

    @property
    def gets(self) -> int:
        return int(self.stats.get("get", 0))


@dataclass
class Run:
    """Repeated samples of one command in one workload."""

    workload: str
    key: str  # e.g. "gitsnap-cold": what the ratios refer to
    name: str  # what the table shows
    samples: list[Sample] = field(default_factory=list)

    @property
    def ok(self) -> list[Sample]:
        return [s for s in self.samples if s.error is None]

    @property
    def error(self) -> str | None:
        bad = [s.error for s in self.samples if s.error]
        return bad[0] if bad else None

    @property
    def seconds(self) -> float | None:
        return statistics.median(s.seconds for s in self.ok) if self.ok else None

    @property
    def cpu(self) -> float | None:
        return statistics.median(s.cpu for s in self.ok) if self.ok else None

    @property
    def peak_mib(self) -> float | None:
        return max(s.peak_mib for s in self.samples) if self.samples else None

    @property
    def gets(self) -> list[int]:
        return [s.gets for s in self.samples]


class Front:
    """bench/front.py in its own process, and its private endpoints."""

    def __init__(self, work: Path, latency_ms: float) -> None:
        ready = work / "front.env"
        ready.unlink(missing_ok=True)
        self.log = open(work / "front.log", "w")  # noqa: SIM115 - open for the front's lifetime
        self.proc = subprocess.Popen([sys.executable, str(BENCH / "front.py"), "--latency-ms", str(latency_ms),
                                      "--ready-file", str(ready)], stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(600):
            if ready.exists():
                env = dict(line.split("=", 1) for line in ready.read_text().splitlines() if "=" in line)
                self.endpoint = env["AWS_ENDPOINT_URL"]
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        sys.exit(f"bench: the S3 front did not start; see {work / 'front.log'}")

    def call(self, name: str, method: str = "POST", **query: Any) -> Any:
        qs = "&".join(f"{k}={urllib.request.quote(str(v), safe='')}" for k, v in query.items())
        req = urllib.request.Request(f"{self.endpoint}/__front/{name}?{qs}", method=method)
        with urllib.request.urlopen(req, timeout=600) as resp:
            return json.load(resp)

    def s3(self, method: str, path: str) -> int:
        """An unsigned S3 request through the front (CreateBucket/DeleteBucket reach the upstream too)."""
        req = urllib.request.Request(f"{self.endpoint}{path}", method=method, data=b"" if method == "PUT" else None)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def bucket(self, name: str, count: int, size: int, pattern: str = "html") -> dict[str, int]:
        """A new bucket (here and upstream) filled with ``count`` objects of ``size`` bytes."""
        self.s3("PUT", f"/{name}")
        return self.call("seed", bucket=name, count=count, size=size, pattern=pattern)

    def remove(self, name: str) -> None:
        self.call("drop", bucket=name)
        self.s3("DELETE", f"/{name}")

    def stats(self) -> dict[str, float]:
        return self.call("stats", method="GET")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


def launch(argv: list[str], env: dict[str, str], front: Front, timeout: float) -> Sample:
    """Run ``argv`` under rss.py, counting the front's requests it made."""
    front.call("reset")
    try:
        proc = subprocess.run([sys.executable, str(BENCH / "rss.py"), *argv], env=env, capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return Sample(timeout, 0.0, 0.0, front.stats(), error=f"timed out after {timeout:.0f} s")
    stats = front.stats()
    last = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
    try:
        rc, seconds, rss, cpu = last.split()
    except ValueError:
        return Sample(0.0, 0.0, 0.0, stats, error=f"rss.py said {last!r}: {proc.stderr[-2000:]}")
    error = None
    if int(rc) != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[:-1])[-3000:] or proc.stdout[-3000:]
        error = f"exit {rc}: {tail.strip()}"
    return Sample(float(seconds), float(rss), float(cpu), stats, proc.stdout, error,
                  "\n".join(proc.stderr.strip().splitlines()[:-1]))


class Bench:
    """One bench run: the front, the environment every tool shares, and the runs so far."""

    def __init__(self, work: Path, latency_ms: float, workers: int, repeat: int, timeout: float) -> None:
        self.work, self.latency_ms, self.workers, self.repeat, self.timeout = work, latency_ms, workers, repeat, timeout
        self.front = Front(work, latency_ms)
        self.runs: list[Run] = []
        self.facts: dict[str, Any] = {}
        self.notes: list[str] = []
        aws_config = work / "aws-config"
        # the CLI's transfer concurrency set to the bench's, so `aws s3 sync` and gitsnap get the same
        aws_config.write_text(f"[default]\nregion = us-east-1\ns3 =\n  max_concurrent_requests = {workers}\n"
                              "  max_queue_size = 10000\n")
        self.env = {
            **os.environ,
            "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": self.front.endpoint,
            "AWS_CONFIG_FILE": str(aws_config), "AWS_SHARED_CREDENTIALS_FILE": str(work / "aws-credentials"),
            "XDG_CONFIG_HOME": str(work / "config"),
            "RCLONE_CONFIG": str(work / "rclone.conf"), "RCLONE_CONFIG_BENCH_TYPE": "s3",
            "RCLONE_CONFIG_BENCH_PROVIDER": "Other", "RCLONE_CONFIG_BENCH_ENDPOINT": self.front.endpoint,
            "RCLONE_CONFIG_BENCH_ACCESS_KEY_ID": "bench", "RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY": "bench",
            "RCLONE_CONFIG_BENCH_REGION": "us-east-1", "RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE": "true",
            "RCLONE_CONFIG_BENCH_LIST_VERSION": "2",
        }
        # rclone's AWS SDK reads AWS_CA_BUNDLE even for a plain-HTTP endpoint, and fails on this machine's
        (work / "rclone.conf").write_text("")
        self.rclone_env = {k: v for k, v in self.env.items() if k != "AWS_CA_BUNDLE"}
        self.gitsnap = shutil.which("gitsnap") or str(ROOT / ".venv" / "bin" / "gitsnap")

    def measure(self, workload: str, key: str, name: str, argv: list[str], *, before=None,
                repeat: int | None = None, env: dict[str, str] | None = None) -> Run:
        """Run ``argv`` ``repeat`` times (``before`` ahead of each), print and keep the result."""
        run = Run(workload, key, name)
        for _ in range(repeat or self.repeat):
            if before:
                before()
            sample = launch(argv, env or self.env, self.front, self.timeout)
            run.samples.append(sample)
            if sample.error:
                break  # a failed tool fails again: report it once
        self.runs.append(run)
        shown = f"{run.seconds:7.2f} s" if run.seconds is not None else "  failed"
        print(f"  {name:<58} {shown}  cpu {run.cpu or 0:6.2f} s  rss {run.peak_mib or 0:5.0f} MiB  "
              f"GETs {'/'.join(map(str, run.gets))}", flush=True)
        if run.error:
            print(f"    error: {run.error[:2000]}", flush=True)
        return run

    def gitsnap_repo(self, repo: Path, bucket: str, extra: str = "") -> dict[str, str]:
        """A fresh gitsnap repository capturing only ``bucket`` with the bench's workers; its env."""
        env = {**self.env, "GITSNAP_REPO": str(repo)}
        shutil.rmtree(repo, ignore_errors=True)
        subprocess.run([self.gitsnap, "init"], env=env, check=True, capture_output=True)
        (repo / "gitsnap.toml").write_text(
            f'[aws]\nservices = ["s3"]\n[aws.s3]\ninclude = ["{bucket}"]\nworkers = {self.workers}\n{extra}')
        return env

    def find(self, workload: str, key: str) -> Run | None:
        return next((r for r in self.runs if r.workload == workload and r.key == key), None)
