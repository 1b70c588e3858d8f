"""The previous snapshot's object index, held compactly for the no-change pass.

A capture compares every listed object with the previous ``objects.jsonl``: 100,000 lines for
a big bucket. Held as :class:`~gitsnap.layout.ObjectEntry` objects that index took 94 MiB (and
149 MiB at its peak while parsing), most of a no-change capture's memory; but the pass needs
only size, ETag and blob of each key, and the line itself for an unchanged key (an index line
is canonical: an unchanged key's line is the same bytes). So each key keeps a :data:`Previous`
tuple, the line as an offset into the index's bytes, and the index is parsed a chunk of lines
at a time. An unchanged key's :class:`~gitsnap.layout.ObjectEntry` is made only when asked.

:func:`splice` writes the new index from the previous lines of unchanged keys and the dumped
lines of the others, so a 100-change capture dumps 100 lines, not 100,000; when the previous
index is not in today's canonical form (an older gitsnap's), every line is dumped again.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from ...layout import ObjectEntry, dump_index
from .s3list import gc_paused

CHUNK_BYTES = 1 << 18  # index bytes parsed at once (about 1,000 lines): bounds the parser's dicts held together


class Previous(NamedTuple):
    """What the no-change pass needs of one previous index line."""

    key: str  # the same string as the dict's key: no copy
    size: int
    etag: str
    blob: str | None
    sealed_sha256: str | None  # the body's sha256 when it is sealed (reusable without the blob)
    start: int  # where its line starts in the index's bytes


def _docs(lines: list[bytes]) -> list[Any]:
    """The JSON value of each line: one parse for the chunk, each line alone if that fails."""
    try:
        docs = json.loads(b"[" + b",".join(lines) + b"]")
    except ValueError:
        docs = None
    if docs is None or len(docs) != len(lines):  # a line that is not one value
        docs = [json.loads(line) for line in lines]
    return docs


class PreviousIndex:
    """The previous ``objects.jsonl`` of a bucket, by key (see the module docstring)."""

    def __init__(self, data: bytes | None) -> None:
        self.data = data = data or b""
        self.by_key: dict[str, Previous] = {}
        end = len(data)
        pos = 0
        with gc_paused():  # 100,000 new tuples: no cycle to find, only collector passes to pay
            while pos < end:
                nl = data.find(b"\n", min(pos + CHUNK_BYTES, end))
                stop = end if nl < 0 else nl
                lines: list[bytes] = []
                starts: list[int] = []
                at = pos
                for line in data[pos:stop].split(b"\n"):
                    if line.strip():  # as load_index: blank lines are not entries
                        lines.append(line)
                        starts.append(at)
                    at += len(line) + 1
                if lines:
                    self._add(_docs(lines), starts)
                pos = stop + 1

    def _add(self, docs: list[Any], starts: list[int]) -> None:
        by_key = self.by_key
        make = tuple.__new__  # Previous's own __new__ is Python code: a third of the loop
        for doc, start in zip(docs, starts, strict=True):
            key = doc["key"]  # KeyError for a line without key, size or etag, as ObjectEntry.from_json
            by_key[key] = make(Previous, (key, doc["size"], doc["etag"], doc.get("blob"),
                                          doc.get("sha256") if doc.get("sealed") else None, start))

    def __len__(self) -> int:
        return len(self.by_key)

    def get(self, key: str) -> Previous | None:
        return self.by_key.get(key)

    def line(self, old: Previous) -> bytes:
        """An entry's line as the previous index holds it, without its newline."""
        nl = self.data.find(b"\n", old.start)
        return self.data[old.start: len(self.data) if nl < 0 else nl]

    def entry(self, old: Previous) -> ObjectEntry:
        """The full entry of a previous line."""
        return ObjectEntry.from_json(json.loads(self.line(old)))

    def canonical(self) -> bool:
        """Whether the previous lines are what dumping their entries gives today (its first
        line stands for all: an index is written whole by one gitsnap version)."""
        first = next(iter(self.by_key.values()), None)
        return first is None or dump_index([self.entry(first)]) == self.line(first) + b"\n"


def splice(previous: PreviousIndex, slots: list[Previous | ObjectEntry | None]) -> bytes:
    """The new ``objects.jsonl``: for each slot, an unchanged key's previous line or a new
    entry's dumped line (None: a key gone while it was captured), sorted by key as
    :func:`~gitsnap.layout.dump_index` sorts. Pure.

    With nothing new and every previous key kept, it is the previous bytes as they are.
    """
    fresh = [s for s in slots if isinstance(s, ObjectEntry)]
    kept = [s for s in slots if isinstance(s, Previous)]
    if not fresh and len(kept) == len(previous) and previous.canonical():
        return previous.data
    if not previous.canonical():  # an older format: every line dumped again
        return dump_index(fresh + [previous.entry(s) for s in kept])
    ordered = sorted(fresh, key=lambda e: e.key)  # as dump_index sorts them: line i is entry i's
    pairs = list(zip((e.key for e in ordered), dump_index(ordered).split(b"\n"), strict=False))
    pairs.extend((s.key, previous.line(s)) for s in kept)
    pairs.sort(key=lambda p: p[0])
    return b"\n".join(line for _, line in pairs) + b"\n" if pairs else b""
