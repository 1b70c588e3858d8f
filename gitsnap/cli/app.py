"""The command group, its options, and the one table of exit codes.

Exit codes live here and nowhere else: :class:`Exit` is the table of codes and
:data:`EXIT_FOR` maps each typed error to one. Every gitsnap error prints as one
line; a traceback only with --debug. A closed pipe ends quietly; Ctrl-C (or SIGTERM)
stops at once, the lock released and nothing half-written.

Global options (``--repo``, ``--profile``, ...) are accepted before or after the subcommand, as
the AWS CLI's are: :class:`GitsnapGroup` moves those found after it to before it, once, here.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import sys
import time
import traceback
from collections.abc import MutableMapping
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any, NoReturn

import click

from .. import __version__
from ..errors import DeclinedError, GitsnapError, IncompleteError


class Exit(IntEnum):
    """Every exit code gitsnap uses (README "Exit codes" is generated from this table's docs)."""

    OK = 0  # success; no differences
    DIFFERENCES = 1  # differences found or changes pending (diff --exit-code, drift, parity, restore plan, scan)
    ERROR = 2  # error: usage, config, credentials, endpoint, repository, a failed read; nothing was written
    PARTIAL = 3  # partial: a snapshot was written with failures named, or export/restore/iac left something undone
    DECLINED = 4  # a confirmation was answered "no": nothing was changed
    INTERRUPTED = 130  # interrupted by Ctrl-C (SIGINT): nothing half-written, the lock released
    BROKEN_PIPE = 141  # the reader of the output went away (``gitsnap log | head``): ends quietly
    TERMINATED = 143  # stopped by SIGTERM (a scheduler's timeout): as for Ctrl-C


# Typed errors to exit codes, most specific first; any other GitsnapError is Exit.ERROR.
EXIT_FOR: tuple[tuple[type[GitsnapError], Exit], ...] = (
    (DeclinedError, Exit.DECLINED),
    (IncompleteError, Exit.PARTIAL),
    (GitsnapError, Exit.ERROR),
)


log = logging.getLogger("gitsnap")


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so it unwinds exactly like Ctrl-C."""


def code_for(exc: GitsnapError) -> Exit:
    return next(code for kind, code in EXIT_FOR if isinstance(exc, kind))


@dataclass
class Ctx:
    repo: Path
    config_path: str | None
    verbose: bool
    debug: bool
    profile: str | None = None  # --profile, already in AWS_PROFILE; also overrides [aws] profile
    region: str | None = None  # --region, already in AWS_REGION and AWS_DEFAULT_REGION


def utc_time(seconds: float) -> str:
    """A snapshot's time as log and forget print it: ``2026-12-01 04:20:25Z``."""
    return time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime(seconds))


def fail(message: str, debug: bool, code: int = Exit.ERROR) -> NoReturn:
    if debug:
        traceback.print_exc()
    click.echo(f"gitsnap: error: {message}", err=True)
    sys.exit(code)


def _quiet_pipe_exit() -> NoReturn:
    """The reader closed the pipe: say nothing, and keep Python from complaining at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os._exit(Exit.BROKEN_PIPE)


def _interrupted(exc: KeyboardInterrupt, debug: bool) -> NoReturn:
    """Stop now. Whatever was running has unwound its ``with`` blocks (the lock is released and
    refs only ever move last), so the worker threads still finishing a request are abandoned
    rather than waited for: ``os._exit`` keeps Ctrl-C within a second or two."""
    code = Exit.TERMINATED if isinstance(exc, Terminated) else Exit.INTERRUPTED
    if debug:
        traceback.print_exc()
    what = "terminated" if code == Exit.TERMINATED else "interrupted"
    try:
        click.echo(f"gitsnap: error: {what}; nothing half-done was written (refs and tags are as they were)", err=True)
        sys.stderr.flush()
        sys.stdout.flush()
    except (BrokenPipeError, OSError):
        pass
    os._exit(code)


def _arity(command: click.Command, token: str) -> tuple[str, int] | None:
    """If *token* is one of *command*'s options: its name and how many following arguments it
    takes (0 for a flag, or when the value is attached: ``--repo=x``, ``-nX``). Else None."""
    if token.startswith("--"):
        name, attached = token.split("=", 1)[0], "=" in token
    else:
        name, attached = token[:2], len(token) > 2
    for param in command.params:
        if isinstance(param, click.Option) and name in (*param.opts, *param.secondary_opts):
            takes = 0 if param.is_flag or param.count or attached else param.nargs
            return name, takes
    return None


def transform_hoisted(group: click.Group, ctx: click.Context, args: list[str]) -> list[str]:
    """*args* with the group's own options found after the subcommand moved to just before it,
    so ``gitsnap capture --repo x`` means ``gitsnap --repo x capture``. Pure (reads the commands).

    The tokens are walked with each command's own options in hand, so an option's value is
    never mistaken for an option or a subcommand (``capture -m --debug`` keeps its message;
    ``--repo diff`` is a path). An option the subcommand defines itself stays its own;
    everything after ``--`` is left alone; an unknown command is left for click to report."""
    at = 0
    while at < len(args) and args[at].startswith("-") and args[at] != "--":
        found = _arity(group, args[at])
        at += 1 + (found[1] if found else 0)
    if at >= len(args) or args[at] == "--":
        return args
    current = group.get_command(ctx, args[at])
    if current is None:
        return args
    moved: list[str] = []
    kept: list[str] = []
    i = at + 1
    while i < len(args):
        token = args[i]
        if token == "--":
            kept.extend(args[i:])
            break
        own = _arity(current, token) if token.startswith("-") and token != "-" else None
        ours = _arity(group, token) if own is None and token.startswith("-") and token != "-" else None
        if own is not None or ours is not None:
            takes = (own or ours)[1]  # type: ignore[index]
            (kept if own is not None else moved).extend(args[i:i + 1 + takes])
            i += 1 + takes
            continue
        if isinstance(current, click.Group) and not token.startswith("-"):
            current = current.get_command(ctx, token) or current  # a nested command (sandbox serve)
        kept.append(token)
        i += 1
    return [*args[:at], *moved, args[at], *kept]


class GitsnapGroup(click.Group):
    """Maps every error to its exit code, in one place; takes its options after the subcommand too."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, transform_hoisted(self, ctx, list(args)))

    def invoke(self, ctx: click.Context) -> Any:
        debug = "--debug" in sys.argv[1:]
        try:
            return super().invoke(ctx)
        except GitsnapError as exc:
            fail(str(exc), debug, code_for(exc))
        except KeyboardInterrupt as exc:
            _interrupted(exc, debug)
        except BrokenPipeError:
            _quiet_pipe_exit()
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except Exception as exc:  # a bug: still one line, unless --debug
            fail(f"internal error {type(exc).__name__}: {exc} (run with --debug for the traceback)", debug)


@click.group(cls=GitsnapGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--repo", type=click.Path(file_okay=False, path_type=Path), envvar="GITSNAP_REPO",
              default=None, help="Snapshot repository (default: $GITSNAP_REPO, else the current directory).")
@click.option("--config", "config_path", type=str, default=None,
              help="Config file (default: $GITSNAP_CONFIG, else gitsnap.toml in the repository).")
@click.option("-v", "--verbose", is_flag=True, help="Say more about what happens.")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.option("--profile", metavar="NAME", default=None,
              help="AWS profile for every AWS call, as the AWS CLI's --profile (sets AWS_PROFILE; "
                   "overrides [aws] profile).")
@click.option("--region", metavar="NAME", default=None,
              help="AWS region of the session, as the AWS CLI's --region (sets AWS_REGION and "
                   "AWS_DEFAULT_REGION; [aws] regions still decides what is captured).")
@click.version_option(__version__, prog_name="gitsnap")
@click.pass_context
def cli(ctx: click.Context, repo: Path | None, config_path: str | None, verbose: bool, debug: bool,
        profile: str | None, region: str | None) -> None:
    """Version a whole cloud estate in git: capture, diff, drift, parity, restore.

    Global options go before or after the command: 'gitsnap capture --repo snap' is
    'gitsnap --repo snap capture'.
    """
    level = logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="gitsnap: %(message)s", stream=sys.stderr)
    if not debug:
        for noisy in ("botocore", "boto3", "urllib3"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    set_aws_environment(os.environ, profile, region)
    ctx.obj = Ctx(repo=(repo or Path.cwd()), config_path=config_path, verbose=verbose, debug=debug,
                  profile=profile, region=region)


def set_aws_environment(environ: MutableMapping[str, str], profile: str | None, region: str | None) -> None:
    """Put --profile and --region where every AWS SDK looks, before any session is made.

    Through the environment rather than through each session: every botocore session gitsnap
    makes (capture, drift, restore, the role assumed for an account) then agrees, and a
    variable the user exported keeps working when the option is not given. AWS_DEFAULT_PROFILE
    is set too because botocore reads it before AWS_PROFILE."""
    if profile:
        environ["AWS_PROFILE"] = environ["AWS_DEFAULT_PROFILE"] = profile
    if region:
        environ["AWS_REGION"] = environ["AWS_DEFAULT_REGION"] = region


def open_store(c: Ctx) -> Any:
    from ..store import SnapshotStore

    return SnapshotStore(c.repo)


def fingerprint_of(store: Any) -> Any:
    from ..keys import fingerprinter

    return fingerprinter(store)


def load_config(c: Ctx) -> Any:
    from .. import config
    from ..collectors.registry import aws_services

    path, named = config.resolve_path(c.config_path, c.repo)
    loaded = config.load(path, required=named, known_services=aws_services())
    if c.profile and not loaded.accounts:  # the command line wins over the file; named accounts keep theirs
        return dataclasses.replace(loaded, profile=c.profile)
    return loaded


def check_only(only: tuple[str, ...]) -> None:
    from ..addresses import check_services
    from ..collectors import registry

    check_services(only, registry.aws_services() | registry.other_services())


def _on_sigterm(_signum: int, _frame: Any) -> None:
    raise Terminated


def main() -> None:
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        cli(prog_name="gitsnap")
    except BrokenPipeError:  # raised while click itself printed (usage, --help)
        _quiet_pipe_exit()
