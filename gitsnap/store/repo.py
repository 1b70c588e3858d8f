"""SnapshotStore: a bare git repository holding one commit per capture."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from dulwich.errors import NotGitRepository
from dulwich.index import commit_tree
from dulwich.objects import Blob, Commit, Tag, Tree
from dulwich.objectspec import parse_commit
from dulwich.refs import check_ref_format
from dulwich.repo import Repo

from . import loose
from .errors import ConcurrentUpdateError, NotARepositoryError, RepositoryError, RevisionError

BRANCH = b"refs/heads/main"
_ANCESTRY = re.compile(r"^(.+?)((?:~\d*|\^)+)$")  # v1.0~2, HEAD^^, HEAD~
_ANCESTOR_STEP = re.compile(r"~\d*|\^")
FILE_MODE = 0o100644


@dataclass(frozen=True)
class CommitInfo:
    id: str
    message: str
    time: int
    parents: tuple[str, ...]
    tags: tuple[str, ...]


def _identity() -> bytes:
    name = os.environ.get("GIT_COMMITTER_NAME") or os.environ.get("GIT_AUTHOR_NAME") or "gitsnap"
    email = (
        os.environ.get("GIT_COMMITTER_EMAIL") or os.environ.get("GIT_AUTHOR_EMAIL") or "gitsnap@localhost"
    )
    return f"{name} <{email}>".encode()


class SnapshotStore:
    """Objects and refs of one snapshot repository (bare: the history is the product)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self._repo = Repo(str(self.path))
        except NotGitRepository as exc:
            raise NotARepositoryError(
                f"{self.path} is not a gitsnap repository: run 'gitsnap init' there or pass --repo"
            ) from exc
        self._objects_dir = Path(self._repo.object_store.path)

    @classmethod
    def init(cls, path: Path) -> SnapshotStore:
        path = Path(path)
        if path.exists() and any(path.iterdir()):
            raise RepositoryError(f"{path} exists and is not empty: choose an empty or new directory")
        path.mkdir(parents=True, exist_ok=True)
        repo = Repo.init_bare(str(path))
        repo.refs.set_symbolic_ref(b"HEAD", BRANCH)
        cfg = repo.get_config()
        cfg.set((b"gitsnap",), b"format", b"1")
        cfg.write_to_path()
        repo.close()
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

    # -- reading ---------------------------------------------------------------------------

    def head(self) -> str | None:
        try:
            return self._repo.refs[BRANCH].decode()
        except KeyError:
            return None

    def resolve(self, rev: str) -> str:
        """A revision (tag, branch, HEAD, HEAD~2, id prefix) as a commit id."""
        if self.head() is None:
            raise RevisionError(f"unknown revision {rev!r}: the repository has no snapshot yet; run 'gitsnap capture'")
        match = _ANCESTRY.match(rev)
        base, suffix = (match.group(1), match.group(2)) if match else (rev, "")
        try:
            commit = parse_commit(self._repo, base.encode())
            for step in _ANCESTOR_STEP.findall(suffix):
                count = int(step[1:] or "1") if step[0] == "~" else 1
                for _ in range(count):
                    commit = self._repo[commit.parents[0]]
            return commit.id.decode()
        except (KeyError, ValueError, IndexError, NotImplementedError, TypeError, AttributeError) as exc:
            raise RevisionError(
                f"unknown revision {rev!r}: name a tag, HEAD, HEAD~N or a commit id ('gitsnap log' lists them)"
            ) from exc

    def files(self, commit_id: str | None) -> dict[str, str]:
        """Every file of a snapshot as ``path -> blob id``."""
        if commit_id is None:
            return {}
        out: dict[str, str] = {}
        self._walk(self._repo[commit_id.encode()].tree, "", out)
        return out

    def _walk(self, tree_id: bytes, prefix: str, out: dict[str, str]) -> None:
        tree = self._repo[tree_id]
        assert isinstance(tree, Tree)
        for entry in tree.iteritems():
            name = prefix + entry.path.decode("utf-8", "surrogateescape")
            if entry.mode & 0o040000:
                self._walk(entry.sha, name + "/", out)
            else:
                out[name] = entry.sha.decode()

    def read(self, blob_id: str) -> bytes:
        obj = self._repo.object_store[blob_id.encode()]
        assert isinstance(obj, Blob)
        return obj.as_raw_string()

    def iter_blob(self, blob_id: str) -> Iterator[bytes]:
        """A blob's bytes in chunks; loose objects are streamed, packed ones read whole."""
        loose_path = self._objects_dir / blob_id[:2] / blob_id[2:]
        if loose_path.exists():
            yield from loose.read_stream(loose_path)
        else:
            yield self.read(blob_id)

    def has(self, object_id: str) -> bool:
        """Whether an object exists, without reading it.

        dulwich's ``in`` decompresses a loose object to answer, which for a 256 MiB body
        costs its whole size in memory and time; a path check (or the pack index) does not.
        """
        loose = self._objects_dir / object_id[:2] / object_id[2:]
        return loose.exists() or self._repo.object_store.contains_packed(object_id.encode())

    def tags(self) -> dict[str, str]:
        """Tag name -> commit id (annotated tags peeled)."""
        out = {}
        for ref, _ in self._repo.refs.as_dict(b"refs/tags").items():
            name = ref.decode()
            peeled = self._repo.get_peeled(b"refs/tags/" + ref)
            out[name] = peeled.decode()
        return out

    def log(self, rev: str | None = None, limit: int | None = None) -> list[CommitInfo]:
        start = self.resolve(rev) if rev else self.head()
        if start is None:
            return []
        by_commit: dict[str, list[str]] = {}
        for name, cid in self.tags().items():
            by_commit.setdefault(cid, []).append(name)
        out = []
        for entry in self._repo.get_walker(include=[start.encode()], max_entries=limit):
            c = entry.commit
            cid = c.id.decode()
            out.append(
                CommitInfo(
                    id=cid,
                    message=c.message.decode("utf-8", "replace"),
                    time=c.commit_time,
                    parents=tuple(p.decode() for p in c.parents),
                    tags=tuple(sorted(by_commit.get(cid, []))),
                )
            )
        return out

    # -- writing ---------------------------------------------------------------------------

    def add_bytes(self, data: bytes) -> str:
        blob = Blob.from_string(data)
        self._repo.object_store.add_object(blob)
        return blob.id.decode()

    def add_stream(self, size: int, chunks: Iterable[bytes]) -> tuple[str, str]:
        """Stream a body into a blob; returns ``(blob id, sha256)``. Memory stays bounded."""
        return loose.write_stream(self._objects_dir, size, chunks)

    def write_tree(self, files: dict[str, str]) -> str:
        entries = [
            (path.encode("utf-8", "surrogateescape"), blob.encode(), FILE_MODE)
            for path, blob in sorted(files.items())
        ]
        return commit_tree(self._repo.object_store, entries).decode()

    def commit(self, tree_id: str, parent: str | None, message: str) -> str:
        c = Commit()
        c.tree = tree_id.encode()
        c.parents = [parent.encode()] if parent else []
        c.author = c.committer = _identity()
        c.author_time = c.commit_time = int(time.time())
        c.author_timezone = c.commit_timezone = 0
        c.encoding = b"UTF-8"
        c.message = message.encode("utf-8")
        self._repo.object_store.add_object(c)
        return c.id.decode()

    def advance(self, old: str | None, new: str) -> None:
        """Move the branch from *old* to *new*, or fail if it is no longer at *old*."""
        ok = self._swap(BRANCH, old.encode() if old else None, new.encode())
        if not ok:
            raise ConcurrentUpdateError(
                "the snapshot branch moved during this capture (another capture ran?): nothing was changed; run capture again"
            )

    def _swap(self, ref: bytes, old: bytes | None, new: bytes) -> bool:
        """Compare-and-swap a ref. dulwich's set_if_equals treats old=None as "don't check",
        so "must not exist yet" goes through add_if_new instead. Only the branch gets a reflog
        entry: a reflog of tag objects makes 'git gc' complain "not a commit"."""
        message = b"gitsnap capture" if ref == BRANCH else None
        if old is None:
            return self._repo.refs.add_if_new(ref, new, message=message)
        return self._repo.refs.set_if_equals(ref, old, new, message=message)

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
        self._repo.object_store.add_object(tag)
        if not self._swap(ref, old, tag.id):
            raise ConcurrentUpdateError(f"tag {name!r} changed during this capture: run capture again")

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the capture lock: one writer at a time."""
        path = self.path / "gitsnap.lock"
        with open(path, "a") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise RepositoryError(
                    f"another gitsnap process is writing to {self.path}: wait for it to finish"
                ) from exc
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def close(self) -> None:
        self._repo.close()
