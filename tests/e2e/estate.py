"""The end-to-end estate: the sandbox's sample shops plus a bucket of awkward keys."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from gitsnap.sandbox import estate

EDGE_BUCKET = "edge-keys"
BIG_KEY = "big/archive.bin"
BIG_SIZE = 6 * 1024 * 1024 + 123
EDGE_KEYS: dict[str, bytes] = {
    "a": b"plain a\n",
    "a/b": b"a is also a folder\n",
    "dir/": b"",
    "x//y": b"double slash\n",
    "../z": b"dot dot\n",
    "./dot": b"dot\n",
    "\u00fcn\u00ef/c\u00f8d\u00e9 \u2713.html": "<p>\u00fcnicode</p>\n".encode(),
    "k" * 1000: b"a 1,000-byte key\n",
    "empty.txt": b"",
    ".git/config": b"[core]\n\tnot = a real git dir\n",
    "sp ace+plus%25?q#h": b"specials\n",
    "/leading-slash": b"leading slash\n",
    "token=abcdef123456.txt": b"a key that looks like an assignment is still just a name\n",
    "same-as-a": b"plain a\n",  # identical body: stored once
    "line\u2028sep\x85nel\ttab": b"characters str.splitlines() breaks on\n",
}
CONFIG = """\
[aws]
regions = ["us-east-1", "us-west-2"]
"""


def s3(endpoint: str, region: str = "us-east-1"):
    return estate.clients(endpoint, region)("s3")


def big_body() -> bytes:
    block = os.urandom(1024 * 1024)
    return (block * 7)[:BIG_SIZE]


def seed(endpoint: str, lightsail_endpoint: str | None = None) -> dict:
    """Seed the estate: the sample shops (and Lightsail, when given) and the edge-keys bucket.

    Returns the sample's ids and ``big``, the random body of :data:`BIG_KEY`.
    """
    ids = estate.seed(endpoint, lightsail_endpoint)
    c = s3(endpoint)
    c.create_bucket(Bucket=EDGE_BUCKET)
    for key, body in EDGE_KEYS.items():
        c.put_object(Bucket=EDGE_BUCKET, Key=key, Body=body)
    big = big_body()
    c.put_object(Bucket=EDGE_BUCKET, Key=BIG_KEY, Body=big, ContentType="application/octet-stream")
    return {**ids, "big": big}


def write_config(repo: Path) -> None:
    """The two-region config, in the repository."""
    (repo / "gitsnap.toml").write_text(CONFIG)


def configure(g: Any, _info: Any = None) -> None:
    """:func:`write_config` into a ``Gitsnap``'s repository (a ``capture_once`` setup)."""
    write_config(g.repo)


def build(endpoint: str, repo: Path, lightsail_endpoint: str | None = None) -> dict:
    """Seed the estate and write the two-region config into the repository.

    Tests may take the ``e2e_estate`` fixture instead of seeding (tests/conftest.py): the same
    estate, seeded once per worker and restored, then call :func:`write_config`.
    """
    info = seed(endpoint, lightsail_endpoint)
    write_config(repo)
    return info
