"""Canonical JSON: the one byte form every document takes in a snapshot.

Sorted keys, two-space indent, UTF-8 (no ``\\u`` escapes for printable text),
trailing newline. Two equal documents always give identical bytes, and so the
identical git blob; that is what makes a capture with no change make no commit.
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any


def plain(value: Any) -> Any:
    """Convert an API response into plain JSON types.

    datetimes become ISO 8601 strings in UTC, Decimals become int or float,
    bytes become ``{"base64": ...}``, tuples and sets become lists (sets sorted).
    Strings that cannot be encoded as UTF-8 (lone surrogates from undecodable
    input) are replaced by ``{"base64": ...}`` of their surrogate-escaped bytes.
    """
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((plain(v) for v in value), key=dumps_line)
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(_dt.UTC)
        return value.replace(tzinfo=None).isoformat() + "Z"
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bytes | bytearray):
        return {"base64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raw = value.encode("utf-8", "surrogateescape")
            return {"base64": base64.b64encode(raw).decode("ascii")}
        return value
    return value


# Characters that many line splitters (Python's str.splitlines, JavaScript) treat as line
# breaks, plus the other C1 controls: escaped, so one JSON line is always one line.
_LINE_BREAKERS = re.compile("[\u0080-\u009f\u2028\u2029]")


def _escape_breakers(text: str) -> str:
    return _LINE_BREAKERS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def dumps(doc: Any) -> bytes:
    """The canonical document form: sorted keys, indent 2, UTF-8, trailing newline."""
    text = json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False)
    return (_escape_breakers(text) + "\n").encode("utf-8")


def dumps_line(doc: Any) -> str:
    """The canonical one-line form used for JSON Lines indexes and for sorting."""
    return _escape_breakers(json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")))


def loads(data: bytes | str) -> Any:
    return json.loads(data)
