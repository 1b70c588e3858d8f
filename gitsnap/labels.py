"""The names people know resources by, shown next to their addresses. Pure.

An address names a resource by its id, and some ids say nothing to a person: a CloudFront
distribution is ``cloudfront/E2ABC123``, an API ``apigateway/s3vrxzgx3d``. Its label is what
people call it, read from its snapshot document: ``cloudfront/E2ABC123 (shop.example.com)``.

One line per resource type in :data:`LABELS`: a field path (``fieldpath`` syntax, the first
one that holds a text wins) or a function of the document. A type without a line, or whose
fields are empty, falls back to a ``Name`` tag. Labels come from snapshot documents, which
are already redacted: a label that holds a redaction marker is not shown, and neither is one
that only repeats the id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import fieldpath
from .secrets.fingerprint import has_marker

MAX_LABEL = 60  # characters: a label names, it does not describe at length

Rule = str | tuple[str, ...] | Callable[[Any], "str | None"]


def _arn_name(arn: Any) -> str | None:
    """The name in an ARN: ``...:table/orders/stream/2024...`` and ``...:function:orders`` are
    ``orders``, ``...:orders-queue`` is ``orders-queue``."""
    if not isinstance(arn, str) or not arn:
        return None
    resource = arn.split(":", 5)[-1]
    for sep in ("/", ":"):
        if sep in resource:
            return resource.split(sep)[1] or None
    return resource


def _distribution(doc: Any) -> str | None:
    """Its aliases (the first, and how many more), else the domain of its first origin."""
    config = doc.get("DistributionConfig") or {}
    aliases = sorted((config.get("Aliases") or {}).get("Items") or [])
    if aliases:
        return aliases[0] + (f" +{len(aliases) - 1} more" if len(aliases) > 1 else "")
    origins = (config.get("Origins") or {}).get("Items") or []
    return origins[0].get("DomainName") if origins and isinstance(origins[0], dict) else None


def _website(doc: Any) -> str | None:
    """The website endpoint of a bucket that serves one (``Website`` is null when it does not)."""
    if not doc.get("Website") or not doc.get("Name"):
        return None
    region = doc.get("Region") or "us-east-1"
    return f"{doc['Name']}.s3-website-{region}.amazonaws.com"


def _event_source(doc: Any) -> str | None:
    """``source -> function``: what feeds which function."""
    source, function = _arn_name(doc.get("EventSourceArn")), _arn_name(doc.get("FunctionArn"))
    return f"{source} -> {function}" if source and function else function


def _healthcheck(doc: Any) -> str | None:
    config = doc.get("HealthCheckConfig") or {}
    host = config.get("FullyQualifiedDomainName") or config.get("IPAddress")
    return f"{host}{config.get('ResourcePath') or ''}" if host else None


# (service, type) as the manifest records them -> where the name people know is.
LABELS: dict[tuple[str, str], Rule] = {
    ("cloudfront", "distribution"): _distribution,
    ("s3", "bucket"): _website,
    ("lambda", "function"): "Configuration.Description",
    ("lambda", "event-source-mapping"): _event_source,
    ("route53", "zone"): "Name",  # a private zone's address carries its id too
    ("route53", "healthcheck"): _healthcheck,
    ("apigateway", "rest-api"): "name",
    ("apigateway", "http-api"): "Name",
    ("acm", "certificate"): "Certificate.DomainName",
}


def _field(doc: Any, path: str) -> Any:
    return next((parent[key] for _, parent, key in fieldpath.matches(doc, path)), None)


def _name_tag(doc: Any) -> Any:
    """A ``Name`` tag, as a mapping (``{"Name": ...}``) or AWS's list of Key/Value pairs."""
    for tags in (doc.get("Tags"), doc.get("tags")):
        if isinstance(tags, dict) and isinstance(tags.get("Name"), str):
            return tags["Name"]
        if isinstance(tags, list):
            found = next((t.get("Value") for t in tags if isinstance(t, dict) and t.get("Key") == "Name"), None)
            if found:
                return found
    return None


def _apply(rule: Rule, doc: Any) -> Any:
    if callable(rule):
        return rule(doc)
    paths = (rule,) if isinstance(rule, str) else rule
    return next((v for p in paths if isinstance(v := _field(doc, p), str) and v.strip()), None)


def label(address: str, document: Any, type_: str) -> str | None:
    """The name people know the resource at *address* by, or None.

    Args:
        address: its address (``cloudfront/E2ABC123``).
        document: its snapshot document (already redacted), or None.
        type_: its type as the manifest records it (``distribution``).

    Returns:
        One line of at most ``MAX_LABEL`` characters; None when the document has none, when
        it holds a redaction marker, or when it only repeats the id.
    """
    if not isinstance(document, dict):
        return None
    rule = LABELS.get((address.split("/", 1)[0], type_))
    found = _apply(rule, document) if rule is not None else None
    if not (isinstance(found, str) and found.strip()):
        found = _name_tag(document)
    if not isinstance(found, str) or has_marker(found):
        return None
    text = " ".join(found.split())
    if " " not in text:  # a domain: "sailjada.com." is sailjada.com
        text = text.rstrip(".")
    if not text or text.lower() == address.rsplit("/", 1)[-1].lower():
        return None
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 3] + "..."


def named(address: str, text: str | None, *more: str | None) -> str:
    """``address (label)``, the label and anything else said about the resource in one pair of
    parentheses (``cloudfront/E2 (shop.example.com, staging)``); the bare address without any."""
    said = [x for x in (text, *more) if x]
    return f"{address} ({', '.join(said)})" if said else address


def of_snapshot(snapshot: Any, address: str) -> str | None:
    """The label of *address* in a :class:`~gitsnap.store.snapshot.Snapshot`, read from its
    document (None when the snapshot does not hold it)."""
    info = snapshot.resources.get(address)
    if info is None or (address.split("/", 1)[0], info.get("type")) not in LABELS and not _may_tag(info):
        return None
    return label(address, snapshot.document(address), info.get("type", ""))


def _may_tag(info: dict[str, Any]) -> bool:
    """Whether a type without a line of its own is worth reading for a ``Name`` tag: every AWS
    type may carry one; local paths and Apps Script projects are named by the configuration."""
    return info.get("service") not in ("local", "gas")
