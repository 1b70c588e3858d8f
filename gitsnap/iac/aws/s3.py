"""S3 buckets: AWS::S3::Bucket (+ BucketPolicy); aws_s3_bucket and its configuration blocks.

The bucket's objects are not resources here: their bodies are written under
``artifacts/s3/<bucket>/`` with the upload script (``artifacts.py``), for both formats.
"""

from __future__ import annotations

from typing import Any

from ..model import Block, Fields, JsonEncode, Link, Resource
from ..spec import IacSpec, Out
from .common import tag_list

_RENAME_CORS = {"ID": "Id", "ExposeHeaders": "ExposedHeaders", "MaxAgeSeconds": "MaxAge"}




def _self(r: Resource) -> Link:
    return Link(r.address, None, r.doc["Name"], tf_attr="id")


def _bucket_link(name: str, r: Resource) -> Link:
    return Link(f"s3/{name}", None, name, tf_attr="id")


def _website(w: dict[str, Any]) -> dict[str, Any]:
    rules = []
    for rule in w.get("RoutingRules") or []:
        rules.append({"RoutingRuleCondition": rule.get("Condition"), "RedirectRule": rule.get("Redirect")})
    return {
        "IndexDocument": (w.get("IndexDocument") or {}).get("Suffix"),
        "ErrorDocument": (w.get("ErrorDocument") or {}).get("Key"),
        "RedirectAllRequestsTo": w.get("RedirectAllRequestsTo"),
        "RoutingRules": rules,
    }


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    flt = rule.get("Filter") or {}
    and_ = flt.get("And") or {}
    expiration = rule.get("Expiration") or {}
    nve = rule.get("NoncurrentVersionExpiration") or {}
    return {
        "Id": rule.get("ID"),
        "Status": rule["Status"],
        "Prefix": flt.get("Prefix", and_.get("Prefix", rule.get("Prefix"))) or None,
        "TagFilters": [{"Key": t["Key"], "Value": t["Value"]} for t in and_.get("Tags", [])]
        + ([flt["Tag"]] if "Tag" in flt else []),
        "ObjectSizeGreaterThan": flt.get("ObjectSizeGreaterThan", and_.get("ObjectSizeGreaterThan")),
        "ObjectSizeLessThan": flt.get("ObjectSizeLessThan", and_.get("ObjectSizeLessThan")),
        "ExpirationInDays": expiration.get("Days"),
        "ExpirationDate": expiration.get("Date"),
        "ExpiredObjectDeleteMarker": expiration.get("ExpiredObjectDeleteMarker"),
        "NoncurrentVersionExpiration": {"NoncurrentDays": nve["NoncurrentDays"],
                                        "NewerNoncurrentVersions": nve.get("NewerNoncurrentVersions")} if nve else None,
        "NoncurrentVersionTransitions": [
            {"StorageClass": t["StorageClass"], "TransitionInDays": t.get("NoncurrentDays"),
             "NewerNoncurrentVersions": t.get("NewerNoncurrentVersions")}
            for t in rule.get("NoncurrentVersionTransitions") or []],
        "Transitions": [{"StorageClass": t["StorageClass"], "TransitionInDays": t.get("Days"),
                         "TransitionDate": t.get("Date")} for t in rule.get("Transitions") or []],
        "AbortIncompleteMultipartUpload": rule.get("AbortIncompleteMultipartUpload"),
    }


def _notifications(n: dict[str, Any]) -> dict[str, Any]:
    """API notification configuration -> CloudFormation's, which takes one event per entry."""
    def each(entries: list[dict[str, Any]], target_key: str, cfn_key: str) -> list[dict[str, Any]]:
        out = []
        for e in entries:
            rules = ((e.get("Filter") or {}).get("Key") or {}).get("FilterRules") or []
            for event in e.get("Events", []):
                out.append({"Event": event, cfn_key: e[target_key],
                            "Filter": {"S3Key": {"Rules": [{"Name": x["Name"].lower(), "Value": x["Value"]}
                                                           for x in rules]}} if rules else None})
        return out
    return {
        "LambdaConfigurations": each(n.get("LambdaFunctionConfigurations") or [], "LambdaFunctionArn", "Function"),
        "QueueConfigurations": each(n.get("QueueConfigurations") or [], "QueueArn", "Queue"),
        "TopicConfigurations": each(n.get("TopicConfigurations") or [], "TopicArn", "Topic"),
        "EventBridgeConfiguration": {"EventBridgeEnabled": True} if "EventBridgeConfiguration" in n else None,
    }


def bucket_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("Name")
    f.computed("Region")  # where the template is deployed
    encryption = f.get("Encryption")
    logging = f.get("Logging")
    props = {
        "BucketName": name,
        "VersioningConfiguration": f.get("Versioning") or None,
        "CorsConfiguration": {"CorsRules": [{_RENAME_CORS.get(k, k): v for k, v in rule.items()}
                                            for rule in f.get("Cors", [])]} if f.get("Cors") else None,
        "WebsiteConfiguration": _website(f.get("Website")) if f.get("Website") else None,
        "LifecycleConfiguration": {"Rules": [_lifecycle_rule(x) for x in f.get("Lifecycle")]} if f.get("Lifecycle") else None,
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": rule.get("ApplyServerSideEncryptionByDefault"),
             "BucketKeyEnabled": rule.get("BucketKeyEnabled")} for rule in encryption.get("Rules", [])]}
        if encryption else None,
        "PublicAccessBlockConfiguration": f.get("PublicAccessBlock") or None,
        "OwnershipControls": f.get("OwnershipControls") or None,
        "LoggingConfiguration": {"DestinationBucketName": _bucket_link(logging["TargetBucket"], r),
                                 "LogFilePrefix": logging.get("TargetPrefix")} if logging else None,
        "NotificationConfiguration": _notifications(f.get("Notifications")) if f.get("Notifications") else None,
        "Tags": tag_list(f.get("Tags")),
    }
    if f.get_quiet("Replication"):
        f.unsupported("Replication", "replication rules are not translated yet (they need the role and "
                                     "destination buckets); set them after deploying")
    out.resource("AWS::S3::Bucket", props, name, identifier={"BucketName": name})
    policy = f.get("Policy")
    if policy:
        out.resource("AWS::S3::BucketPolicy", {"Bucket": _self(r), "PolicyDocument": policy}, f"{name}-policy",
                     identifier={"Bucket": name})


def bucket_terraform(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("Name")
    f.computed("Region")
    bucket = _self(r)
    out.block("aws_s3_bucket", {"bucket": name, "tags": f.get("Tags") or None}, name, import_id=name)
    versioning = f.get("Versioning")
    if versioning:
        body = {"status": versioning["Status"]}
        if versioning.get("MFADelete"):
            body["mfa_delete"] = versioning["MFADelete"]
        out.block("aws_s3_bucket_versioning", {"bucket": bucket, "versioning_configuration": Block(body)},
                  name, import_id=name)
    if f.get("Policy"):
        out.block("aws_s3_bucket_policy", {"bucket": bucket, "policy": JsonEncode(f.get("Policy"))}, name, import_id=name)
    if f.get("Cors"):
        rules = [Block({"id": c.get("ID"), "allowed_headers": c.get("AllowedHeaders"),
                        "allowed_methods": c["AllowedMethods"], "allowed_origins": c["AllowedOrigins"],
                        "expose_headers": c.get("ExposeHeaders"), "max_age_seconds": c.get("MaxAgeSeconds")})
                 for c in f.get("Cors")]
        out.block("aws_s3_bucket_cors_configuration", {"bucket": bucket, "cors_rule": rules}, name, import_id=name)
    website = f.get("Website")
    if website:
        body: dict[str, Any] = {"bucket": bucket}
        if website.get("IndexDocument"):
            body["index_document"] = Block({"suffix": website["IndexDocument"]["Suffix"]})
        if website.get("ErrorDocument"):
            body["error_document"] = Block({"key": website["ErrorDocument"]["Key"]})
        if website.get("RedirectAllRequestsTo"):
            red = website["RedirectAllRequestsTo"]
            body["redirect_all_requests_to"] = Block({"host_name": red["HostName"], "protocol": red.get("Protocol")})
        if website.get("RoutingRules"):
            body["routing_rules"] = JsonEncode(website["RoutingRules"])
        out.block("aws_s3_bucket_website_configuration", body, name, import_id=name)
    if f.get("Lifecycle"):
        rules = []
        for rule in f.get("Lifecycle"):
            c = _lifecycle_rule(rule)
            flt = {"prefix": c["Prefix"] or ""} if not c["TagFilters"] and c["ObjectSizeGreaterThan"] is None else None
            rules.append(Block({
                "id": c["Id"], "status": c["Status"], "filter": Block(flt) if flt is not None else None,
                "expiration": Block({"days": c["ExpirationInDays"], "date": c["ExpirationDate"],
                                     "expired_object_delete_marker": c["ExpiredObjectDeleteMarker"]})
                if any(c[k] is not None for k in ("ExpirationInDays", "ExpirationDate", "ExpiredObjectDeleteMarker")) else None,
                "noncurrent_version_expiration": Block({
                    "noncurrent_days": c["NoncurrentVersionExpiration"]["NoncurrentDays"],
                    "newer_noncurrent_versions": c["NoncurrentVersionExpiration"]["NewerNoncurrentVersions"]})
                if c["NoncurrentVersionExpiration"] else None,
                "transition": [Block({"days": t["TransitionInDays"], "date": t["TransitionDate"],
                                      "storage_class": t["StorageClass"]}) for t in c["Transitions"]],
                "noncurrent_version_transition": [Block({"noncurrent_days": t["TransitionInDays"],
                                                         "storage_class": t["StorageClass"]})
                                                  for t in c["NoncurrentVersionTransitions"]],
                "abort_incomplete_multipart_upload": Block({"days_after_initiation":
                                                            c["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"]})
                if c["AbortIncompleteMultipartUpload"] else None,
            }))
            if c["TagFilters"] or c["ObjectSizeGreaterThan"] is not None:
                f.unsupported("Lifecycle", "lifecycle rules filtered by tag or size are not translated for Terraform yet")
        out.block("aws_s3_bucket_lifecycle_configuration", {"bucket": bucket, "rule": rules}, name, import_id=name)
    encryption = f.get("Encryption")
    if encryption:
        rules = [Block({"bucket_key_enabled": rule.get("BucketKeyEnabled"),
                        "apply_server_side_encryption_by_default": Block({
                            "sse_algorithm": rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"],
                            "kms_master_key_id": rule["ApplyServerSideEncryptionByDefault"].get("KMSMasterKeyID")})})
                 for rule in encryption.get("Rules", [])]
        out.block("aws_s3_bucket_server_side_encryption_configuration", {"bucket": bucket, "rule": rules},
                  name, import_id=name)
    pab = f.get("PublicAccessBlock")
    if pab:
        out.block("aws_s3_bucket_public_access_block", {
            "bucket": bucket, "block_public_acls": pab.get("BlockPublicAcls"),
            "block_public_policy": pab.get("BlockPublicPolicy"), "ignore_public_acls": pab.get("IgnorePublicAcls"),
            "restrict_public_buckets": pab.get("RestrictPublicBuckets")}, name, import_id=name)
    ownership = f.get("OwnershipControls")
    if ownership:
        out.block("aws_s3_bucket_ownership_controls", {"bucket": bucket, "rule": [
            Block({"object_ownership": rule["ObjectOwnership"]}) for rule in ownership.get("Rules", [])]},
            name, import_id=name)
    logging = f.get("Logging")
    if logging:
        out.block("aws_s3_bucket_logging", {"bucket": bucket,
                                            "target_bucket": _bucket_link(logging["TargetBucket"], r),
                                            "target_prefix": logging.get("TargetPrefix", "")}, name, import_id=name)
    if f.get_quiet("Notifications"):
        f.unsupported("Notifications", "bucket notifications are not translated for Terraform yet")
    if f.get_quiet("Replication"):
        f.unsupported("Replication", "replication rules are not translated yet (they need the role and "
                                     "destination buckets); set them after applying")


SPECS = {
    "bucket": IacSpec(
        cloudformation=bucket_cloudformation, terraform=bucket_terraform,
        cfn_types=("AWS::S3::Bucket", "AWS::S3::BucketPolicy"),
        tf_types=("aws_s3_bucket", "aws_s3_bucket_versioning", "aws_s3_bucket_policy",
                  "aws_s3_bucket_cors_configuration", "aws_s3_bucket_website_configuration",
                  "aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket_server_side_encryption_configuration",
                  "aws_s3_bucket_public_access_block", "aws_s3_bucket_ownership_controls", "aws_s3_bucket_logging"),
    ),
}
