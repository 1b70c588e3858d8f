"""A capture stopped from outside: kill -9 anywhere, Ctrl-C, a second capture, a closed pipe.

What a user relies on: whatever stops a capture, the repository stays valid (``git fsck
--strict``), HEAD and the tags are either as they were or a complete new snapshot, the
next capture just works, and the lock never outlives its holder. The captures here are
slowed on cue by the fault proxy (tests/faults.py) so that a signal lands while they run.

One small estate (one bucket) is seeded once per module in a sandbox process of its own;
each test works on a private copy of a repository that already holds two snapshots.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gitsnap.sandbox import estate as sample

from ..conftest import GITSNAP, Gitsnap, base_env
from ..faults import FaultProxy, IsolatedSandbox, Rule, copy_repo, error_line, fsck, tmp_objects

pytestmark = pytest.mark.e2e

BUCKET = "tiny-site"
CONFIG = '[aws]\nregions = ["us-east-1"]\nservices = ["s3"]\n'
# 12 kills keep the suite inside its time budget; GITSNAP_KILL_RUNS=200 (with GITSNAP_KILL_SEED
# to replay) hunts rarer kill points
KILL_RUNS = int(os.environ.get("GITSNAP_KILL_RUNS") or 12)
UNDISTURBED_EVERY = 4  # kill runs between undisturbed captures


@dataclass
class Small:
    sandbox: IsolatedSandbox
    env: dict[str, str]
    template: Path
    span: float = 0.0  # how long the template's last capture took

    def put(self, key: str, body: bytes) -> None:
        sample.clients(self.sandbox.endpoint)("s3").put_object(Bucket=BUCKET, Key=key, Body=body)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Small]:
    work = tmp_path_factory.mktemp("signals")
    sandbox = IsolatedSandbox(work / "sandbox", GITSNAP, base_env(work, "http://127.0.0.1:9"), seed=False)
    try:
        env = base_env(work, sandbox.endpoint, sandbox.env["AWS_ENDPOINT_URL_LIGHTSAIL"])
        s = Small(sandbox, env, work / "template")
        sample.clients(sandbox.endpoint)("s3").create_bucket(Bucket=BUCKET)
        g = Gitsnap(s.template, env)
        g("init")
        (s.template / "gitsnap.toml").write_text(CONFIG)
        for n in range(2):  # snapshots for `gitsnap log`
            s.put(f"page-{n}.html", f"<p>page {n}</p>\n".encode() * 50)
            started = time.monotonic()
            g("capture", "--tag", f"v1.{n}")
            s.span = time.monotonic() - started
        yield s
    finally:
        sandbox.stop()


@dataclass
class Run:
    g: Gitsnap
    proxy: FaultProxy
    small: Small

    def popen(self, *args: str, **kw: object) -> subprocess.Popen:
        return subprocess.Popen([GITSNAP, "--repo", str(self.g.repo), *args], env=self.g.env, **kw)  # type: ignore[call-overload]

    def refs(self) -> dict[str, str]:
        return dict(line.split() for line in self.g.refs().splitlines())

    def branch(self) -> str:
        return str(self.g.git("symbolic-ref", "HEAD")).strip()


@pytest.fixture
def run(small: Small, tmp_path: Path) -> Iterator[Run]:
    repo = copy_repo(small.template, tmp_path / "snap")
    proxy = FaultProxy(small.sandbox.endpoint)
    url = proxy.start()
    yield Run(Gitsnap(repo, {**small.env, "AWS_ENDPOINT_URL": url}), proxy, small)
    proxy.stop()


def wait_for(rule: Rule, proc: subprocess.Popen, seconds: float = 120) -> None:
    """Until the capture is inside the request *rule* holds up (a hang guard, not a timing)."""
    deadline = time.monotonic() + seconds
    while not rule.hits and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert rule.hits, f"the capture never reached the held-up request (exit {proc.poll()})"


# How long a held request or a hung git holds a capture up, and how long a stopped capture may
# take to end before the test calls it a hang. The issue asks for a stop within 2 s; STOP_GUARD
# is a hang guard, not a timing: a capture that waited for the held request instead of stopping
# would take HOLD. 10 s was too tight on a loaded machine (four suites on two cores: both
# Ctrl-C tests failed with "did not stop within 10 s" while everything else passed).
HOLD = 300
STOP_GUARD = 60


def stderr_once_stopped(proc: subprocess.Popen, failure: str) -> str:
    """The stopped capture's stderr; the test fails with *failure* if it runs on for STOP_GUARD
    seconds (a hang guard, not a timing assertion: the stop is expected within 2 s)."""
    try:
        return proc.communicate(timeout=STOP_GUARD)[1]
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(failure)


def test_kill_9_at_random_points_leaves_old_or_complete_snapshots(run: Run) -> None:
    """KILL_RUNS captures (12 by default), each with new bodies to write, killed with SIGKILL at a random moment
    (half of them late, where objects, the commit, the branch and the tag are written).
    After each: fsck is clean, HEAD is the old snapshot or a complete new one on top of it
    (``gitsnap verify``), the tag is absent or on that new snapshot, and no other ref moved.

    The capture after a kill is the next run's: one that ends before its kill must have
    succeeded. Every fourth run (the last included) is followed by an undisturbed capture,
    which must succeed and leave no temporary object files (a capture after every kill
    would double the cost of the test for little more)."""
    seed = int(os.environ.get("GITSNAP_KILL_SEED") or random.randrange(1 << 30))
    print(f"kill points drawn with GITSNAP_KILL_SEED={seed}")
    rng = random.Random(seed)
    # each body download is held up a little, so the capture lasts long enough to be hit anywhere
    delay = 0.15
    run.proxy.rules.append(Rule("GET", rf"^/{BUCKET}/run-", delay=delay))
    span = run.small.span + delay  # about how long an undisturbed capture takes
    outcomes = []
    for i in range(KILL_RUNS):
        for j in range(4):
            run.small.put(f"run-{i}-{j}.bin", os.urandom(96 * 1024))
        head, refs = run.g.head(), run.refs()
        at = span * (rng.uniform(0.0, 1.0) if i % 2 else rng.uniform(0.7, 1.1))
        err = run.g.repo.parent / f"run-{i}.err"
        with open(err, "wb") as sink:
            proc = run.popen("capture", "--tag", f"k{i}", stdout=subprocess.DEVNULL, stderr=sink)
        try:
            proc.wait(at)
            outcome = f"finished (exit {proc.returncode})"
            assert proc.returncode == 0, f"run {i}: a capture that was not killed failed:\n{err.read_text()}"
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            outcome = f"killed at {at:.2f}s"
        fsck(run.g.repo)
        new_head, new_refs = run.g.head(), run.refs()
        tag = new_refs.pop(f"refs/tags/k{i}", None)
        if new_head != head:
            parent = run.g.git("rev-parse", f"{new_head}^").strip()
            assert parent == head, f"run {i}: HEAD moved to a commit not on top of the old one"
            verified = run.g("verify", "HEAD", check=False)
            assert verified.code == 0, f"run {i} ({outcome}): the new HEAD is not a complete snapshot\n{verified.err}"
        assert new_refs == {**refs, run.branch(): new_head}, f"run {i} ({outcome}): a ref moved that should not"
        if tag is not None:
            assert new_head != head, f"run {i}: a tag for a snapshot HEAD does not have"
            assert run.g.git("rev-parse", f"k{i}^{{commit}}").strip() == new_head, f"run {i}: tag not on HEAD"
        outcomes.append(f"{outcome}, HEAD {'moved' if new_head != head else 'kept'}")
        if i % UNDISTURBED_EVERY == UNDISTURBED_EVERY - 1:
            # an undisturbed capture works: no stale lock, and nothing left behind by the kills
            after = run.g("capture", check=False, timeout=120)
            assert after.code == 0, f"run {i} ({outcome}): the next capture failed\n{after.err}"
            assert not tmp_objects(run.g.repo), f"after run {i}: temporary objects left: {tmp_objects(run.g.repo)}"
            fsck(run.g.repo)
    print("\n".join(f"run {i}: {o}" for i, o in enumerate(outcomes)))


def test_a_capture_killed_mid_download_leaves_the_repository_as_it_was(run: Run) -> None:
    """Killed while a 3 MiB body is being downloaded: refs as they were, fsck clean, and
    the next capture (with a tag of the same name) works."""
    run.small.put("big.bin", os.urandom(3 * 1024 * 1024))
    stalled = Rule("GET", rf"^/{BUCKET}/big\.bin", delay=20, once=True)
    run.proxy.rules.append(stalled)
    refs = run.g.refs()
    proc = run.popen("capture", "--tag", "v2", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(stalled, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert run.g.refs() == refs
    fsck(run.g.repo)
    run.g("capture", "--tag", "v2")
    assert run.g.git("rev-parse", "v2^{commit}").strip() == run.g.head() != refs
    assert not tmp_objects(run.g.repo)


def test_ctrl_c_stops_the_capture_at_once_releases_the_lock_and_writes_nothing(run: Run) -> None:
    """SIGINT while a download hangs (the proxy holds it for HOLD seconds): exit 130 with one line,
    refs unchanged, and a capture right after works. The issue asks for a stop within 2 s;
    the bound asserted is STOP_GUARD (a hang guard on a loaded machine); the time is printed."""
    run.small.put("slow.bin", os.urandom(256 * 1024))
    held = Rule("GET", rf"^/{BUCKET}/slow\.bin", delay=HOLD, once=True)
    run.proxy.rules.append(held)
    refs = run.g.refs()
    proc = run.popen("capture", "--tag", "v2", stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(held, proc)
    time.sleep(0.3)  # well inside the held request
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    err = stderr_once_stopped(proc, f"the capture did not stop within {STOP_GUARD} s of SIGINT")
    print(f"capture stopped {time.monotonic() - sent:.2f} s after SIGINT")
    assert proc.returncode == 130, err
    assert "interrupted" in error_line(err)
    assert run.g.refs() == refs
    fsck(run.g.repo)
    after = run.g("capture", "--tag", "v2", check=False, timeout=120)
    assert after.code == 0, after.err
    assert run.g.git("rev-parse", "v2^{commit}").strip() == run.g.head()
    assert not tmp_objects(run.g.repo)


HUNG_GIT = """#!/bin/sh
# A git that never answers (a hung network file system, a stuck hook): says where it is, then waits.
echo $$ > "$GITSNAP_TEST_GIT_STARTED"
exec sleep 300
"""


def test_two_ctrl_c_while_workers_are_blocked_end_it_once_with_one_line(run: Run, tmp_path: Path) -> None:
    """A user presses Ctrl-C twice while two workers are stuck: one in a download the proxy
    holds for HOLD seconds, one waiting on a local path's git that never answers (a stand-in script
    first on PATH, HUNG_GIT; git's own timeout is 120 s). The second Ctrl-C lands while the
    first is unwinding. Exit 130 with the one "interrupted" line (no "Aborted!", no
    traceback), refs as they were, fsck clean, and the next capture gets the lock. The
    STOP_GUARD bound is a hang guard, not a timing."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>hi</p>\n")
    (run.g.repo / "gitsnap.toml").write_text(CONFIG + f'[[local.paths]]\nname = "site"\npath = "{site}"\n')
    fake = tmp_path / "fakebin"
    fake.mkdir()
    (fake / "git").write_text(HUNG_GIT)
    (fake / "git").chmod(0o755)
    started = tmp_path / "git-started"
    run.small.put("slow.bin", os.urandom(64 * 1024))
    held = Rule("GET", rf"^/{BUCKET}/slow\.bin", delay=HOLD, once=True)
    run.proxy.rules.append(held)
    refs = run.g.refs()
    env = {**run.g.env, "PATH": f"{fake}{os.pathsep}{run.g.env['PATH']}", "GITSNAP_TEST_GIT_STARTED": str(started)}
    proc = subprocess.Popen([GITSNAP, "--repo", str(run.g.repo), "capture"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        wait_for(held, proc)
        deadline = time.monotonic() + 60
        while not started.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert started.exists(), f"the local path's git never ran (exit {proc.poll()})"
        time.sleep(0.3)  # both workers well inside their wait
        proc.send_signal(signal.SIGINT)
        time.sleep(0.02)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        err = stderr_once_stopped(proc, f"two Ctrl-C did not stop the capture within {STOP_GUARD} s")
    finally:
        with contextlib.suppress(ValueError, OSError):  # the orphaned stand-in git
            os.kill(int(started.read_text()), signal.SIGKILL)
    assert proc.returncode == 130, err
    assert "interrupted" in error_line(err) and "Aborted" not in err
    assert run.g.refs() == refs
    fsck(run.g.repo)
    after = run.g("capture", "--only", "s3", check=False, timeout=120)
    assert after.code == 0, after.err


def test_a_second_capture_is_refused_while_the_first_holds_the_lock(run: Run) -> None:
    run.small.put("slow.bin", os.urandom(64 * 1024))
    held = Rule("GET", rf"^/{BUCKET}/slow\.bin", delay=HOLD, once=True)
    run.proxy.rules.append(held)
    refs = run.g.refs()
    first = run.popen("capture", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(held, first)
        second = run.g("capture", "--tag", "v2", check=False, timeout=120)
    finally:
        first.kill()
        first.wait()
    assert second.code == 2, second.err
    assert "another gitsnap process" in error_line(second.err)
    assert run.g.refs() == refs
    fsck(run.g.repo)


def test_a_closed_pipe_ends_quietly(run: Run) -> None:
    """``gitsnap log | head -1``, and a reader gone before the first line: no traceback, no
    'BrokenPipeError', nothing at all on stderr."""
    shell = subprocess.run(["sh", "-c", f'"{GITSNAP}" --repo "{run.g.repo}" log | head -1'], env=run.g.env,
                           capture_output=True, text=True, timeout=60)
    assert shell.returncode == 0
    assert len(shell.stdout.splitlines()) == 1 and shell.stdout.strip()
    assert shell.stderr == ""
    for args in (("log",), ("show", "HEAD"), ("diff", "v1.0", "HEAD")):
        read, write = os.pipe()
        os.close(read)  # the reader is gone before gitsnap writes a byte
        proc = run.popen(*args, stdout=write, stderr=subprocess.PIPE)
        os.close(write)
        _out, err = proc.communicate(timeout=60)
        assert err.decode(errors="replace") == "", f"gitsnap {' '.join(args)} into a closed pipe:\n{err!r}"
        assert proc.returncode in (0, 141), f"gitsnap {' '.join(args)}: exit {proc.returncode}"
