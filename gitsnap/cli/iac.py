"""gitsnap iac: CloudFormation or Terraform from any snapshot."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .app import Ctx, Exit, cli, open_store


@cli.command(name="iac")
@click.argument("rev", default="HEAD")
@click.option("--format", "fmt", type=click.Choice(["cloudformation", "terraform"]), required=True,
              help="CloudFormation templates (YAML) or Terraform files (HCL with import blocks).")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True,
              help="Folder to write into: new or empty, unless --force.")
@click.option("--only", multiple=True, metavar="ADDRESS",
              help="Only these resources (an address or glob such as 's3/*'; repeatable).")
@click.option("--force", is_flag=True, help="Write into a folder that is not empty, replacing what gitsnap generated there.")
@click.pass_obj
def iac(c: Ctx, rev: str, fmt: str, out: Path, only: tuple[str, ...], force: bool) -> None:
    """Infrastructure as code for the estate as it was at REV (default HEAD).

    Every resource is emitted or listed in COVERAGE.md with the reason it was not; secrets
    become NoEcho parameters or sensitive variables, never values. Exit 3 when anything
    selected was left out.
    """
    from ..iac.run import check_output, run
    from ..store.snapshot import Snapshot

    check_output(out, force)  # before reading anything: a wrong folder is the cheapest mistake
    store = open_store(c)
    commit = store.resolve(rev)
    coverage = run(Snapshot.load(store, commit, lazy=True), commit, rev, fmt, out, only, force)
    click.echo(f"wrote {out}")
    click.echo(coverage.summary())
    if not coverage.complete:  # exit 3 so scripts notice; not an error: the output is written
        click.echo(f"gitsnap: partial: some of {rev} is not in {out}; {out / 'COVERAGE.md'} lists each resource, "
                   "field and object left out, and why", err=True)
        sys.exit(Exit.PARTIAL)
