"""Shared fixtures: the moto server, the installed gitsnap command, git inspection helpers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gitsnap.sandbox.server import Sandbox

from .faults import FaultProxy

GITSNAP = shutil.which("gitsnap", path=os.path.dirname(sys.executable)) or "gitsnap"


@pytest.fixture(scope="session")
def moto_server() -> Iterator[Sandbox]:
    sb = Sandbox().start()
    yield sb
    sb.stop()


@pytest.fixture
def endpoint(moto_server: Sandbox) -> str:
    """A freshly reset moto server endpoint (state from earlier tests is gone)."""
    moto_server.reset()
    return moto_server.endpoint


@dataclass
class Result:
    code: int
    out: str
    err: str


@dataclass
class Gitsnap:
    """Runs the installed ``gitsnap`` command against one repository, as a user would."""

    repo: Path
    env: dict[str, str]

    def __call__(self, *args: str, check: bool = True, env: dict[str, str] | None = None,
                 timeout: float = 300) -> Result:
        full_env = {**self.env, **(env or {})}
        proc = subprocess.run([GITSNAP, "--repo", str(self.repo), *args], capture_output=True,
                              text=True, env=full_env, timeout=timeout)
        result = Result(proc.returncode, proc.stdout, proc.stderr)
        if check and proc.returncode != 0:
            raise AssertionError(f"gitsnap {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
        return result

    def git(self, *args: str, binary: bool = False) -> str | bytes:
        out = subprocess.run(["git", "-C", str(self.repo), *args], capture_output=True, check=True)
        return out.stdout if binary else out.stdout.decode("utf-8")

    def head(self) -> str | None:
        proc = subprocess.run(["git", "-C", str(self.repo), "rev-parse", "--verify", "-q", "HEAD"],
                              capture_output=True, text=True)
        return proc.stdout.strip() or None

    def refs(self) -> str:
        return self.git("for-each-ref", "--format=%(refname) %(objectname)")  # type: ignore[return-value]

    def all_objects(self) -> bytes:
        """Every object in the repository, reachable or not, as git prints them."""
        return self.git("cat-file", "--batch-all-objects", "--batch", binary=True)  # type: ignore[return-value]

    def show(self, rev_path: str) -> bytes:
        return self.git("show", rev_path, binary=True)  # type: ignore[return-value]

    def manifest(self, rev: str = "HEAD") -> dict:
        return json.loads(self.show(f"{rev}:manifest.json"))


def base_env(tmp_path: Path, endpoint: str, lightsail: str = "") -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT", "PYTHONPATH")}
    return {
        **keep,
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "home" / ".config"),
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ENDPOINT_URL_LIGHTSAIL": lightsail,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "home" / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "home" / "aws-credentials"),
        "GIT_CONFIG_NOSYSTEM": "1",
    }


@pytest.fixture
def gitsnap(tmp_path: Path, endpoint: str, moto_server: Sandbox) -> Gitsnap:
    """An initialized snapshot repository and a runner pointed at the reset moto server."""
    g = Gitsnap(repo=tmp_path / "snap", env=base_env(tmp_path, endpoint, moto_server.lightsail_endpoint))
    g("init")
    return g


@pytest.fixture
def proxy(endpoint: str) -> Iterator[tuple[FaultProxy, str]]:
    """A fault-injecting proxy in front of the reset moto server, and its URL."""
    p = FaultProxy(endpoint)
    url = p.start()
    yield p, url
    p.stop()


@pytest.fixture
def fake_aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """AWS settings for an in-process fake (moto's ``mock_aws``, a Stubber): test keys, us-east-1,
    and nothing from this machine's own AWS config, profile, endpoint or retry settings."""
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION",
                 "AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
