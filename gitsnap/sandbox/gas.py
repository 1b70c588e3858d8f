"""A small local fake of the Apps Script REST API (script v1), over HTTP.

moto has no Google APIs, so tests and the sandbox use this: projects.get, getContent,
updateContent, versions.list (paged) and deployments.list, with the shapes and error
format of the real service. State is a dict of projects the caller seeds.
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


class FakeAppsScript:
    """Serves ``projects`` (script id -> {"project", "files", "versions", "deployments"})."""

    def __init__(self) -> None:
        self.projects: dict[str, dict[str, Any]] = {}
        self.requests: list[str] = []
        self.deny: set[str] = set()
        self._server: ThreadingHTTPServer | None = None

    def add(self, script_id: str, title: str, files: list[dict[str, Any]], versions: int = 0,
            deployments: list[dict[str, Any]] | None = None) -> None:
        self.projects[script_id] = {
            "project": {"scriptId": script_id, "title": title, "createTime": "2024-01-01T00:00:00Z",
                        "updateTime": "2024-06-01T00:00:00Z", "creator": {"email": "owner@example.com"}},
            "files": copy.deepcopy(files),
            "versions": [{"scriptId": script_id, "versionNumber": n, "description": f"v{n}",
                          "createTime": "2024-01-01T00:00:00Z"} for n in range(1, versions + 1)],
            "deployments": deployments or [],
        }

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self, status: int, body: Any) -> None:
                reply(self, status, body, "application/json; charset=UTF-8")

            def _error(self, status: int, message: str, reason: str) -> None:
                self._reply(status, {"error": {"code": status, "message": message, "status": reason}})

            def _route(self, method: str) -> None:
                url = urlsplit(self.path)
                fake.requests.append(f"{method} {url.path}")
                m = re.fullmatch(r"/v1/projects/([^/]+)(/content|/versions|/deployments)?", url.path)
                if not m:
                    return self._error(404, "Not found", "NOT_FOUND")
                sid, sub = m.group(1), m.group(2) or ""
                if sid in fake.deny:
                    return self._error(403, "The caller does not have permission", "PERMISSION_DENIED")
                proj = fake.projects.get(sid)
                if proj is None:
                    return self._error(404, f"Requested entity was not found: {sid}", "NOT_FOUND")
                if method == "PUT" and sub == "/content":
                    length = int(self.headers.get("Content-Length") or 0)
                    proj["files"] = json.loads(self.rfile.read(length))["files"]
                    return self._reply(200, {"scriptId": sid, "files": proj["files"]})
                if method != "GET":
                    return self._error(405, "Method not allowed", "INVALID_ARGUMENT")
                if sub == "":
                    return self._reply(200, proj["project"])
                if sub == "/content":
                    return self._reply(200, {"scriptId": sid, "files": proj["files"]})
                items = proj["versions"] if sub == "/versions" else proj["deployments"]
                start = int(parse_qs(url.query).get("pageToken", ["0"])[0])
                page = {sub.strip("/"): items[start:start + PAGE]}
                if start + PAGE < len(items):
                    page["nextPageToken"] = str(start + PAGE)
                return self._reply(200, page)

            def do_GET(self) -> None:  # noqa: N802
                self._route("GET")

            def do_PUT(self) -> None:  # noqa: N802
                self._route("PUT")

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
        fake.add(sid, title, files, versions=3, deployments=[
            {"deploymentId": f"AKfy-{sid[:6]}", "deploymentConfig": {"scriptId": sid, "versionNumber": 3,
                                                                      "manifestFileName": "appsscript", "description": "web app"},
             "updateTime": "2024-06-01T00:00:00Z"}])
