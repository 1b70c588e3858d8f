"""The documents pack: every version of a snapshot's big documents, the newest whole, the
older ones as git deltas against the next, in one pack that each capture rewrites.

Why: a capture that changes 100 bodies of a 100,000-object bucket writes a new
``objects.jsonl`` (megabytes) that differs from the previous one in about 200 lines; the
manifest likewise. Stored whole each time (loose objects, as before), the documents were
half of a history's repository. As deltas they cost kilobytes per capture.

Why one pack, rewritten: git keeps no pack on disk whose deltas need objects from outside it
(a "thin" pack: ``git fsck`` reports "failed to validate delta base reference" and
``git gc`` stops). So a delta and its base must share a pack, and the newest version of a
document, which the next capture's delta needs as its base, cannot stay in an older pack
untouched. The documents pack is therefore folded into a new one by every capture that
writes big documents (:func:`fold`), the way ``git repack`` does it:

- the capture's new documents, whole (the newest version is the one read most: the next
  capture, ``diff`` and ``restore`` read it without applying any delta);
- each previous version of those documents (the previous snapshot's blob at the same
  path), which was whole, becomes a delta against the new version (delta.py), unless its
  chain would grow deeper than :data:`MAX_DEPTH` (then it stays whole and a new chain
  starts: reading any version applies at most that many deltas);
- every other entry of the old documents pack, copied byte for byte (ref deltas name their
  base by id, so they stay valid), each checked on the way (its CRC32 against the old
  index; and read whole when the old pack is not known sound).

Entries are written base first, so reading them in pack order (verify) applies each delta
once (packread.Made). The rewrite costs a copy of the compressed newest documents and the
deltas: a few megabytes per capture at 100,000 objects, against the whole documents before.

Which packs are documents packs: ``gitsnap/document-packs`` in the repository, one pack
name a line (:func:`read_list`). The new pack is finished (synced, renamed, indexed) and the
list rewritten before the old packs are removed, so a killed capture leaves at worst an old
pack beside the new one (the next fold takes both) or a new pack the list does not name yet
(its objects are readable; it is only not folded again). A ``git gc`` that packs everything
anew leaves names in the list that no longer exist: they are skipped.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from dulwich.object_format import SHA1
from dulwich.pack import pack_object_header

from . import durable
from .delta import apply_delta, transform_delta
from .loose import BadObjectError
from .packread import (
    REF_DELTA,
    TYPE_NAMES,
    PackFile,
    delta_base,
    idx_entries,
    is_delta,
    parse_entry_header,
    read_entry,
)

DOCUMENT_MIN = 64 * 1024  # smaller documents stay loose objects: a delta would save little
MAX_DEPTH = 50  # deltas applied at most to read any version
LEVEL = 6  # the newest documents are compressed once and then copied: worth zlib's best ratio
LIST = "gitsnap/document-packs"
_HEAD = 32 + 20


class Target(Protocol):
    """A pack being written (packs._OpenPack)."""

    name: str
    entries: list[tuple[bytes, int, int]]
    end: int

    def pread(self, size: int, offset: int) -> bytes: ...

    def append(self, raw: bytes, entry: bytes, crc: int) -> int: ...


class FoldError(BadObjectError):
    """An old documents pack cannot be folded (an entry is damaged or of a kind not written
    here): it is left as it is, and the new documents go into a pack of their own."""


# -- which packs ------------------------------------------------------------------------------


def read_list(path: Path) -> list[str]:
    """The documents packs' names (``pack-<checksum>``) the list holds; none if it is missing."""
    try:
        text = path.read_text("utf-8")
    except (FileNotFoundError, UnicodeDecodeError):
        return []
    return [line for line in text.split() if line.startswith("pack-") and len(line) == 45]


def write_list(path: Path, names: Iterable[str]) -> None:
    """Replace the list, atomically and durably (before any pack it no longer names goes)."""
    path.parent.mkdir(exist_ok=True)
    durable.replace_file(path, "".join(f"{name}\n" for name in dict.fromkeys(names)).encode("utf-8"))


# -- one old pack, read for folding -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of an old documents pack: where it is, its CRC32, and its base if a delta."""

    raw: bytes
    offset: int
    end: int
    crc: int
    base: bytes | None  # a ref delta's base id; None for a whole object


def transform_depths(entries: Iterable[Entry]) -> tuple[dict[bytes, int], dict[bytes, int]]:
    """``(depth of each entry, height of each whole entry)``: deltas applied to read an entry,
    and the deepest entry whose chain ends at a whole one. Pure.

    Raises:
        FoldError: A chain loops or needs a base that is not in the pack.
    """
    bases = {e.raw: e.base for e in entries}
    depth: dict[bytes, int] = {}
    roots: dict[bytes, bytes] = {}
    for raw in bases:
        path = []
        at: bytes | None = raw
        while at is not None and at not in depth:
            if at not in bases or len(path) > len(bases):
                raise FoldError(f"a delta's base {at.hex()} is not in the pack, or its chain loops")
            path.append(at)
            at = bases[at]
        base_depth, root = (depth[at], roots[at]) if at is not None else (-1, path[-1])
        for step, item in enumerate(reversed(path), start=1):
            depth[item], roots[item] = base_depth + step, root
    height: dict[bytes, int] = {}
    for raw, root in roots.items():
        height[root] = max(height.get(root, 0), depth[raw])
    return depth, height


def get_entries(pack: PackFile) -> list[Entry]:
    """Every entry of *pack* in pack order, with its CRC32 (from the index) and its base.

    Raises:
        FoldError: An entry header is damaged, or an entry is an offset delta (gitsnap writes
            ref deltas only; a pack holding offset deltas was not written here).
    """
    listed = sorted((offset, raw, crc) for raw, offset, crc in idx_entries(pack.base + ".idx"))
    ends = [offset for offset, _, _ in listed[1:]] + [pack.size() - 20]
    out = []
    for (offset, raw, crc), end in zip(listed, ends, strict=True):
        head = pack.pread(_HEAD, offset)
        type_num, _, length = parse_entry_header(head)
        base = None
        if is_delta(type_num):
            if type_num != REF_DELTA:
                raise FoldError(f"{pack.name} holds an offset delta: not a documents pack written here")
            _, found = delta_base(head, offset, length, type_num)
            assert isinstance(found, bytes)
            base = found
        out.append(Entry(raw, offset, end, crc, base))
    return out


# -- folding ----------------------------------------------------------------------------------


def _entry_header(type_num: int, size: int, base: bytes | None = None) -> bytes:
    return bytes(pack_object_header(type_num, base, size, object_format=SHA1))


def delta_entry(base_id: bytes, delta: bytes) -> bytes:
    """A ref delta entry: header (type 7, the delta's size), the base's id, the zlib stream. Pure."""
    return _entry_header(REF_DELTA, len(delta), base_id) + zlib.compress(delta, LEVEL)


def whole_entry(data: bytes) -> bytes:
    """A whole blob entry, compressed at :data:`LEVEL`. Pure."""
    return _entry_header(3, len(data)) + zlib.compress(data, LEVEL)


def fold(target: Target, new: Target, olds: list[PackFile], pairs: dict[bytes, bytes],
         trusted: Callable[[PackFile], bool], held: dict[bytes, bytes] | None = None) -> None:
    """Fill *target*: the new documents of *new* (whole), then every entry of *olds*, each
    previous version named by *pairs* (``new id -> previous id``) re-encoded as a delta
    against its new version where that keeps chains within :data:`MAX_DEPTH`.

    Args:
        target: An empty pack being written.
        new: The pack this capture's documents were appended to (whole entries).
        olds: The documents packs to fold in; all are folded or none (raises).
        pairs: New document -> the previous snapshot's blob at the same path.
        trusted: Whether an old pack is known sound (its entries then need only their CRC32).
        held: New documents' bytes, where the caller still has them (else read from *new*).

    Raises:
        FoldError: An old pack cannot be folded; *target* is then incomplete (discard it).
        OSError: Reading or writing failed.
    """
    ends = [offset for _, offset, _ in new.entries[1:]] + [new.end]
    written: set[bytes] = set()
    whole_new: dict[bytes, int] = {}
    for (raw, offset, crc), end in zip(new.entries, ends, strict=True):
        target.append(raw, new.pread(end - offset, offset), crc)
        written.add(raw)
        whole_new[raw] = offset
    listed = [(pack, get_entries(pack)) for pack in olds]
    recoded = _recode(new, whole_new, listed, pairs, held or {})
    for pack, entries in listed:
        sound = trusted(pack)
        for entry in entries:
            if entry.raw in written:
                continue
            if entry.raw in recoded:
                data = recoded[entry.raw]
                target.append(entry.raw, data, zlib.crc32(data))
            else:
                data = pack.pread(entry.end - entry.offset, entry.offset)
                if zlib.crc32(data) != entry.crc:
                    raise FoldError(f"{entry.raw.hex()} in {pack.name} does not match its index's CRC32")
                if not sound:
                    _check(pack, entry)
                target.append(entry.raw, data, entry.crc)
            written.add(entry.raw)


def _recode(new: Target, whole_new: dict[bytes, int], listed: list[tuple[PackFile, list[Entry]]],
            pairs: dict[bytes, bytes], held: dict[bytes, bytes]) -> dict[bytes, bytes]:
    """Previous id -> its new entry (a delta against its new version), for each pair where
    the previous version is whole in an old pack and its chain stays within MAX_DEPTH."""
    where: dict[bytes, tuple[PackFile, Entry, int]] = {}
    for pack, entries in listed:
        _, height = transform_depths(entries)
        for entry in entries:
            if entry.base is None:
                where.setdefault(entry.raw, (pack, entry, height.get(entry.raw, 0)))
    out: dict[bytes, bytes] = {}
    for new_id, previous in pairs.items():
        found = where.get(previous)
        if new_id not in whole_new or found is None or previous in out or previous in whole_new:
            continue
        pack, entry, height = found
        if height + 1 > MAX_DEPTH:
            continue  # a new chain starts here: the previous version stays whole
        base = held.get(new_id)
        if base is None:
            kind, base = read_entry(new, whole_new[new_id], new_id.hex())
            if kind != "blob":
                continue
        target = _read_blob(pack, entry)
        if target is None:
            continue
        delta = transform_delta(base, target)
        if delta is None or apply_delta(base, delta) != target:  # the delta must give back the bytes
            continue
        out[previous] = delta_entry(new_id, delta)
    return out


def _read_blob(pack: PackFile, entry: Entry) -> bytes | None:
    """A whole blob entry's bytes, checked against its id, inflated in one piece (a chunked
    read would hold the document twice while joining it); None if it is not a blob.

    Raises:
        BadObjectError: The entry is damaged.
    """
    raw = pack.pread(entry.end - entry.offset, entry.offset)
    type_num, size, length = parse_entry_header(raw[:_HEAD])
    if type_num != 3:
        return None
    try:
        decomp = zlib.decompressobj()
        data = decomp.decompress(memoryview(raw)[length:], size + 1)
    except zlib.error as exc:
        raise BadObjectError(f"zlib: {exc} (in {pack.name})") from exc
    del raw
    if len(data) != size or not decomp.eof:
        raise BadObjectError(f"header says {size} bytes, holds another number (in {pack.name})")
    digest = hashlib.sha1(b"blob %d\x00" % size)
    digest.update(data)
    if digest.digest() != entry.raw:
        raise BadObjectError(f"content hashes to {digest.hexdigest()}, not to its id (in {pack.name})")
    return data


def _check(pack: PackFile, entry: Entry) -> None:
    """Read one entry of a pack not known sound, whole, and check it hashes to its id."""
    if entry.base is None:
        read_entry(pack, entry.offset, entry.raw.hex())
        return
    type_num, data = pack.read_delta(entry.raw)
    digest = hashlib.sha1(b"%s %d\x00" % (TYPE_NAMES[type_num].encode(), len(data)))
    digest.update(data)
    if digest.digest() != entry.raw:
        raise FoldError(f"{entry.raw.hex()} in {pack.name} hashes to {digest.hexdigest()}")
