"""The command-line contract on a real repository: addresses that match nothing, restore
outcomes that say what was not done, a declined confirmation, each with its exit code."""

from __future__ import annotations

import os
import subprocess

import pytest

from gitsnap.sandbox import estate as sample

from ..conftest import GITSNAP

pytestmark = pytest.mark.e2e


def one_error_line(result) -> str:
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    assert lines and lines[-1].startswith("gitsnap: error: "), result.err
    return lines[-1]


@pytest.fixture
def tagged(gitsnap, endpoint):
    (gitsnap.repo / "gitsnap.toml").write_text('[aws]\nservices = ["s3", "lambda", "apigateway"]\n')
    info = sample.seed(endpoint)
    gitsnap("capture", "--tag", "v1.0")
    return gitsnap, info


def test_addresses_and_services_that_match_nothing_are_errors_that_suggest(tagged):
    g, _ = tagged
    refs = g.refs()
    cases = [
        (("diff", "v1.0", "HEAD", "s3/no-such-bucket"), "'s3/no-such-bucket'", "s3/*"),
        (("diff", "v1.0", "HEAD", "lamda/*"), "'lamda/*'", "lambda/*"),
        (("show", "v1.0", "lambda/jada-event-procesor"), "'lambda/jada-event-procesor'", "lambda/jada-event-processor"),
        (("restore", "v1.0", "sqs/*"), "'sqs/*'", None),
        (("drift", "v1.0", "s3/sailjada-prd"), "'s3/sailjada-prd'", "s3/sailjada-prod"),
        (("diff", "v1.0", "HEAD", "--only", "lamda"), "'lamda'", "lambda"),
        (("capture", "--only", "lamda"), "'lamda'", "lambda"),
    ]
    for args, named, suggested in cases:
        r = g(*args, check=False)
        line = one_error_line(r)
        assert r.code == 2, (args, r.code, r.err)
        assert named in line, (args, line)
        if suggested:
            assert f"did you mean {suggested}" in line or f"or {suggested}" in line, (args, line)
    assert g.refs() == refs


def test_restore_says_what_it_could_not_do_and_exits_3(tagged, endpoint):
    """A change restore cannot make (a method added to a REST API: gitsnap does not rebuild an
    API's resources) is listed with why, beside what was applied, and the restore exits 3."""
    g, info = tagged
    c = sample.clients(endpoint)
    api = c("apigateway")
    api.update_rest_api(restApiId=info["rest_api"], patchOperations=[
        {"op": "replace", "path": "/description", "value": "changed by hand"}])
    root = next(r["id"] for r in api.get_resources(restApiId=info["rest_api"])["items"] if r["path"] == "/")
    api.put_method(restApiId=info["rest_api"], resourceId=root, httpMethod="DELETE", authorizationType="NONE")
    c("s3").put_object(Bucket="sailjada-prod", Key="index.html", Body=b"<h1>defaced</h1>")
    r = g("restore", "v1.0", "--apply", "--yes", "--no-capture", check=False)
    assert r.code == 3, r.out + r.err
    row = next(line for line in r.out.splitlines() if line.startswith(f"  apigateway/{info['rest_api']} (jada-bookings-api):"))
    assert "applied 1 operation" in row, r.out  # the description is put back
    assert "skipped: cannot-restore resources" in row and "does not rebuild them" in row, r.out
    assert "  s3/sailjada-prod (sailjada-prod.s3-website-us-east-1.amazonaws.com): applied 1 operation; matches" in r.out
    assert "now matches" not in r.out and "already matches" not in r.out
    assert "live state does not match v1.0: 1 of" in one_error_line(r)
    assert c("s3").get_object(Bucket="sailjada-prod", Key="index.html")["Body"].read() != b"<h1>defaced</h1>"
    assert api.get_rest_api(restApiId=info["rest_api"])["description"] == "bookings"

    # nothing restorable left: still not "matches", still exit 3, and the why is still there
    only_api = g("restore", "v1.0", "apigateway/*", "--apply", "--yes", "--no-capture", check=False)
    assert only_api.code == 3 and "matches" not in only_api.out.split("Outcome", 1)[-1].replace("does not match", "")
    assert "cannot-restore resources" in only_api.out


def test_a_declined_confirmation_has_its_own_exit_code_and_changes_nothing(tagged, endpoint):
    g, _ = tagged
    s3 = sample.clients(endpoint)("s3")
    s3.put_object(Bucket="sailjada-prod", Key="index.html", Body=b"<h1>edited</h1>")
    master, slave = os.openpty()  # a terminal, so restore asks instead of demanding --yes
    try:
        os.write(master, b"n\n")
        proc = subprocess.run([GITSNAP, "--repo", str(g.repo), "restore", "v1.0", "s3/sailjada-prod", "--apply"],
                              stdin=slave, capture_output=True, text=True, env=g.env, timeout=120)
    finally:
        os.close(master)
        os.close(slave)
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "Apply 1 operation to live state?" in proc.stdout + proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "gitsnap: error: declined: nothing was changed"
    assert s3.get_object(Bucket="sailjada-prod", Key="index.html")["Body"].read() == b"<h1>edited</h1>"
