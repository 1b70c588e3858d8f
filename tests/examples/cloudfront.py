"""Examples of cloudfront resources: the raw API shape each type's transform is given, and on the
local AWS one of each, damaged and restored.

moto has no cache, origin request or response headers policies and no function stages
(UpdateFunction, PublishFunction): the sandbox adds them to it (``gitsnap/sandbox/cloudfront.py``),
so these round trips run against that addition for those calls. A distribution is changed, not
deleted: a recreated one would be another resource (new id, new domain), which restore declares
it does not do (``cannot_create``; ``tests/unit/test_cloudfront_restore.py`` checks the plan says so).
"""

from __future__ import annotations

from . import Example

ACCOUNT = "123456789012"
DIST = "E2A1B3C4D5"
WAF_ARN = f"arn:aws:wafv2:us-east-1:{ACCOUNT}:global/webacl/shop-acl/0f1e2d3c-aaaa-bbbb-cccc-111122223333"
KVS_ARN = f"arn:aws:cloudfront::{ACCOUNT}:key-value-store/9a8b7c6d-1111-2222-3333-444455556666"
POLICY = {"EnableAcceptEncodingGzip": True, "HeadersConfig": {"HeaderBehavior": "none"},
          "CookiesConfig": {"CookieBehavior": "none"}, "QueryStringsConfig": {"QueryStringBehavior": "none"}}
CODE = b"function handler(event) {\n  return event.request;\n}\n"


def _distribution_raw() -> dict:
    behaviour = {"TargetOriginId": "o", "ViewerProtocolPolicy": "redirect-to-https", "CachePolicyId": "cp-1",
                 "FunctionAssociations": {"Quantity": 1, "Items": [
                     {"EventType": "viewer-request", "FunctionARN": f"arn:aws:cloudfront::{ACCOUNT}:function/rewrite"}]}}
    return {
        "Id": DIST, "ARN": f"arn:aws:cloudfront::{ACCOUNT}:distribution/{DIST}",
        "DomainName": "d1.cloudfront.net", "Status": "InProgress", "LastModifiedTime": "2024-01-01",
        "Tags": {"Items": [{"Key": "site", "Value": "shop"}]},
        "Names": {"cache-policy": {"cp-1": {"name": "site-cache", "managed": False},
                                   "658327ea": {"name": "Managed-CachingOptimized", "managed": True}},
                  "origin-access-control": {"oac-1": {"name": "site-oac", "managed": False}}},
        "DistributionConfig": {
            "CallerReference": "r", "Enabled": True, "WebACLId": WAF_ARN, "DefaultCacheBehavior": behaviour,
            "CacheBehaviors": {"Quantity": 1, "Items": [{"PathPattern": "/img/*", "TargetOriginId": "o",
                                                          "CachePolicyId": "658327ea"}]},
            "Origins": {"Quantity": 1, "Items": [{
                "Id": "o", "DomainName": "b.s3.amazonaws.com", "OriginAccessControlId": "oac-1",
                "CustomHeaders": {"Quantity": 1, "Items": [{"HeaderName": "X-Key", "HeaderValue": "topsecret"}]}}]}}}


def _bucket_config(bucket: str, ttl: int) -> dict:
    origin = f"s3-{bucket}"
    return {"CallerReference": f"seed-{bucket}", "Comment": f"{bucket} website", "Enabled": True,
            "Aliases": {"Quantity": 1, "Items": [f"www.{bucket}.example"]},
            "Origins": {"Quantity": 1, "Items": [{"Id": origin, "DomainName": f"{bucket}.s3.amazonaws.com",
                                                  "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "DefaultCacheBehavior": {"TargetOriginId": origin, "ViewerProtocolPolicy": "redirect-to-https",
                                     "MinTTL": 0, "DefaultTTL": ttl, "MaxTTL": 31536000,
                                     "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                                     "TrustedSigners": {"Enabled": False, "Quantity": 0}}}


def _seed_distribution(aws):
    cf = aws.client("cloudfront")
    dist = cf.create_distribution(DistributionConfig=_bucket_config("shop-site", 86400))["Distribution"]
    cf.tag_resource(Resource=dist["ARN"], Tags={"Items": [{"Key": "site", "Value": "shop"},
                                                          {"Key": "team", "Value": "web"}]})


def _damage_distribution(aws):
    """Its TTL and comment edited by hand, one tag changed and one removed."""
    cf = aws.client("cloudfront")
    dist = cf.list_distributions()["DistributionList"]["Items"][0]
    got = cf.get_distribution_config(Id=dist["Id"])
    config = got["DistributionConfig"]
    config["DefaultCacheBehavior"]["DefaultTTL"] = 60
    config["Comment"] = "edited by hand"
    cf.update_distribution(Id=dist["Id"], IfMatch=got["ETag"], DistributionConfig=config)
    cf.tag_resource(Resource=dist["ARN"], Tags={"Items": [{"Key": "site", "Value": "other"}]})
    cf.untag_resource(Resource=dist["ARN"], TagKeys={"Items": ["team"]})


def _seed_function(aws):
    """A published function that reads a KeyValueStore, with a tag."""
    cf = aws.client("cloudfront")
    store = cf.create_key_value_store(Name="redirects-for-fn", Comment="paths")["KeyValueStore"]
    made = cf.create_function(Name="rewrite", FunctionCode=CODE, Tags={"Items": [{"Key": "site", "Value": "shop"}]},
                              FunctionConfig={"Comment": "index.html rewrite", "Runtime": "cloudfront-js-2.0",
                                              "KeyValueStoreAssociations": {"Quantity": 1, "Items": [
                                                  {"KeyValueStoreARN": store["ARN"]}]}})
    cf.publish_function(Name="rewrite", IfMatch=made["ETag"])


def _damage_function(aws):
    cf = aws.client("cloudfront")
    etag = cf.describe_function(Name="rewrite", Stage="DEVELOPMENT")["ETag"]
    cf.delete_function(Name="rewrite", IfMatch=etag)


def _policy(noun: str, config: dict):
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in noun).lstrip("_")

    def seed(aws):
        getattr(aws.client("cloudfront"), f"create_{snake}")(**{f"{noun}Config": config})

    def damage(aws):
        cf = aws.client("cloudfront")
        key = f"{noun}List"
        method = "list_origin_access_controls" if noun == "OriginAccessControl" else f"list_{snake[:-1]}ies"
        items = getattr(cf, method)(**({} if noun == "OriginAccessControl" else {"Type": "custom"}))[key]["Items"]
        pid = items[0]["Id"] if noun == "OriginAccessControl" else items[0][noun]["Id"]
        etag = getattr(cf, f"get_{snake}")(Id=pid)["ETag"]
        getattr(cf, f"delete_{snake}")(Id=pid, IfMatch=etag)

    return seed, damage


CACHE_CONFIG = {"Name": "site-cache", "Comment": "html for a minute", "MinTTL": 0, "DefaultTTL": 60, "MaxTTL": 300,
                "ParametersInCacheKeyAndForwardedToOrigin": POLICY}
ORIGIN_REQUEST_CONFIG = {"Name": "forward-lang", "Comment": "the language header",
                         "HeadersConfig": {"HeaderBehavior": "whitelist",
                                           "Headers": {"Quantity": 1, "Items": ["Accept-Language"]}},
                         "CookiesConfig": {"CookieBehavior": "none"}, "QueryStringsConfig": {"QueryStringBehavior": "all"}}
HEADERS_CONFIG = {"Name": "security-headers", "Comment": "hsts and a custom header",
                  "SecurityHeadersConfig": {"StrictTransportSecurity": {"Override": True, "AccessControlMaxAgeSec": 63072000,
                                                                        "IncludeSubdomains": True}},
                  "CustomHeadersConfig": {"Quantity": 1, "Items": [{"Header": "X-Site", "Value": "shop", "Override": True}]}}
OAC_CONFIG = {"Name": "site-oac", "Description": "the site bucket", "SigningProtocol": "sigv4",
              "SigningBehavior": "always", "OriginAccessControlOriginType": "s3"}


def _seed_store(aws):
    aws.client("cloudfront").create_key_value_store(Name="redirects", Comment="old paths to new",
                                                    Tags={"Items": [{"Key": "site", "Value": "shop"}]})


def _damage_store(aws):
    cf = aws.client("cloudfront")
    etag = cf.describe_key_value_store(Name="redirects")["ETag"]
    cf.delete_key_value_store(Name="redirects", IfMatch=etag)


def _listed(noun: str, config: dict) -> dict:
    return {"Id": "5f1c-id", "Type": "custom", "LastModifiedTime": "2024-01-01", f"{noun}Config": config}


_cache, _origin_request, _headers, _oac = (_policy("CachePolicy", CACHE_CONFIG),
                                           _policy("OriginRequestPolicy", ORIGIN_REQUEST_CONFIG),
                                           _policy("ResponseHeadersPolicy", HEADERS_CONFIG),
                                           _policy("OriginAccessControl", OAC_CONFIG))

EXAMPLES = {
    "distribution": Example(raw=_distribution_raw(), seed=_seed_distribution, damage=_damage_distribution),
    "function": Example(raw={
        "Name": "rewrite", "FunctionARN": f"arn:aws:cloudfront::{ACCOUNT}:function/rewrite",
        "Development": {"ETag": "E1", "FunctionSummary": {"Name": "rewrite", "Status": "DEPLOYED",
                                                          "FunctionConfig": {"Comment": "dev", "Runtime": "cloudfront-js-2.0"},
                                                          "FunctionMetadata": {"Stage": "DEVELOPMENT"}}},
        "Live": {"ETag": "E2", "FunctionSummary": {
            "Name": "rewrite", "Status": "DEPLOYED",
            "FunctionConfig": {"Comment": "index.html rewrite", "Runtime": "cloudfront-js-2.0",
                               "KeyValueStoreAssociations": {"Quantity": 1, "Items": [{"KeyValueStoreARN": KVS_ARN}]}},
            "FunctionMetadata": {"FunctionARN": f"arn:aws:cloudfront::{ACCOUNT}:function/rewrite", "Stage": "LIVE",
                                 "CreatedTime": "2024-01-01", "LastModifiedTime": "2024-02-01"}}},
        "Tags": {"Items": [{"Key": "site", "Value": "shop"}]},
        "Code": CODE, "StoreNames": {"key-value-store": {KVS_ARN: {"name": "redirects"}}}},
        seed=_seed_function, damage=_damage_function),
    "cache-policy": Example(raw=_listed("CachePolicy", CACHE_CONFIG), seed=_cache[0], damage=_cache[1]),
    "origin-request-policy": Example(raw=_listed("OriginRequestPolicy", ORIGIN_REQUEST_CONFIG),
                                     seed=_origin_request[0], damage=_origin_request[1]),
    "response-headers-policy": Example(raw=_listed("ResponseHeadersPolicy", HEADERS_CONFIG),
                                       seed=_headers[0], damage=_headers[1]),
    "origin-access-control": Example(raw=_listed("OriginAccessControl", OAC_CONFIG), seed=_oac[0], damage=_oac[1]),
    "key-value-store": Example(raw={
        "Name": "redirects", "Id": "9a8b7c6d", "Comment": "old paths to new", "ARN": KVS_ARN, "Status": "READY",
        "LastModifiedTime": "2024-01-01",
        "Store": {"Name": "redirects", "Id": "9a8b7c6d", "Comment": "old paths to new", "ARN": KVS_ARN,
                  "Status": "READY", "LastModifiedTime": "2024-01-01"},
        "Tags": {"Items": [{"Key": "site", "Value": "shop"}]}}, seed=_seed_store, damage=_damage_store),
}
