"""``[aws] organization = true``: every ACTIVE account of the Organization, each under its own id.

moto models the Organization (create_organization, create_account, ListAccounts) and keeps
what is made with an assumed role's credentials in that role's account, so each member's
bucket is real state in that account. moto assumes any role, existing or not, so the role
that cannot be assumed is the fault proxy's: it answers that one ``AssumeRole`` with
``AccessDenied``, as AWS does for a missing role or one that does not trust the caller.
"""

from __future__ import annotations

import subprocess

import boto3
import pytest

from gitsnap.sandbox import estate as sample

from ..faults import Rule

pytestmark = pytest.mark.e2e

ROLE = "OrganizationAccountAccessRole"
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}
CONFIG = '[aws]\norganization = true\nregions = "all"\nservices = ["s3"]\n'  # "all": a refused account's regions cannot be asked either


def member_client(endpoint: str, account_id: str, service: str):
    """A client acting in *account_id* through its Organization role (moto: lands in that account)."""
    sts = boto3.client("sts", endpoint_url=endpoint, **KEYS)
    c = sts.assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/{ROLE}", RoleSessionName="seed")["Credentials"]
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=c["AccessKeyId"],
                        aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])


def seed_organization(endpoint: str) -> dict[str, str]:
    """The management account and two members, one bucket each; returns bucket -> account id."""
    org = boto3.client("organizations", endpoint_url=endpoint, **KEYS)
    org.create_organization(FeatureSet="ALL")
    buckets = {"mgmt-bucket": sample.ACCOUNT}
    boto3.client("s3", endpoint_url=endpoint, **KEYS).create_bucket(Bucket="mgmt-bucket")
    for name in ("shop-dev", "shop-prod"):
        status = org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
        member_client(endpoint, status["AccountId"], "s3").create_bucket(Bucket=f"{name}-bucket")
        buckets[f"{name}-bucket"] = status["AccountId"]
    return buckets


def test_every_account_of_the_organization_is_captured_under_its_own_id(gitsnap, endpoint, proxy):
    buckets = seed_organization(endpoint)
    (gitsnap.repo / "gitsnap.toml").write_text(CONFIG)
    gitsnap("capture", "--tag", "v1")
    manifest = gitsnap.manifest("v1")
    for bucket, account in buckets.items():
        assert manifest["units"][f"aws/{account}/us-east-1/s3"]["status"] == "ok"
        assert manifest["resources"][f"s3/{bucket}"]["account"] == account
        assert gitsnap.show(f"v1:aws/{account}/us-east-1/s3/bucket/{bucket}/bucket.json")
    assert sorted(manifest["covered"]["aws"]) == sorted(set(buckets.values()))
    fsck = subprocess.run(["git", "-C", str(gitsnap.repo), "fsck", "--strict", "--no-dangling"],
                          capture_output=True, text=True)
    assert fsck.returncode == 0 and "error" not in fsck.stderr, fsck.stderr

    # one member's role is refused: that account fails, its previous state is kept, the others are read
    dev = buckets["shop-dev-bucket"]
    p, url = proxy
    p.rules.append(Rule(action="AssumeRole", code="AccessDenied", when=lambda r: dev in r.form().get("RoleArn", "")))
    boto3.client("s3", endpoint_url=endpoint, **KEYS).create_bucket(Bucket="mgmt-later")
    r = gitsnap("capture", "--allow-partial", check=False, env={"AWS_ENDPOINT_URL": url})
    assert r.code == 3, r.err
    assert "Traceback" not in r.err
    failed = [line for line in r.err.splitlines() if "failed:" in line]
    assert failed and all(f"account {dev} (shop-dev)" in line and "organization_exclude" in line
                          and f"role/{ROLE}" in line for line in failed), r.err
    after = gitsnap.manifest()
    assert after["units"][f"aws/{dev}/us-east-1/s3"]["status"] == "failed"
    assert after["resources"]["s3/shop-dev-bucket"]["account"] == dev  # kept, not recorded as deleted
    assert "s3/mgmt-later" in after["resources"]
    assert after["units"][f"aws/{buckets['shop-prod-bucket']}/us-east-1/s3"]["status"] == "ok"


def test_no_organization_is_one_error_line_not_an_empty_estate(gitsnap, endpoint, proxy):
    """Not in an Organization: exit 2 naming organizations:ListAccounts and what to do, nothing
    written. AWS answers ``AWSOrganizationsNotInUseException`` there; moto lists no account
    instead, which gitsnap refuses too (first capture below), and the proxy gives AWS's answer."""
    (gitsnap.repo / "gitsnap.toml").write_text(CONFIG)
    p, url = proxy
    for env in ({}, {"AWS_ENDPOINT_URL": url}):
        if env:
            p.rules.append(Rule(action="ListAccounts", status=400, code="AWSOrganizationsNotInUseException"))
        r = gitsnap("capture", check=False, env=env)
        lines = [line for line in r.err.splitlines() if line.strip()]
        assert r.code == 2 and len(lines) == 1, r.err
        assert lines[0].startswith("gitsnap: error: organizations:ListAccounts")
        assert gitsnap.head() is None
    assert "AWSOrganizationsNotInUseException" in lines[0] and "organization = false" in lines[0]
