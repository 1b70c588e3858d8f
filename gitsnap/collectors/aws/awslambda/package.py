"""Code packages (a function's zip, a layer version's content): downloaded from the pre-signed
``Location`` the service gives, checked against its ``CodeSize`` and ``CodeSha256`` before
anything of it is stored, stored as one blob (sealed whole if any member holds a secret).

The location expires in minutes and is never stored. A package that fails its check is fetched
again from a fresh location (the caller says how to get one).
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import logging
import posixpath
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from ...context import UnitContext
from ...errors import BodyIntegrityError, CollectorError
from ...spec import Raw

log = logging.getLogger(__name__)

MAX_SOURCE_FILE = 2 * 1024 * 1024
DOWNLOAD_TIMEOUT = 60
CHUNK = 1024 * 1024
PACKAGE_TRIES = 3


def safe_member(name: str) -> str | None:
    """A zip member name as a relative path inside ``source/``, or None if it escapes."""
    norm = posixpath.normpath("/" + name).lstrip("/")
    if not norm or norm == "." or name.endswith("/"):
        return None
    parts = norm.split("/")
    if any(p in ("", ".", "..", ".git") for p in parts):
        return None
    return norm


def extract_source(zip_path: str) -> tuple[dict[str, bytes], list[str]]:
    """Files of a deployment package for readable diffs; returns (files, skipped names). Pure."""
    files: dict[str, bytes] = {}
    skipped: list[str] = []
    try:
        with zipfile.ZipFile(zip_path) as zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                rel = safe_member(info.filename)
                if rel is None or info.file_size > MAX_SOURCE_FILE:
                    skipped.append(info.filename)
                    continue
                files[rel] = zf.read(info)
    except zipfile.BadZipFile:
        skipped.append("(not a zip archive)")
    return files, sorted(skipped)


def get_package(url: str, out: IO[bytes]) -> tuple[int, str]:
    """Download *url* into *out*: ``(bytes received, base64 sha256)``, hashed as it is written.

    http.client ends a body cut short of its Content-Length silently: only the count and the
    hash tell.
    """
    digest = hashlib.sha256()
    size = 0
    with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as resp:  # noqa: S310
        while chunk := resp.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
    return size, base64.b64encode(digest.digest()).decode("ascii")


def package_problem(size: int, sha256_b64: str, config: Raw) -> str | None:
    """Why a downloaded package is not the one *config* names (its ``CodeSize`` and
    ``CodeSha256``: a function's configuration, a layer version's ``Content``), or None. Pure."""
    want_size, want_sha = config.get("CodeSize"), config.get("CodeSha256")
    if want_size is not None and size != want_size:
        return f"length: {size} of {want_size} bytes"
    if want_sha and sha256_b64 != want_sha:
        return f"sha256: expected {want_sha}, got {sha256_b64}"
    return None


@dataclass
class Download:
    """One package to fetch: what it is, what it must match, where it is.

    Attributes:
        what: its name in messages (``lambda/f``, ``lambda/layer/deps version 3``).
        expected: the fields it is checked against (``CodeSize``, ``CodeSha256``).
        location: the pre-signed URL the listing gave.
        refresh: asks the service again for a fresh location (raises if the package changed).
        field: the location's name in the service's answer, for messages.
    """

    what: str
    expected: Raw
    location: str | None
    refresh: Callable[[], str | None]
    field: str = "Code.Location"
    tries: int = PACKAGE_TRIES


def download_checked(d: Download, tmp: IO[bytes]) -> int:
    """Download the package into *tmp* until it matches its expected size and sha256; its size."""
    problem, failed_download = "", False
    for attempt in range(d.tries):
        url = d.location if attempt == 0 else d.refresh()
        if not url:
            problem, failed_download = f"no {d.field} was given", True
            continue
        tmp.seek(0)
        tmp.truncate()
        try:
            size, sha = get_package(url, tmp)
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
            problem, failed_download = str(exc), True
        else:
            found = package_problem(size, sha, d.expected)
            if found is None:
                tmp.flush()
                return size
            problem, failed_download = found, False
        log.info("%s: code package download failed (%s); fetching it again", d.what, problem)
    if failed_download:
        raise CollectorError(f"{d.what}: cannot download the code package from {d.field} ({problem}) "
                             f"after {d.tries} tries")
    raise BodyIntegrityError(
        f"{d.what}: code package failed its checksum ({problem}) after {d.tries} tries; nothing was written")


def fetch_package(ctx: UnitContext, d: Download) -> tuple[dict[str, Any], dict[str, bytes], list[str]]:
    """Download, check and store one package: ``(code record, its members, skipped members)``.

    The members are always read: the package is sealed whole if any of them holds a secret.
    The code record is what a document keeps: ``sha256`` (hex), ``size`` and ``blob`` (or
    ``sealed``: why it was sealed instead).
    """
    with tempfile.NamedTemporaryFile(prefix="gitsnap-lambda-") as tmp:
        size = download_checked(d, tmp)
        files, skipped = extract_source(tmp.name)
        stored = ctx.sink.package(tmp.name, size, files, f"{d.what} code.zip", ctx.sealed)
        ctx.counters.add(new_blobs=1, downloaded_bytes=size)
    code: dict[str, Any] = {"sha256": stored.sha256, "size": size}
    if stored.blob:
        code["blob"] = stored.blob
    else:
        code["sealed"] = stored.sealed
    return code, files, skipped


def reusable(ctx: UnitContext, code: dict[str, Any]) -> bool:
    """Whether a previous snapshot's code record may stand in for a download: its blob is sound
    (existing is not enough), or its sealed body is still in the repository."""
    if code.get("blob"):
        return ctx.blobs.sound(code["blob"])
    return bool(code.get("sealed") and code.get("sha256") and ctx.sink.reuse_body(code["sha256"], ctx.sealed))
