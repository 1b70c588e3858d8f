"""The snapshot read model: one snapshot's files and its manifest's resource map.

``diff``, ``drift``, ``restore``, ``live`` and the service modules' restore declarations all
read a snapshot through :class:`Snapshot`, whether it is a commit in the store or live state
held in memory.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..layout import MANIFEST_JSON, SEALED_SIDECAR
from ..manifest import ManifestSections
from .loose import git_blob_id
from .repo import SnapshotStore
from .revisions import TreeFiles


def is_document(rel: str) -> bool:
    """Whether a file of a resource (relative to its folder) is its document: its one file, or
    the ``.json`` at the top of its folder other than the sealed-files sidecar. Pure."""
    return rel == "" or ("/" not in rel and rel.endswith(".json") and rel != SEALED_SIDECAR)


@dataclass
class Snapshot:
    """One side of a diff: a snapshot's files and its manifest's resource map.

    A committed snapshot reads its files from the store, each tree when first needed
    (:class:`~.revisions.TreeFiles`); live state read into memory (``commit`` None) carries
    them in ``memory``, keyed by the git ids they would have.
    """

    store: SnapshotStore
    commit: str | None
    files: Mapping[str, str]
    resources: dict[str, dict[str, Any]]
    memory: dict[str, bytes] = field(default_factory=dict)
    _paths: list[str] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def load(cls, store: SnapshotStore, commit: str | None, *, lazy: bool = False) -> Snapshot:
        """A committed snapshot. Every tree is read (and so checked) now, unless *lazy*: then
        only the trees a reader asks for (``diff`` skips equal folders by id, as git does)."""
        files = store.tree_files(commit)
        if not lazy:
            files.flat()
        blob = files.get(MANIFEST_JSON)
        manifest = ManifestSections(store.read(blob)) if blob is not None else {}
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
        if isinstance(self.files, TreeFiles):
            return self.files.under(path)
        prefix = path + "/"
        if self._paths is None:  # sorted once: each resource's files are then one range of it
            self._paths = sorted(self.files)
        start = bisect.bisect_left(self._paths, prefix)
        end = bisect.bisect_left(self._paths, prefix[:-1] + "0")  # "0" follows "/"
        return {p[len(prefix):]: self.files[p] for p in self._paths[start:end]}

    def resource_tree(self, address: str) -> str | None:
        """The id of what holds a resource's files in a committed snapshot: its folder's tree or
        its one file's blob; None when not known without reading (in memory, or no such path).
        Equal ids on two snapshots mean equal files."""
        if not isinstance(self.files, TreeFiles) or address not in self.resources:
            return None
        path = self.resources[address]["path"]
        return self.files.folder_id(path) or self.files.get(path)

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
