"""gitsnap schedule: print (or, for systemd, install) a nightly capture."""

from __future__ import annotations

import getpass
import os
import shutil
import sys
from pathlib import Path

import click

from ..errors import UsageError
from .app import Ctx, cli


class UnitExistsError(UsageError):
    """A unit file is already installed and --force was not given."""


class NotRootError(UsageError):
    """System units were to be written by a user who cannot write them."""


def _gitsnap_command() -> str:
    """This gitsnap, absolute: a timer's or cron's PATH is not the shell's. Not resolved through
    symlinks, so a pipx or venv upgrade behind the same path keeps working."""
    argv0 = Path(sys.argv[0])
    if argv0.name == "gitsnap" and argv0.is_file():
        return str(argv0.absolute())
    found = shutil.which("gitsnap")
    if not found:
        raise UsageError("cannot find the gitsnap command on PATH: install it (make install, or pipx install .) "
                         "and run schedule again")
    return str(Path(found).absolute())


def _run_as() -> str | None:
    """The user a system unit runs as: whoever ran sudo, else this user unless root."""
    name = os.environ.get("SUDO_USER") or getpass.getuser()
    return None if name == "root" else name


def _unit_dir(system: bool) -> Path:
    if system:
        return Path("/etc/systemd/system")
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user"


def _check_repo(repo: Path) -> None:
    if not (repo / "objects").is_dir() or not (repo / "HEAD").is_file():
        raise UsageError(f"{repo} is not a snapshot repository: run 'gitsnap --repo {repo} init' first, "
                         "or pass --repo-dir")


def _write_units(units: dict[str, str], folder: Path, force: bool) -> list[Path]:
    paths = [folder / name for name in units]
    existing = [p for p in paths if p.exists()]
    if existing and not force:
        raise UnitExistsError(f"{existing[0]} already exists: pass --force to replace it "
                              "(nothing was written)")
    folder.mkdir(parents=True, exist_ok=True)
    for path in paths:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(units[path.name], "utf-8")
        tmp.replace(path)
    return paths


@cli.command()
@click.option("--daily", "daily_text", required=True, metavar="HH:MM",
              help="Time of day to capture (the machine's time; UTC for --kind github).")
@click.option("--kind", default="systemd", metavar="systemd|cron|github|eventbridge",
              show_default=True, help="systemd timer + service, a cron line, a GitHub Actions workflow, "
                                      "or an EventBridge Scheduler + CodeBuild CloudFormation template.")
@click.option("--user/--system", "user_units", default=True,
              help="systemd user units (default) or system units in /etc/systemd/system.")
@click.option("--tag-format", default="nightly-%Y-%m-%d", show_default=True, metavar="FORMAT",
              help="The tag each capture gets, a date(1)/strftime format; 'v*' tags are left for people.")
@click.option("--repo-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The snapshot repository the job captures into (default: --repo, else the current directory).")
@click.option("--write", is_flag=True, help="Install the systemd units instead of printing them.")
@click.option("--force", is_flag=True, help="With --write, replace units already installed.")
@click.pass_obj
def schedule(c: Ctx, daily_text: str, kind: str, user_units: bool, tag_format: str, repo_dir: Path | None,
             write: bool, force: bool) -> None:
    """Run a capture every day: print a systemd timer, cron line, GitHub workflow or EventBridge stack.

    Each run tags its snapshot from the date (nightly-2026-11-30). Nothing is enabled for you:
    --write installs systemd units and prints the systemctl command to run.
    """
    from .. import schedule as sched

    daily = sched.parse_daily(daily_text)
    kind = sched.check_kind(kind)
    tag_format = sched.check_tag_format(tag_format)
    if not user_units and kind != "systemd":
        raise sched.ScheduleError("--system applies to --kind systemd only")
    if write and kind != "systemd":
        raise sched.ScheduleError(f"--write installs systemd units only: print the {kind} schedule and save it "
                                  "where docs/operations.md says")
    if write and not user_units and os.geteuid() != 0:
        raise NotRootError("--system --write writes /etc/systemd/system, which needs root: run it with sudo, "
                           "or drop --write and install the printed units yourself")
    if kind == "github":
        click.echo(sched.github_workflow(daily, tag_format), nl=False)
        return
    if kind == "eventbridge":
        from ..collectors.permissions import read_only_policy

        click.echo(sched.eventbridge_stack(daily, tag_format, read_policy=read_only_policy(())), nl=False)
        return
    repo = (repo_dir or c.repo).expanduser().absolute()
    _check_repo(repo)
    config = str(Path(c.config_path).expanduser().absolute()) if c.config_path else None
    env = tuple((k, os.environ[k]) for k in sched.PASS_ENV if os.environ.get(k))
    job = sched.Job(daily, _gitsnap_command(), str(repo), tag_format, config, env)
    if kind == "cron":
        click.echo(sched.cron_line(job), nl=False)
        return
    units = sched.systemd_units(job, system=not user_units, run_as=None if user_units else _run_as())
    folder = _unit_dir(not user_units)
    if not write:
        for name, text in units.items():
            click.echo(f"# {folder / name}\n{text}")
        click.echo("gitsnap: printed only; --write installs these units", err=True)
        return
    for path in _write_units(units, folder, force):
        click.echo(f"wrote {path}")
    scope = "--user " if user_units else ""
    click.echo(f"enable it: systemctl {scope}daemon-reload && systemctl {scope}enable --now {sched.UNIT}.timer")
    if user_units:
        click.echo("to run while you are logged out: loginctl enable-linger")
