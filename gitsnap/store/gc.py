"""gitsnap gc: find the objects no ref reaches, and remove them.

The model (what ``docs/operations.md`` tells users):

- **Reachable** is what any ref under ``refs/`` (``refs/heads``, ``refs/tags``, ``refs/gitsnap/*``,
  and any other, remotes included) and ``HEAD`` reach: commits and all their ancestors, their
  trees, every blob in them (bodies are tree entries under ``blobs/``), annotated tags and what
  they point at. Everything else is **unreachable**: the snapshots ``gitsnap forget`` dropped, the
  objects a killed or failed capture wrote, the commits a forget replaced. The reflog does not
  keep objects (git's ``gc`` keeps them for 90 days through it; gitsnap's forget is the decision
  to drop them): reflog entries naming a removed commit are removed with it, so ``git fsck`` stays
  clean.
- **Dry run first.** ``gitsnap gc`` counts the unreachable objects and their bytes on disk and
  writes nothing; ``gitsnap gc --apply`` removes them.
- **How** (under the capture lock, so no capture writes meanwhile; a ``git`` command run by hand
  or a push into this folder at the same time is not excluded: do not run one): unreachable loose
  objects are deleted; a pack holding no reachable object is deleted; a pack holding both is
  rewritten into a new pack holding only its reachable entries, copied byte for byte (checked
  against the index's CRC32, and read whole and hashed when the pack is not known sound), so
  bodies keep their compression and documents their deltas. A delta whose base is removed is
  stored against the nearest base on its chain that stays (a new git delta, delta.py), or whole;
  an offset delta (packs git made) is stored as a ref delta. Packs are combined, up to
  packs.ROLL_BYTES each. The documents packs (deltapack.py) are rewritten into a documents pack,
  and ``gitsnap/document-packs`` names it before any old pack goes.
- **Order, and what a failure leaves.** The new packs are finished (synced, renamed, indexed)
  first; then the documents list; then the reflogs; only then are old packs (index first) and
  loose objects removed. A failure or a kill before that leaves every old object in place (at
  worst a reachable object in two packs, which the next gc folds); after it, only unreachable
  objects are missing. A damaged reachable object stops gc before anything is written: run
  ``gitsnap verify``.
- An interrupted ``gitsnap forget`` (its journal) is finished first (store/forget.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import stat
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from dulwich.object_format import SHA1
from dulwich.objects import Commit, Tag, Tree
from dulwich.pack import pack_object_header
from dulwich.reflog import format_reflog_line, parse_reflog_line

from . import deltapack, durable, forget, packread
from .delta import apply_delta, transform_delta
from .errors import CorruptObjectError, RepositoryError
from .loose import BadObjectError
from .objects import _damaged
from .packs import ROLL_BYTES, PackWriter, _OpenPack, _write_all
from .repo import SnapshotStore

log = logging.getLogger(__name__)

ZERO = b"0" * 40
_COPY_CHUNK = 8 * 1024 * 1024
_HEAD = 32 + 20


class GcError(RepositoryError):
    """gc cannot go on safely (a damaged pack it would rewrite): nothing was removed."""


# -- what is reachable ------------------------------------------------------------------------


def get_reachable(store: SnapshotStore) -> set[str]:
    """Every object id any ref (or HEAD) reaches, each object read and checked on the way.

    Blobs are not read (their id is in the tree). Raises CorruptObjectError (naming the ref)
    when a reachable object is damaged or missing: nothing may be pruned on a partial walk.
    """
    seen: set[str] = set()
    starts = [(value, name) for name, value in store.refs()]
    head = store.head()
    if head is not None:
        starts.append((head, "HEAD"))
    stack: list[tuple[str, str, str | None]] = [(oid, ref, None) for oid, ref in starts]  # (id, ref, kind)
    while stack:
        oid, ref, kind = stack.pop()
        if oid in seen:
            continue
        if kind == "blob":
            if not store.has(oid):
                raise CorruptObjectError(f"{ref} reaches blob {oid}, which is missing: the repository is damaged; "
                                         "run 'gitsnap verify' to list the damage", oid, "missing")
            seen.add(oid)
            continue
        try:
            obj = store._object(oid, kind)
        except CorruptObjectError as exc:
            raise _damaged(exc, f"{ref} reaches {kind or 'object'} {oid}") from exc
        seen.add(oid)
        if isinstance(obj, Commit):
            stack.append((obj.tree.decode(), ref, "tree"))
            stack.extend((p.decode(), ref, "commit") for p in obj.parents)
        elif isinstance(obj, Tag):
            target_cls, target = obj.object
            stack.append((target.decode(), ref, target_cls.type_name.decode()))
        elif isinstance(obj, Tree):
            for entry in obj.iteritems():
                if stat.S_IFMT(entry.mode) == 0o160000:  # a submodule's commit: another repository's
                    continue
                stack.append((entry.sha.decode(), ref, "tree" if stat.S_ISDIR(entry.mode) else "blob"))
    return seen


# -- what is stored ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PackEntry:
    raw: bytes
    offset: int
    end: int
    crc: int


@dataclass
class PackPlan:
    """One pack holding unreachable objects: its entries, and which of them stay."""

    pack: packread.PackFile
    entries: list[PackEntry]  # pack order
    keep: set[bytes]
    documents: bool  # listed in gitsnap/document-packs

    @property
    def removed_bytes(self) -> int:
        return sum(e.end - e.offset for e in self.entries if e.raw not in self.keep)


@dataclass
class Plan:
    """What gc would remove."""

    reachable: int
    loose: dict[str, int] = field(default_factory=dict)  # unreachable loose object -> file size
    packs: list[PackPlan] = field(default_factory=list)
    pending_forget: bool = False

    @property
    def count(self) -> int:
        return len(self.loose) + sum(len(p.entries) - len(p.keep) for p in self.packs)

    @property
    def bytes(self) -> int:
        return sum(self.loose.values()) + sum(p.removed_bytes for p in self.packs)

    @property
    def packs_removed(self) -> int:
        return sum(1 for p in self.packs if not p.keep)

    @property
    def packs_rewritten(self) -> int:
        return sum(1 for p in self.packs if p.keep)


@dataclass
class Result:
    removed: int = 0
    bytes: int = 0
    packs_removed: int = 0
    packs_written: int = 0
    reflog_entries: int = 0


def get_entries(pack: packread.PackFile) -> list[PackEntry]:
    listed = sorted((offset, raw, crc) for raw, offset, crc in packread.idx_entries(pack.base + ".idx"))
    ends = [offset for offset, _, _ in listed[1:]] + [pack.size() - 20]
    return [PackEntry(raw, offset, end, crc) for (offset, raw, crc), end in zip(listed, ends, strict=True)]


def get_plan(store: SnapshotStore) -> Plan:
    """Walk what the refs reach and list what is not reached (nothing is written)."""
    reachable = get_reachable(store)
    plan = Plan(len(reachable), pending_forget=(store.path / forget.JOURNAL).exists())
    for oid in sorted(store._loose_ids() - reachable):
        with contextlib.suppress(FileNotFoundError):
            plan.loose[oid] = os.stat(store._loose_path(oid)).st_size
    raw_reachable = {bytes.fromhex(oid) for oid in reachable}
    listed = set(deltapack.read_list(store.path / deltapack.LIST))
    store._packs.refresh()
    for pack in sorted(store._packs.packs, key=lambda p: p.name):
        entries = get_entries(pack)
        keep = {e.raw for e in entries if e.raw in raw_reachable}
        if len(keep) < len(entries):
            plan.packs.append(PackPlan(pack, entries, keep, os.path.basename(pack.base) in listed))
    return plan


# -- removing ---------------------------------------------------------------------------------


def gc(store: SnapshotStore, apply: bool) -> Plan | tuple[Plan, Result]:
    """The plan (dry run), or, with *apply*, the plan carried out under the capture lock."""
    if not apply:
        return get_plan(store)
    with store.lock():
        forget.resume(store)
        plan = get_plan(store)
        return plan, _apply(store, plan)


def _apply(store: SnapshotStore, plan: Plan) -> Result:
    result = Result()
    if not plan.count:
        return result
    pack_dir = store._objects_dir / "pack"
    writer = PackWriter(pack_dir, store._packs, store._remember_pack)  # finishes packs as captures do
    written: list[tuple[packread.PackFile, bool]] = []
    try:
        for documents in (False, True):
            rewrite = [p for p in plan.packs if p.keep and p.documents == documents]
            written += [(pack, documents) for pack in _rewrite(writer, rewrite, store)]
    finally:
        writer.close()
    result.packs_written = len(written)
    gone = {os.path.basename(p.pack.base) for p in plan.packs}
    listed = deltapack.read_list(store.path / deltapack.LIST)
    new_docs = [os.path.basename(p.base) for p, documents in written if documents]
    if new_docs or gone & set(listed):
        deltapack.write_list(store.path / deltapack.LIST, [*new_docs, *(n for n in listed if n not in gone)])
    removed_ids = set(plan.loose) | {e.raw.hex() for p in plan.packs for e in p.entries if e.raw not in p.keep}
    result.reflog_entries = _expire_reflogs(store.path, removed_ids)
    for p in plan.packs:
        store._packs.drop(p.pack.base)
        for ext in (".idx", ".pack"):  # the index first: a pack without one is never read
            with contextlib.suppress(FileNotFoundError):
                os.unlink(p.pack.base + ext)
        result.packs_removed += 1
    with contextlib.suppress(OSError):
        durable.fsync_path(str(pack_dir))
    for oid in plan.loose:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(store._loose_path(oid))
    result.removed, result.bytes = plan.count, plan.bytes
    return result


def _rewrite(writer: PackWriter, plans: list[PackPlan], store: SnapshotStore) -> list[packread.PackFile]:
    """The reachable entries of *plans*' packs, copied into new packs (finished); the packs made.

    A new pack rolls over only between old packs, so a delta and its base always share one.
    """
    made: list[packread.PackFile] = []
    target: _OpenPack | None = None
    try:
        for plan in plans:
            if target is None:
                target = _OpenPack(writer.pack_dir)
            _copy(target, plan, store._known_sound_pack(plan.pack))
            if target.end >= ROLL_BYTES and target.entries:
                made.append(writer._finish(target))
                target = None
        if target is not None and target.entries:
            made.append(writer._finish(target))
        elif target is not None:
            target.discard()
        target = None
    except BaseException:
        if target is not None:
            target.discard()
        raise
    return made


def _copy(target: _OpenPack, plan: PackPlan, sound: bool) -> None:
    """Append *plan*'s kept entries to *target*, in pack order.

    Raises:
        GcError: an entry is damaged (nothing is removed: the caller stops before that).
    """
    pack = plan.pack
    at_offset = {e.offset: e.raw for e in plan.entries}
    already = {raw for raw, _, _ in target.entries}  # a copy in two old packs is written once
    for entry in plan.entries:
        if entry.raw not in plan.keep or entry.raw in already:
            continue
        already.add(entry.raw)
        try:
            head = pack.pread(_HEAD, entry.offset)
            type_num, size, length = packread.parse_entry_header(head)
            base: bytes | None = None
            payload = entry.offset + length
            if packread.is_delta(type_num):
                payload, found = packread.delta_base(head, entry.offset, length, type_num)
                base = found if isinstance(found, bytes) else at_offset.get(found)
                if base is None:
                    raise BadObjectError(f"a delta's base at offset {found} is not an entry of {pack.name}")
            if base is not None and base not in plan.keep:
                _rebased(target, plan, entry, base)
            elif type_num == packread.OFS_DELTA:
                assert base is not None
                if not sound:
                    _check(pack, entry)
                data = bytes(pack_object_header(packread.REF_DELTA, base, size, object_format=SHA1)) + \
                    pack.pread(entry.end - payload, payload)
                target.append(entry.raw, data, zlib.crc32(data))
            else:
                if not sound:
                    _check(pack, entry)
                _copy_bytes(target, pack, entry)
        except (BadObjectError, OSError) as exc:
            raise GcError(f"object {entry.raw.hex()} in {pack.name} is damaged or unreadable ({exc}): nothing was "
                          "removed; run 'gitsnap verify' to list the damage") from exc


def _copy_bytes(target: _OpenPack, pack: packread.PackFile, entry: PackEntry) -> None:
    """Copy one entry byte for byte, in chunks (bounded memory), checked against its CRC32."""
    start = target.end
    crc = 0
    at = entry.offset
    while at < entry.end:
        chunk = pack.pread(min(_COPY_CHUNK, entry.end - at), at)
        if not chunk:
            raise BadObjectError("truncated")
        crc = zlib.crc32(chunk, crc)
        _write_all(target.fd, chunk, target.end)
        target.end += len(chunk)
        at += len(chunk)
    if crc != entry.crc:
        target.end = start  # the bytes written past the end are overwritten by the next entry
        raise BadObjectError("its bytes do not match the index's CRC32")
    target.entries.append((entry.raw, start, crc))


def _check(pack: packread.PackFile, entry: PackEntry) -> None:
    """Read an entry of a pack not known sound and check it hashes to its id (a whole entry
    streamed, with bounded memory; a delta made whole)."""
    try:
        _, _, body = packread.open_entry(pack, entry.offset, entry.raw.hex())
        for _ in body:
            pass
        return
    except packread.DeltaEntry:
        pass
    type_num, data = pack.read_delta(entry.raw)
    digest = hashlib.sha1(b"%s %d\x00" % (packread.TYPE_NAMES[type_num].encode(), len(data)))
    digest.update(data)
    if digest.digest() != entry.raw:
        raise BadObjectError(f"hashes to {digest.hexdigest()}")


def _rebased(target: _OpenPack, plan: PackPlan, entry: PackEntry, base: bytes) -> None:
    """A kept delta whose base goes: stored against the nearest kept base on its chain (a blob),
    else whole. Its bytes are made, hashed and checked; a new delta must give them back."""
    pack = plan.pack
    type_num, data = pack.read_delta(entry.raw)
    digest = hashlib.sha1(b"%s %d\x00" % (packread.TYPE_NAMES[type_num].encode(), len(data)))
    digest.update(data)
    if digest.digest() != entry.raw:
        raise BadObjectError(f"hashes to {digest.hexdigest()}")
    kept = _kept_base(plan, base)
    if kept is not None and type_num == 3:
        _, base_data = pack.read_delta(kept)
        delta = transform_delta(base_data, data)
        if delta is not None and apply_delta(base_data, delta) == data:
            out = deltapack.delta_entry(kept, delta)
            target.append(entry.raw, out, zlib.crc32(out))
            return
    out = bytes(pack_object_header(type_num, None, len(data), object_format=SHA1)) + zlib.compress(data, deltapack.LEVEL)
    target.append(entry.raw, out, zlib.crc32(out))


def _kept_base(plan: PackPlan, start: bytes) -> bytes | None:
    """The first object on *start*'s delta chain (itself included) that stays in the pack."""
    pack = plan.pack
    at: bytes | None = start
    for _ in range(packread.MAX_CHAIN):
        if at is None:
            return None
        if at in plan.keep:
            return at
        offset = pack.offset(at)
        if offset is None:
            return None
        head = pack.pread(_HEAD, offset)
        type_num, _, length = packread.parse_entry_header(head)
        if not packread.is_delta(type_num):
            return None
        _, found = packread.delta_base(head, offset, length, type_num)
        if isinstance(found, int):
            names = dict(zip(*pack.order(), strict=True))
            at = names.get(found)
        else:
            at = found
    return None


# -- reflogs ----------------------------------------------------------------------------------


def _expire_reflogs(git_dir: Path, removed: set[str]) -> int:
    """Drop reflog entries whose new value is removed, and clear an old value that is (git fsck
    reports a reflog entry naming a missing object as an error); how many entries changed."""
    changed = 0
    logs = git_dir / "logs"
    if not logs.is_dir():
        return 0
    for path in sorted(p for p in logs.rglob("*") if p.is_file() and not p.name.endswith(".lock")):
        lines = path.read_bytes().splitlines()
        out = []
        previous = ZERO
        for line in lines:
            try:
                entry = parse_reflog_line(line)
            except (ValueError, IndexError):
                out.append(line)
                continue
            if entry.new_sha.decode() in removed:
                changed += 1
                continue
            old = entry.old_sha
            if old.decode() in removed:
                old = previous if previous.decode() not in removed else ZERO
                changed += 1
            out.append(format_reflog_line(old, entry.new_sha, entry.committer, entry.timestamp, entry.timezone,
                                          entry.message))
            previous = entry.new_sha
        if out != lines:
            durable.replace_file(path, b"".join(line + b"\n" for line in out))
    return changed
