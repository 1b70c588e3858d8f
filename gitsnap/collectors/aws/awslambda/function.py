"""Lambda functions: configuration, code (zip blob + extracted source), resource policies
(the function's and each alias's), aliases, versions, URL configs, concurrency and tags.

The execution role is referred to, not copied: the document keeps ``Configuration.Role``
(the ARN) and gains ``RoleAddress`` (``iam/role/NAME``, the IAM collector's address for it),
so one IAM change shows once, on the role, not on every function sharing it. Layers likewise:
``Configuration.Layers`` keeps the versioned ARNs, and ``LayerAddresses`` maps each ARN of a
layer in the function's own account and region to the layer's address (``lambda/layer/NAME``).

Environment values are secrets (fingerprinted by the engine) unless listed in
``[aws.lambda] keep_env``. Layers are merged in list order (a later layer's files win), and a
container image's entry point and command are argument lists: those lists are ``ordered``.
The pre-signed ``Code.Location`` is fetched at once (it expires in minutes) and never stored;
the package is checked against ``Configuration.CodeSize`` and ``CodeSha256`` first.
"""

from __future__ import annotations

import json
from typing import Any

from ....layout import segment
from ...context import UnitContext
from ...errors import CollectorError
from ...run import call
from ...spec import Call, Detail, Extras, Raw, ResourceType, Restorer
from ..iam import ROLE, policy_json
from . import create, update
from .package import Download, fetch_package, reusable

NOT_FOUND = ("ResourceNotFoundException",)
LATEST = "$LATEST"  # UrlConfigs key of the unqualified function's URL


def _fn(r: Raw) -> dict[str, str]:
    return {"FunctionName": r["FunctionName"]}


# the identity read; an answer without its Configuration is not a function's state
GET_FUNCTION = Call("get_function", params=_fn, identity=True,
                    required=("Configuration", "Configuration.FunctionArn", "Configuration.Role",
                              "Configuration.CodeSha256"))


def role_address(arn: str | None) -> str | None:
    """The IAM collector's address of the role an ARN names (a role's path is not part of
    its name, and names are unique in an account). Pure."""
    return ROLE.address(arn.rsplit("/", 1)[-1]) if arn else None


def layer_address(layer_arn: str, function_arn: str) -> str | None:
    """``lambda/layer/NAME`` for a layer version ARN in the function's own account and region
    (a layer elsewhere, an AWS-published one, is not captured here: None). Pure."""
    parts = layer_arn.split(":")
    fn = function_arn.split(":")
    if len(parts) < 7 or parts[5] != "layer" or len(fn) < 5 or parts[3:5] != fn[3:5]:
        return None
    return f"lambda/layer/{parts[6]}"


def _qualifier(resource: Any, function_arn: str) -> str | None:
    if isinstance(resource, str) and function_arn and resource.startswith(function_arn + ":"):
        return resource[len(function_arn) + 1:]
    return None


def split_policies(policy: Any, alias_policies: dict[str, Any], function_arn: str) -> tuple[Any, dict[str, Any]]:
    """The function's own policy and each alias's, each statement under the qualifier its
    ``Resource`` names (an endpoint that answers an alias's GetPolicy with the function's whole
    policy, as the local one does, then still gives each statement once, where it applies). Pure."""
    base = policy_json(policy)
    found: dict[str | None, dict[str, Any]] = {}
    heads: dict[str | None, dict[str, Any]] = {}
    sources = [(None, base), *((a, policy_json(p)) for a, p in sorted(alias_policies.items()))]
    for _source, doc in sources:
        if not isinstance(doc, dict):
            continue
        for st in doc.get("Statement") or []:
            qualifier = _qualifier(st.get("Resource"), function_arn)
            key = qualifier if qualifier in alias_policies else None
            heads.setdefault(key, {k: v for k, v in doc.items() if k != "Statement"})
            found.setdefault(key, {})[json.dumps(st, sort_keys=True)] = st
    def shaped(key: str | None) -> dict[str, Any]:
        stmts = sorted(found[key].values(), key=lambda s: (str(s.get("Sid", "")), json.dumps(s, sort_keys=True)))
        return {**heads[key], "Statement": stmts}
    own = shaped(None) if None in found else (base if isinstance(base, dict) and not base.get("Statement") else None)
    return own, {a: shaped(a) for a in sorted(k for k in found if k is not None)}


def fetch_alias_policies(ctx: UnitContext, raw: Raw) -> Any:
    """Each alias's resource policy (GetPolicy with the alias as qualifier); aliases without one
    are left out."""
    out = {}
    for alias in raw.get("Aliases") or []:
        name = alias["Name"]
        got = call(ctx, FUNCTION, Call("get_policy", params=lambda r, a=name: {**_fn(r), "Qualifier": a},
                                       result="Policy", absent=NOT_FOUND, required=("Policy",),
                                       documents=("Policy",)), raw, f"lambda/{raw['FunctionName']}")
        if got is not None:
            out[name] = got
    return out


URL_FIELDS = ("AuthType", "Cors", "InvokeMode", "FunctionUrl")


def fetch_url_configs(ctx: UnitContext, raw: Raw) -> Any:
    """The function URL of the unqualified function and of each alias (a URL cannot be on a
    version). An answer for an alias whose ``FunctionArn`` is not the alias's is not the alias's
    URL (an endpoint that ignores the qualifier gives the function's): left out."""
    out = {}
    fn_arn = ((raw.get("Function") or {}).get("Configuration") or {}).get("FunctionArn", "")
    for qualifier in [None, *(a["Name"] for a in raw.get("Aliases") or [])]:
        params = (lambda r, q=qualifier: {**_fn(r), "Qualifier": q}) if qualifier else _fn
        got = call(ctx, FUNCTION, Call("get_function_url_config", params=params, absent=NOT_FOUND),
                   raw, f"lambda/{raw['FunctionName']}")
        if got is None or (qualifier and _qualifier(got.get("FunctionArn"), fn_arn) != qualifier):
            continue
        out[qualifier or LATEST] = {k: got[k] for k in URL_FIELDS if got.get(k) is not None}
    return out


def transform_function(raw: Raw) -> Raw:
    fn = raw.get("Function") or {}
    config = dict(fn.get("Configuration") or {})  # required by GET_FUNCTION: never the listed fields
    arn = config.get("FunctionArn", "")
    policy, alias_policies = split_policies(raw.get("Policy"), raw.get("AliasPolicies") or {}, arn)
    doc = {
        "Configuration": config,
        "Tags": fn.get("Tags") or {},
        "ReservedConcurrency": (raw.get("Concurrency") or {}).get("ReservedConcurrentExecutions"),
        "Policy": policy,
        "AliasPolicies": alias_policies,
        "Aliases": sorted(raw.get("Aliases") or [], key=lambda a: a.get("Name", "")),
        "Versions": [v for v in raw.get("Versions") or [] if v.get("Version") != LATEST],
        "UrlConfigs": raw.get("UrlConfigs") or {},
        "RoleAddress": role_address(config.get("Role")),
        "LayerAddresses": {la["Arn"]: addr for la in config.get("Layers") or []
                           if la.get("Arn") and (addr := layer_address(la["Arn"], arn))},
    }
    image = (fn.get("Code") or {}).get("ImageUri")
    if image:
        doc["ImageUri"] = image  # what CreateFunction needs for a container image function
    return doc


def reuse_code(ctx: UnitContext, doc: Raw, rid: str) -> Extras | None:
    """The previous snapshot's package and sources, if its CodeSha256 is unchanged and its
    blob is sound (reuse stands in for a download: existing is not enough)."""
    folder = f"{ctx.unit_path}/function/{segment(rid)}"
    prev_doc = ctx.previous(f"{folder}/function.json")
    if prev_doc is None:
        return None
    prev = json.loads(prev_doc)
    code = prev.get("Code") or {}
    same = prev.get("Configuration", {}).get("CodeSha256") == doc["Configuration"].get("CodeSha256")
    if not same or not reusable(ctx, code):
        return None
    files = {rel: data for rel, data in ctx.previous_dir(folder).items() if rel.startswith("source/")}
    ctx.counters.add(reused_blobs=1)
    return Extras(files=files, blobs={code["blob"]} if code.get("blob") else set(), doc_updates={"Code": code})


def fresh_location(ctx: UnitContext, raw: Raw, config: Raw, rid: str) -> str | None:
    """A new pre-signed Code.Location for the same code (GetFunction again)."""
    resp = call(ctx, FUNCTION, GET_FUNCTION, raw, f"lambda/{rid}")
    now = resp["Configuration"].get("CodeSha256")
    if now != config.get("CodeSha256"):
        raise CollectorError(f"lambda/{rid}: its code changed while it was being captured "
                             f"(CodeSha256 {config.get('CodeSha256')} -> {now}); capture again")
    return (resp.get("Code") or {}).get("Location")


def capture_code(ctx: UnitContext, raw: Raw, doc: Raw, rid: str) -> Extras:
    """Download the package from the pre-signed URL, check it, store it (sealed if any
    member holds a secret) and extract its files for readable diffs."""
    location = ((raw.get("Function") or {}).get("Code") or {}).get("Location")
    if not location:  # container image functions have no zip
        return Extras()
    reused = reuse_code(ctx, doc, rid)
    if reused is not None:
        return reused
    config = doc["Configuration"]
    code, files, skipped = fetch_package(ctx, Download(f"lambda/{rid}", config, location,
                                                       lambda: fresh_location(ctx, raw, config, rid)))
    out = {f"source/{name}": data for name, data in files.items()} if ctx.config.lambda_extract_source else {}
    if skipped and ctx.config.lambda_extract_source:
        code["NotExtracted"] = skipped
    return Extras(files=out, blobs={code["blob"]} if code.get("blob") else set(), doc_updates={"Code": code})


FUNCTION = ResourceType(
    service="lambda",
    type="function",
    scope="regional",
    client="lambda",
    list=Call("list_functions", result="Functions", paginate=True),
    id=lambda r: r["FunctionName"],
    details=(
        Detail("Function", GET_FUNCTION),
        Detail("Concurrency", Call("get_function_concurrency", params=_fn)),
        Detail("Policy", Call("get_policy", params=_fn, result="Policy", absent=NOT_FOUND,
                              required=("Policy",), documents=("Policy",))),
        Detail("Aliases", Call("list_aliases", params=_fn, result="Aliases", paginate=True)),
        Detail("Versions", Call("list_versions_by_function", params=_fn, result="Versions", paginate=True)),
        Detail("AliasPolicies", fetch=fetch_alias_policies),
        Detail("UrlConfigs", fetch=fetch_url_configs),
    ),
    transform=transform_function,
    volatile=(
        "Configuration.LastModified", "Configuration.RevisionId", "Configuration.State",
        "Configuration.StateReason", "Configuration.StateReasonCode", "Configuration.LastUpdateStatus",
        "Configuration.LastUpdateStatusReason", "Configuration.LastUpdateStatusReasonCode",
        "Versions.*.LastModified", "Versions.*.RevisionId", "Versions.*.State", "Versions.*.LastUpdateStatus",
        "Aliases.*.RevisionId",
    ),
    secrets=("**.Environment.Variables.*",),  # at any depth: a partial answer must not leak
    ordered=("Configuration.Layers", "Configuration.ImageConfigResponse.ImageConfig.EntryPoint",
             "Configuration.ImageConfigResponse.ImageConfig.Command"),
    schema="aws.lambda.function",
    document="function.json",
    extras=capture_code,
    keep_names="lambda_keep_env",
    permissions=(
        "lambda:ListFunctions", "lambda:GetFunction", "lambda:GetFunctionConcurrency", "lambda:GetPolicy",
        "lambda:ListAliases", "lambda:ListVersionsByFunction", "lambda:GetFunctionUrlConfig",
    ),
    restore=Restorer(
        update=update.plan_function,
        create=create.plan_create,
        delete=create.plan_delete,
        rank=40,
        permissions=(*update.PERMISSIONS, *create.PERMISSIONS),
        cannot_create="gitsnap cannot recreate this function",
    ),
)
