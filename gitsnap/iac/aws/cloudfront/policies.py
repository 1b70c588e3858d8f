"""CloudFront's cache, origin request and response headers policies and origin access controls
(``AWS::CloudFront::*Policy``/``OriginAccessControl``, ``aws_cloudfront_*``), imported by id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...model import Fields, Resource
from ...spec import Out
from ..common import blk, snake
from .common import items, policy_id

# the three parameter configurations a cache or origin request policy has: key, kind, list name
_PARAMS = (("HeadersConfig", "Header", "Headers"), ("CookiesConfig", "Cookie", "Cookies"),
           ("QueryStringsConfig", "QueryString", "QueryStrings"))


def _config(f: Fields, key: str) -> dict[str, Any]:
    """The document's configuration *key*; its id and status are AWS's."""
    f.computed("Id", "status")
    return f.get(key)


def _behaviors(config: dict[str, Any] | None, kind: str, plural: str) -> dict[str, Any] | None:
    """``{"HeaderBehavior", "Headers": {"Items"}}`` -> ``{"HeaderBehavior", "Headers": [...]}``."""
    if not config:
        return None
    return {f"{kind}Behavior": config[f"{kind}Behavior"], plural: items(config.get(plural))}


def _params_cfn(p: dict[str, Any]) -> dict[str, Any]:
    return {key: _behaviors(p.get(key), kind, plural) for key, kind, plural in _PARAMS}


def _params_tf(p: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, kind, plural in _PARAMS:
        c = p.get(key) or {f"{kind}Behavior": "none"}
        names = items(c.get(plural))
        out[snake(key)] = blk({snake(f"{kind}Behavior"): c[f"{kind}Behavior"],
                               snake(plural): blk({"items": names}) if names else None})
    return out


def cache_policy_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    c = _config(f, "CachePolicyConfig")
    p = c.get("ParametersInCacheKeyAndForwardedToOrigin") or {}
    config = {"Name": c["Name"], "Comment": c.get("Comment"), "DefaultTTL": c.get("DefaultTTL"),
              "MaxTTL": c.get("MaxTTL"), "MinTTL": c.get("MinTTL"),
              "ParametersInCacheKeyAndForwardedToOrigin": {
                  "EnableAcceptEncodingGzip": p.get("EnableAcceptEncodingGzip", False),
                  "EnableAcceptEncodingBrotli": p.get("EnableAcceptEncodingBrotli"), **_params_cfn(p)}}
    out.resource("AWS::CloudFront::CachePolicy", {"CachePolicyConfig": config}, c["Name"],
                 identifier={"Id": policy_id(r)})


def cache_policy_terraform(r: Resource, f: Fields, out: Out) -> None:
    c = _config(f, "CachePolicyConfig")
    p = c.get("ParametersInCacheKeyAndForwardedToOrigin") or {}
    out.block("aws_cloudfront_cache_policy", {
        "name": c["Name"], "comment": c.get("Comment"), "default_ttl": c.get("DefaultTTL"),
        "max_ttl": c.get("MaxTTL"), "min_ttl": c.get("MinTTL"),
        "parameters_in_cache_key_and_forwarded_to_origin": blk({
            "enable_accept_encoding_gzip": p.get("EnableAcceptEncodingGzip"),
            "enable_accept_encoding_brotli": p.get("EnableAcceptEncodingBrotli"), **_params_tf(p)}),
    }, c["Name"], import_id=policy_id(r))


def origin_request_policy_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    c = _config(f, "OriginRequestPolicyConfig")
    out.resource("AWS::CloudFront::OriginRequestPolicy", {"OriginRequestPolicyConfig": {
        "Name": c["Name"], "Comment": c.get("Comment"), **_params_cfn(c)}}, c["Name"],
        identifier={"Id": policy_id(r)})


def origin_request_policy_terraform(r: Resource, f: Fields, out: Out) -> None:
    c = _config(f, "OriginRequestPolicyConfig")
    out.block("aws_cloudfront_origin_request_policy", {"name": c["Name"], "comment": c.get("Comment"),
                                                       **_params_tf(c)}, c["Name"], import_id=policy_id(r))


def _no_quantity(value: Any, shape: Callable[[dict[str, Any]], Any] = dict) -> Any:
    """The API shape without its ``Quantity`` counts, each map (its values done first) passed
    through *shape*. Pure."""
    if isinstance(value, dict):
        return shape({k: _no_quantity(v, shape) for k, v in value.items() if k != "Quantity"})
    if isinstance(value, list):
        return [_no_quantity(v, shape) for v in value]
    return value


def _tf_map(value: dict[str, Any]) -> Any:
    """A map of the API as a provider block with snake_case names."""
    return blk({snake(k): v for k, v in value.items()})


def response_headers_policy_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    # CloudFormation keeps the API's ``Items`` here, without the counts
    c = _no_quantity(_config(f, "ResponseHeadersPolicyConfig"))
    out.resource("AWS::CloudFront::ResponseHeadersPolicy", {"ResponseHeadersPolicyConfig": c}, c["Name"],
                 identifier={"Id": policy_id(r)})


def response_headers_policy_terraform(r: Resource, f: Fields, out: Out) -> None:
    # maps -> blocks, lists of maps -> repeated blocks, ``{"Items": [strings]}`` -> ``{items = [...]}``
    c = _config(f, "ResponseHeadersPolicyConfig")
    body = dict(_no_quantity(c, _tf_map).body)
    out.block("aws_cloudfront_response_headers_policy", body, c["Name"], import_id=policy_id(r))


def origin_access_control_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    c = _config(f, "OriginAccessControlConfig")
    out.resource("AWS::CloudFront::OriginAccessControl", {"OriginAccessControlConfig": {
        "Name": c["Name"], "Description": c.get("Description"), "SigningProtocol": c["SigningProtocol"],
        "SigningBehavior": c["SigningBehavior"], "OriginAccessControlOriginType": c["OriginAccessControlOriginType"]}},
        c["Name"], identifier={"Id": policy_id(r)})


def origin_access_control_terraform(r: Resource, f: Fields, out: Out) -> None:
    c = _config(f, "OriginAccessControlConfig")
    out.block("aws_cloudfront_origin_access_control", {
        "name": c["Name"], "description": c.get("Description") or "",
        "origin_access_control_origin_type": c["OriginAccessControlOriginType"],
        "signing_behavior": c["SigningBehavior"], "signing_protocol": c["SigningProtocol"]},
        c["Name"], import_id=policy_id(r))
