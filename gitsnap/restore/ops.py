"""Operations and plans: what a restore would do, resource by resource."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..collectors.restoring import (  # noqa: F401 (re-exported: the restore package's vocabulary)
    IDENTITY_HINT,
    NEEDS_IDENTITY,
    Operation,
    RestoreContext,
    RestoreError,
    Unrestorable,
    Waits,
)
from ..render import plural

# Plan order is apply order. Each type declares its rank (``Restorer.rank``): what others depend
# on before what depends on it (managed policies before the roles that attach them, roles before
# the functions that run as them, origin buckets and functions before the distributions that
# serve them, DNS last so that traffic moves only to targets already restored). These are the
# ranks of steps that are not a type of their own (``Operation.kind``). Equal ranks keep the
# planner's order (address order, and each restorer's own order).
RANK: dict[tuple[str, str], int] = {
    ("s3", "bucket-links"): 50,  # a bucket's logging, replication, notifications: after their targets
    ("cloudfront", "invalidation"): 60,  # after the objects and the distribution it refreshes
}
DEFAULT_RANK = 50


def in_dependency_order(ops: Iterable[Operation], kinds: dict[str, tuple[str, str]],
                        declared: Callable[[tuple[str, str]], int | None] = lambda _kind: None) -> list[Operation]:
    """Operations in apply order, stably. Pure (given *declared*).

    Creates and updates first, by the rank of their kind (else their resource's): *declared*
    (the type's ``Restorer.rank``), else ``RANK``. Then deletions (``Operation.removes``), highest
    rank first: a distribution goes before the bucket it serves, a function before its role."""
    def rank(op: Operation) -> int:
        kind = op.kind or kinds.get(op.address)
        if not kind:
            return DEFAULT_RANK
        found = declared(kind)
        return found if found is not None else RANK.get(kind, DEFAULT_RANK)

    ops = list(ops)
    return (sorted((op for op in ops if not op.removes), key=rank)
            + sorted((op for op in ops if op.removes), key=rank, reverse=True))


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
