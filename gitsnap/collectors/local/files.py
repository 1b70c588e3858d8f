"""Local paths and env files.

A path's files are stored as readable files under ``local/<name>/files/`` (so ``git diff``
shows them), with ``local/<name>/path.json`` describing the rest: nested git repositories
(HEAD commit and remote, never copied), symbolic links, executables, skipped files, and any
``.env`` files found, reduced to names. Inside a git work tree, ``.gitignore`` is honoured.
An env file's values are never stored, not even as fingerprints: a low-entropy value's
fingerprint could be guessed by anyone holding the key.
"""

from __future__ import annotations

import fnmatch
import io
import os
import re
import subprocess
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

from ..context import UnitContext
from ..errors import CollectorError
from ..spec import Detail, Extras, Raw, ResourceType

MAX_FILE = 10 * 1024 * 1024
ENV_NAME = re.compile(r"^\.env(\..+)?$")


def env_names(text: str) -> list[dict[str, Any]]:
    """The names a ``.env`` file sets, as ``[{"name": KEY, "set": bool}]``, sorted; values dropped.

    Parsed with python-dotenv, so quoted multi-line values, ``export`` and comments are read as
    the programs using the file read them (a hand-written line parser leaked the rest of a
    multi-line value as lines). Pure."""
    values = dotenv_values(stream=io.StringIO(text), interpolate=False)
    return [{"name": k, "set": bool(v)} for k, v in sorted(values.items()) if k]


def _git(cwd: Path, *args: str) -> str | None:
    proc = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else None


def repo_info(path: Path) -> dict[str, Any]:
    return {"head": _git(path, "rev-parse", "HEAD"), "branch": _git(path, "symbolic-ref", "--short", "-q", "HEAD"),
            "remote": _git(path, "remote", "get-url", "origin")}


def selected(rel: str, include: list[str], exclude: list[str]) -> bool:
    def hit(globs: list[str]) -> bool:
        return any(fnmatch.fnmatchcase(rel, g) or fnmatch.fnmatchcase(rel.rsplit("/", 1)[-1], g) for g in globs)

    return (not include or hit(include)) and not hit(exclude)


def walk(root: Path) -> tuple[list[str], list[str]]:
    """(files, nested repo dirs) relative to *root*; git's own listing inside a work tree."""
    if _git(root, "rev-parse", "--is-inside-work-tree") == "true":
        out = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             capture_output=True, check=True).stdout.decode("utf-8", "surrogateescape")
        files, repos = [], []
        for rel in sorted(set(filter(None, out.split("\0")))):
            full = root / rel
            if full.is_dir() and (full / ".git").exists():  # submodule or nested repository
                repos.append(rel.rstrip("/"))
            elif full.exists() or full.is_symlink():
                files.append(rel)
        return files, repos
    files, repos = [], []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        rel_dir = here.relative_to(root).as_posix()
        for d in list(dirnames):
            if (here / d / ".git").exists():
                repos.append(f"{rel_dir}/{d}".lstrip("./") if rel_dir != "." else d)
                dirnames.remove(d)
            elif d == ".git":
                dirnames.remove(d)
        files.extend(f"{rel_dir}/{f}" if rel_dir != "." else f for f in filenames)
    return sorted(files), sorted(repos)


def enumerate_paths(ctx: UnitContext) -> list[Raw]:
    return [dict(p) for p in ctx.config.raw.get("local", {}).get("paths", [])]


def capture_path(ctx: UnitContext, raw: Raw, doc: Raw, rid: str) -> Extras:
    root = Path(os.path.expanduser(raw["path"]))
    if not root.is_dir():
        raise CollectorError(f"local/{rid}: {root} is not a directory; fix [[local.paths]] in gitsnap.toml")
    files, repos = walk(root)
    include, exclude = raw.get("include", []), raw.get("exclude", [])
    out: dict[str, bytes] = {}
    links, executables, skipped, envs = {}, [], [], {}
    for rel in files:
        if not selected(rel, include, exclude):
            continue
        full = root / rel
        if full.is_symlink():
            links[rel] = os.readlink(full)
            continue
        if ENV_NAME.match(full.name) and not full.name.endswith((".example", ".sample", ".template")):
            envs[rel] = env_names(full.read_text("utf-8", "replace"))
            continue
        try:
            size = full.stat().st_size
            if size > MAX_FILE:
                skipped.append(rel)
                continue
            out[f"files/{rel}"] = full.read_bytes()
        except OSError as exc:
            raise CollectorError(f"local/{rid}: cannot read {full} ({exc.strerror})") from exc
        if os.access(full, os.X_OK):
            executables.append(rel)
    repo_root = {".": repo_info(root)} if (root / ".git").exists() else {}
    updates = {
        "Repositories": {**repo_root, **{r: repo_info(root / r) for r in repos}},
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
)

TYPES = (PATH, ENV_FILE)
