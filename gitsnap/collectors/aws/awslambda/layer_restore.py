"""Restore a layer: its versions' permissions, and versions deleted live published again.

A layer version is immutable and its number is the service's: PublishLayerVersion makes the
next number, never an old one. So a version deleted live is published again from the snapshot's
copy of its content (with its description, license, runtimes, architectures and permissions)
*as a new version*, and the plan says so. A function that named the old version gets the new one
when it is restored (``common.Layers`` finds the live version with the same content), but the
old ARN itself cannot come back: after the restore the plan keeps saying so (``cannot-restore``).
A version of the same number live with other content (the layer deleted and made again) is not
the snapshot's version either: said, not touched.
"""

from __future__ import annotations

from typing import Any

from ...restoring import IDENTITY_HINT, NEEDS_IDENTITY, Operation, RestoreContext
from .common import shown

PERMISSIONS = ("lambda:PublishLayerVersion", "lambda:DeleteLayerVersion", "lambda:AddLayerVersionPermission",
               "lambda:RemoveLayerVersionPermission")
SETTINGS = ("Description", "CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo")


def _sha(version: dict[str, Any]) -> str | None:
    return (version.get("Content") or {}).get("CodeSha256")


def layer_permission_params(statement: dict[str, Any]) -> dict[str, Any] | None:
    """AddLayerVersionPermission's parameters for one policy statement (an account, ``*``, or
    ``*`` within an organization), or None if it has another shape. Pure."""
    principal = statement.get("Principal")
    if isinstance(principal, dict):
        principal = principal.get("AWS")
    if isinstance(principal, str) and principal.startswith("arn:") and principal.endswith(":root"):
        principal = principal.split(":")[4]
    if not isinstance(principal, str) or not isinstance(statement.get("Action"), str) or not statement.get("Sid"):
        return None
    params = {"StatementId": statement["Sid"], "Action": statement["Action"], "Principal": principal}
    org = ((statement.get("Condition") or {}).get("StringEquals") or {}).get("aws:PrincipalOrgID")
    if org:
        params["OrganizationId"] = org
    return params


def _statements(policy: Any) -> dict[str, dict[str, Any]]:
    """A version's statements by Sid, without ``Resource`` (it names the version itself: a copy
    published under another number has the same permissions with another Resource). Pure."""
    return {s["Sid"]: {k: v for k, v in s.items() if k != "Resource"} for s in (policy or {}).get("Statement") or []}


def plan_permissions(ctx: RestoreContext, address: str, name: str, number: int, want: Any, have: Any) -> list[Operation]:
    """One version's permissions back, statement by statement."""
    lam = ctx.client("lambda", address)
    w, h = _statements(want), _statements(have)
    ops = []
    for sid in sorted(set(w) | set(h)):
        target = f"Versions.{number}.Policy.{sid}"
        where = {"LayerName": name, "VersionNumber": number}
        if sid in w and w[sid] != h.get(sid):
            params = layer_permission_params(w[sid])
            if params is None:
                ops.append(Operation(address, "cannot-restore", target,
                                     "a statement shape AddLayerVersionPermission cannot express"))
                continue

            full = {**where, **params}

            def put(p: dict[str, Any] = full, replace: bool = sid in h, s: str = sid, x: dict[str, Any] = where) -> None:
                if replace:
                    lam.remove_layer_version_permission(**x, StatementId=s)
                lam.add_layer_version_permission(**p)

            ops.append(Operation(address, "put", target, "changed" if sid in h else "added", run=put))
        elif sid not in w:
            ops.append(Operation(address, "delete", target,
                                 run=lambda s=sid, x=where: lam.remove_layer_version_permission(**x, StatementId=s))
                       if ctx.delete else Operation(address, "kept", target, "live only; --delete removes it"))
    return ops


def plan_publish(ctx: RestoreContext, address: str, name: str, version: dict[str, Any]) -> list[Operation]:
    """Publish a deleted version again from the snapshot's copy, as a new version, with its
    permissions."""
    lam = ctx.client("lambda", address)
    code, number = version.get("Code") or {}, version["Version"]
    target = f"Versions.{number}"
    sealed = bool(code.get("sealed"))
    if not sealed and (not code.get("blob") or not ctx.store.has(code["blob"])):
        return [Operation(address, "cannot-restore", target, "its content is missing from the repository: "
                                                              "run 'gitsnap verify'")]
    if sealed and not ctx.reveal.available:
        return [Operation(address, NEEDS_IDENTITY, target, f"its content is sealed; {IDENTITY_HINT}")]
    statements = [layer_permission_params(s) for s in (version.get("Policy") or {}).get("Statement") or []]
    if any(p is None for p in statements):
        return [Operation(address, "cannot-restore", f"{target}.Policy",
                          "a statement shape AddLayerVersionPermission cannot express")]

    def publish() -> None:
        data = (ctx.reveal.body(code["sha256"], f"{address} version {number} content") if sealed
                else ctx.store.read(code["blob"]))
        params = {k: version[k] for k in SETTINGS if version.get(k)}
        made = lam.publish_layer_version(LayerName=name, Content={"ZipFile": data}, **params)
        for p in statements:
            lam.add_layer_version_permission(LayerName=name, VersionNumber=made["Version"], **p)  # type: ignore[arg-type]

    return [Operation(address, "publish", target,
                      f"{code.get('size')} B, as a new version: a layer version cannot be recreated under its number, "
                      f"so {name}:{number} itself cannot come back (functions that use it get the new one when "
                      "they are restored)", run=publish)]


def plan_layer(ctx: RestoreContext, address: str) -> list[Operation]:
    """Create (every version published again) or update (permissions; deleted versions published
    again) a layer back to the snapshot."""
    want, have = ctx.want(address), ctx.have(address) or {"Versions": []}
    name = want["LayerName"]
    lam = ctx.client("lambda", address)
    live = {v["Version"]: v for v in have.get("Versions") or []}
    wanted = {v["Version"]: v for v in want.get("Versions") or []}
    copies: set[int] = set()
    ops: list[Operation] = []
    for number, version in sorted(wanted.items()):
        target = f"Versions.{number}"
        found = live.get(number)
        if found is not None and _sha(found) != _sha(version):
            ops.append(Operation(address, "cannot-restore", target,
                                 f"live has another version {number} (other content: the layer was made again); "
                                 "gitsnap leaves it alone"))
            continue
        if found is None:
            copy = next((n for n, v in sorted(live.items(), reverse=True)
                         if n not in wanted and n not in copies and _sha(v) == _sha(version)), None)
            if copy is None:
                ops.extend(plan_publish(ctx, address, name, version))
                continue
            copies.add(copy)
            ops.append(Operation(address, "cannot-restore", target,
                                 f"a layer version cannot be recreated under its number; live has its copy as "
                                 f"{name}:{copy}"))
            found, number = live[copy], copy
        changed = [k for k in SETTINGS if version.get(k) != found.get(k)]
        if changed:
            ops.append(Operation(address, "cannot-restore", f"Versions.{number}." + ",".join(changed),
                                 f"a published layer version cannot be changed ({', '.join(changed)}: "
                                 f"{shown([found.get(k) for k in changed])} live)"))
        ops.extend(plan_permissions(ctx, address, name, number, version.get("Policy"), found.get("Policy")))
    for number in sorted(set(live) - set(wanted) - copies):
        target = f"Versions.{number}"
        ops.append(Operation(address, "delete", target,
                             run=lambda n=number: lam.delete_layer_version(LayerName=name, VersionNumber=n))
                   if ctx.delete else Operation(address, "kept", target, "published since the snapshot (live only); "
                                                                          "--delete removes it"))
    return ops


def plan_delete(ctx: RestoreContext, address: str) -> list[Operation]:
    """A layer live only (``--delete``): every version deleted (functions that use one keep
    working: the service keeps a copy for them)."""
    have = ctx.have(address)
    lam = ctx.client("lambda", address)
    name = have["LayerName"]
    return [Operation(address, "delete", f"Versions.{v['Version']}",
                      run=lambda n=v["Version"]: lam.delete_layer_version(LayerName=name, VersionNumber=n))
            for v in have.get("Versions") or []]
