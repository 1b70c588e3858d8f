"""Secret handling: keyed fingerprints for declared secret fields, and a second net.

Declared secret fields (Lambda environment values, CloudFront origin header
values, ...) are replaced by ``redacted:hmac-sha256:<hex>``, an HMAC of the value
under a key kept outside the repository. A rotated secret therefore shows as
"changed (redacted)" in a diff while the value itself never reaches git, and
without the key the fingerprint cannot be checked against guesses.

The second net, :class:`SecretScanner`, looks for well-known secret shapes in
every text gitsnap writes (documents, indexes, commit messages) and replaces a
hit by its fingerprint too, reporting where it found it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from .errors import GitsnapError

PREFIX = "redacted:hmac-sha256:"
_HEX = 24


class KeyFileError(GitsnapError):
    """The fingerprint key file cannot be read or created."""


def default_key_path() -> Path:
    """``$GITSNAP_KEY_FILE``, else ``$XDG_CONFIG_HOME/gitsnap/fingerprint.key``."""
    explicit = os.environ.get("GITSNAP_KEY_FILE")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "gitsnap" / "fingerprint.key"


def load_or_create_key(path: Path | None = None) -> bytes:
    """Read the fingerprint key, creating a random one (mode 0600) on first use."""
    path = path or default_key_path()
    try:
        if path.exists():
            key = path.read_bytes().strip()
            if len(key) < 32:
                raise KeyFileError(f"fingerprint key {path} is too short: delete it to make a new one")
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32).encode("ascii")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key + b"\n")
        return key
    except FileExistsError:  # another process created it first
        return path.read_bytes().strip()
    except OSError as exc:
        raise KeyFileError(
            f"cannot use fingerprint key {path}: {exc.strerror}; set GITSNAP_KEY_FILE to a writable path"
        ) from exc


def is_redacted(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


class Fingerprinter:
    """Replaces secret values by a keyed fingerprint."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def __call__(self, value: object) -> str:
        if is_redacted(value):
            return str(value)
        text = value if isinstance(value, str) else repr(value)
        digest = hmac.new(self._key, text.encode("utf-8", "surrogatepass"), hashlib.sha256)
        return PREFIX + digest.hexdigest()[:_HEX]


# Well-known secret shapes. Each pattern's group "secret" (or the whole match) is replaced.
SECRET_SHAPES: dict[str, re.Pattern[str]] = {
    "aws-secret-access-key": re.compile(
        r"(?i)aws_?secret_?(?:access_?)?key\W{0,4}(?P<secret>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"
    ),
    "private-key-block": re.compile(
        r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----[\s\S]*?-----END (?:[A-Z]+ )*PRIVATE KEY-----"
    ),
    "stripe-key": re.compile(r"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}"),
    "stripe-webhook-secret": re.compile(r"\bwhsec_[0-9A-Za-z]{24,}"),
    "slack-token": re.compile(r"\bxox[abposr]-[0-9A-Za-z-]{10,}"),
    "slack-webhook": re.compile(r"https://hooks\.slack\.com/services/[A-Za-z0-9/]+"),
    "discord-webhook": re.compile(r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d+/[\w-]+"),
    "google-api-key": re.compile(r"\bAIza[0-9A-Za-z_\-]{35}"),
    "google-oauth-client-secret": re.compile(r"\bGOCSPX-[0-9A-Za-z_\-]{20,}"),
    "github-token": re.compile(r"\bgh[pousr]_[0-9A-Za-z]{36,}"),
    "github-fine-grained-token": re.compile(r"\bgithub_pat_[0-9A-Za-z_]{40,}"),
    "gitlab-token": re.compile(r"\bglpat-[0-9A-Za-z_\-]{20,}"),
    "npm-token": re.compile(r"\bnpm_[0-9A-Za-z]{36}"),
    "pypi-token": re.compile(r"\bpypi-AgEIcHlwaS5vcmc[0-9A-Za-z_\-]{20,}"),
    "openai-key": re.compile(r"\bsk-(?:proj-)?[0-9A-Za-z_\-]{32,}"),
    "sendgrid-key": re.compile(r"\bSG\.[0-9A-Za-z_\-]{16,}\.[0-9A-Za-z_\-]{16,}"),
    "mailgun-key": re.compile(r"\bkey-[0-9a-f]{32}\b"),
    "twilio-api-key": re.compile(r"\bSK[0-9a-f]{32}\b"),
    "square-token": re.compile(r"\bsq0(?:atp|csp)-[0-9A-Za-z_\-]{22,}"),
    "shopify-token": re.compile(r"\bshp(?:at|ss|ca|pa)_[0-9a-fA-F]{32}"),
    "telegram-bot-token": re.compile(r"\b\d{8,10}:AA[0-9A-Za-z_\-]{33}\b"),
    "jwt": re.compile(r"\beyJ[0-9A-Za-z_\-]{8,}\.eyJ[0-9A-Za-z_\-]{8,}\.[0-9A-Za-z_\-]{8,}"),
    "url-password": re.compile(r"\b[a-z][a-z0-9+.\-]*://[^\s:/@]+:(?P<secret>[^\s@/]{3,})@[^\s/]+"),
    "azure-storage-key": re.compile(r"(?i)AccountKey=(?P<secret>[A-Za-z0-9+/=]{40,})"),
    "bearer-token": re.compile(r"(?i)\bBearer\s+(?P<secret>[0-9A-Za-z_\-.=]{20,})"),
    "password-assignment": re.compile(
        r"(?i)\b[A-Za-z0-9_]*(?:password|passwd|pwd|secret|api_?key|token)\s*[=:]\s*[\"']?(?P<secret>[^\s\"'&;,]{6,})"
    ),
}


@dataclass
class Finding:
    where: str
    shape: str


@dataclass
class SecretScanner:
    """Second net: redact well-known secret shapes in any text, and remember where."""

    fingerprint: Fingerprinter
    findings: list[Finding] = field(default_factory=list)

    def clean(self, text: str, where: str) -> str:
        for shape, pattern in SECRET_SHAPES.items():
            text = pattern.sub(lambda m, s=shape: self._sub(m, s, where), text)
        return text

    def _sub(self, match: re.Match[str], shape: str, where: str) -> str:
        group = "secret" if "secret" in match.re.groupindex else 0
        value = match.group(group)
        if value is None or is_redacted(value) or value.startswith(PREFIX[:9]):
            return match.group(0)
        self.findings.append(Finding(where=where, shape=shape))
        start, end = match.span(group)
        whole = match.group(0)
        offset = match.start(0)
        return whole[: start - offset] + self.fingerprint(value) + whole[end - offset :]
