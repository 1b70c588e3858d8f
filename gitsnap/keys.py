"""The repository's keys: the fingerprint key and the age recipients, found and checked.

The fingerprint key and the age identity live outside the repository (``~/.config/gitsnap``
by default). The repository records, in its git config, the id of the fingerprint key its
documents were written with and the age recipients its secrets are sealed to. Every command
that fingerprints checks the key against that id, and refuses keys kept where a capture would
store them (inside the repository, or inside a captured local path).
"""

from __future__ import annotations

import os
from pathlib import Path

from .config import Config
from .errors import GitsnapError
from .secrets.fingerprint import Fingerprinter, create_key, default_key_path, key_id, load_key
from .secrets.seal import Sealer, Unsealer, create_identity, default_identity_path, parse_recipients
from .store import SnapshotStore

KEY_ID = "fingerprintkeyid"
RECIPIENT = "recipient"


class KeyLocationError(GitsnapError):
    """A key lies where gitsnap would store it."""


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def check_locations(store: SnapshotStore, config: Config) -> None:
    """Refuse keys inside the repository or inside a captured local path."""
    folders = [("the snapshot repository", store.path)]
    for entry in config.raw.get("local", {}).get("paths", []):
        folders.append((f"captured local path {entry.get('name')!r}", Path(os.path.expanduser(entry["path"]))))
    for env in config.raw.get("local", {}).get("env_files", []):
        folders.append(("a captured env file", Path(os.path.expanduser(env))))
    for what, key in (("fingerprint key", default_key_path()), ("age identity", default_identity_path())):
        for where, folder in folders:
            if key == folder or _inside(key, folder):
                raise KeyLocationError(
                    f"the {what} {key} lies inside {where} ({folder}), so it would be captured: move it "
                    "outside and point GITSNAP_KEY_FILE / GITSNAP_IDENTITY at it; nothing was written")


def fingerprinter(store: SnapshotStore) -> Fingerprinter:
    """The key this repository's fingerprints are made with (recorded on first use)."""
    recorded = store.setting(KEY_ID)
    key = load_key(default_key_path(), recorded[0] if recorded else None)
    if not recorded:
        store.set_setting(KEY_ID, [key_id(key)])
    return Fingerprinter(key)


def recipients(store: SnapshotStore, config: Config) -> list[str]:
    """The repository's recipients and any ``[secrets] recipients``, without repeats."""
    out: list[str] = []
    for r in [*store.setting(RECIPIENT), *config.recipients]:
        if r not in out:
            out.append(r)
    return out


def sealer(store: SnapshotStore, config: Config) -> Sealer:
    return Sealer(recipients(store, config), where=f"{store.path} (git config gitsnap.recipient)")


def unsealer() -> Unsealer | None:
    """The identity, if this machine has it (restore and ``show --reveal`` need it)."""
    return Unsealer.load()


def init_keys(store: SnapshotStore, given: list[str]) -> tuple[str, list[str], Path | None]:
    """Set up a new repository's keys: the fingerprint key (made if absent) and its id, and
    the recipients: *given*, or else this machine's identity (made if absent).

    Returns (key id, recipients, identity path or None when recipients were given).
    """
    path = default_key_path()
    key = load_key(path, None) if path.exists() else create_key(path)
    store.set_setting(KEY_ID, [key_id(key)])
    identity: Path | None = None
    if given:
        parse_recipients(given, "--recipient")
        chosen = given
    else:
        identity = default_identity_path()
        chosen = [create_identity(identity)]
    store.set_setting(RECIPIENT, chosen)
    return key_id(key), chosen, identity
