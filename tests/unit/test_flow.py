"""The request-flow map, from documents alone (pure)."""

from __future__ import annotations

from gitsnap.flow import flow_map, render_text

DIST = {"Id": "E1", "ARN": "arn:aws:cloudfront::1:distribution/E1", "DomainName": "d111.cloudfront.net",
        "DistributionConfig": {
            "Aliases": {"Items": ["shop.com"]},
            "WebACLId": "arn:aws:wafv2:us-east-1:1:global/webacl/shop/abc",
            "Origins": {"Items": [
                {"Id": "site", "DomainName": "shop-prod.s3.amazonaws.com", "OriginPath": "/v2"},
                {"Id": "api", "DomainName": "abc123.execute-api.us-east-1.amazonaws.com"},
                {"Id": "old", "DomainName": "shop-old.s3.us-west-2.amazonaws.com"},
                {"Id": "partner", "DomainName": "partner.example.net"}]},
            "DefaultCacheBehavior": {"TargetOriginId": "site", "LambdaFunctionAssociations": {"Items": [
                {"EventType": "viewer-request", "LambdaFunctionARN": "arn:aws:lambda:us-east-1:1:function:edge:3"}]}},
            "CacheBehaviors": {"Items": [{"PathPattern": "/api/*", "TargetOriginId": "api", "FunctionAssociations": {
                "Items": [{"EventType": "viewer-request", "FunctionARN": "arn:aws:cloudfront::1:function/gone"}]}}]}}}
ZONE = {"Id": "/hostedzone/Z1", "Name": "shop.com.", "RecordSets": [
    {"Name": "shop.com.", "Type": "A", "AliasTarget": {"DNSName": "d111.cloudfront.net.", "HostedZoneId": "Z2FD"}},
    {"Name": "old.shop.com.", "Type": "CNAME", "ResourceRecords": [{"Value": "d999.cloudfront.net"}]},
    {"Name": "mail.shop.com.", "Type": "CNAME", "ResourceRecords": [{"Value": "mx.example.org"}]},
    {"Name": "shop.com.", "Type": "MX", "ResourceRecords": [{"Value": "10 mx.example.org"}]}]}
RESOURCES = {
    "route53/shop.com.": ({"service": "route53", "type": "zone"}, ZONE),
    "cloudfront/E1": ({"service": "cloudfront", "type": "distribution"}, DIST),
    "s3/shop-prod": ({"service": "s3", "type": "bucket"}, {"Name": "shop-prod"}),
    "lambda/edge": ({"service": "lambda", "type": "function"},
                    {"Configuration": {"FunctionArn": "arn:aws:lambda:us-east-1:1:function:edge"}}),
    "apigateway/abc123": ({"service": "apigateway", "type": "rest-api"}, {"id": "abc123"}),
}


def _flow(resources=RESOURCES):
    return flow_map({a: info for a, (info, _) in resources.items()}, lambda a: resources[a][1])


def test_each_domain_leads_through_its_distribution_to_its_origins():
    flow = _flow()
    apex = next(r for r in flow["routes"] if r["record"] == "shop.com A")
    assert apex["to"] == "cloudfront/E1"
    origins = {o["id"]: o for o in apex["via"]["origins"]}
    assert origins["site"]["to"] == "s3/shop-prod" and origins["site"]["path"] == "/v2"
    assert origins["api"]["to"] == "apigateway/abc123"
    assert origins["partner"]["to"] is None and origins["partner"]["external"]
    assert [e["to"] for e in apex["via"]["edge"]] == ["lambda/edge", None]  # versioned Lambda@Edge ARN found
    mail = next(r for r in flow["routes"] if r["record"] == "mail.shop.com CNAME")
    assert mail["external"] and mail["to"] is None
    assert not any(r["record"].endswith("MX") for r in flow["routes"])


def test_links_to_things_of_this_estate_that_are_gone_dangle():
    dangling = {(d["from"], d["to"]) for d in _flow()["dangling"]}
    assert dangling == {
        ("route53/shop.com.", "d999.cloudfront.net"),  # a record pointing at a deleted distribution
        ("cloudfront/E1", "shop-old.s3.us-west-2.amazonaws.com"),  # an origin bucket that does not exist
        ("cloudfront/E1", "arn:aws:cloudfront::1:function/gone"),  # a deleted CloudFront Function
        ("cloudfront/E1", "arn:aws:wafv2:us-east-1:1:global/webacl/shop/abc"),  # a web ACL not in the snapshot
    }


def test_deleting_the_origin_bucket_makes_its_link_dangle():
    without = {a: v for a, v in RESOURCES.items() if a != "s3/shop-prod"}
    assert ("cloudfront/E1", "shop-prod.s3.amazonaws.com") in {(d["from"], d["to"]) for d in _flow(without)["dangling"]}
    assert "shop-prod.s3.amazonaws.com" in render_text(_flow(without))


def test_the_references_the_cloudfront_collector_recorded_resolve_links():
    dist = {**DIST, "References": [
        {"Path": "DistributionConfig.WebACLId", "Id": DIST["DistributionConfig"]["WebACLId"], "Address": "wafv2/shop"},
        {"Path": "x", "Id": "arn:aws:cloudfront::1:function/gone", "Address": None}]}
    flow = _flow({**RESOURCES, "cloudfront/E1": (RESOURCES["cloudfront/E1"][0], dist)})
    route = next(r for r in flow["routes"] if r["record"] == "shop.com A")
    assert route["via"]["waf_to"] == "wafv2/shop"
    dangling = {(d["to"], d["why"]) for d in flow["dangling"]}
    assert ("arn:aws:cloudfront::1:function/gone", "the account has nothing by this id (deleted)") in dangling
    assert not any(to.startswith("arn:aws:wafv2") for to, _ in dangling)
