"""Which objects are known to be sound, keyed by the stat of the file holding them.

Checking that a body is sound means reading all of it: inflating and hashing it. A nightly
capture of 100,000 unchanged bodies cannot afford that every night, so a result is kept
with the stat of the file that held the object (the loose object file, or the pack):
size, mtime_ns, inode and ctime_ns. While that stat is unchanged, the object is not read
again; any write, rename, copy, chmod or repack changes the stat and the object is
checked afresh. Only sound results are kept: a damaged object is checked every time, until
a capture writes a good copy over it.

What this cannot see is a disk that flips bits without any write (no stat changes):
``gitsnap verify`` reads everything, every time, and is the check for that.

The cache is ``gitsnap/sound.cache`` in the repository, one line per object::

    gitsnap sound cache 1
    <object id> <where> <size> <mtime_ns> <inode> <ctime_ns>

``where`` is ``-`` for a loose object, else the pack's file name. A pack gitsnap wrote
itself is remembered whole (every entry was hashed as it was written, packs.py), one line
for the pack instead of one per object::

    pack <pack file name> <size> <mtime_ns> <inode> <ctime_ns>

(a version that does not know these lines skips them). It is saved atomically, and a cache
that is missing, unreadable or from another version is simply empty. It is safe to delete.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

log = logging.getLogger(__name__)

HEADER = "gitsnap sound cache 1"
LOOSE = "-"
PACK = "pack"

Stamp = tuple[str, int, int, int, int]  # (where, size, mtime_ns, inode, ctime_ns)


def stamp(st: os.stat_result, where: str = LOOSE) -> Stamp:
    """What must not change for a kept result to stay true. Pure."""
    return (where, st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


class SoundCache:
    """Object id -> the stamp of the file it was found sound in. Thread-safe."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._entries: dict[str, Stamp] | None = None  # loaded on first use
        self._packs: dict[str, Stamp] = {}  # pack file name -> its stamp: all its objects sound
        self._dirty = False

    def known(self, object_id: str, current: Stamp) -> bool:
        """Whether *object_id* was found sound in a file that still has stamp *current*."""
        with self._lock:
            return self._loaded().get(object_id) == current

    def remember(self, object_id: str, current: Stamp) -> None:
        with self._lock:
            entries = self._loaded()
            if entries.get(object_id) != current:
                entries[object_id] = current
                self._dirty = True

    def known_pack(self, current: Stamp) -> bool:
        """Whether the pack *current* stamps (``where`` is its name) is known sound whole."""
        with self._lock:
            self._loaded()
            return self._packs.get(current[0]) == current

    def remember_pack(self, current: Stamp) -> None:
        with self._lock:
            self._loaded()
            if self._packs.get(current[0]) != current:
                self._packs[current[0]] = current
                self._dirty = True

    def forget(self, object_id: str) -> None:
        with self._lock:
            if self._loaded().pop(object_id, None) is not None:
                self._dirty = True

    def save(self) -> None:
        """Write the cache if anything changed (atomically; a failure only costs re-reading)."""
        with self._lock:
            if not self._dirty or self._entries is None:
                return
            lines = [HEADER] + [f"{oid} {' '.join(map(str, st))}" for oid, st in sorted(self._entries.items())]
            lines += [f"{PACK} {' '.join(map(str, st))}" for _, st in sorted(self._packs.items())]
            tmp = self.path.with_name(f"{self.path.name}.tmp{os.getpid()}")
            try:
                self.path.parent.mkdir(exist_ok=True)
                tmp.write_text("\n".join(lines) + "\n", "utf-8")
                os.replace(tmp, self.path)
            except OSError as exc:
                log.warning("cannot save %s (%s): unchanged bodies will be read again next time", self.path, exc)
                tmp.unlink(missing_ok=True)
                return
            self._dirty = False

    def _loaded(self) -> dict[str, Stamp]:
        if self._entries is None:
            entries = _read(self.path)
            packs = {st[0]: st for oid, st in entries.items() if oid.startswith(PACK + " ")}
            self._entries = {oid: st for oid, st in entries.items() if len(oid) == 40}
            self._packs = {**packs, **self._packs}
        return self._entries


def _read(path: Path) -> dict[str, Stamp]:
    """Object id -> stamp, and ``"pack <name>"`` -> stamp for whole packs."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            if fh.readline().rstrip("\n") != HEADER:
                return {}
            return dict(entry for entry in map(_parse, fh) if entry is not None)
    except OSError:
        return {}


def _parse(line: str) -> tuple[str, Stamp] | None:
    parts = line.split()
    if len(parts) != 6 or (len(parts[0]) != 40 and parts[0] != PACK):
        return None
    if parts[0] == PACK:
        parts[0] = f"{PACK} {parts[1]}"
    try:
        return parts[0], (parts[1], int(parts[2]), int(parts[3]), int(parts[4]), int(parts[5]))
    except ValueError:
        return None
