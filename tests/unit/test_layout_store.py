"""The object index round trip, safe path segments, and the store's git guarantees."""

from __future__ import annotations

import os
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitsnap.layout import ObjectEntry, dump_index, load_index, segment
from gitsnap.store import ConcurrentUpdateError, RepositoryError, RevisionError, SnapshotStore
from gitsnap.store.loose import SizeMismatchError

# S3 keys: any Unicode without lone surrogates, up to 1,024 UTF-8 bytes.
s3_keys = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300).filter(
    lambda k: len(k.encode()) <= 1024)


# generating 20 filtered unicode keys (up to 1 KiB each) is slow by itself on a loaded machine
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(s3_keys, unique=True, max_size=20), st.data())
def test_object_index_round_trips_every_key_exactly(keys, data):
    entries = [ObjectEntry(key=k, size=data.draw(st.integers(0, 2**40)), etag="e", sha256="0" * 64,
                           blob="1" * 40, metadata=data.draw(st.none() | st.dictionaries(st.text(max_size=5), st.text(max_size=5))))
               for k in keys]
    raw = dump_index(entries)
    back = list(load_index(raw))
    assert [e.key for e in back] == sorted(keys)
    assert {e.key: e for e in back} == {e.key: (e if e.metadata else ObjectEntry(**{**vars(e), "metadata": None}))
                                        for e in entries}
    assert dump_index(reversed(entries)) == raw  # order of discovery never matters


@given(st.text(min_size=1, max_size=50))
def test_segments_are_single_safe_names(name):
    seg = segment(name)
    assert "/" not in seg and seg not in (".", "..") and not seg.startswith(".") and seg


@pytest.fixture
def store(tmp_path):
    return SnapshotStore.init(tmp_path / "repo")


def test_streamed_blob_matches_git_and_sha256(store, tmp_path):
    body = os.urandom(3 * 1024 * 1024 + 7)
    chunks = (body[i:i + 65536] for i in range(0, len(body), 65536))
    blob, sha = store.add_stream(len(body), chunks)
    store.flush()  # bodies go into a pack, which git sees once it is finished
    (tmp_path / "body").write_bytes(body)
    expected = subprocess.run(["git", "hash-object", str(tmp_path / "body")], capture_output=True, text=True).stdout.strip()
    assert blob == expected
    assert subprocess.run(["git", "-C", str(store.path), "cat-file", "blob", blob], capture_output=True).stdout == body
    import hashlib
    assert sha == hashlib.sha256(body).hexdigest()


def test_short_stream_is_rejected_and_leaves_nothing(store):
    with pytest.raises(SizeMismatchError):
        store.add_stream(10, [b"12345"])
    leftovers = [p for p in (store.path / "objects").rglob("*") if p.is_file()]
    assert leftovers == []


def test_branch_moves_only_by_compare_and_swap(store):
    tree = store.write_tree({"a.json": store.add_bytes(b"{}\n")})
    first = store.commit(tree, None, "one")
    store.advance(None, first)
    second = store.commit(tree, first, "two")
    with pytest.raises(ConcurrentUpdateError):
        store.advance(None, second)  # someone else moved it: refuse
    assert store.head() == first
    store.advance(first, second)
    assert store.resolve("HEAD~1") == first and store.resolve("HEAD^") == first
    store.tag("v1", first, "one")
    with pytest.raises(RepositoryError, match="already exists"):
        store.tag("v1", second, "again")
    store.tag("v1", second, "again", force=True)
    assert store.tags() == {"v1": second}
    with pytest.raises(RevisionError):
        store.resolve("HEAD~5")
    fsck = subprocess.run(["git", "-C", str(store.path), "fsck", "--strict"], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stderr


def test_init_refuses_a_non_empty_directory(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "file").write_text("mine")
    with pytest.raises(RepositoryError, match="not empty"):
        SnapshotStore.init(tmp_path / "x")


# a repository per example, and regex-generated paths: slow on a loaded machine
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.from_regex(r"[a-z]{1,3}(/[a-z]{1,3}){0,2}\.json", fullmatch=True),
                       st.binary(max_size=20), min_size=1, max_size=8))
def test_trees_round_trip(tmp_path_factory, files):
    paths = sorted(files)
    if any(p != q and q.startswith(p.removesuffix(".json") + "/") for p in paths for q in paths):
        return  # a file and a folder of the same name cannot coexist
    store = SnapshotStore.init(tmp_path_factory.mktemp("r") / "repo")
    blobs = {p: store.add_bytes(d) for p, d in files.items()}
    commit = store.commit(store.write_tree(blobs), None, "m")
    assert store.files(commit) == blobs


def test_incompressible_bodies_are_stored_and_still_valid_git(store):
    from gitsnap.store.loose import choose_level

    noise = os.urandom(300_000)
    text = b"<p>sunset sail</p>\n" * 20_000
    assert choose_level(noise) == 0 and choose_level(text) == 1
    for body in (noise, text, b"", b"tiny"):
        blob, _ = store.add_stream(len(body), [body[:70_000], body[70_000:]])
        store.flush()  # bodies go into a pack, which git sees once it is finished
        out = subprocess.run(["git", "-C", str(store.path), "cat-file", "blob", blob], capture_output=True)
        assert out.stdout == body
