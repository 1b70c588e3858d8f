"""gitsnap schedule's generators (gitsnap/schedule.py): each output parsed the way its consumer
reads it, and the shell code in it run with a stand-in gitsnap that records its arguments."""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from gitsnap import schedule as sched
from gitsnap.cli import cli
from gitsnap.errors import UsageError

READ_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:ListAllMyBuckets"],
                                                       "Resource": "*"}]}
TRICKY = "/tmp/snap shots/50% of $HOME \"q\""  # a space, a specifier, a dollar and quotes


def fake_gitsnap(folder: Path, code: int = 0) -> Path:
    """An executable that writes its arguments, one per line, to args.txt and exits *code*."""
    path = folder / "gitsnap"
    path.write_text(f'#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done > "{folder}/args.txt"\nexit {code}\n')
    path.chmod(0o755)
    return path


def recorded(folder: Path) -> list[str]:
    return (folder / "args.txt").read_text().splitlines()


def tags_today(fmt: str = sched.DEFAULT_TAG_FORMAT) -> set[str]:
    return {datetime.now().strftime(fmt), datetime.now().astimezone().strftime(fmt)}


def job(tmp_path: Path, repo: str = "/srv/snapshots", **kw: object) -> sched.Job:
    return sched.Job(sched.Daily(2, 30), str(fake_gitsnap(tmp_path)), repo, **kw)  # type: ignore[arg-type]


def ini(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read_string(text)
    return parser


# -- inputs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, hour, minute", [("02:30", 2, 30), ("2:05", 2, 5), ("23:59", 23, 59), ("00:00", 0, 0)])
def test_daily_times_parse(text: str, hour: int, minute: int) -> None:
    assert sched.parse_daily(text) == sched.Daily(hour, minute)


@pytest.mark.parametrize("text", ["24:00", "02:60", "2:5", "0230", "02:30:00", "", "noon", "-1:30"])
def test_bad_daily_times_are_usage_errors(text: str) -> None:
    with pytest.raises(sched.ScheduleError, match="HH:MM") as err:
        sched.parse_daily(text)
    assert isinstance(err.value, UsageError)


@pytest.mark.parametrize("fmt, why", [
    ("v%Y.%m.%d", "'v'"), ("nightly", "same tag every day"), ("nightly %Y", "only letters"),
    ("nightly-$(rm)", "only letters"), ("a..%Y-%m-%d", "valid git tag"), ("-%Y-%m-%d", "valid git tag"),
    ("%e-%m", "valid git tag"),  # %e pads the day with a space
])
def test_tag_formats_that_would_break_a_night_are_refused(fmt: str, why: str) -> None:
    with pytest.raises(sched.ScheduleError, match=why):
        sched.check_tag_format(fmt)


def test_default_and_dated_tag_formats_are_accepted() -> None:
    for fmt in (sched.DEFAULT_TAG_FORMAT, "snap/%Y/%m-%d", "nightly-%Y-%m-%dT%H%M"):
        assert sched.check_tag_format(fmt) == fmt


# -- systemd ---------------------------------------------------------------------------------------


def test_systemd_user_units_parse_and_fire_daily(tmp_path: Path) -> None:
    units = sched.systemd_units(job(tmp_path))
    assert set(units) == {"gitsnap-capture.service", "gitsnap-capture.timer"}
    timer, service = ini(units["gitsnap-capture.timer"]), ini(units["gitsnap-capture.service"])
    assert timer["Timer"]["OnCalendar"] == "*-*-* 02:30:00"
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Timer"]["RandomizedDelaySec"] == "5min"
    assert timer["Install"]["WantedBy"] == "timers.target"
    assert service["Service"]["Type"] == "oneshot"
    assert "User" not in service["Service"]  # a user unit runs as its user
    assert "After" not in service["Unit"]  # a user manager has no network-online.target


def test_systemd_system_units_run_as_the_user_after_the_network(tmp_path: Path) -> None:
    service = ini(sched.systemd_units(job(tmp_path), system=True, run_as="alice")["gitsnap-capture.service"])
    assert service["Service"]["User"] == "alice"
    assert service["Unit"]["After"] == "network-online.target"


def systemd_unescape(exec_start: str) -> list[str]:
    """ExecStart= as systemd turns it into argv for the cases generated here (systemd.service(5),
    "Command lines"): specifiers (%% -> %), $NAME and ${NAME} replaced by the environment (empty
    here), $$ -> $, then quotes; shlex agrees with systemd on these quotes because the generated
    words hold no escapes other than \\\\ and \\"."""
    text = exec_start.replace("%%", "\0").replace("$$", "\1").replace("\0", "%")
    text = re.sub(r"\$\{\w+\}|\$\w+", "", text).replace("\1", "$")
    return shlex.split(text)


@pytest.mark.parametrize("repo", ["/srv/snapshots", TRICKY])
def test_systemd_exec_start_runs_capture_with_todays_tag(tmp_path: Path, repo: str) -> None:
    j = job(tmp_path, repo=repo, config="/etc/gitsnap 1.toml")
    line = ini(sched.systemd_units(j)["gitsnap-capture.service"])["Service"]["ExecStart"]
    subprocess.run(systemd_unescape(line), check=True, timeout=30)
    args = recorded(tmp_path)
    assert args[:-1] == ["--repo", repo, "--config", "/etc/gitsnap 1.toml", "capture", "--tag"]
    assert args[-1] in tags_today()


def test_systemd_environment_keeps_values_exact(tmp_path: Path) -> None:
    j = job(tmp_path, env=(("AWS_PROFILE", "my 100% profile"), ("AWS_REGION", "eu-west-1")))
    service = sched.systemd_units(j)["gitsnap-capture.service"]
    lines = [ln.removeprefix("Environment=") for ln in service.splitlines() if ln.startswith("Environment=")]
    assert [shlex.split(ln.replace("%%", "%"))[0] for ln in lines] == ["AWS_PROFILE=my 100% profile",
                                                                       "AWS_REGION=eu-west-1"]


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
@pytest.mark.parametrize("repo", ["/srv/snapshots", TRICKY])
def test_systemd_analyze_verifies_the_units(tmp_path: Path, repo: str) -> None:
    folder = tmp_path / "units"
    folder.mkdir()
    units = sched.systemd_units(job(tmp_path, repo=repo, env=(("AWS_PROFILE", "a b"),)))
    for name, text in units.items():
        (folder / name).write_text(text)
    done = subprocess.run(["systemd-analyze", "verify", *(str(folder / n) for n in sorted(units))],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "gitsnap-capture" not in done.stderr, done.stderr


# -- cron ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("repo", ["/srv/snapshots", TRICKY])
def test_cron_line_has_five_fields_and_runs_capture_with_todays_tag(tmp_path: Path, repo: str) -> None:
    comment, line = sched.cron_line(job(tmp_path, repo=repo, env=(("AWS_PROFILE", "p%1"),))).splitlines()
    assert comment.startswith("#")
    fields = line.split(None, 5)
    assert fields[:5] == ["30", "2", "*", "*", "*"]
    command = fields[5]
    assert "%" not in command.replace("\\%", "")  # cron would cut the line at a bare %
    # cron turns \% into % and hands the rest to /bin/sh
    subprocess.run(["/bin/sh", "-c", command.replace("\\%", "%")], check=True, timeout=30)
    args = recorded(tmp_path)
    assert args[:-1] == ["--repo", repo, "capture", "--tag"]
    assert args[-1] in tags_today()


# -- GitHub Actions --------------------------------------------------------------------------------


def workflow() -> dict:
    return yaml.safe_load(sched.github_workflow(sched.Daily(2, 30)))


def test_github_workflow_runs_daily_in_utc_with_oidc() -> None:
    wf = workflow()
    on = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on` key as true
    assert on["schedule"] == [{"cron": "30 2 * * *"}]
    assert "workflow_dispatch" in on
    assert wf["permissions"] == {"id-token": "write", "contents": "read"}
    steps = wf["jobs"]["capture"]["steps"]
    aws = next(s for s in steps if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@"))
    assert aws["with"]["role-to-assume"] == "${{ vars.GITSNAP_ROLE_ARN }}"
    assert "aws-access-key-id" not in aws["with"]
    assert any(s.get("run", "").startswith("pip install gitsnap") for s in steps)
    push = next(s for s in steps if "push" in s.get("name", "").lower())
    assert "--force" not in push["run"] and " +" not in push["run"]


def step(name: str) -> dict:
    return next(s for s in workflow()["jobs"]["capture"]["steps"] if s.get("name") == name)


@pytest.mark.parametrize("code, step_fails", [(0, False), (3, False), (2, True)])
def test_github_capture_step_pushes_partial_captures_and_stops_on_errors(tmp_path: Path, code: int,
                                                                        step_fails: bool) -> None:
    """The step's script run as GitHub runs it (bash -eo pipefail) with a stand-in gitsnap: a
    partial capture (3) wrote a snapshot, so the step passes it on to be pushed, then fails."""
    fake_gitsnap(tmp_path, code)
    out = tmp_path / "output"
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step("Capture")["run"]],
                          env={**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}", "GITHUB_OUTPUT": str(out)},
                          timeout=30)
    assert (done.returncode != 0) == step_fails
    assert out.read_text() == f"code={code}\n"
    assert recorded(tmp_path)[:2] == ["capture", "--tag"]
    assert recorded(tmp_path)[2] == datetime.now(UTC).strftime("nightly-%Y-%m-%d")
    fail = step("Fail a partial capture")
    assert fail["if"] == "steps.capture.outputs.code == '3'"


def test_github_workflow_refuses_to_run_without_the_fingerprint_key(tmp_path: Path) -> None:
    """Without the secret every night would make a new key and every secret would look changed."""
    script = step("Clone the snapshot history")["run"]
    done = subprocess.run(["bash", "-eo", "pipefail", "-c", script], capture_output=True, text=True, timeout=30,
                          env={**os.environ, "FINGERPRINT_KEY": "", "RUNNER_TEMP": str(tmp_path)})
    assert done.returncode == 2
    assert "GITSNAP_FINGERPRINT_KEY" in done.stdout
    assert not (tmp_path / "snapshots").exists()


# -- EventBridge Scheduler + CodeBuild -------------------------------------------------------------


def stack() -> dict:
    return json.loads(sched.eventbridge_stack(sched.Daily(2, 30), read_policy=READ_POLICY))


def test_eventbridge_schedule_starts_codebuild_daily() -> None:
    res = stack()["Resources"]
    schedule = res["Schedule"]["Properties"]
    assert res["Schedule"]["Type"] == "AWS::Scheduler::Schedule"
    assert schedule["ScheduleExpression"] == "cron(30 2 * * ? *)"
    assert schedule["Target"]["Arn"] == "arn:aws:scheduler:::aws-sdk:codebuild:startBuild"
    assert res["SchedulerRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Action": "codebuild:StartBuild", "Resource": {"Fn::GetAtt": ["Project", "Arn"]}}]


def test_eventbridge_capture_role_is_the_read_only_policy_plus_what_the_job_reads() -> None:
    policies = {p["PolicyName"]: p["PolicyDocument"] for p in stack()["Resources"]["CaptureRole"]["Properties"]["Policies"]}
    assert policies["gitsnap-read-only"] == READ_POLICY
    actions = {a for s in policies["gitsnap-run"]["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str)
                                                                         else s["Action"])}
    assert actions == {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "ssm:GetParameters",
                       "secretsmanager:GetSecretValue"}


def test_eventbridge_buildspec_captures_with_the_tag_and_never_forces_a_push() -> None:
    project = stack()["Resources"]["Project"]["Properties"]
    spec = yaml.safe_load(project["Source"]["BuildSpec"])
    script = spec["phases"]["build"]["commands"][0]
    assert 'gitsnap capture --tag "$(date +nightly-%Y-%m-%d)"' in script
    assert "--force" not in script and " +refs" not in script
    secrets = {v["Name"] for v in project["Environment"]["EnvironmentVariables"] if v["Type"] == "SECRETS_MANAGER"}
    assert secrets == {"GITSNAP_FINGERPRINT_KEY", "SNAPSHOT_REMOTE"}


# -- the command's refusals (in process; the e2e test drives the installed command) ----------------


def test_system_units_are_not_written_without_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "objects").mkdir()
    (tmp_path / "HEAD").write_text("ref: refs/heads/main\n")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    result = CliRunner().invoke(cli, ["--repo", str(tmp_path), "schedule", "--daily", "02:30", "--system", "--write"])
    assert result.exit_code == 2
    assert "needs root" in result.output


@pytest.mark.parametrize("args, says", [
    (["--kind", "cron", "--write"], "--write installs systemd units only"),
    (["--kind", "github", "--system"], "--system applies to --kind systemd only"),
    (["--kind", "launchd"], "choose one of systemd, cron, github, eventbridge"),
])
def test_options_that_do_not_apply_are_usage_errors(tmp_path: Path, args: list[str], says: str) -> None:
    result = CliRunner().invoke(cli, ["--repo", str(tmp_path), "schedule", "--daily", "02:30", *args])
    assert result.exit_code == 2
    assert says in result.output
