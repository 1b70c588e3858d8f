"""A configuration's references to other resources, by address (pure).

A distribution names its policies and origin access controls by id, its CloudFront Functions
and Lambda@Edge functions by ARN, its web ACL by ARN; a CloudFront Function names its
KeyValueStores by ARN. Each document gets a ``References`` list: where the reference is, what it
says, and the address of the resource it means (``cloudfront/cache-policy/NAME``,
``cloudfront/function/NAME``, ``lambda/NAME``, ``wafv2/NAME``), or ``Managed`` for AWS's own
policies, which gitsnap does not capture. The request-flow map follows these addresses, and a
restore uses them to send the id a recreated resource has now (:func:`substitute`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

# field name -> the type its value names (by id, else by ARN)
BY_ID = {
    "CachePolicyId": "cache-policy",
    "OriginRequestPolicyId": "origin-request-policy",
    "ResponseHeadersPolicyId": "response-headers-policy",
    "OriginAccessControlId": "origin-access-control",
}
BY_ARN = {"FunctionARN": "function", "LambdaFunctionARN": "lambda", "WebACLId": "web-acl",
          "KeyValueStoreARN": "key-value-store"}


def walk(node: Any, path: str = "") -> Iterator[tuple[str, str, Any]]:
    """Every (path, key, value) of a document whose key is a reference field. Pure."""
    if isinstance(node, dict):
        for key in sorted(node):
            here = f"{path}.{key}" if path else key
            if key in BY_ID or key in BY_ARN:
                if isinstance(node[key], str) and node[key]:
                    yield here, key, node[key]
            else:
                yield from walk(node[key], here)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from walk(item, f"{path}[{i}]")


def arn_address(key: str, arn: str) -> str | None:
    """The address an ARN-valued reference names, from the ARN alone, or None. Pure.

    ``arn:aws:cloudfront::1:function/NAME`` -> ``cloudfront/function/NAME``;
    ``arn:aws:lambda:us-east-1:1:function:NAME:3`` -> ``lambda/NAME``;
    ``arn:aws:wafv2:us-east-1:1:global/webacl/NAME/ID`` -> ``wafv2/NAME`` (a WAF Classic web
    ACL id is no ARN: None).
    """
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    service, resource = parts[2], parts[5]
    if key == "FunctionARN" and service == "cloudfront" and resource.startswith("function/"):
        return f"cloudfront/function/{resource.split('/', 1)[1]}"
    if key == "LambdaFunctionARN" and service == "lambda" and resource.startswith("function:"):
        return f"lambda/{resource.split(':')[1]}"
    if key == "WebACLId" and service == "wafv2":
        bits = resource.split("/")
        if len(bits) == 4 and bits[0] == "global" and bits[1] == "webacl":
            return f"wafv2/{bits[2]}"
    return None


def references(config: Any, prefix: str, names: dict[str, dict[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """The ``References`` list of a document whose configuration is *config*. Pure.

    Args:
        prefix: the configuration's path in the document (``DistributionConfig``).
        names: type -> (id or ARN -> ``{"name", "managed"}``), as listed in the account; an id
            not in it is recorded without an address (``"Address": null``: it names nothing
            the account lists, a dangling reference).
    """
    out = []
    for path, key, value in walk(config, prefix):
        ref: dict[str, Any] = {"Path": path, "Id": value}
        if key in BY_ID or key == "KeyValueStoreARN":
            kind = BY_ID.get(key, "key-value-store")
            found = names.get(kind, {}).get(value)
            if found and found.get("managed"):
                ref["Managed"] = found["name"]
            else:
                ref["Address"] = f"cloudfront/{kind}/{found['name']}" if found else None
        else:
            ref["Address"] = arn_address(key, value)
        out.append(ref)
    return out


def referenced(config: Any, *keys: str) -> bool:
    """Whether *config* holds a reference in any of the fields *keys*. Pure."""
    return any(key in keys for _, key, _ in walk(config))


def substitute(config: Any, new: dict[str, str]) -> Any:
    """*config* with each reference whose value is a key of *new* replaced by its value. Pure."""
    if isinstance(config, dict):
        return {k: (new.get(v, v) if (k in BY_ID or k in BY_ARN) and isinstance(v, str) else substitute(v, new))
                for k, v in config.items()}
    if isinstance(config, list):
        return [substitute(v, new) for v in config]
    return config
