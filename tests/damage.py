"""Damage as a bad disk or a careless hand makes it, shared by the store's unit and e2e tests."""

from __future__ import annotations

import os
from pathlib import Path


def flip_middle(path: Path, count: int = 16) -> None:
    """Flip *count* bytes in the middle of a (read-only) object file."""
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    for i in range(max(0, mid - count // 2), min(len(data), mid + count // 2)):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
