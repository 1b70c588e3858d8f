"""Local paths: what is listed when git lists them, when git refuses them, and when git hangs.

The reference is git itself: on one tree with nested ``.gitignore`` files, negations,
directory patterns, ``.git/info/exclude`` and a global excludes file, gitsnap's own
ignore rules (used when git refuses a folder) must list exactly what
``git ls-files --cached --others --exclude-standard`` lists. git's refusal is real where the
test runs as root (the tree is handed to another owner, and git says "dubious
ownership"); a hung git is a stand-in script on PATH, since a real one cannot be made to hang
on cue.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from gitsnap.collectors.local import files

SLEEPY_GIT = """#!/bin/sh
# Stands in for a git that hangs (a stalled network file system, a slow hook): it never answers.
exec sleep 20
"""


@pytest.fixture(autouse=True)
def quiet_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """git sees no user or system config; the global excludes file is ours."""
    home = tmp_path / "home"
    (home / ".config" / "git").mkdir(parents=True)
    (home / ".config" / "git" / "ignore").write_text("*.swp\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_CONFIG_GLOBAL"):
        monkeypatch.delenv(name, raising=False)
    return home


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True, text=True, env=env).stdout


def write(root: Path, rel: str, text: str = "x\n") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def make_tree(root: Path) -> None:
    """A work tree exercising git's ignore rules: every line below is one rule being tested."""
    git(root.parent, "init", "-q", "-b", "main", root.name)
    write(root, ".gitignore", "\n".join([
        "*.log", "!keep.log",                      # negation of a file pattern
        "node_modules/",                           # directory pattern, at any depth
        "secret.json",                             # a name, at any depth
        "/build",                                  # anchored to the root
        "out/",                                    # a directory only: a file named out stays
        "cache/*", "!cache/keep/",                 # contents ignored, one folder re-included
        "vendor/", "!vendor/keep.txt",             # cannot re-include inside an ignored folder
        "docs/**/*.tmp",                           # ** in the middle (zero or more folders)
        "\\#notes", "trailing.txt   ",             # an escaped #, trailing spaces dropped
        "# a comment", "",
    ]) + "\n")
    for rel in ["index.html", "keep.log", "debug.log", "secret.json", "sub/secret.json", "node_modules/x.js",
                "app/node_modules/y.js", "build/a.js", "app/build/b.js", "out/o.txt", "app/out",
                "cache/c.bin", "cache/keep/k.bin", "vendor/keep.txt", "vendor/v.js", "docs/a/b/c.tmp",
                "docs/c.tmp", "#notes", "trailing.txt", "edit.swp", "old.bak", ".hidden/h.txt"]:
        write(root, rel)
    # a nested .gitignore overrides the root's, and anchors to its own folder
    write(root, "app/.gitignore", "*.tmp\n!important.tmp\n/local-only.txt\n!debug.log\ngenerated/*.js\n")
    for rel in ["app/a.tmp", "app/important.tmp", "app/local-only.txt", "app/deep/local-only.txt",
                "app/debug.log", "app/generated/g.js", "app/generated/g.css", "app/deep/generated/g.js"]:
        write(root, rel)
    write(root, ".git/info/exclude", "*.bak\n")
    (root / "link.html").symlink_to("index.html")
    (root / "linkdir").symlink_to("app")  # a link to a folder is a file to git: never entered
    os.mkfifo(root / "pipe")  # git lists no FIFO (and a read of it would block forever)
    (root / "empty").mkdir()
    nested = root / "lib" / "inner"
    nested.mkdir(parents=True)
    git(nested.parent, "init", "-q", "inner")
    write(nested, "inside.txt")
    git(root, "add", "index.html", "app/.gitignore", ".gitignore")
    git(root, "commit", "-qm", "tracked files too")


def git_listing(root: Path) -> tuple[list[str], list[str]]:
    listing = files.list_path(root)
    assert listing.refused is None
    return listing.files, listing.repos


def test_gitsnap_ignore_rules_list_what_git_lists(tmp_path: Path) -> None:
    root = tmp_path / "site"
    make_tree(root)
    by_git = git_listing(root)
    assert files.ignore_walk(root, root) == by_git
    listed = set(by_git[0])
    # what a user checks: the ignored files are not there, the re-included ones are
    assert {"index.html", "keep.log", "cache/keep/k.bin", "app/important.tmp", "app/debug.log", "app/out",
            "app/deep/local-only.txt", "app/generated/g.css", "app/deep/generated/g.js", "link.html",
            "linkdir", ".hidden/h.txt"} <= listed
    assert not listed & {"secret.json", "sub/secret.json", "node_modules/x.js", "app/node_modules/y.js",
                         "debug.log", "build/a.js", "out/o.txt", "cache/c.bin", "vendor/keep.txt",
                         "docs/a/b/c.tmp", "docs/c.tmp", "#notes", "trailing.txt", "edit.swp", "old.bak", "app/a.tmp",
                         "app/local-only.txt", "app/generated/g.js", "pipe"}
    assert by_git[1] == ["lib/inner"]


def test_a_folder_inside_a_work_tree_gets_the_rules_above_it(tmp_path: Path) -> None:
    """A [[local.paths]] entry that is a sub-folder of a repository: the root's .gitignore,
    .git/info/exclude and the global excludes apply to it too, as git applies them."""
    root = tmp_path / "site"
    make_tree(root)
    app = root / "app"
    by_git = git_listing(app)
    assert files.ignore_walk(app, root) == by_git
    assert "node_modules/y.js" not in by_git[0] and "debug.log" in by_git[0]


@pytest.mark.skipif(os.geteuid() != 0, reason="handing a folder to another owner needs root (CI runs as root)")
def test_a_folder_git_refuses_for_its_owner_is_listed_with_its_gitignore(tmp_path: Path) -> None:
    """The issue's case, for real: git refuses a repository owned by someone else ("detected
    dubious ownership"). The files listed are exactly git's listing of the same tree
    (secret.json and node_modules/ left out), and the refusal is reported in git's words."""
    root = tmp_path / "site"
    make_tree(root)
    by_git = files.walk(root)  # git's own listing, while git still reads the folder
    assert "secret.json" not in by_git[0] and "node_modules/x.js" not in by_git[0]
    subprocess.run(["chown", "-R", "65534:65534", str(root)], check=True)
    probe = subprocess.run(["git", "-C", str(root), "status"], capture_output=True, text=True)
    assert "dubious ownership" in probe.stderr, "git did not refuse the folder: the test shows nothing"
    assert files.walk(root) == by_git  # the listing the capture uses
    listing = files.list_path(root)
    assert listing.refused == f"detected dubious ownership in repository at '{root}'"


def test_a_plain_folder_honours_its_gitignore_without_a_warning(tmp_path: Path) -> None:
    """No repository anywhere up the tree: nothing was refused, but a .gitignore copied with
    the folder still keeps node_modules/ and secret.json out."""
    root = tmp_path / "plain"
    write(root, ".gitignore", "node_modules/\nsecret.json\n")
    for rel in ("index.html", "secret.json", "node_modules/x.js"):
        write(root, rel)
    listing = files.list_path(root)
    assert (listing.files, listing.repos, listing.refused) == ([".gitignore", "index.html"], [], None)


def fake_git(tmp_path: Path, script: str, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    (bin_dir / "git").write_text(script)
    (bin_dir / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")


def test_a_hung_git_is_a_one_line_error_naming_the_command_and_the_folder(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """git is a stand-in that never answers (see SLEEPY_GIT); the timeout is shortened for the
    test. Before the fix the capture waited for git as long as git took."""
    root = tmp_path / "site"
    write(root, "index.html")
    fake_git(tmp_path, SLEEPY_GIT, monkeypatch)
    monkeypatch.setattr(files, "GIT_TIMEOUT", 0.5, raising=False)
    with pytest.raises(files.CollectorError) as caught:
        files.walk(root)
    message = str(caught.value)
    assert "'git rev-parse --is-inside-work-tree'" in message and str(root) in message
    assert "\n" not in message


def test_git_missing_inside_a_work_tree_still_applies_gitignore(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "site"
    make_tree(root)
    by_git = git_listing(root)
    monkeypatch.setenv("PATH", str(tmp_path / "no-git-here"))
    listing = files.list_path(root)
    assert (listing.files, listing.repos) == by_git
    assert listing.refused == "git is not installed"
