"""Restore of an Apps Script project: its files, deployments and versions.

Files: ``projects.updateContent`` replaces the whole project, so every file is sent; files
added live since the snapshot are sent back unchanged unless --delete. A sealed file is
written from its sealed original (with the identity; without it the plan says
``needs-identity``).

Deployments: one that still exists is updated (``deployments.update``: version number,
description, manifest file) when its configuration differs. Its entry points (web app,
API executable) follow the deployed version's manifest, so they come back with the version.
A deleted deployment cannot be recreated under its id (web app and API executable URLs
contain it), the HEAD deployment cannot be changed, and one made since is kept, or deleted
with --delete.

Versions are immutable and the API cannot delete one: a version that differs or is missing
is listed as ``cannot-restore``, one made since as ``kept``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ...layout import SEALED_SIDECAR
from ...store.snapshot import Snapshot
from ..restoring import IDENTITY_HINT, NEEDS_IDENTITY, Operation, RestoreContext
from .api import client_factory, execute

SOURCE = "source/"
CLASP = ".clasp.json"  # beside the sources, for clasp; not a file of the project
# the same words as the restore runner's (restore/reveal.py), which collectors cannot import


def _sources(snap: Snapshot, address: str) -> dict[str, bytes]:
    return {rel[len(SOURCE):]: snap.read(b) for rel, b in snap.resource_files(address).items()
            if rel.startswith(SOURCE) and rel != SOURCE + CLASP}


def _sealed(snap: Snapshot, address: str) -> dict[str, str]:
    """A resource's sealed files (path -> sha256), from its sidecar."""
    blob = snap.resource_files(address).get(SEALED_SIDECAR) if address in snap.resources else None
    return {rel: e["sha256"] for rel, e in (json.loads(snap.read(blob)) if blob else {}).items()}


def _writer(ctx: RestoreContext) -> Callable[[], Any]:
    """A function giving a new script client with the scopes that write (made when a call runs:
    planning never builds one)."""
    return lambda: client_factory(ctx.config, write=True)()


def plan_files(ctx: RestoreContext, address: str) -> list[Operation]:
    """updateContent replaces the whole project, so every file is listed; live-only files are
    sent back unchanged unless --delete."""
    want = ctx.want(address)
    ws, hs = _sources(ctx.snapshot, address), _sources(ctx.live, address)
    sealed = {rel[len(SOURCE):] for rel in ctx.reveal.sealed_files(address) if rel.startswith(SOURCE)}
    live_sealed, mine = _sealed(ctx.live, address), _sealed(ctx.snapshot, address)
    ops = []
    for name in sorted(set(ws) | set(hs)):
        differs = ws.get(name) != hs.get(name) or mine.get(SOURCE + name) != live_sealed.get(SOURCE + name)
        if name in ws and differs and name in sealed and not ctx.reveal.available:
            ops.append(Operation(address, NEEDS_IDENTITY, SOURCE + name, f"sealed in the snapshot; {IDENTITY_HINT}"))
        elif name in ws and differs:
            ops.append(Operation(address, "update", SOURCE + name, "added" if name not in hs else "changed"))
        elif name not in ws:
            ops.append(Operation(address, "update" if ctx.delete else "kept", SOURCE + name,
                                 "removed (--delete)" if ctx.delete else "live only; --delete removes it"))
    updates = [op for op in ops if op.verb == "update"]
    if updates:
        script_id = want["ScriptId"]
        client = _writer(ctx)

        def apply() -> None:
            projects = client().projects()
            live = execute(projects.getContent(scriptId=script_id), f"{address}: projects.getContent")
            files = [{"name": f["name"], "type": f["type"],
                      "source": (ctx.reveal.file(address, f["path"]) or b"").decode("utf-8")}
                     for f in want["Files"]]
            if not ctx.delete:
                known = {(f["name"], f["type"]) for f in files}
                files += [{"name": f["name"], "type": f["type"], "source": f.get("source", "")}
                          for f in live.get("files", []) if (f["name"], f["type"]) not in known]
            execute(projects.updateContent(scriptId=script_id, body={"files": files}),
                    f"{address}: projects.updateContent", scope="script.projects")

        updates[0].run = apply
    return ops


def plan_versions(ctx: RestoreContext, address: str, want: list[Any], have: list[Any]) -> list[Operation]:
    """Versions are immutable, and no API deletes one: only listed."""
    w = {v.get("versionNumber"): v for v in want}
    h = {v.get("versionNumber"): v for v in have}
    ops = []
    for n in sorted(set(w) | set(h), key=lambda n: n or 0):
        target = f"Versions.{n}"
        if n in w and n not in h:
            ops.append(Operation(address, "cannot-restore", target, "missing live, and a version cannot be made again "
                                                                    "under its number: a new one (clasp version) gets "
                                                                    "the next number"))
        elif n not in w:
            ops.append(Operation(address, "cannot-restore" if ctx.delete else "kept", target,
                                 "made since the snapshot; the Apps Script API cannot delete a version" if ctx.delete
                                 else "made since the snapshot (versions cannot be deleted)"))
        elif w[n] != h[n]:
            ops.append(Operation(address, "cannot-restore", target, "versions are immutable: it cannot be changed"))
    return ops


def transform_config(config: dict[str, Any], script_id: str) -> dict[str, Any]:
    """A deployment's configuration as deployments.update takes it. Pure."""
    out = {"scriptId": script_id, **{k: config[k] for k in ("versionNumber", "manifestFileName", "description")
                                     if config.get(k) is not None}}
    return out


def _deployment_update(ctx: RestoreContext, address: str, script_id: str, dep_id: str, want: Any,
                       have: Any) -> list[Operation]:
    wc, hc = want.get("deploymentConfig") or {}, have.get("deploymentConfig") or {}
    target = f"Deployments.{dep_id}"
    if hc.get("versionNumber") is None or wc.get("versionNumber") is None:
        return [Operation(address, "cannot-restore", target, "the HEAD deployment follows the project's current "
                                                             "files; it cannot be changed (restore the files instead)")]
    if wc == hc:  # only the entry points differ: they come from the deployed version's manifest
        return [Operation(address, "cannot-restore", f"{target}.entryPoints", (
            "entry points come from the manifest (appsscript.json) of the deployed version: change them there, make "
            "a version (clasp version) and deploy it to this deployment (clasp deploy -i ID -V N)"))]
    body = {"deploymentConfig": transform_config(wc, script_id)}
    changes = ", ".join(f"{k} {hc.get(k)!r} -> {wc.get(k)!r}" for k in ("versionNumber", "description",
                                                                        "manifestFileName") if wc.get(k) != hc.get(k))
    client = _writer(ctx)
    return [Operation(address, "update", target, changes, run=lambda: execute(
        client().projects().deployments().update(scriptId=script_id, deploymentId=dep_id, body=body),
        f"{address}: deployments.update {dep_id}", scope="script.deployments"))]


def plan_deployments(ctx: RestoreContext, address: str, script_id: str, want: list[Any],
                     have: list[Any]) -> list[Operation]:
    w = {d["deploymentId"]: d for d in want}
    h = {d["deploymentId"]: d for d in have}
    client = _writer(ctx)
    ops: list[Operation] = []
    for dep_id in sorted(set(w) | set(h)):
        target = f"Deployments.{dep_id}"
        if dep_id in w and dep_id in h and w[dep_id] != h[dep_id]:
            ops += _deployment_update(ctx, address, script_id, dep_id, w[dep_id], h[dep_id])
        elif dep_id in w and dep_id not in h:
            version = (w[dep_id].get("deploymentConfig") or {}).get("versionNumber")
            ops.append(Operation(address, "cannot-restore", target, (
                "deleted since the snapshot, and a deployment cannot be recreated under its id (its web app and API "
                f"executable URLs contain it): make a new one (clasp deploy -V {version}) and give its URL to its "
                "users")))
        elif dep_id in h and dep_id not in w and ctx.delete:
            ops.append(Operation(address, "delete", target, "live only (--delete)", run=lambda d=dep_id: execute(
                client().projects().deployments().delete(scriptId=script_id, deploymentId=d),
                f"{address}: deployments.delete {d}", scope="script.deployments")))
        elif dep_id in h and dep_id not in w:
            ops.append(Operation(address, "kept", target, "live only; --delete removes it"))
    return ops


def plan_project(ctx: RestoreContext, address: str) -> list[Operation]:
    """Files first (a deployment update may name a version; the files are the HEAD deployment's),
    then deployments and versions; what no API changes is listed."""
    want, have = ctx.want(address), ctx.have(address)
    ops = plan_files(ctx, address)
    ops += plan_deployments(ctx, address, want["ScriptId"], want.get("Deployments") or [], have.get("Deployments") or [])
    ops += plan_versions(ctx, address, want.get("Versions") or [], have.get("Versions") or [])
    for field, how in (("Title", "rename it in the Apps Script editor"), ("ParentId", "a project's container is fixed"),
                       ("Creator", "who created a project cannot change"),
                       ("ScriptId", "another project answers under this name: fix script_id in [[gas.projects]]")):
        if want.get(field) != have.get(field):
            ops.append(Operation(address, "cannot-restore", field, f"{have.get(field)!r} -> {want.get(field)!r}: {how}"))
    return ops

