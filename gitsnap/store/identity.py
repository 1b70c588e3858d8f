"""Which directories are gitsnap repositories, and in which format.

A gitsnap repository is a bare git repository with two marks of identity:

- ``gitsnap.format = N`` in its git config (every gitsnap version has written it), and
- a marker file ``gitsnap.repository`` at its root, beside ``HEAD``, reading
  ``gitsnap snapshot repository, format N``. The name is lower case on purpose: git reads
  an upper-case name at the root of a repository (``ORIG_HEAD``, ``FETCH_HEAD``) as a
  pseudo-ref, and a marker must never look like a ref. ``ls`` shows it, and a person or a
  script can recognise the folder without parsing git config.

Either mark is enough to be recognised (repositories made before the marker existed have
only the config; the marker is added the next time a capture holds the lock); neither, and
the directory is refused before anything is opened, created or written there. That is what
keeps ``gitsnap capture`` from committing into someone's project checkout.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from dulwich.config import ConfigFile

from .. import __version__
from .errors import NotARepositoryError, RepositoryError, UnsupportedFormatError

FORMAT = 1  # the newest repository format this version reads and writes
MARKER = "gitsnap.repository"
_MARKER_FORMAT = re.compile(r"\bformat (\d+)\b")
_INIT_HINT = "create one with 'gitsnap --repo NEW-DIR init', or pass --repo with an existing one"


def marker_text(fmt: int = FORMAT) -> str:
    """The marker file's content. Pure."""
    return (f"gitsnap snapshot repository, format {fmt}\n"
            "This folder is a bare git repository written by gitsnap: use gitsnap or git to read it,\n"
            "and do not edit the files here by hand.\n")


def is_git_dir(path: Path) -> bool:
    """Whether *path* looks like a git directory (what git itself checks first)."""
    return (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()


def identify(path: Path) -> int:
    """The repository format of *path*, or a one-line refusal. Reads only; writes nothing.

    Raises:
        NotARepositoryError: *path* is missing, not a directory, empty, not a git
            repository, or a git repository that gitsnap did not make.
        UnsupportedFormatError: a newer gitsnap made it.
        RepositoryError: its format mark is unreadable.
    """
    if not path.exists():
        raise NotARepositoryError(f"{path} does not exist: create a snapshot repository there with "
                                  f"'gitsnap --repo {path} init', or pass --repo with an existing one")
    if not path.is_dir():
        raise NotARepositoryError(f"{path} is a file, not a gitsnap repository: pass --repo with a snapshot "
                                  "repository (a directory made by 'gitsnap init')")
    marked = (path / MARKER).is_file()
    if (path / ".git").exists():
        raise NotARepositoryError(f"{path} is a git repository but not a gitsnap repository (a working tree; "
                                  f"gitsnap repositories are bare, with gitsnap.format in their git config): {_INIT_HINT}")
    if not is_git_dir(path):
        if marked:
            raise NotARepositoryError(f"{path} has a {MARKER} file but no git repository (HEAD, objects/, refs/): "
                                      "it is damaged or incomplete; restore it from a copy or a clone")
        if not any(path.iterdir()):
            raise NotARepositoryError(f"{path} is an empty directory, not a gitsnap repository: create one there "
                                      f"with 'gitsnap --repo {path} init', or pass --repo with an existing one")
        raise NotARepositoryError(f"{path} is not a gitsnap repository (not a git repository at all): {_INIT_HINT}")
    formats = [f for f in (_config_format(path), _marker_format(path) if marked else None) if f is not None]
    if not formats:
        why = f"a {MARKER} file without a format" if marked else "no gitsnap.format in its git config"
        raise NotARepositoryError(f"{path} is a git repository but not a gitsnap repository ({why}): {_INIT_HINT}")
    newest = max(formats)
    if newest > FORMAT:
        raise UnsupportedFormatError(f"{path} is a gitsnap format {newest} repository, and gitsnap {__version__} "
                                     f"reads format {FORMAT} only: upgrade gitsnap to use it")
    if min(formats) < 1:
        raise RepositoryError(f"{path}: gitsnap format {min(formats)} does not exist; the repository's "
                              "gitsnap.format (git config) or its marker file was edited: set it back to 1")
    return newest


def has_marker(path: Path) -> bool:
    return (path / MARKER).is_file()


def config_has_format(path: Path) -> bool:
    return _config_format(path) is not None


def write_marker(path: Path, fmt: int = FORMAT) -> None:
    """Write the marker atomically (a reader sees the old state or the whole new file)."""
    tmp = path / f"{MARKER}.tmp{os.getpid()}"
    tmp.write_text(marker_text(fmt), "utf-8")
    os.replace(tmp, path / MARKER)


def _config_format(path: Path) -> int | None:
    try:
        config = ConfigFile.from_path(str(path / "config"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise RepositoryError(f"{path}/config: the git config cannot be read ({exc}); fix or restore it") from exc
    try:
        raw = config.get((b"gitsnap",), b"format")
    except KeyError:
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise RepositoryError(f"{path}: gitsnap.format in the git config is {raw.decode(errors='replace')!r}, "
                              f"not a format number; set it back with 'git -C {path} config gitsnap.format "
                              f"{FORMAT}'") from exc


def _marker_format(path: Path) -> int | None:
    try:
        text = (path / MARKER).read_text("utf-8", errors="replace")
    except OSError:
        return None
    match = _MARKER_FORMAT.search(text.split("\n", 1)[0])
    return int(match.group(1)) if match else None
