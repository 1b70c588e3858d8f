"""The sandbox: an embedded local AWS endpoint with a sample estate."""

from __future__ import annotations

import os
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
    """Run the local endpoint until interrupted."""
    server, estate = _sandbox_modules()
    sb = server.Sandbox(port=port).start()
    if not no_seed:
        estate.seed(sb.endpoint, sb.lightsail_endpoint)
    click.echo("Local AWS endpoint running. In another shell:\n")
    for k, v in sb.env().items():
        click.echo(f"  export {k}={v}")
    click.echo("\nThen: gitsnap --repo snap init && gitsnap --repo snap capture --tag v1.0\nCtrl-C to stop.")
    if ready_file:
        ready_file.write_text("".join(f"{k}={v}\n" for k, v in sb.env().items()))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sb.stop()


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
