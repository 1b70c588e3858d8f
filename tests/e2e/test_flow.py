"""The request-flow map of a real capture: written into the snapshot, printed, drawn, and a
deleted origin bucket reported as a dangling link."""

from __future__ import annotations

import json

import pytest

from gitsnap.sandbox import estate as sample

pytestmark = pytest.mark.e2e


def test_a_deleted_origin_bucket_is_a_dangling_link(gitsnap, endpoint, tmp_path):
    sample.seed(endpoint)
    gitsnap("capture", "--tag", "v1.0")
    stored = json.loads(gitsnap.show("v1.0:flow.json"))
    www = next(r for r in stored["routes"] if r["domain"] == "www.sailjada.com")
    assert www["to"].startswith("cloudfront/")
    assert [o["to"] for o in www["via"]["origins"]] == ["s3/sailjada-prod"]
    assert stored["dangling"] == []
    shown = gitsnap("flow", "v1.0")
    assert "www.sailjada.com CNAME" in shown.out and "-> s3/sailjada-prod" in shown.out

    s3 = sample.clients(endpoint)("s3")
    listed = s3.list_object_versions(Bucket="sailjada-prod")  # the bucket is versioned
    for v in listed.get("Versions", []) + listed.get("DeleteMarkers", []):
        s3.delete_object(Bucket="sailjada-prod", Key=v["Key"], VersionId=v["VersionId"])
    s3.delete_bucket(Bucket="sailjada-prod")
    gitsnap("capture", "--tag", "v1.1")
    r = gitsnap("flow", "v1.1", check=False)
    assert r.code == 1, r.out + r.err
    assert "sailjada-prod.s3.amazonaws.com: bucket sailjada-prod is not in the snapshot" in r.out
    out = tmp_path / "report.html"
    gitsnap("report", "v1.0", "v1.1", "--output", str(out))
    page = out.read_text()
    assert "Request flow" in page and "dangling link: cloudfront/" in page
