"""Keyed fingerprints: what stands in a document where a secret value was.

A value is replaced by ``redacted:hmac-sha256:<24 hex>``, an HMAC of the value under a key
kept outside the repository. The same value always gives the same fingerprint, so a rotated
secret shows as "changed" in a diff while the value never reaches git; without the key a
fingerprint cannot be checked against guesses. The repository records the key's id, so a
lost or swapped key is an error rather than a silent new key that would make every
fingerprint in history look changed.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path
from typing import Any

from ..errors import GitsnapError

PREFIX = "redacted:hmac-sha256:"
HEX = 24
MARKER = re.compile(re.escape(PREFIX) + "([0-9a-f]{" + str(HEX) + "})")


class KeyFileError(GitsnapError):
    """The fingerprint key file cannot be read or created, or is not the repository's key."""


def key_file(variable: str, name: str) -> Path:
    """Where a key lives: ``$<variable>``, else ``$XDG_CONFIG_HOME/gitsnap/<name>``."""
    explicit = os.environ.get(variable)
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "gitsnap" / name


def default_key_path() -> Path:
    """``$GITSNAP_KEY_FILE``, else ``$XDG_CONFIG_HOME/gitsnap/fingerprint.key``."""
    return key_file("GITSNAP_KEY_FILE", "fingerprint.key")


def key_id(key: bytes) -> str:
    """A public name for a key: it says which key, and nothing about the key."""
    return hashlib.sha256(b"gitsnap-fingerprint-key-id\0" + key).hexdigest()[:16]


def read_key(path: Path) -> bytes | None:
    """The key at *path*, ``None`` if there is none."""
    try:
        key = path.read_bytes().strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise KeyFileError(f"cannot read fingerprint key {path}: {exc.strerror}; fix its permissions "
                           "or set GITSNAP_KEY_FILE") from exc
    if len(key) < 32:
        raise KeyFileError(f"fingerprint key {path} is too short (under 32 bytes): restore it from your backup")
    return key


def create_key(path: Path) -> bytes:
    """A new random key at *path* (mode 0600); an existing file is kept and returned."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32).encode("ascii")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key + b"\n")
        return key
    except FileExistsError:  # another process created it first
        return read_key(path) or b""
    except OSError as exc:
        raise KeyFileError(
            f"cannot create fingerprint key {path}: {exc.strerror}; set GITSNAP_KEY_FILE to a writable path"
        ) from exc


def load_key(path: Path | None, expected_id: str | None) -> bytes:
    """The fingerprint key, checked against the id the repository recorded.

    A repository that already holds fingerprints (*expected_id* set) never gets a new key
    silently: every fingerprint in its history would then show as changed.
    """
    path = path or default_key_path()
    key = read_key(path)
    if key is None:
        if expected_id:
            raise KeyFileError(
                f"fingerprint key {path} is missing but this repository's fingerprints were made with key "
                f"{expected_id}: restore the key file (or set GITSNAP_KEY_FILE); see docs/secrets.md "
                "'Lost keys' before making a new one")
        key = create_key(path)
    if expected_id and key_id(key) != expected_id:
        raise KeyFileError(
            f"fingerprint key {path} is key {key_id(key)}, but this repository was written with key "
            f"{expected_id}: point GITSNAP_KEY_FILE at the right key; see docs/secrets.md 'Lost keys'")
    return key


def is_redacted(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


class Fingerprinter:
    """Replaces secret values by a keyed fingerprint."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        self.key_id = key_id(key)

    def __call__(self, value: object) -> str:
        if is_redacted(value):
            return str(value)
        text = value if isinstance(value, str) else repr(value)
        return PREFIX + self.hex(text.encode("utf-8", "surrogatepass"))

    def hex(self, data: bytes) -> str:
        return hmac.new(self._key, data, hashlib.sha256).hexdigest()[:HEX]


def has_marker(value: Any) -> bool:
    """Whether a value holds a fingerprint anywhere (a string, or inside lists and mappings)."""
    if isinstance(value, str):
        return PREFIX in value
    if isinstance(value, dict):
        return any(has_marker(v) for v in value.values())
    if isinstance(value, list):
        return any(has_marker(v) for v in value)
    return False
