"""Sealing: age encryption (pyrage) of secret values and bodies to the repository's recipients.

Capture needs only the public recipients (``age1…`` strings in ``[secrets] recipients``), so a
nightly job cannot read old secrets; ``restore`` and ``show --reveal`` need the identity
(``AGE-SECRET-KEY-1…``), kept outside the repository. A sealed item is stored in the snapshot
tree as ``sealed/values/<fingerprint>.age`` (a field value) or ``sealed/bodies/<sha256>.age``
(a whole body); age output is randomized, so an item sealed once is reused by name in later
captures while the recipients stay the same, and an unchanged estate still makes no commit.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pyrage
from pyrage import x25519

from ..errors import GitsnapError
from .fingerprint import key_file

AGE_MAGIC = b"age-encryption.org/v1\n"
SEALED = "sealed"


class SealError(GitsnapError):
    """Sealing or unsealing failed: missing or wrong keys, or damaged ciphertext."""


def value_path(fingerprint_hex: str) -> str:
    return f"{SEALED}/values/{fingerprint_hex}.age"


def body_path(sha256: str) -> str:
    return f"{SEALED}/bodies/{sha256}.age"


def default_identity_path() -> Path:
    """``$GITSNAP_IDENTITY``, else ``$XDG_CONFIG_HOME/gitsnap/identity.age``."""
    return key_file("GITSNAP_IDENTITY", "identity.age")


def create_identity(path: Path) -> str:
    """Make an identity at *path* (mode 0600) unless one is there; return its recipient."""
    existing = read_identity(path)
    if existing is not None:
        return str(existing.to_public())
    identity = x25519.Identity.generate()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(f"# gitsnap age identity; public key: {identity.to_public()}\n{identity}\n")
    except OSError as exc:
        raise SealError(f"cannot create age identity {path}: {exc.strerror}; set GITSNAP_IDENTITY "
                        "to a writable path") from exc
    return str(identity.to_public())


def read_identity(path: Path) -> x25519.Identity | None:
    """The identity in an age key file (comment lines allowed), ``None`` if the file is absent."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise SealError(f"cannot read age identity {path} ({exc}); fix the file or GITSNAP_IDENTITY") from exc
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("AGE-SECRET-KEY-"):
            try:
                return x25519.Identity.from_str(line)
            except Exception as exc:  # pyrage raises its own IdentityError
                raise SealError(f"{path} does not hold a valid age identity: restore it from your backup") from exc
    raise SealError(f"{path} holds no AGE-SECRET-KEY line: it is not an age identity file")


def parse_recipients(values: list[str], where: str) -> list[x25519.Recipient]:
    out = []
    for value in values:
        try:
            out.append(x25519.Recipient.from_str(value.strip()))
        except Exception as exc:
            raise SealError(f"{where}: {value[:12]}… is not an age recipient (age1…): fix [secrets] "
                            "recipients in gitsnap.toml") from exc
    return out


def recipients_digest(values: list[str]) -> str:
    """Which recipients sealed items were made for (items are re-sealed when this changes)."""
    return hashlib.sha256("\n".join(sorted(v.strip() for v in values)).encode()).hexdigest()[:16]


class Sealer:
    """Encrypts to the repository's recipients; cannot decrypt."""

    def __init__(self, recipients: list[str], where: str = "gitsnap.toml") -> None:
        if not recipients:
            raise SealError(f"{where}: no age recipients, so secrets cannot be sealed: run 'gitsnap keys init' "
                            "(or add [secrets] recipients = [\"age1…\"])")
        self._recipients = parse_recipients(recipients, where)
        self.digest = recipients_digest(recipients)

    def seal(self, data: bytes) -> bytes:
        return pyrage.encrypt(data, self._recipients)

    def seal_value(self, value: Any) -> bytes:
        """A field value, typed: ``{"v": value}`` as JSON, so it comes back exactly."""
        return self.seal(json.dumps({"v": value}, ensure_ascii=False, sort_keys=True).encode("utf-8"))


class Unsealer:
    """Decrypts with the identity."""

    def __init__(self, identity: x25519.Identity, path: Path) -> None:
        self._identity = identity
        self.path = path

    @classmethod
    def load(cls, path: Path | None = None) -> Unsealer | None:
        """The unsealer for the identity at *path* (default location), ``None`` if it is absent."""
        path = path or default_identity_path()
        identity = read_identity(path)
        return None if identity is None else cls(identity, path)

    @property
    def recipient(self) -> str:
        return str(self._identity.to_public())

    def open(self, ciphertext: bytes, what: str) -> bytes:
        if not ciphertext.startswith(AGE_MAGIC):
            raise SealError(f"{what}: not age ciphertext (the snapshot is damaged): run 'gitsnap verify'")
        try:
            return pyrage.decrypt(ciphertext, [self._identity])
        except pyrage.DecryptError as exc:
            raise SealError(f"{what}: cannot decrypt with identity {self.path} ({exc}): it is the wrong "
                            "identity for this snapshot, or the ciphertext is damaged") from exc

    def open_value(self, ciphertext: bytes, what: str) -> Any:
        try:
            return json.loads(self.open(ciphertext, what))["v"]
        except (ValueError, KeyError, TypeError) as exc:
            raise SealError(f"{what}: sealed value is not gitsnap's format (damaged?)") from exc
