"""Bodies written beside the code: Lambda zips and every S3 object, with the upload script.

Builders name the bodies their properties point at (``Out.artifacts``: ``artifacts/<path>``).
A bucket's objects are not resources of either format, so they are planned here from its
``objects.jsonl``: each body is written once under ``artifacts/bodies/`` by its git blob id (so
any key, even one no file system can hold, and a body shared by many keys costs one file), and
``artifacts/upload-s3.sh`` puts each key back with its content type, headers and metadata
(``aws s3api put-object``). A sealed body is never written in clear, and an unreadable one has
no body: both are listed for the coverage report instead. Pure: plans, writes nothing.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..layout import ObjectEntry
from .model import Resource

BODIES = "bodies"
UPLOAD_SCRIPT = "upload-s3.sh"

# objects.jsonl header names (the API's) -> aws s3api put-object options
_HEADER_OPTIONS = {
    "CacheControl": "--cache-control", "ContentDisposition": "--content-disposition",
    "ContentEncoding": "--content-encoding", "ContentLanguage": "--content-language",
    "Expires": "--expires", "WebsiteRedirectLocation": "--website-redirect-location",
}


@dataclass
class Bodies:
    """What goes under ``artifacts/``: path -> blob id, the upload script, and what was not written.

    Attributes:
        files: path under ``artifacts/`` -> git blob id of its bytes.
        script: ``upload-s3.sh`` lines, one per object.
        objects: objects planned for upload, per bucket address.
        skipped: bucket address -> [(key, why its body was not written)].
    """

    files: dict[str, str] = field(default_factory=dict)
    script: list[str] = field(default_factory=list)
    objects: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def body_path(blob: str) -> str:
    return f"{BODIES}/{blob[:2]}/{blob[2:]}"


def plan_bucket(into: Bodies, resource: Resource, entries: Iterable[ObjectEntry]) -> None:
    """Plan one bucket's objects: their bodies and one upload line each."""
    bucket = resource.doc["Name"]
    count = 0
    for e in entries:
        if e.sealed:
            into.skipped.setdefault(resource.address, []).append(
                (e.key, "its body is sealed (it holds a secret): 'gitsnap restore' puts it back with your identity"))
            continue
        if not e.blob:
            into.skipped.setdefault(resource.address, []).append(
                (e.key, f"no body in the snapshot ({e.unreadable or 'not read'})"))
            continue
        path = body_path(e.blob)
        into.files[path] = e.blob
        into.script.append(upload_line(bucket, resource.region, e, path))
        count += 1
    into.objects[resource.address] = count


def upload_line(bucket: str, region: str, e: ObjectEntry, path: str) -> str:
    """One ``aws s3api put-object`` with the object's recorded content type, headers, metadata
    and storage class."""
    args = ["aws", "s3api", "put-object", "--bucket", bucket, "--key", e.key, "--body", path]
    if region != "global":
        args += ["--region", region]
    if e.content_type:
        args += ["--content-type", e.content_type]
    for name, value in sorted((e.headers or {}).items()):
        option = _HEADER_OPTIONS.get(name) or "--" + re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()
        args += [option, str(value)]
    if e.metadata:
        # JSON, not the k=v,k2=v2 shorthand: a value may hold a comma or an equals sign
        args += ["--metadata", json.dumps(e.metadata, sort_keys=True, ensure_ascii=False)]
    if e.storage_class and e.storage_class != "STANDARD":
        args += ["--storage-class", e.storage_class]
    return " ".join(shlex.quote(a) for a in args) + " >/dev/null"


def script_text(lines: list[str]) -> str:
    head = [
        "#!/bin/sh",
        "# Puts every S3 object of the snapshot back, with its content type, headers and metadata.",
        "# Run it after the buckets exist (deploy.sh, or terraform apply). Bodies are in bodies/, by id.",
        "set -eu",
        'cd "$(dirname "$0")"',
    ]
    return "\n".join(head + lines) + "\n"
