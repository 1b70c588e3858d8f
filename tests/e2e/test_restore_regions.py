"""Restore across accounts and regions: each write reaches the copy it restores, and no other.

One estate, seeded once: in two accounts (the default identity, and one reached by AssumeRole:
moto's server keeps what assumed-role credentials make in the role's account) and two regions,
the same names for every restorable type: a function ``fn`` and a table ``events`` in each
region of each account, a role ``app-role``, a managed policy ``deploy``, a zone
``example.com`` and a distribution in each account. Buckets are the exception: their names are
global, so each account and region has its own ``site-<account>-<region>``. Every copy holds a
value of its own (a timeout, a tag, a record, a body), so a write that reached the wrong copy
would show as that copy changing.
"""

from __future__ import annotations

import json

import boto3
import pytest

from gitsnap.sandbox import estate as sample

pytestmark = pytest.mark.e2e

A, B = sample.ACCOUNT, "222222222222"
ROLE = f"arn:aws:iam::{B}:role/gitsnap-restore"
REGIONS = ("us-east-1", "eu-west-1")
COPIES = [(acct, region) for acct in (A, B) for region in REGIONS]
TIMEOUT = {copy: 5 + i for i, copy in enumerate(COPIES)}  # 5, 6, 7, 8: one per copy
RECORD = {A: "203.0.113.1", B: "203.0.113.2"}
ORIGIN = f"site-{A}-us-east-1"  # served by a distribution in each account (one of them cross-account)


def account_clients(endpoint: str, account: str):
    creds = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    if account == B:
        sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1", **creds)
        c = sts.assume_role(RoleArn=ROLE, RoleSessionName="seed")["Credentials"]
        creds = {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"],
                 "aws_session_token": c["SessionToken"]}
    return lambda service, region="us-east-1": boto3.client(service, endpoint_url=endpoint, region_name=region, **creds)


def allow(action: str, resource: str) -> str:
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]})


def distribution_config(account: str, ttl: int) -> dict:
    return {
        "CallerReference": f"site-{account}", "Comment": f"site served from {account}", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "site", "DomainName": f"{ORIGIN}.s3.amazonaws.com",
                                              "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https",
                                 "MinTTL": 0, "DefaultTTL": ttl, "MaxTTL": 31536000,
                                 "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                                 "TrustedSigners": {"Enabled": False, "Quantity": 0}},
    }


def seed(endpoint: str) -> dict[str, dict]:
    out: dict[str, dict] = {"zone": {}, "dist": {}}
    for acct in (A, B):
        c = account_clients(endpoint, acct)
        iam = c("iam")
        iam.create_role(RoleName="app-role", AssumeRolePolicyDocument=json.dumps(sample.ROLE_TRUST))
        iam.put_role_policy(RoleName="app-role", PolicyName="tables",
                            PolicyDocument=allow("dynamodb:PutItem", f"arn:aws:dynamodb:*:{acct}:table/events"))
        iam.create_policy(PolicyName="deploy", PolicyDocument=allow("s3:PutObject", f"arn:aws:s3:::site-{acct}-*/*"))
        for region in REGIONS:
            c("lambda", region).create_function(
                FunctionName="fn", Runtime="python3.12", Handler="app.handler", Timeout=TIMEOUT[(acct, region)],
                Role=f"arn:aws:iam::{acct}:role/app-role",
                Code={"ZipFile": sample.zip_source({"app.py": "def handler(e, c):\n    return 1\n"})})
            c("dynamodb", region).create_table(
                TableName="events", BillingMode="PAY_PER_REQUEST",
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                Tags=[{"Key": "copy", "Value": f"{acct}/{region}"}])
            s3 = c("s3", region)
            bucket = f"site-{acct}-{region}"
            where = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
            s3.create_bucket(Bucket=bucket, **where)
            s3.put_object(Bucket=bucket, Key="index.html", Body=f"<p>{acct} {region}</p>".encode(),
                          ContentType="text/html")
        r53 = c("route53")
        zone = r53.create_hosted_zone(Name="example.com", CallerReference=f"zone-{acct}")["HostedZone"]
        out["zone"][acct] = zone["Id"].rsplit("/", 1)[-1]
        r53.change_resource_record_sets(HostedZoneId=out["zone"][acct], ChangeBatch={"Changes": [
            {"Action": "CREATE", "ResourceRecordSet": {"Name": "www.example.com", "Type": "A", "TTL": 300,
                                                       "ResourceRecords": [{"Value": RECORD[acct]}]}}]})
        dist = c("cloudfront").create_distribution(DistributionConfig=distribution_config(acct, 86400))
        out["dist"][acct] = dist["Distribution"]["Id"]
    return out


def state(endpoint: str, ids: dict) -> dict:
    """What a user would check in every copy, account by account and region by region."""
    got = {}
    for acct in (A, B):
        c = account_clients(endpoint, acct)
        iam = c("iam")
        got[(acct, "role")] = iam.get_role_policy(RoleName="app-role", PolicyName="tables")["PolicyDocument"]
        arn = f"arn:aws:iam::{acct}:policy/deploy"
        default = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        got[(acct, "policy")] = iam.get_policy_version(PolicyArn=arn, VersionId=default)["PolicyVersion"]["Document"]
        records = c("route53").list_resource_record_sets(HostedZoneId=ids["zone"][acct])["ResourceRecordSets"]
        got[(acct, "zone")] = [r["ResourceRecords"][0]["Value"] for r in records if r["Type"] == "A"]
        cf = c("cloudfront").get_distribution_config(Id=ids["dist"][acct])["DistributionConfig"]
        got[(acct, "distribution")] = cf["DefaultCacheBehavior"]["DefaultTTL"]
        for region in REGIONS:
            got[(acct, region, "function")] = c("lambda", region).get_function_configuration(FunctionName="fn")["Timeout"]
            ddb = c("dynamodb", region)
            table = ddb.describe_table(TableName="events")["Table"]["TableArn"]
            # as a map: moto's TagResource appends a second tag of the same key (DynamoDB replaces it)
            got[(acct, region, "table")] = {t["Key"]: t["Value"] for t in ddb.list_tags_of_resource(ResourceArn=table)["Tags"]}
            bucket = f"site-{acct}-{region}"
            got[(acct, region, "bucket")] = c("s3", region).get_object(Bucket=bucket, Key="index.html")["Body"].read()
    return got


def change_one_copy_of_each(endpoint: str, ids: dict) -> set[str]:
    """One copy of each type changed live (spread over both accounts and both regions);
    returns their addresses."""
    a, b = account_clients(endpoint, A), account_clients(endpoint, B)
    a("lambda", "eu-west-1").update_function_configuration(FunctionName="fn", Timeout=30)  # the case
    ddb = b("dynamodb", "eu-west-1")
    ddb.tag_resource(ResourceArn=ddb.describe_table(TableName="events")["Table"]["TableArn"],
                     Tags=[{"Key": "copy", "Value": "mallory"}])
    b("s3", "eu-west-1").put_object(Bucket=f"site-{B}-eu-west-1", Key="index.html", Body=b"<p>defaced</p>",
                                    ContentType="text/html")
    b("iam").put_role_policy(RoleName="app-role", PolicyName="tables", PolicyDocument=allow("*", "*"))
    b("iam").create_policy_version(PolicyArn=f"arn:aws:iam::{B}:policy/deploy", SetAsDefault=True,
                                   PolicyDocument=allow("s3:*", "*"))
    b("route53").change_resource_record_sets(HostedZoneId=ids["zone"][B], ChangeBatch={"Changes": [
        {"Action": "UPSERT", "ResourceRecordSet": {"Name": "www.example.com", "Type": "A", "TTL": 300,
                                                   "ResourceRecords": [{"Value": "203.0.113.99"}]}}]})
    cf = b("cloudfront")
    got = cf.get_distribution_config(Id=ids["dist"][B])
    config = got["DistributionConfig"]
    config["DefaultCacheBehavior"]["DefaultTTL"] = 60
    cf.update_distribution(Id=ids["dist"][B], IfMatch=got["ETag"], DistributionConfig=config)
    return {f"lambda/fn@{A}:eu-west-1", f"dynamodb/events@{B}:eu-west-1", f"s3/site-{B}-eu-west-1",
            f"iam/role/app-role@{B}:global", f"iam/policy/deploy@{B}:global", f"route53/example.com@{B}:global",
            f"cloudfront/{ids['dist'][B]}"}


def configure(g) -> None:
    (g.repo / "gitsnap.toml").write_text(
        f'[aws]\nregions = {json.dumps(list(REGIONS))}\n'
        'services = ["s3", "cloudfront", "lambda", "route53", "dynamodb", "iam"]\n'
        '[[aws.accounts]]\nname = "prod"\n'
        f'[[aws.accounts]]\nname = "staging"\nrole_arn = "{ROLE}"\n')


def test_each_restore_reaches_its_own_account_and_region(gitsnap, endpoint):
    """Issue #11: restore clients were built without the resource's region or account, so the
    eu-west-1 function's restore changed the us-east-1 one, and the second account was refused.
    Then: 'restore v1 s3/site' planned no invalidation (only S3 was read live, so no
    distribution was known) and the CDN kept serving the bad page. One seeded estate for both."""
    g, ids = gitsnap, seed(endpoint)
    configure(g)
    g("capture", "--tag", "v1.0")
    before = state(endpoint, ids)
    changed = change_one_copy_of_each(endpoint, ids)
    assert set(g.manifest("v1.0")["resources"]) >= changed  # the addresses, as capture qualified them

    plan = json.loads(g("restore", "v1.0", "--format", "json", check=False).out)["operations"]
    assert {op["address"] for op in plan if op["applies"]} == changed, plan
    assert not [op for op in plan if op["verb"] == "cannot-restore"]
    # plan order is apply order: roles and policies first, then tables, buckets, functions,
    # distributions, and the zone last
    order = [op["address"].split("/", 1)[0] for op in plan if op["applies"]]
    assert order.index("iam") < order.index("lambda") < order.index("cloudfront") < order.index("route53")

    out = g("restore", "v1.0", "--apply", "--yes", "--no-capture").out
    assert "Live state now matches v1.0." in out
    after = state(endpoint, ids)
    assert after == before  # the changed copies are back, and no other copy was written
    assert after[(A, "eu-west-1", "function")] == TIMEOUT[(A, "eu-west-1")]
    assert after[(A, "us-east-1", "function")] == TIMEOUT[(A, "us-east-1")]

    # a bucket served by a distribution in each account (one cross-account): restoring the
    # bucket alone invalidates both, each through its own account
    a = account_clients(endpoint, A)
    a("s3").put_object(Bucket=ORIGIN, Key="index.html", Body=b"<p>bad page</p>", ContentType="text/html")
    plan = json.loads(g("restore", "v1.0", f"s3/{ORIGIN}", "--format", "json", check=False).out)["operations"]
    got = [(op["verb"], op["target"]) for op in plan]
    assert got == [("put", f"s3://{ORIGIN}/index.html"),
                   *sorted(("invalidate", f"cloudfront/{ids['dist'][acct]}") for acct in (A, B))]

    g("restore", "v1.0", f"s3/{ORIGIN}", "--apply", "--yes", "--no-capture")
    assert a("s3").get_object(Bucket=ORIGIN, Key="index.html")["Body"].read() == f"<p>{A} us-east-1</p>".encode()
    for acct in (A, B):
        cf = account_clients(endpoint, acct)("cloudfront")
        items = cf.list_invalidations(DistributionId=ids["dist"][acct])["InvalidationList"].get("Items", [])
        assert len(items) == 1, acct
        batch = cf.get_invalidation(DistributionId=ids["dist"][acct], Id=items[0]["Id"])["Invalidation"]
        assert batch["InvalidationBatch"]["Paths"]["Items"] == ["/index.html"]
