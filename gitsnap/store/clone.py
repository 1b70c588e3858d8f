"""gitsnap clone: a new snapshot repository from a remote one, with the settings it carries.

The new repository holds the remote's main, tags, shards and settings ref (fetched by
store/remote.py under the capture lock); the settings (store/settings.py) are written into its
git config, unless they name a newer format than this gitsnap reads. A clone that fails
removes what it made.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import identity
from .errors import RepositoryError
from .remote import DEFAULT_FETCH, Remote
from .repo import BRANCH, SnapshotStore
from .settings import CARRIED, SETTINGS_REF, read_settings
from .transport import RemoteError

log = logging.getLogger(__name__)


def clone(url: str, dest: Path, **options: Any) -> SnapshotStore:
    """A new snapshot repository at *dest* holding the main, tags, shards and settings (written
    to its git config) of the remote at *url*. *dest* must be new or empty; on failure what was
    made there is removed again. *options*: :class:`~gitsnap.store.transport.Transport`'s.

    Raises:
        RemoteError: unreachable, not a git repository, no snapshot there, or a newer format.
        RepositoryError: *dest* is a file or not empty.
    """
    remote = Remote(url, **options)  # a bad URL is refused before anything is looked at
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise RepositoryError(f"{dest} exists and is not an empty directory: clone into a new or empty one; "
                              "nothing was made")
    made = not dest.exists()
    refs = remote.refs()  # reachable, and has something, before anything is made here
    if BRANCH not in refs:
        raise RemoteError(f"{remote.shown} holds no snapshot (no {BRANCH.decode()}): push to it first with "
                          "'gitsnap push --to URL'; nothing was made")
    store = SnapshotStore.init(dest)
    try:
        with store.lock():
            remote.fetch_locked(store, [*DEFAULT_FETCH, SETTINGS_REF])
        settings = read_settings(store)
        if settings is None:
            log.warning("%s has no %s (pushed by git, or by a gitsnap before 15): set the recipients with "
                        "'gitsnap keys init --recipient …'", remote.shown, SETTINGS_REF.decode())
        else:
            _apply_settings(store, settings, remote.shown)
    except BaseException:
        store.close()
        _remove_made(dest, made)
        raise
    return store


def _apply_settings(store: SnapshotStore, doc: Mapping[str, Any], shown: str) -> None:
    fmt = doc.get("format", identity.FORMAT)
    if not isinstance(fmt, int) or fmt > identity.FORMAT:
        raise RemoteError(f"{shown} holds a gitsnap format {fmt} repository, and this gitsnap reads format "
                          f"{identity.FORMAT} only: upgrade gitsnap, then clone again; nothing was made")
    for name in CARRIED:
        values = doc.get(name) or []
        if isinstance(values, list) and all(isinstance(v, str) for v in values) and values:
            store.set_setting(name, values)


def _remove_made(dest: Path, made: bool) -> None:
    """Undo a failed clone: the folder if it made it, else what it put in the empty folder."""
    if made:
        shutil.rmtree(dest, ignore_errors=True)
        return
    for child in dest.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
