"""Lambda: configuration, code (zip blob + extracted source), policy, aliases, versions,
event source mappings, concurrency and tags.

The execution role is referred to, not copied: the document keeps ``Configuration.Role``
(the ARN) and gains ``RoleAddress`` (``iam/role/NAME``, the IAM collector's address for
it), so one IAM change shows once, on the role, not on every function sharing it.

Environment values are secrets (fingerprinted by the engine) unless listed in
``[aws.lambda] keep_env``. Layers are merged in list order (a later layer's files win), and a
container image's entry point and command are argument lists: those lists are ``ordered``.
The pre-signed ``Code.Location`` is fetched at once
(it expires in minutes) and never stored. The package is checked against
``Configuration.CodeSize`` and ``CodeSha256`` before anything of it is stored; a package
that fails is fetched again from a fresh ``Code.Location``.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import logging
import posixpath
import tempfile
import urllib.error
import urllib.request
import zipfile
from typing import IO, Any

from ...layout import segment
from ..context import UnitContext
from ..errors import BodyIntegrityError, CollectorError
from ..run import call
from ..spec import Call, Detail, Extras, Raw, ResourceType
from .iam import ROLE, policy_json

log = logging.getLogger(__name__)

MAX_SOURCE_FILE = 2 * 1024 * 1024
DOWNLOAD_TIMEOUT = 60
CHUNK = 1024 * 1024
PACKAGE_TRIES = 3


def _fn(r: Raw) -> dict[str, str]:
    return {"FunctionName": r["FunctionName"]}


# the identity read; an answer without its Configuration is not a function's state
GET_FUNCTION = Call("get_function", params=_fn, identity=True,
                    required=("Configuration", "Configuration.FunctionArn", "Configuration.Role",
                              "Configuration.CodeSha256"))


def role_address(arn: str | None) -> str | None:
    """The IAM collector's address of the role an ARN names (a role's path is not part of
    its name, and names are unique in an account). Pure."""
    return ROLE.address(arn.rsplit("/", 1)[-1]) if arn else None


def transform_function(raw: Raw) -> Raw:
    fn = raw.get("Function") or {}
    config = dict(fn.get("Configuration") or {})  # required by GET_FUNCTION: never the listed fields
    return {
        "Configuration": config,
        "Tags": fn.get("Tags") or {},
        "ReservedConcurrency": (raw.get("Concurrency") or {}).get("ReservedConcurrentExecutions"),
        "Policy": policy_json(raw.get("Policy")),
        "Aliases": sorted(raw.get("Aliases") or [], key=lambda a: a.get("Name", "")),
        "Versions": [v for v in raw.get("Versions") or [] if v.get("Version") != "$LATEST"],
        "EventSourceMappings": sorted(raw.get("EventSourceMappings") or [], key=lambda m: m.get("UUID", "")),
        "RoleAddress": role_address(config.get("Role")),
    }


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


def reuse_code(ctx: UnitContext, doc: Raw, rid: str) -> Extras | None:
    """The previous snapshot's package and sources, if its CodeSha256 is unchanged and its
    blob is sound (reuse stands in for a download: existing is not enough)."""
    folder = f"{ctx.unit_path}/function/{segment(rid)}"
    prev_doc = ctx.previous(f"{folder}/function.json")
    if prev_doc is None:
        return None
    prev = json.loads(prev_doc)
    code = prev.get("Code") or {}
    same = prev.get("Configuration", {}).get("CodeSha256") == doc["Configuration"].get("CodeSha256")
    if not same:
        return None
    if code.get("blob"):
        if not ctx.blobs.sound(code["blob"]):
            return None
    elif not (code.get("sealed") and code.get("sha256") and ctx.sink.reuse_body(code["sha256"], ctx.sealed)):
        return None
    files = {rel: data for rel, data in ctx.previous_dir(folder).items() if rel.startswith("source/")}
    ctx.counters.add(reused_blobs=1)
    return Extras(files=files, blobs={code["blob"]} if code.get("blob") else set(), doc_updates={"Code": code})


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
    """Why a downloaded package is not the one the configuration names, or None. Pure."""
    want_size, want_sha = config.get("CodeSize"), config.get("CodeSha256")
    if want_size is not None and size != want_size:
        return f"length: {size} of {want_size} bytes"
    if want_sha and sha256_b64 != want_sha:
        return f"sha256: expected {want_sha}, got {sha256_b64}"
    return None


def fresh_location(ctx: UnitContext, raw: Raw, config: Raw, rid: str) -> str | None:
    """A new pre-signed Code.Location for the same code (GetFunction again)."""
    resp = call(ctx, FUNCTION, GET_FUNCTION, raw, f"lambda/{rid}")
    now = resp["Configuration"].get("CodeSha256")
    if now != config.get("CodeSha256"):
        raise CollectorError(f"lambda/{rid}: its code changed while it was being captured "
                             f"(CodeSha256 {config.get('CodeSha256')} -> {now}); capture again")
    return (resp.get("Code") or {}).get("Location")


def _download_checked(ctx: UnitContext, raw: Raw, config: Raw, rid: str, location: str, tmp: IO[bytes]) -> int:
    """Download the package into *tmp* until it matches CodeSize and CodeSha256; its size."""
    what = f"lambda/{rid}"
    problem, failed_download = "", False
    for attempt in range(PACKAGE_TRIES):
        url = location if attempt == 0 else fresh_location(ctx, raw, config, rid)
        if not url:
            problem, failed_download = "GetFunction gave no Code.Location", True
            continue
        tmp.seek(0)
        tmp.truncate()
        try:
            size, sha = get_package(url, tmp)
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
            problem, failed_download = str(exc), True
        else:
            found = package_problem(size, sha, config)
            if found is None:
                tmp.flush()
                return size
            problem, failed_download = found, False
        log.info("%s: code package download failed (%s); fetching it again", what, problem)
    if failed_download:
        raise CollectorError(f"{what}: cannot download the code package from Code.Location ({problem}) "
                             f"after {PACKAGE_TRIES} tries")
    raise BodyIntegrityError(
        f"{what}: code package failed its checksum ({problem}) after {PACKAGE_TRIES} tries; nothing was written")


def capture_code(ctx: UnitContext, raw: Raw, doc: Raw, rid: str) -> Extras:
    """Download the package from the pre-signed URL, check it, store it (sealed if any
    member holds a secret) and extract its files for readable diffs."""
    location = ((raw.get("Function") or {}).get("Code") or {}).get("Location")
    if not location:  # container image functions have no zip
        return Extras()
    reused = reuse_code(ctx, doc, rid)
    if reused is not None:
        return reused
    what = f"lambda/{rid}"
    with tempfile.NamedTemporaryFile(prefix="gitsnap-lambda-") as tmp:
        size = _download_checked(ctx, raw, doc["Configuration"], rid, location, tmp)
        # members are always read: the package is sealed whole if any of them holds a secret
        files, skipped = extract_source(tmp.name)
        stored = ctx.sink.package(tmp.name, size, files, f"{what} code.zip", ctx.sealed)
        ctx.counters.add(new_blobs=1, downloaded_bytes=size)
    out = {f"source/{name}": data for name, data in files.items()} if ctx.config.lambda_extract_source else {}
    code: dict[str, Any] = {"sha256": stored.sha256, "size": size}
    if stored.blob:
        code["blob"] = stored.blob
    else:
        code["sealed"] = stored.sealed
    if skipped and ctx.config.lambda_extract_source:
        code["NotExtracted"] = skipped
    return Extras(files=out, blobs={stored.blob} if stored.blob else set(), doc_updates={"Code": code})


FUNCTION = ResourceType(
    service="lambda",
    type="function",
    scope="regional",
    client="lambda",
    list=Call("list_functions", result="Functions", paginate=True),
    id=lambda r: r["FunctionName"],
    details=(
        Detail("Function", GET_FUNCTION),
        Detail("Concurrency", Call("get_function_concurrency", params=_fn)),
        Detail("Policy", Call("get_policy", params=_fn, result="Policy", absent=("ResourceNotFoundException",),
                              required=("Policy",), documents=("Policy",))),
        Detail("Aliases", Call("list_aliases", params=_fn, result="Aliases", paginate=True)),
        Detail("Versions", Call("list_versions_by_function", params=_fn, result="Versions", paginate=True)),
        Detail("EventSourceMappings", Call("list_event_source_mappings", params=_fn, result="EventSourceMappings", paginate=True)),
    ),
    transform=transform_function,
    volatile=(
        "Configuration.LastModified", "Configuration.RevisionId", "Configuration.State",
        "Configuration.StateReason", "Configuration.StateReasonCode", "Configuration.LastUpdateStatus",
        "Configuration.LastUpdateStatusReason", "Configuration.LastUpdateStatusReasonCode",
        "Versions.*.LastModified", "Versions.*.RevisionId", "Versions.*.State", "Versions.*.LastUpdateStatus",
        "Aliases.*.RevisionId", "EventSourceMappings.*.LastModified", "EventSourceMappings.*.State",
        "EventSourceMappings.*.StateTransitionReason", "EventSourceMappings.*.LastProcessingResult",
    ),
    secrets=("**.Environment.Variables.*",),  # at any depth: a partial answer must not leak
    ordered=("Configuration.Layers", "Configuration.ImageConfigResponse.ImageConfig.EntryPoint",
             "Configuration.ImageConfigResponse.ImageConfig.Command"),
    schema="aws.lambda.function",
    document="function.json",
    extras=capture_code,
    keep_names="lambda_keep_env",
    permissions=(
        "lambda:ListFunctions", "lambda:GetFunction", "lambda:GetFunctionConcurrency", "lambda:GetPolicy",
        "lambda:ListAliases", "lambda:ListVersionsByFunction", "lambda:ListEventSourceMappings",
    ),
)

TYPES = (FUNCTION,)
