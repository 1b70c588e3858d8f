"""The sandbox: an embedded local AWS endpoint with a sample estate."""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import click

from .app import cli


@cli.group()
def sandbox() -> None:
    """An embedded local AWS endpoint with a sample estate, to try gitsnap without an account."""


@sandbox.command("serve")
@click.option("--port", type=int, default=4566, show_default=True, help="Port on 127.0.0.1 (0: any free port).")
@click.option("--no-seed", is_flag=True, help="Start empty instead of with the sample estate.")
@click.option("--ready-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Once ready, write the environment (KEY=value lines, sourceable) here, for scripts.")
def sandbox_serve(port: int, no_seed: bool, ready_file: Path | None) -> None:
    """Run the local endpoint until interrupted (it keeps this terminal: use a second one)."""
    server, estate = _sandbox_modules()
    sb = server.Sandbox(port=port).start()  # a taken port: PortInUseError, exit 2, at once
    if not no_seed:
        estate.seed(sb.endpoint, sb.lightsail_endpoint)
    for line in transform_serve_text(sb.env(), _program()):
        click.echo(line)
    if ready_file:
        ready_file.write_text("".join(f"{k}={v}\n" for k, v in sb.env().items()))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sb.stop()


def transform_serve_text(env: dict[str, str], program: str) -> list[str]:
    """What ``sandbox serve`` prints once it is up: that it keeps running, where to go, what to
    export and type there. Pure."""
    return ["Local AWS endpoint running. It keeps running in this terminal until Ctrl-C;",
            "open a second terminal in this directory and run:", "",
            *(f"  export {k}={v}" for k, v in env.items()), "",
            f"  {program} init --repo snap",
            f"  {program} capture --repo snap --tag v1.0"]


def _program() -> str:
    """How the user can call gitsnap: 'gitsnap' when it is on PATH, else the path they ran."""
    here = os.path.realpath(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    found = shutil.which("gitsnap")
    return "gitsnap" if found and os.path.realpath(found) == here else (sys.argv[0] or "gitsnap")


@sandbox.command("change")
def sandbox_change() -> None:
    """Edit the sample estate (a page, a distribution, a function), as someone might."""
    _, estate = _sandbox_modules()
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        raise click.UsageError("AWS_ENDPOINT_URL is not set: point it at 'gitsnap sandbox serve'")
    for line in estate.change(endpoint):
        click.echo(f"changed {line}")


def _sandbox_modules() -> tuple[Any, Any]:
    from ..errors import UsageError

    try:
        from ..sandbox import estate, server
    except ImportError as exc:
        raise UsageError(f"the sandbox needs moto: pip install 'gitsnap[sandbox]' ({exc.name} missing)") from exc
    return server, estate
