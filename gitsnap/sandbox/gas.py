"""A small local fake of the Apps Script REST API (script v1), over HTTP.

moto has no Google APIs, so tests and the sandbox use this. It is a fake of the real API's
shapes, paths and error format, not of all its rules: projects.get, getContent,
updateContent; versions.list (paged), get, create; deployments.list (paged), get, create,
update, delete. Like the real service it numbers versions itself, never deletes one, refuses
a deployment of a version that does not exist, and refuses to change or delete the HEAD
deployment (the one without a version number). State is a dict of projects the caller seeds.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .httpjson import reply

PAGE = 2  # small pages, so clients must follow nextPageToken
NOW = "2024-06-01T00:00:00Z"


def web_app(deployment_id: str) -> list[dict[str, Any]]:
    """The entry points a web app deployment has (its URL contains the deployment id)."""
    return [{"entryPointType": "WEB_APP",
             "webApp": {"url": f"https://script.google.com/macros/s/{deployment_id}/exec",
                        "entryPointConfig": {"access": "ANYONE_ANONYMOUS", "executeAs": "USER_DEPLOYING"}}}]


class FakeAppsScript:
    """Serves ``projects`` (script id -> {"project", "files", "versions", "deployments"})."""

    def __init__(self) -> None:
        self.projects: dict[str, dict[str, Any]] = {}
        self.requests: list[str] = []
        self.deny: set[str] = set()
        self._server: ThreadingHTTPServer | None = None
        self._made = 0

    def add(self, script_id: str, title: str, files: list[dict[str, Any]], versions: int = 0,
            deployments: list[dict[str, Any]] | None = None) -> None:
        self.projects[script_id] = {
            "project": {"scriptId": script_id, "title": title, "createTime": "2024-01-01T00:00:00Z",
                        "updateTime": NOW, "creator": {"email": "owner@example.com"}},
            "files": copy.deepcopy(files),
            "versions": [{"scriptId": script_id, "versionNumber": n, "description": f"v{n}",
                          "createTime": "2024-01-01T00:00:00Z"} for n in range(1, versions + 1)],
            "deployments": deployments or [],
        }

    # -- versions and deployments: what the real API does with them ---------------------------

    def create_version(self, sid: str, body: dict[str, Any]) -> tuple[int, Any]:
        proj = self.projects[sid]
        number = max((v["versionNumber"] for v in proj["versions"]), default=0) + 1
        version = {"scriptId": sid, "versionNumber": number, "description": body.get("description", ""),
                   "createTime": NOW}
        proj["versions"].append(version)
        return 200, version

    def _config(self, sid: str, config: dict[str, Any]) -> tuple[int, Any] | None:
        """An error reply if a deployment configuration names a version that does not exist."""
        number = config.get("versionNumber")
        if number is not None and number not in {v["versionNumber"] for v in self.projects[sid]["versions"]}:
            return 400, {"error": {"code": 400, "message": f"Version {number} does not exist.",
                                   "status": "INVALID_ARGUMENT"}}
        return None

    def create_deployment(self, sid: str, body: dict[str, Any]) -> tuple[int, Any]:
        refused = self._config(sid, body)
        if refused:
            return refused
        self._made += 1
        dep_id = f"AKfy-new-{self._made}"
        deployment = {"deploymentId": dep_id, "deploymentConfig": {**body, "scriptId": sid},
                      "entryPoints": web_app(dep_id), "updateTime": NOW}
        self.projects[sid]["deployments"].append(deployment)
        return 200, deployment

    def change_deployment(self, sid: str, dep_id: str, method: str, body: dict[str, Any]) -> tuple[int, Any]:
        deployments = self.projects[sid]["deployments"]
        found = next((d for d in deployments if d["deploymentId"] == dep_id), None)
        if found is None:
            return 404, {"error": {"code": 404, "message": f"Deployment {dep_id} not found.", "status": "NOT_FOUND"}}
        if method == "GET":
            return 200, found
        if (found.get("deploymentConfig") or {}).get("versionNumber") is None:
            return 400, {"error": {"code": 400, "message": "The HEAD deployment cannot be changed or deleted.",
                                   "status": "INVALID_ARGUMENT"}}
        if method == "DELETE":
            deployments.remove(found)
            return 200, {}
        config = body.get("deploymentConfig") or {}
        refused = self._config(sid, config)
        if refused:
            return refused
        found["deploymentConfig"] = {**config, "scriptId": sid}
        found["updateTime"] = "2024-07-01T00:00:00Z"
        return 200, found

    def _list(self, proj: dict[str, Any], kind: str, query: str) -> tuple[int, Any]:
        items = proj[kind]
        start = int(parse_qs(query).get("pageToken", ["0"])[0])
        page: dict[str, Any] = {kind: items[start:start + PAGE]}
        if start + PAGE < len(items):
            page["nextPageToken"] = str(start + PAGE)
        return 200, page

    def handle(self, method: str, path: str, query: str, body: dict[str, Any]) -> tuple[int, Any]:
        """One request: (status, JSON reply), as the real API would answer it."""
        m = re.fullmatch(r"/v1/projects/([^/]+)(?:/(content|versions|deployments)(?:/([^/]+))?)?", path)
        if not m:
            return 404, {"error": {"code": 404, "message": "Not found", "status": "NOT_FOUND"}}
        sid, sub, item = m.group(1), m.group(2) or "", m.group(3)
        if sid in self.deny:
            return 403, {"error": {"code": 403, "message": "The caller does not have permission",
                                   "status": "PERMISSION_DENIED"}}
        proj = self.projects.get(sid)
        if proj is None:
            return 404, {"error": {"code": 404, "message": f"Requested entity was not found: {sid}",
                                   "status": "NOT_FOUND"}}
        route = (method, sub, item is not None)
        if route == ("GET", "", False):
            return 200, proj["project"]
        if route == ("GET", "content", False):
            return 200, {"scriptId": sid, "files": proj["files"]}
        if route == ("PUT", "content", False):
            proj["files"] = body["files"]
            return 200, {"scriptId": sid, "files": proj["files"]}
        if route in (("GET", "versions", False), ("GET", "deployments", False)):
            return self._list(proj, sub, query)
        if route == ("GET", "versions", True):
            found = next((v for v in proj["versions"] if str(v["versionNumber"]) == item), None)
            return (200, found) if found else (404, {"error": {"code": 404, "message": "Version not found.",
                                                               "status": "NOT_FOUND"}})
        if route == ("POST", "versions", False):
            return self.create_version(sid, body)
        if route == ("POST", "deployments", False):
            return self.create_deployment(sid, body)
        if sub == "deployments" and item is not None and method in ("GET", "PUT", "DELETE"):
            return self.change_deployment(sid, item, method, body)
        return 405, {"error": {"code": 405, "message": "Method not allowed", "status": "INVALID_ARGUMENT"}}

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _route(self, method: str) -> None:
                url = urlsplit(self.path)
                fake.requests.append(f"{method} {url.path}")
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}") if length else {}
                status, answer = fake.handle(method, url.path, url.query, body)
                reply(self, status, answer, "application/json; charset=UTF-8")

            def do_GET(self) -> None:  # noqa: N802
                self._route("GET")

            def do_PUT(self) -> None:  # noqa: N802
                self._route("PUT")

            def do_POST(self) -> None:  # noqa: N802
                self._route("POST")

            def do_DELETE(self) -> None:  # noqa: N802
                self._route("DELETE")

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()


SAMPLE = {
    "1JadaMainScriptId": ("JADA Main Project", [
        {"name": "appsscript", "type": "JSON",
         "source": '{"timeZone": "America/Los_Angeles", "exceptionLogging": "STACKDRIVER", "runtimeVersion": "V8"}'},
        {"name": "Code", "type": "SERVER_JS",
         "source": "function doPost(e) {\n  // book a sail\n  return ContentService.createTextOutput('ok');\n}\n"},
        {"name": "Email", "type": "HTML", "source": "<p>Thanks for booking, <?= name ?>!</p>\n"},
    ]),
    "1RadyShellScriptId": ("Rady Shell Replacement", [
        {"name": "appsscript", "type": "JSON", "source": '{"timeZone": "America/Los_Angeles"}'},
        {"name": "Sync", "type": "SERVER_JS", "source": "function sync() {\n  return 1;\n}\n"},
    ]),
}


def seed(fake: FakeAppsScript) -> None:
    for sid, (title, files) in SAMPLE.items():
        dep_id = f"AKfy-{sid[:6]}"
        fake.add(sid, title, files, versions=3, deployments=[
            {"deploymentId": dep_id, "deploymentConfig": {"scriptId": sid, "versionNumber": 3,
                                                          "manifestFileName": "appsscript", "description": "web app"},
             "entryPoints": web_app(dep_id), "updateTime": NOW}])
