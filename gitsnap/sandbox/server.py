"""A moto server on loopback, plus the one thing moto cannot serve: Lambda code downloads.

moto answers ``GetFunction`` with a ``Code.Location`` on an AWS host that does not
exist, and ``GetLayerVersion`` with a ``Content.Location`` of ``s3://``, so neither package
could be fetched. The sandbox runs moto in this process, rewrites both locations to a small
local HTTP server, and serves each function's and layer version's real zip bytes from moto's
own state there. gitsnap then downloads the package exactly as it would from AWS: over HTTP,
from a pre-signed URL.
"""

from __future__ import annotations

import errno
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from moto.awslambda import models as lambda_models
from moto.server import ThreadedMotoServer

from ..errors import GitsnapError
from .cloudfront import install as install_cloudfront
from .lightsail import FakeLightsail

_code_server: ThreadingHTTPServer | None = None
_patched = False
_lock = threading.Lock()


class _CodeHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        parts = [unquote(p) for p in self.path.strip("/").split("/")]
        try:
            backend = lambda_models.lambda_backends[parts[1]][parts[2]]
            if parts[0] == "layer":  # /layer/<account>/<region>/<name>/<version>
                body = backend.get_layer_version(parts[3], parts[4]).code_bytes
            else:  # /code/<account>/<region>/<function>
                _, _, _, name = parts
                body = backend.get_function(name).code_bytes
        except Exception:  # unknown function or layer version, or malformed path
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/zip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def _serve_lambda_code() -> None:
    """Start the code server once and point moto's Code.Location at it."""
    global _code_server, _patched
    with _lock:
        if _code_server is None:
            _code_server = ThreadingHTTPServer(("127.0.0.1", 0), _CodeHandler)
            threading.Thread(target=_code_server.serve_forever, daemon=True).start()
        if _patched:
            return
        original = lambda_models.LambdaFunction.get_code

        def get_code(self: Any) -> dict[str, Any]:
            resp = original(self)
            if "Code" in resp and resp["Code"].get("RepositoryType") == "S3":
                port = _code_server.server_address[1]  # type: ignore[union-attr]
                resp["Code"]["Location"] = (
                    f"http://127.0.0.1:{port}/code/{self.account_id}/{self.region}/{self.function_name}"
                )
            return resp

        lambda_models.LambdaFunction.get_code = get_code  # type: ignore[method-assign]
        original_layer = lambda_models.LayerVersion.get_layer_version

        def get_layer_version(self: Any) -> dict[str, Any]:
            resp = original_layer(self)
            port = _code_server.server_address[1]  # type: ignore[union-attr]
            resp["Content"]["Location"] = (
                f"http://127.0.0.1:{port}/layer/{self.account_id}/{self.region}/{self.name}/{self.version}"
            )
            return resp

        lambda_models.LayerVersion.get_layer_version = get_layer_version  # type: ignore[method-assign]
        _patched = True


class PortInUseError(GitsnapError):
    """The sandbox's port is taken (another sandbox, LocalStack, ...)."""


def check_port_free(host: str, port: int) -> None:
    """Raise PortInUseError now if *port* cannot be listened on.

    moto's server binds in its own thread: when the port is taken, werkzeug exits that thread
    and moto's ``start`` waits forever for a ready signal that never comes. So the bind is
    tried here first, with the same SO_REUSEADDR the server will use (a port in TIME_WAIT is free)."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            why = "is already in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc.strerror})"
            raise PortInUseError(f"port {port} on {host} {why} (another 'gitsnap sandbox serve'?): stop what "
                                 "holds it, or pass --port 0 to pick a free port") from exc


class Sandbox:
    """A running local AWS endpoint."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host, self._port = host, port
        self._server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
        self.endpoint = ""
        self.lightsail = FakeLightsail()  # moto has no Lightsail
        self.lightsail_endpoint = ""

    def start(self) -> Sandbox:
        check_port_free(self._host, self._port)  # before moto's start, which would hang
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
        _serve_lambda_code()
        install_cloudfront()  # before moto answers its first CloudFront request
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        self.lightsail_endpoint = self.lightsail.start()
        return self

    def reset(self) -> None:
        """Forget every resource (moto's and the Lightsail fake's)."""
        import urllib.request

        urllib.request.urlopen(urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")).read()
        self.lightsail.reset()

    def stop(self) -> None:
        self._server.stop()
        self.lightsail.stop()

    def env(self) -> dict[str, str]:
        """Environment variables that point AWS tools (gitsnap, aws, boto3) at the sandbox."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ENDPOINT_URL_LIGHTSAIL": self.lightsail_endpoint,
            "AWS_ACCESS_KEY_ID": "sandbox",
            "AWS_SECRET_ACCESS_KEY": "sandbox",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
        }

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
