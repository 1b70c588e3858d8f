"""gitsnap forget: restic's retention rules (pure, tables and properties) and the history rewrite
on a real snapshot repository (trees unchanged, tags re-created, ref moves recoverable)."""

from __future__ import annotations

import datetime
import subprocess
import time
import types
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitsnap.store import ConcurrentUpdateError, SnapshotStore
from gitsnap.store import forget as fg
from gitsnap.store.keep import Policy, Snap, transform_parents, transform_policy

DAY = 86400


def _t(text: str) -> int:
    return int(datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC).timestamp())


def _snaps(*dates: str, tags: dict[int, tuple[str, ...]] | None = None) -> list[Snap]:
    return [Snap(f"c{i}", _t(d), 0, (tags or {}).get(i, ())) for i, d in enumerate(dates)]


def _kept(decisions) -> list[str]:
    return [d.snapshot.id for d in decisions if d.keep]


# -- the policy, by table ---------------------------------------------------------------------

# newest first, as main lists them
WEEK = ["2025-01-14T03:00", "2025-01-13T23:00", "2025-01-13T03:00", "2025-01-12T03:00", "2025-01-11T03:00",
        "2025-01-06T03:00", "2025-01-05T03:00", "2024-12-31T03:00", "2024-12-30T03:00", "2024-11-15T03:00"]


@pytest.mark.parametrize(("policy", "kept"), [
    (Policy(last=3), ["c0", "c1", "c2"]),
    (Policy(last=-1), [f"c{i}" for i in range(10)]),
    # two snapshots on 2025-01-13: only the newer one (c1) is the day's
    (Policy(daily=3), ["c0", "c1", "c3"]),
    # ISO weeks: 2025-W03 (c0), W02 (c3: Sun 12th), W01 (c6: Sun 5th; Mon 30 Dec 2024 is W01 too)
    (Policy(weekly=3), ["c0", "c3", "c6"]),
    (Policy(monthly=2), ["c0", "c7"]),
    (Policy(yearly=5), ["c0", "c7", "c9"]),  # buckets left at the oldest: it is kept too ("oldest")
    (Policy(monthly=-1), ["c0", "c7", "c9"]),
    (Policy(daily=1, weekly=2), ["c0", "c3"]),
    (Policy(tags=("v*",)), ["c0", "c5"]),  # the newest always, and the tagged one
])
def test_policy_table(policy, kept):
    snaps = _snaps(*WEEK, tags={5: ("v1.0",), 6: ("nightly-x",)})
    assert _kept(transform_policy(snaps, policy)) == kept


def test_reasons_name_each_rule_that_kept_a_snapshot():
    snaps = _snaps(*WEEK, tags={0: ("v2",)})
    by_id = {d.snapshot.id: d.reasons for d in transform_policy(snaps, Policy(daily=2, weekly=1, tags=("v*",)))}
    assert by_id["c0"] == ("tag v2 matches 'v*'", "daily snapshot", "weekly snapshot")
    assert by_id["c1"] == ("daily snapshot",)
    assert by_id["c2"] == ()


def test_oldest_is_kept_while_a_rule_has_buckets_left():
    """restic: a rule with counts left at the oldest snapshot keeps it, even in a bucket it kept."""
    snaps = _snaps("2025-01-02T03:00", "2025-01-01T05:00", "2025-01-01T03:00")
    by_id = {d.snapshot.id: d.reasons for d in transform_policy(snaps, Policy(daily=5))}
    assert by_id == {"c0": ("daily snapshot",), "c1": ("daily snapshot",), "c2": ("oldest daily snapshot",)}


def test_the_day_is_the_commits_own_time_zone():
    """23:30 UTC on the 1st is already the 2nd at UTC+2: a day of its own."""
    snaps = [Snap("a", _t("2025-01-01T23:30"), 7200), Snap("b", _t("2025-01-01T12:00"), 7200)]
    assert _kept(transform_policy(snaps, Policy(daily=2))) == ["a", "b"]
    same = [Snap("a", _t("2025-01-01T23:30"), 0), Snap("b", _t("2025-01-01T12:00"), 0),
            Snap("c", _t("2024-12-31T12:00"), 0)]
    assert _kept(transform_policy(same, Policy(daily=1))) == ["a"]


def test_an_empty_policy_is_empty():
    assert Policy().empty() and not Policy(tags=("v*",)).empty() and not Policy(yearly=-1).empty()


def test_parents_change_only_after_the_oldest_forgotten():
    chain = ["a", "b", "c", "d", "e"]  # oldest first
    assert transform_parents(chain, {"a", "b", "d", "e"}) == {"d": "b", "e": "d"}
    assert transform_parents(chain, {"c", "e"}) == {"c": None, "e": "c"}
    assert transform_parents(chain, set(chain)) == {}


# -- the policy, by property ------------------------------------------------------------------

counts = st.integers(min_value=-1, max_value=4)
policies = st.builds(Policy, last=counts, daily=counts, weekly=counts, monthly=counts, yearly=counts,
                     tags=st.lists(st.sampled_from(["v*", "nightly-*", "x"]), max_size=2).map(tuple))
TAG_NAMES = st.sampled_from(["v1", "v2.0", "nightly-1", "release", "x"])


@st.composite
def histories(draw) -> list[Snap]:
    """Snapshots newest first, times never increasing down the chain (as captures make them)."""
    gaps = draw(st.lists(st.integers(min_value=0, max_value=40 * DAY), min_size=1, max_size=25))
    at = _t("2026-06-01T03:00")
    out = []
    for i, gap in enumerate(gaps):
        at -= gap
        out.append(Snap(f"c{i}", at, draw(st.sampled_from([0, 3600, -18000])),
                        tuple(draw(st.lists(TAG_NAMES, max_size=2, unique=True)))))
    return out


@given(histories(), policies)
def test_newest_always_kept(snaps, policy):
    assert transform_policy(snaps, policy)[0].keep


@given(histories(), policies)
def test_a_keep_tag_match_is_always_kept(snaps, policy):
    import fnmatch

    for d in transform_policy(snaps, policy):
        if any(fnmatch.fnmatchcase(t, g) for t in d.snapshot.tags for g in policy.tags):
            assert d.keep


@given(histories(), policies)
def test_applying_twice_forgets_nothing_more(snaps, policy):
    first = [d.snapshot for d in transform_policy(snaps, policy) if d.keep]
    assert all(d.keep for d in transform_policy(first, policy))


# -- the rewrite, on a repository -------------------------------------------------------------


def _at(when: int):
    return mock.patch("gitsnap.store.repo.time", types.SimpleNamespace(time=lambda: when, monotonic=time.monotonic))


def build(path: Path, nights: int, tags: dict[int, str], lightweight: dict[int, str] | None = None) -> SnapshotStore:
    """A repository of *nights* snapshots a day apart (night 0 oldest); documents and a body each."""
    store = SnapshotStore.init(path)
    head = None
    with store.lock():
        for n in range(nights):
            files = {"MANIFEST.md": store.add_bytes(b"night %d\n" % n),
                     "blobs/shared": store.add_stream(5, [b"same\n"])[0],
                     f"blobs/n{n}": store.add_stream(9, [b"body %04d" % n])[0]}
            tree = store.write_tree(files, store.root_tree(head))
            with _at(_t("2025-03-01T03:00") + n * DAY):
                commit = store.commit(tree, head, f"night {n}\n\nbody of the message")
                store.advance(head, commit)
                if n in tags:
                    store.tag(tags[n], commit, f"tag {tags[n]}")
            head = commit
            if lightweight and n in lightweight:
                store._repo.refs[b"refs/tags/" + lightweight[n].encode()] = commit.encode()
    return store


def _trees(store: SnapshotStore) -> list[tuple[str, int, str]]:
    return [(store.root_tree(e.id), e.time, e.message) for e in store.log()]


def _fsck(path: Path) -> None:
    subprocess.run(["git", "-C", str(path), "fsck", "--strict", "--no-dangling"], check=True, capture_output=True)


def test_rewrite_keeps_trees_messages_dates_and_moves_tags(tmp_path):
    store = build(tmp_path / "r", 10, {0: "v1.0", 4: "nightly-4", 7: "v1.7"}, lightweight={8: "light"})
    before = _trees(store)
    old_tags = store.tags()
    old_tag_obj = store._object(dict(store.refs())["refs/tags/v1.7"], "tag")
    plan, result = fg.forget(store, Policy(last=2, tags=("v*", "light")))
    kept_nights = [9, 8, 7, 0]  # newest first
    assert _trees(store) == [before[9 - n] for n in kept_nights]
    assert sorted(store.tags()) == ["light", "v1.0", "v1.7"]  # nightly-4's snapshot was forgotten
    assert store.tags()["v1.0"] == old_tags["v1.0"]  # older than every forgotten one: unchanged
    assert result.rewritten == {old_tags[t]: store.tags()[t] for t in ("v1.7", "light")} | \
        {plan.head: store.head()}
    new_tag_obj = store._object(dict(store.refs())["refs/tags/v1.7"], "tag")
    assert (new_tag_obj.tagger, new_tag_obj.tag_time, new_tag_obj.message, new_tag_obj.name) == \
        (old_tag_obj.tagger, old_tag_obj.tag_time, old_tag_obj.message, old_tag_obj.name)
    assert result.tags_deleted == ["nightly-4"] and sorted(result.tags_moved) == ["light", "v1.7"]
    assert not (store.path / fg.JOURNAL).exists()
    store.close()
    _fsck(tmp_path / "r")


@settings(max_examples=8, deadline=None)
@given(st.sets(st.integers(min_value=0, max_value=6)), st.integers(min_value=0, max_value=3))
def test_every_kept_tree_is_unchanged_and_a_second_apply_changes_nothing(tmp_path_factory, tagged, last):
    path = tmp_path_factory.mktemp("prop") / "r"
    store = build(path, 7, {n: f"v{n}" for n in tagged})
    before = {e.id: store.root_tree(e.id) for e in store.log()}
    policy = Policy(last=last, tags=("v*",)) if last or tagged else Policy(daily=1)
    plan, result = fg.forget(store, policy)
    after = {e.id: store.root_tree(e.id) for e in store.log()}
    assert [before[d.snapshot.id] for d in plan.kept] == [store.root_tree(e.id) for e in store.log()]
    for old, new in result.rewritten.items():
        assert after[new] == before[old]
    assert all(store.tags()[f"v{n}"] in after for n in tagged)
    head = store.head()
    _, again = fg.forget(store, policy)
    assert again.forgotten == [] and store.head() == head
    store.close()


def test_main_moved_meanwhile_changes_nothing(tmp_path):
    store = build(tmp_path / "r", 4, {1: "v1"})
    refs = store.refs()
    with mock.patch.object(fg, "_move", return_value=False), pytest.raises(ConcurrentUpdateError):
        fg.forget(store, Policy(last=1))
    assert store.refs() == refs and not (store.path / fg.JOURNAL).exists()


def test_a_tag_that_did_not_move_is_finished_by_the_next_run(tmp_path):
    """Main moved, a tag's compare-and-swap failed: it still names the old commit (whole), the
    journal stays, and the next forget (or gc) run moves it."""
    store = build(tmp_path / "r", 5, {0: "v0", 3: "v3"})
    old_v3 = store.tags()["v3"]
    real = fg._move

    def tags_fail(s, ref, old, new):
        return False if b"tags" in (ref if isinstance(ref, bytes) else ref.encode()) else real(s, ref, old, new)

    with mock.patch.object(fg, "_move", tags_fail), pytest.raises(fg.TagsNotMovedError, match="v3"):
        fg.forget(store, Policy(last=1, tags=("v*",)))
    assert store.tags()["v3"] == old_v3 and (store.path / fg.JOURNAL).exists()
    assert store.root_tree(old_v3) is not None  # the old commit is still there
    with store.lock():
        assert fg.resume(store) == ["v3"]
    assert store.tags()["v3"] in {e.id for e in store.log()}
    assert not (store.path / fg.JOURNAL).exists()
    store.close()
    _fsck(tmp_path / "r")


def test_a_journal_whose_main_never_moved_is_dropped(tmp_path):
    store = build(tmp_path / "r", 3, {0: "v0"})
    refs = store.refs()
    fg._write_journal(store, store.head(), "0" * 40, [("refs/tags/v0", store.refs()[-1][1], None)])
    with store.lock():
        assert fg.resume(store) == []
    assert store.refs() == refs and not (store.path / fg.JOURNAL).exists()
    store.close()


def test_a_merge_on_main_is_refused(tmp_path):
    store = build(tmp_path / "r", 2, {})
    head = store.head()
    with store.lock():
        merge = store.commit(store.root_tree(head), head, "merge")
        c = store._object(merge, "commit")
        c.parents = [head.encode(), store.log()[1].id.encode()]
        store._add_object(c)
        store.advance(head, c.id.decode())
    with pytest.raises(fg.ForgetError, match="merge"):
        fg.get_plan(store, Policy(last=1))
    store.close()
