"""CloudFront distributions: the API's DistributionConfig as each format spells it
(``AWS::CloudFront::Distribution``, ``aws_cloudfront_distribution``)."""

from __future__ import annotations

from typing import Any

from ...model import Block, Fields, Link, Resource
from ...spec import Out
from ..common import blk, certificate_link, snake
from ..common import tag_list as tags
from .common import blank, bucket_domain, items, linked, references


def _forwarded(fv: dict[str, Any] | None) -> dict[str, Any] | None:
    if not fv:
        return None
    cookies = fv.get("Cookies") or {}
    return {"QueryString": fv.get("QueryString", False),
            "QueryStringCacheKeys": items(fv.get("QueryStringCacheKeys")),
            "Headers": items(fv.get("Headers")),
            "Cookies": {"Forward": cookies["Forward"], "WhitelistedNames": items(cookies.get("WhitelistedNames"))}
            if cookies else None}


def _behavior(b: dict[str, Any], refs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A cache behaviour in CloudFormation's shape (plain lists, links for what it names)."""
    allowed = b.get("AllowedMethods") or {}
    return {
        "PathPattern": b.get("PathPattern"),
        "TargetOriginId": b.get("TargetOriginId"),
        "ViewerProtocolPolicy": b.get("ViewerProtocolPolicy"),
        "AllowedMethods": items(allowed),
        "CachedMethods": items(allowed.get("CachedMethods")),
        "CachePolicyId": linked(b.get("CachePolicyId"), refs),
        "OriginRequestPolicyId": linked(b.get("OriginRequestPolicyId"), refs),
        "ResponseHeadersPolicyId": linked(b.get("ResponseHeadersPolicyId"), refs),
        "RealtimeLogConfigArn": blank(b.get("RealtimeLogConfigArn")),
        "FieldLevelEncryptionId": blank(b.get("FieldLevelEncryptionId")),
        "Compress": b.get("Compress"),
        "SmoothStreaming": b.get("SmoothStreaming"),
        "DefaultTTL": b.get("DefaultTTL"),
        "MinTTL": b.get("MinTTL"),
        "MaxTTL": b.get("MaxTTL"),
        "ForwardedValues": _forwarded(b.get("ForwardedValues")),
        "TrustedKeyGroups": items(b.get("TrustedKeyGroups")),
        "TrustedSigners": items(b.get("TrustedSigners")),
        "FunctionAssociations": [{"EventType": a["EventType"], "FunctionARN": linked(a["FunctionARN"], refs)}
                                 for a in items(b.get("FunctionAssociations"))],
        "LambdaFunctionAssociations": [{"EventType": a["EventType"], "LambdaFunctionARN": a["LambdaFunctionARN"],
                                        "IncludeBody": a.get("IncludeBody")}
                                       for a in items(b.get("LambdaFunctionAssociations"))],
        "GrpcConfig": b.get("GrpcConfig"),
    }


def _origin(o: dict[str, Any], refs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    custom = o.get("CustomOriginConfig")
    s3 = o.get("S3OriginConfig")
    if s3 is None and custom is None and not o.get("VpcOriginConfig") and isinstance(bucket_domain(o.get("DomainName")),
                                                                                      Link):
        s3 = {}  # CloudFront takes a bucket's REST endpoint as an S3 origin; the API reports the config empty
    return {
        "Id": o["Id"],
        "DomainName": bucket_domain(o["DomainName"]),
        "OriginPath": blank(o.get("OriginPath")),
        "ConnectionAttempts": o.get("ConnectionAttempts"),
        "ConnectionTimeout": o.get("ConnectionTimeout"),
        "ResponseCompletionTimeout": o.get("ResponseCompletionTimeout"),
        "OriginAccessControlId": linked(o.get("OriginAccessControlId"), refs),
        "OriginCustomHeaders": [{"HeaderName": h["HeaderName"], "HeaderValue": h["HeaderValue"]}
                                for h in items(o.get("CustomHeaders"))],
        "S3OriginConfig": {"OriginAccessIdentity": s3.get("OriginAccessIdentity", ""),
                           "OriginReadTimeout": s3.get("OriginReadTimeout")} if s3 is not None else None,
        "CustomOriginConfig": {
            "HTTPPort": custom.get("HTTPPort"), "HTTPSPort": custom.get("HTTPSPort"),
            "OriginProtocolPolicy": custom["OriginProtocolPolicy"],
            "OriginSSLProtocols": items(custom.get("OriginSslProtocols")),
            "OriginReadTimeout": custom.get("OriginReadTimeout"),
            "OriginKeepaliveTimeout": custom.get("OriginKeepaliveTimeout"),
            "IpAddressType": custom.get("IpAddressType")} if custom else None,
        "OriginShield": o.get("OriginShield") if (o.get("OriginShield") or {}).get("Enabled") else None,
        "VpcOriginConfig": o.get("VpcOriginConfig"),
    }


def _error_response(e: dict[str, Any]) -> dict[str, Any]:
    code = blank(e.get("ResponseCode"))
    return {"ErrorCode": e["ErrorCode"], "ResponseCode": int(code) if code is not None else None,
            "ResponsePagePath": blank(e.get("ResponsePagePath")), "ErrorCachingMinTTL": e.get("ErrorCachingMinTTL")}


def _viewer_certificate(vc: dict[str, Any] | None) -> dict[str, Any] | None:
    if not vc:
        return None
    if vc.get("CloudFrontDefaultCertificate"):
        # with the default certificate, CloudFront takes no SSL method (it reports sni-only)
        return {"CloudFrontDefaultCertificate": True}
    return {"AcmCertificateArn": certificate_link(vc.get("ACMCertificateArn")),
            "IamCertificateId": blank(vc.get("IAMCertificateId")),
            "MinimumProtocolVersion": vc.get("MinimumProtocolVersion"),
            "SslSupportMethod": vc.get("SSLSupportMethod")}


def _logging(lg: dict[str, Any] | None) -> dict[str, Any] | None:
    if not lg or not lg.get("Enabled", bool(lg.get("Bucket"))):
        return None
    return {"Bucket": bucket_domain(lg.get("Bucket")), "IncludeCookies": lg.get("IncludeCookies"),
            "Prefix": blank(lg.get("Prefix"))}


def _restrictions(rs: dict[str, Any] | None) -> dict[str, Any] | None:
    geo = (rs or {}).get("GeoRestriction")
    if not geo:
        return None
    return {"GeoRestriction": {"RestrictionType": geo["RestrictionType"], "Locations": items(geo)}}


def _origin_groups(og: dict[str, Any] | None) -> dict[str, Any] | None:
    groups = items(og)
    return {"Quantity": len(groups), "Items": groups} if groups else None


_ORIGIN_KEYS = {"Id", "DomainName", "OriginPath", "ConnectionAttempts", "ConnectionTimeout", "ResponseCompletionTimeout",
                "OriginAccessControlId", "CustomHeaders", "S3OriginConfig", "CustomOriginConfig", "OriginShield",
                "VpcOriginConfig"}
_BEHAVIOR_KEYS = {"PathPattern", "TargetOriginId", "ViewerProtocolPolicy", "AllowedMethods", "CachePolicyId",
                  "OriginRequestPolicyId", "ResponseHeadersPolicyId", "RealtimeLogConfigArn", "FieldLevelEncryptionId",
                  "Compress", "SmoothStreaming", "DefaultTTL", "MinTTL", "MaxTTL", "ForwardedValues",
                  "TrustedKeyGroups", "TrustedSigners", "FunctionAssociations", "LambdaFunctionAssociations",
                  "GrpcConfig"}


def _untranslated(f: Fields, path: str, entries: list[dict[str, Any]], known: set[str]) -> None:
    """List the fields of origins or behaviours this module does not translate (a newer API's),
    rather than drop them: the whole list was read at once."""
    extra = sorted({k for e in entries for k, v in e.items() if k not in known and v not in (None, "", {}, [])})
    if extra:
        f.unsupported(path, f"{', '.join(extra)}: not translated yet (set after deploying)")


def distribution_config(f: Fields) -> dict[str, Any]:
    """The document's DistributionConfig in CloudFormation's shape; every field read through *f*."""
    refs = references(f)
    _untranslated(f, "DistributionConfig.Origins", items(f.get("DistributionConfig.Origins")), _ORIGIN_KEYS)
    _untranslated(f, "DistributionConfig.DefaultCacheBehavior",
                  [f.get("DistributionConfig.DefaultCacheBehavior") or {}], _BEHAVIOR_KEYS)
    _untranslated(f, "DistributionConfig.CacheBehaviors", items(f.get("DistributionConfig.CacheBehaviors")),
                  _BEHAVIOR_KEYS)
    f.computed("CallerReference", "DistributionConfig.CallerReference")  # CloudFormation makes its own
    vc = f.get("DistributionConfig.ViewerCertificate")
    return {
        "Enabled": f.get("DistributionConfig.Enabled", False),
        "Comment": blank(f.get("DistributionConfig.Comment")),
        "Aliases": sorted(items(f.get("DistributionConfig.Aliases"))),
        "DefaultRootObject": blank(f.get("DistributionConfig.DefaultRootObject")),
        "HttpVersion": f.get("DistributionConfig.HttpVersion"),
        "IPV6Enabled": f.get("DistributionConfig.IsIPV6Enabled"),
        "PriceClass": f.get("DistributionConfig.PriceClass"),
        "WebACLId": linked(f.get("DistributionConfig.WebACLId"), refs),
        "Staging": f.get("DistributionConfig.Staging") or None,
        "ContinuousDeploymentPolicyId": blank(f.get("DistributionConfig.ContinuousDeploymentPolicyId")),
        "AnycastIpListId": blank(f.get("DistributionConfig.AnycastIpListId")),
        "Origins": [_origin(o, refs) for o in items(f.get("DistributionConfig.Origins"))],
        "OriginGroups": _origin_groups(f.get("DistributionConfig.OriginGroups")),
        "DefaultCacheBehavior": _behavior(f.get("DistributionConfig.DefaultCacheBehavior") or {}, refs),
        "CacheBehaviors": [_behavior(b, refs) for b in items(f.get("DistributionConfig.CacheBehaviors"))],
        "CustomErrorResponses": [_error_response(e) for e in items(f.get("DistributionConfig.CustomErrorResponses"))],
        "Logging": _logging(f.get("DistributionConfig.Logging")),
        "Restrictions": _restrictions(f.get("DistributionConfig.Restrictions")),
        "ViewerCertificate": _viewer_certificate(vc),
    }


def _distribution_name(r: Resource) -> str:
    """Its first alias (``www.sailjada.com``) names it in the code, else its id."""
    aliases = sorted(items((r.doc.get("DistributionConfig") or {}).get("Aliases")))
    return aliases[0] if aliases else f"distribution-{r.doc['Id']}"


def _distribution_common(f: Fields) -> None:
    f.computed("Id", "ARN", "DomainName", "Status", "status", "References")


def distribution_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    _distribution_common(f)
    config = distribution_config(f)
    out.resource("AWS::CloudFront::Distribution",
                 {"DistributionConfig": config, "Tags": tags(f.get("Tags"))},
                 _distribution_name(r), identifier={"Id": r.doc["Id"]})



def _tf_behavior(b: dict[str, Any]) -> Block:
    fv = b.get("ForwardedValues")
    return blk({
        "path_pattern": b.get("PathPattern"),
        "target_origin_id": b["TargetOriginId"],
        "viewer_protocol_policy": b["ViewerProtocolPolicy"],
        "allowed_methods": b["AllowedMethods"],
        "cached_methods": b["CachedMethods"],
        "cache_policy_id": b["CachePolicyId"],
        "origin_request_policy_id": b["OriginRequestPolicyId"],
        "response_headers_policy_id": b["ResponseHeadersPolicyId"],
        "realtime_log_config_arn": b["RealtimeLogConfigArn"],
        "field_level_encryption_id": b["FieldLevelEncryptionId"],
        "compress": b["Compress"],
        "smooth_streaming": b["SmoothStreaming"],
        "default_ttl": b["DefaultTTL"],
        "min_ttl": b["MinTTL"],
        "max_ttl": b["MaxTTL"],
        "trusted_key_groups": b["TrustedKeyGroups"],
        "trusted_signers": b["TrustedSigners"],
        "forwarded_values": blk({
            "query_string": fv["QueryString"], "query_string_cache_keys": fv["QueryStringCacheKeys"],
            "headers": fv["Headers"],
            "cookies": blk({"forward": fv["Cookies"]["Forward"],
                              "whitelisted_names": fv["Cookies"]["WhitelistedNames"]})
            if fv.get("Cookies") else blk({"forward": "none"})}) if fv else None,
        "function_association": [blk({"event_type": a["EventType"], "function_arn": a["FunctionARN"]})
                                 for a in b["FunctionAssociations"]],
        "lambda_function_association": [blk({"event_type": a["EventType"], "lambda_arn": a["LambdaFunctionARN"],
                                               "include_body": a.get("IncludeBody")})
                                        for a in b["LambdaFunctionAssociations"]],
        "grpc_config": blk({"enabled": b["GrpcConfig"]["Enabled"]}) if b.get("GrpcConfig") else None,
    })


def _tf_origin(o: dict[str, Any]) -> Block:
    custom, s3, shield, vpc = (o.get(k) for k in ("CustomOriginConfig", "S3OriginConfig", "OriginShield",
                                                  "VpcOriginConfig"))
    return blk({
        "origin_id": o["Id"],
        "domain_name": o["DomainName"],
        "origin_path": o.get("OriginPath"),
        "connection_attempts": o.get("ConnectionAttempts"),
        "connection_timeout": o.get("ConnectionTimeout"),
        "response_completion_timeout": o.get("ResponseCompletionTimeout"),
        "origin_access_control_id": o.get("OriginAccessControlId"),
        "custom_header": [blk({"name": h["HeaderName"], "value": h["HeaderValue"]})
                          for h in o["OriginCustomHeaders"]],
        "s3_origin_config": blk({"origin_access_identity": s3["OriginAccessIdentity"]})
        if s3 and s3.get("OriginAccessIdentity") else None,
        "custom_origin_config": blk({
            "http_port": custom.get("HTTPPort", 80), "https_port": custom.get("HTTPSPort", 443),
            "origin_protocol_policy": custom["OriginProtocolPolicy"],
            "origin_ssl_protocols": custom["OriginSSLProtocols"] or ["TLSv1.2"],
            "origin_read_timeout": custom.get("OriginReadTimeout"),
            "origin_keepalive_timeout": custom.get("OriginKeepaliveTimeout"),
            "ip_address_type": custom.get("IpAddressType")}) if custom else None,
        "origin_shield": blk({"enabled": True, "origin_shield_region": shield.get("OriginShieldRegion")})
        if shield else None,
        "vpc_origin_config": blk({snake(k): v for k, v in vpc.items()}) if vpc else None,
    })


def distribution_terraform(r: Resource, f: Fields, out: Out) -> None:
    _distribution_common(f)
    c = distribution_config(f)
    geo = (c["Restrictions"] or {}).get("GeoRestriction") or {"RestrictionType": "none"}
    vc = c["ViewerCertificate"] or {"CloudFrontDefaultCertificate": True}
    groups = (c["OriginGroups"] or {}).get("Items") or []
    body = {
        "enabled": c["Enabled"],
        "comment": c["Comment"],
        "aliases": c["Aliases"],
        "default_root_object": c["DefaultRootObject"],
        "http_version": c["HttpVersion"],
        "is_ipv6_enabled": c["IPV6Enabled"],
        "price_class": c["PriceClass"],
        "web_acl_id": c["WebACLId"],
        "staging": c["Staging"],
        "continuous_deployment_policy_id": c["ContinuousDeploymentPolicyId"],
        "anycast_ip_list_id": c["AnycastIpListId"],
        "origin": [_tf_origin(o) for o in c["Origins"]],
        "origin_group": [blk({
            "origin_id": g["Id"],
            "failover_criteria": blk({"status_codes": items((g.get("FailoverCriteria") or {}).get("StatusCodes"))}),
            "member": [blk({"origin_id": m["OriginId"]}) for m in items(g.get("Members"))]}) for g in groups],
        "default_cache_behavior": _tf_behavior(c["DefaultCacheBehavior"]),
        "ordered_cache_behavior": [_tf_behavior(b) for b in c["CacheBehaviors"]],
        "custom_error_response": [blk({"error_code": e["ErrorCode"], "response_code": e["ResponseCode"],
                                         "response_page_path": e["ResponsePagePath"],
                                         "error_caching_min_ttl": e["ErrorCachingMinTTL"]})
                                  for e in c["CustomErrorResponses"]],
        "logging_config": blk({"bucket": c["Logging"]["Bucket"], "include_cookies": c["Logging"]["IncludeCookies"],
                                 "prefix": c["Logging"]["Prefix"]}) if c["Logging"] else None,
        "restrictions": blk({"geo_restriction": blk({"restriction_type": geo["RestrictionType"],
                                                         "locations": geo.get("Locations")})}),
        "viewer_certificate": blk({
            "cloudfront_default_certificate": vc.get("CloudFrontDefaultCertificate"),
            "acm_certificate_arn": vc.get("AcmCertificateArn"),
            "iam_certificate_id": vc.get("IamCertificateId"),
            "minimum_protocol_version": vc.get("MinimumProtocolVersion"),
            "ssl_support_method": vc.get("SslSupportMethod")}),
        "tags": f.get("Tags") or None,
    }
    out.block("aws_cloudfront_distribution", body, _distribution_name(r), import_id=r.doc["Id"])
