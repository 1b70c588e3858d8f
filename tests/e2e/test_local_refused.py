"""A local path git refuses to read is captured with its .gitignore, and says so.

The issue's case: a site folder owned by another user. git refuses it ("detected dubious
ownership"), and the capture used to walk every file instead: secret.json and node_modules/
were committed, exit 0, not a word. A test cannot hand a folder to another owner without
root, so the refusal comes from a stand-in ``git`` put first on PATH for the capture only
(FAKE_GIT below): it prints git 2.39's exact message and exits 128, as git does when
``safe.directory`` does not cover a folder owned by someone else. (Where tests run as root,
tests/unit/test_local_gitignore.py also checks the real refusal of a chown'ed folder.)
"""

from __future__ import annotations

import os
import subprocess

import pytest

pytestmark = pytest.mark.e2e

FAKE_GIT = """#!/bin/sh
# git refusing a repository owned by another user; gitsnap runs it as: git -C <folder> ...
echo "fatal: detected dubious ownership in repository at '$2'" >&2
echo "To add an exception for this directory, call:" >&2
echo "" >&2
echo "	git config --global --add safe.directory $2" >&2
exit 128
"""


def test_a_folder_git_refuses_is_captured_without_its_ignored_files(gitsnap, tmp_path):
    site = tmp_path / "sites" / "shop"
    site.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(site)], check=True)
    (site / ".gitignore").write_text("secret.json\nnode_modules/\n")
    (site / "index.html").write_text("<h1>Shop</h1>\n")
    (site / "secret.json").write_text('{"stripe": "not for git"}\n')
    (site / "node_modules" / "left-pad").mkdir(parents=True)
    (site / "node_modules" / "left-pad" / "index.js").write_text("module.exports = 1\n")
    fake = tmp_path / "fakebin"
    fake.mkdir()
    (fake / "git").write_text(FAKE_GIT)
    (fake / "git").chmod(0o755)
    (gitsnap.repo / "gitsnap.toml").write_text(f'[[local.paths]]\nname = "shop"\npath = "{site}"\n')

    result = gitsnap("capture", "--only", "local", env={"PATH": f"{fake}{os.pathsep}{gitsnap.env['PATH']}"})

    stored = set(str(gitsnap.git("ls-tree", "-r", "--name-only", "HEAD", "local/shop/files/")).split())
    assert stored == {"local/shop/files/.gitignore", "local/shop/files/index.html"}
    assert b"not for git" not in gitsnap.all_objects()
    warning = (f"warning: local/shop: git refused to list {site} (detected dubious ownership in repository at "
               f"'{site}'); its .gitignore files were applied by gitsnap instead")
    unwrapped = "".join(result.err.split())  # the console folds lines (and long paths) at 80 columns
    assert "".join(warning.split()) in unwrapped, result.err
