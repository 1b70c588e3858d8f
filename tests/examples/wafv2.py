"""Examples of wafv2 resources: a CLOUDFRONT web ACL (raw API shape), and on the local AWS one
seeded, deleted and restored.

The seed's rule matches by country, not by a byte string: moto's server answers a rule's
``SearchString`` (a blob) as the text ``b'...'``, not the bytes it was given, so a byte-match
rule would not come back as created. ``tests/unit/test_wafv2.py`` covers byte matches.
"""

from __future__ import annotations

from . import Example

ARN = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/shop-acl/0f1e2d3c-aaaa-bbbb-cccc-111122223333"


def _visibility(name: str) -> dict:
    return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": name}


RULES = [
    {"Name": "block-admin", "Priority": 2, "Action": {"Block": {}}, "VisibilityConfig": _visibility("block-admin"),
     "Statement": {"ByteMatchStatement": {"SearchString": b"/admin", "FieldToMatch": {"UriPath": {}},
                                          "TextTransformations": [{"Priority": 0, "Type": "LOWERCASE"}],
                                          "PositionalConstraint": "STARTS_WITH"}}},
    {"Name": "geo", "Priority": 1, "Action": {"Count": {}}, "VisibilityConfig": _visibility("geo"),
     "Statement": {"GeoMatchStatement": {"CountryCodes": ["KP"]}}},
]


def _seed(aws):
    aws.client("wafv2", "us-east-1").create_web_acl(
        Name="shop-acl", Scope="CLOUDFRONT", Description="the shop's edge rules", DefaultAction={"Allow": {}},
        VisibilityConfig=_visibility("shop-acl"), Rules=[RULES[1]], Tags=[{"Key": "site", "Value": "shop"}])


def _damage(aws):
    waf = aws.client("wafv2", "us-east-1")
    acl = next(a for a in waf.list_web_acls(Scope="CLOUDFRONT")["WebACLs"] if a["Name"] == "shop-acl")
    waf.delete_web_acl(Name="shop-acl", Scope="CLOUDFRONT", Id=acl["Id"], LockToken=acl["LockToken"])


EXAMPLES = {
    "web-acl": Example(raw={
        "WebACL": {"Name": "shop-acl", "Id": "0f1e2d3c-aaaa-bbbb-cccc-111122223333", "ARN": ARN,
                   "DefaultAction": {"Allow": {}}, "Description": "the shop's edge rules", "Rules": RULES,
                   "VisibilityConfig": _visibility("shop-acl"), "Capacity": 12,
                   "LabelNamespace": "awswaf:123456789012:webacl:shop-acl:", "ManagedByFirewallManager": False},
        "Tags": [{"Key": "site", "Value": "shop"}]}, seed=_seed, damage=_damage),
}
