"""The settings ref: what a clone needs of this repository's git config, carried as a commit.

git does not copy git config, where a repository keeps its recipients and fingerprint key id
(keys.py). A push (store/remote.py) also publishes ``refs/gitsnap/settings``: a small commit
whose tree holds ``settings.json`` (format, fingerprint key id, recipients: public values only,
never a key or an identity), and ``gitsnap clone`` (store/clone.py) writes them back into the
new repository's git config.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .errors import CorruptObjectError, RepositoryError
from .repo import SnapshotStore

SETTINGS_REF = b"refs/gitsnap/settings"
SETTINGS_FILE = "settings.json"
# The git config settings (gitsnap.<name>) a clone needs: keys.RECIPIENT and keys.KEY_ID, named
# here because keys.py sits above the store. Public values only: a key id, age recipients.
CARRIED = ("fingerprintkeyid", "recipient")


def transform_settings(values: Mapping[str, list[str]], fmt: int) -> bytes:
    """The settings file: canonical JSON of the format and the carried settings. Pure."""
    doc: dict[str, Any] = {"format": fmt}
    for name in CARRIED:
        doc[name] = list(values.get(name, []))
    return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode()


def settings_commit(store: SnapshotStore) -> bytes | None:
    """The commit to publish as refs/gitsnap/settings: the local one if it says what the git
    config says now, else a new one on top of it. None when there is nothing to carry."""
    values = {name: store.setting(name) for name in CARRIED}
    if not any(values.values()):
        return None
    content = transform_settings(values, store.format)
    local = dict(store.refs()).get(SETTINGS_REF.decode())
    if local is not None and _read_settings_at(store, local) == content:
        return local.encode()
    tree = store.write_tree({SETTINGS_FILE: store.add_bytes(content)})
    commit = store.commit(tree, local, "gitsnap settings: fingerprint key id and recipients, for clones\n")
    if not store.move_ref(SETTINGS_REF.decode(), local, commit):
        raise RepositoryError(f"{SETTINGS_REF.decode()} moved while it was written (another push ran?): push again")
    return commit.encode()


def _read_settings_at(store: SnapshotStore, commit_id: str) -> bytes | None:
    try:
        blob_id = store.files(commit_id).get(SETTINGS_FILE)
        return store.read(blob_id) if blob_id is not None else None
    except CorruptObjectError:
        return None


def read_settings(store: SnapshotStore) -> dict[str, Any] | None:
    """The settings the local settings ref holds, or None (no ref, no file, not a JSON object)."""
    local = dict(store.refs()).get(SETTINGS_REF.decode())
    data = _read_settings_at(store, local) if local else None
    if data is None:
        return None
    try:
        doc = json.loads(data)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None
