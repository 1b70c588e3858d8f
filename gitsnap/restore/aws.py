"""Restore CloudFront distributions, Lambda functions and Route53 record sets.

Each uses the service's own guard at apply time: CloudFront ``IfMatch`` with a fresh ETag,
Lambda ``RevisionId``. Redacted values are never written: the live value is kept (and a
value the snapshot has but live does not cannot be restored, and is reported).

Real AWS is stricter than the local endpoint in ways that matter half-way through an apply,
so each restorer follows its rules (docs/restore.md, "On real AWS"): a Lambda write waits until
the function's ``LastUpdateStatus`` is no longer ``InProgress`` before the next one; Route53
changes go in ChangeBatches sized by what a batch may hold, with every change to one name in
one batch, deletions first.
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
    # No wait for "Deployed" before or after: CloudFront accepts UpdateDistribution (with a fresh
    # ETag) and CreateInvalidation while a distribution is InProgress, and GetDistributionConfig
    # returns the new config at once, so neither this restore's later steps nor its verify depend
    # on the edge rollout (docs/restore.md).
    cf = ctx.client("cloudfront", address)
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

class FunctionUpdateError(RestoreError):
    """A Lambda update did not complete: it failed, or was still in progress after the wait."""


def revision(config: dict[str, Any]) -> dict[str, str]:
    """The RevisionId guard, when the service returns one (AWS does; moto's server does not)."""
    return {"RevisionId": config["RevisionId"]} if config.get("RevisionId") else {}


def settled(ctx: RestoreContext, lam: Any, address: str, name: str, after: str | None = None) -> dict[str, Any]:
    """The function's configuration once no update is in progress on it.

    Real Lambda applies an update asynchronously: until ``LastUpdateStatus`` leaves
    ``InProgress`` (and, for a function still being created, ``State`` leaves ``Pending``)
    the next update is refused with ResourceConflictException. The acceptors are those of
    botocore's ``function_updated`` waiter (GetFunctionConfiguration, the call that also gives
    the RevisionId to send next), written out so that a status the endpoint does not report
    counts as settled instead of retried to the timeout, and a failure says why in one line.

    Args:
        after: what this restore just did ("the code update"); then ``Failed`` is an error.
            Without it (before a write) an earlier failed update does not block a new one.
    """
    waits = ctx.waits
    for attempt in range(waits.attempts):
        conf = lam.get_function_configuration(FunctionName=name)
        status = conf.get("LastUpdateStatus")
        if after and status == "Failed":
            why = ": ".join(str(x) for x in (conf.get("LastUpdateStatusReasonCode"),
                                              conf.get("LastUpdateStatusReason")) if x) or "no reason given"
            raise FunctionUpdateError(f"{address}: {after} of function {name} failed ({why}); the operations before "
                                      "it were applied: fix the cause, then plan again")
        if status != "InProgress" and conf.get("State") != "Pending":
            return conf
        if attempt + 1 < waits.attempts:
            waits.sleep(waits.delay)
    raise FunctionUpdateError(f"{address}: function {name} was still updating (LastUpdateStatus InProgress) after "
                              f"{waits.attempts} checks{' following ' + after if after else ''}; wait for it, then "
                              "plan again")


CONFIG_FIELDS = ("Timeout", "MemorySize", "Runtime", "Handler", "Description", "Role", "TracingConfig",
                 "EphemeralStorage")


def plan_function(ctx: RestoreContext, address: str) -> list[Operation]:
    """Code, then configuration, then concurrency, aliases and permissions: each write that
    starts a Lambda update (code, configuration) waits for it to finish before the next step."""
    want, have = both(ctx, address, "it does not exist live; gitsnap does not create functions")
    lam = ctx.client("lambda", address)
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
            guard = revision(settled(ctx, lam, address, name))
            _guarded(address, lam.update_function_code, FunctionName=name, ZipFile=package, **guard)
            settled(ctx, lam, address, name, after="the code update")

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
        live = settled(ctx, lam, address, name)  # after a code update: its RevisionId, once it is done
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
        settled(ctx, lam, address, name, after="the configuration update")  # before aliases and the rest

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
    lam = ctx.client("lambda", address)
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
    lam = ctx.client("lambda", address)
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

# What one ChangeResourceRecordSets request may hold (Route53 quotas, "Elements and characters
# in ChangeResourceRecordSets requests"): 1,000 ResourceRecord elements and 32,000 characters
# of Value elements, an UPSERT counting twice for both. Only a batch is atomic.
MAX_RECORDS = 1000
MAX_VALUE_CHARS = 32000


def _key(rr: dict[str, Any]) -> tuple[str, str, str]:
    return (rr["Name"], rr["Type"], rr.get("SetIdentifier", ""))


def change_weight(change: dict[str, Any]) -> tuple[int, int]:
    """(ResourceRecord elements, Value characters) a change counts for in its batch. Pure.

    An alias record has no ResourceRecord; it is counted as one, to stay on the safe side."""
    times = 2 if change["Action"] == "UPSERT" else 1
    values = [str(r.get("Value", "")) for r in change["ResourceRecordSet"].get("ResourceRecords") or []]
    return times * max(1, len(values)), times * sum(len(v) for v in values)


def _weight(changes: list[dict[str, Any]]) -> tuple[int, int]:
    weights = [change_weight(c) for c in changes]
    return sum(w[0] for w in weights), sum(w[1] for w in weights)


def _fits(weight: tuple[int, int]) -> bool:
    return weight[0] <= MAX_RECORDS and weight[1] <= MAX_VALUE_CHARS


def _by_name(changes: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Changes grouped by record name (DNS names are case-insensitive), in first-seen order,
    each group's DELETEs first: Route53 applies a batch in order, and a record that replaces
    another at its name (a CNAME for an A, a simple record for weighted ones) needs the old one
    gone first, in the same batch so that no query sees the name without either."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for change in changes:
        groups.setdefault(change["ResourceRecordSet"]["Name"].lower(), []).append(change)
    return [sorted(g, key=lambda c: c["Action"] != "DELETE") for g in groups.values()]


def transform_batches(changes: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Changes as ChangeBatches within Route53's limits, every change to one name in one batch. Pure.

    Raises:
        ValueError: the changes to one name alone exceed a batch (the caller plans them out).
    """
    batches: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    used = (0, 0)
    for group in _by_name(changes):
        weight = _weight(group)
        if not _fits(weight):
            raise ValueError(f"the changes to {group[0]['ResourceRecordSet']['Name']} exceed one ChangeBatch")
        if current and not _fits((used[0] + weight[0], used[1] + weight[1])):
            batches.append(current)
            current, used = [], (0, 0)
        current.extend(group)
        used = (used[0] + weight[0], used[1] + weight[1])
    if current:
        batches.append(current)
    return batches


def _clash(want: dict[str, Any], other: dict[str, Any]) -> bool:
    """Whether Route53 refuses *want* while *other* (at the same name) exists. Pure."""
    if want["Name"].lower() != other["Name"].lower():
        return False
    if "CNAME" in (want["Type"], other["Type"]):
        return True  # a CNAME stands alone at its name
    # a simple record and a routing-policy set (weighted, latency, ...) of one name and type
    return want["Type"] == other["Type"] and bool(want.get("SetIdentifier")) != bool(other.get("SetIdentifier"))


def plan_zone(ctx: RestoreContext, address: str) -> list[Operation]:
    want, have = both(ctx, address, "the zone does not exist live; gitsnap does not create zones")
    apex = want["Name"]
    wanted = {_key(r): r for r in want["RecordSets"]}
    present = {_key(r): r for r in have["RecordSets"]}
    live_only = [present[k] for k in present if k not in wanted]
    changes: list[tuple[dict[str, Any], Operation]] = []
    ops: list[Operation] = []
    for key in sorted(set(wanted) | set(present)):
        name, rtype, _ = key
        target = f"{name} {rtype}" + (f" ({key[2]})" if key[2] else "")
        if name == apex and rtype in ("SOA", "NS"):
            continue  # the zone's own delegation: never touched
        w, h = wanted.get(key), present.get(key)
        if w is not None and w != h:
            clashes = [o for o in live_only if _clash(w, o)]
            if clashes and not ctx.delete:  # the local endpoint takes it; Route53 refuses the batch
                kinds = ", ".join(sorted({f"{o['Type']}{' (' + o['SetIdentifier'] + ')' if o.get('SetIdentifier') else ''}"
                                          for o in clashes}))
                ops.append(Operation(address, "cannot-restore", target,
                                     f"live has {kinds} at {name}, which Route53 does not allow beside it; "
                                     "--delete removes it in the same batch"))
                continue
            op = Operation(address, "upsert", target, "" if h is None else "(differs)")
            changes.append(({"Action": "UPSERT", "ResourceRecordSet": w}, op))
            ops.append(op)
        elif w is None and h is not None:
            if ctx.delete:
                op = Operation(address, "delete", target)
                changes.append(({"Action": "DELETE", "ResourceRecordSet": h}, op))
                ops.append(op)
            else:
                ops.append(Operation(address, "kept", target, "(live only; --delete removes it)"))
    if changes:
        _batch_ops(ctx, address, have["Id"], changes, ops)
    return ops


def _batch_ops(ctx: RestoreContext, address: str, zone_id: str,
               changes: list[tuple[dict[str, Any], Operation]], ops: list[Operation]) -> None:
    """Give the first line of each ChangeBatch its call; say in the plan when there is more
    than one (each batch is atomic, the zone's changes as a whole are not)."""
    op_of = {id(change): op for change, op in changes}
    try:
        batches = transform_batches([change for change, _ in changes])
    except ValueError:  # one name's changes cannot be made atomically: plan that name out
        for group in _by_name([change for change, _ in changes]):
            if not _fits(_weight(group)):
                for change in group:
                    op = op_of[id(change)]
                    op.verb, op.detail = "cannot-restore", ("the changes to this name exceed one Route53 ChangeBatch "
                                                            f"({MAX_RECORDS} records, UPSERT counted twice): by hand")
        _batch_ops(ctx, address, zone_id, [(c, op) for c, op in changes if op.verb != "cannot-restore"], ops)
        return
    r53 = ctx.client("route53", address)
    position = {id(op): i for i, op in enumerate(ops)}
    for n, batch in enumerate(batches, 1):
        first = min((op_of[id(change)] for change in batch), key=lambda op: position[id(op)])

        def apply(b: list[dict[str, Any]] = batch) -> None:
            r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={
                "Comment": "gitsnap restore", "Changes": b})

        first.run = apply
        if len(batches) > 1:
            note = (f"[batch {n} of {len(batches)}, {len(batch)} changes: each batch is atomic, "
                    "the zone's changes as a whole are not]")
            first.detail = f"{first.detail}  {note}" if first.detail else note


RESTORERS = {
    ("cloudfront", "distribution"): plan_distribution,
    ("lambda", "function"): plan_function,
    ("route53", "zone"): plan_zone,
}
