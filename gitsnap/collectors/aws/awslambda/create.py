"""Recreate a function deleted live, and delete one live only (``--delete``).

CreateFunction gets the snapshot's package (its blob; a sealed package opened with the identity),
role, runtime, handler, memory, timeout, environment (sealed values opened by the client hook),
layers, tags and the rest of its configuration; then, once the function is ``Active``, its
concurrency, aliases, resource policies and URL configs.

What cannot come back is said, not skipped: a published version cannot be published again
under its number (and only ``$LATEST``'s package is kept), so an alias that points at one cannot
be created; a URL gets a new address; an environment value of which the snapshot has only a
fingerprint (not sealed) cannot be written, and the function is then not created at all (a
function without its settings would run wrong).
"""

from __future__ import annotations

from typing import Any

from ....secrets.fingerprint import is_redacted
from ...restoring import (
    IDENTITY_HINT,
    NEEDS_IDENTITY,
    Operation,
    RestoreContext,
    RestoreError,
    Unrestorable,
)
from .common import Layers, settled, unsealed
from .update import config_params, missing_versions, plan_aliases, plan_policy
from .urls import plan_url_configs

MAX_ZIP = 50 * 1024 * 1024  # the largest package CreateFunction takes in the request (else through S3)
PERMISSIONS = ("lambda:CreateFunction", "lambda:DeleteFunction", "iam:PassRole")


def _refuse(address: str, target: str, why: str) -> Unrestorable:
    return Unrestorable(Operation(address, "cannot-restore", target, why))


def code_source(ctx: RestoreContext, address: str, want: dict[str, Any]) -> tuple[Any, list[Operation]]:
    """How to get the ``Code`` parameter at apply time, and the lines that say what blocks it."""
    if want["Configuration"].get("PackageType") == "Image":
        if not want.get("ImageUri"):
            raise _refuse(address, address, "a container image function, and the snapshot has no ImageUri "
                                             "(captured by an older gitsnap): create it by hand")
        return (lambda: {"ImageUri": want["ImageUri"]}), []
    code = want.get("Code") or {}
    if not code.get("sha256"):
        raise _refuse(address, address, "the snapshot has no code package for it: create it by hand")
    if code.get("size", 0) > MAX_ZIP:
        raise _refuse(address, address, f"its package ({code['size']} B) is over the {MAX_ZIP // 2**20} MiB "
                                         "CreateFunction takes directly: upload it through S3 by hand")
    sealed = bool(code.get("sealed"))
    if not sealed and (not code.get("blob") or not ctx.store.has(code["blob"])):
        raise RestoreError(f"{address}: the snapshot's code package is missing from the repository; run 'gitsnap verify'")

    def package() -> dict[str, bytes]:
        data = (ctx.reveal.body(code["sha256"], f"{address} code package") if sealed else ctx.store.read(code["blob"]))
        return {"ZipFile": data}

    blocked = ([Operation(address, NEEDS_IDENTITY, f"lambda/{want['Configuration']['FunctionName']}",
                          f"the code package is sealed; {IDENTITY_HINT}")]
               if sealed and not ctx.reveal.available else [])
    return package, blocked


def env_lines(ctx: RestoreContext, address: str, env: dict[str, Any]) -> list[Operation]:
    """needs-identity for each sealed value without the identity; Unrestorable for a value the
    snapshot has only a fingerprint of."""
    lines = []
    for var, value in sorted(env.items()):
        target = f"Configuration.Environment.Variables.{var}"
        if not isinstance(value, str) or not is_redacted(value):
            continue
        if unsealed(ctx, value):
            raise _refuse(address, target, "the snapshot has only its fingerprint (it was not sealed), and the "
                                           "function would run without it: create it by hand")
        if not ctx.reveal.available:
            lines.append(Operation(address, NEEDS_IDENTITY, target, IDENTITY_HINT))
    return lines


def plan_create(ctx: RestoreContext, address: str) -> list[Operation]:
    """CreateFunction, then (once it is Active) concurrency, aliases, policies and URL configs."""
    want = ctx.want(address)
    wc = want["Configuration"]
    name = wc["FunctionName"]
    lam = ctx.client("lambda", address)
    package, ops = code_source(ctx, address, want)
    env = (wc.get("Environment") or {}).get("Variables") or {}
    ops.extend(env_lines(ctx, address, env))
    layers = Layers(ctx, address, [la["Arn"] for la in wc.get("Layers") or []], want.get("LayerAddresses") or {})
    if layers.blocked:
        raise _refuse(address, "Configuration.Layers", "; ".join(layers.blocked))
    params: dict[str, Any] = {"FunctionName": name, "Publish": False, **config_params(wc)}
    for field in ("PackageType", "Architectures"):
        if wc.get(field):
            params[field] = wc[field]
    if env:
        params["Environment"] = {"Variables": env}  # fingerprints: the client hook sends the sealed values
    if want.get("Tags"):
        params["Tags"] = want["Tags"]

    def create() -> None:
        call = {**params, "Code": package()}
        if layers.wanted:
            call["Layers"] = layers.arns(lam)
        lam.create_function(**call)
        settled(ctx, lam, address, name, after="the creation")  # Active before anything is added to it

    note = f"; layers: {'; '.join(layers.notes)}" if layers.notes else ""
    code = want.get("Code") or {}
    what = want.get("ImageUri") or f"package {code.get('sha256', '')[:12]} ({code.get('size')} B)"
    ops.insert(0, Operation(address, "create", f"lambda/{name}", f"{wc.get('Runtime') or 'image'}, {what}{note}",
                            run=create))
    n = want.get("ReservedConcurrency")
    if n is not None:
        ops.append(Operation(address, "put", "ReservedConcurrency", str(n),
                             run=lambda: lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=n)))
    aliases = want.get("Aliases") or []
    ops.extend(plan_aliases(ctx, address, name, aliases, [], live_versions=set()))
    ops.extend(Operation(address, "cannot-restore", f"Versions.{v.get('Version')}",
                         "a published version cannot be published again under its number (and gitsnap keeps only "
                         "$LATEST's package): publish it by hand") for v in want.get("Versions") or [])
    creatable = {a["Name"] for a in aliases if not missing_versions(a, set())}
    ops.extend(plan_policy(ctx, address, name, want.get("Policy"), None))
    for alias, policy in sorted((want.get("AliasPolicies") or {}).items()):
        if alias in creatable:
            ops.extend(plan_policy(ctx, address, name, policy, None, alias))
        else:
            ops.append(Operation(address, "cannot-restore", f"AliasPolicies.{alias}", "its alias cannot be created"))
    urls = want.get("UrlConfigs") or {}
    for q in sorted(q for q in urls if q != "$LATEST" and q not in creatable):
        ops.append(Operation(address, "cannot-restore", f"UrlConfigs.{q}", "its alias cannot be created"))
    ops.extend(plan_url_configs(ctx, address, name, {q: c for q, c in urls.items() if q == "$LATEST" or q in creatable},
                                {}))
    return ops


def plan_delete(ctx: RestoreContext, address: str) -> list[Operation]:
    """DeleteFunction (its versions, aliases, URL configs and policy go with it; its event source
    mappings are their own resources, deleted on their own lines)."""
    name = ctx.have(address)["Configuration"]["FunctionName"]
    lam = ctx.client("lambda", address)
    return [Operation(address, "delete", f"lambda/{name}", "with its versions, aliases, URL configs and policy",
                      run=lambda: lam.delete_function(FunctionName=name))]
