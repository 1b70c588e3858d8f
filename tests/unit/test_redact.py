"""Fingerprints and the second net of secret shapes."""

from __future__ import annotations

import os
import stat

import pytest

from gitsnap.redact import (
    PREFIX,
    Fingerprinter,
    KeyFileError,
    SecretScanner,
    is_redacted,
    load_or_create_key,
)

# A corpus of secret shapes (all fake); each must be caught by the second net.
CORPUS = {
    "aws-secret-access-key": "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "private-key-block": "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----",
    "stripe-key": "key: sk_live_51HxFAKEabcdefghijklmnop",
    "slack-token": "xoxb-123456789012-abcdefghijklmnop",
    "slack-webhook": "https://hooks.slack.com/services/T000/B000/XXXXXXXX",
    "google-api-key": "AIzaSyA1234567890abcdefghijklmnopqrstuv",
    "github-token": "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "password-assignment": "DB_PASSWORD=hunter2-horse",
}


def test_fingerprint_is_stable_keyed_and_marked():
    a, b = Fingerprinter(b"k" * 32), Fingerprinter(b"j" * 32)
    assert a("v") == a("v") and a("v") != a("w") and a("v") != b("v")
    assert a("v").startswith(PREFIX) and is_redacted(a("v"))
    assert a(a("v")) == a("v")  # fingerprinting is idempotent


@pytest.mark.parametrize("shape", sorted(CORPUS))
def test_scanner_redacts_each_shape(shape):
    scanner = SecretScanner(Fingerprinter(b"k" * 32))
    text = f"before\n{CORPUS[shape]}\nafter"
    cleaned = scanner.clean(text, "somewhere")
    secret = CORPUS[shape].split("=")[-1].strip() if shape.endswith("assignment") else CORPUS[shape]
    assert secret not in cleaned
    assert PREFIX in cleaned and cleaned.startswith("before\n") and cleaned.endswith("\nafter")
    assert [f.shape for f in scanner.findings] == [shape]


def test_scanner_leaves_ordinary_text_and_fingerprints_alone():
    scanner = SecretScanner(Fingerprinter(b"k" * 32))
    text = '{"Timeout": 30, "token": "redacted:hmac-sha256:abc", "password": 12}\npassword = redacted:hmac-sha256:0f'
    assert scanner.clean(text, "x") == text
    assert scanner.findings == []


def test_key_file_is_created_private_and_reused(tmp_path, monkeypatch):
    path = tmp_path / "cfg" / "key"
    key = load_or_create_key(path)
    assert load_or_create_key(path) == key and len(key) >= 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    path.write_text("short")
    with pytest.raises(KeyFileError, match="too short"):
        load_or_create_key(path)
