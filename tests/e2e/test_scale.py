"""A bucket of a few hundred objects captured over HTTP, changed, captured again: the second
capture reuses the unchanged trees, the diff names exactly the changes, and git finds the
repository sound (issue 13; scale itself is measured by ``make bench``, not here)."""

from __future__ import annotations

import json
import subprocess

import boto3
from dulwich.index import commit_tree
from dulwich.object_store import MemoryObjectStore

BUCKET = "scale-bucket"
N = 300


def s3(endpoint: str):
    return boto3.client("s3", region_name="us-east-1", endpoint_url=endpoint,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def full_rebuild(g, rev: str) -> str:
    """The root tree id of *rev*'s files, every tree built anew by dulwich."""
    out = g.git("ls-tree", "-r", "-z", rev, binary=True)
    entries = []
    for line in out.split(b"\0"):
        if line:
            meta, path = line.split(b"\t", 1)
            entries.append((path, meta.split()[2], 0o100644))
    return commit_tree(MemoryObjectStore(), sorted(entries)).decode()


def test_a_recapture_of_a_changed_bucket_diffs_exactly_and_git_finds_it_sound(gitsnap, endpoint):
    g = gitsnap
    c = s3(endpoint)
    c.create_bucket(Bucket=BUCKET)
    for i in range(N):
        c.put_object(Bucket=BUCKET, Key=f"d{i % 9}/k{i:04d}.txt", Body=f"body {i}\n".encode())
    g("capture", "--only", "s3", "--tag", "v1")
    first = g.head()
    again = g("capture", "--only", "s3")
    assert g.head() == first and "No changes" in again.out

    c.put_object(Bucket=BUCKET, Key="d1/k0001.txt", Body=b"changed body\n")
    c.put_object(Bucket=BUCKET, Key="d2/k0002.txt", Body=b"body 2\n")  # written again, the same: no change
    c.delete_object(Bucket=BUCKET, Key="d3/k0003.txt")
    c.put_object(Bucket=BUCKET, Key="new/key.txt", Body=b"new\n")
    g("capture", "--only", "s3", "--tag", "v2")
    assert g.head() != first

    out = json.loads(g("diff", "v1", "v2", "--format", "json").out)
    got = sorted((ch["address"], ch["path"], ch["kind"]) for ch in out["changes"])
    assert got == sorted([
        (f"s3/{BUCKET}", "key 'd1/k0001.txt'", "changed"),
        (f"s3/{BUCKET}", "key 'd3/k0003.txt'", "removed"),
        (f"s3/{BUCKET}", "key 'new/key.txt'", "added"),
    ])
    text = g("diff", "v1", "v2").out
    assert "key 'd1/k0001.txt': changed (7 B -> 13 B)" in text

    # the reused trees are the trees a full rebuild gives, and git finds nothing wrong
    assert g.git("rev-parse", "v2^{tree}").strip() == full_rebuild(g, "v2")
    stat = g.git("diff", "--name-only", "v1", "v2").split()
    assert {p for p in stat if not p.startswith("blobs/")} == {
        "MANIFEST.md", "manifest.json", f"aws/{account(g)}/us-east-1/s3/bucket/{BUCKET}/objects.jsonl"}
    fsck = subprocess.run(["git", "-C", str(g.repo), "fsck", "--strict", "--no-dangling"], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    manifest = g.manifest("v2")
    # format 2: the bucket's objects.jsonl describes its bodies, the manifest only counts them
    assert manifest["format"] == 2 and manifest["bodies"] == {}
    assert manifest["totals"]["bodies"] == N  # one removed, one added
    verified = g("verify")
    assert verified.code == 0 and f"{N} bodies" in verified.out


def account(g) -> str:
    return next(p for p in g.git("ls-tree", "--name-only", "HEAD:aws").split())
