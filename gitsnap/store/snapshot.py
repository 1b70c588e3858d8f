"""The snapshot read model: one snapshot's files and its manifest's resource map.

``diff``, ``drift``, ``restore``, ``live`` and the service modules' restore declarations all
read a snapshot through :class:`Snapshot`, whether it is a commit in the store or live state
held in memory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..layout import MANIFEST_JSON, SEALED_SIDECAR
from .loose import git_blob_id
from .repo import SnapshotStore


def is_document(rel: str) -> bool:
    """Whether a file of a resource (relative to its folder) is its document: its one file, or
    the ``.json`` at the top of its folder other than the sealed-files sidecar. Pure."""
    return rel == "" or ("/" not in rel and rel.endswith(".json") and rel != SEALED_SIDECAR)


@dataclass
class Snapshot:
    """One side of a diff: a snapshot's files and its manifest's resource map.

    A committed snapshot reads its files from the store; live state read into memory
    (``commit`` None) carries them in ``memory``, keyed by the git ids they would have.
    """

    store: SnapshotStore
    commit: str | None
    files: dict[str, str]
    resources: dict[str, dict[str, Any]]
    memory: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def load(cls, store: SnapshotStore, commit: str | None) -> Snapshot:
        files = store.files(commit)
        manifest = json.loads(store.read(files[MANIFEST_JSON])) if MANIFEST_JSON in files else {}
        return cls(store, commit, files, manifest.get("resources", {}))

    @classmethod
    def in_memory(cls, store: SnapshotStore, files: dict[str, bytes], resources: dict[str, dict[str, Any]]) -> Snapshot:
        ids = {path: git_blob_id(data) for path, data in files.items()}
        return cls(store, None, ids, resources, {ids[p]: data for p, data in files.items()})

    def read(self, blob: str) -> bytes:
        data = self.memory.get(blob)
        return data if data is not None else self.store.read(blob)

    def resource_files(self, address: str) -> dict[str, str]:
        """Files of a resource, relative to its folder (or ``""`` for a one-file resource)."""
        path = self.resources[address]["path"]
        if path in self.files:
            return {"": self.files[path]}
        prefix = path + "/"
        return {p[len(prefix):]: b for p, b in self.files.items() if p.startswith(prefix)}

    def read_json(self, blob: str) -> Any:
        return json.loads(self.read(blob))

    def document_blob(self, address: str) -> str | None:
        """The blob of a resource's document: its one file, or the .json at the top of its folder."""
        if address not in self.resources:
            return None
        return next((b for rel, b in self.resource_files(address).items() if is_document(rel)), None)

    def document(self, address: str) -> Any:
        """A resource's parsed document, or None if the snapshot does not have the resource."""
        blob = self.document_blob(address)
        return self.read_json(blob) if blob else None
