"""The rest of a CloudFront estate through the command: functions with their code, the account's
own policies, origin access controls, KeyValueStores and the web ACL a distribution uses are
captured, and after the disaster (the policy and web ACL detached and deleted, the function
deleted) ``restore --apply`` recreates them and points the distribution at the new ids.

moto lacks the policies and function stages; the sandbox adds them (gitsnap/sandbox/cloudfront.py),
so the policy and publish calls here are answered by that addition. moto drops a distribution's
function associations and origin access control ids, so those references are covered by
tests/unit/test_cloudfront_restore.py instead.
"""

from __future__ import annotations

import json

import boto3
import pytest

from gitsnap.sandbox.cloudfront import install

pytestmark = pytest.mark.e2e

CODE = b"function handler(event) {\n  // every path without a dot serves index.html\n  return event.request;\n}\n"
POLICY = {"Name": "site-cache", "Comment": "html for a minute", "MinTTL": 0, "DefaultTTL": 60, "MaxTTL": 300,
          "ParametersInCacheKeyAndForwardedToOrigin": {
              "EnableAcceptEncodingGzip": True, "HeadersConfig": {"HeaderBehavior": "none"},
              "CookiesConfig": {"CookieBehavior": "none"}, "QueryStringsConfig": {"QueryStringBehavior": "none"}}}
VISIBILITY = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "shop-acl"}


def client(endpoint: str, service: str):
    return boto3.client(service, region_name="us-east-1", endpoint_url=endpoint, aws_access_key_id="testing",
                        aws_secret_access_key="testing")


def seed(endpoint: str) -> dict[str, str]:
    cf, waf = client(endpoint, "cloudfront"), client(endpoint, "wafv2")
    policy = cf.create_cache_policy(CachePolicyConfig=POLICY)["CachePolicy"]["Id"]
    acl = waf.create_web_acl(Name="shop-acl", Scope="CLOUDFRONT", DefaultAction={"Allow": {}},
                             VisibilityConfig=VISIBILITY, Rules=[{
                                 "Name": "geo", "Priority": 1, "Action": {"Block": {}},
                                 "Statement": {"GeoMatchStatement": {"CountryCodes": ["KP"]}},
                                 "VisibilityConfig": {**VISIBILITY, "MetricName": "geo"}}])["Summary"]["ARN"]
    cf.create_origin_access_control(OriginAccessControlConfig={
        "Name": "site-oac", "Description": "", "SigningProtocol": "sigv4", "SigningBehavior": "always",
        "OriginAccessControlOriginType": "s3"})
    cf.create_key_value_store(Name="redirects", Comment="old paths to new")
    made = cf.create_function(Name="rewrite", FunctionCode=CODE,
                              FunctionConfig={"Comment": "index.html", "Runtime": "cloudfront-js-2.0"})
    cf.publish_function(Name="rewrite", IfMatch=made["ETag"])
    dist = cf.create_distribution(DistributionConfig={
        "CallerReference": "shop", "Comment": "shop", "Enabled": True, "WebACLId": acl,
        "Origins": {"Quantity": 1, "Items": [{"Id": "site", "DomainName": "shop.s3.amazonaws.com",
                                              "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https",
                                 "CachePolicyId": policy}})["Distribution"]["Id"]
    return {"dist": dist, "policy": policy, "acl": acl}


def disaster(endpoint: str, ids: dict[str, str]) -> None:
    """What CloudFront and WAF make you do to delete what a distribution uses: detach, then delete."""
    cf, waf = client(endpoint, "cloudfront"), client(endpoint, "wafv2")
    got = cf.get_distribution_config(Id=ids["dist"])
    config = got["DistributionConfig"]
    config["WebACLId"] = ""
    config["DefaultCacheBehavior"]["CachePolicyId"] = ""
    config["DefaultCacheBehavior"]["ForwardedValues"] = {"QueryString": False, "Cookies": {"Forward": "none"}}
    cf.update_distribution(Id=ids["dist"], IfMatch=got["ETag"], DistributionConfig=config)
    cf.delete_cache_policy(Id=ids["policy"], IfMatch=cf.get_cache_policy(Id=ids["policy"])["ETag"])
    summary = waf.list_web_acls(Scope="CLOUDFRONT")["WebACLs"][0]
    waf.delete_web_acl(Name="shop-acl", Scope="CLOUDFRONT", Id=summary["Id"], LockToken=summary["LockToken"])
    cf.delete_function(Name="rewrite", IfMatch=cf.describe_function(Name="rewrite", Stage="DEVELOPMENT")["ETag"])


def test_a_cloudfront_estate_is_captured_and_put_back_after_its_parts_are_deleted(gitsnap, endpoint):
    install()  # the sandbox installs it when it starts; said here too, as this test relies on it
    ids = seed(endpoint)
    (gitsnap.repo / "gitsnap.toml").write_text('[aws]\nservices = ["cloudfront", "wafv2"]\n')
    gitsnap("capture", "-m", "the estate", "--tag", "v1")

    addresses = set(gitsnap.manifest()["resources"])
    assert {f"cloudfront/{ids['dist']}", "cloudfront/function/rewrite", "cloudfront/cache-policy/site-cache",
            "cloudfront/origin-access-control/site-oac", "cloudfront/key-value-store/redirects",
            "wafv2/shop-acl"} <= addresses
    assert not any("Managed-" in a for a in addresses)  # AWS's managed policies are not the account's
    account = gitsnap.manifest()["resources"]["cloudfront/function/rewrite"]["account"]
    assert gitsnap.show(f"HEAD:aws/{account}/global/cloudfront/function/rewrite/code.js") == CODE
    dist = json.loads(gitsnap("show", "HEAD", f"cloudfront/{ids['dist']}").out)
    assert {r["Address"] for r in dist["References"]} == {"cloudfront/cache-policy/site-cache", "wafv2/shop-acl"}

    disaster(endpoint, ids)
    plan = json.loads(gitsnap("restore", "v1", "--format", "json", check=False).out)
    verbs = {(op["address"], op["verb"]) for op in plan["operations"]}
    assert {("cloudfront/cache-policy/site-cache", "create"), ("wafv2/shop-acl", "create"),
            ("cloudfront/function/rewrite", "create"), (f"cloudfront/{ids['dist']}", "update")} <= verbs
    order = [op["address"] for op in plan["operations"] if op["applies"]]
    assert order.index("cloudfront/cache-policy/site-cache") < order.index(f"cloudfront/{ids['dist']}")

    applied = gitsnap("restore", "v1", "--apply", "--yes")
    assert "Live state now matches v1" in applied.out, applied.out
    cf, waf = client(endpoint, "cloudfront"), client(endpoint, "wafv2")
    policy = cf.list_cache_policies(Type="custom")["CachePolicyList"]["Items"][0]["CachePolicy"]
    assert policy["Id"] != ids["policy"] and policy["CachePolicyConfig"]["DefaultTTL"] == 60  # recreated
    acl = waf.list_web_acls(Scope="CLOUDFRONT")["WebACLs"][0]["ARN"]
    config = cf.get_distribution_config(Id=ids["dist"])["DistributionConfig"]
    assert (config["DefaultCacheBehavior"]["CachePolicyId"], config["WebACLId"]) == (policy["Id"], acl)
    assert cf.get_function(Name="rewrite", Stage="LIVE")["FunctionCode"].read() == CODE
