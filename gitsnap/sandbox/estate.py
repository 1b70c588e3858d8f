"""The sample estate: three small shops with prod and staging, in the spirit of the seeds.

``seed`` builds it on an endpoint; ``change`` makes the edits the demo then finds
with ``gitsnap diff``: an event page reverted, a cache TTL changed, a function's
timeout raised and its API key rotated. Every secret here is fake but shaped
like the real thing, so the secret scans have something to find.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import boto3

SITES = ("sailjada", "queenofsandiego", "salejada")
ACCOUNT = "123456789012"

# Fake secrets, shaped like real ones: tests assert none of them reaches git.
SECRETS = {
    "stripe": "sk_live_FAKE4eC39HqLyjWDarjtT1zdp7dc",
    "origin_header": "x-origin-verify-9f8e7d6c5b4a3f2e1d0c",
    "slack": "xoxb-FAKE-1234567890-abcdefghijklmnopqrstuvwx",
    "db_password": "hunter2-correct-horse-battery",
    "rotated_stripe": "sk_live_FAKErotated000111222333444555",
    "stage_payment_key": "pk_FAKE_stage_variable_0a1b2c3d4e5f",
    "http_stage_token": "tok_FAKE_http_stage_99887766554433",
}


def clients(endpoint: str, region: str = "us-east-1") -> Any:
    def make(service: str, r: str = region) -> Any:
        return boto3.client(service, region_name=r, endpoint_url=endpoint,
                            aws_access_key_id="sandbox", aws_secret_access_key="sandbox")
    return make


def page(site: str, title: str, body: str) -> bytes:
    return (f"<!doctype html>\n<html><head><title>{site}: {title}</title>"
            f"<link rel=\"stylesheet\" href=\"/css/site.css\"></head>\n"
            f"<body>\n<h1>{title}</h1>\n<p>{body}</p>\n</body></html>\n").encode()


def zip_source(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in sorted(files.items()):
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            zf.writestr(info, text)
    return buf.getvalue()


HANDLER_V1 = """import json, os

def handler(event, context):
    # record an event booking
    table = os.environ["DB_TABLE"]
    return {"statusCode": 200, "body": json.dumps({"table": table})}
"""

ROLE_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def seed(endpoint: str, lightsail_endpoint: str | None = None) -> dict[str, Any]:
    """Create the sample estate; returns ids the caller may need (distribution ids, ...).

    Lightsail lives on its own fake endpoint (moto has none); it is seeded when given.
    """
    c = clients(endpoint)
    s3, cf, r53, iam, lam = c("s3"), c("cloudfront"), c("route53"), c("iam"), c("lambda")
    out: dict[str, Any] = {"distributions": {}, "zones": {}}
    for site in SITES:
        for env in ("prod", "staging"):
            bucket = f"{site}-{env}"
            s3.create_bucket(Bucket=bucket)
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
            s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={
                "IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "404.html"}})
            s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [
                {"Key": "site", "Value": site}, {"Key": "env", "Value": env}]})
            s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Sid": "PublicRead", "Effect": "Allow", "Principal": "*",
                               "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
            pages = {
                "index.html": page(site, "Welcome", f"Sail with {site}."),
                "events/james-taylor.html": page(site, "James Taylor at the Rady Shell", "Sunset sail, 6pm, $89."),
                "events/jazz-night.html": page(site, "Jazz night", "Friday, 7pm."),
                "css/site.css": b"body { font-family: Georgia, serif; letter-spacing: 0.02em; }\n",
                "js/app.js": b"document.addEventListener('DOMContentLoaded', () => console.log('ready'));\n",
            }
            for key, body in pages.items():
                ctype = {"html": "text/html", "css": "text/css", "js": "application/javascript"}[key.rsplit(".", 1)[1]]
                s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=ctype,
                              CacheControl="max-age=300", Metadata={"site": site})
            dist = cf.create_distribution(DistributionConfig=distribution_config(bucket))["Distribution"]
            out["distributions"][bucket] = dist["Id"]
    backups = c("s3", "us-west-2")
    backups.create_bucket(Bucket="sailjada-backups",
                          CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    backups.put_object(Bucket="sailjada-backups", Key="db/2024-01-01.json", Body=b'{"bookings": 42}\n')

    iam.create_role(RoleName="jada-lambda-role", AssumeRolePolicyDocument=json.dumps(ROLE_TRUST))
    iam.put_role_policy(RoleName="jada-lambda-role", PolicyName="events-table", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["dynamodb:PutItem"],
                                                "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/jada-events"}]}))
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/jada-lambda-role"
    lam.create_function(
        FunctionName="jada-event-processor", Runtime="python3.12", Role=role_arn, Handler="app.handler",
        Code={"ZipFile": zip_source({"app.py": HANDLER_V1, "README.md": "Event bookings.\n"})},
        Timeout=10, MemorySize=256,
        Environment={"Variables": {"STAGE": "prod", "DB_TABLE": "jada-events",
                                   "STRIPE_SECRET_KEY": SECRETS["stripe"], "DB_PASSWORD": SECRETS["db_password"]}},
        Tags={"site": "sailjada"},
    )
    lam.create_function(
        FunctionName="jada-contact-form", Runtime="python3.12", Role=role_arn, Handler="form.handler",
        Code={"ZipFile": zip_source({"form.py": "def handler(event, context):\n    return {'statusCode': 204}\n"})},
        Timeout=5, MemorySize=128,
        Environment={"Variables": {"STAGE": "prod", "SLACK_TOKEN": SECRETS["slack"]}},
    )
    for site in SITES:
        domain = f"{site}.com"
        zone = r53.create_hosted_zone(Name=domain, CallerReference=f"seed-{site}")["HostedZone"]
        zid = zone["Id"].rsplit("/", 1)[-1]
        out["zones"][domain] = zid
        dist_domain = cf.get_distribution(Id=out["distributions"][f"{site}-prod"])["Distribution"]["DomainName"]
        r53.change_resource_record_sets(HostedZoneId=zid, ChangeBatch={"Changes": [
            {"Action": "CREATE", "ResourceRecordSet": {
                "Name": f"www.{domain}", "Type": "CNAME", "TTL": 300, "ResourceRecords": [{"Value": dist_domain}]}},
            {"Action": "CREATE", "ResourceRecordSet": {
                "Name": domain, "Type": "MX", "TTL": 3600, "ResourceRecords": [{"Value": f"10 mail.{domain}"}]}},
            {"Action": "CREATE", "ResourceRecordSet": {
                "Name": domain, "Type": "TXT", "TTL": 300, "ResourceRecords": [{"Value": '"v=spf1 include:amazonses.com ~all"'}]}},
        ]})
    out.update(seed_platform(endpoint))
    if lightsail_endpoint:
        seed_lightsail(lightsail_endpoint)
    return out


def seed_lightsail(lightsail_endpoint: str) -> None:
    """The legacy WordPress box the seeds snapshotted by hand before every change."""
    ls = boto3.client("lightsail", region_name="us-east-1", endpoint_url=lightsail_endpoint,
                      aws_access_key_id="sandbox", aws_secret_access_key="sandbox")
    ls.create_instances(instanceNames=["jada-legacy-wp"], availabilityZone="us-east-1a", blueprintId="wordpress",
                        bundleId="small_3_0", tags=[{"key": "site", "value": "queenofsandiego"}])
    ls.allocate_static_ip(staticIpName="jada-legacy-ip")
    ls.create_domain(domainName="legacy.queenofsandiego.com")


def seed_platform(endpoint: str) -> dict[str, Any]:
    """Tables, IAM, certificates, email, a database and APIs: the rest of what the seeds exported."""
    c = clients(endpoint)
    ddb, iam, acm, ses, rds = c("dynamodb"), c("iam"), c("acm"), c("ses"), c("rds")
    for name, pitr in (("jada-events", True), ("jada-events-staging", False)):
        ddb.create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"},
                                  {"AttributeName": "email", "AttributeType": "S"}],
            GlobalSecondaryIndexes=[{"IndexName": "by-email", "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                                     "Projection": {"ProjectionType": "ALL"}}],
            Tags=[{"Key": "site", "Value": "sailjada"}])
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
        if pitr:
            ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
        ddb.put_item(TableName=name, Item={"pk": {"S": "event#james-taylor"}, "sk": {"S": "2024-06-01"}, "seats": {"N": "40"}})

    iam.create_policy(PolicyName="jada-deploy", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "arn:aws:s3:::*-prod/*"}]}))
    iam.create_group(GroupName="jada-deployers")
    iam.attach_group_policy(GroupName="jada-deployers", PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/jada-deploy")
    iam.create_user(UserName="jada-ci")
    iam.add_user_to_group(GroupName="jada-deployers", UserName="jada-ci")
    key = iam.create_access_key(UserName="jada-ci")["AccessKey"]
    iam.create_instance_profile(InstanceProfileName="jada-legacy")
    iam.add_role_to_instance_profile(InstanceProfileName="jada-legacy", RoleName="jada-lambda-role")

    acm.request_certificate(DomainName="sailjada.com", ValidationMethod="DNS", SubjectAlternativeNames=["www.sailjada.com"])
    ses.verify_domain_identity(Domain="sailjada.com")
    ses.verify_email_identity(EmailAddress="bookings@sailjada.com")
    ses.create_configuration_set(ConfigurationSet={"Name": "jada-transactional"})

    rds.create_db_parameter_group(DBParameterGroupName="jada-pg", DBParameterGroupFamily="postgres16", Description="jada")
    rds.create_db_instance(DBInstanceIdentifier="jada-legacy-db", DBInstanceClass="db.t3.micro", Engine="postgres",
                           MasterUsername="jada", MasterUserPassword=SECRETS["db_password"], AllocatedStorage=20,
                           DBParameterGroupName="jada-pg")

    api = c("apigateway")
    rest = api.create_rest_api(name="jada-bookings-api", description="bookings")["id"]
    root = next(r["id"] for r in api.get_resources(restApiId=rest)["items"] if r["path"] == "/")
    res = api.create_resource(restApiId=rest, parentId=root, pathPart="bookings")["id"]
    api.put_method(restApiId=rest, resourceId=res, httpMethod="POST", authorizationType="NONE")
    api.put_integration(restApiId=rest, resourceId=res, httpMethod="POST", type="AWS_PROXY", integrationHttpMethod="POST",
                        uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:{ACCOUNT}:function:jada-event-processor/invocations")
    dep = api.create_deployment(restApiId=rest, stageName="prod")["id"]
    api.update_stage(restApiId=rest, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/variables/PAYMENT_KEY", "value": SECRETS["stage_payment_key"]},
        {"op": "replace", "path": "/variables/TABLE", "value": "jada-events"}])
    http = c("apigatewayv2").create_api(Name="jada-webhooks", ProtocolType="HTTP")["ApiId"]
    c("apigatewayv2").create_stage(ApiId=http, StageName="live", StageVariables={"TOKEN": SECRETS["http_stage_token"]})
    return {"rest_api": rest, "deployment": dep, "http_api": http, "iam_secret_access_key": key["SecretAccessKey"],
            "iam_access_key_id": key["AccessKeyId"]}


def distribution_config(bucket: str, ttl: int = 86400) -> dict[str, Any]:
    origin_id = f"s3-{bucket}"
    return {
        "CallerReference": f"seed-{bucket}",
        "Aliases": {"Quantity": 1, "Items": [f"www.{bucket}.example"]},
        "DefaultRootObject": "index.html",
        "Comment": f"{bucket} website",
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{
            "Id": origin_id,
            "DomainName": f"{bucket}.s3.amazonaws.com",
            "OriginPath": "",
            "CustomHeaders": {"Quantity": 1, "Items": [
                {"HeaderName": "X-Origin-Verify", "HeaderValue": SECRETS["origin_header"]}]},
            "S3OriginConfig": {"OriginAccessIdentity": ""},
        }]},
        "DefaultCacheBehavior": {
            "TargetOriginId": origin_id,
            "ViewerProtocolPolicy": "redirect-to-https",
            "MinTTL": 0,
            "DefaultTTL": ttl,
            "MaxTTL": 31536000,
            "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
            "TrustedSigners": {"Enabled": False, "Quantity": 0},
        },
    }


def change(endpoint: str) -> list[str]:
    """The demo's edits; returns a line per edit, for the demo to print."""
    c = clients(endpoint)
    s3, cf, lam = c("s3"), c("cloudfront"), c("lambda")
    s3.put_object(Bucket="sailjada-prod", Key="events/james-taylor.html", ContentType="text/html",
                  CacheControl="max-age=300", Metadata={"site": "sailjada"},
                  Body=page("sailjada", "James Taylor at the Rady Shell", "Sunset sail, 5pm, $99."))
    dist_id = next(d["Id"] for d in cf.list_distributions()["DistributionList"]["Items"]
                   if d["Origins"]["Items"][0]["DomainName"].startswith("sailjada-prod."))
    got = cf.get_distribution_config(Id=dist_id)
    config = got["DistributionConfig"]
    config["DefaultCacheBehavior"]["DefaultTTL"] = 60
    cf.update_distribution(Id=dist_id, IfMatch=got["ETag"], DistributionConfig=config)
    env = lam.get_function_configuration(FunctionName="jada-event-processor")["Environment"]["Variables"]
    env["STRIPE_SECRET_KEY"] = SECRETS["rotated_stripe"]
    lam.update_function_configuration(FunctionName="jada-event-processor", Timeout=30,
                                      Environment={"Variables": env})
    return [
        "s3://sailjada-prod/events/james-taylor.html: show time 6pm -> 5pm, price $89 -> $99",
        f"cloudfront/{dist_id}: DefaultTTL 86400 -> 60",
        "lambda/jada-event-processor: Timeout 10 -> 30, STRIPE_SECRET_KEY rotated",
    ]
