"""Temporary files a killed writer leaves behind, found and removed under the capture lock.

A capture that is killed (SIGKILL, power loss) cannot clean up after itself: a pack being
written (``objects/pack/tmp_gitsnap_*.pack`` and ``.idx``, store/packs.py: every body of
the run so far), a half-written loose body (``objects/tmp_obj_*``, older versions), a
dulwich object or ref being written (``*.lock`` beside it), a pack being received
(``objects/tmp_pack_*``, ``objects/pack/tmp*.pack``). They are harmless to git but cost
disk, and a stale ref lock makes the next compare-and-swap fail.

Holding the capture lock proves no other gitsnap process is writing, so what only gitsnap
writes goes at once, however fresh: the packs store/packs.py writes, a body's temporary
file directly in ``objects/`` (older versions), a loose object's ``.lock`` (dulwich; git
does not lock objects), dulwich's temporary packs, the marker's and the sound cache's
temporary files. It proves nothing about
a ``git`` command someone runs by hand in the same folder, and git writes ``tmp_obj_*`` in
``objects/<aa>/``, ``tmp_pack_*``/``tmp_idx_*`` in ``objects/pack/`` and ``*.lock`` beside
refs and config too: those go only once untouched for :data:`STALE_AFTER` seconds (a live
writer keeps its file's mtime fresh). Finished packs (``pack-<id>.pack``) are never touched,
even without their index: that may be the only copy of the objects.
"""

from __future__ import annotations

import contextlib
import fnmatch
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger(__name__)

STALE_AFTER = 60.0  # seconds without a write before a temporary file git also makes counts as abandoned

# (folder relative to the git dir, file-name patterns, whether to look in sub-folders, only gitsnap writes it)
_PLACES: tuple[tuple[str, tuple[str, ...], bool, bool], ...] = (
    ("objects", ("tmp_obj_*", "tmp_pack_*"), False, True),  # store/loose.py bodies, dulwich thin packs
    ("objects/pack", ("tmp*.pack", "*.lock", "tmp_gitsnap_*"), False, True),  # dulwich add_pack (tmpXXXXXXXX.pack),
    # its .idx.lock; store/packs.py: a pack and its index being written
    ("objects/pack", ("tmp_pack_*", "tmp_idx_*", "tmp_rev_*"), False, False),  # git's, same folder
    ("gitsnap", ("*.tmp*",), False, True),  # the sound cache being saved
    (".", ("gitsnap.repository.tmp*",), False, True),  # the marker being written
    (".", ("*.lock",), False, False),  # HEAD.lock, config.lock, packed-refs.lock
    ("refs", ("*.lock",), True, False),  # a ref being moved
    ("logs", ("*.lock",), True, False),
    ("logs", ("*.tmp[0-9]*",), True, True),  # a reflog gc is rewriting (durable.replace_file)
)
_FANOUT = ((("*.lock",), True), (("tmp_obj_*",), False))  # objects/<aa>/: dulwich's object locks; git's temps
_KEEP = {"gitsnap.lock"}  # the capture lock itself: flock'ed, never stale by age


MOVING_REFS = "gitsnap/moving-refs"  # present while gitsnap moves a ref: its ref locks are ours


@contextlib.contextmanager
def moving_refs(git_dir: Path) -> Iterator[None]:
    """Mark that gitsnap is moving a ref. Killed inside, the mark stays, and the next lock holder
    knows the ref locks it finds are gitsnap's own (not a git command's) and removes them at once."""
    mark = git_dir / MOVING_REFS
    mark.parent.mkdir(exist_ok=True)
    mark.write_text(f"{os.getpid()}\n")
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            mark.unlink()


def sweep(git_dir: Path, older_than: float = STALE_AFTER, now: float | None = None) -> list[Path]:
    """Remove abandoned temporary files under *git_dir*; return what was removed.

    Call it only while holding the capture lock.
    """
    cutoff = (time.time() if now is None else now) - older_than
    killed_moving_refs = (git_dir / MOVING_REFS).exists()
    removed = []
    for path, ours in _candidates(git_dir):
        ours = ours or (killed_moving_refs and path.name.endswith(".lock"))
        try:
            if not ours and path.lstat().st_mtime > cutoff:
                continue
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:  # not ours to fix (permissions): say so, carry on
            log.warning("cannot remove stale temporary file %s: %s", path, exc)
            continue
        removed.append(path)
    if killed_moving_refs:
        with contextlib.suppress(FileNotFoundError):
            (git_dir / MOVING_REFS).unlink()
    if removed:
        log.info("removed %d temporary files left by an interrupted run (first: %s)", len(removed), removed[0])
    return removed


def _candidates(git_dir: Path) -> Iterator[tuple[Path, bool]]:
    for folder, patterns, deep, ours in _PLACES:
        for path in _matching(git_dir / folder, patterns, deep):
            yield path, ours
    objects = git_dir / "objects"
    try:
        fanout = [e.path for e in os.scandir(objects) if len(e.name) == 2 and e.is_dir(follow_symlinks=False)]
    except OSError:
        return
    for folder in fanout:
        for patterns, ours in _FANOUT:
            for path in _matching(Path(folder), patterns, False):
                yield path, ours


def _matching(folder: Path, patterns: tuple[str, ...], deep: bool) -> Iterator[Path]:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if deep:
                yield from _matching(Path(entry.path), patterns, deep)
        elif entry.is_file(follow_symlinks=False) and entry.name not in _KEEP \
                and any(fnmatch.fnmatchcase(entry.name, p) for p in patterns):
            yield Path(entry.path)
