"""Global options on the real command group: before or after the subcommand, --profile and
--region reaching the AWS SDK's environment, and help and --version as they were.

In-process with click's CliRunner. A probe command is added to the real group for the length
of a test (and removed after): it prints what the group made of its options, so what is
tested is the group's own parsing, not a copy of it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import botocore.session
import click
import pytest
from click.testing import CliRunner

from gitsnap.cli import cli
from gitsnap.cli.app import load_config

AWS_VARS = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION")


@click.command("probe")
@click.option("-m", "--message", default=None)
@click.argument("rest", nargs=-1)
@click.pass_obj
def probe(c, message: str | None, rest: tuple[str, ...]) -> None:
    click.echo(json.dumps({"repo": str(c.repo), "config": c.config_path, "verbose": c.verbose, "debug": c.debug,
                           "message": message, "rest": list(rest),
                           "env": {k: os.environ.get(k) for k in AWS_VARS}}))


@click.group("probe-group")
def probe_group() -> None:
    pass


@probe_group.command("inner")
@click.pass_obj
def probe_inner(c) -> None:
    click.echo(json.dumps({"repo": str(c.repo), "debug": c.debug}))


@click.command("probe-config")
@click.pass_obj
def probe_config(c) -> None:
    click.echo(json.dumps({"profile": load_config(c).profile}))


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator:
    """``run(*args, env=None)``: the real group with the probes, AWS variables cleared (and put
    back after the test, whatever the command set)."""
    for name in AWS_VARS:  # recorded (setenv records even an absent variable), then cleared
        monkeypatch.setenv(name, "-")
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.delenv("GITSNAP_REPO", raising=False)
    for command in (probe, probe_group, probe_config):
        cli.add_command(command)
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None):
        return runner.invoke(cli, list(args), env=env, prog_name="gitsnap", catch_exceptions=False)

    try:
        yield invoke
    finally:
        for name in ("probe", "probe-group", "probe-config"):
            cli.commands.pop(name, None)
        for name in AWS_VARS:  # the group set them in os.environ; monkeypatch then puts back the originals
            os.environ.pop(name, None)


def seen(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def test_global_options_work_after_the_subcommand(run, tmp_path):
    after = seen(run("probe", "--repo", str(tmp_path), "--config", "c.toml", "-v", "--debug"))
    before = seen(run("--repo", str(tmp_path), "--config", "c.toml", "-v", "--debug", "probe"))
    assert after == before
    assert (after["repo"], after["config"], after["verbose"], after["debug"]) == (str(tmp_path), "c.toml", True, True)


def test_after_the_subcommand_mixed_with_its_own_options_and_arguments(run, tmp_path):
    got = seen(run("probe", "a", "--repo=" + str(tmp_path), "-m", "hello", "b", "--debug"))
    assert (got["repo"], got["message"], got["rest"], got["debug"]) == (str(tmp_path), "hello", ["a", "b"], True)


def test_a_value_that_looks_like_a_command_or_an_option_stays_a_value(run):
    # --repo's value is a command's name; -m's value is a global option's name
    got = seen(run("--repo", "log", "probe", "-m", "--debug"))
    assert (Path(got["repo"]).name, got["message"], got["debug"]) == ("log", "--debug", False)
    got = seen(run("probe", "--repo", "capture"))
    assert Path(got["repo"]).name == "capture"


def test_a_later_repo_wins_and_double_dash_ends_the_options(run, tmp_path):
    got = seen(run("--repo", "first", "probe", "--repo", str(tmp_path)))
    assert got["repo"] == str(tmp_path)
    got = seen(run("probe", "--", "--repo", "x"))
    assert got["rest"] == ["--repo", "x"] and Path(got["repo"]) == Path.cwd()


def test_options_after_a_nested_command(run, tmp_path):
    got = seen(run("probe-group", "inner", "--repo", str(tmp_path), "--debug"))
    assert got == {"repo": str(tmp_path), "debug": True}


def test_profile_and_region_reach_the_aws_environment(run):
    got = seen(run("probe", "--profile", "jada", "--region", "eu-west-3"))
    assert got["env"] == {"AWS_PROFILE": "jada", "AWS_DEFAULT_PROFILE": "jada",
                          "AWS_REGION": "eu-west-3", "AWS_DEFAULT_REGION": "eu-west-3"}
    # every botocore session made after it (gitsnap makes its own) sees them
    session = botocore.session.Session()
    assert (session.profile, session.get_config_variable("region")) == ("jada", "eu-west-3")


def test_the_aws_cli_variables_keep_working_without_the_options(run, monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "exported")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    got = seen(run("probe"))
    assert got["env"]["AWS_PROFILE"] == "exported" and got["env"]["AWS_DEFAULT_REGION"] == "ap-south-1"
    got = seen(run("probe", "--profile", "flag"))  # the option wins over the variable, as in the AWS CLI
    assert got["env"]["AWS_PROFILE"] == "flag"


def test_profile_overrides_the_config_files_profile(run, tmp_path):
    config = tmp_path / "gitsnap.toml"
    config.write_text('[aws]\nprofile = "from-file"\n')
    assert seen(run("probe-config", "--config", str(config), "--repo", str(tmp_path)))["profile"] == "from-file"
    got = seen(run("probe-config", "--config", str(config), "--repo", str(tmp_path), "--profile", "from-flag"))
    assert got["profile"] == "from-flag"


def test_help_and_version_still_work(run):
    for args in (["--help"], ["-h"]):
        result = run(*args)
        assert result.exit_code == 0 and "Usage: gitsnap [OPTIONS] COMMAND" in result.output
        assert "--profile" in result.output and "--region" in result.output
    for args in (["capture", "--help"], ["capture", "-h"], ["capture", "--repo", "x", "-h"]):
        result = run(*args)
        assert result.exit_code == 0 and "Usage: gitsnap capture [OPTIONS]" in result.output, args
    for args in (["--version"], ["log", "--version"]):
        result = run(*args)
        assert result.exit_code == 0 and result.output.startswith("gitsnap, version "), args


def test_unknown_commands_and_options_are_still_refused(run):
    result = run("nosuch", "--repo", "x")
    assert result.exit_code == 2 and "No such command 'nosuch'" in result.output
    result = run("probe", "--nosuch")
    assert result.exit_code == 2 and "No such option '--nosuch'" in result.output


def test_a_profile_that_does_not_exist_says_to_check_the_profile_option(tmp_path, monkeypatch):
    """The AWS SDK's own error for a missing profile, as gitsnap says it: one line that names
    --profile (the option a user just typed) and how to list the profiles there are."""
    import botocore.exceptions as bx

    from gitsnap.collectors.aws.api import translate

    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    try:
        botocore.session.Session(profile="nosuch-profile").get_credentials()
    except bx.ProfileNotFound as exc:
        message = str(translate(exc, "sts:GetCallerIdentity"))
    else:
        pytest.fail("botocore found a profile that does not exist")
    assert "nosuch-profile" in message and "--profile" in message and "\n" not in message
