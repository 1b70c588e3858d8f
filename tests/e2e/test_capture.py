"""End to end: the installed CLI captures a moto-server estate over HTTP; git checks the result."""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess

import pytest

from gitsnap import schemas
from gitsnap.collectors import registry
from gitsnap.sandbox import estate as sample

from . import estate

pytestmark = pytest.mark.e2e


def index(g, rev: str, bucket: str, region: str = "us-east-1") -> list[dict]:
    path = f"{rev}:aws/{sample.ACCOUNT}/{region}/s3/bucket/{bucket}/objects.jsonl"
    return [json.loads(line) for line in g.show(path).decode("utf-8").splitlines()]


@pytest.fixture
def captured(capture_once, copy_of):
    """(gitsnap, info, result) after ``estate.build`` and ``capture --tag v1.0 -m "known good"``:
    this test's own copy of one such capture per worker (its repository, and the sandbox's state
    right after it), as if it had seeded and captured itself."""
    return copy_of(capture_once("e2e", "capture", "--tag", "v1.0", "-m", "known good", setup=estate.configure))


def test_repository_is_valid_git_with_an_annotated_tag(captured):
    g, _, result = captured
    fsck = subprocess.run(["git", "-C", str(g.repo), "fsck", "--strict", "--no-dangling"],
                          capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stderr
    assert fsck.stdout.strip() == "" and "error" not in fsck.stderr
    assert g.git("cat-file", "-t", "v1.0").strip() == "tag"
    assert "known good" in g.git("cat-file", "tag", "v1.0")
    assert g.git("rev-parse", "v1.0^{commit}").strip() == g.head()
    assert "committed, tagged v1.0" in result.out
    # a clone of the snapshot repository works like any git repository
    clone = g.repo.parent / "clone"
    subprocess.run(["git", "clone", "-q", str(g.repo), str(clone)], check=True)
    assert (clone / "MANIFEST.md").read_text().startswith("# gitsnap snapshot")


def test_every_key_is_recorded_exactly_and_every_body_is_reachable(captured, endpoint):
    g, info, result = captured
    entries = {e["key"]: e for e in index(g, "v1.0", estate.EDGE_BUCKET)}
    expected = {**estate.EDGE_KEYS, estate.BIG_KEY: info["big"]}
    assert set(entries) == set(expected)
    for key, body in expected.items():
        e = entries[key]
        assert e["size"] == len(body)
        assert e["sha256"] == hashlib.sha256(body).hexdigest()
        stored = g.git("cat-file", "blob", f"v1.0:blobs/{e['blob'][:2]}/{e['blob'][2:]}", binary=True)
        assert stored == body, key
    assert entries["a"]["blob"] == entries["same-as-a"]["blob"]
    # the summary counts bodies as MANIFEST.md does (distinct contents), and says its downloads
    # are counted per object read: "a" and "same-as-a" are two downloads and one body (issue 15)
    bodies = g.manifest("v1.0")["totals"]["bodies"]
    summary = " ".join(result.out.split())
    assert f" {bodies} bodies; per object or package read: " in summary, summary
    downloaded = int(summary.split("per object or package read: ")[1].split(" downloaded")[0])
    assert downloaded > bodies
    assert f" {bodies} bodies (" in g.show("v1.0:MANIFEST.md").decode("utf-8")
    # every body any bucket references is reachable from the tag
    tree = set(g.git("ls-tree", "-r", "--format=%(objectname)", "v1.0", "blobs/").split())
    for bucket in [b["Name"] for b in estate.s3(endpoint).list_buckets()["Buckets"]]:
        region = "us-west-2" if bucket == "sailjada-backups" else "us-east-1"
        for e in index(g, "v1.0", bucket, region):
            assert e["blob"] in tree


def test_both_regions_and_every_service_are_captured(captured):
    g, _, _ = captured
    resources = g.manifest("v1.0")["resources"]
    assert resources["s3/sailjada-backups"]["region"] == "us-west-2"
    # every service was read; the ones the sample estate seeds have resources
    assert set(registry.aws_services()) <= set(g.manifest("v1.0")["covered"]["services"])
    assert {a.split("/")[0] for a in resources} == {
        "acm", "apigateway", "cloudfront", "dynamodb", "iam", "lambda", "lightsail", "rds", "route53", "s3", "ses",
        "events", "scheduler"}  # every account has a default event bus and schedule group
    assert sum(1 for a in resources if a.startswith("s3/")) == 8
    assert sum(1 for a in resources if a.startswith("cloudfront/")) == 6
    assert {a for a in resources if a.startswith("route53/")} == {
        "route53/sailjada.com", "route53/queenofsandiego.com", "route53/salejada.com"}
    units = g.manifest("v1.0")["units"]
    assert all(u["status"] == "ok" for u in units.values())
    assert f"aws/{sample.ACCOUNT}/us-west-2/lambda" in units  # regional services run per region


def test_every_document_matches_its_schema(captured):
    g, _, _ = captured
    by_type = {(t.service, t.type): t for t in registry.all_types()}
    manifest = g.manifest("v1.0")
    assert not schemas.errors("manifest", manifest)
    for address, r in manifest["resources"].items():
        spec = by_type[(r["service"], r["type"])]
        path = f"{r['path']}/{spec.document}" if spec.document else r["path"]
        doc = json.loads(g.show(f"v1.0:{path}"))
        assert not schemas.errors(spec.schema, doc), address


def test_lambda_code_is_a_blob_and_its_source_is_readable(captured):
    g, _, _ = captured
    base = f"v1.0:aws/{sample.ACCOUNT}/us-east-1/lambda/function/jada-event-processor"
    doc = json.loads(g.show(f"{base}/function.json"))
    assert g.show(f"{base}/source/app.py").decode() == sample.HANDLER_V1
    zipped = g.git("cat-file", "blob", doc["Code"]["blob"], binary=True)
    assert hashlib.sha256(zipped).hexdigest() == doc["Code"]["sha256"]
    # the execution role is referred to by address; its policies are in the role's own document
    assert doc["RoleAddress"] == "iam/role/jada-lambda-role" and "Role" not in doc
    role = json.loads(g.show(f"v1.0:{g.manifest('v1.0')['resources'][doc['RoleAddress']]['path']}"))
    assert role["InlinePolicies"]["events-table"]["Statement"][0]["Action"] == ["dynamodb:PutItem"]
    env = doc["Configuration"]["Environment"]["Variables"]
    assert env["STRIPE_SECRET_KEY"].startswith("redacted:hmac-sha256:")
    assert env["STAGE"].startswith("redacted:")  # not listed in keep_env: redacted too


def test_no_secret_value_reaches_any_git_object(captured):
    g, info, result = captured
    g("sandbox", "change", env={"AWS_ENDPOINT_URL": g.env["AWS_ENDPOINT_URL"]})
    second = g("capture", "-m", "after rotation")
    blob = g.all_objects()
    secrets = {**sample.SECRETS, "iam secret access key": info["iam_secret_access_key"]}
    for name, secret in secrets.items():
        assert secret.encode() not in blob, name
        for text in (result.out, result.err, second.out, second.err):
            assert secret not in text, name
    assert b"redacted:hmac-sha256:" in blob
    # what may be stored in clear is: the access key id and its status
    user = json.loads(g.show(f"HEAD:aws/{sample.ACCOUNT}/global/iam/user/jada-ci.json"))
    assert user["AccessKeys"] == [{"AccessKeyId": info["iam_access_key_id"], "Status": "Active"}]


def test_capture_with_no_change_makes_no_commit_and_downloads_no_body(captured, moto_server):
    g, _, _ = captured
    head = g.head()
    seen: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    server_log = logging.getLogger("werkzeug")
    handler, level = Collect(), server_log.level
    server_log.addHandler(handler)
    server_log.setLevel(logging.INFO)
    try:
        result = g("capture", "--tag", "nightly-1")
    finally:
        server_log.removeHandler(handler)
        server_log.setLevel(level)
    assert g.head() == head
    assert "No changes" in result.out
    assert g.git("rev-parse", "nightly-1^{commit}").strip() == head
    requests = [line for line in seen if '"GET /' in line]
    assert requests, "the server log should show the capture's list calls"
    body_gets = [r for r in requests if f"GET /{estate.EDGE_BUCKET}/" in r or "/code/" in r
                 or any(f"GET /{site}-prod/" in r for site in sample.SITES)]
    assert body_gets == []


def test_a_minute_between_two_captures_makes_no_commit(gitsnap, endpoint, monkeypatch):
    """The cause of a flake of the no-change test above (a commit under -n 2): moto's ACM issues a
    pending certificate by itself 60 s after the request, and capture records that status. On
    a loaded machine seeding, one capture and the next can straddle those 60 s. The suite holds
    certificates pending (tests/conftest.py), so the estate a test captures twice stays the same.
    The minute is simulated: ACM's clock (moto.acm.models.utcnow) jumps 61 s between the two."""
    import datetime

    import moto.acm.models as acm_models

    sample.seed(endpoint)
    gitsnap("capture", "--only", "acm", "--tag", "v1.0")
    later = acm_models.utcnow() + datetime.timedelta(seconds=61)
    monkeypatch.setattr(acm_models, "utcnow", lambda: later)
    head = gitsnap.head()
    assert "No changes since" in gitsnap("capture", "--only", "acm").out
    assert gitsnap.head() == head


def test_diff_names_each_edited_resource_and_field_and_nothing_else(captured, endpoint):
    g, info, _ = captured
    g("sandbox", "change")
    c = estate.s3(endpoint)
    c.delete_object(Bucket=estate.EDGE_BUCKET, Key="x//y")
    c.put_object(Bucket=estate.EDGE_BUCKET, Key="new/page.html", Body=b"<p>new</p>\n", ContentType="text/html")
    # one IAM change on a role several functions share is one change, on the role (issue #10):
    # functions refer to it by RoleAddress instead of embedding its policies
    sample.clients(endpoint)("iam").put_role_policy(
        RoleName="jada-lambda-role", PolicyName="review", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}))
    g("capture", "-m", "nightly")
    out = json.loads(g("diff", "v1.0", "HEAD", "--format", "json").out)
    dist = info["distributions"]["sailjada-prod"]
    got = {(ch["address"], ch["path"], ch["kind"]) for ch in out["changes"]}
    assert got == {
        (f"cloudfront/{dist}", "DistributionConfig.DefaultCacheBehavior.DefaultTTL", "changed"),
        ("lambda/jada-event-processor", "Configuration.Environment.Variables.STRIPE_SECRET_KEY", "changed"),
        ("lambda/jada-event-processor", "Configuration.Timeout", "changed"),
        ("s3/sailjada-prod", "key 'events/james-taylor.html'", "changed"),
        ("s3/edge-keys", "key 'x//y'", "removed"),
        ("s3/edge-keys", "key 'new/page.html'", "added"),
        ("iam/role/jada-lambda-role", "InlinePolicies.review", "added"),
    }
    ttl = next(ch for ch in out["changes"] if ch["path"].endswith("DefaultTTL"))
    assert (ttl["old"], ttl["new"]) == (86400, 60)
    assert ttl["location"] == {"field": ["DistributionConfig", "DefaultCacheBehavior", "DefaultTTL"]}
    secret = next(ch for ch in out["changes"] if ch["path"].endswith("STRIPE_SECRET_KEY"))
    assert secret["redacted"] is True and "old" not in secret
    # where an object change is, for scripts: the exact key, not a quoted string (issue 15)
    keys = {(ch["kind"], ch["location"]["key"], tuple(ch["location"].get("field", ())))
            for ch in out["changes"] if ch["address"].startswith("s3/")}
    assert keys == {("changed", "events/james-taylor.html", ("body",)), ("removed", "x//y", ()),
                    ("added", "new/page.html", ())}
    assert all(ch["location"]["file"] == "objects.jsonl" for ch in out["changes"] if ch["address"].startswith("s3/"))

    text = g("diff", "v1.0", "HEAD", "--content").out
    assert (f"cloudfront/{dist} (www.sailjada-prod.example)  DistributionConfig.DefaultCacheBehavior.DefaultTTL: "
            "86400 -> 60") in text
    assert "Configuration.Environment.Variables.STRIPE_SECRET_KEY: changed (redacted)" in text
    assert "-<p>Sunset sail, 6pm, $89.</p>" in text and "+<p>Sunset sail, 5pm, $99.</p>" in text
    assert g("diff", "v1.0", "HEAD", "--exit-code", check=False).code == 1
    assert g("diff", "HEAD", "HEAD", "--exit-code").code == 0
    only = json.loads(g("diff", "v1.0", "HEAD", "--only", "lambda", "--format", "json").out)
    assert {ch["address"] for ch in only["changes"]} == {"lambda/jada-event-processor"}
    md = g("diff", "v1.0", "HEAD", "--format", "markdown").out
    assert md.startswith("### gitsnap diff v1.0..HEAD") and "**`s3/edge-keys`**" in md


def test_only_recaptures_one_service_and_keeps_the_rest(captured, endpoint):
    g, _, _ = captured
    before = g.manifest()["resources"]
    g("sandbox", "change")  # edits s3, cloudfront and lambda
    g("capture", "--only", "lambda", "-m", "lambda only")
    out = json.loads(g("diff", "HEAD~1", "HEAD", "--format", "json").out)
    assert {ch["address"] for ch in out["changes"]} == {"lambda/jada-event-processor"}
    assert g.manifest()["resources"] == before


def test_log_and_show(captured):
    g, info, _ = captured
    log = g("log").out
    assert "(tag: v1.0) known good" in log
    shown = json.loads(g("show", "v1.0", f"cloudfront/{info['distributions']['salejada-staging']}").out)
    assert shown["DistributionConfig"]["Origins"]["Items"][0]["DomainName"] == "salejada-staging.s3.amazonaws.com"
    assert "| s3/edge-keys | us-east-1 | 16 |" in g("show", "v1.0").out


def test_verify_checks_every_body_and_catches_corruption(captured):
    g, _, _ = captured
    out = g("verify", "v1.0").out
    assert "verified" in out and "documents" in out
    manifest = g.manifest("v1.0")
    assert f"{manifest['totals']['bodies']} bodies" in out  # every body: the map lists only Lambda code
    # a damaged copy of one body on disk: bodies are packed, and a loose file of the same id
    # is what git and gitsnap read first; verify must say so (damage inside a pack: test_packs.py)
    blob = next(iter(manifest["bodies"]))
    path = g.repo / "objects" / blob[:2] / blob[2:]
    import zlib
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(zlib.compress(b"blob 3\x00bad"))
    r = g("verify", "v1.0", check=False)
    assert r.code == 2
    assert f"body {blob}: sha256/size do not match" in r.err
    assert r.err.strip().splitlines()[-1].startswith("gitsnap: error: v1.0: 1 problem found")


def test_platform_services_are_captured_as_the_seeds_exported_them(captured):
    g, info, _ = captured
    base = f"v1.0:aws/{sample.ACCOUNT}"
    table = json.loads(g.show(f"{base}/us-east-1/dynamodb/table/jada-events/table.json"))
    assert table["ContinuousBackups"]["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    assert table["TimeToLive"]["AttributeName"] == "expires"
    assert [i["IndexName"] for i in table["Table"]["GlobalSecondaryIndexes"]] == ["by-email"]
    assert "ItemCount" not in table["Table"] and "SampleItems" not in table
    staging = json.loads(g.show(f"{base}/us-east-1/dynamodb/table/jada-events-staging/table.json"))
    assert staging["ContinuousBackups"]["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
    api = json.loads(g.show(f"{base}/us-east-1/apigateway/rest-api/{info['rest_api']}.json"))
    assert [r["path"] for r in api["resources"]] == ["/", "/bookings"]
    (stage,) = api["stages"]
    assert stage["variables"]["PAYMENT_KEY"].startswith("redacted:hmac-sha256:")
    group = json.loads(g.show(f"{base}/global/iam/group/jada-deployers.json"))
    assert group["Users"] == ["jada-ci"] and group["AttachedPolicies"] == [f"arn:aws:iam::{sample.ACCOUNT}:policy/jada-deploy"]
    policy = json.loads(g.show(f"{base}/global/iam/policy/jada-deploy.json"))
    assert policy["Document"]["Statement"][0]["Action"] == ["s3:PutObject"]
    manifest = g.manifest("v1.0")["resources"]
    for address in ("iam/role/jada-lambda-role", "iam/instance-profile/jada-legacy", "ses/sailjada.com",
                    "ses/bookings@sailjada.com", "ses/configuration-set/jada-transactional", "rds/jada-legacy-db",
                    "rds/parameter-group/jada-pg", f"apigateway/http-api/{info['http_api']}"):
        assert address in manifest, address
    assert sum(1 for a in manifest if a.startswith("acm/")) == 1


def test_lightsail_is_captured_and_snapshotted_after_the_tag(gitsnap, e2e_estate, moto_server):
    # e2e_estate is sample.seed(endpoint, lightsail_endpoint) and the edge-keys bucket, which
    # this Lightsail-only test never reads: restored, it costs no seeding
    r = gitsnap("capture", "--only", "lightsail", "--lightsail-snapshot", check=False)
    assert r.code == 2 and "--lightsail-snapshot names snapshots after the tag" in r.err
    gitsnap("capture", "--only", "lightsail", "--tag", "v1.0", "--lightsail-snapshot")
    res = gitsnap.manifest("v1.0")["resources"]
    assert {"lightsail/jada-legacy-wp", "lightsail/static-ip/jada-legacy-ip",
            "lightsail/domain/legacy.queenofsandiego.com", "lightsail/snapshot/jada-legacy-wp-v1.0"} <= set(res)
    doc = json.loads(gitsnap.show(f"v1.0:{res['lightsail/jada-legacy-wp']['path']}"))
    assert doc["SnapshotTaken"] == "jada-legacy-wp-v1.0" and doc["tags"] == {"site": "queenofsandiego"}
    # running/stopped is the instance's state, not its configuration: kept in the status section
    assert "state" not in doc and doc["status"]["state"] == {"name": "running", "code": 16}
    assert any(s["name"] == "jada-legacy-wp-v1.0" for s in moto_server.lightsail.snapshots)  # really created
