"""Commands that audit: scan (secrets in history) and permissions (IAM policies)."""

from __future__ import annotations

import json
import sys

import click

from .app import Ctx, Exit, cli, load_config, open_store


@cli.command()
@click.argument("revs", nargs=-1, metavar="[REV]...")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--max-bytes", type=click.IntRange(min=0), default=8 * 1024 * 1024, show_default=True,
              help="Blobs larger than this are listed as skipped, not read.")
@click.pass_obj
def scan(c: Ctx, revs: tuple[str, ...], fmt: str, max_bytes: int) -> None:
    """Audit history (every ref, or what REV... reach) for secret values. Exit 1 if any is found."""
    from ..scan import render_json, render_text, scan_history, skipped_lines
    from ..secrets.detect import Detector

    report = scan_history(open_store(c), list(revs) or None, Detector(), max_bytes=max_bytes)
    click.echo(render_json(report) if fmt == "json" else render_text(report), nl=False)
    for line in skipped_lines(report, max_bytes):
        click.echo(line, err=True)
    sys.exit(Exit.DIFFERENCES if report.hits else Exit.OK)


@cli.command()
@click.option("--only", multiple=True, metavar="SERVICE", help="Only this service (repeatable).")
@click.option("--restore", "writes", is_flag=True,
              help="The policy a restore's writes need instead (attach it beside the read-only one).")
@click.pass_obj
def permissions(c: Ctx, only: tuple[str, ...], writes: bool) -> None:
    """Print the read-only IAM policy a capture needs, derived from the declarations.

    With [aws] organization = true in the config, the read-only policy also lets the caller list
    the Organization's accounts and assume [aws] organization_role in each.
    """

    from ..collectors.permissions import read_only_policy, restore_policy
    from ..collectors.registry import aws_services
    from ..errors import UsageError

    unknown = sorted(set(only) - aws_services())
    if unknown:
        raise UsageError(f"unknown service {unknown[0]!r}; known: {', '.join(sorted(aws_services()))}")
    if writes:
        click.echo(json.dumps(restore_policy(only), indent=2))
        return
    config = load_config(c)
    role = config.organization_role if config.organization else None
    click.echo(json.dumps(read_only_policy(only, role), indent=2))
