"""End to end: two weeks of nightly captures, then ``gitsnap forget --apply`` and ``gitsnap gc --apply``
run by the installed command, checked with the git CLI as a user would.

The nights are real S3 captures from the moto server, run in this process with the store's
clock set to each night (capture has no option to date a commit, and a real year of nights
cannot be waited for): only ``gitsnap.store.repo``'s ``time`` is replaced, so commit and tag
dates are the nights' and everything else runs as it does for a user. Seven nights spread over
three ISO weeks (not every night: each rule is still shown apart, at about half the captures;
the rules bucket by bucket are tested in tests/unit/test_forget.py): the daily rule keeps the
two newest, the weekly rule keeps one the daily rule does not (the newest of the week before),
a ``v*`` tag keeps the oldest and one mid-chain, a nightly tag of a forgotten night is deleted
and one of a kept night follows its rewritten commit. One bucket of 60 objects with long keys
makes its ``objects.jsonl`` big enough for the documents pack (deltas), and each night changes
two bodies (page 0's every night, so the forgotten nights' versions of it are garbage, and one
other that stays), so each night's pack ends half reachable.
"""

from __future__ import annotations

import os
import subprocess
import time
import types
from unittest import mock

import pytest
from click.testing import CliRunner

from gitsnap.cli import cli
from gitsnap.sandbox import estate as sample
from gitsnap.store import SnapshotStore
from gitsnap.verify import verify

from ..conftest import Gitsnap, base_env

pytestmark = pytest.mark.e2e

BUCKET = "nightly"
CONFIG = '[aws]\nregions = ["us-east-1"]\nservices = ["s3"]\n'
# Days after FIRST: Wed 1, Fri 3 Jan (ISO week 1); Wed 8, Fri 10, Sun 12 (week 2); Mon 13, Tue 14 (week 3).
NIGHTS = (0, 2, 7, 9, 11, 12, 13)
OBJECTS = 60
FIRST = 1_735_700_400  # 2025-01-01 03:00 UTC, a Wednesday
POLICY = ("--keep-daily", "2", "--keep-weekly", "2", "--keep-tag", "v*")


def _capture(repo, env, when: int, tag: str | None) -> None:
    fake = types.SimpleNamespace(time=lambda: when, monotonic=time.monotonic)
    args = ["--repo", str(repo), "capture"] + (["--tag", tag] if tag else [])
    with mock.patch("gitsnap.store.repo.time", fake), mock.patch.dict(os.environ, env):
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output


def _key(i: int) -> str:
    return f"pages/{'section/' * 110}page-{i:03d}.html"  # about 1 KiB: objects.jsonl passes 64 KiB


def _tag(night: int) -> str | None:
    if night % 7 == 0:
        return f"v1.{night}"
    return f"nightly-{night:02d}" if night in (2, 12) else None  # one forgotten night, one kept


@pytest.fixture(scope="module")
def nights(moto_server, tmp_path_factory):
    """A repository of the nightly snapshots, before and after forget + gc (one run for the module)."""
    moto_server.reset()
    root = tmp_path_factory.mktemp("maintenance")
    g = Gitsnap(repo=root / "snap", env=base_env(root, moto_server.endpoint, moto_server.lightsail_endpoint))
    g("init")
    (g.repo / "gitsnap.toml").write_text(CONFIG)
    s3 = sample.clients(moto_server.endpoint)("s3")
    s3.create_bucket(Bucket=BUCKET)
    for i in range(OBJECTS):
        s3.put_object(Bucket=BUCKET, Key=_key(i), Body=b"<p>page %d</p>\n" % i * 8)
    for night in NIGHTS:
        for k in (0, night + 1):  # page 0's body of a forgotten night is then no one's; the other stays
            s3.put_object(Bucket=BUCKET, Key=_key(k), Body=os.urandom(3000))
        _capture(g.repo, g.env, FIRST + night * 86400, _tag(night))
    before = {
        "log": g.git("log", "--format=%H %ct %T"),
        "tags": {t: g.git("rev-parse", f"{t}^{{tree}}").strip() for t in g.git("tag").split()},
        "count": _count(g),
        "diff": g("diff", "v1.0", "v1.7").out,
        "plan": g("forget", *POLICY),
    }
    forgot = g("forget", *POLICY, "--apply")
    collected = g("gc", "--apply")
    return g, before, forgot, collected


def _count(g: Gitsnap) -> dict[str, int]:
    lines = g.git("count-objects", "-v").splitlines()  # type: ignore[union-attr]
    return {k: int(v) for k, v in (line.split(": ") for line in lines)}


def _expected_kept() -> list[int]:
    """The nights the policy keeps, worked out by hand: the 2 newest days (13, 12), the newest
    snapshot of the 2 newest ISO weeks (13 = Tue 2025-01-14, 11 = Sun 2025-01-12: kept by the
    weekly rule alone), the v* tags (0, 7). Nights 2 and 9 go."""
    daily = {13, 12}
    weekly = {13, 11}
    tagged = {n for n in NIGHTS if n % 7 == 0}
    return sorted(daily | weekly | tagged, reverse=True)


def test_forget_keeps_exactly_the_policy_and_the_trees(nights):
    """git log shows exactly the kept snapshots, each with the tree it had; tags kept follow them."""
    g, before, forgot, _ = nights
    assert "forget" in before["plan"].out and "Run with --apply" in before["plan"].out
    assert before["plan"].code == 0
    old = dict(zip(reversed(NIGHTS), (line.split() for line in before["log"].splitlines()), strict=True))
    kept = _expected_kept()  # old: night -> (id, time, tree), read newest first: night 13 .. 0
    now = [line.split() for line in g.git("log", "--format=%H %ct %T").splitlines()]
    assert [(ct, tree) for _, ct, tree in now] == [(old[n][1], old[n][2]) for n in kept]
    assert len(g.git("log", "--oneline").splitlines()) == len(kept)
    tags_now = g.git("tag").split()
    kept_tags = [_tag(n) for n in kept if _tag(n)]
    assert sorted(tags_now) == sorted(kept_tags) == ["nightly-12", "v1.0", "v1.7"]  # nightly-02 went
    now_ids = [cid for cid, _, _ in now]
    for tag in tags_now:
        assert g.git("rev-parse", f"{tag}^{{tree}}").strip() == before["tags"][tag]
        assert g.git("rev-parse", f"{tag}^{{commit}}").strip() in now_ids  # on the rewritten main
        assert g.git("cat-file", "-t", tag).strip() == "tag"  # still annotated
    assert now_ids[kept.index(12)] != old[12][0]  # newer than a forgotten night: a new commit id
    assert now_ids[kept.index(0)] == old[0][0]  # older than every forgotten night: unchanged
    assert "Forgot" in forgot.out


def test_gc_leaves_a_clean_smaller_repository_that_verifies(nights):
    """fsck --strict is clean, fewer objects and bytes, every kept snapshot verifies, and a diff
    between two kept tags reads exactly as before."""
    g, before, _, collected = nights
    subprocess.run(["git", "-C", str(g.repo), "fsck", "--strict", "--no-dangling"], check=True, capture_output=True)
    after = _count(g)
    assert after["count"] + after["in-pack"] < before["count"]["count"] + before["count"]["in-pack"]
    assert after["size"] + after["size-pack"] < before["count"]["size"] + before["count"]["size-pack"]
    assert after["packs"] < before["count"]["packs"]  # the half-reachable packs, combined
    assert "Removed" in collected.out
    store = SnapshotStore(g.repo)  # every kept snapshot, as 'gitsnap verify REV' checks it (its run_verify)
    try:
        for line in g.git("log", "--format=%H").splitlines():
            assert verify(store, line).problems == []
    finally:
        store.close()
    assert g("diff", "v1.0", "v1.7").out == before["diff"]
    assert "No unreachable objects" in g("gc").out
    assert "nothing to forget" in g("forget", *POLICY, "--apply").out  # applying again changes nothing
