"""Apps Script projects (``[[gas.projects]]``): metadata, every file as a readable file with
its real extension (``source/Code.gs``, ``source/Email.html``, ``source/appsscript.json``),
versions (number, description) and deployments (id, configuration, entry points).

``source/.clasp.json`` names the project for clasp, so ``clasp push`` works from a checkout of
the snapshot (run in ``gas/<name>/source``). Restore: :mod:`.restore`; the API's clients and
errors: :mod:`.api`.
"""

from __future__ import annotations

import json

from ..context import UnitContext
from ..spec import Detail, Extras, Raw, ResourceType, Restorer
from .api import SCOPES, WRITE_SCOPES, client_factory, execute
from .restore import CLASP, SOURCE, plan_project

EXTENSIONS = {"SERVER_JS": ".gs", "HTML": ".html", "JSON": ".json"}

__all__ = ["PROJECT", "SCOPES", "TYPES", "WRITE_SCOPES", "client_factory", "execute"]


def _paged(ctx: UnitContext, raw: Raw, kind: str) -> list[Raw]:
    items: list[Raw] = []
    token = None
    while True:
        coll = getattr(ctx.client("script").projects(), kind)()
        page = execute(coll.list(scriptId=raw["script_id"], pageToken=token), f"gas/{raw['name']}: {kind}.list")
        items.extend(page.get(kind, []))
        token = page.get("nextPageToken")
        if not token:
            return items


def fetch_project(ctx: UnitContext, raw: Raw) -> Raw:
    return execute(ctx.client("script").projects().get(scriptId=raw["script_id"]), f"gas/{raw['name']}: projects.get")


def fetch_content(ctx: UnitContext, raw: Raw) -> list[Raw]:
    req = ctx.client("script").projects().getContent(scriptId=raw["script_id"])
    return execute(req, f"gas/{raw['name']}: projects.getContent").get("files", [])


def file_name(f: Raw) -> str:
    return f["name"] + EXTENSIONS.get(f.get("type", ""), ".txt")


def transform_deployment(d: Raw) -> Raw:
    """A deployment's id, configuration (script, version number, manifest, description) and
    entry points; ``updateTime`` is left out (it moves whenever the deployment is touched). Pure."""
    out: Raw = {"deploymentId": d.get("deploymentId"), "deploymentConfig": d.get("deploymentConfig") or {}}
    if d.get("entryPoints"):
        out["entryPoints"] = d["entryPoints"]
    return out


def transform_project(raw: Raw) -> Raw:
    project = raw.get("Project") or {}
    return {
        "Name": raw["name"],
        "ScriptId": raw["script_id"],
        "Title": project.get("title"),
        "ParentId": project.get("parentId"),
        "Creator": (project.get("creator") or {}).get("email"),
        "Files": sorted(({"name": f["name"], "type": f.get("type"), "path": f"{SOURCE}{file_name(f)}"}
                         for f in raw.get("Content") or []), key=lambda f: f["path"]),
        "Versions": sorted(({k: v.get(k) for k in ("versionNumber", "description", "createTime")}
                            for v in raw.get("Versions") or []), key=lambda v: v["versionNumber"] or 0),
        "Deployments": sorted((transform_deployment(d) for d in raw.get("Deployments") or []),
                              key=lambda d: d.get("deploymentId") or ""),
    }


def clasp_json(script_id: str) -> bytes:
    """``.clasp.json`` for a project whose files sit beside it: clasp pushes what its folder holds
    (``appsscript.json``, ``*.gs``, ``*.html``) to *script_id*. Pure."""
    return (json.dumps({"scriptId": script_id}, indent=2) + "\n").encode()


def source_files(ctx: UnitContext, raw: Raw, doc: Raw, rid: str) -> Extras:
    files = {f"{SOURCE}{file_name(f)}": (f.get("source") or "").encode("utf-8") for f in raw.get("Content") or []}
    summary = {"objects": len(files), "bytes": sum(len(v) for v in files.values())}
    files[SOURCE + CLASP] = clasp_json(raw["script_id"])
    return Extras(files=files, summary=summary)


PROJECT = ResourceType(
    service="gas", type="project", scope="global", client="script", folder="",
    enumerate=lambda ctx: [dict(p) for p in ctx.config.raw.get("gas", {}).get("projects", [])],
    id=lambda r: r["name"],
    details=(
        Detail("Project", fetch=fetch_project),
        Detail("Content", fetch=fetch_content),
        Detail("Versions", fetch=lambda ctx, r: _paged(ctx, r, "versions")),
        Detail("Deployments", fetch=lambda ctx, r: _paged(ctx, r, "deployments")),
    ),
    transform=transform_project,
    volatile=("Deployments.*.updateTime",),
    schema="gas.project",
    document="project.json",
    extras=source_files,
    # Google OAuth scopes, not IAM actions: a restore asks for api.WRITE_SCOPES
    restore=Restorer(
        update=plan_project, rank=80,
        cannot_create=("an Apps Script project cannot be recreated under its script id: in a checkout of "
                       "gas/NAME/source, remove .clasp.json, run 'clasp create --title TITLE' and 'clasp push', then "
                       "put the new script id in [[gas.projects]]"),
        cannot_delete=("the Apps Script API cannot delete a project: delete it in Google Drive, or leave it out of "
                       "[[gas.projects]]"),
    ),
)

TYPES = (PROJECT,)
