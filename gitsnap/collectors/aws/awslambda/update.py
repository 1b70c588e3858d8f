"""Restore a function that exists live and differs: code, configuration, concurrency, aliases,
resource policies (the function's and each alias's), URL configs and tags.

Each write that starts a Lambda update (code, configuration) waits for it to finish before the
next step, and carries the ``RevisionId`` it read. Redacted values are never written: an
unchanged secret is sent as live has it, a changed one as its fingerprint, which the client hook
opens with the identity (without it: ``needs-identity``). Published versions are immutable: one
deleted since the snapshot cannot be published again under its number (said, not done).
"""

from __future__ import annotations

from typing import Any

from ....secrets.fingerprint import is_redacted
from ...restoring import IDENTITY_HINT, NEEDS_IDENTITY, Operation, RestoreContext, RestoreError
from .common import Layers, both, guarded, revision, settled, shown
from .urls import plan_url_configs

# Configuration fields whose read shape is the write shape (UpdateFunctionConfiguration)
CONFIG_FIELDS = ("Timeout", "MemorySize", "Runtime", "Handler", "Description", "Role", "TracingConfig",
                 "EphemeralStorage", "DeadLetterConfig", "KMSKeyArn", "FileSystemConfigs", "LoggingConfig")
# read-only or written elsewhere (the code update, Layers and Environment below)
DERIVED = frozenset({"FunctionName", "FunctionArn", "CodeSize", "CodeSha256", "Version", "MasterArn", "Layers",
                     "Environment", "VpcConfig", "SnapStart", "ImageConfigResponse", "RuntimeVersionConfig"})

PERMISSIONS = ("lambda:GetFunctionConfiguration", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
               "lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency", "lambda:CreateAlias",
               "lambda:UpdateAlias", "lambda:DeleteAlias", "lambda:AddPermission", "lambda:RemovePermission",
               "lambda:CreateFunctionUrlConfig", "lambda:UpdateFunctionUrlConfig", "lambda:DeleteFunctionUrlConfig",
               "lambda:TagResource", "lambda:UntagResource", "lambda:ListLayerVersions", "lambda:GetLayerVersion")


def config_params(config: dict[str, Any]) -> dict[str, Any]:
    """The request fields (Create/UpdateFunctionConfiguration) a read configuration gives. Pure."""
    out = {f: config[f] for f in CONFIG_FIELDS if config.get(f) is not None}
    vpc = config.get("VpcConfig") or {}
    if vpc.get("SubnetIds") or vpc.get("SecurityGroupIds"):
        out["VpcConfig"] = {k: vpc[k] for k in ("SubnetIds", "SecurityGroupIds", "Ipv6AllowedForDualStack") if k in vpc}
    if (config.get("SnapStart") or {}).get("ApplyOn") not in (None, "None"):
        out["SnapStart"] = {"ApplyOn": config["SnapStart"]["ApplyOn"]}
    image = (config.get("ImageConfigResponse") or {}).get("ImageConfig")
    if image:
        out["ImageConfig"] = image
    return out


def plan_code(ctx: RestoreContext, address: str, name: str, want: dict[str, Any], have: dict[str, Any],
              lam: Any) -> list[Operation]:
    code = want.get("Code") or {}
    if code.get("sha256") == (have.get("Code") or {}).get("sha256"):
        return []
    sealed = bool(code.get("sealed"))
    if not sealed and (not code.get("blob") or not ctx.store.has(code["blob"])):
        raise RestoreError(f"{address}: the snapshot's code package is missing from the repository; run 'gitsnap verify'")

    def update_code() -> None:
        package = (ctx.reveal.body(code["sha256"], f"{address} code package") if sealed
                   else ctx.store.read(code["blob"]))
        guard = revision(settled(ctx, lam, address, name))
        guarded(address, lam.update_function_code, FunctionName=name, ZipFile=package, **guard)
        settled(ctx, lam, address, name, after="the code update")

    target = f"lambda/{name}"
    if sealed and not ctx.reveal.available:
        return [Operation(address, NEEDS_IDENTITY, target, f"the code package is sealed; {IDENTITY_HINT}")]
    return [Operation(address, "update-code", target,
                      f"package {code['sha256'][:12]} ({code['size']} B){' sealed' if sealed else ''}", run=update_code)]


def _env_ops(ctx: RestoreContext, address: str, want_env: dict[str, Any], have_env: dict[str, Any]) -> list[Operation]:
    ops = []
    for var in sorted(set(want_env) | set(have_env)):
        target = f"Configuration.Environment.Variables.{var}"
        w, h = want_env.get(var), have_env.get(var)
        if w == h:
            continue
        if w is None:
            ops.append(Operation(address, "update", target, "removed (--delete)") if ctx.delete
                       else Operation(address, "kept", target, "live only; --delete removes it"))
        elif is_redacted(w) and not ctx.reveal.available:
            ops.append(Operation(address, NEEDS_IDENTITY, target, IDENTITY_HINT))
        elif is_redacted(w):
            ops.append(Operation(address, "update", target, "the sealed value" + (" (absent live)" if h is None else "")))
        else:
            ops.append(Operation(address, "update", target, f"{shown(h)} -> {shown(w)}"))
    return ops


def plan_configuration(ctx: RestoreContext, address: str, name: str, want: dict[str, Any], have: dict[str, Any],
                       lam: Any) -> list[Operation]:
    wc, hc = want["Configuration"], have["Configuration"]
    wp, hp = config_params(wc), config_params(hc)
    ops: list[Operation] = []
    fields = {f: v for f, v in wp.items() if v != hp.get(f)}
    for f in sorted(set(hp) - set(wp)):
        ops.append(Operation(address, "cannot-restore", f"Configuration.{f}",
                             "set live, absent in the snapshot: gitsnap does not clear it; remove it by hand"))
    for f in sorted(set(wc) | set(hc)):
        if f not in DERIVED and f not in wp and f not in hp and wc.get(f) != hc.get(f):
            ops.append(Operation(address, "cannot-restore", f"Configuration.{f}", "differs; gitsnap cannot change it"))
    layers = Layers(ctx, address, [la["Arn"] for la in wc.get("Layers") or []], want.get("LayerAddresses") or {})
    live_layers = [la["Arn"] for la in hc.get("Layers") or []]
    for why in layers.blocked:
        ops.append(Operation(address, "cannot-restore", "Configuration.Layers", why))
    change_layers = not layers.blocked and layers.wanted != live_layers and layers.planned() != live_layers
    if not layers.blocked and layers.wanted != live_layers and not change_layers:
        ops.extend(Operation(address, "cannot-restore", "Configuration.Layers", why) for why in layers.standing)
    shown_fields = {**fields, **({"Layers": layers.wanted} if change_layers else {})}
    for f, v in shown_fields.items():
        note = f" ({'; '.join(layers.notes)})" if f == "Layers" and layers.notes else ""
        ops.append(Operation(address, "update", f"Configuration.{f}", f"{shown(hc.get(f) if f != 'Layers' else live_layers)}"
                             f" -> {shown(v)}{note}"))
    want_env = (wc.get("Environment") or {}).get("Variables") or {}
    have_env = (hc.get("Environment") or {}).get("Variables") or {}
    env_ops = _env_ops(ctx, address, want_env, have_env)
    ops.extend(env_ops)

    def update_config() -> None:
        live = settled(ctx, lam, address, name)  # after a code update: its RevisionId, once it is done
        live_env = (live.get("Environment") or {}).get("Variables") or {}
        # an unchanged secret is sent as live has it; a changed one as its fingerprint, which the
        # reveal hook opens with the identity
        env = {k: (live_env[k] if is_redacted(v) and have_env.get(k) == v and k in live_env else v)
               for k, v in want_env.items()}
        if not ctx.delete:
            env.update({k: v for k, v in live_env.items() if k not in want_env})
        params: dict[str, Any] = dict(fields)
        if change_layers:
            params["Layers"] = layers.arns(lam)
        params["Environment"] = {"Variables": env}
        guarded(address, lam.update_function_configuration, FunctionName=name, **revision(live), **params)
        settled(ctx, lam, address, name, after="the configuration update")  # before aliases and the rest

    updates = [op for op in ops if op.verb == "update"]
    if updates:
        updates[0].run = update_config
    return ops


def plan_function(ctx: RestoreContext, address: str) -> list[Operation]:
    """Code, then configuration, then concurrency, aliases, policies, URLs and tags."""
    want, have = both(ctx, address, "it does not exist live")
    lam = ctx.client("lambda", address)
    name = want["Configuration"]["FunctionName"]
    ops = plan_code(ctx, address, name, want, have, lam)
    ops.extend(plan_configuration(ctx, address, name, want, have, lam))
    if want.get("ReservedConcurrency") != have.get("ReservedConcurrency"):
        n = want.get("ReservedConcurrency")
        ops.append(Operation(address, "update", "ReservedConcurrency", f"{have.get('ReservedConcurrency')} -> {n}",
                             run=(lambda: lam.delete_function_concurrency(FunctionName=name)) if n is None else
                             (lambda: lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=n))))
    live_versions = {str(v.get("Version")) for v in have.get("Versions") or []}
    ops.extend(plan_aliases(ctx, address, name, want.get("Aliases") or [], have.get("Aliases") or [], live_versions))
    ops.extend(plan_policy(ctx, address, name, want.get("Policy"), have.get("Policy")))
    for alias, policy in sorted((want.get("AliasPolicies") or {}).items()):
        ops.extend(plan_policy(ctx, address, name, policy, (have.get("AliasPolicies") or {}).get(alias), alias))
    for alias, policy in sorted((have.get("AliasPolicies") or {}).items()):
        if alias not in (want.get("AliasPolicies") or {}):
            ops.extend(plan_policy(ctx, address, name, None, policy, alias))
    ops.extend(plan_url_configs(ctx, address, name, want.get("UrlConfigs") or {}, have.get("UrlConfigs") or {}))
    ops.extend(plan_tags(ctx, address, have["Configuration"]["FunctionArn"], want.get("Tags") or {},
                         have.get("Tags") or {}))
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
            ops.append(Operation(address, "cannot-restore", f"Versions.{number}",
                                 "deleted since the snapshot; a version number cannot be published again"))
        elif w[number] != h[number]:
            ops.append(Operation(address, "cannot-restore", f"Versions.{number}",
                                 "differs, and a published version cannot be changed"))
    return ops


def missing_versions(alias: dict[str, Any], live_versions: set[str]) -> list[str]:
    """The versions an alias points at (its own and its routing's) that live does not have. Pure."""
    wanted = [str(alias.get("FunctionVersion")),
              *((alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {})]
    return [v for v in wanted if v != "$LATEST" and v not in live_versions]


def alias_params(name: str, alias: dict[str, Any]) -> dict[str, Any]:
    params = {"FunctionName": name, "Name": alias["Name"], "FunctionVersion": alias["FunctionVersion"],
              "Description": alias.get("Description", "")}
    if alias.get("RoutingConfig"):
        params["RoutingConfig"] = alias["RoutingConfig"]
    return params


def plan_aliases(ctx: RestoreContext, address: str, name: str, want: list[Any], have: list[Any],
                 live_versions: set[str] | None = None) -> list[Operation]:
    """Aliases point back at the snapshot's versions (one that no longer exists cannot be)."""
    lam = ctx.client("lambda", address)
    w, h = {a["Name"]: a for a in want}, {a["Name"]: a for a in have}
    ops = []
    fields = ("FunctionVersion", "Description", "RoutingConfig")
    for alias in sorted(set(w) | set(h)):
        target = f"Aliases.{alias}"
        if alias in w and (alias not in h or any(w[alias].get(f) != h[alias].get(f) for f in fields)):
            gone = missing_versions(w[alias], live_versions) if live_versions is not None else []
            if gone:
                ops.append(Operation(address, "cannot-restore", target,
                                     f"points at version {', '.join(gone)}, which no longer exists (a version "
                                     "cannot be published again under its number): point it by hand"))
                continue
            method = lam.update_alias if alias in h else lam.create_alias
            params = alias_params(name, w[alias])
            was = h.get(alias, {}).get("FunctionVersion")
            ops.append(Operation(address, "update" if alias in h else "create", target,
                                 f"version {was} -> {w[alias]['FunctionVersion']}" if alias in h
                                 else f"-> version {w[alias]['FunctionVersion']}",
                                 run=lambda m=method, p=params: m(**p)))
        elif alias not in w:
            ops.append(Operation(address, "delete", target, run=lambda a=alias: lam.delete_alias(FunctionName=name, Name=a))
                       if ctx.delete else Operation(address, "kept", target, "live only; --delete removes it"))
    return ops


def plan_policy(ctx: RestoreContext, address: str, name: str, want: Any, have: Any,
                qualifier: str | None = None) -> list[Operation]:
    """A resource policy (the function's, or an alias's), statement by statement (AddPermission /
    RemovePermission by Sid)."""
    lam = ctx.client("lambda", address)
    w = {s["Sid"]: s for s in (want or {}).get("Statement", [])}
    h = {s["Sid"]: s for s in (have or {}).get("Statement", [])}
    q = {"Qualifier": qualifier} if qualifier else {}
    prefix = f"AliasPolicies.{qualifier}" if qualifier else "Policy"
    ops = []
    for sid in sorted(set(w) | set(h)):
        target = f"{prefix}.{sid}"
        if sid in w and w[sid] != h.get(sid):
            params = permission_params(name, w[sid])
            if params is None:
                ops.append(Operation(address, "cannot-restore", target, "a statement shape AddPermission cannot express"))
                continue

            full = {**params, **q}

            def put(p: dict[str, Any] = full, replace: bool = sid in h, s: str = sid) -> None:
                if replace:
                    lam.remove_permission(FunctionName=name, StatementId=s, **q)
                lam.add_permission(**p)

            ops.append(Operation(address, "put", target, "changed" if sid in h else "added", run=put))
        elif sid not in w:
            ops.append(Operation(address, "delete", target,
                                 run=lambda s=sid: lam.remove_permission(FunctionName=name, StatementId=s, **q))
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
    url_auth = (cond.get("StringEquals") or {}).get("lambda:FunctionUrlAuthType")
    if arn:
        params["SourceArn"] = arn
    if account:
        params["SourceAccount"] = account
    if url_auth:
        params["FunctionUrlAuthType"] = url_auth
    return params


def plan_tags(ctx: RestoreContext, address: str, arn: str, want: dict[str, str], have: dict[str, str]) -> list[Operation]:
    """Tags set back (TagResource), and live-only ones removed with --delete (UntagResource)."""
    lam = ctx.client("lambda", address)
    put = {k: v for k, v in want.items() if have.get(k) != v}
    extra = sorted(k for k in have if k not in want)
    ops = []
    if put:
        ops.append(Operation(address, "put", "Tags", ", ".join(f"{k}={shown(v)}" for k, v in sorted(put.items())),
                             run=lambda: lam.tag_resource(Resource=arn, Tags=put)))
    for key in extra:
        ops.append(Operation(address, "delete", f"Tags.{key}", run=lambda k=key: lam.untag_resource(Resource=arn, TagKeys=[k]))
                   if ctx.delete else Operation(address, "kept", f"Tags.{key}", "live only; --delete removes it"))
    return ops
