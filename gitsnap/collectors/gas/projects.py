"""Apps Script projects (``[[gas.projects]]``): metadata, every file as a readable file with
its real extension (``source/Code.gs``, ``source/Email.html``, ``source/appsscript.json``),
versions and deployments.

Credentials: ``[gas] credentials`` (a service account file), else Application Default
Credentials; with ``[gas] api_endpoint`` (a local endpoint for testing) and no credentials
file, anonymous credentials. Each call builds its own client: httplib2 is not thread-safe.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from ...config import Config
from ..context import UnitContext
from ..errors import AccessDeniedError, CollectorError, CredentialsError, EndpointError
from ..spec import Detail, Extras, Raw, ResourceType

SCOPES = ("https://www.googleapis.com/auth/script.projects.readonly",
          "https://www.googleapis.com/auth/script.deployments.readonly")
EXTENSIONS = {"SERVER_JS": ".gs", "HTML": ".html", "JSON": ".json"}
TIMEOUT = 30


def client_factory(config: Config) -> Callable[..., Any]:
    """A function returning a new script v1 client each call (built offline, static discovery)."""
    section = config.raw.get("gas", {})
    endpoint = section.get("api_endpoint")
    cred_file = section.get("credentials")

    def build(*_args: Any) -> Any:
        import google.auth
        import google.auth.credentials
        import google.auth.exceptions
        import google_auth_httplib2
        import httplib2
        from google.oauth2 import service_account
        from googleapiclient import discovery

        try:
            if cred_file:
                creds = service_account.Credentials.from_service_account_file(os.path.expanduser(cred_file), scopes=SCOPES)
            elif endpoint:
                creds = google.auth.credentials.AnonymousCredentials()
            else:
                creds, _ = google.auth.default(scopes=SCOPES)
        except (google.auth.exceptions.DefaultCredentialsError, OSError, ValueError) as exc:
            raise CredentialsError(
                f"no usable Google credentials ({exc}); set [gas] credentials to a service account file "
                "or run 'gcloud auth application-default login'"
            ) from exc
        http = google_auth_httplib2.AuthorizedHttp(creds, http=httplib2.Http(timeout=TIMEOUT))
        options = {"api_endpoint": endpoint} if endpoint else None
        return discovery.build("script", "v1", http=http, static_discovery=True, client_options=options,
                               cache_discovery=False)

    return build


def execute(request: Any, what: str) -> Any:
    """Run a request, turning HTTP and transport failures into gitsnap errors."""
    import httplib2
    from googleapiclient.errors import HttpError

    try:
        return request.execute(num_retries=2)
    except HttpError as exc:
        status = int(exc.resp.status)
        if status in (401, 403):
            raise AccessDeniedError(f"{what}: access denied ({status}); share the project with the "
                                    "credentials or grant the script.projects.readonly scope") from exc
        if status == 404:
            raise CollectorError(f"{what}: not found (404); check script_id in [[gas.projects]]") from exc
        raise CollectorError(f"{what}: Apps Script API error {status}") from exc
    except (httplib2.HttpLib2Error, OSError) as exc:
        raise EndpointError(f"{what}: cannot reach the Apps Script API ({exc}); check [gas] api_endpoint and the network") from exc


def _paged(ctx: UnitContext, raw: Raw, kind: str) -> list[Any]:
    items: list[Any] = []
    token = None
    while True:
        coll = getattr(ctx.client("script").projects(), kind)()
        page = execute(coll.list(scriptId=raw["script_id"], pageToken=token), f"gas/{raw['name']}: {kind}.list")
        items.extend(page.get(kind, []))
        token = page.get("nextPageToken")
        if not token:
            return items


def fetch_project(ctx: UnitContext, raw: Raw) -> Any:
    return execute(ctx.client("script").projects().get(scriptId=raw["script_id"]), f"gas/{raw['name']}: projects.get")


def fetch_content(ctx: UnitContext, raw: Raw) -> Any:
    req = ctx.client("script").projects().getContent(scriptId=raw["script_id"])
    return execute(req, f"gas/{raw['name']}: projects.getContent").get("files", [])


def file_name(f: Raw) -> str:
    return f["name"] + EXTENSIONS.get(f.get("type", ""), ".txt")


def transform_project(raw: Raw) -> Raw:
    project = raw.get("Project") or {}
    return {
        "Name": raw["name"],
        "ScriptId": raw["script_id"],
        "Title": project.get("title"),
        "ParentId": project.get("parentId"),
        "Creator": (project.get("creator") or {}).get("email"),
        "Files": sorted(({"name": f["name"], "type": f.get("type"), "path": f"source/{file_name(f)}"}
                         for f in raw.get("Content") or []), key=lambda f: f["path"]),
        "Versions": sorted(({k: v.get(k) for k in ("versionNumber", "description", "createTime")}
                            for v in raw.get("Versions") or []), key=lambda v: v["versionNumber"] or 0),
        "Deployments": sorted(raw.get("Deployments") or [], key=lambda d: d.get("deploymentId", "")),
    }


def source_files(ctx: UnitContext, raw: Raw, doc: Raw, rid: str) -> Extras:
    files = {f"source/{file_name(f)}": (f.get("source") or "").encode("utf-8") for f in raw.get("Content") or []}
    return Extras(files=files, summary={"objects": len(files), "bytes": sum(len(v) for v in files.values())})


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
)

TYPES = (PROJECT,)
