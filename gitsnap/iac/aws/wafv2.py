"""WAFv2 web ACLs (CloudFront scope): ``AWS::WAFv2::WebACL`` / ``aws_wafv2_web_acl``.

CloudFormation takes the API's rule tree almost as it is (``ARN`` is spelled ``Arn``, and a
search string that is not text is ``SearchStringBase64``). The AWS provider takes the same tree
as nested blocks in snake_case, a list of rules as repeated ``rule`` blocks, and an empty
action (``{"Allow": {}}``) as an empty block (``allow {}``): translated generically, with the
few names the provider spells otherwise.

gitsnap captures the web ACLs of CloudFront scope (global): ``Scope: CLOUDFRONT``, deployed in
us-east-1.
"""

from __future__ import annotations

import re
from typing import Any

from ..model import Block, Fields, Resource
from ..spec import CfnResource, IacSpec, Out

SCOPE = "CLOUDFRONT"
_SET_BY_WAF = ("Id", "ARN", "Capacity", "LabelNamespace", "ManagedByFirewallManager",
               "PreProcessFirewallManagerRuleGroups", "PostProcessFirewallManagerRuleGroups",
               "RetrofittedByFirewallManager", "status")
_CFN_TOP = ("DefaultAction", "Description", "Rules", "VisibilityConfig", "CustomResponseBodies", "CaptchaConfig",
            "ChallengeConfig", "TokenDomains", "AssociationConfig", "DataProtectionConfig",
            "OnSourceDDoSProtectionConfig", "ApplicationConfig")

# API names the provider spells otherwise than snake_case (lists of blocks are singular)
_TF_NAMES = {"Rules": "rule", "Statements": "statement", "TextTransformations": "text_transformation",
             "RuleActionOverrides": "rule_action_override", "ExcludedRules": "excluded_rule",
             "RuleLabels": "rule_label", "InsertHeaders": "insert_header", "ResponseHeaders": "response_header",
             "CloudWatchMetricsEnabled": "cloudwatch_metrics_enabled", "ARN": "arn",
             "PreParseTextTransformations": "pre_parse_text_transformation"}


def _ids(r: Resource) -> tuple[str | None, str | None]:
    status = r.doc.get("status") or {}
    return status.get("Id") or r.doc.get("Id"), status.get("ARN") or r.doc.get("ARN")


def to_cfn(node: Any) -> Any:
    """The API's rule tree in CloudFormation's spelling. Pure."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "SearchString" and isinstance(v, dict) and set(v) == {"base64"}:
                out["SearchStringBase64"] = v["base64"]
            else:
                out["Arn" if k == "ARN" else k] = to_cfn(v)
        return out
    if isinstance(node, list):
        return [to_cfn(v) for v in node]
    return node


def _snake(name: str) -> str:
    if name in _TF_NAMES:
        return _TF_NAMES[name]
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def to_tf(node: Any) -> Any:
    """The API's rule tree as provider blocks: maps -> blocks, lists of maps -> repeated blocks,
    lists of strings stay lists. Pure."""
    if isinstance(node, dict):
        if set(node) == {"base64"}:
            return node["base64"]
        return Block({_snake(k): to_tf(v) for k, v in node.items() if v is not None})
    if isinstance(node, list):
        return [to_tf(v) for v in node]
    return node


def _keep_empty(value: Any) -> Any:
    """Drop None and empty lists, keep empty maps: ``{"Allow": {}}`` is WAF's way to say allow."""
    if isinstance(value, dict):
        return {k: _keep_empty(v) for k, v in value.items() if v is not None and v != []}
    if isinstance(value, list):
        return [_keep_empty(v) for v in value]
    return value


def web_acl_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    f.computed(*_SET_BY_WAF)
    name = f.get("Name")
    props: dict[str, Any] = {"Name": name, "Scope": SCOPE}
    for key in _CFN_TOP:
        value = f.get(key)
        if value not in (None, "", [], {}):
            props[key] = to_cfn(value)
    tags = f.get("Tags") or {}
    props["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
    acl_id, _ = _ids(r)
    # added as it is, not through out.resource: its pruning would drop the empty actions
    out.cfn.append(CfnResource("AWS::WAFv2::WebACL", _keep_empty(props), name,
                               {"Name": name, "Id": acl_id, "Scope": SCOPE} if acl_id else None))


def web_acl_terraform(r: Resource, f: Fields, out: Out) -> None:
    f.computed(*_SET_BY_WAF)
    name = f.get("Name")
    acl_id, _ = _ids(r)
    bodies = f.get("CustomResponseBodies") or {}
    body: dict[str, Any] = {
        "name": name, "scope": SCOPE, "description": f.get("Description") or None,
        "default_action": to_tf(f.get("DefaultAction")),
        "rule": [to_tf(rule) for rule in f.get("Rules") or []],
        "visibility_config": to_tf(f.get("VisibilityConfig")),
        "custom_response_body": [Block({"key": k, "content": v["Content"], "content_type": v["ContentType"]})
                                 for k, v in sorted(bodies.items())],
        "captcha_config": to_tf(f.get("CaptchaConfig")) if f.get("CaptchaConfig") else None,
        "challenge_config": to_tf(f.get("ChallengeConfig")) if f.get("ChallengeConfig") else None,
        "token_domains": f.get("TokenDomains") or None,
        "association_config": to_tf(f.get("AssociationConfig")) if f.get("AssociationConfig") else None,
        "data_protection_config": to_tf(f.get("DataProtectionConfig")) if f.get("DataProtectionConfig") else None,
        "tags": f.get("Tags") or None,
    }
    for key in ("OnSourceDDoSProtectionConfig", "ApplicationConfig"):
        if f.get(key):
            f.unsupported(key, "not translated for the AWS provider yet")
    out.block("aws_wafv2_web_acl", body, name, import_id=f"{acl_id}/{name}/{SCOPE}")


SPECS = {
    "web-acl": IacSpec(cloudformation=web_acl_cloudformation, terraform=web_acl_terraform,
                       cfn_types=("AWS::WAFv2::WebACL",), tf_types=("aws_wafv2_web_acl",)),
}
