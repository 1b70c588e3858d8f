"""End to end: a capture stores its bodies in a few pack files, and git reads them as its own.

One bucket of small bodies and one body larger than the in-memory bound (which streams into
a pack of its own) is captured from the moto server over HTTP; then the git CLI checks the
repository as a user would (``fsck --strict``, ``count-objects``, ``cat-file``, ``log -p``,
``gc``, ``clone``). A capture killed with SIGKILL while its pack is being written leaves
only temporary files, and the next capture completes with the same bodies.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
from dataclasses import replace

import pytest

from gitsnap.manifest import all_bodies
from gitsnap.sandbox import estate as sample

from ..conftest import GITSNAP
from ..faults import FaultProxy, Rule

pytestmark = pytest.mark.e2e

BUCKET = "pack-bodies"
CONFIG = '[aws]\nregions = ["us-east-1"]\nservices = ["s3"]\n'
SMALL = 200


def seed(endpoint: str) -> dict[str, bytes]:
    """The bucket: 200 small bodies (a few of them equal) and one of 9 MiB."""
    s3 = sample.clients(endpoint)("s3")
    s3.create_bucket(Bucket=BUCKET)
    bodies = {f"k-{i:03d}.txt": (b"body %d\n" % (i % 190)) * (20 + i % 50) for i in range(SMALL)}
    bodies["big.bin"] = os.urandom(9 * 1024 * 1024)
    for key, body in bodies.items():
        s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    return bodies


def fsck(repo) -> None:
    """``git fsck --strict`` finds nothing wrong (notices about a repository without refs aside)."""
    proc = subprocess.run(["git", "-C", str(repo), "fsck", "--strict", "--no-progress"], capture_output=True, text=True)
    said = [line for line in (proc.stdout + proc.stderr).splitlines()
            if line.strip() and not line.startswith(("dangling ", "notice: "))]
    assert proc.returncode == 0 and not said, proc.stdout + proc.stderr


def every_body(g, rev: str = "HEAD") -> dict[str, dict]:
    """blob -> {sha256, size} of every body of *rev*: its manifest's map and its object indexes
    (manifest format 2, docs/manifest.md: a bucket's bodies are in its objects.jsonl only)."""
    paths = g.git("ls-tree", "-r", "--name-only", rev).splitlines()
    return all_bodies(g.manifest(rev), [g.show(f"{rev}:{p}") for p in paths if p.endswith("/objects.jsonl")])


def stored_bodies(g) -> dict[str, bytes]:
    """sha256 -> bytes of every body of the snapshot, read with git cat-file."""
    out = {}
    for blob, info in every_body(g).items():
        data = g.git("cat-file", "-p", blob, binary=True)
        assert hashlib.sha256(data).hexdigest() == info["sha256"] and len(data) == info["size"]
        out[info["sha256"]] = data
    return out


def pack_dir_files(g) -> list[str]:
    return sorted(p.name for p in (g.repo / "objects" / "pack").iterdir())


@pytest.fixture
def captured_dir(gitsnap, endpoint):
    (gitsnap.repo / "gitsnap.toml").write_text(CONFIG)
    bodies = seed(endpoint)
    return gitsnap, bodies


def test_a_capture_leaves_a_few_packs_that_git_reads_as_its_own(captured_dir, tmp_path):
    g, bodies = captured_dir
    g("capture", "--tag", "v1")
    fsck(g.repo)
    counts = dict(line.split(": ") for line in g.git("count-objects", "-v").splitlines())
    assert int(counts["packs"]) == 2  # the small bodies' pack, the big body's own
    assert int(counts["in-pack"]) == len({hashlib.sha1(b).digest() for b in bodies.values()})
    # loose: documents, trees (blobs/<aa>/ has up to 256), the commit, the tag; never a body
    assert int(counts["count"]) < 300
    assert not any((g.repo / "objects" / b[:2] / b[2:]).exists() for b in every_body(g))
    assert stored_bodies(g) == {hashlib.sha256(b).hexdigest(): b for b in bodies.values()}
    log = subprocess.run(["git", "-C", str(g.repo), "log", "-p", "--stat", "-1"], capture_output=True)
    assert log.returncode == 0 and b"objects.jsonl" in log.stdout
    # the repository is the compressed bodies, not three times the raw size
    raw = sum(len(b) for b in bodies.values())
    on_disk = sum(p.stat().st_size for p in g.repo.rglob("*") if p.is_file())
    assert on_disk < raw * 1.1
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--mirror", str(g.repo), str(clone)], check=True, capture_output=True)
    fsck(clone)
    # after a user's git gc (one pack, with deltas), gitsnap reads and verifies it as before
    subprocess.run(["git", "-C", str(g.repo), "gc", "-q"], check=True, capture_output=True)
    assert len([n for n in pack_dir_files(g) if n.endswith(".pack")]) == 1
    assert g("verify").code == 0
    again = g("capture")  # bodies in git's pack are checked once each, then reused: no GET
    assert "No changes" in again.out and "0 downloaded" in again.out, again.out
    assert g("verify").code == 0 and stored_bodies(g)


def test_a_capture_killed_while_writing_its_pack_leaves_temporary_files_only(captured_dir, endpoint):
    """SIGKILL while one body's download is held up by the fault proxy and the others have been
    written into the pack being built: the refs are as they were, git fsck is clean, only
    ``tmp_gitsnap_*`` files are left, and the next capture sweeps them and stores every body."""
    g, bodies = captured_dir
    proxy = FaultProxy(endpoint)
    url = proxy.start()
    try:
        held = Rule("GET", rf"^/{BUCKET}/k-199\.txt", delay=60, once=True)
        proxy.rules.append(held)
        slow = replace(g, env={**g.env, "AWS_ENDPOINT_URL": url})
        refs = g.refs()
        proc = subprocess.Popen([GITSNAP, "--repo", str(g.repo), "capture", "--tag", "v1"], env=slow.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120  # a hang guard, not a timing
        while proc.poll() is None and time.monotonic() < deadline and not held.hits:
            time.sleep(0.05)
        assert held.hits and proc.poll() is None, "the capture never reached the held-up body"
        time.sleep(1.0)  # the other bodies (listed before it) go on being written meanwhile
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        proxy.stop()
    assert g.refs() == refs
    left = pack_dir_files(g)
    assert any(n.startswith("tmp_gitsnap_") for n in left), left
    assert all(n.startswith("tmp_gitsnap_") or n.startswith("pack-") for n in left)
    fsck(g.repo)
    g("capture", "--tag", "v1")
    assert not [n for n in pack_dir_files(g) if n.startswith("tmp")]
    fsck(g.repo)
    assert stored_bodies(g) == {hashlib.sha256(b).hexdigest(): b for b in bodies.values()}
    assert g("verify").code == 0
