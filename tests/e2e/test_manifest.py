"""End to end: the manifest's format 2 (docs/manifest.md) on a capture of the sample estate.

A bucket's bodies are described by its ``objects.jsonl`` only; the manifest lists the other
bodies (Lambda code) and counts them all; ``gitsnap verify`` checks every one, from the index
lines it reads, and names a body whose index line no longer matches it.
"""

from __future__ import annotations

import json

from gitsnap import canonical
from gitsnap.manifest import all_bodies
from gitsnap.sandbox import estate as sample
from gitsnap.store import SnapshotStore


def test_a_capture_lists_only_bodies_no_index_describes_and_verify_checks_them_all(gitsnap, endpoint):
    g = gitsnap
    sample.seed(endpoint)
    g("capture")
    manifest = g.manifest()
    assert manifest["format"] == 2
    paths = g.git("ls-tree", "-r", "--name-only", "HEAD").splitlines()
    indexes = [g.show(f"HEAD:{p}") for p in paths if p.endswith("/objects.jsonl")]
    everything = all_bodies(manifest, indexes)
    in_tree = {p.split("/")[1] + p.split("/")[2] for p in paths if p.startswith("blobs/")}
    assert set(everything) == in_tree
    indexed = set(all_bodies({}, indexes))
    assert indexed and not indexed & set(manifest["bodies"])  # S3 bodies: in their index only
    assert manifest["bodies"] and all(b["sha256"] and b["size"] for b in manifest["bodies"].values())  # Lambda code
    assert manifest["totals"]["bodies"] == len(everything)
    assert manifest["totals"]["body_bytes"] == sum(b["size"] for b in everything.values())
    out = g("verify").out
    assert f"{len(everything)} bodies" in out

    # an index line that no longer matches its body (a hand edit) is named by verify
    index_path = next(p for p in paths if p.endswith("/objects.jsonl") and g.show(f"HEAD:{p}").strip())
    lines = g.show(f"HEAD:{index_path}").split(b"\n")
    at = next(i for i, line in enumerate(lines) if b'"blob":' in line)
    first = json.loads(lines[at])
    lines[at] = canonical.dumps_line({**first, "size": first["size"] + 1}).encode()
    store = SnapshotStore(g.repo)
    with store.lock():
        head = store.head()
        files = store.files(head)
        files[index_path] = store.add_bytes(b"\n".join(lines))
        commit = store.commit(store.write_tree(files), head, "a hand edit\n")
        store.advance(head, commit)
    r = g("verify", check=False)
    assert r.code == 2
    assert f"body {first['blob']}: sha256/size do not match its object index ({index_path})" in r.err
