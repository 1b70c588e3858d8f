"""Operations and plans: what a restore would do, resource by resource."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..collectors.aws.clients import AwsAccount
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


@dataclass
class RestoreContext:
    store: SnapshotStore
    snapshot: Snapshot
    live: Snapshot
    account: AwsAccount
    account_id: str
    delete: bool
    config: Any = None
    reveal: Any = None  # restore.reveal.Revealer: opens what the snapshot sealed


@dataclass
class Operation:
    """One step. ``run`` is None for informational lines (kept, cannot restore, not yet)."""

    address: str
    verb: str
    target: str
    detail: str = ""
    run: Callable[[], Any] | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {"address": self.address, "verb": self.verb, "target": self.target, "detail": self.detail,
                "applies": self.run is not None}


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
