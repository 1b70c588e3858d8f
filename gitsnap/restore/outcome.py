"""What a restore did, resource by resource: applied, skipped (and why), still different.

Pure: built from the plan that was applied and a plan made afterwards from a fresh read of
live state, so "matches" is only ever said after checking.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..render import plural
from .ops import Operation, Plan

KEPT = "kept"  # live-only items left alone by choice (no --delete, or a whole resource)


@dataclass
class Outcome:
    """One resource's result."""

    address: str
    applied: list[Operation] = field(default_factory=list)
    skipped: list[Operation] = field(default_factory=list)  # could not be done: not restorable, other account
    different: list[Operation] = field(default_factory=list)  # applied, yet live still differs
    kept: int = 0

    @property
    def done(self) -> bool:
        return not self.skipped and not self.different

    def text(self) -> str:
        parts = []
        if self.applied:
            parts.append(f"applied {plural(len(self.applied), 'operation')}")
        if self.different:
            first = self.different[0]
            parts.append(f"still different ({first.verb} {first.target}"
                         f"{f' and {len(self.different) - 1} more' if len(self.different) > 1 else ''})")
        if self.skipped:
            first = self.skipped[0]
            more = f" and {len(self.skipped) - 1} more" if len(self.skipped) > 1 else ""
            parts.append(f"skipped: {first.verb} {first.target}{' ' + first.detail if first.detail else ''}{more}")
        if self.kept:
            parts.append(f"kept {plural(self.kept, 'live-only item')}")
        elif self.done:
            parts.append("matches")
        return "; ".join(parts)


def outcomes(applied: Plan, after: Plan) -> list[Outcome]:
    """Each resource the applied plan or the re-read plan mentions, in address order."""
    rows: dict[str, Outcome] = {}

    def row(address: str) -> Outcome:
        return rows.setdefault(address, Outcome(address))

    for op in applied.actions:
        row(op.address).applied.append(op)
    for op in after.operations:
        r = row(op.address)
        if op.verb == KEPT:
            r.kept += 1
        elif op.run is None:
            r.skipped.append(op)
        else:
            r.different.append(op)
    return [rows[a] for a in sorted(rows)]
