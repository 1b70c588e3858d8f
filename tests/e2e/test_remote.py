"""gitsnap push and clone end to end: the installed gitsnap, a capture against moto, and three
remotes as a user would set them up: a bare repository on disk (``git init --bare``), the
same served by ``git daemon`` (git://), and by ``git http-backend`` behind a tiny local HTTP
server (http://, with a user and token in the URL that must never be printed).

Each remote is read back with the git CLI (``git clone``, ``git fsck --strict``) and with
``gitsnap clone`` run as a second machine (another HOME, no keys), where the recipients arrived
and main is the same commit. In the bare repository's clone ``gitsnap log``, ``verify`` and
``keys show`` are run too; the other two clones hold the same commit id (which covers every
object under it) and pass ``git fsck --strict`` (every object there), so running the same
verify on them proves nothing more. One capture, made in this process (it is not what is
tested here), is shared by the module."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from unittest import mock

import pytest
from click.testing import CliRunner

from gitsnap.cli import cli
from gitsnap.sandbox import estate as sample

from ..conftest import GITSNAP as GITSNAP_BIN
from ..conftest import Gitsnap, base_env

pytestmark = pytest.mark.e2e

BUCKET = "remote-site"
TOKEN = "tok3n-SECRET-4711"


@pytest.fixture(scope="module")
def captured(moto_server, tmp_path_factory: pytest.TempPathFactory) -> Gitsnap:
    """A repository with one tagged capture of one bucket, and its [remote] url set to a bare
    repository (``remote.git`` beside it, made by ``git init --bare``)."""
    moto_server.reset()
    root = tmp_path_factory.mktemp("remote")
    g = Gitsnap(repo=root / "snap", env=base_env(root, moto_server.endpoint, moto_server.lightsail_endpoint))
    s3 = sample.clients(moto_server.endpoint)("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="index.html", Body=b"<h1>hello</h1>\n")
    bare = root / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    config = '[aws]\nservices = ["s3"]\n'
    with mock.patch.dict(os.environ, g.env):  # in this process: no interpreter to start and import
        assert CliRunner().invoke(cli, ["--repo", str(g.repo), "init"], catch_exceptions=False).exit_code == 0
        (g.repo / "gitsnap.toml").write_text(config)
        made = CliRunner().invoke(cli, ["--repo", str(g.repo), "capture", "--tag", "v1.0"], catch_exceptions=False)
    assert made.exit_code == 0, made.output
    # set after the capture: this module tests push and clone, not the push a capture makes itself
    (g.repo / "gitsnap.toml").write_text(config + f'[remote]\nurl = "{bare}"\n')
    return g


def second_machine(root: Path, g: Gitsnap) -> Gitsnap:
    """A runner for a clone in *root*, with a HOME of its own: no fingerprint key, no identity."""
    env = {**g.env, "HOME": str(root / "home2"), "XDG_CONFIG_HOME": str(root / "home2" / ".config")}
    return Gitsnap(repo=root / "copy", env=env)


def check_clone(g: Gitsnap, url: str, root: Path, *, read: bool = False) -> Gitsnap:
    """``gitsnap clone`` *url* as a second machine; what a user checks there (with *read*, also
    ``gitsnap log`` and ``gitsnap verify`` in the clone)."""
    other = second_machine(root, g)
    out = other("clone", url, str(other.repo)).out
    assert "Cloned 1 snapshot and 1 tag" in out
    assert "Copy the fingerprint key" in out and "copy the age identity by hand" in out
    assert "AGE-SECRET-KEY" not in out
    assert other.head() == g.head()
    if read:
        assert other("log").out.split()[0] == g.head()[:12]
        assert "verified" in other("verify").out  # exit 0 too: Gitsnap checks it
    assert recipients(other.repo) == recipients(g.repo) != []
    fsck = subprocess.run(["git", "-C", str(other.repo), "fsck", "--strict"], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stderr
    return other


def recipients(repo: Path) -> list[str]:
    out = subprocess.run(["git", "-C", str(repo), "config", "--get-all", "gitsnap.recipient"],
                         capture_output=True, text=True, check=True).stdout
    return out.split()


def git_clone_and_fsck(url: str, dest: Path, env: dict[str, str] | None = None) -> None:
    subprocess.run(["git", "clone", "-q", url, str(dest)], check=True, capture_output=True, env=env)
    assert (dest / "manifest.json").is_file()  # main, checked out: a real snapshot
    fsck = subprocess.run(["git", "-C", str(dest), "fsck", "--strict"], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stderr


def test_push_to_a_bare_repository_then_git_and_gitsnap_clone_it(captured: Gitsnap, tmp_path: Path) -> None:
    bare = captured.repo.parent / "remote.git"
    result = captured("push")  # [remote] url from the config
    assert result.out.strip() == f"pushed main and 1 tag to {bare}"
    git_clone_and_fsck(str(bare), tmp_path / "checkout")
    other = check_clone(captured, str(bare), tmp_path, read=True)
    shown = other("keys", "show").out  # what gitsnap itself reads in the clone
    assert [f"recipient: {r}" for r in recipients(captured.repo)] == \
        [line for line in shown.splitlines() if line.startswith("recipient:")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int) -> None:
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}")


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``git daemon`` serving an empty bare repository, receive-pack enabled; (URL, its path)."""
    root = tmp_path / "served"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(root / "snap.git")], check=True)
    port = _free_port()
    proc = subprocess.Popen(["git", "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack",
                             f"--base-path={root}", "--listen=127.0.0.1", f"--port={port}", str(root)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(port)
        yield f"git://127.0.0.1:{port}/snap.git", root / "snap.git"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_push_and_clone_over_git_daemon(captured: Gitsnap, daemon: tuple[str, Path], tmp_path: Path) -> None:
    url, path = daemon
    assert captured("push", "--to", url).out.strip() == f"pushed main and 1 tag to {url}"
    fsck = subprocess.run(["git", "-C", str(path), "fsck", "--strict"], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stderr
    git_clone_and_fsck(url, tmp_path / "checkout")
    check_clone(captured, url, tmp_path)


class GitHttp(BaseHTTPRequestHandler):
    """git's smart HTTP: each request handed to ``git http-backend`` as CGI (what Apache or nginx
    do in front of it). The user from the Authorization header becomes REMOTE_USER, which
    lets http-backend accept a push; the header itself is recorded, to show it was sent."""

    root: Path
    seen_auth: list[str]

    def _cgi(self) -> None:
        body = b""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                body += self.rfile.read(size)
                self.rfile.readline()
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path, _, query = self.path.partition("?")
        auth = self.headers.get("Authorization")
        if auth:
            self.seen_auth.append(auth)
        env = {"PATH": os.environ["PATH"], "GIT_PROJECT_ROOT": str(self.root), "GIT_HTTP_EXPORT_ALL": "1",
               "REQUEST_METHOD": self.command, "PATH_INFO": path, "QUERY_STRING": query,
               "CONTENT_TYPE": self.headers.get("Content-Type", ""), "CONTENT_LENGTH": str(len(body)),
               "REMOTE_USER": "alice" if auth else "", "REMOTE_ADDR": "127.0.0.1",
               "GIT_CONFIG_NOSYSTEM": "1"}
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        out = subprocess.run(["git", "http-backend"], input=body, capture_output=True, env=env).stdout
        head, _, payload = out.partition(b"\r\n\r\n")
        if not _:
            head, _, payload = out.partition(b"\n\n")
        status, headers = 200, []
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _cgi

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_backend(tmp_path: Path) -> Iterator[tuple[str, Path, list[str]]]:
    root = tmp_path / "http"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(root / "snap.git")], check=True)
    seen: list[str] = []
    handler = type("Handler", (GitHttp,), {"root": root, "seen_auth": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", root / "snap.git", seen
    finally:
        server.shutdown()
        server.server_close()


def test_push_and_clone_over_git_http_backend_never_printing_the_token(
        captured: Gitsnap, http_backend: tuple[str, Path, list[str]], tmp_path: Path) -> None:
    host, path, seen = http_backend
    url = f"http://alice:{TOKEN}@{host}/snap.git"
    pushed = captured("push", "--to", url, "-v")
    assert pushed.out.strip() == f"pushed main and 1 tag to http://{host}/snap.git"
    assert seen, "the credentials were sent"
    assert TOKEN not in pushed.out + pushed.err
    fsck = subprocess.run(["git", "-C", str(path), "fsck", "--strict"], capture_output=True, text=True)
    assert fsck.returncode == 0, fsck.stderr
    git_clone_and_fsck(f"http://{host}/snap.git", tmp_path / "checkout")
    other = check_clone(captured, url, tmp_path)
    assert TOKEN not in "".join(p.read_text("utf-8", "replace") for p in other.repo.glob("*") if p.is_file())
    shutil.rmtree(tmp_path / "checkout")


def test_capture_pushes_itself_and_shards_meet_on_the_remote(endpoint, moto_server, tmp_path: Path) -> None:
    """With ``[remote] url``: capture pushes main and its tag; a second machine (a clone) captures
    a shard and pushes only the shard ref; ``commit --from-shards`` fetches it, combines and
    pushes main. A capture from a repository the remote has moved past is committed here, and
    its push is refused with exit 2 and what to do, the remote untouched."""
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    config = f'[aws]\nservices = ["s3"]\n[remote]\nurl = "{remote}"\n'
    s3 = sample.clients(endpoint)("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="index.html", Body=b"<h1>one</h1>\n")
    first = Gitsnap(repo=tmp_path / "first", env=base_env(tmp_path, endpoint, moto_server.lightsail_endpoint))
    first("init")
    (first.repo / "gitsnap.toml").write_text(config)
    out = first("capture", "--tag", "v1.0").out
    assert f"pushed main and 1 tag to {remote}" in out, out
    git = ["git", "-C", str(remote)]
    assert subprocess.run([*git, "rev-parse", "main"], capture_output=True, text=True).stdout.strip() == first.head()

    job = Gitsnap(repo=tmp_path / "job", env=first.env)  # the same HOME: the same fingerprint key
    subprocess.run([GITSNAP_BIN, "clone", str(remote), str(job.repo)], env=first.env, check=True, capture_output=True)
    (job.repo / "gitsnap.toml").write_text(config)
    s3.put_object(Bucket=BUCKET, Key="index.html", Body=b"<h1>two</h1>\n")
    out = job("capture", "--shard", "web", "--only", "s3").out
    assert f"pushed 1 shard to {remote}" in out and "main" not in out.splitlines()[-1], out
    combined = first("commit", "--from-shards", "--tag", "v2.0").out
    assert "(1 shard)" in combined and "committed from 1 shard" in combined, combined
    assert f"pushed main and 1 tag to {remote}" in combined, combined
    assert subprocess.run([*git, "rev-parse", "main"], capture_output=True, text=True).stdout.strip() == first.head()
    assert subprocess.run([*git, "fsck", "--strict"], capture_output=True).returncode == 0

    s3.put_object(Bucket=BUCKET, Key="index.html", Body=b"<h1>three</h1>\n")
    before = subprocess.run([*git, "for-each-ref"], capture_output=True, text=True).stdout
    stale = job("capture", check=False)  # its main is still v1.0: the remote has v2.0 since
    assert stale.code == 2 and "someone else pushed" in stale.err and stale.err.count("\n") == 1, stale.err
    assert "committed" in stale.out  # the snapshot is kept here
    assert subprocess.run([*git, "for-each-ref"], capture_output=True, text=True).stdout == before

    # forget with a remote: refused where the remote is ahead; where it is in step, the rewritten
    # main and tags go to the remote with a lease, and a plain push is in step again afterwards
    job_log = job("log").out
    refused = job("forget", "--keep-last", "1", "--apply", check=False)
    assert refused.code == 2 and "nothing was forgotten" in refused.err, refused.err
    assert job("log").out == job_log
    forgot = first("forget", "--keep-last", "1", "--apply").out
    assert "rewrote 3 refs on" in forgot, forgot  # main, v2.0 moved, v1.0 deleted
    assert subprocess.run([*git, "rev-parse", "main"], capture_output=True, text=True).stdout.strip() == first.head()
    assert subprocess.run([*git, "tag"], capture_output=True, text=True).stdout.split() == ["v2.0"]
    assert subprocess.run([*git, "rev-list", "--count", "main"], capture_output=True, text=True).stdout.strip() == "1"
    assert "up to date" in first("push").out
    assert subprocess.run([*git, "fsck", "--strict"], capture_output=True).returncode == 0
