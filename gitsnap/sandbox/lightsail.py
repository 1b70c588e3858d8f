"""A small local fake of the Lightsail JSON API (moto has none).

botocore speaks AWS JSON 1.1 to it (``X-Amz-Target: Lightsail_20161128.<Operation>``), reached
through ``AWS_ENDPOINT_URL_LIGHTSAIL``. It serves the reads gitsnap makes (instances,
static IPs, domains, instance snapshots; paged with ``pageToken``) and the writes the sandbox
and ``capture --lightsail-snapshot`` need.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .httpjson import reply

PAGE = 2


class FakeLightsail:
    def __init__(self) -> None:
        self.reset()
        self._server: ThreadingHTTPServer | None = None

    def reset(self) -> None:
        self.instances: list[dict[str, Any]] = []
        self.static_ips: list[dict[str, Any]] = []
        self.domains: list[dict[str, Any]] = []
        self.snapshots: list[dict[str, Any]] = []
        self.calls: list[str] = []

    def _page(self, items: list[dict[str, Any]], key: str, body: dict[str, Any]) -> dict[str, Any]:
        start = int(body.get("pageToken") or 0)
        out: dict[str, Any] = {key: items[start:start + PAGE]}
        if start + PAGE < len(items):
            out["nextPageToken"] = str(start + PAGE)
        return out

    def handle(self, op: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.calls.append(op)
        arn = "arn:aws:lightsail:us-east-1:123456789012:"
        if op == "GetInstances":
            return 200, self._page(self.instances, "instances", body)
        if op == "GetStaticIps":
            return 200, self._page(self.static_ips, "staticIps", body)
        if op == "GetDomains":
            return 200, self._page(self.domains, "domains", body)
        if op == "GetInstanceSnapshots":
            return 200, self._page(self.snapshots, "instanceSnapshots", body)
        if op == "CreateInstances":
            for name in body["instanceNames"]:
                self.instances.append({
                    "name": name, "arn": f"{arn}Instance/{name}", "blueprintId": body["blueprintId"],
                    "bundleId": body["bundleId"], "location": {"availabilityZone": body["availabilityZone"]},
                    "state": {"name": "running", "code": 16}, "isStaticIp": False, "publicIpAddress": "203.0.113.10",
                    "networking": {"ports": [{"fromPort": 22, "toPort": 22, "protocol": "tcp"},
                                             {"fromPort": 80, "toPort": 80, "protocol": "tcp"}]},
                    "tags": body.get("tags", []), "createdAt": 1700000000.0})
            return 200, {"operations": [{"status": "Succeeded"}]}
        if op == "AllocateStaticIp":
            self.static_ips.append({"name": body["staticIpName"], "arn": f"{arn}StaticIp/{body['staticIpName']}",
                                    "ipAddress": "203.0.113.20", "isAttached": False})
            return 200, {"operations": [{"status": "Succeeded"}]}
        if op == "CreateDomain":
            self.domains.append({"name": body["domainName"], "arn": f"{arn}Domain/{body['domainName']}",
                                 "domainEntries": [{"name": body["domainName"], "type": "A", "target": "203.0.113.20"}]})
            return 200, {"operations": [{"status": "Succeeded"}]}
        if op == "CreateInstanceSnapshot":
            if not any(i["name"] == body["instanceName"] for i in self.instances):
                return 400, {"__type": "NotFoundException", "message": f"instance {body['instanceName']} not found"}
            if any(s["name"] == body["instanceSnapshotName"] for s in self.snapshots):
                return 400, {"__type": "InvalidInputException", "message": "snapshot name already in use"}
            self.snapshots.append({"name": body["instanceSnapshotName"], "fromInstanceName": body["instanceName"],
                                   "state": "pending", "sizeInGb": 40, "createdAt": 1700000100.0,
                                   "arn": f"{arn}InstanceSnapshot/{body['instanceSnapshotName']}"})
            return 200, {"operations": [{"status": "Started"}]}
        return 400, {"__type": "InvalidAction", "message": f"{op} is not served by the local fake"}

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                op = self.headers.get("X-Amz-Target", "").split(".")[-1]
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                status, out = fake.handle(op, body)
                reply(self, status, out, "application/x-amz-json-1.1")

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
