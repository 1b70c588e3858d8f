"""A small HCL2 writer whose output is already in ``terraform fmt`` style.

Values are Python data: ``str`` (always a literal: ``${`` and ``%{`` are escaped so nothing a
snapshot recorded is ever interpolated), ``int``/``float``, ``bool``, ``None`` (``null``),
``dict`` (a map attribute, multi-line), ``list`` (inline when short and flat, else one item a
line), :class:`Expr` (raw expression text: a reference, ``var.x``), :class:`Call` (a function
over a value rendered as HCL: ``jsonencode({...})``), and, only as a body's attribute value,
:class:`~.model.Block` or a list of them (nested or repeated blocks).

Layout follows hclwrite's formatter (what ``terraform fmt`` runs): 2-space indent; a line that
opens a multi-line value indents what follows by one level however many brackets it opens;
within a run of consecutive single-line ``key = value`` lines the ``=`` signs line up one space
after the longest key (a blank line, a block header or a line opening a multi-line value ends
the run). A body lists its attributes first, then its nested blocks, a blank line before each
block. Pure: no I/O.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .model import Block

INDENT = "  "
INLINE_LIST_WIDTH = 80  # a flat list longer than this is written one item a line

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_BARE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEYWORDS = {"true", "false", "null"}
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


@dataclass(frozen=True)
class Expr:
    """A raw HCL expression, written as is: ``aws_s3_bucket.x.id``, ``var.x``, ``string``."""

    text: str


@dataclass(frozen=True)
class Call:
    """``fn(arg)`` with *arg* written as an HCL value: ``jsonencode({...})`` over several lines."""

    fn: str
    arg: Any


@dataclass
class _Line:
    """One output line: ``lead`` (key or raw text) and, for a single-line attribute, the value
    after its ``=`` (``assign``), which the formatter aligns."""

    indent: int
    lead: str
    assign: str | None = None


def _escape_text(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    # Template sequences: "$${" and "%%{" are HCL's literal "${" and "%{".
    return "".join(out).replace("${", "$${").replace("%{", "%%{")


def string(text: str) -> str:
    """*text* as a quoted HCL string literal, never interpolated."""
    return '"' + _escape_text(text) + '"'


def template(parts: Iterable[str | Expr]) -> Expr:
    """A string template of literal pieces and interpolated expressions:
    ``["postgres://app:", Expr("var.db"), "@db"]`` -> ``"postgres://app:${var.db}@db"``.
    A lone expression is returned as itself (``terraform fmt`` unwraps ``"${x}"``)."""
    parts = [p for p in parts if p != ""]
    if len(parts) == 1 and isinstance(parts[0], Expr):
        return parts[0]
    text = "".join("${" + p.text + "}" if isinstance(p, Expr) else _escape_text(p) for p in parts)
    return Expr('"' + text + '"')


def key(name: Any) -> str:
    """An object key: bare when it is a plain identifier, else quoted."""
    name = str(name)
    return name if _BARE_KEY.fullmatch(name) and name not in _KEYWORDS else string(name)


def _number(value: int | float) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"HCL has no literal for the number {value!r}")
    return repr(value)


def _scalar(value: Any) -> str | None:
    """A single-line value's text, or None when it needs lines of its own."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, str):
        return string(value)
    if isinstance(value, Expr):
        return value.text
    return None


def _value(value: Any, indent: int) -> tuple[str, list[_Line]]:
    """*value* at *indent*: the text that follows ``key = `` and the lines after it (the last
    of which closes what the first opened, at *indent*)."""
    text = _scalar(value)
    if text is not None:
        return text, []
    if isinstance(value, Block):
        raise TypeError("a nested block can only be a body's attribute, not a value")
    if isinstance(value, Call):
        first, rest = _value(value.arg, indent)
        if not rest:
            return f"{value.fn}({first})", []
        rest[-1].lead += ")"
        return f"{value.fn}({first}", rest
    if isinstance(value, Mapping):
        if not value:
            return "{}", []
        lines: list[_Line] = []
        for k, v in value.items():
            lines.extend(_attribute(key(k), v, indent + 1))
        return "{", [*lines, _Line(indent, "}")]
    if isinstance(value, (list, tuple)):
        return _list(value, indent)
    raise TypeError(f"no HCL form for a {type(value).__name__} value: {value!r}")


def _list(items: Sequence[Any], indent: int) -> tuple[str, list[_Line]]:
    if not items:
        return "[]", []
    flat = [_scalar(v) for v in items]
    if all(t is not None for t in flat):
        inline = "[" + ", ".join(t for t in flat if t is not None) + "]"
        if len(inline) <= INLINE_LIST_WIDTH:
            return inline, []
    lines: list[_Line] = []
    for item in items:
        first, rest = _value(item, indent + 1)
        lines.append(_Line(indent + 1, first))
        lines.extend(rest)
        lines[-1].lead += ","
    return "[", [*lines, _Line(indent, "]")]


def _attribute(name: str, value: Any, indent: int) -> list[_Line]:
    first, rest = _value(value, indent)
    if not rest:
        return [_Line(indent, name, first)]
    return [_Line(indent, f"{name} = {first}"), *rest]


def _is_blocks(value: Any) -> bool:
    if isinstance(value, Block):
        return True
    if isinstance(value, (list, tuple)) and value and any(isinstance(v, Block) for v in value):
        if not all(isinstance(v, Block) for v in value):
            raise TypeError("a list mixes nested blocks and values")
        return True
    return False


def _body(body: Mapping[str, Any], indent: int) -> list[_Line]:
    """A block body: its attributes in order, then its nested blocks, each after a blank line."""
    attrs: list[_Line] = []
    blocks: list[_Line] = []
    for name, value in body.items():
        if not _IDENT.fullmatch(name):
            raise ValueError(f"{name!r} is not an HCL attribute or block name")
        if _is_blocks(value):
            for one in ([value] if isinstance(value, Block) else value):
                blocks.append(_Line(0, ""))
                blocks.extend(_block_lines(name, (), one.body, indent))
        else:
            attrs.extend(_attribute(name, value, indent))
    if not attrs and blocks:
        blocks = blocks[1:]
    return attrs + blocks


def _block_lines(type_: str, labels: Sequence[str], body: Mapping[str, Any], indent: int) -> list[_Line]:
    header = " ".join([type_, *(string(label) for label in labels)])
    inner = _body(body, indent + 1)
    if not inner:
        return [_Line(indent, header + " {}")]
    return [_Line(indent, header + " {"), *inner, _Line(indent, "}")]


def _columns(text: str) -> int:
    """Display columns as hclwrite counts them (grapheme clusters, near enough)."""
    return sum(1 for ch in text if not unicodedata.combining(ch))


def _format(lines: list[_Line]) -> str:
    """Lines to text, aligning ``=`` across each run of consecutive single-line attributes."""
    out: list[str] = []
    run: list[_Line] = []

    def close() -> None:
        width = max((_columns(x.lead) for x in run), default=0)
        for x in run:
            out.append(INDENT * x.indent + x.lead + " " * (width - _columns(x.lead)) + " = " + str(x.assign))
        run.clear()

    for line in lines:
        if line.assign is not None:
            run.append(line)
            continue
        close()
        out.append(INDENT * line.indent + line.lead if line.lead else "")
    close()
    return "\n".join(out) + "\n"


def comment(text: str) -> str:
    """``# text``, one comment line per line of *text*."""
    return "".join(("# " + line).rstrip() + "\n" for line in text.splitlines() or [""])


def block(type_: str, labels: Sequence[str], body: Mapping[str, Any], *, comment_text: str | None = None) -> str:
    """A top-level block (``resource "aws_s3_bucket" "x" { ... }``) as text, after an optional comment."""
    head = comment(comment_text) if comment_text else ""
    return head + _format(_block_lines(type_, labels, body, 0))


def attributes(body: Mapping[str, Any]) -> str:
    """Top-level attributes (a ``.tfvars`` file) as text."""
    return _format(_body(body, 0))


def document(parts: Iterable[str], *, header: str | None = None) -> str:
    """A file: an optional header comment, then *parts* (from :func:`block`) a blank line apart."""
    chunks = ([comment(header)] if header else []) + [p for p in parts if p]
    return "\n".join(chunks)
