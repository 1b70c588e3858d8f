"""Examples of s3 resources: the raw API shape each type's transform is given, and a round trip."""

from __future__ import annotations

import json

from . import Aws, Example

BUCKET = "example-shop-assets"
OBJECTS = {
    "index.html": (b"<h1>Shop</h1>\n", {"ContentType": "text/html", "CacheControl": "max-age=300",
                                         "Metadata": {"site": "shop"}}),
    "img/logo.svg": (b"<svg xmlns='http://www.w3.org/2000/svg'/>\n", {"ContentType": "image/svg+xml",
                                                                      "StorageClass": "STANDARD_IA"}),
}


def seed_bucket(aws: Aws) -> None:
    """A versioned bucket with a policy, tags, CORS, a website, a lifecycle rule and two objects."""
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_tagging(Bucket=BUCKET, Tagging={"TagSet": [{"Key": "env", "Value": "prod"}]})
    s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{BUCKET}/*"}]}))
    s3.put_bucket_cors(Bucket=BUCKET, CORSConfiguration={"CORSRules": [
        {"AllowedMethods": ["GET"], "AllowedOrigins": ["https://shop.example"], "MaxAgeSeconds": 3000}]})
    s3.put_bucket_website(Bucket=BUCKET, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})
    s3.put_bucket_lifecycle_configuration(Bucket=BUCKET, LifecycleConfiguration={"Rules": [
        {"ID": "old-versions", "Status": "Enabled", "Filter": {"Prefix": ""},
         "NoncurrentVersionExpiration": {"NoncurrentDays": 30}}]})
    for key, (body, extra) in OBJECTS.items():
        s3.put_object(Bucket=BUCKET, Key=key, Body=body, **extra)


def delete_bucket(aws: Aws) -> None:
    """The disaster: every version of every object, then the bucket itself."""
    s3 = aws.client("s3")
    listed = s3.list_object_versions(Bucket=BUCKET)
    for v in (*listed.get("Versions", []), *listed.get("DeleteMarkers", [])):
        s3.delete_object(Bucket=BUCKET, Key=v["Key"], VersionId=v["VersionId"])
    s3.delete_bucket(Bucket=BUCKET)


EXAMPLES = {
    "bucket": Example(raw={"Name": "shop-prod", "Region": "us-east-1", "Policy": '{"Version": "2012-10-17"}',
                           "Versioning": {"Status": "Enabled"}, "Tagging": [{"Key": "env", "Value": "prod"}],
                           "Cors": None, "Notifications": {}},
                      seed=seed_bucket, damage=delete_bucket),
}
