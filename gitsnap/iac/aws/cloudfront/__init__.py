"""CloudFront: distributions, their policies, origin access controls, functions and
KeyValueStores: ``AWS::CloudFront::*`` and the matching ``aws_cloudfront_*`` resources.

The API wraps every list as ``{"Quantity": n, "Items": [...]}``; CloudFormation takes plain
lists (except in origin groups and response headers policies, which keep ``Items``) and the
AWS provider takes lists or repeated blocks: each builder unwraps them.

A distribution names its policies, origin access control, functions and web ACL by id or ARN;
the snapshot's ``References`` says which address each names, so those become links (``!Ref``,
``!GetAtt`` or a Terraform reference when that resource is emitted too), as do an S3 origin's
bucket and the viewer certificate. AWS's managed policies stay ids: they exist in every account.

Modules: ``common`` (lists, links), ``distribution``, ``policies`` (cache, origin request and
response headers policies, origin access controls), ``functions`` (functions, KeyValueStores).
"""

from __future__ import annotations

from ...spec import Builder, IacSpec, Provides
from ..common import certificate_link, snake
from . import distribution, functions, policies
from .common import bucket_domain, items

__all__ = ["SPECS", "bucket_domain", "certificate_link", "items"]


def _spec(kind: str, cloudformation: Builder, terraform: Builder, provides: tuple[Provides, ...] = ()) -> IacSpec:
    """A type written as one resource in each format: ``AWS::CloudFront::<kind>`` and
    ``aws_cloudfront_<kind in snake_case>``."""
    return IacSpec(cloudformation=cloudformation, terraform=terraform, provides=provides,
                   cfn_types=(f"AWS::CloudFront::{kind}",), tf_types=(f"aws_cloudfront_{snake(kind)}",))


SPECS = {
    # a record's alias or CNAME names a distribution by its d123.cloudfront.net
    "distribution": _spec("Distribution", distribution.distribution_cloudformation,
                          distribution.distribution_terraform,
                          (Provides("DomainName", "DomainName", "domain_name"),)),
    "cache-policy": _spec("CachePolicy", policies.cache_policy_cloudformation, policies.cache_policy_terraform),
    "origin-request-policy": _spec("OriginRequestPolicy", policies.origin_request_policy_cloudformation,
                                   policies.origin_request_policy_terraform),
    "response-headers-policy": _spec("ResponseHeadersPolicy", policies.response_headers_policy_cloudformation,
                                     policies.response_headers_policy_terraform),
    "origin-access-control": _spec("OriginAccessControl", policies.origin_access_control_cloudformation,
                                   policies.origin_access_control_terraform),
    "function": _spec("Function", functions.function_cloudformation, functions.function_terraform),
    "key-value-store": _spec("KeyValueStore", functions.key_value_store_cloudformation,
                             functions.key_value_store_terraform),
}
