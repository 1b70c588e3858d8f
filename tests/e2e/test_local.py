"""Local paths and env files, captured by the installed CLI and read back with git."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

pytestmark = pytest.mark.e2e

ENV_SECRET = "sk_live_LOCALFAKE1234567890abcdef"
SOURCE_SECRET = "xoxb-LOCAL-0000000000-abcdefghijklmnop"


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "sites" / "sailjada"
    root.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    (root / ".gitignore").write_text("node_modules/\n*.log\n")
    (root / "index.html").write_text("<h1>Sail</h1>\n")
    (root / "events").mkdir()
    (root / "events" / "james-taylor.html").write_text("<p>6pm</p>\n")
    (root / "deploy.sh").write_text("#!/bin/sh\naws s3 sync . s3://sailjada-prod\n")
    os.chmod(root / "deploy.sh", 0o755)
    (root / "notify.js").write_text(f"const SLACK = '{SOURCE_SECRET}';\n")
    (root / "debug.log").write_text("ignored\n")
    (root / "node_modules").mkdir()
    (root / "node_modules" / "x.js").write_text("ignored\n")
    (root / ".env").write_text(f"STRIPE_SECRET_KEY={ENV_SECRET}\nSTAGE=prod\nUNSET=\n")
    (root / "latest.html").symlink_to("events/james-taylor.html")
    vendor = root / "vendor" / "theme"
    vendor.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(vendor)], check=True)
    (vendor / "theme.css").write_text("body{}\n")
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t",
           "PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    subprocess.run(["git", "-C", str(vendor), "add", "."], check=True, env=env)
    subprocess.run(["git", "-C", str(vendor), "commit", "-qm", "theme"], check=True, env=env)
    subprocess.run(["git", "-C", str(vendor), "remote", "add", "origin", "https://example.com/theme.git"], check=True)
    head = subprocess.run(["git", "-C", str(vendor), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    other_env = tmp_path / "tools" / ".env"
    other_env.parent.mkdir()
    other_env.write_text(f"export API_TOKEN={ENV_SECRET}\nDEBUG=\n")
    return root, other_env, head


def test_local_paths_and_env_files(gitsnap, site):
    root, other_env, vendor_head = site
    (gitsnap.repo / "gitsnap.toml").write_text(
        f'[local]\nenv_files = ["{other_env}"]\n[[local.paths]]\nname = "sailjada-site"\npath = "{root}"\n')
    result = gitsnap("capture", "--only", "local", "--tag", "v1.0")
    files = set(gitsnap.git("ls-tree", "-r", "--name-only", "v1.0", "local/").split())
    base = "local/sailjada-site"
    assert {f"{base}/files/index.html", f"{base}/files/events/james-taylor.html", f"{base}/files/deploy.sh",
            f"{base}/files/notify.js", f"{base}/files/.gitignore", f"{base}/path.json"} <= files
    assert not any("node_modules" in f or f.endswith("debug.log") or "vendor/theme/" in f or f.endswith("/.env")
                   for f in files)
    doc = json.loads(gitsnap.show(f"v1.0:{base}/path.json"))
    nested = doc["Repositories"]["vendor/theme"]
    assert (nested["head"], nested["remote"]) == (vendor_head, "https://example.com/theme.git")
    assert doc["Symlinks"] == {"latest.html": "events/james-taylor.html"}
    assert doc["Executables"] == ["deploy.sh"]
    assert doc["EnvFiles"][".env"] == [{"name": "STAGE", "set": True}, {"name": "STRIPE_SECRET_KEY", "set": True},
                                       {"name": "UNSET", "set": False}]
    env_doc = json.loads(gitsnap.show("v1.0:local/env/tools-env.json"))
    assert env_doc["Variables"] == [{"name": "API_TOKEN", "set": True}, {"name": "DEBUG", "set": False}]
    objects = gitsnap.all_objects()
    assert ENV_SECRET.encode() not in objects and SOURCE_SECRET.encode() not in objects
    assert "notify.js:1: slack-token" in result.err  # the guard says what it sealed, and where
    assert "local/sailjada-site" in gitsnap.manifest("v1.0")["resources"]
    # an edit shows as a file-level change with its text diff
    (root / "events" / "james-taylor.html").write_text("<p>5pm</p>\n")
    gitsnap("capture", "--only", "local")
    out = gitsnap("diff", "v1.0", "HEAD", "--content").out
    assert "local/sailjada-site  file files/events/james-taylor.html: changed" in out
    assert "-<p>6pm</p>" in out and "+<p>5pm</p>" in out


def test_missing_local_path_is_a_clear_error(gitsnap, tmp_path):
    (gitsnap.repo / "gitsnap.toml").write_text(f'[[local.paths]]\nname = "gone"\npath = "{tmp_path}/nope"\n')
    r = gitsnap("capture", "--only", "local", check=False)
    assert r.code == 2
    assert f"local/gone: {tmp_path}/nope is not a directory" in r.err and "Traceback" not in r.err


def test_local_restore_writes_into_a_directory_never_over_the_original(gitsnap, site, tmp_path):
    root, other_env, _ = site
    (gitsnap.repo / "gitsnap.toml").write_text(f'[[local.paths]]\nname = "sailjada-site"\npath = "{root}"\n')
    gitsnap("capture", "--only", "local", "--tag", "v1.0")
    (root / "index.html").write_text("<h1>changed</h1>\n")
    out = gitsnap("restore", "v1.0", "local/sailjada-site", "--to", str(tmp_path / "restored")).out
    assert "wrote" in out
    assert (tmp_path / "restored" / "index.html").read_text() == "<h1>Sail</h1>\n"
    assert (tmp_path / "restored" / "events" / "james-taylor.html").read_text() == "<p>6pm</p>\n"
    assert not (tmp_path / "restored" / ".env").exists()  # values were never stored, so never restored
    r = gitsnap("restore", "v1.0", "local/sailjada-site", "--to", str(root), check=False)
    assert r.code == 2 and "pass --apply to write over it" in r.err
    assert (root / "index.html").read_text() == "<h1>changed</h1>\n"
