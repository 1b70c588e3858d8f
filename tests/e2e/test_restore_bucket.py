"""A bucket deleted live (objects and all) is recreated by ``restore``; one created since is
emptied and deleted by ``restore --delete``. Driven through the ``gitsnap`` command.

The bucket lives in us-west-2 (CreateBucket must name its region) and has most settings a
bucket document holds, a server access log target, an SQS notification, objects with content
types, headers, metadata and a storage class, and a ``.env`` body the capture seals.
"""

from __future__ import annotations

import json
import secrets

import botocore.exceptions as bx
import pytest

from gitsnap.sandbox import estate as sample

pytestmark = pytest.mark.e2e

BUCKET, LOGS, SCRATCH, REGION = "shop-media", "shop-media-logs", "shop-scratch", "us-west-2"
OBJECTS = {
    "index.html": (b"<h1>Media</h1>\n", {"ContentType": "text/html", "CacheControl": "max-age=300",
                                         "ContentLanguage": "en", "Metadata": {"site": "shop"}}),
    "img/a b.svg": (b"<svg xmlns='http://www.w3.org/2000/svg'/>\n", {"ContentType": "image/svg+xml"}),
    "archive/2023.csv": (b"day,orders\n2023-12-31,7\n", {"ContentType": "text/csv", "StorageClass": "STANDARD_IA"}),
    "dir/": (b"", {}),
}


def s3(endpoint: str):
    return sample.clients(endpoint, REGION)("s3")


def seed(endpoint: str) -> bytes:
    """The bucket, its log target and its notification queue; returns the sealed .env body."""
    c, sqs = s3(endpoint), sample.clients(endpoint, REGION)("sqs")
    queue = sqs.get_queue_attributes(QueueUrl=sqs.create_queue(QueueName="media-events")["QueueUrl"],
                                     AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    where = {"CreateBucketConfiguration": {"LocationConstraint": REGION}}
    c.create_bucket(Bucket=LOGS, **where)
    c.put_bucket_policy(Bucket=LOGS, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": ["s3:PutObject"],
         "Resource": f"arn:aws:s3:::{LOGS}/*"}]}))
    c.create_bucket(Bucket=BUCKET, **where)
    c.put_bucket_ownership_controls(Bucket=BUCKET, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]})
    c.put_public_access_block(Bucket=BUCKET, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False, "RestrictPublicBuckets": False})
    c.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{BUCKET}/*"}]}))
    c.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    c.put_bucket_encryption(Bucket=BUCKET, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    c.put_bucket_tagging(Bucket=BUCKET, Tagging={"TagSet": [{"Key": "team", "Value": "web"}]})
    c.put_bucket_cors(Bucket=BUCKET, CORSConfiguration={"CORSRules": [
        {"AllowedMethods": ["GET", "HEAD"], "AllowedOrigins": ["*"], "MaxAgeSeconds": 600}]})
    c.put_bucket_website(Bucket=BUCKET, WebsiteConfiguration={
        "IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "404.html"}})
    c.put_bucket_lifecycle_configuration(Bucket=BUCKET, LifecycleConfiguration={"Rules": [
        {"ID": "tidy", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 7}}]})
    c.put_bucket_logging(Bucket=BUCKET, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": LOGS,
                                                                               "TargetPrefix": "media/"}})
    c.put_bucket_notification_configuration(Bucket=BUCKET, NotificationConfiguration={"QueueConfigurations": [
        {"Id": "uploads", "QueueArn": queue, "Events": ["s3:ObjectCreated:*"]}]})
    for key, (body, extra) in OBJECTS.items():
        c.put_object(Bucket=BUCKET, Key=key, Body=body, **extra)
    env = f"APP_ENV=prod\nDB_PASSWORD={secrets.token_urlsafe(24)}\n".encode()
    c.put_object(Bucket=BUCKET, Key="config/.env", Body=env)
    c.put_object(Bucket=BUCKET, Key="index.html", Body=OBJECTS["index.html"][0], **OBJECTS["index.html"][1])  # 2 versions
    return env


def delete_bucket(c, bucket: str) -> None:
    """The disaster: every version of every object, then the bucket."""
    for page in c.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for v in (*page.get("Versions", []), *page.get("DeleteMarkers", [])):
            c.delete_object(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])
    c.delete_bucket(Bucket=bucket)


def exists(c, bucket: str) -> bool:
    try:
        c.head_bucket(Bucket=bucket)
        return True
    except bx.ClientError:
        return False


@pytest.fixture
def v1(gitsnap, endpoint):
    (gitsnap.repo / "gitsnap.toml").write_text('[aws]\nservices = ["s3"]\n')  # only what this file is about
    env = seed(endpoint)
    gitsnap("capture", "--tag", "v1.0", "-m", "known good")
    return gitsnap, env


def ops_of(result) -> set[tuple[str, str, str]]:
    return {(op["address"], op["verb"], op["target"]) for op in json.loads(result.out)["operations"]}


def test_a_deleted_bucket_is_recreated_with_its_settings_and_objects(v1, endpoint):
    g, env = v1
    c = s3(endpoint)
    delete_bucket(c, BUCKET)

    plan = g("restore", "v1.0", "--format", "json", check=False)
    assert plan.code == 1, plan.err
    got = ops_of(plan)
    address = f"s3/{BUCKET}"
    assert {(address, "create", f"s3://{BUCKET}"), (address, "put", f"s3://{BUCKET}/config/.env"),
            (address, "put", f"s3://{BUCKET} Policy"),
            (address, "put", f"s3://{BUCKET} Notifications")} | {
                (address, "put", f"s3://{BUCKET}/{key}") for key in OBJECTS} <= got
    assert not exists(c, BUCKET)  # the plan wrote nothing

    g("restore", "v1.0", "--apply", "--yes")
    assert c.get_bucket_location(Bucket=BUCKET)["LocationConstraint"] == REGION
    for key, (body, extra) in OBJECTS.items():
        got_obj = c.get_object(Bucket=BUCKET, Key=key)
        assert got_obj["Body"].read() == body, key
        assert got_obj.get("ContentType") == extra.get("ContentType", got_obj.get("ContentType")), key
        assert got_obj.get("Metadata", {}) == extra.get("Metadata", {}), key
        assert got_obj.get("StorageClass", "STANDARD") == extra.get("StorageClass", "STANDARD"), key
    assert c.get_object(Bucket=BUCKET, Key="index.html")["CacheControl"] == "max-age=300"
    assert c.get_object(Bucket=BUCKET, Key="config/.env")["Body"].read() == env  # the sealed body, byte-exact
    assert json.loads(c.get_bucket_policy(Bucket=BUCKET)["Policy"])["Statement"][0]["Sid"] == "PublicRead"
    assert c.get_bucket_logging(Bucket=BUCKET)["LoggingEnabled"]["TargetBucket"] == LOGS
    assert c.get_bucket_notification_configuration(Bucket=BUCKET)["QueueConfigurations"][0]["Id"] == "uploads"

    # the restore recorded a capture: it equals v1.0 for the bucket (document and object index)
    diff = json.loads(g("diff", "v1.0", "HEAD", "--format", "json").out)
    assert [ch for ch in diff["changes"] if ch["address"] == address] == []
    again = g("restore", "v1.0", address, "--format", "json")
    assert json.loads(again.out)["operations"] == []


def test_without_the_identity_a_sealed_body_stops_the_recreate_before_anything_is_written(v1, endpoint, tmp_path):
    g, _ = v1
    c = s3(endpoint)
    delete_bucket(c, BUCKET)
    no_identity = {"GITSNAP_IDENTITY": str(tmp_path / "absent.age")}
    plan = g("restore", "v1.0", f"s3/{BUCKET}", "--format", "json", env=no_identity, check=False)
    assert (f"s3/{BUCKET}", "needs-identity", f"s3://{BUCKET}/config/.env") in ops_of(plan)
    applied = g("restore", "v1.0", f"s3/{BUCKET}", "--apply", "--yes", env=no_identity, check=False)
    assert applied.code == 2 and "identity" in applied.err
    assert not exists(c, BUCKET)


def test_delete_empties_and_removes_a_bucket_created_since(gitsnap, endpoint):
    g, c = gitsnap, s3(endpoint)
    (g.repo / "gitsnap.toml").write_text('[aws]\nservices = ["s3"]\n')
    c.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    c.put_object(Bucket=BUCKET, Key="index.html", Body=b"kept")
    g("capture", "--tag", "v1.0")
    c.create_bucket(Bucket=SCRATCH, CreateBucketConfiguration={"LocationConstraint": REGION})
    c.put_bucket_versioning(Bucket=SCRATCH, VersioningConfiguration={"Status": "Enabled"})
    for body in (b"one", b"two"):
        c.put_object(Bucket=SCRATCH, Key="note.txt", Body=body)
    c.put_object(Bucket=SCRATCH, Key="gone.txt", Body=b"x")
    c.delete_object(Bucket=SCRATCH, Key="gone.txt")  # a delete marker over one version

    kept = g("restore", "v1.0", f"s3/{SCRATCH}", "--format", "json", check=False)
    assert ops_of(kept) == {(f"s3/{SCRATCH}", "kept", f"s3/{SCRATCH}")}
    plan = g("restore", "v1.0", f"s3/{SCRATCH}", "--delete", check=False)
    assert "empty" in plan.out and "1 object (3 B): 3 object versions and 1 delete marker" in plan.out, plan.out
    # by address: the check after applying must not fail because s3/shop-scratch is gone by then
    applied = g("restore", "v1.0", f"s3/{SCRATCH}", "--delete", "--apply", "--yes")
    assert "applied delete s3://shop-scratch" in applied.err
    assert not exists(c, SCRATCH) and exists(c, BUCKET)
