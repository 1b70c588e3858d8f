"""Two accounts captured in one run: the default identity and one reached by AssumeRole.

moto's server keeps resources made with assumed-role credentials in the role's account,
so the second account is real state, not a relabelled copy of the first.
"""

from __future__ import annotations

import json

import boto3
import pytest

from gitsnap.sandbox import estate as sample

pytestmark = pytest.mark.e2e

STAGING = "222222222222"
ROLE = f"arn:aws:iam::{STAGING}:role/gitsnap-read"


def staging_clients(endpoint: str):
    sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    c = sts.assume_role(RoleArn=ROLE, RoleSessionName="seed")["Credentials"]
    return lambda service, region="us-east-1": boto3.client(
        service, endpoint_url=endpoint, region_name=region, aws_access_key_id=c["AccessKeyId"],
        aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])


def test_two_accounts_two_regions(gitsnap, endpoint, sample_estate):
    st = staging_clients(endpoint)
    st("s3").create_bucket(Bucket="sailjada-staging-acct")
    st("iam").create_role(RoleName="jada-lambda-role", AssumeRolePolicyDocument=json.dumps(sample.ROLE_TRUST))
    st("lambda", "us-west-2").create_function(
        FunctionName="jada-event-processor", Runtime="python3.12", Handler="app.handler",
        Role=f"arn:aws:iam::{STAGING}:role/jada-lambda-role",
        Code={"ZipFile": sample.zip_source({"app.py": sample.HANDLER_V1})},
        Environment={"Variables": {"STRIPE_SECRET_KEY": "sk_test_FAKEstagingonly1234567890"}})
    (gitsnap.repo / "gitsnap.toml").write_text(
        '[aws]\nregions = ["us-east-1", "us-west-2"]\nservices = ["s3", "lambda", "iam"]\n'
        '[[aws.accounts]]\nname = "prod"\n'
        f'[[aws.accounts]]\nname = "staging"\nrole_arn = "{ROLE}"\n')
    gitsnap("capture", "--tag", "v1.0")
    manifest = gitsnap.manifest("v1.0")
    units = manifest["units"]
    for account in (sample.ACCOUNT, STAGING):
        assert units[f"aws/{account}/global/iam"]["status"] == "ok"
        for region in ("us-east-1", "us-west-2"):
            assert units[f"aws/{account}/{region}/lambda"]["status"] == "ok"
    res = manifest["resources"]
    assert res["s3/sailjada-staging-acct"]["account"] == STAGING
    assert res["s3/sailjada-prod"]["account"] == sample.ACCOUNT
    # one function name in two accounts: both kept, told apart by account and region
    assert f"lambda/jada-event-processor@{sample.ACCOUNT}:us-east-1" in res
    assert f"lambda/jada-event-processor@{STAGING}:us-west-2" in res
    assert "lambda/jada-contact-form" in res
    doc = json.loads(gitsnap.show(
        f"v1.0:aws/{STAGING}/us-west-2/lambda/function/jada-event-processor/function.json"))
    assert doc["Configuration"]["FunctionArn"].startswith(f"arn:aws:lambda:us-west-2:{STAGING}:")
    assert b"sk_test_FAKEstagingonly" not in gitsnap.all_objects()
    out = gitsnap("diff", "v1.0", "HEAD", "--only", "lambda").out
    assert out.strip() == "No differences."
