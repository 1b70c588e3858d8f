"""Sealed secrets end to end: restore puts them back byte-exact with the identity, writes nothing
without it, and every bad key situation is one line, exit 2, nothing written.

The leak-proof side (no value in any object) is tests/e2e/test_secret_plant.py.
"""

from __future__ import annotations

import json
import secrets
import subprocess

import pytest

from gitsnap.sandbox import estate as sample

pytestmark = pytest.mark.e2e

LAMBDA = "jada-contact-form"
BUCKET = "sailjada-prod"


def fresh(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(24)


def plant(g, _info) -> dict:
    """A secret env value and a secret-bearing .env body, fresh for each run of the suite."""
    c = sample.clients(g.env["AWS_ENDPOINT_URL"])
    token, db = fresh("xoxb-"), fresh()
    env_body = f"APP_ENV=prod\nDB_PASSWORD={db}\n".encode()
    c("lambda").update_function_configuration(FunctionName=LAMBDA, Environment={"Variables": {
        "STAGE": "prod", "SLACK_TOKEN": token}})
    c("s3").put_object(Bucket=BUCKET, Key="config/.env", Body=env_body)
    return {"token": token, "db": db, "env_body": env_body}


@pytest.fixture
def copied(capture_once, copy_of):
    """The sample estate with :func:`plant`'s secrets, captured as v1.0: this test's own copy of
    one such capture per worker (repository, HOME with the keys and identity, sandbox state)."""
    return copy_of(capture_once("sample", "capture", "--tag", "v1.0", "-m", "known good", setup=plant))


@pytest.fixture
def gitsnap(copied):
    """Here, the conftest's ``gitsnap`` is this test's own copy of v1 (repository, HOME with the
    keys and identity, and the sandbox's state right after that capture)."""
    return copied[0]


@pytest.fixture
def sealed_v1(copied, endpoint):
    return {**copied[1], "c": sample.clients(endpoint)}


def live_env(c) -> dict[str, str]:
    return c("lambda").get_function_configuration(FunctionName=LAMBDA)["Environment"]["Variables"]


def rotate(c) -> None:
    c("lambda").update_function_configuration(FunctionName=LAMBDA, Environment={"Variables": {
        "STAGE": "prod", "SLACK_TOKEN": fresh("xoxb-")}})
    c("s3").put_object(Bucket=BUCKET, Key="config/.env", Body=b"APP_ENV=prod\nDB_PASSWORD=rotated-value-123\n")


def test_the_snapshot_records_where_secrets_were_sealed_and_never_the_values(gitsnap, sealed_v1):
    index = [json.loads(line) for line in gitsnap.show(
        f"v1.0:aws/{sample.ACCOUNT}/us-east-1/s3/bucket/{BUCKET}/objects.jsonl").decode().splitlines()]
    entry = next(e for e in index if e["key"] == "config/.env")
    assert "blob" not in entry and entry["sealed"][0]["line"] == 2 and entry["size"] == len(sealed_v1["env_body"])
    cipher = gitsnap.show(f"v1.0:sealed/bodies/{entry['sha256']}.age")
    assert cipher.startswith(b"age-encryption.org/v1\n")
    objects = gitsnap.all_objects()
    assert sealed_v1["token"].encode() not in objects and sealed_v1["db"].encode() not in objects
    assert gitsnap("verify", "v1.0").code == 0
    # show prints fingerprints; --reveal (with the identity on this machine) the values
    assert sealed_v1["token"] not in gitsnap("show", "v1.0", f"lambda/{LAMBDA}").out
    assert sealed_v1["token"] in gitsnap("show", "v1.0", f"lambda/{LAMBDA}", "--reveal").out


def test_restore_with_the_identity_puts_sealed_values_back_byte_exact(gitsnap, sealed_v1):
    c = sealed_v1["c"]
    rotate(c)
    drift = gitsnap("drift", "v1.0", check=False)
    assert drift.code == 1 and "SLACK_TOKEN" in drift.out and sealed_v1["token"] not in drift.out
    plan = gitsnap("restore", "v1.0", f"lambda/{LAMBDA}", f"s3/{BUCKET}", check=False)
    assert plan.code == 1 and "needs-identity" not in plan.out and sealed_v1["token"] not in plan.out
    applied = gitsnap("restore", "v1.0", f"lambda/{LAMBDA}", f"s3/{BUCKET}", "--apply", "--yes")
    assert sealed_v1["token"] not in applied.out + applied.err
    assert live_env(c)["SLACK_TOKEN"] == sealed_v1["token"]
    assert c("s3").get_object(Bucket=BUCKET, Key="config/.env")["Body"].read() == sealed_v1["env_body"]
    assert gitsnap("drift", "v1.0", f"lambda/{LAMBDA}", f"s3/{BUCKET}", check=False).code == 0


def test_without_the_identity_nothing_is_written_to_live(gitsnap, sealed_v1, tmp_path):
    c = sealed_v1["c"]
    rotate(c)
    before_env, before_body = live_env(c), c("s3").get_object(Bucket=BUCKET, Key="config/.env")["Body"].read()
    no_identity = {"GITSNAP_IDENTITY": str(tmp_path / "absent.age")}
    plan = gitsnap("restore", "v1.0", f"lambda/{LAMBDA}", f"s3/{BUCKET}", env=no_identity, check=False)
    assert plan.code == 1
    assert "needs-identity" in plan.out and "SLACK_TOKEN" in plan.out and "config/.env" in plan.out
    applied = gitsnap("restore", "v1.0", f"lambda/{LAMBDA}", f"s3/{BUCKET}", "--apply", "--yes",
                      env=no_identity, check=False)
    assert applied.code == 2 and "identity" in applied.err and "Traceback" not in applied.err
    assert live_env(c) == before_env  # no fingerprint, no old value: untouched
    assert c("s3").get_object(Bucket=BUCKET, Key="config/.env")["Body"].read() == before_body


def test_a_wrong_identity_is_one_line_and_nothing_is_written(gitsnap, sealed_v1, tmp_path):
    from gitsnap.secrets.seal import create_identity

    c = sealed_v1["c"]
    rotate(c)
    before = live_env(c)
    create_identity(tmp_path / "other.age")
    out = gitsnap("restore", "v1.0", f"lambda/{LAMBDA}", "--apply", "--yes",
                  env={"GITSNAP_IDENTITY": str(tmp_path / "other.age")}, check=False)
    assert out.code == 2 and len(out.err.strip().splitlines()) == 1 and "wrong identity" in out.err
    assert live_env(c) == before


def refs_and_objects(g) -> tuple[str, int]:
    count = len(g.git("cat-file", "--batch-all-objects", "--batch-check").splitlines())
    return g.refs(), count


def test_bad_keys_stop_before_anything_is_written(gitsnap, sealed_v1, tmp_path):
    before = refs_and_objects(gitsnap)
    home = tmp_path / "home" / ".config" / "gitsnap"
    # the fingerprint key lost: never a silent new key
    key = home / "fingerprint.key"
    saved = key.read_bytes()
    key.unlink()
    out = gitsnap("capture", check=False)
    assert out.code == 2 and "fingerprint key" in out.err and "missing" in out.err and not key.exists()
    key.write_bytes(saved)
    # the key inside a captured local path
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>hi</p>")
    config = gitsnap.repo / "gitsnap.toml"
    config.write_text(config.read_text() + f'\n[[local.paths]]\nname = "site"\npath = "{tmp_path}"\n')
    out = gitsnap("capture", check=False)
    assert out.code == 2 and "lies inside captured local path" in out.err
    # no recipients
    config.write_text(config.read_text().replace(f'path = "{tmp_path}"', f'path = "{site}"'))
    subprocess.run(["git", "-C", str(gitsnap.repo), "config", "--unset-all", "gitsnap.recipient"], check=True)
    out = gitsnap("capture", check=False)
    assert out.code == 2 and "no age recipients" in out.err
    # a secret in the message
    out = gitsnap("capture", "-m", "rollout with sk_live_" + secrets.token_hex(14), check=False)
    assert out.code == 2 and "looks like a secret" in out.err
    assert refs_and_objects(gitsnap) == before
