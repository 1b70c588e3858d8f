"""drift: live state against a snapshot, with nothing written to the repository.

Live state is read as capture reads it (gitsnap.live), for every configured service and every
service the snapshot holds, compared with the snapshot through the same diff as
``gitsnap diff``, and filtered by the ``[[ignore]]`` rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .addresses import check_patterns
from .capture.run import Capture
from .collectors import registry
from .config import Config
from .diff import Change, apply_ignores, diff_snapshots
from .live import read_live
from .secrets.fingerprint import Fingerprinter
from .store import SnapshotStore
from .store.snapshot import Snapshot


@dataclass
class DriftReport:
    commit: str
    services: frozenset[str]
    changes: list[Change]
    silenced: list[tuple[Any, int]]


def read_services(config: Config, snapshot: Snapshot) -> tuple[str, ...]:
    """The services a drift reads live: every configured one (a resource created in a service
    the snapshot holds none of is drift too), and every one the snapshot holds (a service
    configured out since is read, so its resources are not called deleted unread)."""
    known = registry.aws_services() | registry.other_services()
    held = {info["service"] for info in snapshot.resources.values() if info["service"] in known}
    return tuple(sorted(set(registry.configured_services(config)) | held))


def drift(store: SnapshotStore, config: Config, fingerprint: Fingerprinter, rev: str,
          only: tuple[str, ...] = (), addresses: tuple[str, ...] = (), include_status: bool = False) -> DriftReport:
    """Live state against snapshot *rev*, filtered by ``[[ignore]]``; status sections are
    compared only with *include_status* (a certificate being issued is not drift). An address
    pattern that matches nothing in the snapshot or live is an UnknownAddressError."""
    commit = store.resolve(rev)
    snapshot = Snapshot.load(store, commit)
    services = only or read_services(config, snapshot)
    live, read = read_live(Capture(store, config, fingerprint), commit, services)
    check_patterns(addresses, set(snapshot.resources) | set(live.resources), f"{rev} or live state",
                   f"gitsnap show {rev}")
    changes = diff_snapshots(snapshot, live, only=read, addresses=addresses, include_status=include_status)
    kept, silenced = apply_ignores(changes, config.ignore)
    return DriftReport(commit, read, kept, silenced)
