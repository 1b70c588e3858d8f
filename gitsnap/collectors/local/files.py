"""Local paths and env files.

A path's files are stored as readable files under ``local/<name>/files/`` (so ``git diff``
shows them), with ``local/<name>/path.json`` describing the rest: nested git repositories
(HEAD commit and remote, never copied), symbolic links, executables, skipped files, and any
``.env`` files found, reduced to names. ``.gitignore`` is always honoured: git lists a work
tree's files; where git refuses a folder (dubious ownership, git missing) the same rules are
applied with pathspec, and a warning says why. Every git command has a timeout.
An env file's values are never stored, not even as fingerprints: a low-entropy value's
fingerprint could be guessed by anyone holding the key.
"""

from __future__ import annotations

import contextlib
import fnmatch
import io
import os
import re
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from pathspec import GitIgnoreSpec

from ..context import UnitContext
from ..errors import CollectorError
from ..spec import Detail, Extras, NotRestorable, Raw, ResourceType

MAX_FILE = 10 * 1024 * 1024
GIT_TIMEOUT = 120.0  # seconds for one git command on a local path; listing a huge tree takes a few
# Set when gitsnap runs from a git hook: they would point every command at that repository, not the path.
_REPO_LOCATORS = frozenset({"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR",
                            "GIT_PREFIX", "GIT_NAMESPACE", "GIT_ALTERNATE_OBJECT_DIRECTORIES"})
ENV_NAME = re.compile(r"^\.env(\..+)?$")


def env_names(text: str) -> list[dict[str, Any]]:
    """The names a ``.env`` file sets, as ``[{"name": KEY, "set": bool}]``, sorted; values dropped.

    Parsed with python-dotenv, so quoted multi-line values, ``export`` and comments are read as
    the programs using the file read them (a hand-written line parser leaked the rest of a
    multi-line value as lines). Pure."""
    values = dotenv_values(stream=io.StringIO(text), interpolate=False)
    return [{"name": k, "set": bool(v)} for k, v in sorted(values.items()) if k]


class GitTimeoutError(CollectorError):
    """A git command on a local path did not finish in time (a hung file system, a hook)."""


@dataclass
class Listing:
    """What a local path holds, relative to it.

    Attributes:
        files: Files and symbolic links to capture, sorted.
        repos: Nested git repositories (recorded, never entered), sorted.
        refused: Why git could not list the path although it is in a git work tree (git's
            own words); the ``.gitignore`` files were then applied by gitsnap. None otherwise.
    """

    files: list[str]
    repos: list[str]
    refused: str | None = None


def _run_git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    """Run ``git -C cwd args``; None when git is not installed.

    Raises:
        GitTimeoutError: it ran for more than :data:`GIT_TIMEOUT` seconds (it is killed).
    """
    command = ["git", "-C", str(cwd), *args]
    env = {k: v for k, v in os.environ.items() if k not in _REPO_LOCATORS}
    try:
        return subprocess.run(command, capture_output=True, stdin=subprocess.DEVNULL, env=env, timeout=GIT_TIMEOUT)
    except FileNotFoundError:
        return None
    except subprocess.TimeoutExpired as exc:
        raise GitTimeoutError(f"'git {' '.join(args[:2])}' in {cwd} did not finish within {GIT_TIMEOUT:g} s "
                              "(a slow or hung file system, or a git hook?): check that folder and run capture "
                              "again") from exc


def _git(cwd: Path, *args: str) -> str | None:
    proc = _run_git(cwd, *args)
    return proc.stdout.decode("utf-8", "replace").strip() if proc is not None and proc.returncode == 0 else None


def _refusal(proc: subprocess.CompletedProcess[bytes] | None) -> str:
    """git's reason for not reading a folder, in one line (its first ``fatal:`` line)."""
    if proc is None:
        return "git is not installed"
    lines = [line.strip() for line in proc.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    fatal = [line.removeprefix("fatal: ") for line in lines if line.startswith("fatal: ")]
    return (fatal or lines or [f"git exited {proc.returncode}"])[0]


def repo_info(path: Path) -> dict[str, Any]:
    return {"head": _git(path, "rev-parse", "HEAD"), "branch": _git(path, "symbolic-ref", "--short", "-q", "HEAD"),
            "remote": _git(path, "remote", "get-url", "origin")}


def selected(rel: str, include: list[str], exclude: list[str]) -> bool:
    def hit(globs: list[str]) -> bool:
        return any(fnmatch.fnmatchcase(rel, g) or fnmatch.fnmatchcase(rel.rsplit("/", 1)[-1], g) for g in globs)

    return (not include or hit(include)) and not hit(exclude)


def walk(root: Path) -> tuple[list[str], list[str]]:
    """(files, nested repo dirs) relative to *root*; see :func:`list_path`."""
    listing = list_path(root)
    return listing.files, listing.repos


def list_path(root: Path) -> Listing:
    """The files of *root*, as git would list them (``.gitignore`` honoured), and its nested repositories.

    Inside a git work tree git lists them (``ls-files --cached --others --exclude-standard``).
    When git will not (dubious ownership, ``safe.directory``, a file-system boundary, git
    missing) although the folder is in a work tree, the same ``.gitignore`` rules are applied
    here (:func:`ignore_walk`) and ``refused`` says why: never a silent walk of everything.
    Overriding git's refusal (``-c safe.directory``) is not an option: the refusal protects
    against a stranger's repository config running commands (core.fsmonitor, hooks).

    Raises:
        GitTimeoutError: a git command hung.
    """
    probe = _run_git(root, "rev-parse", "--is-inside-work-tree")
    if probe is not None and probe.returncode == 0 and probe.stdout.strip() == b"true":
        listed = _run_git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
        if listed is not None and listed.returncode == 0:
            return _from_git(root, listed.stdout.decode("utf-8", "surrogateescape"))
        probe = listed
    root = root.absolute()  # the work tree above a relative path is found from /
    top = work_tree_top(root)
    files, repos = ignore_walk(root, top)
    refused = _refusal(probe) if top is not None and (probe is None or probe.returncode != 0) else None
    return Listing(files, repos, refused)


def _from_git(root: Path, out: str) -> Listing:
    files, repos = [], []
    for rel in sorted(set(filter(None, out.split("\0")))):
        full = root / rel
        if full.is_dir() and not full.is_symlink() and (full / ".git").exists():  # submodule or nested repository
            repos.append(rel.rstrip("/"))
        elif full.exists() or full.is_symlink():
            files.append(rel)
    return Listing(files, repos)


def work_tree_top(path: Path) -> Path | None:
    """The nearest folder at or above *path* holding ``.git``, found without git; None if none."""
    for folder in (path, *path.parents):
        if (folder / ".git").exists():
            return folder
    return None


def _git_dir(top: Path) -> Path:
    """The git directory of the work tree at *top* (``.git``, or where a ``.git`` file points)."""
    dot = top / ".git"
    if dot.is_file():
        with contextlib.suppress(OSError, UnicodeDecodeError):
            line = dot.read_text("utf-8").strip()
            if line.startswith("gitdir:"):
                return (top / line.removeprefix("gitdir:").strip()).resolve()
    return dot


def _spec(path: Path) -> GitIgnoreSpec | None:
    """The patterns of one ignore file; None when it is absent, unreadable or empty."""
    try:
        lines = path.read_text("utf-8", "surrogateescape").splitlines()
    except OSError:  # absent, a folder, unreadable: git skips it too
        return None
    spec = GitIgnoreSpec.from_lines(lines)
    return spec if len(spec) else None


def _global_excludes() -> Path:
    """git's default ``core.excludesFile`` (its own config cannot be read without git)."""
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(xdg) / "git" / "ignore"


_Rules = list[tuple[str, GitIgnoreSpec]]  # (folder the patterns are relative to, with a trailing /; patterns)


def _outer_rules(top: Path | None, root: Path) -> tuple[_Rules, _Rules]:
    """The rules that apply to *root* from outside it: ``(.gitignore files above it, deepest
    first; .git/info/exclude and the global excludes file)``. Nothing outside a work tree."""
    if top is None:
        return [], []
    above = [_spec_at(folder / ".gitignore", folder) for folder in root.parents if folder == top or
             top in folder.parents]  # root's own is read by the walk
    chain = [rule for rule in above if rule is not None]
    chain.sort(key=lambda rule: -len(rule[0]))
    shared = [rule for rule in (_spec_at(_git_dir(top) / "info" / "exclude", top),
                                _spec_at(_global_excludes(), top)) if rule is not None]
    return chain, shared


def _spec_at(path: Path, base: Path) -> tuple[str, GitIgnoreSpec] | None:
    spec = _spec(path)
    return None if spec is None else (os.path.join(str(base), ""), spec)


def _ignored(rules: _Rules, path: str, is_dir: bool) -> bool:
    """git's verdict for one path: the first rule list (deepest .gitignore first, then
    .git/info/exclude, then the global file) with a matching pattern decides, by its last
    match, so a ``!`` pattern re-includes."""
    for base, spec in rules:
        verdict = spec.check_file(path[len(base):] + ("/" if is_dir else "")).include
        if verdict is not None:
            return verdict
    return False


def ignore_walk(root: Path, top: Path | None = None) -> tuple[list[str], list[str]]:
    """(files, nested repository folders) under *root*, with ``.gitignore`` applied as git does.

    What ``git ls-files --others --exclude-standard`` lists for an untracked tree: regular
    files and symbolic links (never followed) that no ignore rule excludes; an ignored
    folder is not entered, so nothing under it can be re-included (git's rule). *top* is
    the work tree holding *root*, if any: its ``.gitignore`` files above *root*,
    ``.git/info/exclude`` and the global excludes file apply too. Empty folders, FIFOs,
    sockets and devices are not listed (git skips them too).
    """
    chain, shared = _outer_rules(top, root)
    prefix = len(os.path.join(str(root), ""))
    files: list[str] = []
    repos: list[str] = []

    def visit(folder: str, chain: _Rules) -> None:
        own = _spec_at(Path(folder) / ".gitignore", Path(folder))
        chain = [own, *chain] if own is not None else chain
        rules = chain + shared
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            if entry.name == ".git":
                continue
            if entry.is_dir(follow_symlinks=False):
                if _ignored(rules, entry.path, True):
                    continue
                if os.path.lexists(os.path.join(entry.path, ".git")):
                    repos.append(entry.path[prefix:])
                else:
                    visit(entry.path, chain)
            elif (entry.is_file(follow_symlinks=False) or entry.is_symlink()) and not _ignored(rules, entry.path, False):
                files.append(entry.path[prefix:])

    visit(str(root), chain)
    return sorted(files), sorted(repos)


def enumerate_paths(ctx: UnitContext) -> list[Raw]:
    return [dict(p) for p in ctx.config.raw.get("local", {}).get("paths", [])]


def capture_path(ctx: UnitContext, raw: Raw, doc: Raw, rid: str) -> Extras:
    root = Path(os.path.expanduser(raw["path"]))
    if not root.is_dir():
        raise CollectorError(f"local/{rid}: {root} is not a directory; fix [[local.paths]] in gitsnap.toml")
    try:
        listing = list_path(root)
        repo_root = {".": repo_info(root)} if (root / ".git").exists() else {}
        repositories = {**repo_root, **{r: repo_info(root / r) for r in listing.repos}}
    except GitTimeoutError as exc:
        raise GitTimeoutError(f"local/{rid}: {exc}") from exc
    if listing.refused:
        ctx.warn(f"local/{rid}: git refused to list {root} ({listing.refused}); its .gitignore files were "
                 "applied by gitsnap instead")
    include, exclude = raw.get("include", []), raw.get("exclude", [])
    out: dict[str, bytes] = {}
    links, executables, skipped, envs = {}, [], [], {}
    for rel in listing.files:
        if not selected(rel, include, exclude):
            continue
        full = root / rel
        try:
            info = full.lstat()
        except OSError as exc:
            raise CollectorError(f"local/{rid}: cannot read {full} ({exc.strerror})") from exc
        if stat.S_ISLNK(info.st_mode):
            links[rel] = os.readlink(full)
            continue
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE:
            skipped.append(rel)  # too big, or a FIFO/socket/device that a read would block on or never end
            continue
        try:
            if ENV_NAME.match(full.name) and not full.name.endswith((".example", ".sample", ".template")):
                envs[rel] = env_names(full.read_text("utf-8", "replace"))
                continue
            out[f"files/{rel}"] = full.read_bytes()
        except OSError as exc:
            raise CollectorError(f"local/{rid}: cannot read {full} ({exc.strerror})") from exc
        if os.access(full, os.X_OK):
            executables.append(rel)
    updates = {
        "Repositories": repositories,
        "Symlinks": links,
        "Executables": sorted(executables),
        "Skipped": sorted(skipped),
        "EnvFiles": envs,
        "Files": len(out),
    }
    ctx.counters.add(objects=len(out), bytes=sum(len(v) for v in out.values()))
    return Extras(files=out, doc_updates=updates, summary={"objects": len(out), "bytes": sum(len(v) for v in out.values())})


PATH = ResourceType(
    service="local", type="path", scope="global", client="local", folder="",
    enumerate=enumerate_paths,
    id=lambda r: r["name"],
    transform=lambda r: {"Name": r["name"], "Path": r["path"], "Include": r.get("include", []),
                         "Exclude": r.get("exclude", [])},
    schema="local.path",
    document="path.json",
    extras=capture_path,
    # A plan/apply restore changes cloud state through APIs; a folder on this machine is written
    # by the restore command's own mode instead, which never touches anything but that folder.
    restore=NotRestorable(
        "local files are restored with 'gitsnap restore REV local/NAME --to DIR' (writes the snapshot's files into DIR; "
        "DIR may be the path itself, with --apply); nested git repositories are recorded (HEAD and remote), not "
        "copied: clone them again"),
)


def enumerate_env_files(ctx: UnitContext) -> list[Raw]:
    out = []
    for entry in ctx.config.raw.get("local", {}).get("env_files", []):
        path = Path(os.path.expanduser(entry))
        out.append({"Name": path.parent.name + "-" + path.name.lstrip("."), "Path": entry})
    return out


def read_env(ctx: UnitContext, raw: Raw) -> Any:
    path = Path(os.path.expanduser(raw["Path"]))
    try:
        return env_names(path.read_text("utf-8", "replace"))
    except OSError as exc:
        raise CollectorError(f"local/env/{raw['Name']}: cannot read {path} ({exc.strerror}); fix [local] env_files") from exc


ENV_FILE = ResourceType(
    service="local", type="env", scope="global", client="local", primary=False,
    enumerate=enumerate_env_files,
    id=lambda r: r["Name"],
    details=(Detail("Variables", fetch=read_env),),
    transform=lambda r: {"Path": r["Path"], "Variables": r["Variables"]},
    schema="local.env",
    restore=NotRestorable(
        "only the variable names of an env file are captured, never their values: set the values by hand (the "
        "snapshot's document lists the names)"),
)

TYPES = (PATH, ENV_FILE)
