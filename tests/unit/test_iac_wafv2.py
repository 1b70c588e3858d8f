"""WAFv2 as code: a CloudFront-scope web ACL, its rule tree as CloudFormation spells it and as
the AWS provider's nested blocks, with empty actions (``allow {}``) kept."""

from __future__ import annotations

import copy
from typing import Any

import hcl2

from gitsnap.iac import cloudformation, terraform
from gitsnap.iac.model import Block
from tests import examples
from tests.iac_examples import cfn_lint_errors, emitted

ACL_ID = "0f1e2d3c-aaaa-bbbb-cccc-111122223333"
IP_SET = "arn:aws:wafv2:us-east-1:123456789012:global/ipset/office/11112222-3333-4444-5555-666677778888"


def raw() -> dict[str, Any]:
    r = copy.deepcopy(examples.ALL[("wafv2", "web-acl")].raw)
    r["WebACL"]["Description"] = "the shop edge rules"  # WAF's pattern allows no apostrophe
    r["WebACL"]["Rules"].append({
        "Name": "office-or-managed", "Priority": 3, "OverrideAction": {"None": {}},
        "VisibilityConfig": {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": True, "MetricName": "m"},
        "Statement": {"ManagedRuleGroupStatement": {
            "VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet",
            "RuleActionOverrides": [{"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}],
            "ScopeDownStatement": {"NotStatement": {"Statement": {"IPSetReferenceStatement": {"ARN": IP_SET}}}}}}})
    return r


def test_web_acl_cloudformation_keeps_the_tree_and_the_empty_actions() -> None:
    e = emitted("wafv2", "web-acl", raw=raw())
    (res,) = e.out.cfn
    p = res.properties
    assert res.identifier == {"Name": "shop-acl", "Id": ACL_ID, "Scope": "CLOUDFRONT"}
    assert (p["Name"], p["Scope"], p["DefaultAction"]) == ("shop-acl", "CLOUDFRONT", {"Allow": {}})
    geo, admin, managed = p["Rules"]
    assert geo["Action"] == {"Count": {}} and admin["Action"] == {"Block": {}}
    assert admin["Statement"]["ByteMatchStatement"]["FieldToMatch"] == {"UriPath": {}}
    assert admin["Statement"]["ByteMatchStatement"]["SearchString"] == "/admin"
    scope_down = managed["Statement"]["ManagedRuleGroupStatement"]["ScopeDownStatement"]
    assert scope_down == {"NotStatement": {"Statement": {"IPSetReferenceStatement": {"Arn": IP_SET}}}}
    assert p["Tags"] == [{"Key": "site", "Value": "shop"}]
    assert "Capacity" not in p and "LabelNamespace" not in p
    assert e.unused == []
    text = cloudformation.render([e], "r" * 40).files["cloudformation/123456789012/us-east-1/template.yaml"]
    assert b"Allow: {}" in text
    assert cfn_lint_errors(text) == []


def test_a_binary_search_string_is_base64_in_cloudformation() -> None:
    r = raw()
    r["WebACL"]["Rules"][0]["Statement"]["ByteMatchStatement"]["SearchString"] = b"\xff\xfe"
    (res,) = emitted("wafv2", "web-acl", raw=r).out.cfn
    statement = next(x for x in res.properties["Rules"] if x["Name"] == "block-admin")["Statement"]
    assert statement["ByteMatchStatement"]["SearchStringBase64"] == "//4="
    assert "SearchString" not in statement["ByteMatchStatement"]


def test_web_acl_terraform_blocks_and_import_id() -> None:
    e = emitted("wafv2", "web-acl", "terraform", raw=raw())
    (block,) = e.out.tf
    assert (block.type, block.import_id) == ("aws_wafv2_web_acl", f"{ACL_ID}/shop-acl/CLOUDFRONT")
    b = block.body
    assert b["scope"] == "CLOUDFRONT" and b["default_action"] == Block({"allow": Block({})})
    assert b["visibility_config"].body["cloudwatch_metrics_enabled"] is True
    geo, admin, managed = b["rule"]
    assert geo.body["statement"].body["geo_match_statement"].body == {"country_codes": ["KP"]}
    byte = admin.body["statement"].body["byte_match_statement"].body
    assert byte["text_transformation"] == [Block({"priority": 0, "type": "LOWERCASE"})]
    assert byte["field_to_match"] == Block({"uri_path": Block({})})
    group = managed.body["statement"].body["managed_rule_group_statement"].body
    assert group["rule_action_override"][0].body["action_to_use"] == Block({"count": Block({})})
    assert managed.body["override_action"] == Block({"none": Block({})})
    text = terraform.render([e], "r" * 40).files["terraform/wafv2.tf"].decode()
    assert "allow {" in text and "ip_set_reference_statement {" in text
    hcl2.loads(text)
