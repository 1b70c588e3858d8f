"""Counted nouns in what gitsnap prints: ``plural(1, "resource")`` is "1 resource". Pure."""

from __future__ import annotations


def plural(n: int, noun: str, many: str | None = None) -> str:
    """*n* and *noun*, the noun in the plural unless *n* is 1 (*many*, else noun + "s")."""
    return f"{n} {noun if n == 1 else (many or noun + 's')}"
