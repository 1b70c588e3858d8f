"""parity: prod vs staging, with the seeds' case and the findings a person can act on."""

from __future__ import annotations

import json

import pytest

from gitsnap.sandbox import estate as sample

pytestmark = pytest.mark.e2e


def c(endpoint: str, service: str):
    return sample.clients(endpoint)(service)


def test_the_seeds_case_yields_each_finding(gitsnap, endpoint, sample_estate):
    s3, cf, ddb = c(endpoint, "s3"), c(endpoint, "cloudfront"), c(endpoint, "dynamodb")
    s3.put_object(Bucket="sailjada-staging", Key="events/james-taylor.html", ContentType="text/html",
                  CacheControl="max-age=300", Metadata={"site": "sailjada"},
                  Body=sample.page("sailjada", "James Taylor at the Rady Shell", "Sunset sail, 6pm, $79."))
    s3.put_object(Bucket="sailjada-staging", Key="events/preview.html", Body=b"<p>not launched</p>")
    # the quiet mistake: a staging distribution serving from the production bucket
    config = sample.distribution_config("sailjada-prod")
    config.update(CallerReference="staging-on-prod", Comment="sailjada staging",
                  Aliases={"Quantity": 1, "Items": ["staging.sailjada.example"]})
    config["Origins"]["Items"][0]["OriginPath"] = "/_staging"
    bad = cf.create_distribution(DistributionConfig=config)["Distribution"]["Id"]
    for env, pitr in (("prod", True), ("staging", False)):
        name = f"jada-bookings-{env}"
        ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
        if pitr:
            ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    (gitsnap.repo / "gitsnap.toml").write_text(
        '[aws]\nservices = ["s3", "cloudfront", "dynamodb"]\n'
        '[environments]\nprod = ["*-prod"]\nstaging = ["*-staging", "staging.*"]\n')
    gitsnap("capture", "--tag", "v1.0")

    r = gitsnap("parity", "prod", "staging", "--content", check=False)
    assert r.code == 1
    findings = r.out.split("Findings:")[1]
    # each resource with the name people know it by (issue 15): a distribution's alias, a bucket's website
    site = "s3-website-us-east-1.amazonaws.com"
    assert (f"cloudfront/{bad} (staging.sailjada.example, staging) references s3/sailjada-prod (sailjada-prod.{site}, "
            "prod) (origin sailjada-prod path /_staging)") in findings
    assert (f"s3/sailjada-staging (sailjada-staging.{site}, staging) serves 1 key prod does not have: "
            "'events/preview.html'") in findings
    assert ("ContinuousBackups.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus: "
            'prod "ENABLED", staging "DISABLED"') in findings
    assert "-<p>Sunset sail, 6pm, $89.</p>" in r.out and "+<p>Sunset sail, 6pm, $79.</p>" in r.out
    assert (f"s3/queenofsandiego-prod (queenofsandiego-prod.{site}) <-> "
            f"s3/queenofsandiego-staging (queenofsandiego-staging.{site}): same") in r.out  # names masked: no noise
    doc = json.loads(gitsnap("parity", "prod", "staging", "--format", "json", check=False).out)
    assert doc["matches"] is False and f"cloudfront/{bad}" in doc["only"]["staging"]
    assert {f["kind"] for f in doc["findings"]} == {"cross-environment", "content-only-in-one", "setting-differs"}
    # the JSON says the same as the text: its counts, its last line; addresses unchanged, labels beside them
    assert doc["summary"]["line"] == r.out.splitlines()[-1]
    assert doc["summary"]["findings"] == len(doc["findings"]) == sum(1 for x in r.out.splitlines() if x.startswith("  ! "))
    assert doc["labels"][f"cloudfront/{bad}"] == "staging.sailjada.example"
    assert any(f["message"].startswith(f"cloudfront/{bad} (staging) references s3/sailjada-prod (prod)")
               for f in doc["findings"])
    # --live reads the same estate without writing anything
    refs = gitsnap.refs()
    assert gitsnap("parity", "prod", "staging", "--live", check=False).code == 1
    assert gitsnap.refs() == refs
    r = gitsnap("parity", "prod", "qa", check=False)
    assert r.code == 2 and "unknown environment 'qa'" in r.err


def test_matching_environments_exit_zero_and_ignore_applies(gitsnap, endpoint, sample_estate):
    (gitsnap.repo / "gitsnap.toml").write_text(
        '[aws]\nservices = ["s3"]\n[environments]\nprod = ["*-prod"]\nstaging = ["*-staging"]\n')
    gitsnap("capture")
    assert gitsnap("parity", "prod", "staging").out.strip().endswith("The environments match.")
    c(endpoint, "s3").put_bucket_versioning(Bucket="salejada-staging", VersioningConfiguration={"Status": "Suspended"})
    gitsnap("capture")
    assert gitsnap("parity", "prod", "staging", check=False).code == 1
    (gitsnap.repo / "gitsnap.toml").write_text(
        '[aws]\nservices = ["s3"]\n[environments]\nprod = ["*-prod"]\nstaging = ["*-staging"]\n'
        '[[ignore]]\naddress = "s3/*"\npath = "Versioning*"\nreason = "staging versioning is paused to save cost"\n')
    r = gitsnap("parity", "prod", "staging")
    assert "ignored 1 change: s3/* Versioning* (staging versioning is paused to save cost)" in r.out


def test_a_staging_function_whose_role_writes_a_prod_table_is_a_finding(gitsnap, endpoint, sample_estate):
    iam, lam, ddb = c(endpoint, "iam"), c(endpoint, "lambda"), c(endpoint, "dynamodb")
    for env in ("prod", "staging"):
        ddb.create_table(TableName=f"jada-orders-{env}", BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    iam.create_role(RoleName="jada-orders-staging-role", AssumeRolePolicyDocument=json.dumps(sample.ROLE_TRUST))
    iam.put_role_policy(RoleName="jada-orders-staging-role", PolicyName="orders", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:PutItem",
                                                "Resource": f"arn:aws:dynamodb:us-east-1:{sample.ACCOUNT}:table/jada-orders-prod"}]}))
    lam.create_function(FunctionName="jada-orders-staging", Runtime="python3.12", Handler="app.handler",
                        Role=f"arn:aws:iam::{sample.ACCOUNT}:role/jada-orders-staging-role",
                        Code={"ZipFile": sample.zip_source({"app.py": "def handler(e, c):\n    return 1\n"})})
    (gitsnap.repo / "gitsnap.toml").write_text(
        '[aws]\nservices = ["lambda", "dynamodb", "iam"]\n[environments]\nprod = ["*-prod"]\nstaging = ["*-staging"]\n')
    gitsnap("capture")
    out = gitsnap("parity", "prod", "staging", check=False).out
    assert "lambda/jada-orders-staging (staging) references dynamodb/jada-orders-prod (prod)" in out
    assert "iam/role/jada-orders-staging-role" not in out.split("Findings:")[0]
