"""Objects reach the disk before a ref points at them: written now, flushed once per ref move.

git's atomicity is "objects first, ref last", but a rename is only ordered against later
writes once the bytes it names are on disk. Without ``fsync``, a power cut can keep the
ref (dulwich fsyncs ref files) and lose the objects it names: ``main`` then points at
empty or missing files, and the repository is broken. So every object file written in this
run, its fan-out folder (``objects/<aa>/``, which holds its name) and ``objects/`` itself
(which holds the names of new fan-out folders) are flushed before a ref moves.

Flushing each object as it is written would put one ``fsync`` per object in the hot path
(thousands per capture, on worker threads). Instead writers only *record* a path here
(a set insert), and :meth:`PendingWrites.flush` syncs all of them once, just before the
compare-and-swap: files first, then the fan-out folders, then ``objects/``. Measured on ext4,
a capture writing ~3,000 small objects spends about a second in that flush (``--debug``
logs it); a capture that changes nothing makes no commit, so it has next to nothing to flush.

Bodies go into pack files instead (packs.py), which are finished whole: written, fsynced,
renamed, their index likewise, and ``objects/pack`` fsynced, before :meth:`SnapshotStore.flush`
returns, with :func:`fsync_path` and :func:`full_sync` from here. What is recorded here is
the loose objects: documents, trees, commits and tags.

An object already on disk is recorded too when it was modified recently
(:data:`RECENT_SECONDS`): a run killed moments before this one may have left it only in
the page cache, and this run's ref is about to name it. Older files were either flushed by
the run that wrote them or written back by the kernel long ago.

On macOS, ``fsync`` does not flush the drive's cache; one ``F_FULLFSYNC`` at the end does
(as git's ``core.fsyncMethod=batch``).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# Longer than Linux's default dirty_expire (30 s) plus a writeback interval, with room to spare.
RECENT_SECONDS = 120.0
FLUSH_THREADS = 16
_PARALLEL_FROM = 64  # below this many paths, threads cost more than they save


class FlushError(OSError):
    """A file could not be flushed to disk; the ref that would name it must not move."""


class PendingWrites:
    """Object files written in this run and not yet flushed. Thread-safe; recording is cheap.

    Args:
        objects_dir: The repository's ``objects/`` folder, flushed last.
    """

    def __init__(self, objects_dir: Path) -> None:
        self._objects = str(objects_dir)
        self._files: set[str] = set()
        self._lock = threading.Lock()

    def wrote(self, path: Path | str) -> None:
        """Record an object file this run wrote (renamed into place)."""
        with self._lock:
            self._files.add(str(path))

    def found(self, path: Path | str, mtime: float | None = None) -> None:
        """Record an object file that was already there, if it may not be on disk yet.

        Args:
            path: The object file.
            mtime: Its modification time as found (before anything touched it); by default
                read now.
        """
        if mtime is None:
            try:
                mtime = os.stat(path).st_mtime
            except OSError:
                return
        if time.time() - mtime < RECENT_SECONDS:
            self.wrote(path)

    def __len__(self) -> int:
        with self._lock:
            return len(self._files)

    def flush(self) -> int:
        """fsync every recorded file, then the folders holding their names; return how many files.

        Raises:
            FlushError: a file or folder could not be synced (a disk error, or a file removed
                under us); what was not flushed stays recorded.
        """
        with self._lock:
            files = sorted(self._files)
        if not files:
            return 0
        fanout = sorted({os.path.dirname(f) for f in files} - {self._objects})
        _fsync_all(files)  # the bytes and inodes first,
        _fsync_all(fanout)  # then the names of the files in objects/<aa>/,
        fsync_path(self._objects)  # then the names of new objects/<aa>/ folders
        full_sync(self._objects)
        with self._lock:
            self._files.difference_update(files)
        return len(files)


def _fsync_all(paths: list[str]) -> None:
    """fsync many paths. Concurrent syncs share the file system's journal commits, so a few
    threads flush thousands of small objects two to three times faster than one (measured on
    ext4); fsync releases the GIL."""
    if len(paths) < _PARALLEL_FROM:
        for path in paths:
            fsync_path(path)
        return
    with ThreadPoolExecutor(FLUSH_THREADS, thread_name_prefix="gitsnap-fsync") as pool:
        for _ in pool.map(fsync_path, paths, chunksize=32):
            pass


def fsync_path(path: str) -> None:
    """fsync one file or folder by path (a read-only descriptor is enough on POSIX)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        raise FlushError(exc.errno, f"cannot open {path} to flush it to disk: {exc.strerror}") from exc
    try:
        os.fsync(fd)
    except OSError as exc:
        raise FlushError(exc.errno, f"cannot flush {path} to disk: {exc.strerror}") from exc
    finally:
        os.close(fd)


def replace_file(path: Path, data: bytes) -> None:
    """Replace *path* with *data* atomically and durably: a temporary file beside it (swept by
    sweep.py if killed), fsynced, renamed over it, then its folder fsynced. A reader sees the
    old bytes or the new, never a mix, and a power cut after this returns keeps the new."""
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    fsync_path(str(path.parent))


def full_sync(path: str) -> None:
    """Where ``fsync`` stops at the drive's cache (macOS), flush that cache too; else nothing."""
    op = getattr(fcntl, "F_FULLFSYNC", None)
    if op is None:
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        with contextlib.suppress(OSError):  # not every file system supports it; fsync was done
            fcntl.fcntl(fd, op)
    finally:
        os.close(fd)
