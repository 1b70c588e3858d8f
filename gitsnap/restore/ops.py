"""Operations and plans: what a restore would do, resource by resource."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..diff import Snapshot
from ..errors import GitsnapError
from ..render import plural
from ..store import SnapshotStore

NEEDS_IDENTITY = "needs-identity"


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
    """One step. ``run`` is None for informational lines (kept, cannot restore, not yet)."""

    address: str
    verb: str
    target: str
    detail: str = ""
    run: Callable[[], Any] | None = field(default=None, repr=False)
    # (service, type) this step's order is ranked by; None: the resource's own
    kind: tuple[str, str] | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {"address": self.address, "verb": self.verb, "target": self.target, "detail": self.detail,
                "applies": self.run is not None}


# Plan order is apply order. Lower ranks go first: what others depend on before what depends
# on it (managed policies before the roles that attach them, roles before the functions that
# run as them, origin buckets and functions before the distributions that serve them, the
# invalidation after both, DNS last so that traffic moves only to targets already restored).
# Equal ranks keep the planner's order (address order, and each restorer's own order).
RANK: dict[tuple[str, str], int] = {
    ("iam", "policy"): 10,
    ("iam", "role"): 20,
    ("s3", "bucket"): 30,
    ("dynamodb", "table"): 30,
    ("lambda", "function"): 40,
    ("cloudfront", "distribution"): 50,
    ("cloudfront", "invalidation"): 60,
    ("route53", "zone"): 70,
    ("gas", "project"): 80,
}
DEFAULT_RANK = 50


def in_dependency_order(ops: Iterable[Operation], kinds: dict[str, tuple[str, str]]) -> list[Operation]:
    """Operations sorted by the rank of their kind (else their resource's), stably. Pure."""
    def rank(op: Operation) -> int:
        kind = op.kind or kinds.get(op.address)
        return RANK.get(kind, DEFAULT_RANK) if kind else DEFAULT_RANK

    return sorted(ops, key=rank)


@dataclass
class Plan:
    rev: str
    commit: str
    operations: list[Operation]

    @property
    def actions(self) -> list[Operation]:
        return [op for op in self.operations if op.run is not None]

    @property
    def blocked(self) -> list[Operation]:
        """Operations that need the age identity this machine does not have."""
        return [op for op in self.operations if op.verb == NEEDS_IDENTITY]

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(op.verb for op in self.operations).items()))

    def text(self) -> str:
        lines = [f"Restore plan: live -> {self.rev} ({self.commit[:12]})"]
        current = None
        for op in self.operations:
            if op.address != current:
                current = op.address
                lines.append(op.address)
            detail = f"  {op.detail}" if op.detail else ""
            lines.append(f"  {op.verb:<18} {op.target}{detail}")
        resources = len({op.address for op in self.actions})
        counts = ", ".join(f"{n} {verb}" for verb, n in self.counts().items()) or "nothing to do"
        lines.append(f"{plural(len(self.actions), 'operation')} on {plural(resources, 'resource')} ({counts})")
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        return {"rev": self.rev, "commit": self.commit, "counts": self.counts(),
                "operations": [op.to_json() for op in self.operations]}
