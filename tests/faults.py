"""A small fault-injecting HTTP proxy in front of the moto server, and an isolated sandbox.

Why a proxy: moto answers every call correctly and at once. It does not enforce IAM, it
cannot fail one call on cue (a 403 on one bucket's policy, a 500 on every retry of one
``DescribeTable``), it never cuts a body short, flips bytes, sends half a JSON document,
throttles a page, or deletes something between a list and a get. Real AWS does all of
these now and then, and each must end in a clear error or a true record, never in a
snapshot that silently says less than the truth. This proxy forwards every request to
the upstream endpoint unchanged, except those matching a :class:`Rule`, which get what
the rule says: the error AWS itself sends, a delay, a side effect first (deleting the
resource for real), a rewritten answer, a body cut short after its full
``Content-Length`` header, or a body with flipped bytes and untouched headers. Tests
point ``AWS_ENDPOINT_URL`` at it.

:func:`throttle_every` throttles every service the way each one does: every N-th request of
each (by its SigV4 signing name and protocol), or the ones it names, gets that service's own
throttling error, in its own status and shape: S3 ``503 SlowDown``; IAM, STS, SES, RDS,
CloudFront and Route53 ``400 Throttling`` in XML; DynamoDB, ACM and Lightsail ``400
ThrottlingException`` in JSON; Lambda, API Gateway and SESv2 ``429 TooManyRequestsException``
in REST-JSON; EC2 ``503 RequestLimitExceeded`` in EC2's XML.

Lambda code is not served by moto but by the sandbox's own small server (``Code.Location``,
see :mod:`gitsnap.sandbox.server`). The proxy fronts it too: it rewrites ``Code.Location``
in ``GetFunction`` answers to point at itself (``/__front__/<host:port>/...``), so rules can
fault the code download like any other request.

Why an isolated sandbox: the ``endpoint`` fixture resets the shared moto server before
every test, so a seeded estate cannot outlive one test. :class:`IsolatedSandbox` runs
``gitsnap sandbox serve`` in its own process, which no other test resets, so a module can
seed and capture once and give each test a copy of the captured repository.
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import signal
import subprocess
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

FRONT = "/__front__/"  # path prefix of requests the proxy forwards to another host (Lambda code)
LAMBDA_CODE = r"/code/[^/]+/[^/]+/"  # the sandbox's Lambda code download path, before the function name
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
                         "proxy-connection", "content-length", "host", "expect"})


@dataclass
class Request:
    """One request as the proxy received it (``path`` includes the query string)."""

    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes

    @property
    def action(self) -> str | None:
        """The AWS API action: ``X-Amz-Target``'s last part (JSON protocols) or ``Action=`` (query)."""
        target = self.headers.get("x-amz-target")
        if target:
            return target.rsplit(".", 1)[-1]
        query = urlsplit(self.path).query
        for source in (query, self.body.decode("utf-8", "replace") if self.body else ""):
            found = parse_qs(source).get("Action")
            if found:
                return found[0]
        return None

    def form(self) -> dict[str, str]:
        """The query-protocol parameters (IAM, STS): ``RoleName``, ``PolicyName``, ..."""
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8", "replace")).items()}

    def json(self) -> Any:
        return json.loads(self.body or b"{}")


@dataclass
class Response:
    """An upstream answer, as the proxy will send it (``Content-Length`` is recomputed)."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Rule:
    """What to do with the requests that match.

    A request matches when ``method`` (empty: any) equals its method, ``path`` (a regular
    expression, searched in the path and query) matches, ``action`` (empty: any) is its AWS
    API action, and ``when`` (if given) returns true. The first matching rule that still has
    uses left (``once``: one; ``times``: N; else every time) decides; ``hits`` counts its uses.

    With ``error`` set, the answer is the error it chooses for the request (its status, code
    and shape: :func:`throttling`). With none of ``before``, ``delay``, ``edit_request``,
    ``rewrite``, ``cut`` or ``corrupt`` set, the answer is the error AWS sends: ``status`` and
    ``code``, as JSON for JSON protocols (``json_protocol``, or any request carrying
    ``X-Amz-Target``), else as XML.
    Otherwise the request is forwarded: after ``delay`` seconds and the ``before`` side
    effect, with ``edit_request`` applied; the answer is passed through ``rewrite``, or
    ``corrupt``-ed (bytes flipped, every header kept), or ``cut`` (the full
    ``Content-Length`` header, then only that fraction of the body, then the connection closes).
    """

    method: str = ""
    path: str = ""
    status: int = 403
    code: str = "AccessDenied"
    json_protocol: bool = False  # REST-JSON services (Lambda) vs XML (S3, CloudFront, Route53, IAM)
    before: Callable[[], None] | None = None  # a side effect; then forward instead of failing
    error: Callable[[Request], Throttle] | None = None  # the error to answer, chosen per request
    once: bool = False
    hits: int = 0
    action: str = ""
    when: Callable[[Request], bool] | None = None
    times: int | None = None
    delay: float = 0.0
    edit_request: Callable[[Request], None] | None = None
    rewrite: Callable[[Response], Response] | None = None
    cut: float | None = None
    corrupt: bool = False

    @property
    def forwards(self) -> bool:
        return any((self.before, self.delay, self.edit_request, self.rewrite, self.cut is not None, self.corrupt))

    def matches(self, req: Request) -> bool:
        if self.method and self.method != req.method:
            return False
        if self.path and not re.search(self.path, req.path):
            return False
        if self.action and self.action != req.action:
            return False
        return self.when is None or bool(self.when(req))

    def left(self) -> bool:
        limit = 1 if self.once else self.times
        return limit is None or self.hits < limit


def edit_json(edit: Callable[[Any], Any]) -> Callable[[Response], Response]:
    """A ``rewrite`` that changes a JSON answer: *edit* gets the parsed body, changes it in
    place or returns a replacement. ``x-amz-crc32`` (DynamoDB) is recomputed, so the answer is
    a well-formed, complete HTTP response whose content is what is wrong."""

    def rewrite(resp: Response) -> Response:
        data = resp.json()
        out = edit(data)
        return replace_body(resp, json.dumps(data if out is None else out).encode())

    return rewrite


def truncate_body(fraction: float = 0.5) -> Callable[[Response], Response]:
    """A ``rewrite`` that keeps only the first *fraction* of the body, with a matching length."""
    return lambda resp: replace_body(resp, resp.body[: int(len(resp.body) * fraction)])


def replace_body(resp: Response, body: bytes) -> Response:
    headers = [(k, str(zlib.crc32(body)) if k.lower() == "x-amz-crc32" else v) for k, v in resp.headers]
    return Response(resp.status, headers, body)


def flip_bytes(data: bytes) -> bytes:
    """The same length, a few bytes in the middle inverted."""
    if not data:
        return data
    out = bytearray(data)
    for i in {len(out) // 2, len(out) // 3, len(out) - 1}:
        out[i] ^= 0xFF
    return bytes(out)


def error_body(rule: Rule, req: Request) -> tuple[bytes, str]:
    """The error document AWS sends, in the request's protocol (botocore parses the code from it)."""
    return error_document(rule.code, rule.json_protocol or "x-amz-target" in req.headers)


def error_document(code: str, as_json: bool, message: str = "denied by test proxy",
                   ec2: bool = False) -> tuple[bytes, str]:
    """An AWS error answer with *code*: JSON, or XML (EC2's own shape where *ec2*)."""
    if as_json:
        payload = {"__type": code, "message": message, "Message": message, "Type": "User"}
        return json.dumps(payload).encode(), "application/x-amz-json-1.0"
    if ec2:
        xml = (f'<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>{code}</Code>'
               f"<Message>{message}</Message></Error></Errors><RequestID>fault-proxy</RequestID></Response>")
        return xml.encode(), "text/xml"
    # <ErrorResponse><Error> is what the query (IAM) and REST-XML (CloudFront, Route53) services send;
    # botocore's S3 parser reads it too
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Type>Sender</Type>'
           f"<Code>{code}</Code><Message>{message}</Message></Error>"
           "<RequestId>fault-proxy</RequestId></ErrorResponse>")
    return xml.encode(), "application/xml"


# -- throttling, as each service does it ------------------------------------------------------------


@dataclass(frozen=True)
class Throttle:
    """One service's throttling answer: HTTP status, error code, and whether it is JSON."""

    status: int
    code: str
    json: bool


_SIGNED_SERVICE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request")
_REST_XML = frozenset({"s3", "cloudfront", "route53"})  # the rest of the REST services speak JSON


def signing_service(req: Request) -> str | None:
    """The service a request is signed for (SigV4's credential scope), or None if unsigned."""
    found = _SIGNED_SERVICE.search(req.headers.get("authorization", ""))
    return found.group(1) if found else None


def protocol(req: Request) -> str:
    """``json`` (X-Amz-Target), ``query`` (``Action=``), ``rest-xml`` or ``rest-json``."""
    if "x-amz-target" in req.headers:
        return "json"
    if req.action is not None:
        return "query"
    return "rest-xml" if signing_service(req) in _REST_XML else "rest-json"


def throttling(req: Request) -> Throttle:
    """The throttling error the request's service sends (see the module docstring)."""
    service, proto = signing_service(req), protocol(req)
    if service == "s3":
        return Throttle(503, "SlowDown", False)
    if service == "ec2":
        return Throttle(503, "RequestLimitExceeded", False)
    if proto == "json":
        return Throttle(400, "ThrottlingException", True)
    if proto == "rest-json":
        return Throttle(429, "TooManyRequestsException", True)
    return Throttle(400, "Throttling", False)  # query and REST-XML


@dataclass
class Throttler:
    """A ``when`` that picks, per service (its signing name and protocol: SES and SESv2 share a
    name), every ``every``-th request and the request numbers (1-based) listed in ``at``.
    Unsigned requests (Lambda code downloads) are never picked, nor counted. ``seen`` and
    ``picked`` count requests per service: with nothing to pick, it only counts."""

    every: int = 0
    at: dict[str, set[int]] = field(default_factory=dict)
    seen: dict[str, int] = field(default_factory=dict)
    picked: dict[str, int] = field(default_factory=dict)

    def __call__(self, req: Request) -> bool:
        service = signing_service(req)
        if service is None:
            return False
        key = f"{service}/{protocol(req)}"
        count = self.seen[key] = self.seen.get(key, 0) + 1
        if not ((self.every and count % self.every == 0) or count in self.at.get(key, ())):
            return False
        self.picked[key] = self.picked.get(key, 0) + 1
        return True


def throttle_every(every: int = 0, at: dict[str, set[int]] | None = None) -> tuple[Rule, Throttler]:
    """A rule that throttles every *every*-th request of each service and the request numbers
    *at* names, each with its own service's throttling error; and its counter."""
    counter = Throttler(every, at or {})
    return Rule(when=counter, error=throttling), counter


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True  # a held-up handler must not hold up stop()

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client killed mid-request (the signal tests do it on purpose) is not news


@dataclass
class FaultProxy:
    """An HTTP proxy to *upstream* that applies :class:`Rule` s; ``start()`` returns its URL."""

    upstream: str
    rules: list[Rule] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    front_lambda_code: bool = True

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.url = ""

    def pick(self, req: Request) -> Rule | None:
        """The rule that decides *req*, its use counted (atomically: ``once`` means once)."""
        with self._lock:
            self.log.append(f"{req.method} {req.path}" + (f" {req.action}" if req.action else ""))
            for rule in self.rules:
                if rule.left() and rule.matches(req):
                    rule.hits += 1
                    return rule
        return None

    def target(self, path: str) -> tuple[str, int, str]:
        """Where a request goes: (host, port, path)."""
        if path.startswith(FRONT):
            hostport, _, rest = path[len(FRONT):].partition("/")
            host, _, port = hostport.rpartition(":")
            return host, int(port), "/" + rest
        up = urlsplit(self.upstream)
        return up.hostname or "127.0.0.1", up.port or 80, path

    def front(self, req: Request, resp: Response) -> Response:
        """Point a GetFunction answer's ``Code.Location`` at this proxy."""
        if not (self.front_lambda_code and req.method == "GET" and "/functions/" in req.path
                and b'"Location"' in resp.body):
            return resp
        try:
            data = resp.json()
        except ValueError:
            return resp
        code = data.get("Code") if isinstance(data, dict) else None
        location = code.get("Location") if isinstance(code, dict) else None
        if not isinstance(location, str) or not location.startswith("http://"):
            return resp
        parts = urlsplit(location)
        code["Location"] = f"{self.url}{FRONT}{parts.hostname}:{parts.port or 80}{parts.path}" + (
            f"?{parts.query}" if parts.query else "")
        return replace_body(resp, json.dumps(data).encode())

    def start(self) -> str:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as botocore expects

            def _body(self) -> bytes:
                if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return b"".join(chunks)
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _handle(self) -> None:
                try:
                    self._serve()
                except OSError:  # the client went away (killed, timed out), or the upstream did
                    self.close_connection = True

            def _serve(self) -> None:
                req = Request(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, self._body())
                rule = proxy.pick(req)
                if rule is not None and rule.error is not None:
                    err = rule.error(req)
                    body, ctype = error_document(err.code, err.json, "Rate exceeded",
                                                 ec2=signing_service(req) == "ec2")
                    return self._send(Response(err.status, [("Content-Type", ctype),
                                                            ("x-amzn-ErrorType", err.code)], body))
                if rule is not None and not rule.forwards:
                    body, ctype = error_body(rule, req)
                    return self._send(Response(rule.status, [("Content-Type", ctype),
                                                             ("x-amzn-ErrorType", rule.code)], body))
                if rule is not None:
                    if rule.delay:
                        time.sleep(rule.delay)
                    if rule.before is not None:
                        rule.before()
                    if rule.edit_request is not None:
                        rule.edit_request(req)
                resp = proxy.front(req, self._forward(req))
                if rule is not None and rule.rewrite is not None:
                    resp = rule.rewrite(resp)
                if rule is not None and rule.corrupt:
                    resp = Response(resp.status, resp.headers, flip_bytes(resp.body))
                if rule is not None and rule.cut is not None:
                    return self._send_cut(resp, rule.cut)
                self._send(resp)

            def _forward(self, req: Request) -> Response:
                host, port, path = proxy.target(req.path)
                conn = http.client.HTTPConnection(host, port, timeout=120)
                try:
                    headers = {k: v for k, v in req.headers.items() if k not in _HOP_BY_HOP}
                    headers["host"] = f"{host}:{port}"
                    conn.request(req.method, path, body=req.body or None, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                    kept = [(k, v) for k, v in resp.getheaders() if k.lower() not in _HOP_BY_HOP]
                    if req.method == "HEAD" and resp.getheader("Content-Length") is not None:
                        kept.append(("Content-Length", resp.getheader("Content-Length") or "0"))
                    return Response(resp.status, kept, data)
                finally:
                    conn.close()

            def _status(self, resp: Response) -> None:
                if resp.header("Date") is None:
                    self.send_response(resp.status)
                else:  # the upstream's Date and Server, not a second pair
                    self.send_response_only(resp.status)

            def _send(self, resp: Response) -> None:
                self._status(resp)
                for k, v in resp.headers:
                    if k.lower() != "content-length":
                        self.send_header(k, v)
                head_length = resp.header("Content-Length") if self.command == "HEAD" else None
                self.send_header("Content-Length", head_length or str(len(resp.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(resp.body)
                self.wfile.flush()

            def _send_cut(self, resp: Response, fraction: float) -> None:
                self._status(resp)
                for k, v in resp.headers:
                    if k.lower() != "content-length":
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(resp.body)))  # the whole length is promised...
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(resp.body[: int(len(resp.body) * fraction)])  # ...and not delivered
                self.wfile.flush()
                self.close_connection = True

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = _handle  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self.url

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class IsolatedSandbox:
    """``gitsnap sandbox serve`` in its own process: a local AWS no other test resets.

    Args:
        workdir: where its ready file and log go.
        gitsnap: the gitsnap command.
        env: its environment.
        seed: start with the sample estate (else empty).
    """

    def __init__(self, workdir: Path, gitsnap: str, env: dict[str, str], seed: bool = True) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.ready = workdir / "sandbox.env"
        self.logfile = workdir / "sandbox.log"
        args = [gitsnap, "sandbox", "serve", "--port", "0", "--ready-file", str(self.ready)]
        # certificates stay pending, as the in-process sandbox's do (tests/conftest.py's moto_server):
        # a module's captures span minutes, and moto would issue them 60 s after seeding
        env = {"MOTO_ACM_VALIDATION_WAIT": "3600", **env}
        if not seed:
            args.append("--no-seed")
        with open(self.logfile, "wb") as log:
            self.proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.env = self._wait()
        self.endpoint = self.env["AWS_ENDPOINT_URL"]

    def _wait(self, seconds: float = 120) -> dict[str, str]:
        deadline = time.monotonic() + seconds  # a hang guard, not a timing assertion
        while time.monotonic() < deadline:
            if self.ready.exists() and self.ready.read_text().endswith("\n"):
                return dict(line.split("=", 1) for line in self.ready.read_text().splitlines() if "=" in line)
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the sandbox did not start:\n{self.logfile.read_text(errors='replace')}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# -- what every fault test checks ---------------------------------------------------------------


def error_line(err: str) -> str:
    """The one ``gitsnap: error: ...`` line stderr must be, and nothing else."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one error line, got:\n{err}"
    assert "Traceback" not in err and "internal error" not in err, err
    assert lines[0].startswith("gitsnap: error: "), err
    return lines[0]


def fsck(repo: Path) -> None:
    """``git fsck --strict`` finds nothing wrong (dangling objects are not wrong)."""
    proc = subprocess.run(["git", "-C", str(repo), "fsck", "--strict", "--no-progress"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    bad = [line for line in (proc.stdout + proc.stderr).splitlines()
           if line.strip() and not line.startswith(("dangling ", "notice: HEAD points to an unborn"))]
    assert not bad, "\n".join(bad)


def tmp_objects(repo: Path) -> list[str]:
    """Temporary object files a writer left behind under ``objects/``."""
    objects = repo / "objects" if (repo / "objects").is_dir() else repo / ".git" / "objects"
    return sorted(str(p.relative_to(objects)) for p in objects.rglob("tmp_obj_*"))


def copy_repo(template: Path, dest: Path) -> Path:
    """A private copy of a captured repository, for one test to capture into."""
    shutil.copytree(template, dest, symlinks=True)
    return dest
