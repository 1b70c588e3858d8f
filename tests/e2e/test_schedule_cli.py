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
