"""Shared fixtures: the moto server, the installed gitsnap command, git inspection helpers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import moto.settings
import pytest
from hypothesis import settings as hypothesis_settings

from gitsnap.sandbox import estate as sample
from gitsnap.sandbox.server import Sandbox

from .e2e import _state
from .e2e import estate as e2e
from .faults import FaultProxy

GITSNAP = shutil.which("gitsnap", path=os.path.dirname(sys.executable)) or "gitsnap"

# Hypothesis: no per-example deadline. On a loaded machine (two xdist workers and their gitsnap
# subprocesses on two cores) one example can take several times its usual time, and a deadline
# then fails a test for the machine's load, not for anything the code did. Every other setting
# is Hypothesis's default; HYPOTHESIS_PROFILE=default restores its deadline.
hypothesis_settings.register_profile("gitsnap", deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "gitsnap"))


@pytest.fixture(scope="session")
def moto_server() -> Iterator[Sandbox]:
    sb = Sandbox().start()
    # moto's ACM issues a pending certificate by itself 60 s after it was requested (read on each
    # describe, in this process), and capture records that status in a commit (test_drift's
    # certificate test). On a loaded machine a test's seed, capture and second capture can
    # straddle those 60 s: test_capture's no-change test once made a commit that way. A restored
    # estate (below) is also as old as its saved copy. So certificates stay pending for the
    # session unless MOTO_ACM_VALIDATION_WAIT says otherwise; a test may still set it.
    wait = moto.settings.ACM_VALIDATION_WAIT
    if "MOTO_ACM_VALIDATION_WAIT" not in os.environ:
        moto.settings.ACM_VALIDATION_WAIT = 3600
    yield sb
    moto.settings.ACM_VALIDATION_WAIT = wait
    sb.stop()


@pytest.fixture
def endpoint(moto_server: Sandbox) -> str:
    """A freshly reset moto server endpoint (state from earlier tests is gone)."""
    moto_server.reset()
    return moto_server.endpoint


# -- seeded once per worker, restored per test (tests/e2e/_state.py) ----------------------------

ESTATES: dict[str, Callable[[Sandbox], Any]] = {
    # gitsnap.sandbox.estate.seed(endpoint): the sample shops, no Lightsail
    "sample": lambda sb: sample.seed(sb.endpoint),
    # tests/e2e/estate.seed: the sample shops with Lightsail, and the edge-keys bucket
    "e2e": lambda sb: e2e.seed(sb.endpoint, sb.lightsail_endpoint),
}


@pytest.fixture(scope="session")
def states(moto_server: Sandbox) -> Iterator[_state.States]:
    saved = _state.States(moto_server)
    yield saved
    saved.close()


def _restore(states: _state.States, name: str) -> Any:
    return states.restore(name, lambda: ESTATES[name](states.sandbox))


@pytest.fixture
def sample_estate(endpoint: str, states: _state.States) -> dict:
    """The reset server holding the sample estate, exactly as ``sample.seed(endpoint)`` leaves it
    (seeded once per worker, a fresh copy per test); returns what ``seed`` returned."""
    return _restore(states, "sample")


@pytest.fixture
def e2e_estate(endpoint: str, states: _state.States) -> dict:
    """The reset server holding tests/e2e/estate.py's estate, exactly as ``estate.seed(endpoint,
    lightsail_endpoint)`` leaves it (once per worker, a copy per test); returns its ids and ``big``.
    The repository's config is the test's: ``estate.write_config(repo)`` (what ``build`` adds)."""
    return _restore(states, "e2e")


@pytest.fixture(scope="session")
def capture_once(moto_server: Sandbox, states: _state.States,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., _state.Template]]:
    """``capture_once(name, *args, setup=None)``: a :class:`_state.Template`, made once per worker.

    Estate *name* (see ESTATES) restored, a repository initialized as the ``gitsnap`` fixture does,
    ``setup(g, info)`` run if given (its return value, if not None, replaces info), then
    ``gitsnap *args``; the folder and the sandbox's state after that are the template. The same
    (name, args, setup) gives the same template, so tests (and modules) that would each seed and
    capture the same way share one capture; each test takes ``copy_of(template)``, its own copy.
    A *setup* must then be a module-level function (a new lambda each call is a new template).
    """
    made: dict[tuple[Any, ...], _state.Template] = {}

    def make(name: str, *args: str, setup: Callable[[Gitsnap, Any], Any] | None = None) -> _state.Template:
        key = (name, args, setup)
        if key not in made:
            info = _restore(states, name)
            root = tmp_path_factory.mktemp(f"template-{name}")
            g = Gitsnap(repo=root / "snap", env=base_env(root, moto_server.endpoint, moto_server.lightsail_endpoint))
            g("init")
            if setup is not None:
                changed = setup(g, info)
                info = info if changed is None else changed
            result = g(*args)
            made[key] = _state.Template(root, _state.save(moto_server), info, result)
        return made[key]

    yield make
    for template in made.values():
        template.saved.discard()


@pytest.fixture
def copy_of(tmp_path: Path, endpoint: str, moto_server: Sandbox) -> Callable[[_state.Template], tuple[Gitsnap, Any, Result]]:
    """``copy_of(template)``: this test's own copy of a template's folder (in tmp_path, as the
    ``gitsnap`` fixture would make it) and of its sandbox state; returns (Gitsnap, info, result)."""
    def take(template: _state.Template) -> tuple[Gitsnap, Any, Result]:
        assert not (tmp_path / "snap").exists(), "copy_of replaces the gitsnap fixture: take one of them"
        info, result = template.copy_to(moto_server, tmp_path)
        g = Gitsnap(repo=tmp_path / "snap", env=base_env(tmp_path, endpoint, moto_server.lightsail_endpoint))
        return g, info, result
    return take


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
