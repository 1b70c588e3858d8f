"""Restore CloudFront distributions, Lambda functions and Route53 record sets.

Each uses the service's own guard at apply time: CloudFront ``IfMatch`` with a fresh ETag,
Lambda ``RevisionId``. Redacted values are never written: the live value is kept (and a
value the snapshot has but live does not cannot be restored, and is reported).
"""

from __future__ import annotations

import copy
from typing import Any

import botocore.exceptions as bx

from ..collectors.aws.clients import error_code
from ..diff import diff_documents
from ..render import value
from ..secrets.fingerprint import is_redacted
from .ops import NEEDS_IDENTITY, Operation, RestoreContext, RestoreError, Unrestorable
from .reveal import IDENTITY_HINT

STALE = ("PreconditionFailed", "PreconditionFailedException", "InvalidIfMatchVersion")


def both(ctx: RestoreContext, address: str, missing: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The snapshot's and the live document of a resource, or Unrestorable saying why not."""
    want, have = ctx.snapshot.document(address), ctx.live.document(address)
    if want is None or have is None:
        raise Unrestorable(Operation(address, "cannot-restore", address, missing))
    return want, have


def _guarded(what: str, fn: Any, **kw: Any) -> Any:
    try:
        return fn(**kw)
    except bx.ClientError as exc:
        if error_code(exc) in STALE:
            raise RestoreError(f"{what} changed after the plan was made (the service refused the stale "
                               "version); nothing more was applied: plan again") from exc
        raise


# -- CloudFront ------------------------------------------------------------------------------

def _headers(config: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(o["Id"], h["HeaderName"]): h["HeaderValue"]
            for o in config.get("Origins", {}).get("Items", [])
            for h in (o.get("CustomHeaders") or {}).get("Items", [])}


def merge_origin_secrets(config: dict[str, Any], live_raw: dict[str, Any], live_seen: dict[str, Any]) -> None:
    """Where the snapshot's fingerprint equals live's (the secret did not change), send the live
    value itself; other fingerprints stay, for the reveal hook to open (or refuse)."""
    raw, seen = _headers(live_raw), _headers(live_seen)
    for origin in config.get("Origins", {}).get("Items", []):
        for h in (origin.get("CustomHeaders") or {}).get("Items", []):
            key = (origin["Id"], h["HeaderName"])
            if is_redacted(h["HeaderValue"]) and seen.get(key) == h["HeaderValue"] and key in raw:
                h["HeaderValue"] = raw[key]


def plan_distribution(ctx: RestoreContext, address: str) -> list[Operation]:
    want, have = both(ctx, address, "it does not exist live; gitsnap does not create distributions")
    cf = ctx.account.client("cloudfront")
    dist_id = want["Id"]
    changes = diff_documents(address, have.get("DistributionConfig"), want.get("DistributionConfig"))
    ops: list[Operation] = []

    def apply() -> None:
        got = cf.get_distribution_config(Id=dist_id)  # a fresh ETag for IfMatch
        config = copy.deepcopy(want["DistributionConfig"])
        merge_origin_secrets(config, got["DistributionConfig"], have["DistributionConfig"])
        _guarded(address, cf.update_distribution, Id=dist_id, IfMatch=got["ETag"], DistributionConfig=config)

    for ch in changes:
        target = f"DistributionConfig.{ch.path}"
        if ch.redacted and not ctx.reveal.available:
            ops.append(Operation(address, NEEDS_IDENTITY, target, IDENTITY_HINT))
        elif ch.redacted:
            ops.append(Operation(address, "update", target, "the sealed value (differs live)"))
        else:
            ops.append(Operation(address, "update", target, f"{value(ch.old)} -> {value(ch.new)}"))
    updates = [op for op in ops if op.verb == "update"]
    if updates:
        updates[0].run = apply
    if want.get("Tags") != have.get("Tags"):
        ops.append(Operation(address, "not-restorable-yet", "Tags", "differ; restore them by hand"))
    return ops


# -- Lambda ----------------------------------------------------------------------------------

def revision(config: dict[str, Any]) -> dict[str, str]:
    """The RevisionId guard, when the service returns one (AWS does; moto's server does not)."""
    return {"RevisionId": config["RevisionId"]} if config.get("RevisionId") else {}


CONFIG_FIELDS = ("Timeout", "MemorySize", "Runtime", "Handler", "Description", "Role", "TracingConfig",
                 "EphemeralStorage")


def plan_function(ctx: RestoreContext, address: str) -> list[Operation]:
    want, have = both(ctx, address, "it does not exist live; gitsnap does not create functions")
    lam = ctx.account.client("lambda")
    name = want["Configuration"]["FunctionName"]
    ops: list[Operation] = []
    code = want.get("Code") or {}
    if code.get("sha256") != (have.get("Code") or {}).get("sha256"):
        sealed = bool(code.get("sealed"))
        if not sealed and (not code.get("blob") or not ctx.store.has(code["blob"])):
            raise RestoreError(f"{address}: the snapshot's code package is missing from the repository; run 'gitsnap verify'")

        def update_code() -> None:
            package = (ctx.reveal.body(code["sha256"], f"{address} code package") if sealed
                       else ctx.store.read(code["blob"]))
            guard = revision(lam.get_function_configuration(FunctionName=name))
            _guarded(address, lam.update_function_code, FunctionName=name, ZipFile=package, **guard)

        target = f"lambda/{name}"
        if sealed and not ctx.reveal.available:
            ops.append(Operation(address, NEEDS_IDENTITY, target, f"the code package is sealed; {IDENTITY_HINT}"))
        else:
            ops.append(Operation(address, "update-code", target,
                                 f"package {code['sha256'][:12]} ({code['size']} B){' sealed' if sealed else ''}",
                                 run=update_code))
    wc, hc = want["Configuration"], have["Configuration"]
    fields = {f: wc.get(f) for f in CONFIG_FIELDS if wc.get(f) != hc.get(f)}
    if [layer.get("Arn") for layer in wc.get("Layers") or []] != [layer.get("Arn") for layer in hc.get("Layers") or []]:
        fields["Layers"] = [layer["Arn"] for layer in wc.get("Layers") or []]
    for f, v in fields.items():
        ops.append(Operation(address, "update", f"Configuration.{f}", f"{value(hc.get(f))} -> {value(v)}"))
    want_env = (wc.get("Environment") or {}).get("Variables") or {}
    have_env = (hc.get("Environment") or {}).get("Variables") or {}
    env_changed = False
    for var in sorted(set(want_env) | set(have_env)):
        target = f"Configuration.Environment.Variables.{var}"
        w, h = want_env.get(var), have_env.get(var)
        if w == h:
            continue
        if w is None:
            if ctx.delete:
                ops.append(Operation(address, "update", target, "removed (--delete)"))
                env_changed = True
            else:
                ops.append(Operation(address, "kept", target, "live only; --delete removes it"))
        elif is_redacted(w) and not ctx.reveal.available:
            ops.append(Operation(address, NEEDS_IDENTITY, target, IDENTITY_HINT))
        elif is_redacted(w):
            ops.append(Operation(address, "update", target, "the sealed value" + (" (absent live)" if h is None else "")))
            env_changed = True
        else:
            ops.append(Operation(address, "update", target, f"{value(h)} -> {value(w)}"))
            env_changed = True

    def update_config() -> None:
        live = lam.get_function_configuration(FunctionName=name)
        live_env = (live.get("Environment") or {}).get("Variables") or {}
        # an unchanged secret is sent as live has it; a changed one as its fingerprint, which the
        # reveal hook opens with the identity
        env = {k: (live_env[k] if is_redacted(v) and have_env.get(k) == v and k in live_env else v)
               for k, v in want_env.items()}
        if not ctx.delete:
            env.update({k: v for k, v in live_env.items() if k not in want_env})
        params: dict[str, Any] = {k: v for k, v in fields.items()}
        params["Environment"] = {"Variables": env}
        _guarded(address, lam.update_function_configuration, FunctionName=name, **revision(live), **params)

    updates = [op for op in ops if op.verb == "update"]
    if updates and (fields or env_changed):
        updates[0].run = update_config
    if want.get("ReservedConcurrency") != have.get("ReservedConcurrency"):
        n = want.get("ReservedConcurrency")
        ops.append(Operation(address, "update", "ReservedConcurrency", f"{have.get('ReservedConcurrency')} -> {n}",
                             run=(lambda: lam.delete_function_concurrency(FunctionName=name)) if n is None else
                             (lambda: lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=n))))
    ops.extend(plan_aliases(ctx, address, name, want.get("Aliases") or [], have.get("Aliases") or []))
    ops.extend(plan_policy(ctx, address, name, want.get("Policy"), have.get("Policy")))
    for part in ("EventSourceMappings", "Tags"):
        if want.get(part) != have.get(part):
            ops.append(Operation(address, "not-restorable-yet", part, "differs; restore it by hand"))
    ops.extend(plan_versions(address, want.get("Versions") or [], have.get("Versions") or []))
    return ops


def plan_versions(address: str, want: list[Any], have: list[Any]) -> list[Operation]:
    """Published versions are immutable: one published since the snapshot is kept (it is
    live-only, like an added key), one deleted since cannot be published again under its number."""
    w, h = {v.get("Version"): v for v in want}, {v.get("Version"): v for v in have}
    ops = []
    for number in sorted(set(w) | set(h), key=lambda n: (len(str(n)), str(n))):
        if number not in w:
            ops.append(Operation(address, "kept", f"Versions.{number}", "published since the snapshot (live only)"))
        elif number not in h:
            ops.append(Operation(address, "not-restorable-yet", f"Versions.{number}",
                                 "deleted since the snapshot; a version number cannot be published again"))
        elif w[number] != h[number]:
            ops.append(Operation(address, "not-restorable-yet", f"Versions.{number}", "differs; restore it by hand"))
    return ops


def plan_aliases(ctx: RestoreContext, address: str, name: str, want: list[Any], have: list[Any]) -> list[Operation]:
    """Aliases point back at the snapshot's versions (a version that no longer exists cannot be)."""
    lam = ctx.account.client("lambda")
    w, h = {a["Name"]: a for a in want}, {a["Name"]: a for a in have}
    ops = []
    fields = ("FunctionVersion", "Description", "RoutingConfig")
    for alias in sorted(set(w) | set(h)):
        target = f"Aliases.{alias}"
        if alias in w and (alias not in h or any(w[alias].get(f) != h[alias].get(f) for f in fields)):
            params = {"FunctionName": name, "Name": alias, "FunctionVersion": w[alias]["FunctionVersion"],
                      "Description": w[alias].get("Description", "")}
            if w[alias].get("RoutingConfig"):
                params["RoutingConfig"] = w[alias]["RoutingConfig"]
            method = lam.update_alias if alias in h else lam.create_alias
            was = h.get(alias, {}).get("FunctionVersion")
            ops.append(Operation(address, "update", target, f"version {was} -> {w[alias]['FunctionVersion']}",
                                 run=lambda m=method, p=params: m(**p)))
        elif alias not in w:
            ops.append(Operation(address, "delete", target, run=lambda a=alias: lam.delete_alias(FunctionName=name, Name=a))
                       if ctx.delete else Operation(address, "kept", target, "live only; --delete removes it"))
    return ops


def plan_policy(ctx: RestoreContext, address: str, name: str, want: Any, have: Any) -> list[Operation]:
    """The resource policy, statement by statement (AddPermission / RemovePermission by Sid)."""
    lam = ctx.account.client("lambda")
    w = {s["Sid"]: s for s in (want or {}).get("Statement", [])}
    h = {s["Sid"]: s for s in (have or {}).get("Statement", [])}
    ops = []
    for sid in sorted(set(w) | set(h)):
        target = f"Policy.{sid}"
        if sid in w and w[sid] != h.get(sid):
            params = permission_params(name, w[sid])
            if params is None:
                ops.append(Operation(address, "not-restorable-yet", target, "a statement shape AddPermission cannot express"))
                continue

            def put(p: dict[str, Any] = params, replace: bool = sid in h, s: str = sid) -> None:
                if replace:
                    lam.remove_permission(FunctionName=name, StatementId=s)
                lam.add_permission(**p)

            ops.append(Operation(address, "put", target, "changed" if sid in h else "added", run=put))
        elif sid not in w:
            ops.append(Operation(address, "delete", target,
                                 run=lambda s=sid: lam.remove_permission(FunctionName=name, StatementId=s))
                       if ctx.delete else Operation(address, "kept", target, "live only; --delete removes it"))
    return ops


def permission_params(name: str, statement: dict[str, Any]) -> dict[str, Any] | None:
    """AddPermission's parameters for one policy statement, or None if it has another shape. Pure."""
    principal = statement.get("Principal")
    principal = principal.get("Service") or principal.get("AWS") if isinstance(principal, dict) else principal
    action = statement.get("Action")
    if not isinstance(principal, str) or not isinstance(action, str):
        return None
    params: dict[str, Any] = {"FunctionName": name, "StatementId": statement["Sid"], "Action": action,
                              "Principal": principal}
    cond = statement.get("Condition") or {}
    arn = (cond.get("ArnLike") or {}).get("AWS:SourceArn")
    account = (cond.get("StringEquals") or {}).get("AWS:SourceAccount")
    if arn:
        params["SourceArn"] = arn
    if account:
        params["SourceAccount"] = account
    return params


# -- Route53 ---------------------------------------------------------------------------------

BATCH = 500


def _key(rr: dict[str, Any]) -> tuple[str, str, str]:
    return (rr["Name"], rr["Type"], rr.get("SetIdentifier", ""))


def plan_zone(ctx: RestoreContext, address: str) -> list[Operation]:
    want, have = both(ctx, address, "the zone does not exist live; gitsnap does not create zones")
    apex = want["Name"]
    wanted = {_key(r): r for r in want["RecordSets"]}
    present = {_key(r): r for r in have["RecordSets"]}
    changes, ops = [], []
    for key in sorted(set(wanted) | set(present)):
        name, rtype, _ = key
        target = f"{name} {rtype}" + (f" ({key[2]})" if key[2] else "")
        if name == apex and rtype in ("SOA", "NS"):
            continue  # the zone's own delegation: never touched
        w, h = wanted.get(key), present.get(key)
        if w is not None and w != h:
            changes.append({"Action": "UPSERT", "ResourceRecordSet": w})
            ops.append(Operation(address, "upsert", target, "" if h is None else "(differs)"))
        elif w is None and h is not None:
            if ctx.delete:
                changes.append({"Action": "DELETE", "ResourceRecordSet": h})
                ops.append(Operation(address, "delete", target))
            else:
                ops.append(Operation(address, "kept", target, "(live only; --delete removes it)"))
    if changes:
        r53 = ctx.account.client("route53")
        zone_id = have["Id"]

        def apply() -> None:
            for i in range(0, len(changes), BATCH):
                r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={
                    "Comment": "gitsnap restore", "Changes": changes[i:i + BATCH]})

        next(op for op in ops if op.verb in ("upsert", "delete")).run = apply
    return ops


RESTORERS = {
    ("cloudfront", "distribution"): plan_distribution,
    ("lambda", "function"): plan_function,
    ("route53", "zone"): plan_zone,
}
