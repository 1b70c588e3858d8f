"""verify: check a snapshot against itself, without any cloud access.

Every body the manifest lists must be in the tree under ``blobs/`` and hash to its
recorded sha256 and size; every object index line must point at such a body; every
resource document must parse and match its schema.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from . import schemas
from .collectors import registry
from .errors import GitsnapError
from .layout import MANIFEST_JSON, OBJECT_INDEX, blob_path, load_index
from .secrets.seal import AGE_MAGIC, body_path
from .store import SnapshotStore


class VerifyError(GitsnapError):
    """A snapshot does not match its own manifest."""


@dataclass
class Report:
    bodies: int = 0
    body_bytes: int = 0
    documents: int = 0
    problems: list[str] = field(default_factory=list)


def verify(store: SnapshotStore, commit: str) -> Report:
    files = store.files(commit)
    report = Report()
    if MANIFEST_JSON not in files:
        report.problems.append("manifest.json is missing")
        return report
    manifest = json.loads(store.read(files[MANIFEST_JSON]))
    bodies = manifest.get("bodies", {})
    for blob, info in sorted(bodies.items()):
        if files.get(blob_path(blob)) != blob:
            report.problems.append(f"body {blob} is not in the tree at {blob_path(blob)}")
            continue
        digest, size = hashlib.sha256(), 0
        for chunk in store.iter_blob(blob):
            digest.update(chunk)
            size += len(chunk)
        if digest.hexdigest() != info.get("sha256") or size != info.get("size"):
            report.problems.append(f"body {blob}: sha256/size do not match the manifest")
        report.bodies += 1
        report.body_bytes += size
    for item in sorted(manifest.get("sealed", {})):
        # ciphertext cannot be checked without the identity; that it is there and is age can
        if item not in files:
            report.problems.append(f"sealed item {item} is not in the tree")
        elif not store.read(files[item]).startswith(AGE_MAGIC):
            report.problems.append(f"sealed item {item} is not age ciphertext")
    by_type = {(t.service, t.type): t for t in registry.all_types()}
    for address, res in sorted(manifest.get("resources", {}).items()):
        spec = by_type.get((res["service"], res["type"]))
        if spec is None:
            report.problems.append(f"{address}: unknown resource type {res['service']}/{res['type']}")
            continue
        path = f"{res['path']}/{spec.document}" if spec.document else res["path"]
        if path not in files:
            report.problems.append(f"{address}: {path} is missing")
            continue
        try:
            doc = json.loads(store.read(files[path]))
        except ValueError as exc:
            report.problems.append(f"{address}: {path} is not JSON ({exc})")
            continue
        for err in schemas.errors(spec.schema, doc)[:1]:
            report.problems.append(f"{address}: field {schemas.where(err)}: {err.message}")
        report.documents += 1
        index = files.get(f"{res['path']}/{OBJECT_INDEX}")
        if index:
            for e in load_index(store.read(index)):
                if e.blob and e.blob not in bodies:
                    report.problems.append(f"{address}: key {e.key!r} points at body {e.blob}, not in the manifest")
                if e.sealed and body_path(e.sha256 or "") not in files:
                    report.problems.append(f"{address}: key {e.key!r} is sealed, but {body_path(e.sha256 or '')} "
                                           "is not in the tree")
    return report
