"""The whole estate, and exactly the plan: buckets in every region, archived and KMS-denied
objects recorded instead of stopping the capture, and units the plan dropped gone.

Only S3 is configured (``services = ["s3"]``), so each capture is quick. moto's server does
the archive part for real: a GLACIER object's GET is refused with ``InvalidObjectState``,
RestoreObject makes a readable copy at once, and HeadObject then says
``ongoing-request="false"``. It cannot deny one object's GET on its KMS key, so that one
request is refused by the fault proxy (tests/faults.py), with the 403 AccessDenied S3 sends.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from gitsnap.sandbox import estate as sample

from ..faults import Rule

pytestmark = pytest.mark.e2e

ACCOUNT = sample.ACCOUNT


def s3(endpoint: str, region: str = "us-east-1"):
    return sample.clients(endpoint, region)("s3")


def make_bucket(endpoint: str, name: str, region: str, objects: dict[str, bytes]) -> None:
    c = s3(endpoint, region)
    if region == "us-east-1":
        c.create_bucket(Bucket=name)
    else:
        c.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    for key, body in objects.items():
        c.put_object(Bucket=name, Key=key, Body=body)


def index(g, bucket: str, region: str, rev: str = "HEAD") -> dict[str, dict]:
    data = g.show(f"{rev}:aws/{ACCOUNT}/{region}/s3/bucket/{bucket}/objects.jsonl").decode("utf-8")
    return {e["key"]: e for e in map(json.loads, data.splitlines())}


def blob(g, entry: dict) -> bytes:
    return g.git("cat-file", "blob", entry["blob"], binary=True)


def test_buckets_in_every_region_are_captured_and_explicit_regions_say_what_they_leave_out(gitsnap, endpoint, proxy):
    """Issue #11 "silently skips buckets in other regions": with no [aws] regions, a bucket in
    eu-west-1 was absent from the snapshot (exit 0, no warning). Now every bucket ListBuckets
    returns is captured, in the unit of its region; explicit regions record the others as seen.
    A denied ListBuckets (the fault proxy's 403) says nothing about where buckets are: the
    eu-west-1 unit is kept, marked failed, not dropped."""
    make_bucket(endpoint, "shop-east", "us-east-1", {"index.html": b"<p>east</p>\n"})
    make_bucket(endpoint, "shop-eu", "eu-west-1", {"index.html": b"<p>eu</p>\n"})
    (gitsnap.repo / "gitsnap.toml").write_text('[aws]\nservices = ["s3"]\n')

    r = gitsnap("capture")
    manifest = gitsnap.manifest()
    assert manifest["resources"]["s3/shop-eu"]["region"] == "eu-west-1"
    assert manifest["units"][f"aws/{ACCOUNT}/eu-west-1/s3"]["status"] == "ok"
    assert blob(gitsnap, index(gitsnap, "shop-eu", "eu-west-1")["index.html"]) == b"<p>eu</p>\n"
    bucket = json.loads(gitsnap.show(f"HEAD:aws/{ACCOUNT}/eu-west-1/s3/bucket/shop-eu/bucket.json"))
    assert bucket["Region"] == "eu-west-1"
    assert manifest["covered"]["aws"][ACCOUNT] == {
        "regions": ["eu-west-1", "us-east-1"], "regions_from": "session", "services": ["s3"]}
    assert manifest["seen_not_captured"] == []
    assert f"account {ACCOUNT}: eu-west-1, us-east-1" in r.out

    p, url = proxy
    p.rules.append(Rule("GET", r"^/(\?.*)?$", code="AccessDenied"))  # ListBuckets: GET on the service root
    r = gitsnap("capture", "--allow-partial", check=False, env={"AWS_ENDPOINT_URL": url})
    assert r.code == 3, r.err
    manifest = gitsnap.manifest()
    assert manifest["units"][f"aws/{ACCOUNT}/eu-west-1/s3"]["status"] == "failed"
    assert "s3/shop-eu" in manifest["resources"] and "no longer captured" not in r.out

    # explicit regions: the eu-west-1 bucket is seen, not captured, and its unit is no longer captured
    (gitsnap.repo / "gitsnap.toml").write_text('[aws]\nregions = ["us-east-1"]\nservices = ["s3"]\n')
    r = gitsnap("capture")
    manifest = gitsnap.manifest()
    assert "s3/shop-eu" not in manifest["resources"] and "s3/shop-east" in manifest["resources"]
    assert f"aws/{ACCOUNT}/eu-west-1/s3" not in manifest["units"]
    [seen] = manifest["seen_not_captured"]
    assert (seen["address"], seen["region"]) == ("s3/shop-eu", "eu-west-1")
    assert "not in this capture's regions" in seen["reason"]
    assert "seen, not captured: 1 resource" in r.out and "s3/shop-eu in eu-west-1" in r.out
    assert f"no longer captured: aws/{ACCOUNT}/eu-west-1/s3 (not in this capture's plan" in r.out
    assert "## Seen, not captured" in gitsnap.show("HEAD:MANIFEST.md").decode()


def test_a_dropped_region_is_gone_from_the_next_full_snapshot_and_kept_by_only(gitsnap, endpoint):
    """Issue #11 "keeps units it no longer plans": drop a region from the config and delete its
    bucket, and the next snapshot still listed the bucket, its unit marked ok."""
    make_bucket(endpoint, "shop-east", "us-east-1", {"a.txt": b"a\n"})
    make_bucket(endpoint, "shop-west", "us-west-2", {"b.txt": b"b\n"})
    cfg = gitsnap.repo / "gitsnap.toml"
    cfg.write_text('[aws]\nregions = ["us-east-1", "us-west-2"]\nservices = ["s3"]\n')
    gitsnap("capture", "--tag", "v1")
    assert "s3/shop-west" in gitsnap.manifest()["resources"]

    cfg.write_text('[aws]\nregions = ["us-east-1"]\nservices = ["s3"]\n')
    west = s3(endpoint, "us-west-2")
    west.delete_object(Bucket="shop-west", Key="b.txt")
    west.delete_bucket(Bucket="shop-west")
    unit = f"aws/{ACCOUNT}/us-west-2/s3"

    # --only another service does not read S3: its units, this one too, keep their subtrees
    gitsnap("capture", "--only", "lambda")
    assert gitsnap.manifest()["units"][unit]["status"] == "ok"
    assert "s3/shop-west" in gitsnap.manifest()["resources"]

    r = gitsnap("capture", "--tag", "v2")
    manifest = gitsnap.manifest()
    assert unit not in manifest["units"]
    assert "s3/shop-west" not in manifest["resources"]
    assert f"no longer captured: {unit} (not in this capture's plan: region us-west-2 is not among its regions: us-east-1)" in r.out
    assert gitsnap.git("ls-tree", "-r", "--name-only", "v2", f"aws/{ACCOUNT}/us-west-2").strip() == ""
    changes = json.loads(gitsnap("diff", "v1", "v2", "--format", "json").out)["changes"]
    assert {(c["address"], c["kind"]) for c in changes} == {("s3/shop-west", "removed")}
    assert f"no longer captured: {unit}" in gitsnap.git("log", "-1", "--format=%B", "v2")


def test_archived_and_kms_denied_objects_are_recorded_and_an_archive_can_be_thawed(gitsnap, endpoint, proxy):
    """Issue #11 "stops every capture on one archived object": one GLACIER object raised
    InvalidObjectState, exit 2, nothing written (a KMS-denied object took the same path)."""
    p, url = proxy
    make_bucket(endpoint, "vault", "us-east-1", {"live.txt": b"readable\n"})
    c = s3(endpoint)
    c.put_object(Bucket="vault", Key="old/2019.tar", Body=b"frozen bytes", StorageClass="GLACIER",
                 ContentType="application/x-tar")
    c.put_object(Bucket="vault", Key="secret.bin", Body=b"kms bytes", ServerSideEncryption="aws:kms")
    # moto does not refuse a GET for want of kms:Decrypt: the proxy does, as S3 would (403)
    p.rules.append(Rule("GET", r"^/vault/secret\.bin(\?|$)", status=403, code="AccessDenied"))
    (gitsnap.repo / "gitsnap.toml").write_text('[aws]\nservices = ["s3"]\n')
    env = {"AWS_ENDPOINT_URL": url}

    r = gitsnap("capture", "--tag", "v1", env=env)
    assert "s3/vault: 2 objects could not be read" in r.err
    assert "--restore-archived" in r.err
    assert "recorded without a body: 2 objects in 1 bucket" in r.out
    entries = index(gitsnap, "vault", "us-east-1")
    frozen = entries["old/2019.tar"]
    assert frozen["unreadable"] == "archived: GLACIER" and "blob" not in frozen and "sha256" not in frozen
    assert (frozen["size"], frozen["etag"], frozen["storage_class"], frozen["content_type"]) == (
        12, hashlib.md5(b"frozen bytes").hexdigest(), "GLACIER", "application/x-tar")
    assert entries["secret.bin"]["unreadable"] == "kms: access denied" and "blob" not in entries["secret.bin"]
    assert blob(gitsnap, entries["live.txt"]) == b"readable\n"
    manifest = gitsnap.manifest()
    assert manifest["resources"]["s3/vault"]["unreadable"] == 2
    assert manifest["totals"]["unreadable_objects"] == 2
    # nothing changed: live state read the same way is no drift
    assert gitsnap("drift", env=env).out.strip().endswith("No differences.")

    # ask S3 to thaw it; moto restores at once, a real one takes hours (Bulk tier)
    gitsnap("capture", "--restore-archived", "2", env=env)
    assert index(gitsnap, "vault", "us-east-1")["old/2019.tar"]["unreadable"] == "archived: GLACIER (restore requested)"
    assert 'ongoing-request="false"' in c.head_object(Bucket="vault", Key="old/2019.tar")["Restore"]

    # after the thaw, a capture stores the body
    r = gitsnap("capture", env=env)
    thawed = index(gitsnap, "vault", "us-east-1")["old/2019.tar"]
    assert "unreadable" not in thawed and blob(gitsnap, thawed) == b"frozen bytes"
    assert thawed["sha256"] == hashlib.sha256(b"frozen bytes").hexdigest()
    assert "s3/vault: 1 object could not be read" in r.err
    assert gitsnap.manifest()["totals"]["unreadable_objects"] == 1
