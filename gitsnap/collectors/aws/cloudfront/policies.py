"""Cache policies, origin request policies, response headers policies (the custom ones: the
managed ones are AWS's, the same in every account) and origin access controls.

The four share one shape: a configuration named by its ``Name``, an id CloudFront assigns,
``Create<Noun>(<Noun>Config)``, ``Update<Noun>(Id, IfMatch, <Noun>Config)`` and
``Delete<Noun>(Id, IfMatch)`` guarded by the ETag of ``Get<Noun>``. Each listing returns whole
configurations, so a capture makes one listing call per type (shared with the distributions,
which need the names of the policies they use) and no call per resource.

Addresses are by name (``cloudfront/cache-policy/NAME``); the id is kept in the document's
status section: a restore that recreates a deleted policy gets a new id from CloudFront, and
the distributions that use it are sent that one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...context import UnitContext
from ...restoring import Operation, RestoreContext, Unrestorable
from ...spec import Raw, ResourceType, Restorer
from .common import client_pages, config_ops, guarded, id_of, list_all, shown, unit_memo


@dataclass(frozen=True)
class Kind:
    """One configuration type: its folder name, its API noun and how its listing is read."""

    type: str  # "cache-policy"
    noun: str  # "CachePolicy"
    list_method: str  # "list_cache_policies"
    list_key: str  # "CachePolicyList"
    managed: bool  # the listing mixes AWS's managed entries with the account's (Type per item)
    title: str

    @property
    def config_key(self) -> str:
        return f"{self.noun}Config"

    def entry(self, item: dict[str, Any]) -> dict[str, Any]:
        """A listed item as ``{Id, Type, <Noun>Config}``. Pure."""
        if self.managed:  # {"Type": "custom", "CachePolicy": {"Id", "LastModifiedTime", "CachePolicyConfig"}}
            inner = item.get(self.noun) or {}
            return {"Id": inner.get("Id"), "Type": item.get("Type"), self.config_key: inner.get(self.config_key) or {}}
        # origin access controls are listed flat: the configuration's fields beside the id
        return {"Id": item.get("Id"), "Type": "custom",
                self.config_key: {k: v for k, v in item.items() if k != "Id"}}


CACHE = Kind("cache-policy", "CachePolicy", "list_cache_policies", "CachePolicyList", True, "cache policy")
ORIGIN_REQUEST = Kind("origin-request-policy", "OriginRequestPolicy", "list_origin_request_policies",
                      "OriginRequestPolicyList", True, "origin request policy")
RESPONSE_HEADERS = Kind("response-headers-policy", "ResponseHeadersPolicy", "list_response_headers_policies",
                        "ResponseHeadersPolicyList", True, "response headers policy")
OAC = Kind("origin-access-control", "OriginAccessControl", "list_origin_access_controls",
           "OriginAccessControlList", False, "origin access control")
KINDS = (CACHE, ORIGIN_REQUEST, RESPONSE_HEADERS, OAC)


def listed(ctx: UnitContext, spec: ResourceType, kind: Kind) -> list[dict[str, Any]]:
    """Every entry of a kind, managed ones included, listed once per capture unit."""
    return unit_memo(ctx, kind.type, lambda: [kind.entry(i) for i in list_all(ctx, spec, kind.list_method,
                                                                             kind.list_key)])


def transform(kind: Kind) -> Any:
    def shape(raw: Raw) -> Raw:
        return {"Id": raw["Id"], kind.config_key: raw[kind.config_key]}
    return shape


# -- restore ---------------------------------------------------------------------------------

def _write(ctx: RestoreContext, address: str, method: str) -> Any:
    return getattr(ctx.client("cloudfront", address), method)


def _snake(noun: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in noun).lstrip("_")


def _fresh_etag(ctx: RestoreContext, address: str, kind: Kind, rid: str) -> str:
    return _write(ctx, address, f"get_{_snake(kind.noun)}")(Id=rid)["ETag"]


def plan_create(kind: Kind) -> Any:
    def create(ctx: RestoreContext, address: str) -> list[Operation]:
        want = ctx.want(address)
        config = want[kind.config_key]

        def run() -> None:
            _write(ctx, address, f"create_{_snake(kind.noun)}")(**{kind.config_key: config})

        return [Operation(address, "create", address,
                          f"{kind.title} {shown(config.get('Name'))} (CloudFront gives it a new id; the "
                          "distributions restored with it are sent that id)", run=run)]
    return create


def plan_update(kind: Kind) -> Any:
    def update(ctx: RestoreContext, address: str) -> list[Operation]:
        want, have = ctx.want(address), ctx.have(address)
        rid = id_of(have)
        if not rid:
            raise Unrestorable(Operation(address, "cannot-restore", address, "live's document has no id"))

        def run() -> None:
            etag = _fresh_etag(ctx, address, kind, rid)  # the ETag at the time of the write
            guarded(address, _write(ctx, address, f"update_{_snake(kind.noun)}"),
                    Id=rid, IfMatch=etag, **{kind.config_key: want[kind.config_key]})

        return config_ops(ctx, address, kind.config_key, have.get(kind.config_key), want.get(kind.config_key), run)
    return update


def plan_delete(kind: Kind) -> Any:
    def delete(ctx: RestoreContext, address: str) -> list[Operation]:
        rid = id_of(ctx.have(address))

        def run() -> None:
            etag = _fresh_etag(ctx, address, kind, rid)
            guarded(address, _write(ctx, address, f"delete_{_snake(kind.noun)}"), Id=rid, IfMatch=etag)

        return [Operation(address, "delete", address, f"{kind.title} {rid} (live only; CloudFront refuses while "
                          "a distribution uses it)", run=run)]
    return delete


def make_type(kind: Kind) -> ResourceType:
    noun = kind.noun

    def enumerate_kind(ctx: UnitContext) -> list[Raw]:
        return [e for e in listed(ctx, SPECS[kind.type], kind) if e["Type"] == "custom"]

    return ResourceType(
        service="cloudfront", type=kind.type, scope="global", client="cloudfront", primary=False,
        enumerate=enumerate_kind,
        id=lambda r: r[kind.config_key]["Name"],
        transform=transform(kind),
        volatile=("LastModifiedTime",),
        status=("Id",),  # assigned by CloudFront at creation: a recreated one has another
        schema=f"aws.cloudfront.{kind.type}",
        permissions=(f"cloudfront:List{noun}s" if kind is OAC else f"cloudfront:List{noun[:-1]}ies",),
        restore=Restorer(
            create=plan_create(kind), update=plan_update(kind), delete=plan_delete(kind), rank=45,
            permissions=tuple(f"cloudfront:{verb}{noun}" for verb in ("Get", "Create", "Update", "Delete"))),
    )


SPECS: dict[str, ResourceType] = {}
SPECS.update({k.type: make_type(k) for k in KINDS})
CACHE_POLICY, ORIGIN_REQUEST_POLICY, RESPONSE_HEADERS_POLICY, ORIGIN_ACCESS_CONTROL = (SPECS[k.type] for k in KINDS)
TYPES = (CACHE_POLICY, ORIGIN_REQUEST_POLICY, RESPONSE_HEADERS_POLICY, ORIGIN_ACCESS_CONTROL)


def names(ctx: UnitContext, kind: Kind) -> dict[str, dict[str, Any]]:
    """Id -> ``{"name", "managed"}`` of every entry of *kind* (for the distributions' references)."""
    return {e["Id"]: {"name": e[kind.config_key].get("Name"), "managed": e["Type"] == "managed"}
            for e in listed(ctx, SPECS[kind.type], kind) if e.get("Id")}


def live_ids(client: Any, kind: Kind) -> dict[str, str]:
    """Name -> id of the account's own entries of *kind*, as live has them now (restore)."""
    params = {"Type": "custom"} if kind.managed else {}
    return {e[kind.config_key].get("Name"): e["Id"]
            for e in (kind.entry(i) for i in client_pages(client, kind.list_method, kind.list_key, **params))
            if e["Type"] == "custom"}
