"""Bad input and failures: one clear line, the documented exit code, nothing half-written."""

from __future__ import annotations

import http.client
import json
import socket
from urllib.parse import urlsplit

import pytest

from gitsnap.sandbox import estate as sample

from ..faults import Rule
from . import estate

pytestmark = pytest.mark.e2e


def one_clean_line(result) -> str:
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err
    assert lines[0].startswith("gitsnap: error: ")
    return lines[0]


@pytest.fixture
def tagged(capture_once, copy_of):
    """After ``sample.seed`` and ``capture --tag v1.0``: this test's own copy of one such capture
    per worker (its repository, and the sandbox's state right after it)."""
    g, _, _ = copy_of(capture_once("sample", "capture", "--tag", "v1.0"))
    return g


def test_unknown_revision(tagged):
    for args in (("diff", "v9.9", "HEAD"), ("show", "nope"), ("diff", "HEAD~5", "HEAD")):
        r = tagged(*args, check=False)
        assert r.code == 2
        assert "unknown revision" in one_clean_line(r)


def test_malformed_config_names_file_and_key(tagged):
    refs = tagged.refs()
    cfg = tagged.repo / "gitsnap.toml"
    cfg.write_text("[aws]\nregions = 'us-east-1'\n")
    r = tagged("capture", check=False)
    line = one_clean_line(r)
    assert r.code == 2 and str(cfg) in line and "aws.regions" in line
    cfg.write_text("[aws\n")
    r = tagged("capture", check=False)
    assert r.code == 2 and "not valid TOML" in one_clean_line(r)
    cfg.write_text('[aws]\nservices = ["s3", "ec2"]\n')
    r = tagged("capture", check=False)
    assert r.code == 2 and "unknown service 'ec2'" in one_clean_line(r)
    r = tagged("--config", str(tagged.repo / "missing.toml"), "capture", check=False)
    assert r.code == 2 and "missing.toml" in one_clean_line(r)
    assert tagged.refs() == refs


def test_missing_credentials(tagged):
    refs = tagged.refs()
    r = tagged("capture", check=False, env={"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""})
    assert r.code == 2
    assert "no AWS credentials" in one_clean_line(r)
    assert tagged.refs() == refs


def test_unreachable_endpoint_fails_with_bounded_retries(tagged):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    refs = tagged.refs()
    # timeout= is a hang guard for the test run, not a timing assertion
    r = tagged("capture", check=False, env={"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}, timeout=120)
    assert r.code == 2
    assert f"cannot reach http://127.0.0.1:{port}" in one_clean_line(r)
    assert tagged.refs() == refs


def test_unknown_service_and_bad_tag(tagged):
    r = tagged("capture", "--only", "ec2", check=False)
    assert r.code == 2 and "unknown service 'ec2'" in one_clean_line(r)
    r = tagged("capture", "--tag", "bad..name", check=False)
    assert r.code == 2 and "invalid tag name" in one_clean_line(r)


def test_existing_tag_is_refused_unless_forced(tagged, endpoint):
    estate.s3(endpoint).put_object(Bucket="sailjada-prod", Key="new.html", Body=b"new")
    refs = tagged.refs()
    r = tagged("capture", "--tag", "v1.0", check=False)
    assert r.code == 2 and "already exists" in one_clean_line(r)
    assert tagged.refs() == refs
    tagged("capture", "--tag", "v1.0", "--force")
    assert tagged.git("rev-parse", "v1.0^{commit}").strip() == tagged.head()
    assert tagged.head() != refs


def test_denied_service_fails_the_capture_and_changes_nothing(tagged, proxy, endpoint):
    p, url = proxy
    p.rules.append(Rule("GET", r"^/2015-03-31/functions/?(\?|$)", code="AccessDeniedException", json_protocol=True))
    estate.s3(endpoint).put_object(Bucket="sailjada-prod", Key="later.html", Body=b"later")
    refs = tagged.refs()
    r = tagged("capture", "--tag", "v2", check=False, env={"AWS_ENDPOINT_URL": url})
    line = one_clean_line(r)
    assert r.code == 2
    assert "lambda in us-east-1" in line and "access denied" in line and "--allow-partial" in line
    assert tagged.refs() == refs


def test_allow_partial_keeps_the_failed_services_previous_state(tagged, proxy, endpoint):
    p, url = proxy
    p.rules.append(Rule("GET", r"^/2015-03-31/functions/?(\?|$)", code="AccessDeniedException", json_protocol=True))
    estate.s3(endpoint).put_object(Bucket="sailjada-prod", Key="later.html", Body=b"later")
    before = tagged.manifest()
    r = tagged("capture", "--allow-partial", check=False, env={"AWS_ENDPOINT_URL": url})
    assert r.code == 3, r.err
    assert "failed: lambda in us-east-1" in r.err and "Traceback" not in r.err
    after = tagged.manifest()
    unit = f"aws/{sample.ACCOUNT}/us-east-1/lambda"
    assert after["units"][unit]["status"] == "failed"
    assert "access denied" in after["units"][unit]["error"]
    lambdas = {a for a in after["resources"] if a.startswith("lambda/")}
    assert lambdas == {a for a in before["resources"] if a.startswith("lambda/")} and lambdas
    changes = json.loads(tagged("diff", "HEAD~1", "HEAD", "--format", "json").out)["changes"]
    assert {(c["address"], c["kind"]) for c in changes} == {("s3/sailjada-prod", "added")} or \
        {(c["address"], c["path"]) for c in changes} == {("s3/sailjada-prod", "key 'later.html'")}
    # once access is back, the next capture records the recovery
    p.rules.clear()
    assert tagged("capture", check=False, env={"AWS_ENDPOINT_URL": url}).code == 0
    assert tagged.manifest()["units"][unit]["status"] == "ok"


def test_bucket_deleted_mid_capture_is_left_out_with_a_warning(tagged, proxy, endpoint):
    p, url = proxy
    c = estate.s3(endpoint)

    def delete_bucket() -> None:
        versions = c.list_object_versions(Bucket="salejada-staging")
        for v in versions.get("Versions", []) + versions.get("DeleteMarkers", []):
            c.delete_object(Bucket="salejada-staging", Key=v["Key"], VersionId=v["VersionId"])
        c.delete_bucket(Bucket="salejada-staging")

    # the bucket is listed, then deleted for real just before its configuration is read
    p.rules.append(Rule("GET", r"^/salejada-staging/?\?policy", before=delete_bucket, once=True))
    r = tagged("capture", check=False, env={"AWS_ENDPOINT_URL": url})
    assert r.code == 0, r.err
    assert "s3/salejada-staging: deleted while it was being captured" in r.err
    assert "s3/salejada-staging" not in tagged.manifest()["resources"]
    assert "s3/salejada-prod" in tagged.manifest()["resources"]


def test_non_utf8_object_metadata_is_kept_exactly(tagged, endpoint):
    target = urlsplit(endpoint)
    conn = http.client.HTTPConnection(target.hostname, target.port)
    conn.putrequest("PUT", "/sailjada-prod/latin1.txt")
    conn.putheader("x-amz-meta-note", b"caf\xe9")  # latin-1 bytes, not UTF-8
    conn.putheader("x-amz-meta-city", "S\u00e3o Paulo".encode())
    conn.putheader("Content-Length", "2")
    conn.endheaders(b"hi")
    assert conn.getresponse().status == 200
    r = tagged("capture", check=False)
    assert r.code == 0, r.err
    path = f"HEAD:aws/{sample.ACCOUNT}/us-east-1/s3/bucket/sailjada-prod/objects.jsonl"
    entry = next(json.loads(x) for x in tagged.show(path).decode().splitlines() if '"latin1.txt"' in x)
    assert entry["metadata"]["note"] == {"base64": "Y2Fm6Q=="}
    assert entry["metadata"]["city"] == "S\u00e3o Paulo"


def test_a_service_unreachable_in_a_region_is_reported_not_skipped(tagged):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # botocore's per-service endpoint variable: only SES points at nothing
    env = {"AWS_ENDPOINT_URL_SES": f"http://127.0.0.1:{port}"}
    refs = tagged.refs()
    r = tagged("capture", check=False, env=env, timeout=120)
    assert r.code == 2
    line = one_clean_line(r)
    assert "ses in us-east-1" in line and "cannot reach" in line
    assert tagged.refs() == refs
    r = tagged("capture", "--allow-partial", check=False, env=env, timeout=120)
    assert r.code == 3
    units = tagged.manifest()["units"]
    assert units[f"aws/{sample.ACCOUNT}/us-east-1/ses"]["status"] == "failed"
    assert all(u["status"] == "ok" for path, u in units.items() if not path.endswith("/ses"))


def test_an_empty_repository_says_so(gitsnap):
    assert gitsnap("log").out.strip() == "No snapshots yet: run 'gitsnap capture'."
    for args in (("diff",), ("drift",), ("verify",), ("restore", "v1.0")):
        r = gitsnap(*args, check=False)
        assert r.code == 2 and "has no snapshot yet; run 'gitsnap capture'" in one_clean_line(r)
