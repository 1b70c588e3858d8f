"""CloudFront as code: distributions (API lists unwrapped, what they name linked), policies,
origin access controls, functions and KeyValueStores, in both formats.

moto cannot deploy CloudFront through CloudFormation, so cfn-lint (the resource schemas) and the
values asserted here are the proof of the templates.
"""

from __future__ import annotations

from typing import Any

import hcl2

from gitsnap.iac import cloudformation, terraform
from gitsnap.iac.model import Link
from gitsnap.iac.run import build
from gitsnap.iac.spec import Emitted
from tests.iac_examples import cfn_lint_errors, emitted, example_resource

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/9bf54833-4bbe-48e7-90a8-c405885db38f"
ACL = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/shop-acl/0f1e2d3c-aaaa-bbbb-cccc-111122223333"
EDGE = "arn:aws:lambda:us-east-1:123456789012:function:edge-auth:3"
FUNCTION = "arn:aws:cloudfront::123456789012:function/rewrite"
MARKER_SOURCE = "origin-shared-secret"


def lst(*values: Any) -> dict[str, Any]:
    """A list in the CloudFront API's shape."""
    return {"Quantity": len(values), "Items": list(values)}


def behavior(**extra: Any) -> dict[str, Any]:
    return {"TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https",
            "AllowedMethods": {**lst("GET", "HEAD"), "CachedMethods": lst("GET", "HEAD")}, "Compress": True,
            "SmoothStreaming": False, "FieldLevelEncryptionId": "", "RealtimeLogConfigArn": "",
            "TrustedSigners": {"Enabled": False, "Quantity": 0}, "TrustedKeyGroups": {"Enabled": False, "Quantity": 0},
            "LambdaFunctionAssociations": lst(), "FunctionAssociations": lst(), **extra}


DISTRIBUTION = {
    "Id": "E2A1B3C4D5", "ARN": "arn:aws:cloudfront::123456789012:distribution/E2A1B3C4D5",
    "DomainName": "d1.cloudfront.net", "Status": "Deployed", "LastModifiedTime": "2024-01-01",
    "Tags": {"Items": [{"Key": "site", "Value": "shop"}]},
    "Names": {"cache-policy": {"cp-1": {"name": "site-cache", "managed": False},
                               "658327ea": {"name": "Managed-CachingOptimized", "managed": True}},
              "origin-request-policy": {"orp-1": {"name": "forward-lang", "managed": False}},
              "response-headers-policy": {"rhp-1": {"name": "security-headers", "managed": False}},
              "origin-access-control": {"oac-1": {"name": "site-oac", "managed": False}}},
    "DistributionConfig": {
        "CallerReference": "seed-shop", "Comment": "the shop", "Enabled": True, "DefaultRootObject": "index.html",
        "Aliases": lst("www.shop.example", "shop.example"), "PriceClass": "PriceClass_100", "HttpVersion": "http2and3",
        "IsIPV6Enabled": True, "WebACLId": ACL,
        "Origins": lst(
            {"Id": "site", "DomainName": "shop-site.s3.us-east-1.amazonaws.com", "OriginPath": "",
             "OriginAccessControlId": "oac-1", "S3OriginConfig": {"OriginAccessIdentity": ""},
             "CustomHeaders": lst(), "ConnectionAttempts": 3, "ConnectionTimeout": 10,
             "OriginShield": {"Enabled": False}},
            {"Id": "api", "DomainName": "api.shop.example", "OriginPath": "/v1", "OriginAccessControlId": "",
             "CustomHeaders": lst({"HeaderName": "X-Origin-Verify", "HeaderValue": MARKER_SOURCE}),
             "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only",
                                    "OriginSslProtocols": lst("TLSv1.2"), "OriginReadTimeout": 30,
                                    "OriginKeepaliveTimeout": 5},
             "ConnectionAttempts": 3, "ConnectionTimeout": 10}),
        "OriginGroups": lst(),
        "DefaultCacheBehavior": behavior(
            CachePolicyId="cp-1", OriginRequestPolicyId="orp-1", ResponseHeadersPolicyId="rhp-1",
            FunctionAssociations=lst({"EventType": "viewer-request", "FunctionARN": FUNCTION})),
        "CacheBehaviors": lst(behavior(
            PathPattern="/api/*", TargetOriginId="api", CachePolicyId="658327ea",
            AllowedMethods={**lst("GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"),
                            "CachedMethods": lst("GET", "HEAD")},
            LambdaFunctionAssociations=lst({"EventType": "origin-request", "LambdaFunctionARN": EDGE,
                                            "IncludeBody": False}))),
        "CustomErrorResponses": lst({"ErrorCode": 404, "ResponsePagePath": "/404.html", "ResponseCode": "404",
                                     "ErrorCachingMinTTL": 10}),
        "Logging": {"Enabled": True, "IncludeCookies": False, "Bucket": "shop-logs.s3.amazonaws.com",
                    "Prefix": "cf/"},
        "Restrictions": {"GeoRestriction": {"RestrictionType": "blacklist", **lst("KP")}},
        "ViewerCertificate": {"ACMCertificateArn": CERT, "SSLSupportMethod": "sni-only",
                              "MinimumProtocolVersion": "TLSv1.2_2021", "CertificateSource": "acm",
                              "Certificate": CERT, "CloudFrontDefaultCertificate": False},
    },
}


def distribution(fmt: str = "cloudformation") -> Emitted:
    return emitted("cloudfront", "distribution", fmt, raw=DISTRIBUTION)


def no_quantity(value: Any) -> bool:
    if isinstance(value, dict):
        return "Quantity" not in value and all(no_quantity(v) for v in value.values())
    if isinstance(value, list):
        return all(no_quantity(v) for v in value)
    return True


def test_distribution_config_is_cloudformations_shape_with_links() -> None:
    e = distribution()
    res = e.out.cfn[0]
    c = res.properties["DistributionConfig"]
    assert res.type == "AWS::CloudFront::Distribution" and res.identifier == {"Id": "E2A1B3C4D5"}
    assert no_quantity(c)  # every {"Quantity", "Items"} is a plain list
    assert c["Aliases"] == ["shop.example", "www.shop.example"]
    assert (c["Comment"], c["DefaultRootObject"], c["PriceClass"], c["HttpVersion"], c["IPV6Enabled"]) == (
        "the shop", "index.html", "PriceClass_100", "http2and3", True)
    site, api = c["Origins"]
    assert site["DomainName"] == Link("s3/shop-site", "RegionalDomainName", "shop-site.s3.us-east-1.amazonaws.com",
                                      tf_attr="bucket_regional_domain_name")
    assert site["OriginAccessControlId"] == Link("cloudfront/origin-access-control/site-oac", None, "oac-1")
    assert "OriginShield" not in site and "OriginPath" not in site  # off / empty: not set
    assert api["CustomOriginConfig"]["OriginSSLProtocols"] == ["TLSv1.2"]
    assert api["OriginCustomHeaders"][0]["HeaderName"] == "X-Origin-Verify"
    d = c["DefaultCacheBehavior"]
    assert d["CachePolicyId"] == Link("cloudfront/cache-policy/site-cache", None, "cp-1")
    assert d["OriginRequestPolicyId"] == Link("cloudfront/origin-request-policy/forward-lang", None, "orp-1")
    assert d["ResponseHeadersPolicyId"] == Link("cloudfront/response-headers-policy/security-headers", None, "rhp-1")
    assert d["FunctionAssociations"] == [{"EventType": "viewer-request", "FunctionARN": Link(
        "cloudfront/function/rewrite", "FunctionARN", FUNCTION, tf_attr="arn")}]
    assert d["AllowedMethods"] == ["GET", "HEAD"] and d["CachedMethods"] == ["GET", "HEAD"]
    assert "TrustedSigners" not in d and "FieldLevelEncryptionId" not in d
    (api_path,) = c["CacheBehaviors"]
    assert api_path["PathPattern"] == "/api/*"
    assert api_path["CachePolicyId"] == "658327ea"  # AWS's managed policy: the same id everywhere
    assert api_path["LambdaFunctionAssociations"] == [{"EventType": "origin-request", "LambdaFunctionARN": EDGE,
                                                       "IncludeBody": False}]
    assert c["CustomErrorResponses"] == [{"ErrorCode": 404, "ResponseCode": 404, "ResponsePagePath": "/404.html",
                                          "ErrorCachingMinTTL": 10}]
    assert c["Logging"] == {"Bucket": Link("s3/shop-logs", "DomainName", "shop-logs.s3.amazonaws.com",
                                           tf_attr="bucket_domain_name"), "IncludeCookies": False, "Prefix": "cf/"}
    assert c["Restrictions"] == {"GeoRestriction": {"RestrictionType": "blacklist", "Locations": ["KP"]}}
    assert c["ViewerCertificate"] == {
        "AcmCertificateArn": Link("acm/9bf54833-4bbe-48e7-90a8-c405885db38f", None, CERT, tf_attr="arn"),
        "MinimumProtocolVersion": "TLSv1.2_2021", "SslSupportMethod": "sni-only"}
    assert c["WebACLId"] == Link("wafv2/shop-acl", "Arn", ACL, tf_attr="arn")
    assert "CallerReference" not in c  # CloudFormation makes its own
    assert res.properties["Tags"] == [{"Key": "site", "Value": "shop"}]
    assert e.unused == []


def test_links_become_refs_in_the_template_and_the_header_secret_a_parameter() -> None:
    """What the distribution names becomes !Ref/!GetAtt when emitted beside it: its origin access
    control, and its origin bucket (a us-east-1 bucket: global resources are deployed with
    us-east-1's); the redacted origin header a NoEcho parameter. cfn-lint passes."""
    bucket = emitted("s3", "bucket", raw={"Name": "shop-site", "Region": "us-east-1"})
    oac = emitted("cloudfront", "origin-access-control")
    e = distribution()
    rendered = cloudformation.render([bucket, oac, e], "r" * 40)
    text = rendered.files["cloudformation/123456789012/us-east-1/template.yaml"].decode()
    assert "OriginAccessControlId: !Ref SiteOacOriginAccessControl" in text
    assert "DomainName: !GetAtt ShopSiteBucket.RegionalDomainName" in text
    assert MARKER_SOURCE not in text and "redacted:" not in text and "NoEcho: true" in text
    assert EDGE in text  # Lambda@Edge keeps the version ARN it was recorded with
    assert cfn_lint_errors(text) == []


def test_distribution_terraform_blocks_and_import_id() -> None:
    e = distribution("terraform")
    (block,) = e.out.tf
    b = block.body
    assert block.type == "aws_cloudfront_distribution" and block.import_id == "E2A1B3C4D5"
    assert b["enabled"] is True and b["aliases"] == ["shop.example", "www.shop.example"]
    assert b["is_ipv6_enabled"] is True and b["price_class"] == "PriceClass_100"
    site, api = b["origin"]
    assert site.body["origin_id"] == "site" and site.body["domain_name"].tf_attr == "bucket_regional_domain_name"
    assert "s3_origin_config" not in site.body  # an OAC origin: no origin access identity
    assert api.body["custom_origin_config"].body["origin_ssl_protocols"] == ["TLSv1.2"]
    assert api.body["custom_header"][0].body["name"] == "X-Origin-Verify"
    (ordered,) = b["ordered_cache_behavior"]
    assert ordered.body["path_pattern"] == "/api/*"
    assert ordered.body["lambda_function_association"][0].body["lambda_arn"] == EDGE
    assert b["default_cache_behavior"].body["function_association"][0].body["event_type"] == "viewer-request"
    assert b["restrictions"].body["geo_restriction"].body["locations"] == ["KP"]
    assert b["viewer_certificate"].body["ssl_support_method"] == "sni-only"
    assert b["custom_error_response"][0].body == {"error_code": 404, "response_code": 404,
                                                  "response_page_path": "/404.html", "error_caching_min_ttl": 10}
    assert b["logging_config"].body["prefix"] == "cf/"


def test_distribution_terraform_references_the_bucket_and_parses() -> None:
    bucket = emitted("s3", "bucket", "terraform", raw={"Name": "shop-site", "Region": "us-east-1"})
    rendered = terraform.render([bucket, distribution("terraform")], "r" * 40)
    text = rendered.files["terraform/cloudfront.tf"].decode()
    assert "aws_s3_bucket.shop_site.bucket_regional_domain_name" in text
    assert "redacted:" not in text and MARKER_SOURCE not in text
    assert 'to = aws_cloudfront_distribution.shop_example\n  id = "E2A1B3C4D5"' in (
        rendered.files["terraform/imports.tf"].decode())
    (resource,) = hcl2.loads(text)["resource"]
    body = resource['"aws_cloudfront_distribution"']['"shop_example"']
    assert len(body["origin"]) == 2 and len(body["ordered_cache_behavior"]) == 1


def test_a_default_certificate_distribution_sets_nothing_else() -> None:
    raw = {**DISTRIBUTION, "DistributionConfig": {
        **DISTRIBUTION["DistributionConfig"],
        "ViewerCertificate": {"CloudFrontDefaultCertificate": True, "SSLSupportMethod": "sni-only",
                              "MinimumProtocolVersion": "TLSv1", "CertificateSource": "cloudfront"}}}
    c = emitted("cloudfront", "distribution", raw=raw).out.cfn[0].properties["DistributionConfig"]
    assert c["ViewerCertificate"] == {"CloudFrontDefaultCertificate": True}


def test_policies_unwrap_their_lists_and_import_by_id() -> None:
    raw = {"Id": "cp-1", "Type": "custom", "CachePolicyConfig": {
        "Name": "site-cache", "Comment": "html", "MinTTL": 0, "DefaultTTL": 60, "MaxTTL": 300,
        "ParametersInCacheKeyAndForwardedToOrigin": {
            "EnableAcceptEncodingGzip": True, "EnableAcceptEncodingBrotli": True,
            "HeadersConfig": {"HeaderBehavior": "whitelist", "Headers": lst("Accept-Language")},
            "CookiesConfig": {"CookieBehavior": "none"},
            "QueryStringsConfig": {"QueryStringBehavior": "whitelist", "QueryStrings": lst("v")}}}}
    cfn = emitted("cloudfront", "cache-policy", raw=raw)
    (res,) = cfn.out.cfn
    p = res.properties["CachePolicyConfig"]["ParametersInCacheKeyAndForwardedToOrigin"]
    assert res.identifier == {"Id": "cp-1"}
    assert p["HeadersConfig"] == {"HeaderBehavior": "whitelist", "Headers": ["Accept-Language"]}
    assert p["QueryStringsConfig"] == {"QueryStringBehavior": "whitelist", "QueryStrings": ["v"]}
    assert cfn.unused == []
    (block,) = emitted("cloudfront", "cache-policy", "terraform", raw=raw).out.tf
    assert block.import_id == "cp-1"
    params = block.body["parameters_in_cache_key_and_forwarded_to_origin"].body
    assert params["headers_config"].body["headers"].body == {"items": ["Accept-Language"]}
    assert params["cookies_config"].body == {"cookie_behavior": "none"}

    (orp,) = emitted("cloudfront", "origin-request-policy").out.cfn
    assert orp.properties["OriginRequestPolicyConfig"]["HeadersConfig"] == {"HeaderBehavior": "whitelist",
                                                                            "Headers": ["Accept-Language"]}
    (orp_tf,) = emitted("cloudfront", "origin-request-policy", "terraform").out.tf
    assert orp_tf.body["query_strings_config"].body == {"query_string_behavior": "all"}


def test_response_headers_policy_keeps_items_drops_quantity() -> None:
    (res,) = emitted("cloudfront", "response-headers-policy").out.cfn
    c = res.properties["ResponseHeadersPolicyConfig"]
    assert c["CustomHeadersConfig"] == {"Items": [{"Header": "X-Site", "Value": "shop", "Override": True}]}
    assert c["SecurityHeadersConfig"]["StrictTransportSecurity"]["AccessControlMaxAgeSec"] == 63072000
    (block,) = emitted("cloudfront", "response-headers-policy", "terraform").out.tf
    sec = block.body["security_headers_config"].body["strict_transport_security"].body
    assert sec == {"override": True, "access_control_max_age_sec": 63072000, "include_subdomains": True}
    assert block.body["custom_headers_config"].body["items"][0].body["header"] == "X-Site"


def test_origin_access_control_and_key_value_store() -> None:
    (oac,) = emitted("cloudfront", "origin-access-control").out.cfn
    assert oac.properties["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    assert oac.identifier == {"Id": "5f1c-id"}
    (oac_tf,) = emitted("cloudfront", "origin-access-control", "terraform").out.tf
    assert (oac_tf.type, oac_tf.import_id) == ("aws_cloudfront_origin_access_control", "5f1c-id")
    kvs = emitted("cloudfront", "key-value-store")
    assert kvs.out.cfn[0].properties == {"Name": "redirects", "Comment": "old paths to new",
                                         "Tags": [{"Key": "site", "Value": "shop"}]}
    kvs_tf = emitted("cloudfront", "key-value-store", "terraform")
    assert kvs_tf.out.tf[0].import_id == "redirects"
    assert [path for path, _ in kvs_tf.unused] == ["Tags"]  # the provider's store has no tags


def test_a_function_carries_its_code_as_an_artifact_and_links_its_store() -> None:
    e = emitted("cloudfront", "function", files={"code.js": "b" * 40})
    (res,) = e.out.cfn
    assert res.properties["AutoPublish"] is True  # captured at LIVE
    assert res.properties["FunctionConfig"]["KeyValueStoreAssociations"][0]["KeyValueStoreARN"].address == \
        "cloudfront/key-value-store/redirects"
    (art,) = e.out.artifacts
    assert art.blob == "b" * 40 and art.path.endswith("rewrite.js")
    assert res.properties["FunctionCode"] is art
    (block,) = emitted("cloudfront", "function", "terraform", files={"code.js": "b" * 40}).out.tf
    assert (block.import_id, block.body["runtime"], block.body["publish"]) == ("rewrite", "cloudfront-js-2.0", True)


def test_a_function_without_its_code_is_left_out_with_the_reason() -> None:
    result = build(example_resource("cloudfront", "function"), "cloudformation")
    assert result[0] == "left out" and "code" in result[1]


def test_the_other_types_pass_cfn_lint() -> None:
    types = ["cache-policy", "origin-request-policy", "response-headers-policy", "origin-access-control",
             "key-value-store"]
    rendered = cloudformation.render([emitted("cloudfront", t) for t in types], "r" * 40)
    (text,) = [b for p, b in rendered.files.items() if p.endswith(".yaml")]
    assert text.count(b"Type: AWS::CloudFront::") == len(types)
    assert cfn_lint_errors(text) == []


def test_an_origin_field_not_translated_is_listed_not_dropped() -> None:
    """A field a newer API adds to an origin (read with the whole list) is named in the coverage."""
    config = DISTRIBUTION["DistributionConfig"]
    origins = [{**config["Origins"]["Items"][0], "OriginBlueprint": {"Mode": "fast"}}, config["Origins"]["Items"][1]]
    raw = {**DISTRIBUTION, "DistributionConfig": {**config, "Origins": lst(*origins)}}
    e = emitted("cloudfront", "distribution", raw=raw)
    assert [(path, why.split(":")[0]) for path, why in e.unused] == [("DistributionConfig.Origins", "OriginBlueprint")]
