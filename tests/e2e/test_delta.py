"""End to end: a capture that changes one object of a big bucket grows the repository by
kilobytes, not by the bucket's whole object index, and git reads the result as its own.

The bucket's ``objects.jsonl`` is made big with few objects (long keys, user metadata that
does not compress), so the test stays fast. Measured: the bytes of every file under
``objects/`` after the second capture minus after the first. Before the documents pack
(store/deltapack.py), the second capture stored a whole new index (and manifest) as loose
objects; now the previous index becomes a delta against the new one.
"""

from __future__ import annotations

import hashlib
import subprocess

import pytest

from gitsnap.sandbox import estate as sample

pytestmark = pytest.mark.e2e

BUCKET = "delta-index"
CONFIG = '[aws]\nregions = ["us-east-1"]\nservices = ["s3"]\n'
OBJECTS = 220


def key(i: int) -> str:
    return f"reports/{i % 7}/a-rather-long-folder-name-for-this-report/{hashlib.md5(b'%d' % i).hexdigest()}/{i:05d}.txt"


def seed(endpoint: str):
    s3 = sample.clients(endpoint)("s3")
    s3.create_bucket(Bucket=BUCKET)
    for i in range(OBJECTS):
        meta = {f"m{j}": hashlib.sha256(b"%d-%d" % (i, j)).hexdigest() for j in range(3)}
        s3.put_object(Bucket=BUCKET, Key=key(i), Body=b"report %d\n" % i, Metadata=meta)
    return s3


def objects_bytes(repo) -> int:
    return sum(p.stat().st_size for p in (repo / "objects").rglob("*") if p.is_file())


def index_path(g) -> str:
    paths = g.git("ls-tree", "-r", "--name-only", "HEAD").splitlines()
    return next(p for p in paths if p.endswith("objects.jsonl") and BUCKET in p)


def test_one_changed_object_costs_kilobytes_and_git_reads_every_version(gitsnap, endpoint):
    g = gitsnap
    (g.repo / "gitsnap.toml").write_text(CONFIG)
    s3 = seed(endpoint)
    g("capture", "-m", "first")
    path = index_path(g)
    first = g.git("cat-file", "-p", f"HEAD:{path}", binary=True)
    assert len(first) > 100_000  # a big document: it goes to the documents pack
    before = objects_bytes(g.repo)
    s3.put_object(Bucket=BUCKET, Key=key(3), Body=b"report 3, revised\n")
    g("capture", "-m", "second")
    path = index_path(g)
    grown = objects_bytes(g.repo) - before
    # the index alone, compressed, is about 50 KB; the rest of a capture (manifest, trees,
    # commit, the new body) about 20 KB while the manifest stays a loose object
    assert grown < 32_000, grown
    # on disk, both versions of the index together take about what one takes: the previous
    # one is a delta of a few hundred bytes (git's own figure, objectsize:disk)
    disk = subprocess.run(["git", "-C", str(g.repo), "cat-file", "--batch-check=%(objectsize:disk)"],
                          input=f"HEAD:{path}\nHEAD~1:{path}\n", capture_output=True, text=True, check=True)
    newest, previous = map(int, disk.stdout.split())
    assert previous < newest // 20, (newest, previous)
    proc = subprocess.run(["git", "-C", str(g.repo), "fsck", "--strict", "--no-progress"], capture_output=True,
                          text=True)
    assert proc.returncode == 0 and "error" not in proc.stderr, proc.stderr
    assert g.git("cat-file", "-p", f"HEAD~1:{path}", binary=True) == first
    second = g.git("cat-file", "-p", f"HEAD:{path}", binary=True)
    assert second != first and second.count(b"\n") == first.count(b"\n")
    diff = g.git("log", "-p", "-1", "--", path)
    assert diff.count("\n+{") == 1 and diff.count("\n-{") == 1  # one line changed, shown by git
    assert g("verify").code == 0
    shown = g("diff", "HEAD~1", "HEAD").out
    assert key(3) in shown
