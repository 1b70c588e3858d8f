"""The vocabulary of restore declarations: operations, the context a plan is made in, waits.

A service module declares how to restore its types (``ResourceType.restore``, a
:class:`~gitsnap.collectors.spec.Restorer`): functions from a :class:`RestoreContext` and an
address to :class:`Operation` lists. This module is what those functions work with; the one
runner that calls them, orders the operations and applies them is :mod:`gitsnap.restore.run`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..changes import Change, diff_documents
from ..errors import GitsnapError
from ..store import SnapshotStore
from ..store.snapshot import Snapshot

NEEDS_IDENTITY = "needs-identity"
IDENTITY_HINT = "restore needs the age identity (GITSNAP_IDENTITY, default ~/.config/gitsnap/identity.age)"


class RestoreError(GitsnapError):
    """A restore cannot be planned or applied as asked; nothing (more) was changed."""


class Unrestorable(Exception):  # noqa: N818 (a signal, caught by the planner; not an error)
    """Raised by a restorer that cannot plan a resource at all; carries the line to show."""

    def __init__(self, op: Operation) -> None:
        super().__init__(op.detail)
        self.op = op


@dataclass(frozen=True)
class Waits:
    """How long an apply waits for a resource to settle between dependent calls.

    Polls every ``delay`` seconds, at most ``attempts`` times (the defaults give a Lambda update
    five minutes, as botocore's ``function_updated`` waiter does). Tests pass ``delay=0``.
    """

    delay: float = 2.0
    attempts: int = 150
    sleep: Callable[[float], None] = time.sleep


@dataclass
class RestoreContext:
    """What a restorer sees: both sides, and clients for the resource being restored.

    ``accounts`` is a :class:`~gitsnap.collectors.aws.accounts.AwsAccounts` (or anything with
    its ``client(service, account_id, region)``, ``reaches(account_id)`` and ``known()``).
    """

    store: SnapshotStore
    snapshot: Snapshot
    live: Snapshot
    accounts: Any
    delete: bool = False
    config: Any = None
    reveal: Any = None  # restore.reveal.Revealer: opens what the snapshot sealed
    waits: Waits = field(default_factory=Waits)
    live_services: frozenset[str] = frozenset()  # what ``live`` holds (restored services and helpers)
    # the field-level diff, with the ordered paths each address's type declares (set by the runner)
    differ: Callable[[str, Any, Any], list[Change]] = field(
        default=lambda address, old, new: diff_documents(address, old, new))

    def diff(self, address: str, old: Any, new: Any) -> list[Change]:
        """Field-level changes from *old* to *new* (documents of the resource at *address*),
        status sections left out, ordered lists compared by position."""
        return self.differ(address, old, new)

    def want(self, address: str) -> Any:
        """The snapshot's document of the resource (None: not in the snapshot)."""
        return self.snapshot.document(address)

    def have(self, address: str) -> Any:
        """Live's document of the resource (None: it does not exist live)."""
        return self.live.document(address)

    def where(self, address: str) -> tuple[str, str]:
        """The (account id, region) of a resource, as the snapshot recorded it (else live)."""
        info = self.snapshot.resources.get(address) or self.live.resources[address]
        return info["account"], info["region"]

    def client(self, service: str, address: str) -> Any:
        """A client for *service* in the account and region of the resource at *address*
        (``global`` resources: us-east-1)."""
        account, region = self.where(address)
        return self.accounts.client(service, account, region)


@dataclass
class Operation:
    """One step. ``run`` is None for informational lines (kept, cannot restore, not yet).

    Verbs a plan shows: ``create``, ``update``, ``put``, ``upsert``, ``delete``, ``update-code``,
    ``upload`` ... (each with a ``run``); ``kept`` (live only, left alone without --delete),
    ``cannot-restore`` (with why: makes an applied restore exit 3) and ``needs-identity``.
    """

    address: str
    verb: str
    target: str
    detail: str = ""
    run: Callable[[], Any] | None = field(default=None, repr=False)
    # (service, type) this step's order is ranked by; None: the resource's own
    kind: tuple[str, str] | None = field(default=None, repr=False, compare=False)
    # part of removing a whole resource (--delete): run after every create and update
    removes: bool = field(default=False, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {"address": self.address, "verb": self.verb, "target": self.target, "detail": self.detail,
                "applies": self.run is not None}
