"""Lambda: configuration, code (zip blob + extracted source), policy, aliases, versions,
event source mappings, concurrency, tags, and the execution role with its policies.

Environment values are secrets (fingerprinted by the engine) unless listed in
``[aws.lambda] keep_env``. The pre-signed ``Code.Location`` is fetched at once
(it expires in minutes) and never stored.
"""

from __future__ import annotations

import json
import posixpath
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from typing import Any

import botocore.exceptions as bx

from ...layout import segment
from ..context import UnitContext
from ..errors import CollectorError
from ..spec import Call, Detail, Extras, Raw, ResourceType
from .clients import error_code, translate
from .iam import policy_json, role_detail

MAX_SOURCE_FILE = 2 * 1024 * 1024
DOWNLOAD_TIMEOUT = 60


def _fn(r: Raw) -> dict[str, str]:
    return {"FunctionName": r["FunctionName"]}


def fetch_role(ctx: UnitContext, raw: Raw) -> Any:
    """The execution role: trust policy, inline and attached policies (read as IAM reads it)."""
    arn = raw["Role"]
    name = arn.rsplit("/", 1)[-1]
    try:
        return {"Arn": arn, **role_detail(ctx, name)}
    except (bx.BotoCoreError, bx.ClientError) as exc:
        if error_code(exc) == "NoSuchEntity":
            return {"Arn": arn, "Exists": False}
        raise translate(exc, f"lambda/{raw['FunctionName']}: role {name}: iam read") from exc


def transform_function(raw: Raw) -> Raw:
    fn = raw.get("Function") or {}
    config = dict(fn.get("Configuration") or raw)
    policy = raw.get("Policy")
    return {
        "Configuration": config,
        "Tags": fn.get("Tags") or {},
        "ReservedConcurrency": (raw.get("Concurrency") or {}).get("ReservedConcurrentExecutions"),
        "Policy": policy_json(policy),
        "Aliases": sorted(raw.get("Aliases") or [], key=lambda a: a.get("Name", "")),
        "Versions": [v for v in raw.get("Versions") or [] if v.get("Version") != "$LATEST"],
        "EventSourceMappings": sorted(raw.get("EventSourceMappings") or [], key=lambda m: m.get("UUID", "")),
        "Role": raw.get("RoleDetail"),
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
    """The previous snapshot's package and sources, if its CodeSha256 is unchanged."""
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
        if not ctx.blobs.has(code["blob"]):
            return None
    elif not (code.get("sealed") and code.get("sha256") and ctx.sink.reuse_body(code["sha256"], ctx.sealed)):
        return None
    files = {rel: data for rel, data in ctx.previous_dir(folder).items() if rel.startswith("source/")}
    ctx.counters.add(reused_blobs=1)
    return Extras(files=files, blobs={code["blob"]} if code.get("blob") else set(), doc_updates={"Code": code})


def capture_code(ctx: UnitContext, raw: Raw, doc: Raw, rid: str) -> Extras:
    """Download the package from the pre-signed URL; store it (sealed if any member holds a
    secret) and extract its files for readable diffs."""
    location = ((raw.get("Function") or {}).get("Code") or {}).get("Location")
    if not location:  # container image functions have no zip
        return Extras()
    reused = reuse_code(ctx, doc, rid)
    if reused is not None:
        return reused
    what = f"lambda/{rid}"
    with tempfile.NamedTemporaryFile(prefix="gitsnap-lambda-") as tmp:
        try:
            with urllib.request.urlopen(location, timeout=DOWNLOAD_TIMEOUT) as resp:  # noqa: S310
                shutil.copyfileobj(resp, tmp, 1024 * 1024)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise CollectorError(f"{what}: cannot download the code package from Code.Location ({exc})") from exc
        tmp.flush()
        size = tmp.tell()
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
        Detail("Function", Call("get_function", params=_fn)),
        Detail("Concurrency", Call("get_function_concurrency", params=_fn)),
        Detail("Policy", Call("get_policy", params=_fn, result="Policy", absent=("ResourceNotFoundException",))),
        Detail("Aliases", Call("list_aliases", params=_fn, result="Aliases", paginate=True)),
        Detail("Versions", Call("list_versions_by_function", params=_fn, result="Versions", paginate=True)),
        Detail("EventSourceMappings", Call("list_event_source_mappings", params=_fn, result="EventSourceMappings", paginate=True)),
        Detail("RoleDetail", fetch=fetch_role),
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
    schema="aws.lambda.function",
    document="function.json",
    extras=capture_code,
    keep_names="lambda_keep_env",
    permissions=(
        "lambda:ListFunctions", "lambda:GetFunction", "lambda:GetFunctionConcurrency", "lambda:GetPolicy",
        "lambda:ListAliases", "lambda:ListVersionsByFunction", "lambda:ListEventSourceMappings",
        "iam:GetRole", "iam:ListRolePolicies", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies",
    ),
)

TYPES = (FUNCTION,)
