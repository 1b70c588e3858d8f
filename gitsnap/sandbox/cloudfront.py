"""What moto's CloudFront lacks, added to it: the three policy types and function stages.

moto (5.x) has no cache, origin request or response headers policies (every call answers a
bare HTTP 404), and its CloudFront Functions have one stage: no UpdateFunction, no
PublishFunction, and ``Stage`` is ignored. gitsnap lists the policies in every CloudFront
capture, so without them no capture of the sandbox could succeed. :func:`install` adds them to
moto's CloudFront, in this process, before its server answers a CloudFront request:

- ``Create/Get/Update/Delete/List`` for each policy type, with ETags checked on update and
  delete (``PreconditionFailed``), names unique, one managed cache policy listed beside the
  account's (``Type=managed``);
- function stages: UpdateFunction writes DEVELOPMENT (its ETag checked), PublishFunction copies
  it to LIVE, and Describe/Get/ListFunctions honour ``Stage`` (LIVE of an unpublished function
  is ``NoSuchFunctionExists``).

State lives on moto's backend objects, so moto's reset forgets it too.
"""

from __future__ import annotations

import copy
import threading
import uuid
from typing import Any

from moto.cloudfront import urls
from moto.cloudfront.exceptions import InvalidIfMatchVersion, NoSuchFunctionExists
from moto.cloudfront.responses import CloudFrontResponse
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow
from moto.moto_api._internal import mock_random as random

_lock = threading.Lock()
_installed = False

KINDS = {"cache_policy": "CachePolicy", "origin_request_policy": "OriginRequestPolicy",
         "response_headers_policy": "ResponseHeadersPolicy"}
PATHS = {"cache_policy": "cache-policy", "origin_request_policy": "origin-request-policy",
         "response_headers_policy": "response-headers-policy"}
MANAGED_CACHE = {  # AWS's Managed-CachingOptimized, as ListCachePolicies shows it in every account
    "Id": "658327ea-f89d-4fab-a63d-7e88639e58f6",
    "CachePolicyConfig": {
        "Name": "Managed-CachingOptimized", "Comment": "Policy with caching enabled",
        "MinTTL": 1, "DefaultTTL": 86400, "MaxTTL": 31536000,
        "ParametersInCacheKeyAndForwardedToOrigin": {
            "EnableAcceptEncodingGzip": True, "EnableAcceptEncodingBrotli": True,
            "HeadersConfig": {"HeaderBehavior": "none"}, "CookiesConfig": {"CookieBehavior": "none"},
            "QueryStringsConfig": {"QueryStringBehavior": "none"}}},
}


class CloudFrontError(ServiceException):
    """An error CloudFront's model knows (defined here: moto looks a moto.* exception's codes up
    in the service its module is named after)."""


def _error(code: str, message: str) -> ServiceException:
    return CloudFrontError(code, message)


def _store(backend: Any, kind: str) -> dict[str, dict[str, Any]]:
    with _lock:
        stores = backend.__dict__.setdefault("_gitsnap_policies", {})
        return stores.setdefault(kind, {})


def _policy(entry: dict[str, Any], noun: str) -> dict[str, Any]:
    return {"Id": entry["Id"], "LastModifiedTime": entry["LastModifiedTime"], f"{noun}Config": entry["config"]}


def _checked(response: Any, entry: dict[str, Any]) -> None:
    if response._get_param("IfMatch") != entry["etag"]:
        raise _error("PreconditionFailed", "The precondition given in one or more of the request header fields "
                                           "evaluated to false.")


def _policy_handlers(kind: str) -> dict[str, Any]:
    noun = KINDS[kind]
    no_such = "NoSuch" + noun

    def listing(self: Any) -> ActionResult:
        wanted = self._get_param("Type")
        items = [{"Type": "custom", noun: _policy(e, noun)} for e in _store(self.backend, kind).values()]
        if kind == "cache_policy":
            items.insert(0, {"Type": "managed", noun: {**copy.deepcopy(MANAGED_CACHE), "LastModifiedTime": utcnow()}})
        items = [i for i in items if not wanted or i["Type"] == wanted]
        return ActionResult({f"{noun}List": {"MaxItems": 100, "Quantity": len(items), "Items": items}})

    def create(self: Any) -> ActionResult:
        config = self._get_param(f"{noun}Config") or {}
        store = _store(self.backend, kind)
        if any(e["config"].get("Name") == config.get("Name") for e in store.values()):
            raise _error(f"{noun}AlreadyExists", f"A {kind.replace('_', ' ')} with this name already exists.")
        entry = {"Id": str(uuid.uuid4()), "LastModifiedTime": utcnow(), "config": config, "etag": random.get_random_hex(13)}
        store[entry["Id"]] = entry
        return ActionResult({noun: _policy(entry, noun), "ETag": entry["etag"],
                             "Location": f"https://cloudfront.amazonaws.com/2020-05-31/{PATHS[kind]}/{entry['Id']}"})

    def get(self: Any) -> ActionResult:
        entry = _found_or(self, no_such)
        return ActionResult({noun: _policy(entry, noun), "ETag": entry["etag"]})

    def get_config(self: Any) -> ActionResult:
        entry = _found_or(self, no_such)
        return ActionResult({f"{noun}Config": entry["config"], "ETag": entry["etag"]})

    def update(self: Any) -> ActionResult:
        entry = _found_or(self, no_such)
        _checked(self, entry)
        entry.update(config=self._get_param(f"{noun}Config") or {}, LastModifiedTime=utcnow(),
                     etag=random.get_random_hex(13))
        return ActionResult({noun: _policy(entry, noun), "ETag": entry["etag"]})

    def delete(self: Any) -> EmptyResult:
        entry = _found_or(self, no_such)
        _checked(self, entry)
        del _store(self.backend, kind)[entry["Id"]]
        return EmptyResult()

    def _found_or(response: Any, code: str) -> dict[str, Any]:
        entry = _store(response.backend, kind).get(response._get_param("Id"))
        if entry is None:
            raise _error(code, f"The {kind.replace('_', ' ')} does not exist.")
        return entry

    plural = kind[:-1] + "ies"  # cache_policy -> cache_policies
    return {f"list_{plural}": listing, f"create_{kind}": create, f"get_{kind}": get,
            f"get_{kind}_config": get_config, f"update_{kind}": update, f"delete_{kind}": delete}


# -- function stages ---------------------------------------------------------------------------

def _function(response: Any) -> Any:
    return response.backend.describe_function(response._get_param("Name"))


def _stage_of(function: Any, stage: str | None) -> dict[str, Any]:
    """A function's summary as one stage has it (LIVE: NoSuchFunctionExists until published)."""
    live = function.__dict__.get("_gitsnap_live")
    if stage == "LIVE":
        if live is None:
            raise NoSuchFunctionExists(function.name)
        config, meta = live["config"], {"Stage": "LIVE", "LastModifiedTime": live["time"]}
    else:
        config, meta = function.config, {"Stage": "DEVELOPMENT", "LastModifiedTime": function.last_modified_time}
    return {"Name": function.name, "Status": "UNASSOCIATED" if live else function.status, "FunctionConfig": config,
            "FunctionMetadata": {"FunctionARN": function.arn, "CreatedTime": function.created_time, **meta}}


def describe_function(self: Any) -> ActionResult:
    function = _function(self)
    stage = self._get_param("Stage")
    live = function.__dict__.get("_gitsnap_live")
    etag = live["etag"] if stage == "LIVE" and live else function.etag
    return ActionResult({"FunctionSummary": _stage_of(function, stage), "ETag": etag})


def get_function(self: Any) -> ActionResult:
    function = _function(self)
    stage = self._get_param("Stage")
    _stage_of(function, stage)  # LIVE of an unpublished function: not found
    live = function.__dict__.get("_gitsnap_live")
    code = live["code"] if stage == "LIVE" else function.code
    return ActionResult({"FunctionCode": code, "ETag": live["etag"] if stage == "LIVE" else function.etag,
                         "ContentType": "application/octet-stream"})


def list_functions(self: Any) -> ActionResult:
    stage = self._get_param("Stage")
    items = []
    for function in self.backend.functions.values():
        if stage in (None, "DEVELOPMENT"):
            items.append(_stage_of(function, "DEVELOPMENT"))
        if stage in (None, "LIVE") and function.__dict__.get("_gitsnap_live"):
            items.append(_stage_of(function, "LIVE"))
    return ActionResult({"FunctionList": {"MaxItems": 100, "Quantity": len(items), "Items": items}})


def update_function(self: Any) -> ActionResult:
    function = _function(self)
    if self._get_param("IfMatch") != function.etag:
        raise InvalidIfMatchVersion()
    function.config = self._get_param("FunctionConfig") or {}
    function.code = self._get_param("FunctionCode")
    function.last_modified_time = utcnow()
    function.etag = random.get_random_hex(13)
    return ActionResult({"FunctionSummary": _stage_of(function, "DEVELOPMENT"), "ETag": function.etag})


def publish_function(self: Any) -> ActionResult:
    function = _function(self)
    if self._get_param("IfMatch") != function.etag:
        raise InvalidIfMatchVersion()
    function.__dict__["_gitsnap_live"] = {"config": copy.deepcopy(function.config), "code": function.code,
                                          "time": utcnow(), "etag": random.get_random_hex(13)}
    return ActionResult({"FunctionSummary": _stage_of(function, "LIVE")})


def install() -> None:
    """Add the policies and function stages to moto's CloudFront (once; before it serves)."""
    global _installed
    with _lock:
        if _installed:
            return
        for kind, path in PATHS.items():
            for name, handler in _policy_handlers(kind).items():
                setattr(CloudFrontResponse, name, handler)
            urls.url_paths[f"{{0}}/2020-05-31/{path}$"] = CloudFrontResponse.dispatch
            urls.url_paths[f"{{0}}/2020-05-31/{path}/(?P<policy_id>[^/]+)$"] = CloudFrontResponse.dispatch
            urls.url_paths[f"{{0}}/2020-05-31/{path}/(?P<policy_id>[^/]+)/config$"] = CloudFrontResponse.dispatch
        urls.url_paths["{0}/2020-05-31/function/(?P<function_name>[^/]+)/publish$"] = CloudFrontResponse.dispatch
        for handler in (describe_function, get_function, list_functions, update_function, publish_function):
            setattr(CloudFrontResponse, handler.__name__, handler)
        _installed = True
