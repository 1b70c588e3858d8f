"""Fingerprints and the second net of secret shapes."""

from __future__ import annotations

import os
import stat

import pytest

from gitsnap.redact import (
    PREFIX,
    SECRET_SHAPES,
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
    "stripe-webhook-secret": "whsec_FAKEabcdefghijklmnopqrstuvwx",
    "slack-token": "xoxb-123456789012-abcdefghijklmnop",
    "slack-webhook": "https://hooks.slack.com/services/T000/B000/XXXXXXXX",
    "discord-webhook": "https://discord.com/api/webhooks/123456789/AbCdEf-ghIJkl",
    "google-api-key": "AIzaSyA1234567890abcdefghijklmnopqrstuv",
    "google-oauth-client-secret": "GOCSPX-FAKEabcdefghijklmnopqrst",
    "github-token": "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "github-fine-grained-token": "github_pat_11FAKE0000000000000000_abcdefghijklmnopqrstuvwxyz",
    "gitlab-token": "glpat-FAKEabcdefghij1234567",
    "npm-token": "npm_FAKEabcdefghijklmnopqrstuvwxyz012345",
    "pypi-token": "pypi-AgEIcHlwaS5vcmcFAKEFAKEFAKEFAKEFAKE",
    "openai-key": "sk-proj-FAKEabcdefghijklmnopqrstuvwxyz012345",
    "sendgrid-key": "SG.FAKEabcdefghijklmn.FAKEopqrstuvwxyz0123456789",
    "mailgun-key": "key-0123456789abcdef0123456789abcdef",
    "twilio-api-key": "SK0123456789abcdef0123456789abcdef",
    "square-token": "sq0atp-FAKEabcdefghijklmnopqrstu",
    "shopify-token": "shpat_0123456789abcdef0123456789abcdef",
    "telegram-bot-token": "123456789:AAFAKEabcdefghijklmnopqrstuvwxyz012",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.FAKEsignature123",
    "url-password": "postgres://jada:correct-horse@db.example.com:5432/bookings",
    "azure-storage-key": "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=FAKEabcdefghijklmnopqrstuvwxyz0123456789ABCD==",
    "bearer-token": "Authorization: Bearer FAKEabcdefghijklmnopqrstuvwxyz",
    "password-assignment": "DB_PASSWORD=hunter2-horse",
}
SECRET_PART = {"aws-secret-access-key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "url-password": "correct-horse",
               "azure-storage-key": "FAKEabcdefghijklmnopqrstuvwxyz0123456789ABCD==",
               "bearer-token": "FAKEabcdefghijklmnopqrstuvwxyz", "password-assignment": "hunter2-horse"}


def test_the_corpus_covers_every_shape_and_has_at_least_twenty():
    assert set(CORPUS) == set(SECRET_SHAPES) and len(CORPUS) >= 20


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
    secret = SECRET_PART.get(shape, CORPUS[shape])
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
