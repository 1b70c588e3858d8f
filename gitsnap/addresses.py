"""Addresses and globs given on the command line, checked against what exists.

Every command that selects resources (``diff``, ``drift``, ``restore``, ``show``) and every
``--only SERVICE`` goes through :func:`check_patterns` / :func:`check_services`, so a typo is
an error naming the address and the nearest known ones, never an empty, successful answer.
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Iterable

from .errors import UnknownAddressError


def matches(address: str, pattern: str) -> bool:
    """Whether *pattern* (an address or a glob) selects *address*."""
    return address == pattern or fnmatch.fnmatchcase(address, pattern)


def nearest(pattern: str, known: Iterable[str], n: int = 3) -> list[str]:
    """The known addresses closest to *pattern*, and the service glob when the service exists.

    Pure: ``nearest("lamda/x", ["lambda/x"])`` is ``["lambda/x", "lambda/*"]``.
    """
    known = sorted(set(known))
    services = sorted({a.split("/", 1)[0] for a in known})
    close = difflib.get_close_matches(pattern, known, n=n, cutoff=0.5)
    service = pattern.split("/", 1)[0]
    svc = difflib.get_close_matches(service, services, n=1, cutoff=0.6)
    if svc and f"{svc[0]}/*" not in close:
        close.append(f"{svc[0]}/*")
    return close[: n + 1]


def check_patterns(patterns: Iterable[str], known: Iterable[str], where: str, hint: str) -> None:
    """Raise :class:`UnknownAddressError` for the first pattern that selects nothing in *known*.

    Args:
        patterns: addresses or globs from the command line.
        known: every address the command could select.
        where: what was searched, for the message ("v1.0", "v1.0 or live state").
        hint: the command that lists the addresses ("gitsnap show v1.0").
    """
    known = list(known)
    for pattern in patterns:
        if not any(matches(a, pattern) for a in known):
            close = nearest(pattern, known)
            mean = f" (did you mean {' or '.join(close)}?)" if close else ""
            raise UnknownAddressError(f"no resource matches {pattern!r} in {where}{mean}; '{hint}' lists them")


def check_services(only: Iterable[str], known: Iterable[str], option: str = "--only") -> None:
    """Raise :class:`UnknownAddressError` for a ``--only`` service gitsnap does not know."""
    known = sorted(set(known))
    for svc in only:
        if svc not in known:
            close = difflib.get_close_matches(svc, known, n=1)
            mean = f" (did you mean {close[0]}?)" if close else ""
            raise UnknownAddressError(f"unknown service {svc!r} for {option}{mean}; known: {', '.join(known)}")
