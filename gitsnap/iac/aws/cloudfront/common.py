"""What CloudFront's modules share: the API's ``{"Quantity", "Items"}`` lists unwrapped, unset
ids dropped, and the ids and ARNs a document names turned into links."""

from __future__ import annotations

import re
from typing import Any

from ...model import Fields, Link, Resource

# <bucket>.s3.amazonaws.com, <bucket>.s3.<region>.amazonaws.com, <bucket>.s3-<region>.amazonaws.com
_S3_DOMAIN = re.compile(r"^(?P<bucket>[a-z0-9][a-z0-9.-]*?)\.s3(?P<regional>[.-][a-z0-9-]+)?\.amazonaws\.com$")

_LINK_ATTRS = {  # referenced type -> (CloudFormation attribute or None for Ref, Terraform attribute)
    "cache-policy": (None, "id"),
    "origin-request-policy": (None, "id"),
    "response-headers-policy": (None, "id"),
    "origin-access-control": (None, "id"),
    "function": ("FunctionARN", "arn"),
    "key-value-store": ("Arn", "arn"),
}


def items(value: Any) -> list[Any]:
    """The ``Items`` of an API ``{"Quantity", "Items"}`` list (``[]`` when absent). Pure."""
    return list((value or {}).get("Items") or []) if isinstance(value, dict) else list(value or [])


def blank(value: Any) -> Any:
    """None for the empty strings the API returns for unset ids."""
    return None if value == "" else value








def references(f: Fields) -> dict[str, dict[str, Any]]:
    """A document's references by value (id or ARN) -> the reference (its address, if any)."""
    return {ref["Id"]: ref for ref in f.get("References") or [] if ref.get("Id")}


def linked(value: Any, refs: dict[str, dict[str, Any]]) -> Any:
    """*value* (a policy id, a function or web ACL ARN), or a Link to the resource it names."""
    value = blank(value)
    ref = refs.get(value) if isinstance(value, str) else None
    address = (ref or {}).get("Address")
    if not address:
        return value  # a managed policy, or a name the account does not list: the literal
    if address.startswith("wafv2/"):
        return Link(address, "Arn", value, tf_attr="arn")
    if address.startswith("cloudfront/"):
        attr, tf_attr = _LINK_ATTRS.get(address.split("/")[1], (None, "id"))
        return Link(address, attr, value, tf_attr=tf_attr)
    # a Lambda@Edge association needs the version ARN recorded, not the function's own ARN
    return value


def bucket_domain(domain: str | None) -> Any:
    """An S3 bucket's domain name, as a Link to the bucket when the snapshot may hold it. Pure."""
    m = _S3_DOMAIN.match(domain or "")
    if not m or "website" in (m.group("regional") or ""):
        return domain
    if m.group("regional"):
        return Link(f"s3/{m.group('bucket')}", "RegionalDomainName", domain, tf_attr="bucket_regional_domain_name")
    return Link(f"s3/{m.group('bucket')}", "DomainName", domain, tf_attr="bucket_domain_name")




def policy_id(r: Resource) -> str | None:
    """A policy's (or origin access control's) id: the import id and the CloudFormation identifier."""
    return (r.doc.get("status") or {}).get("Id") or r.doc.get("Id")


def no_tags_argument(f: Fields, tf_type: str) -> None:
    """Report the document's tags unused: *tf_type* takes none."""
    if f.get("Tags"):
        f.unsupported("Tags", f"{tf_type} has no tags argument")
