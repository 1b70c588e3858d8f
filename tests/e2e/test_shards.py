"""A capture fanned out as shards and combined (issue 15 part 6), against the local AWS.

The sample estate is captured (v0), changed in three services, then read as three shards, as
three jobs of a matrix would: ``capture --shard a --only s3``, ``--shard b --only lambda`` and
``--shard rest`` for every other service; ``commit --from-shards --tag v1`` combines them. A
copy of the repository taken before the combine makes one plain ``gitsnap capture`` of the
same (unchanged) estate instead: the strongest check that the combination is exact is that
the two snapshots have the same files and manifest, and ``gitsnap diff`` finds nothing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import boto3

from gitsnap.collectors import registry

from ..conftest import Gitsnap

REST = sorted(registry.aws_services() - {"s3", "lambda"})
TIMES = ("captured_at", "duration_seconds")


def _change_and_shard(g: Gitsnap, info: dict[str, Any]) -> dict[str, Any]:
    """v0, then a change in S3, Lambda and IAM, then the three shards and a plain capture of
    the same state in a copy of the repository (taken before the combine)."""
    g("capture", "--tag", "v0")
    aws = {"endpoint_url": g.env["AWS_ENDPOINT_URL"], "region_name": "us-east-1",
           "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    boto3.client("s3", **aws).put_object(Bucket="sailjada-prod", Key="events/new.html", Body=b"<h1>new</h1>\n")
    boto3.client("lambda", **aws).update_function_configuration(FunctionName="jada-contact-form",
                                                                Description="contact form v2")
    boto3.client("iam", **aws).create_user(UserName="jada-bookings")
    outputs = {
        "a": g("capture", "--shard", "a", "--only", "s3").out,
        "b": g("capture", "--shard", "b", "--only", "lambda").out,
        "rest": g("capture", "--shard", "rest", *[arg for svc in REST for arg in ("--only", svc)]).out,
    }
    plain = Gitsnap(repo=g.repo.parent / "plain", env=g.env)
    shutil.copytree(g.repo, plain.repo, symlinks=True)
    plain("capture")
    return {**info, "shards": outputs, "plain": plain.head()}


def _shards(capture_once, copy_of) -> tuple[Gitsnap, dict[str, Any], Any]:
    return copy_of(capture_once("sample", "commit", "--from-shards", "--tag", "v1", setup=_change_and_shard))


def test_three_shards_combine_into_one_snapshot_that_git_and_verify_accept(capture_once, copy_of) -> None:
    g, info, result = _shards(capture_once, copy_of)

    for name, out in info["shards"].items():
        shard = g.git("rev-parse", f"refs/gitsnap/shards/{name}").strip()
        assert f"Shard {name} {shard[:12]} written; combine with `gitsnap commit --from-shards`" in out
    v1 = g.git("rev-parse", "v1^{commit}").strip()
    assert result.code == 0, result.err
    assert f"Snapshot {v1[:12]} committed from 3 shards, tagged v1." in result.out
    assert g.head() == v1
    assert g.git("rev-list", "v0..main").split() == [v1]  # exactly one new commit on main
    assert g.git("rev-parse", "v1^").strip() == g.git("rev-parse", "v0^{commit}").strip()
    trailers = g.git("log", "-1", "--format=%(trailers:key=Gitsnap-Shard,valueonly)", "v1").split("\n")
    assert sorted(t for t in trailers if t) == sorted(
        f"{name} {g.git('rev-parse', f'refs/gitsnap/shards/{name}').strip()}" for name in ("a", "b", "rest"))
    fsck = subprocess.run(["git", "-C", str(g.repo), "fsck", "--strict"], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    verified = g("verify", "v1")
    assert "verified" in verified.out
    changed = g("diff", "v0", "v1", "--format", "json").out
    assert "events/new.html" in changed and "contact form v2" in changed and "jada-bookings" in changed


def test_the_combined_snapshot_is_what_one_plain_capture_writes(capture_once, copy_of) -> None:
    """The plain capture (made in a copy, fetched here) and v1: same files but the manifests'
    capture time, same manifest but that time, and ``gitsnap diff`` finds no difference."""
    g, info, _ = _shards(capture_once, copy_of)
    g.git("fetch", "-q", str(g.repo.parent / "plain"), "main:refs/heads/plain")
    plain = g.git("rev-parse", "plain").strip()
    assert plain == info["plain"]
    assert g.git("rev-parse", "plain^").strip() == g.git("rev-parse", "v1^").strip()  # both follow v0

    assert g.git("diff-tree", "-r", "--name-only", "v1", "plain").split() == ["MANIFEST.md", "manifest.json"]
    combined, single = g.manifest("v1"), g.manifest("plain")
    assert {k: v for k, v in combined.items() if k not in TIMES} == {k: v for k, v in single.items() if k not in TIMES}
    assert json.dumps(combined["covered"]["services"]) == json.dumps(sorted(registry.aws_services()))
    diff = g("diff", "--exit-code", "v1", "plain")
    assert diff.out.strip() == "No differences."


def test_a_combined_shard_is_not_combined_again_and_a_shard_takes_no_tag(capture_once, copy_of) -> None:
    g, _, _ = _shards(capture_once, copy_of)
    before = g.refs()

    again = g("commit", "--from-shards", check=False)
    assert again.code == 2
    v1 = g.git("rev-parse", "v1^{commit}").strip()
    a = g.git("rev-parse", "refs/gitsnap/shards/a").strip()
    assert f"shard a ({a[:12]}) was already combined into {v1[:12]}" in again.err
    tagged = g("capture", "--shard", "a", "--only", "s3", "--tag", "v2", check=False)
    assert tagged.code == 2 and "--shard writes a shard, not a snapshot, so it takes no --tag" in tagged.err
    assert g.refs() == before  # (a bad shard name, and no shards at all: tests/unit/test_shards.py)
