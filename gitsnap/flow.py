"""The request-flow map: how a request for a domain reaches what serves it.

The seeds drew it by hand: domain -> Route53 record -> CloudFront distribution (with its edge
functions and web ACL) -> origin (a bucket, a Lambda function URL, an API Gateway API, a
Lightsail instance). Here it is derived from a snapshot's documents, written into each
snapshot as ``flow.json``, drawn in the HTML report and printed by ``gitsnap flow``.

A link that names something of this estate that the snapshot does not have (a record aliasing a
CloudFront domain no distribution has, an origin bucket that does not exist, an edge function
that was deleted) is a *dangling* link, reported as a finding. A link to something outside the
estate (a third-party host) is shown as external, not as a finding. Pure: documents in, a
document out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .layout import FLOW_JSON

# Host names that name a resource of an AWS service (the part before the suffix is its name/id)
S3_HOST = re.compile(r"^(?P<bucket>[a-z0-9][a-z0-9.-]*?)\.s3(?:[.-](?:website[.-])?[a-z0-9-]*)?\.amazonaws\.com$")
CLOUDFRONT_HOST = re.compile(r"^[a-z0-9]+\.cloudfront\.net$")
LAMBDA_URL_HOST = re.compile(r"^[a-z0-9]+\.lambda-url\.[a-z0-9-]+\.on\.aws$")
API_HOST = re.compile(r"^(?P<api>[a-z0-9]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com$")
ARN_KEYS = ("ARN", "Arn", "FunctionArn", "TopicArn", "QueueArn", "LayerArn")


@dataclass(frozen=True)
class Dangling:
    """A link to something of this estate the snapshot does not have."""

    source: str  # the address holding the link
    where: str  # the field or record that holds it
    target: str  # what it names
    why: str

    def text(self) -> str:
        return f"{self.source}: {self.where} -> {self.target}: {self.why}"

    def to_json(self) -> dict[str, str]:
        return {"from": self.source, "where": self.where, "to": self.target, "why": self.why}


def _host(name: str) -> str:
    return name.lower().rstrip(".")


class Index:
    """Where each host name and ARN of the snapshot's resources leads (an address)."""

    def __init__(self, resources: dict[str, dict[str, Any]], document: Callable[[str], Any]) -> None:
        self.docs: dict[str, Any] = {}
        self.hosts: dict[str, str] = {}
        self.arns: dict[str, str] = {}
        self.buckets: dict[str, str] = {}
        self.apis: dict[str, str] = {}
        for address, info in sorted(resources.items()):
            if info.get("service") not in ("route53", "cloudfront", "s3", "lambda", "apigateway", "lightsail", "wafv2"):
                continue
            doc = document(address)
            if not isinstance(doc, dict):
                continue
            self.docs[address] = doc
            self._learn(address, info, doc)

    def _learn(self, address: str, info: dict[str, Any], doc: dict[str, Any]) -> None:
        for key in ARN_KEYS:
            for value in (doc.get(key), (doc.get("Configuration") or {}).get(key)):
                if isinstance(value, str):
                    self.arns[value.split(":$")[0]] = address
        kind = (info.get("service"), info.get("type"))
        if kind == ("cloudfront", "distribution") and doc.get("DomainName"):
            self.hosts[_host(doc["DomainName"])] = address
        elif kind == ("s3", "bucket"):
            self.buckets[address.rsplit("/", 1)[-1]] = address
        elif kind == ("lambda", "function"):
            url = (doc.get("UrlConfig") or {}).get("FunctionUrl") or doc.get("FunctionUrl")
            if isinstance(url, str):
                self.hosts[_host(url.split("//", 1)[-1].split("/", 1)[0])] = address
        elif kind == ("apigateway", "rest-api") or kind == ("apigateway", "http-api"):
            api_id = doc.get("id") or doc.get("ApiId")
            if api_id:
                self.apis[api_id] = address
        elif kind == ("apigateway", "domain"):
            for key in ("distributionDomainName", "regionalDomainName"):
                if doc.get(key):
                    self.hosts[_host(doc[key])] = address
        elif info.get("service") == "lightsail":
            for key in ("publicIpAddress", "ipAddress"):
                if doc.get(key):
                    self.hosts[doc[key]] = address

    def host(self, name: str) -> tuple[str | None, str | None]:
        """(address, None) for a host of this estate the snapshot has; (None, why) for one of
        this estate it does not have; (None, None) for a host outside the estate."""
        name = _host(name)
        if name in self.hosts:
            return self.hosts[name], None
        if m := S3_HOST.match(name):
            bucket = m.group("bucket")
            return (self.buckets[bucket], None) if bucket in self.buckets else (
                None, f"bucket {bucket} is not in the snapshot (deleted, or not captured)")
        if m := API_HOST.match(name):
            api = m.group("api")
            return (self.apis[api], None) if api in self.apis else (None, f"API {api} is not in the snapshot")
        if CLOUDFRONT_HOST.match(name):
            return None, "no distribution in the snapshot has this domain"
        if LAMBDA_URL_HOST.match(name):
            return None, "no function in the snapshot has this URL"
        return None, None

    def arn(self, arn: str) -> tuple[str | None, str | None]:
        base = arn.split(":$")[0]
        if base in self.arns:
            return self.arns[base], None
        unversioned = re.sub(r":\d+$", "", base)  # a Lambda@Edge ARN names a version
        if unversioned in self.arns:
            return self.arns[unversioned], None
        return None, "not in the snapshot (deleted, or its service not captured)"


def _items(value: Any) -> list[Any]:
    return list((value or {}).get("Items") or []) if isinstance(value, dict) else []


def _resolver(index: Index, doc: dict[str, Any]) -> Any:
    """Resolves an ARN or id a distribution names: through the ``References`` the CloudFront
    collector recorded (``{Path, Id, Address}``, Address null: the account has nothing by that
    id), else through the index's ARNs."""
    refs = {r.get("Id"): r for r in doc.get("References") or [] if isinstance(r, dict)}

    def resolve(ref: str) -> tuple[str | None, str | None]:
        if ref in refs:
            found = refs[ref].get("Address")
            return (found, None) if found else (None, "the account has nothing by this id (deleted)")
        return index.arn(ref)

    return resolve


def _distribution(index: Index, address: str, dangling: list[Dangling]) -> dict[str, Any]:
    resolve = _resolver(index, index.docs[address])
    cfg = index.docs[address].get("DistributionConfig") or {}
    behaviours = [cfg.get("DefaultCacheBehavior") or {}, *_items(cfg.get("CacheBehaviors"))]
    edge = []
    for b in behaviours:
        refs = [("LambdaFunctionAssociations", "LambdaFunctionARN"), ("FunctionAssociations", "FunctionARN")]
        for field, key in refs:
            for assoc in _items(b.get(field)):
                target, why = resolve(assoc.get(key, ""))
                where = f"{b.get('PathPattern', 'default')} {assoc.get('EventType')}"
                edge.append({"behaviour": where, "arn": assoc.get(key), "to": target})
                if why:
                    dangling.append(Dangling(address, f"DistributionConfig {where}", assoc.get(key, ""), why))
    origins = []
    for origin in _items(cfg.get("Origins")):
        target, why = index.host(origin.get("DomainName", ""))
        origins.append({"id": origin.get("Id"), "domain": origin.get("DomainName"),
                        "path": origin.get("OriginPath") or "", "to": target, "external": not target and not why})
        if why:
            dangling.append(Dangling(address, f"origin {origin.get('Id')}", origin.get("DomainName", ""), why))
    waf = cfg.get("WebACLId") or None
    waf_to, waf_why = resolve(waf) if waf else (None, None)
    if waf and not waf_to and (waf.startswith("arn:") or waf in {r.get("Id") for r in index.docs[address].get("References") or []}):
        dangling.append(Dangling(address, "WebACLId", waf, waf_why or "no web ACL in the snapshot has this ARN"))
    return {"distribution": address, "aliases": sorted(_items(cfg.get("Aliases"))), "edge": edge,
            "waf": waf, "waf_to": waf_to, "origins": origins}


def _records(index: Index) -> Iterable[tuple[str, dict[str, Any]]]:
    for address, doc in index.docs.items():
        if address.startswith("route53/") and "RecordSets" in doc:
            for rr in doc.get("RecordSets") or []:
                if rr.get("Type") in ("A", "AAAA", "CNAME"):
                    yield address, rr


def flow_map(resources: dict[str, dict[str, Any]], document: Callable[[str], Any]) -> dict[str, Any]:
    """The request-flow map of a snapshot: its ``resources`` (manifest map) and a reader of each
    address's document. Pure given *document*.

    Returns ``{"routes": [...], "dangling": [...]}``: one route per A/AAAA/CNAME record, with
    what it leads to (and, for a distribution, its edge functions, web ACL and origins), and
    every dangling link, sorted."""
    index = Index(resources, document)
    dangling: list[Dangling] = []
    dists: dict[str, dict[str, Any]] = {}
    routes = []
    for zone, rr in _records(index):
        name = _host(rr["Name"])
        alias = (rr.get("AliasTarget") or {}).get("DNSName")
        values = [alias] if alias else [v.get("Value", "") for v in rr.get("ResourceRecords") or []]
        for value in values:
            target, why = index.host(value)
            where = f"{name} {rr['Type']}" + (f" ({rr['SetIdentifier']})" if rr.get("SetIdentifier") else "")
            route: dict[str, Any] = {"domain": name, "record": where, "zone": zone, "value": _host(value),
                                     "to": target, "external": not target and not why}
            if why:
                dangling.append(Dangling(zone, where, _host(value), why))
            if target and target.startswith("cloudfront/"):
                if target not in dists:
                    dists[target] = _distribution(index, target, dangling)
                route["via"] = dists[target]
            routes.append(route)
    for address in sorted(index.docs):  # distributions no record leads to still have origins to check
        if address not in dists and "DistributionConfig" in index.docs[address]:
            dists[address] = _distribution(index, address, dangling)
    unique = {d.text(): d for d in dangling}
    return {"routes": sorted(routes, key=lambda r: (r["domain"], r["record"], r["value"])),
            "distributions": [dists[a] for a in sorted(dists)],
            "dangling": [unique[k].to_json() for k in sorted(unique)]}


def render_text(flow: dict[str, Any]) -> str:
    """The map as indented text: each domain, what it leads to, and the dangling links."""
    lines = []
    for route in flow["routes"]:
        to = route["to"] or ("(outside this estate)" if route["external"] else "(dangling)")
        lines.append(f"{route['record']} -> {route['value']} -> {to}")
        via = route.get("via")
        if via:
            for e in via["edge"]:
                lines.append(f"    edge {e['behaviour']}: {e['to'] or e['arn']}")
            if via["waf"]:
                lines.append(f"    web ACL: {via['waf_to'] or via['waf']}")
            for o in via["origins"]:
                target = o["to"] or ("(outside this estate)" if o["external"] else "(dangling)")
                lines.append(f"    origin {o['id']}: {o['domain']}{o['path']} -> {target}")
    if flow["dangling"]:
        lines.append(f"{len(flow['dangling'])} dangling links:")
        lines += [f"  {d['from']}: {d['where']} -> {d['to']}: {d['why']}" for d in flow["dangling"]]
    else:
        lines.append("No dangling links.")
    return "\n".join(lines) + "\n"


def of_snapshot(snap: Any) -> dict[str, Any]:
    """A snapshot's flow map: its ``flow.json`` when the capture wrote one, else derived from
    its documents (snapshots made before the map existed)."""
    blob = snap.files.get(FLOW_JSON)
    if blob is not None:
        return snap.read_json(blob)  # type: ignore[no-any-return]
    return flow_map(snap.resources, snap.document)


def dangling_texts(flow: dict[str, Any]) -> list[str]:
    """Each dangling link as a one-line finding."""
    return [f"dangling link: {d['from']}: {d['where']} -> {d['to']} ({d['why']})" for d in flow["dangling"]]
