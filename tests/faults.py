"""A small fault-injecting HTTP proxy in front of the moto server.

moto's server does not enforce IAM and cannot delete a bucket in the middle of a
capture on cue. This proxy forwards every request to moto unchanged, except those
matching a rule, which get the error response AWS itself sends (or a side effect
first, such as deleting the bucket for real). Tests point AWS_ENDPOINT_URL at it.
"""

from __future__ import annotations

import http.client
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from gitsnap.sandbox.httpjson import reply


@dataclass
class Rule:
    method: str
    path: str  # regular expression on the path and query
    status: int = 403
    code: str = "AccessDenied"
    json_protocol: bool = False  # REST-JSON services (Lambda) vs XML (S3, CloudFront, Route53)
    before: Callable[[], None] | None = None  # a side effect; then forward instead of failing
    once: bool = False
    hits: int = 0


@dataclass
class FaultProxy:
    upstream: str
    rules: list[Rule] = field(default_factory=list)
    log: list[str] = field(default_factory=list)

    def start(self) -> str:
        target = urlsplit(self.upstream)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                proxy.log.append(f"{self.command} {self.path}")
                for rule in proxy.rules:
                    if rule.method == self.command and re.search(rule.path, self.path):
                        if rule.once and rule.hits:
                            continue
                        rule.hits += 1
                        if rule.before is not None:
                            rule.before()
                            break
                        return self._error(rule)
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                headers["Host"] = f"{target.hostname}:{target.port}"
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                conn.close()

            def _error(self, rule: Rule) -> None:
                if rule.json_protocol:
                    payload = (b'{"Message": "denied by test proxy", "Type": "User"}')
                    ctype = "application/json"
                else:
                    payload = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{rule.code}</Code>"
                               "<Message>denied by test proxy</Message></Error>").encode()
                    ctype = "application/xml"
                reply(self, rule.status, payload, ctype, {"x-amzn-ErrorType": rule.code})

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._server.shutdown()
