"""Parameters and secrets end to end, through the ``gitsnap`` command: a SecureString parameter
and an asked-for Secrets Manager value are sealed, never in clear in any git object, and come
back byte-exact with ``restore --apply`` after they were deleted."""

from __future__ import annotations

import json
import secrets

import pytest

from gitsnap.sandbox import estate as sample

pytestmark = pytest.mark.e2e


def test_secure_values_are_never_in_git_and_are_restored_exactly(gitsnap, endpoint):
    c = sample.clients(endpoint)
    ssm, sm = c("ssm"), c("secretsmanager")
    db_password = "pw-" + secrets.token_urlsafe(20)
    api_key = "key-" + secrets.token_urlsafe(24)
    ssm.put_parameter(Name="/jada/prod/db-password", Type="SecureString", Value=db_password,
                      Description="orders database", Tags=[{"Key": "env", "Value": "prod"}])
    ssm.put_parameter(Name="/jada/prod/stage", Type="String", Value="prod-stage-canary")
    sm.create_secret(Name="jada/prod/api", SecretString=api_key, Description="partner API")
    sm.create_secret(Name="jada/dev/api", SecretString="dev-value-not-asked-for")
    (gitsnap.repo / "gitsnap.toml").write_text(
        '[aws]\nservices = ["ssm", "secretsmanager"]\n[aws.secretsmanager]\nvalues = ["jada/prod/*"]\n')
    gitsnap("capture", "--tag", "v1.0")

    objects = gitsnap.all_objects()
    assert db_password.encode() not in objects and api_key.encode() not in objects
    assert b"dev-value-not-asked-for" not in objects  # not asked for: never even read
    assert b"prod-stage-canary" in objects  # a String value is stored as it is (the search works)
    base = f"v1.0:aws/{sample.ACCOUNT}/us-east-1"
    param = json.loads(gitsnap.show(f"{base}/ssm/parameter/jada%2Fprod%2Fdb-password.json"))
    assert param["SecureValue"].startswith("redacted:hmac-sha256:") and param["Description"] == "orders database"
    assert gitsnap.show(f"v1.0:sealed/values/{param['SecureValue'][-24:]}.age").startswith(b"age-encryption.org/v1\n")
    secret = json.loads(gitsnap.show(f"{base}/secretsmanager/secret/jada%2Fprod%2Fapi.json"))
    assert secret["SecretString"].startswith("redacted:hmac-sha256:")

    # the disaster: both deleted for good (no recovery window for the secret)
    ssm.delete_parameter(Name="/jada/prod/db-password")
    sm.delete_secret(SecretId="jada/prod/api", ForceDeleteWithoutRecovery=True)
    out = gitsnap("restore", "v1.0", "--apply", "--yes").out  # exit 0: verified after apply
    assert "ssm/jada/prod/db-password\n  create" in out and "secretsmanager/jada/prod/api\n  create" in out, out
    got = ssm.get_parameter(Name="/jada/prod/db-password", WithDecryption=True)["Parameter"]
    assert (got["Type"], got["Value"]) == ("SecureString", db_password)
    assert sm.get_secret_value(SecretId="jada/prod/api")["SecretString"] == api_key
