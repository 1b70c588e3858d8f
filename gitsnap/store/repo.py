"""SnapshotStore: a bare git repository holding one commit per capture.

Layout of the repository folder (a bare git repository; see also identity.py):

- ``HEAD``, ``config``, ``objects/``, ``refs/``: git's own. ``config`` holds
  ``gitsnap.format`` and the repository's settings (``gitsnap.*``).
- ``gitsnap.repository``: the marker that says gitsnap made this folder, and its format.
  Nothing opens a folder that has neither the marker nor ``gitsnap.format``.
- ``gitsnap.lock``: the capture lock (``flock``; its content means nothing). It stays at the
  root, where every gitsnap version has looked for it, so that an older and a newer gitsnap
  on one repository still exclude each other.
- ``gitsnap/sound.cache``: which objects were found sound, by file stat (sound.py).
- ``gitsnap.toml``: the configuration (config.py), when kept in the repository.

- ``gitsnap/document-packs``: which packs hold the big documents' versions (deltapack.py).

Bodies (``add_stream``) are written into pack files (packs.py) and read from them
(packread.py); documents, trees, commits and tags are loose objects, except big text
documents (``objects.jsonl``, the manifest), which go to the documents pack, each previous
version stored as a delta against the next (deltapack.py).

Every object read through the store is checked on the way: it must decompress, be whole,
and hash to its id. Damage raises :class:`CorruptObjectError` (or
:class:`MissingObjectError`) naming the object, never a zlib or dulwich exception.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from dulwich.errors import NotGitRepository
from dulwich.file import FileLocked
from dulwich.objects import Blob, Commit, ShaFile, Tag
from dulwich.refs import check_ref_format
from dulwich.repo import Repo

from . import deltapack, durable, identity, packread, sweep, trees
from .errors import (
    ConcurrentUpdateError,
    CorruptObjectError,
    NotARepositoryError,
    RepositoryError,
)
from .loose import choose_level
from .objects import ObjectCheck, ObjectReader, TreeEntry, _damaged  # noqa: F401 (re-exported)
from .packs import PackWriter
from .revisions import CommitInfo, RevisionReader, TreeFiles  # noqa: F401 (re-exported)
from .sound import SoundCache

log = logging.getLogger(__name__)

BRANCH = b"refs/heads/main"
LOCK_NAME = "gitsnap.lock"
SOUND_CACHE = "gitsnap/sound.cache"
_ANCESTRY = re.compile(r"^(.+?)((?:~\d*|\^)+)$")  # v1.0~2, HEAD^^, HEAD~
_ANCESTOR_STEP = re.compile(r"~\d*|\^")
_HEX40 = re.compile(r"[0-9a-f]{40}")
_HEX_PREFIX = re.compile(r"[0-9a-fA-F]{4,39}")
FILE_MODE = 0o100644
_TYPE_NUMS = {"commit": 1, "tree": 2, "blob": 3, "tag": 4}
_DAMAGE_HINT = "the repository is damaged; run 'gitsnap verify' to list the damage"


def _identity() -> bytes:
    name = os.environ.get("GIT_COMMITTER_NAME") or os.environ.get("GIT_AUTHOR_NAME") or "gitsnap"
    email = (
        os.environ.get("GIT_COMMITTER_EMAIL") or os.environ.get("GIT_AUTHOR_EMAIL") or "gitsnap@localhost"
    )
    return f"{name} <{email}>".encode()


class SnapshotStore(RevisionReader):
    """Objects and refs of one snapshot repository (bare: the history is the product)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.format = identity.identify(self.path)  # refuses before anything is opened or written
        try:
            self._repo = Repo(str(self.path))
        except NotGitRepository as exc:
            raise NotARepositoryError(f"{self.path} is not a git repository any more: restore it from a copy "
                                      "or a clone, or pass --repo") from exc
        self._objects_dir = Path(self._repo.object_store.path)
        self._objects_str = str(self._objects_dir)
        self._sound = SoundCache(self.path / SOUND_CACHE)
        self._pending = durable.PendingWrites(self._objects_dir)  # loose objects, flushed before any ref moves
        pack_dir = self._objects_dir / "pack"
        self._packs = packread.PackSet(str(pack_dir))
        self._writer = PackWriter(pack_dir, self._packs, self._remember_pack, self.path / deltapack.LIST,
                                  self._known_sound_pack)
        self._shadowed: set[str] = set()

    @classmethod
    def init(cls, path: Path) -> SnapshotStore:
        path = Path(path)
        if path.exists() and not path.is_dir():
            raise RepositoryError(f"{path} is a file: choose an empty or new directory")
        if path.exists() and any(path.iterdir()):
            raise RepositoryError(f"{path} exists and is not empty: choose an empty or new directory")
        path.mkdir(parents=True, exist_ok=True)
        repo = Repo.init_bare(str(path))
        repo.refs.set_symbolic_ref(b"HEAD", BRANCH)
        cfg = repo.get_config()
        cfg.set((b"gitsnap",), b"format", str(identity.FORMAT).encode())
        cfg.write_to_path()
        repo.close()
        identity.write_marker(path)
        return cls(path)

    # -- repository settings (git config, never pushed) -------------------------------------

    def setting(self, name: str) -> list[str]:
        """Every value of ``gitsnap.<name>`` in the repository's git config."""
        cfg = self._repo.get_config()
        try:
            return [v.decode() for v in cfg.get_multivar((b"gitsnap",), name.encode())]
        except KeyError:
            return []

    def set_setting(self, name: str, values: list[str]) -> None:
        """Replace ``gitsnap.<name>`` by *values* (one config line each)."""
        cfg = self._repo.get_config()
        with contextlib.suppress(KeyError):
            cfg.remove((b"gitsnap",), name.encode())
        for value in values:
            cfg.add((b"gitsnap",), name.encode(), value.encode())
        cfg.write_to_path()

    # -- checked objects -------------------------------------------------------------------


    # -- reading ---------------------------------------------------------------------------


    # -- writing ---------------------------------------------------------------------------

    def add_bytes(self, data: bytes) -> str:
        """Store a document (a blob held in memory); its id.

        A big text document (over deltapack.DOCUMENT_MIN, and compressible: not a sealed
        ciphertext) goes to the documents pack, where its previous version becomes a delta
        against it once :meth:`write_tree` has said which that is; any other is a loose object.
        """
        if len(data) > deltapack.DOCUMENT_MIN and choose_level(data[:65536]) != 0:
            return self._writer.write_document(data, keep_existing=self._document_stored)
        blob = Blob.from_string(data)
        self._add_object(blob)
        return blob.id.decode()

    def _document_stored(self, blob_id: str) -> bool:
        """Whether a document is stored already, sound (then it is not written again)."""
        path = f"{self._objects_str}/{blob_id[:2]}/{blob_id[2:]}"
        if os.path.exists(path):
            self._pending.found(path)  # it may be another process's, not on disk yet
        return self.sound(blob_id)

    def _known_sound_pack(self, pack: packread.PackFile) -> bool:
        current = self._pack_stamp(pack)
        return current is not None and self._sound.known_pack(current)

    def _add_object(self, obj: ShaFile) -> None:
        """Add an object through dulwich (which does not fsync it) and record it to be flushed.

        Documents, trees, commits and tags stay loose: a capture writes a few hundred of them
        at most (bodies, by the thousand, go to packs), and each is visible to git at once.
        """
        path = self._loose_path(obj.id.decode())
        try:
            mtime: float | None = os.stat(path).st_mtime  # before dulwich freshens it
        except FileNotFoundError:
            mtime = None
        self._repo.object_store.add_object(obj)
        if mtime is None:
            self._pending.wrote(path)
        else:
            self._pending.found(path, mtime)

    def add_stream(self, size: int, chunks: Iterable[bytes]) -> tuple[str, str]:
        """Stream a body into a pack; returns ``(blob id, sha256)``. Memory stays bounded.

        Thread-safe (bodies arrive from many download threads). An existing copy of the same
        blob is kept only if it is known to be sound; otherwise the fresh one is written and
        is the copy read from then on, so writing a body again repairs a damaged copy.
        """
        return self._writer.write_stream(size, chunks, keep_existing=self._known_sound)

    def _remember_pack(self, pack: packread.PackFile) -> None:
        """A pack this store finished: every entry was hashed as written, so it is sound whole."""
        current = self._pack_stamp(pack)
        if current is not None:
            self._sound.remember_pack(current)

    def write_tree(self, files: Mapping[str, str], previous: str | None = None) -> str:
        """Write the trees of a snapshot (``path -> blob id``); the root tree's id (trees.py).

        *previous* is the root tree of the snapshot it follows: its subtrees that did not
        change are reused, not written again, and each big document written by this capture
        is paired with its version at the same path there (stored as a delta against it)."""
        if previous is not None:
            before = TreeFiles(self, previous)
            for path, blob_id in files.items():
                if self._writer.is_document(blob_id):
                    try:
                        was = before.get(path)
                    except CorruptObjectError:  # a damaged previous tree: stored whole, verify says why
                        continue
                    if was is not None:
                        self._writer.pair_document(blob_id, was)
        return trees.write_tree(self._add_object, files, previous, self.tree_entries)

    def commit(self, tree_id: str, parent: str | None, message: str) -> str:
        c = Commit()
        c.tree = tree_id.encode()
        c.parents = [parent.encode()] if parent else []
        c.author = c.committer = _identity()
        c.author_time = c.commit_time = int(time.time())
        c.author_timezone = c.commit_timezone = 0
        c.encoding = b"UTF-8"
        c.message = message.encode("utf-8")
        self._add_object(c)
        return c.id.decode()

    def advance(self, old: str | None, new: str) -> None:
        """Move the branch from *old* to *new*, or fail if it is no longer at *old*."""
        ok = self._swap(BRANCH, old.encode() if old else None, new.encode())
        if not ok:
            raise ConcurrentUpdateError(
                "the snapshot branch moved during this capture (another capture ran?): nothing was changed; run capture again"
            )

    def move_ref(self, ref: str, old: str | None, new: str | None, *, command: str = "capture") -> bool:
        """Compare-and-swap any ref (a shard's, the settings', forget's): True when it moved from
        *old* (None: it must not exist yet) to *new* (None: delete it; *old* then required);
        False when someone moved it first. *command* names the run in main's reflog."""
        return self._swap(ref.encode(), old.encode() if old else None, new.encode() if new else None, command)

    def flush(self) -> int:
        """Finish the pack being written and fsync every loose object written; how many files.

        Called before every ref move, so a power cut can never leave a ref naming an object
        that was not on disk yet (durable.py, packs.py). Cheap when nothing is pending.
        """
        started = time.monotonic()
        try:
            packs = self._writer.flush()
            flushed = self._pending.flush()
        except durable.FlushError as exc:
            raise RepositoryError(f"{exc.strerror}: no ref was moved; check the disk holding {self.path} "
                                  "and run capture again") from exc
        self._drop_shadowed()
        if packs or flushed:
            log.debug("finished %d pack(s), flushed %d object files to disk in %.3f s", packs, flushed,
                      time.monotonic() - started)
        return packs * 2 + flushed

    def _drop_shadowed(self) -> None:
        """Remove loose copies a finished pack now holds afresh (they were not known sound)."""
        shadowed, self._shadowed = self._shadowed, set()
        for path in shadowed:
            object_id = path[-41:-39] + path[-38:]
            if self._packs.find(bytes.fromhex(object_id), refresh=False) is None:
                continue  # its fresh copy was dropped (not written after all): keep what there is
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)

    def _swap(self, ref: bytes, old: bytes | None, new: bytes | None, command: str = "capture") -> bool:
        """Compare-and-swap a ref, once every object written so far is on disk.

        dulwich's set_if_equals treats old=None as "don't check", so "must not exist yet" goes
        through add_if_new instead. Only the branch gets a reflog entry: a reflog of tag
        objects makes 'git gc' complain "not a commit". dulwich fsyncs the ref file before
        renaming it; the folder holding its name is synced after, so a capture that reported
        success survives a power cut. *new* None deletes the ref, if it still holds *old*."""
        message = f"gitsnap {command}".encode() if ref == BRANCH else None
        if new is None and old is None:
            raise ValueError("deleting a ref needs the value it must still hold")
        self.flush()
        try:
            with sweep.moving_refs(self.path):
                if new is None:
                    moved = self._repo.refs.remove_if_equals(ref, old)
                elif old is None:
                    moved = self._repo.refs.add_if_new(ref, new, message=message)
                else:
                    moved = self._repo.refs.set_if_equals(ref, old, new, message=message)
        except FileLocked as exc:  # a git command is moving it, or one was killed doing so
            lock = f"{self.path / ref.decode()}.lock"
            raise RepositoryError(f"{ref.decode()} is locked by {lock} (a git command running here, or one that "
                                  "was killed), so it was not moved: if no git command is running, delete that file "
                                  f"and run {command} again") from exc
        if moved:
            with contextlib.suppress(durable.FlushError):  # the ref moved; its folder's sync is best effort
                durable.fsync_path(str((self.path / ref.decode()).parent))
        return moved

    @staticmethod
    def valid_tag_name(name: str) -> bool:
        return bool(name) and check_ref_format(b"refs/tags/" + name.encode())

    def tag_exists(self, name: str) -> bool:
        return (b"refs/tags/" + name.encode()) in self._repo.refs

    def tag(self, name: str, commit_id: str, message: str, force: bool = False) -> None:
        ref = b"refs/tags/" + name.encode()
        old = self._repo.refs[ref] if ref in self._repo.refs else None  # noqa: SIM401 (no .get)
        if old is not None and not force:
            raise RepositoryError(f"tag {name!r} already exists: choose another name or pass --force")
        tag = Tag()
        tag.tagger = _identity()
        tag.tag_time = int(time.time())
        tag.tag_timezone = 0
        tag.name = name.encode()
        tag.object = (Commit, commit_id.encode())
        tag.message = (message.rstrip("\n") + "\n").encode("utf-8")
        self._add_object(tag)
        if not self._swap(ref, old, tag.id):
            raise ConcurrentUpdateError(f"tag {name!r} changed during this capture: run capture again")

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the capture lock: one writer at a time.

        On entry, with the lock held: mark a repository made before the marker existed,
        and remove temporary files a killed run left (sweep.py). On exit, finish the pack
        being written (a capture that changed nothing may still have repaired a damaged body:
        that copy must last), or drop it if the block raised; then save the sound cache.
        """
        path = self.path / LOCK_NAME
        with open(path, "a") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise RepositoryError(
                    f"another gitsnap process is writing to {self.path}: wait for it to finish"
                ) from exc
            try:
                self._upgrade()
                sweep.sweep(self.path)
                try:
                    yield
                except BaseException:
                    self._writer.abandon()  # no ref names what it holds
                    raise
                self._flush_on_exit()
            finally:
                self._sound.save()
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _flush_on_exit(self) -> None:
        """Finish what is still being written: best effort, as no ref names it (a failure
        here was already met by the ref move that did not happen, or costs a GET next time)."""
        try:
            self.flush()
        except RepositoryError as exc:
            log.warning("%s; the bodies written since the last snapshot are dropped", exc)
            self._writer.abandon()

    def _upgrade(self) -> None:
        """Give a repository both marks of identity (identity.py); only under the lock."""
        if not identity.config_has_format(self.path):
            self.set_setting("format", [str(self.format)])
        if not identity.has_marker(self.path):
            identity.write_marker(self.path, self.format)
            log.info("marked %s as a gitsnap repository (%s)", self.path, identity.MARKER)

    def close(self) -> None:
        self._writer.close()
        self._sound.save()
        self._packs.close()
        self._repo.close()
