"""A new user's first steps with the installed command: options after the subcommand, the apply
lines of a restore, counts in the singular, and ``sandbox serve`` when its port is taken or
when it starts.

These call the ``gitsnap`` executable directly (not the ``gitsnap`` fixture, which puts
``--repo`` first) so the options are where a user types them.
"""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import boto3

from ..conftest import GITSNAP, base_env


def run(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([GITSNAP, *args], capture_output=True, text=True, env=env, timeout=timeout)


def ok(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    proc = run(env, *args)
    assert proc.returncode == 0, f"gitsnap {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_options_after_the_subcommand_and_apply_lines_that_name_the_resource(sample_estate, endpoint, moto_server,
                                                                              tmp_path):
    env = base_env(tmp_path, endpoint, moto_server.lightsail_endpoint)
    repo = str(tmp_path / "snap")
    ok(env, "init", "--repo", repo)
    ok(env, "capture", "--repo", repo, "--tag", "v1.0", "--only", "lambda", "--region", "us-east-1")
    # the starter config defines prod and staging, so parity works before anyone edits it
    parity = run(env, "parity", "prod", "staging", "--repo", repo)
    assert parity.returncode in (0, 1) and "[environments]" not in parity.stderr, parity.stdout + parity.stderr
    boto3.client("lambda", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
                 aws_secret_access_key="testing").update_function_configuration(
        FunctionName="jada-event-processor", Timeout=42)
    diff = run(env, "drift", "v1.0", "--only", "lambda", "--repo", repo)
    assert diff.returncode == 1 and "lambda/jada-event-processor" in diff.stdout, diff.stdout + diff.stderr
    applied = ok(env, "restore", "v1.0", "lambda/jada-event-processor", "--apply", "--yes", "--no-capture", "--repo", repo)
    lines = [line for line in applied.stderr.splitlines() if "applied " in line]
    assert lines, applied.stderr
    assert all(line.startswith("lambda/jada-event-processor: applied ") for line in lines), applied.stderr


def test_one_resource_is_said_in_the_singular(endpoint, moto_server, tmp_path):
    env = base_env(tmp_path, endpoint, moto_server.lightsail_endpoint)
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
                      aws_secret_access_key="testing")
    s3.create_bucket(Bucket="one-bucket")
    s3.put_object(Bucket="one-bucket", Key="index.html", Body=b"<p>hi</p>")
    repo = str(tmp_path / "snap")
    ok(env, "init", "--repo", repo)
    out = ok(env, "capture", "--only", "s3", "--repo", repo).stdout
    assert "1 resource, 1 object (" in out, out
    assert "1 resources" not in out and "1 objects" not in out, out
    # and in what git keeps: the commit message's per-unit lines and MANIFEST.md
    import subprocess

    message = subprocess.run(["git", "-C", repo, "log", "-1", "--format=%B"], capture_output=True, text=True).stdout
    manifest = subprocess.run(["git", "-C", repo, "show", "HEAD:MANIFEST.md"], capture_output=True, text=True).stdout
    assert "/s3: 1 resource\n" in message, message
    assert "1 resource, 1 body (" in manifest, manifest


def test_sandbox_serve_on_a_taken_port_exits_2_with_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        # the timeout only keeps a hang (the old behaviour) from hanging the suite
        proc = run(base_env(tmp_path, "http://127.0.0.1:1"), "sandbox", "serve", "--no-seed", "--port", str(port),
                   timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert f"port {port}" in proc.stderr and "--port 0" in proc.stderr


def test_sandbox_serve_says_to_use_a_second_terminal(tmp_path):
    ready = tmp_path / "endpoint"
    proc = subprocess.Popen([GITSNAP, "sandbox", "serve", "--no-seed", "--port", "0", "--ready-file", str(ready)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=base_env(tmp_path, "http://127.0.0.1:1"))
    try:
        lines = []
        for line in proc.stdout:  # type: ignore[union-attr]  # the ready file is written after the text
            lines.append(line)
            if line.strip().endswith("--tag v1.0"):
                break
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    text = "".join(lines)
    assert "second terminal" in text and "Ctrl-C" in text, text
    assert "export AWS_ENDPOINT_URL=http://127.0.0.1:" in text
    assert Path(GITSNAP).name in text
