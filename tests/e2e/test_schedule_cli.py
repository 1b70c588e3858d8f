"""`gitsnap schedule` driven through the installed command, as a user sets up a nightly capture.

No cloud call is made (schedule only writes text), so no moto server; systemctl is never run.
"""

from __future__ import annotations

import configparser
import os
import subprocess
from pathlib import Path

from ..conftest import GITSNAP


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([GITSNAP, *args], env=env, capture_output=True, text=True, timeout=120)


def test_schedule_prints_writes_and_refuses(tmp_path: Path) -> None:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH")}
    env = {**keep, "HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "xdg"), "AWS_PROFILE": "jada"}
    repo = tmp_path / "snap"
    assert run(env, "--repo", str(repo), "init").returncode == 0

    printed = run(env, "--repo", str(repo), "schedule", "--daily", "02:30")
    assert printed.returncode == 0, printed.stderr
    assert "OnCalendar=*-*-* 02:30:00" in printed.stdout
    assert f"--repo {repo} capture" in printed.stdout
    assert "Environment=AWS_PROFILE=jada" in printed.stdout
    units = tmp_path / "xdg" / "systemd" / "user"
    assert not units.exists()  # printing writes nothing

    written = run(env, "--repo", str(repo), "schedule", "--daily", "02:30", "--write")
    assert written.returncode == 0, written.stderr
    assert "systemctl --user enable --now gitsnap-capture.timer" in written.stdout
    timer = configparser.ConfigParser(strict=False, interpolation=None)
    timer.read(units / "gitsnap-capture.timer")
    assert timer["Timer"]["OnCalendar"] == "*-*-* 02:30:00"
    service = (units / "gitsnap-capture.service").read_text()
    assert service in printed.stdout  # what --write installs is what was printed

    again = run(env, "--repo", str(repo), "schedule", "--daily", "03:00", "--write")
    assert again.returncode == 2
    assert again.stderr.count("\n") == 1 and "already exists: pass --force" in again.stderr
    assert (units / "gitsnap-capture.service").read_text() == service  # untouched

    forced = run(env, "--repo", str(repo), "schedule", "--daily", "03:00", "--write", "--force")
    assert forced.returncode == 0, forced.stderr
    assert "OnCalendar=*-*-* 03:00:00" in (units / "gitsnap-capture.timer").read_text()

    bad = run(env, "--repo", str(repo), "schedule", "--daily", "25:00")
    assert bad.returncode == 2
    assert bad.stdout == "" and bad.stderr.count("\n") == 1 and "HH:MM" in bad.stderr

    unknown = run(env, "--repo", str(repo), "schedule", "--daily", "02:30", "--kind", "launchd")
    assert unknown.returncode == 2
    assert unknown.stderr.count("\n") == 1 and "choose one of systemd, cron, github, eventbridge" in unknown.stderr

    cron = run(env, "--repo", str(repo), "schedule", "--daily", "02:30", "--kind", "cron")
    assert cron.returncode == 0, cron.stderr
    assert cron.stdout.splitlines()[1].split()[:5] == ["30", "2", "*", "*", "*"]



def test_the_github_and_eventbridge_jobs_clone_capture_and_push_night_after_night(tmp_path: Path,
                                                                                endpoint: str) -> None:
    """The jobs `--kind github` and `--kind eventbridge` print, their scripts run as the runners run
    them (bash; GitHub's $GITHUB_ENV and $GITHUB_OUTPUT files honoured), against the local AWS and a
    local bare repository standing in for the snapshot remote. The first snapshot is pushed by hand,
    as docs/operations.md says; then one night on each runner clones, captures and pushes."""
    import json

    import boto3
    import yaml

    from ..conftest import base_env

    env = base_env(tmp_path, endpoint)
    env["PATH"] = f"{Path(GITSNAP).parent}{os.pathsep}{env['PATH']}"  # where pip install puts gitsnap
    remote, mine = tmp_path / "remote.git", tmp_path / "mine"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
                      aws_secret_access_key="testing")
    s3.create_bucket(Bucket="nightly-site")
    s3.put_object(Bucket="nightly-site", Key="index.html", Body=b"<p>by hand</p>")
    config = tmp_path / "gitsnap.toml"
    config.write_text('[aws]\nservices = ["s3"]\n')
    for args in (("init",), ("capture", "--tag", "v1.0"), ("push", "--to", str(remote))):  # by hand, once
        done = run({**env, "GITSNAP_CONFIG": str(config)}, "--repo", str(mine), *args)
        assert done.returncode == 0, done.stderr
    key = (tmp_path / "home" / ".config" / "gitsnap" / "fingerprint.key").read_text().strip()

    # night 1: EventBridge starts CodeBuild, which runs the buildspec
    printed = run(env, "schedule", "--daily", "02:30", "--kind", "eventbridge", "--tag-format", "nightly-%Y-%m-%d-eb")
    assert printed.returncode == 0, printed.stderr
    spec = yaml.safe_load(json.loads(printed.stdout)["Resources"]["Project"]["Properties"]["Source"]["BuildSpec"])
    s3.put_object(Bucket="nightly-site", Key="index.html", Body=b"<p>night 1</p>")
    job = subprocess.run(["bash", "-c", spec["phases"]["build"]["commands"][0]], capture_output=True, text=True,
                         timeout=300, env={**env, "GITSNAP_FINGERPRINT_KEY": key, "SNAPSHOT_REMOTE": str(remote),
                                           "GITSNAP_TOML": config.read_text()})
    assert job.returncode == 0, job.stdout + job.stderr

    # night 2: GitHub Actions runs the workflow's steps in order
    printed = run(env, "schedule", "--daily", "02:30", "--kind", "github")
    steps = {s.get("name"): s for s in yaml.safe_load(printed.stdout)["jobs"]["capture"]["steps"]}
    s3.put_object(Bucket="nightly-site", Key="index.html", Body=b"<p>night 2</p>")
    runner = tmp_path / "runner"
    runner.mkdir()
    github = {**env, "RUNNER_TEMP": str(runner), "GITHUB_ENV": str(runner / "env"),
              "GITHUB_OUTPUT": str(runner / "output"), "GITSNAP_CONFIG": str(config), "SNAPSHOT_REMOTE": str(remote)}
    for name in ("Clone the snapshot history", "Capture", "Push the snapshot history"):
        added = dict(line.split("=", 1) for line in (runner / "env").read_text().splitlines()) \
            if (runner / "env").exists() else {}
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", steps[name]["run"]],
                              env={**github, **added, "FINGERPRINT_KEY": key}, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, f"{name}: {done.stdout}{done.stderr}"

    git = ["git", "-C", str(remote)]
    log = subprocess.run([*git, "log", "--format=%H", "main"], capture_output=True, text=True).stdout.split()
    assert len(log) == 3, log  # by hand, then one night on each runner
    tags = set(subprocess.run([*git, "tag"], capture_output=True, text=True).stdout.split())
    assert len(tags) == 3 and "v1.0" in tags and all(t.startswith("nightly-") for t in tags - {"v1.0"}), tags
    page = subprocess.run([*git, "show", "main:aws/123456789012/us-east-1/s3/bucket/nightly-site/objects.jsonl"],
                          capture_output=True, text=True).stdout
    assert page and subprocess.run([*git, "fsck", "--strict"], capture_output=True).returncode == 0
