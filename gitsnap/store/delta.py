"""Git deltas for line-oriented documents: made in one pass over the lines, applied checked.

A capture that changes 100 bodies of a 100,000-object bucket writes a new ``objects.jsonl``
(100,000 lines, megabytes) that differs from the previous one in about 200 lines. Stored
whole, every such capture costs megabytes; stored as a git delta against the previous
version (packs.py), it costs kilobytes.

The format is git's (``Documentation/gitformat-pack.txt``, "Deltified representation"):
the base's size and the result's size as little-endian base-128 varints, then
instructions: *copy* (``1xxxxxxx``: up to four offset bytes and three size bytes follow,
those present flagged by the low seven bits) takes a stretch of the base; *insert*
(``0xxxxxxx``, 1 to 127) takes that many literal bytes that follow.

Making one (:func:`transform_delta`) does not look for matches byte by byte (git's
``diff-delta`` indexes every 16-byte block; difflib is quadratic): a snapshot's documents
are sorted lines (``objects.jsonl``) or indented JSON, and what changes between two
captures is whole lines. The base's lines are indexed by their hash; the target's lines
are walked once: a line that follows the base where the last copy ended extends that copy,
a line found once in the base starts a new copy there, any other line is inserted. A run
of equal lines is measured by comparing spans of bytes that double in length (then halve),
so a long unchanged stretch costs a few comparisons, not one per line. The whole is O(n) in
the lines of the two documents, and costs about as much as splitting them into lines.
"""

from __future__ import annotations

import itertools
from array import array

from dulwich.pack import ApplyDeltaError
from dulwich.pack import apply_delta as _dulwich_apply

from .loose import BadObjectError

MAX_COPY = 0xFFFFFF  # three size bytes; git reads any size up to this in one copy
MAX_OFFSET = 0xFFFFFFFF  # four offset bytes: a base of up to 4 GiB
MAX_INSERT = 0x7F
_CHUNK = 1024 * 1024  # bytes of a document split into lines at a time


class DeltaError(BadObjectError):
    """A delta does not apply to its base (damaged, or not made from that base)."""


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _copy_op(offset: int, size: int) -> bytes:
    """One copy instruction (at most MAX_COPY bytes). Pure."""
    cmd, args = 0x80, bytearray()
    for i in range(4):
        byte = (offset >> (8 * i)) & 0xFF
        if byte:
            cmd |= 1 << i
            args.append(byte)
    for i in range(3):
        byte = (size >> (8 * i)) & 0xFF
        if byte:
            cmd |= 0x10 << i
            args.append(byte)
    return bytes((cmd,)) + bytes(args)


def _copies(offset: int, size: int) -> list[bytes]:
    out = []
    while size > 0:
        step = min(size, MAX_COPY)
        out.append(_copy_op(offset, step))
        offset, size = offset + step, size - step
    return out


def _inserts(data: bytes) -> list[bytes]:
    out = []
    for start in range(0, len(data), MAX_INSERT):
        piece = data[start:start + MAX_INSERT]
        out.append(bytes((len(piece),)))
        out.append(piece)
    return out


def _run(base: bytes, boff: array, target: bytes, toff: array, i: int, j: int) -> int:
    """How many lines from target line *i* equal the base's from line *j* (at least 1). Pure.

    Spans of whole lines are compared as bytes: two spans that start on a line boundary and
    hold the same bytes split into the same lines, so equal spans are equal lines."""
    limit = min(len(toff) - 1 - i, len(boff) - 1 - j)

    def same(k: int) -> bool:
        size = toff[i + k] - toff[i]
        return size == boff[j + k] - boff[j] and target[toff[i]:toff[i + k]] == base[boff[j]:boff[j] + size]

    good, step = 1, 1
    while good + step <= limit and same(good + step):  # gallop: 2, 3, 5, 9, ... lines
        good += step
        step *= 2
    while step > 1:  # then halve the step over what the gallop left unknown
        step //= 2
        if good + step <= limit and same(good + step):
            good += step
    return good


def _lines(data: bytes, index: dict[int, int] | None = None) -> array:
    """Where each line of *data* starts, then its end (a line ends after ``\\n``, the last one
    may not); with *index*, each line's hash -> its number, -1 for a line found twice. Pure
    but for *index*, which it fills.

    The lines are split a chunk at a time and not kept: at 100,000 lines a list of them
    would hold as much memory again as the document."""
    offsets = array("q", [0])
    at, size = 0, len(data)
    while at < size:
        stop = data.find(b"\n", min(at + _CHUNK, size - 1))
        stop = size if stop < 0 else stop + 1
        parts = data[at:stop].split(b"\n")
        tail = parts.pop()  # b"" when the chunk ends with a newline
        if tail:
            parts.append(tail)
        if index is not None:
            for number, part in enumerate(parts, len(offsets) - 1):
                key = hash(part)
                index[key] = -1 if key in index else number
        ends = itertools.accumulate((len(p) + 1 for p in parts), initial=at)
        next(ends)
        offsets.extend(ends)
        if tail:
            offsets[-1] = stop  # the last line has no newline to count
        at = stop
    return offsets


def transform_delta(base: bytes, target: bytes) -> bytes | None:
    """A git delta that makes *target* from *base*, matched line by line; None when the
    delta would not be smaller than half of *target* (store the target whole). Pure."""
    if len(base) > MAX_OFFSET:
        return None
    index: dict[int, int] = {}
    boff = _lines(base, index)
    toff = _lines(target)
    lines, base_lines = len(toff) - 1, len(boff) - 1
    ops: list[bytes] = [_varint(len(base)), _varint(len(target))]
    size = len(ops[0]) + len(ops[1])
    budget = len(target) // 2
    expect, pending, i = 0, -1, 0  # the base line after the last copy; where an insert began
    while i < lines:
        line = target[toff[i]:toff[i + 1]]
        if expect < base_lines and base[boff[expect]:boff[expect + 1]] == line:
            j = expect
        else:
            j = index.get(hash(line[:-1] if line.endswith(b"\n") else line), -1)
            if j < 0 or base[boff[j]:boff[j + 1]] != line:  # not in the base, or not once: no anchor
                if pending < 0:
                    pending = i
                i += 1
                continue
        k = _run(base, boff, target, toff, i, j)
        if pending >= 0:
            ops += _inserts(target[toff[pending]:toff[i]])
            size += toff[i] - toff[pending] + (toff[i] - toff[pending] + MAX_INSERT - 1) // MAX_INSERT
            pending = -1
        ops += _copies(boff[j], boff[j + k] - boff[j])
        size += 8
        if size > budget:
            return None
        i, expect = i + k, j + k
    if pending >= 0:
        ops += _inserts(target[toff[pending]:])
        size += len(target) - toff[pending]
    delta = b"".join(ops)
    return delta if len(delta) <= budget else None


def delta_sizes(delta: bytes) -> tuple[int, int]:
    """``(base size, result size)`` from a delta's header. Pure.

    Raises:
        DeltaError: The header is cut short.
    """
    try:
        base, at = _read_varint(delta, 0)
        return base, _read_varint(delta, at)[0]
    except IndexError as exc:
        raise DeltaError("a delta's header is cut short") from exc


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        shift += 7
        pos += 1
        if not byte & 0x80:
            return value, pos


def apply_delta(base: bytes, delta: bytes) -> bytes:
    """*delta* applied to *base* (dulwich's C code: every copy checked against the base,
    the result checked against the size the delta announces).

    Raises:
        DeltaError: The delta does not apply to this base.
    """
    want_base, want = delta_sizes(delta)
    if want_base != len(base):
        raise DeltaError(f"a delta for a base of {want_base} bytes, applied to one of {len(base)}")
    try:
        out = _dulwich_apply(base, delta)
    except (ApplyDeltaError, ValueError, IndexError, AssertionError) as exc:
        raise DeltaError(f"a delta does not apply: {exc}") from exc
    data = b"".join(out) if isinstance(out, list) else bytes(out)
    if len(data) != want:
        raise DeltaError(f"a delta made {len(data)} bytes, not the {want} it announces")
    return data
