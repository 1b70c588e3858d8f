"""What the S3 restore modules share: reading a bucket from either side, sealed-value checks."""

from __future__ import annotations

import json
from typing import Any

from ....layout import OBJECT_INDEX, ObjectEntry, load_index
from ....store.snapshot import Snapshot

# as restore.reveal says it (restore sits below the collectors: its copy cannot be imported here)


def bucket_doc(snap: Snapshot, address: str) -> dict[str, Any]:
    """The bucket's ``bucket.json`` on one side ({} if that side has no such bucket)."""
    if address not in snap.resources:
        return {}
    blob = snap.resource_files(address).get("bucket.json")
    return json.loads(snap.read(blob)) if blob else {}


def object_index(snap: Snapshot, address: str) -> dict[str, ObjectEntry]:
    """The bucket's object index on one side, by key ({} if that side has no such bucket)."""
    if address not in snap.resources:
        return {}
    blob = snap.resource_files(address).get(OBJECT_INDEX)
    return {e.key: e for e in load_index(snap.read(blob))} if blob else {}


def bucket_name(address: str, *docs: dict[str, Any]) -> str:
    """The bucket's name: from its document, else its address (``s3/NAME``). Pure."""
    return next((d["Name"] for d in docs if d.get("Name")), address.split("/", 1)[1])
