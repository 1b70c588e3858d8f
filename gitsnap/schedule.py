"""gitsnap schedule: a nightly capture as a systemd timer, a cron line, a GitHub Actions workflow
or an EventBridge Scheduler + CodeBuild stack.

Every function here is pure (values in, text out); ``cli/schedule.py`` finds the paths, reads
the environment and writes the files. Each job runs ``gitsnap capture --tag TAG`` with TAG made
from the run's date by ``date +FORMAT`` (``nightly-%Y-%m-%d`` by default), so scheduled tags
never look like the ``v*`` tags people make by hand.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import __version__
from .errors import UsageError

KINDS = ("systemd", "cron", "github", "eventbridge")
DEFAULT_TAG_FORMAT = "nightly-%Y-%m-%d"
UNIT = "gitsnap-capture"  # gitsnap-capture.service, started by gitsnap-capture.timer
# What a scheduled run inherits from the shell that made the schedule: where the credentials,
# config and keys are, never a credential itself (no AWS_ACCESS_KEY_ID in a unit file).
PASS_ENV = ("AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
            "AWS_ENDPOINT_URL", "GITSNAP_CONFIG", "GITSNAP_KEY_FILE", "GITSNAP_IDENTITY")
TIMEOUT_HOURS = 4  # a hung capture is stopped (SIGTERM: exit 143, nothing half-written) before the next night

_TAG_CHARS = re.compile(r"[A-Za-z0-9._/%-]+")  # nothing a shell, cron or systemd would read specially but %
_SAFE_WORD = re.compile(r"[A-Za-z0-9_./:@+=,-]+")


class ScheduleError(UsageError):
    """A schedule that cannot be made: a bad time, tag format or combination of options."""


@dataclass(frozen=True)
class Daily:
    """A time of day, HH:MM."""

    hour: int
    minute: int

    def __str__(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"


def parse_daily(text: str) -> Daily:
    """``"02:30"`` -> ``Daily(2, 30)``; anything else is a :class:`ScheduleError`."""
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        raise ScheduleError(f"--daily {text!r} is not a time of day: give HH:MM, 00:00 to 23:59 (e.g. 02:30)")
    return Daily(int(m[1]), int(m[2]))


def check_kind(kind: str) -> str:
    """One of :data:`KINDS`, else a :class:`ScheduleError` that lists them."""
    if kind not in KINDS:
        raise ScheduleError(f"--kind {kind!r} is not a kind of schedule: choose one of {', '.join(KINDS)}")
    return kind


def check_tag_format(fmt: str) -> str:
    """The tag format, checked: a valid tag name for every date, a new one every day, never ``v*``."""
    if not _TAG_CHARS.fullmatch(fmt):
        raise ScheduleError(f"--tag-format {fmt!r}: use only letters, digits, '.', '_', '-', '/' and "
                            "strftime codes such as %Y-%m-%d")
    if fmt.startswith("v"):
        raise ScheduleError(f"--tag-format {fmt!r}: tags starting with 'v' are for the versions people tag by "
                            "hand; start scheduled tags otherwise (default nightly-%Y-%m-%d)")
    day1, day2 = (datetime(2026, 1, d, 3, 4, 5).strftime(fmt) for d in (2, 3))
    if day1 == day2:
        raise ScheduleError(f"--tag-format {fmt!r} gives the same tag every day, so the second night would fail: "
                            "include the date (%Y-%m-%d)")
    if not _valid_tag(day1):
        raise ScheduleError(f"--tag-format {fmt!r} makes {day1!r}, not a valid git tag name: "
                            "avoid '..', '//', and a leading or trailing '.', '/' or '-'")
    return fmt


def _valid_tag(name: str) -> bool:
    """git check-ref-format's rules that the allowed characters can still break."""
    parts = name.split("/")
    return (".." not in name and not name.endswith((".", "/", ".lock")) and not name.startswith("-")
            and all(p and not p.startswith(".") for p in parts) and " " not in name)


@dataclass(frozen=True)
class Job:
    """One nightly capture on this machine (systemd or cron)."""

    daily: Daily
    gitsnap: str  # the gitsnap command, absolute (cron's and systemd's PATH are not the shell's)
    repo: str  # the snapshot repository, absolute
    tag_format: str = DEFAULT_TAG_FORMAT
    config: str | None = None  # --config, absolute, when one was given
    env: tuple[tuple[str, str], ...] = ()  # PASS_ENV variables and their values

    def argv(self) -> list[str]:
        """The command up to the tag: ``gitsnap --repo R [--config C] capture``."""
        return [self.gitsnap, "--repo", self.repo, *(["--config", self.config] if self.config else []), "capture"]

    def tag_script(self) -> str:
        """The shell code that runs the command with today's tag appended."""
        return f'exec "$@" --tag "$(date +{self.tag_format})"'


# -- systemd ---------------------------------------------------------------------------------------


def _systemd_word(word: str, *, in_exec: bool) -> str:
    """One word of a unit file line: quoted as systemd unquotes it, its specifiers (%) escaped, and
    in ExecStart= its "$" too (systemd expands $VAR there, not in Environment=)."""
    if "\n" in word:
        raise ScheduleError(f"{word!r} has a line break: it cannot go into a unit file")
    if not _SAFE_WORD.fullmatch(word):
        word = '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'
    word = word.replace("%", "%%")
    return word.replace("$", "$$") if in_exec else word


def systemd_exec(job: Job) -> str:
    """The ExecStart= value: /bin/sh makes the tag with date(1), the rest are plain arguments."""
    script = "'" + job.tag_script().replace("%", "%%").replace("$", "$$") + "'"  # no ' or \ in it
    words = [_systemd_word(w, in_exec=True) for w in job.argv()]
    return " ".join(["/bin/sh", "-c", script, UNIT, *words])


def systemd_units(job: Job, *, system: bool = False, run_as: str | None = None) -> dict[str, str]:
    """``{"gitsnap-capture.service": ..., "gitsnap-capture.timer": ...}``: user units unless *system*.

    A system unit runs as *run_as* (``User=``) when given; it waits for the network, which a
    user manager has no target for.
    """
    made = f"generated by `gitsnap schedule --daily {job.daily}`; see docs/operations.md"
    network = ["Wants=network-online.target", "After=network-online.target"] if system else []
    user = [f"User={run_as.replace('%', '%%')}"] if system and run_as else []
    env = [f"Environment={_systemd_word(f'{k}={v}', in_exec=False)}" for k, v in job.env]
    service = [
        f"# gitsnap: the nightly capture ({made})",
        "[Unit]",
        f"Description=gitsnap capture into {job.repo.replace('%', '%%')}",
        *network,
        "",
        "[Service]",
        "Type=oneshot",
        *user,
        *env,
        f"ExecStart={systemd_exec(job)}",
        f"# SIGTERM stops a capture cleanly (exit 143, nothing half-written): give up after {TIMEOUT_HOURS} hours",
        f"TimeoutStartSec={TIMEOUT_HOURS}h",
        "Nice=10",
        "IOSchedulingClass=idle",
    ]
    timer = [
        f"# gitsnap: starts {UNIT}.service every day at {job.daily}, this machine's time ({made})",
        "[Unit]",
        f"Description=gitsnap capture every day at {job.daily}",
        "",
        "[Timer]",
        f"OnCalendar=*-*-* {job.daily}:00",
        "# a night missed while the machine was off runs at the next boot",
        "Persistent=true",
        "RandomizedDelaySec=5min",
        "",
        "[Install]",
        "WantedBy=timers.target",
    ]
    return {f"{UNIT}.service": "\n".join(service) + "\n", f"{UNIT}.timer": "\n".join(timer) + "\n"}


# -- cron ------------------------------------------------------------------------------------------


def cron_line(job: Job) -> str:
    """A crontab entry (with a comment line above it): % escaped as \\%, which cron unescapes."""
    env = [shlex.quote(f"{k}={v}") for k, v in job.env]
    words = [shlex.quote(w) for w in job.argv()]
    command = f"{' '.join(env + words)} --tag \"$(date +{job.tag_format})\"".replace("%", "\\%")
    return (f"# gitsnap: nightly capture at {job.daily}, this machine's time (add with crontab -e; "
            "cron mails the output, or append >> FILE 2>&1)\n"
            f"{job.daily.minute} {job.daily.hour} * * * {command}\n")


# -- GitHub Actions --------------------------------------------------------------------------------


def github_workflow(daily: Daily, tag_format: str = DEFAULT_TAG_FORMAT, *, pip_spec: str | None = None) -> str:
    """A workflow that assumes an AWS role by OIDC, clones the snapshot history from its own
    repository (``gitsnap clone``), captures, and pushes it back (``gitsnap push``, never forced).
    *daily* is UTC: GitHub runs schedules in UTC."""
    pip_spec = pip_spec or f"gitsnap=={__version__}"
    return _GITHUB.format(hhmm=daily, minute=daily.minute, hour=daily.hour, fmt=tag_format,
                          pip=shlex.quote(pip_spec), hours=TIMEOUT_HOURS * 60)


# str.format template: {{ and }} are GitHub's ${{ }} expressions.
_GITHUB = """\
# gitsnap: the nightly capture on GitHub Actions (generated by
# `gitsnap schedule --daily {hhmm} --kind github`; see docs/operations.md).
# Save as .github/workflows/gitsnap-capture.yml in the repository that holds gitsnap.toml, and set:
#   variable GITSNAP_ROLE_ARN   the read-only role this workflow assumes by OIDC (no stored AWS keys)
#   variable AWS_REGION         the region of the session (default us-east-1)
#   secret GITSNAP_FINGERPRINT_KEY   the contents of your fingerprint.key (the same key every night)
#   secret GITSNAP_SNAPSHOT_REMOTE   the snapshot repository's URL, one this job may push to, e.g.
#                                    https://x-access-token:TOKEN@github.com/OWNER/estate-snapshots.git
# The snapshot history lives in a repository of its own: push the first snapshot there by hand
# (gitsnap init; gitsnap capture --tag v1.0; gitsnap push --to URL). Each night clones it (the
# recipients come with it), captures, and pushes main and the new tag, never forced.
name: gitsnap nightly capture
on:
  schedule:
    - cron: "{minute} {hour} * * *"  # {hhmm} UTC: GitHub runs schedules in UTC, sometimes late
  workflow_dispatch: {{}}
permissions:
  id-token: write  # OIDC token for aws-actions/configure-aws-credentials
  contents: read  # gitsnap.toml; the snapshots are pushed with GITSNAP_SNAPSHOT_REMOTE's token
concurrency:
  group: gitsnap-capture
  cancel-in-progress: false
jobs:
  capture:
    runs-on: ubuntu-latest
    timeout-minutes: {hours}
    env:
      GITSNAP_CONFIG: ${{{{ github.workspace }}}}/gitsnap.toml
      SNAPSHOT_REMOTE: ${{{{ secrets.GITSNAP_SNAPSHOT_REMOTE }}}}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Install gitsnap
        run: pip install {pip}
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: ${{{{ vars.GITSNAP_ROLE_ARN }}}}
          role-session-name: gitsnap-capture
          aws-region: ${{{{ vars.AWS_REGION || 'us-east-1' }}}}
      - name: Clone the snapshot history
        env:
          FINGERPRINT_KEY: ${{{{ secrets.GITSNAP_FINGERPRINT_KEY }}}}
        run: |
          # A new key every night would make every fingerprinted secret look changed: refuse.
          test -n "$FINGERPRINT_KEY" || {{ echo "::error::set the secret GITSNAP_FINGERPRINT_KEY"; exit 2; }}
          test -n "$SNAPSHOT_REMOTE" || {{ echo "::error::set the secret GITSNAP_SNAPSHOT_REMOTE"; exit 2; }}
          umask 077
          printf '%s\\n' "$FINGERPRINT_KEY" > "$RUNNER_TEMP/fingerprint.key"
          echo "GITSNAP_KEY_FILE=$RUNNER_TEMP/fingerprint.key" >> "$GITHUB_ENV"
          echo "GITSNAP_REPO=$RUNNER_TEMP/snapshots" >> "$GITHUB_ENV"
          GITSNAP_KEY_FILE="$RUNNER_TEMP/fingerprint.key" gitsnap clone "$SNAPSHOT_REMOTE" "$RUNNER_TEMP/snapshots"
      - name: Capture
        id: capture
        run: |
          # 0: captured; 3: partial, a snapshot was written and names what failed: push it, then fail
          code=0
          gitsnap capture --tag "$(date -u +{fmt})" || code=$?
          echo "code=$code" >> "$GITHUB_OUTPUT"
          test "$code" = 0 -o "$code" = 3
      - name: Push the snapshot history
        # main and the new tag, never forced: if someone else pushed meanwhile this fails (exit 2)
        run: gitsnap push --to "$SNAPSHOT_REMOTE"
      - name: Fail a partial capture
        if: steps.capture.outputs.code == '3'
        run: |
          echo "::error::partial capture: the snapshot was pushed; its MANIFEST.md names what failed"
          exit 3
"""


# -- EventBridge Scheduler + CodeBuild -------------------------------------------------------------


def _buildspec(tag_format: str, pip_spec: str) -> str:
    """The CodeBuild job: clone the history (gitsnap clone), capture, push (gitsnap push); exit
    with capture's code."""
    script = f"""\
set -u
umask 077
work="$(mktemp -d)"
printf '%s\\n' "$GITSNAP_FINGERPRINT_KEY" > "$work/fingerprint.key"
printf '%s\\n' "$GITSNAP_TOML" > "$work/gitsnap.toml"
export GITSNAP_KEY_FILE="$work/fingerprint.key" GITSNAP_CONFIG="$work/gitsnap.toml"
export GITSNAP_REPO="$work/snapshots.git"
# the history so far, and the recipients it is sealed to (push the first snapshot by hand)
gitsnap clone "$SNAPSHOT_REMOTE" "$GITSNAP_REPO" || exit 2
# 0: captured; 3: partial, a snapshot was written and names what failed: push it, keep the code
code=0
gitsnap capture --tag "$(date +{tag_format})" || code=$?
if [ "$code" = 0 ] || [ "$code" = 3 ]; then
  # main and the new tag, never forced: if someone else pushed meanwhile this fails (exit 2)
  gitsnap push --to "$SNAPSHOT_REMOTE" || exit 2
fi
exit "$code"
"""
    block = "".join(f"        {line}\n" for line in script.splitlines())
    return ("version: 0.2\n"
            "env:\n  shell: bash\n"
            "phases:\n"
            f"  install:\n    commands:\n      - pip install {shlex.quote(pip_spec)}\n"
            f"  build:\n    commands:\n      - |\n{block}")


def _sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


def eventbridge_stack(daily: Daily, tag_format: str = DEFAULT_TAG_FORMAT, *, read_policy: dict[str, Any],
                      pip_spec: str | None = None) -> str:
    """A CloudFormation template (JSON): an EventBridge Scheduler schedule that starts a CodeBuild
    project every day at *daily* in the ``Timezone`` parameter's zone. The project runs with
    *read_policy* (``gitsnap permissions``) and reads its config, key and push URL from SSM and
    Secrets Manager, never from the template."""
    pip_spec = pip_spec or f"gitsnap=={__version__}"
    secret_arn = "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${%s}-*"
    run_policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": _sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/codebuild/"
                          "gitsnap-capture*")},
        {"Sid": "Config", "Effect": "Allow", "Action": "ssm:GetParameters",
         "Resource": _sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${ConfigParameter}")},
        {"Sid": "Secrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
         "Resource": [_sub(secret_arn % "FingerprintKeySecret"), _sub(secret_arn % "SnapshotRemoteSecret")]},
    ]}

    def assumed_by(service: str) -> dict[str, Any]:
        return {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}

    def env(name: str, kind: str, value: Any) -> dict[str, Any]:
        return {"Name": name, "Type": kind, "Value": value}

    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": (f"gitsnap: a capture every day at {daily} (generated by gitsnap schedule --kind eventbridge; "
                        "docs/operations.md)"),
        "Parameters": {
            "ConfigParameter": {"Type": "String", "Default": "/gitsnap/config",
                                "Description": "SSM parameter (String or SecureString) holding gitsnap.toml"},
            "FingerprintKeySecret": {"Type": "String", "Default": "gitsnap/fingerprint-key",
                                     "Description": "Secrets Manager secret name: the fingerprint key, the same every night"},
            "SnapshotRemoteSecret": {"Type": "String", "Default": "gitsnap/snapshot-remote",
                                     "Description": "Secrets Manager secret name: the snapshot repository's git URL "
                                                    "(https with a token that may push, never force)"},
            "Timezone": {"Type": "String", "Default": "UTC",
                         "Description": f"IANA time zone of {daily}, and of the date in the tag"},
            "Image": {"Type": "String", "Default": "aws/codebuild/standard:7.0"},
        },
        "Resources": {
            "CaptureRole": {"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": assumed_by("codebuild.amazonaws.com"),
                "Policies": [{"PolicyName": "gitsnap-read-only", "PolicyDocument": read_policy},
                             {"PolicyName": "gitsnap-run", "PolicyDocument": run_policy}]}},
            "Project": {"Type": "AWS::CodeBuild::Project", "Properties": {
                "Name": "gitsnap-capture",
                "ServiceRole": {"Fn::GetAtt": ["CaptureRole", "Arn"]},
                "Source": {"Type": "NO_SOURCE", "BuildSpec": _buildspec(tag_format, pip_spec)},
                "Artifacts": {"Type": "NO_ARTIFACTS"},
                "TimeoutInMinutes": TIMEOUT_HOURS * 60,
                "Environment": {"Type": "LINUX_CONTAINER", "ComputeType": "BUILD_GENERAL1_SMALL",
                                "Image": {"Ref": "Image"}, "EnvironmentVariables": [
                                    env("GITSNAP_TOML", "PARAMETER_STORE", {"Ref": "ConfigParameter"}),
                                    env("GITSNAP_FINGERPRINT_KEY", "SECRETS_MANAGER", {"Ref": "FingerprintKeySecret"}),
                                    env("SNAPSHOT_REMOTE", "SECRETS_MANAGER", {"Ref": "SnapshotRemoteSecret"}),
                                    env("TZ", "PLAINTEXT", {"Ref": "Timezone"})]}}},
            "SchedulerRole": {"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": assumed_by("scheduler.amazonaws.com"),
                "Policies": [{"PolicyName": "start-gitsnap-capture", "PolicyDocument": {
                    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "codebuild:StartBuild",
                                                            "Resource": {"Fn::GetAtt": ["Project", "Arn"]}}]}}]}},
            "Schedule": {"Type": "AWS::Scheduler::Schedule", "Properties": {
                "Name": "gitsnap-capture",
                "Description": f"gitsnap capture every day at {daily}",
                "ScheduleExpression": f"cron({daily.minute} {daily.hour} * * ? *)",
                "ScheduleExpressionTimezone": {"Ref": "Timezone"},
                "FlexibleTimeWindow": {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15},
                "Target": {"Arn": "arn:aws:scheduler:::aws-sdk:codebuild:startBuild",
                           "RoleArn": {"Fn::GetAtt": ["SchedulerRole", "Arn"]},
                           "Input": _sub('{"ProjectName": "${Project}"}'),
                           "RetryPolicy": {"MaximumRetryAttempts": 0}}}},
        },
        "Outputs": {"Project": {"Value": {"Ref": "Project"},
                                "Description": "aws codebuild start-build --project-name gitsnap-capture runs it now"}},
    }
    return json.dumps(template, indent=2) + "\n"
