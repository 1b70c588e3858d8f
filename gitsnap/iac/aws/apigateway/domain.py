"""Custom domain names (``AWS::ApiGateway::DomainName``, ``aws_api_gateway_domain_name``) and
their base path mappings."""

from __future__ import annotations

from typing import Any

from ...model import Fields, Link, Resource
from ...spec import Out, prune
from ..common import blk, certificate_link
from ..common import tag_list as tags
from .common import cfn_props, tf_args

NONE_PATH = "(none)"  # the empty base path, as GetBasePathMappings names it

_DOMAIN_SET = ("regionalDomainName", "regionalHostedZoneId", "distributionDomainName", "distributionHostedZoneId",
               "domainNameId", "domainNameArn", "domainNameStatus", "domainNameStatusMessage", "certificateUploadDate",
               "certificateName", "regionalCertificateName", "mutualTlsAuthentication.truststoreWarnings", "status")
_ENDPOINT = ("types", "ipAddressType")
_MTLS = ("truststoreUri", "truststoreVersion")


def _domain_common(f: Fields) -> dict[str, Any]:
    f.computed(*_DOMAIN_SET)
    mtls = f.get("mutualTlsAuthentication") or {}
    return {"domain": f.get("domainName"), "cert": certificate_link(f.get("certificateArn")),
            "regional_cert": certificate_link(f.get("regionalCertificateArn")),
            "endpoint": f.get("endpointConfiguration") or {}, "policy": f.get("securityPolicy"),
            "mtls": mtls, "ownership": certificate_link(f.get("ownershipVerificationCertificateArn")),
            "routing": f.get("routingMode"), "tags": f.get("tags") or {},
            "mappings": f.get("basePathMappings") or []}


def _base_path(m: dict[str, Any]) -> str:
    path = m.get("basePath") or ""
    return "" if path == NONE_PATH else path


def _api_link(api_id: str) -> Link:
    return Link(f"apigateway/{api_id}", None, api_id, tf_attr="id")


def domain_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    c = _domain_common(f)
    domain = c["domain"]
    out.resource("AWS::ApiGateway::DomainName", {
        "DomainName": domain, "CertificateArn": c["cert"], "RegionalCertificateArn": c["regional_cert"],
        "EndpointConfiguration": prune(cfn_props(c["endpoint"], *_ENDPOINT)),
        "SecurityPolicy": c["policy"],
        "MutualTlsAuthentication": prune(cfn_props(c["mtls"], *_MTLS)),
        "OwnershipVerificationCertificateArn": c["ownership"], "RoutingMode": c["routing"],
        "Tags": tags(c["tags"])}, domain, identifier={"DomainName": domain})
    for m in c["mappings"]:
        path = _base_path(m)
        out.resource("AWS::ApiGateway::BasePathMapping", {
            "DomainName": Link(r.address, None, domain), "BasePath": path or None,
            "RestApiId": _api_link(m["restApiId"]), "Stage": m.get("stage")},
            f"{domain}-{path or 'root'}", identifier={"DomainName": domain, "BasePath": path})


def domain_terraform(r: Resource, f: Fields, out: Out) -> None:
    c = _domain_common(f)
    domain = c["domain"]
    out.block("aws_api_gateway_domain_name", {
        "domain_name": domain, "certificate_arn": c["cert"], "regional_certificate_arn": c["regional_cert"],
        "endpoint_configuration": blk(tf_args(c["endpoint"], *_ENDPOINT)) if c["endpoint"] else None,
        "security_policy": c["policy"],
        "mutual_tls_authentication": blk(tf_args(c["mtls"], *_MTLS)) if c["mtls"].get("truststoreUri") else None,
        "ownership_verification_certificate_arn": c["ownership"],
        "tags": c["tags"] or None}, domain, import_id=domain)
    if c["routing"]:
        f.unsupported("routingMode", "not translated for the AWS provider yet")
    for m in c["mappings"]:
        path = _base_path(m)
        out.block("aws_api_gateway_base_path_mapping", {
            "domain_name": Link(r.address, None, domain, tf_attr="domain_name"), "api_id": _api_link(m["restApiId"]),
            "stage_name": m.get("stage"), "base_path": path or None},
            f"{domain}-{path or 'root'}", import_id=f"{domain}/{path}")
