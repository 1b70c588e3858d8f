"""drift: live vs a snapshot, nothing written; [ignore] silences and says so."""

from __future__ import annotations

import json

import pytest

from gitsnap.sandbox import estate as sample

pytestmark = pytest.mark.e2e


def object_count(g) -> int:
    return sum(1 for p in (g.repo / "objects").rglob("*") if p.is_file())


def test_drift_reports_live_changes_and_writes_nothing(gitsnap, endpoint):
    ids = sample.seed(endpoint)
    gitsnap("capture", "--tag", "v1.0")
    assert gitsnap("drift").code == 0
    sample.change(endpoint)
    refs, objects = gitsnap.refs(), object_count(gitsnap)
    r = gitsnap("drift", check=False)
    assert r.code == 1
    dist = ids["distributions"]["sailjada-prod"]
    # each resource named the way people know it, next to its id (issue 15): the distribution
    # by its alias, the bucket by its website; the function has no description, so no label
    alias, website = "www.sailjada-prod.example", "sailjada-prod.s3-website-us-east-1.amazonaws.com"
    assert f"cloudfront/{dist} ({alias})  DistributionConfig.DefaultCacheBehavior.DefaultTTL: 86400 -> 60" in r.out
    assert "lambda/jada-event-processor  Configuration.Timeout: 10 -> 30" in r.out
    assert f"s3/sailjada-prod ({website})  key 'events/james-taylor.html': changed" in r.out
    assert "cloudfront: 1 resource drifted (1 changed)" in r.out and "s3: 1 resource drifted (1 changed)" in r.out
    assert gitsnap.refs() == refs and object_count(gitsnap) == objects  # nothing written
    scoped = json.loads(gitsnap("drift", "--only", "lambda", "--format", "json", check=False).out)
    assert {c["address"] for c in scoped["changes"]} == {"lambda/jada-event-processor"}
    assert scoped["to"] == "live"
    whole = json.loads(gitsnap("drift", "--format", "json", check=False).out)["changes"]
    assert {(c["address"], c.get("label")) for c in whole} == {
        (f"cloudfront/{dist}", alias), ("lambda/jada-event-processor", None), ("s3/sailjada-prod", website)}
    md = gitsnap("drift", "--format", "markdown", check=False).out
    assert md.startswith("### gitsnap drift: live vs HEAD") and f"**`cloudfront/{dist}`** ({alias})" in md


def test_ignore_rules_silence_noise_and_say_so(gitsnap, endpoint):
    sample.seed(endpoint)
    gitsnap("capture", "--tag", "v1.0")
    sample.clients(endpoint)("lambda").update_function_configuration(FunctionName="jada-contact-form", Timeout=9)
    cfg = gitsnap.repo / "gitsnap.toml"
    cfg.write_text('[[ignore]]\naddress = "lambda/*"\npath = "Configuration.Timeout"\n'
                   'reason = "timeouts are tuned by hand during incidents"\n')
    r = gitsnap("drift")
    assert r.code == 0
    assert "ignored 1 change: lambda/* Configuration.Timeout (timeouts are tuned by hand during incidents)" in r.out
    gitsnap("capture")
    out = gitsnap("diff", "v1.0", "HEAD", "--format", "json").out
    doc = json.loads(out)
    assert doc["changes"] == [] and doc["ignored"][0]["count"] == 1
    cfg.write_text('[[ignore]]\naddress = "lambda/*"\n')
    bad = gitsnap("drift", check=False)
    assert bad.code == 2 and "key ignore.0" in bad.err


def test_a_certificate_being_issued_is_recorded_but_is_no_drift_and_no_difference(gitsnap, endpoint, monkeypatch):
    """ACM issues a DNS-validated certificate by itself. moto does so once MOTO_ACM_VALIDATION_WAIT
    seconds have passed since the request (read on every describe, in this process, where the
    server runs): held pending for the first capture, issued right after it."""
    import moto.settings

    monkeypatch.setattr(moto.settings, "ACM_VALIDATION_WAIT", 3600)
    sample.seed(endpoint)
    gitsnap("capture", "--only", "acm", "--tag", "v1.0")
    monkeypatch.setattr(moto.settings, "ACM_VALIDATION_WAIT", -1)
    r = gitsnap("drift", "--only", "acm")
    assert r.code == 0 and r.out.startswith("No differences.")
    gitsnap("capture", "--only", "acm", "-m", "issued")
    assert "issued" in gitsnap("log").out  # the new state is recorded in a commit...
    assert gitsnap("diff", "v1.0", "HEAD").out == "No differences.\n"  # ...that changes no configuration
    (address,) = [a for a in gitsnap.manifest()["resources"] if a.startswith("acm/")]
    path = gitsnap.manifest()["resources"][address]["path"]
    old, new = (json.loads(gitsnap.show(f"{rev}:{path}")) for rev in ("v1.0", "HEAD"))
    assert old["status"]["Certificate"]["Status"] == "PENDING_VALIDATION" and "Status" not in old["Certificate"]
    assert new["status"]["Certificate"]["Status"] == "ISSUED" and new["Certificate"] == old["Certificate"]


def test_a_resource_created_in_a_service_the_snapshot_holds_none_of_is_drift(gitsnap, endpoint):
    """The snapshot holds no DynamoDB table (there was none to capture), yet DynamoDB is
    configured: a table created since is drift, reported as added. Drift reads every configured
    service live, not only the services the snapshot holds resources of."""
    (gitsnap.repo / "gitsnap.toml").write_text('[aws]\nservices = ["s3", "dynamodb"]\n')
    aws = sample.clients(endpoint)
    aws("s3").create_bucket(Bucket="drift-kept")
    gitsnap("capture", "--tag", "v1.0")
    assert sorted(gitsnap.manifest()["resources"]) == ["s3/drift-kept"]
    aws("dynamodb").create_table(
        TableName="orders", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    r = gitsnap("drift", "--format", "json", check=False)
    assert r.code == 1, r.out + r.err
    report = json.loads(r.out)
    assert [(c["address"], c["kind"]) for c in report["changes"]] == [("dynamodb/orders", "added")]
