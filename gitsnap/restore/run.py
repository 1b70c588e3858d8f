"""Plan, apply, verify, record: the restore procedure, service-independent."""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..addresses import check_patterns
from ..collectors import registry
from ..collectors.aws.accounts import AwsAccounts, unknown_account_hint
from ..collectors.spec import NotRestorable, Restorer
from ..config import Config
from ..diff import diff_documents, resource_differs
from ..engine import Capture, CaptureRequest, CaptureResult
from ..errors import GitsnapError
from ..keys import sealer, unsealer
from ..layout import OBJECT_INDEX, load_index
from ..live import read_live
from ..render import plural
from ..secrets.fingerprint import Fingerprinter
from ..store import SnapshotStore
from ..store.snapshot import Snapshot
from .ops import (
    NEEDS_IDENTITY,
    Operation,
    Plan,
    RestoreContext,
    RestoreError,
    Unrestorable,
    Waits,
    in_dependency_order,
)
from .reveal import IDENTITY_HINT, Revealer, has_marker


def rank_of(kind: tuple[str, str]) -> int | None:
    """The apply rank a type declares (``Restorer.rank``), or None."""
    spec = registry.type_of(*kind)
    return spec.restore.rank if spec is not None and isinstance(spec.restore, Restorer) else None


@dataclass
class Restore:
    store: SnapshotStore
    config: Config
    fingerprint: Fingerprinter
    rev: str
    patterns: tuple[str, ...] = ()
    only: tuple[str, ...] = ()
    delete: bool = False

    def __post_init__(self) -> None:
        self.commit = self.store.resolve(self.rev)
        self.snapshot = Snapshot.load(self.store, self.commit)
        self._ctx: RestoreContext | None = None
        self._accounts: AwsAccounts | None = None
        self._reveal: Revealer | None = None
        self.waits = Waits()
        self._checked = False

    def services(self) -> tuple[str, ...]:
        """Services to restore: named by --only, by the addresses, else every configured service
        (read live even when the snapshot holds none of it, so that what was created since in a
        service the snapshot has nothing of is seen) and every service in the snapshot."""
        if self.only:
            return self.only
        named = {p.split("/", 1)[0] for p in self.patterns if "*" not in p.split("/", 1)[0]}
        if self.patterns and len(named) == len({p.split("/", 1)[0] for p in self.patterns}):
            return tuple(sorted(named))
        known = registry.aws_services() | registry.other_services()
        held = {info["service"] for info in self.snapshot.resources.values() if info["service"] in known}
        return tuple(sorted(held | set(registry.configured_services(self.config))))

    def read_services(self) -> tuple[str, ...]:
        """Services to read live: those restored, and CloudFront beside S3 (a restored object is
        invalidated on every distribution serving its bucket, selected or not) unless the
        configuration leaves CloudFront out."""
        restored = self.services()
        wanted = not self.config.services or "cloudfront" in self.config.services
        if "s3" in restored and "cloudfront" not in restored and wanted:
            return tuple(sorted((*restored, "cloudfront")))
        return restored

    def selected(self, live: Snapshot) -> list[str]:
        addresses = sorted(set(self.snapshot.resources) | set(live.resources))
        chosen = [a for a in addresses if a.split("/", 1)[0] in self.services()]
        if not self.patterns:
            return chosen
        if not self._checked:  # once: after a --delete applies, what a pattern named may be gone
            check_patterns(self.patterns, chosen, f"{self.rev} or live state", f"gitsnap show {self.rev}")
            self._checked = True
        return [a for a in chosen if any(fnmatch.fnmatchcase(a, p) for p in self.patterns)]

    def read_live(self) -> tuple[Snapshot, frozenset[str]]:
        return read_live(Capture(self.store, self.config, self.fingerprint), self.commit, self.read_services())

    def plan(self) -> Plan:
        known = registry.aws_services() | registry.other_services()
        for p in self.patterns:  # a service gitsnap does not know: nothing live could match either
            if p.split("/", 1)[0] not in known and not any(ch in p.split("/", 1)[0] for ch in "*?["):
                check_patterns([p], self.snapshot.resources, self.rev, f"gitsnap show {self.rev}")
        live, read = self.read_live()
        self.live = live
        if self._accounts is None or self._reveal is None:  # made once: verify's plan reuses the sessions
            self._reveal = Revealer(self.snapshot, unsealer())
            # no fingerprint is ever sent to live state: every client of every account has the hook
            self._accounts = AwsAccounts(self.config, self.config.s3_workers, hooks=[self._reveal.install])
        ctx = RestoreContext(self.store, self.snapshot, live, self._accounts, self.delete, self.config,
                             self._reveal, self.waits, read, differ=diff_documents)
        self._ctx = ctx
        ops: list[Operation] = []
        for address in self.selected(live):
            ops.extend(self.plan_resource(ctx, address))
        kinds = {a: (i["service"], i["type"]) for a, i in (*live.resources.items(), *self.snapshot.resources.items())}
        return Plan(self.rev, self.commit, in_dependency_order(ops, kinds, rank_of))

    def plan_resource(self, ctx: RestoreContext, address: str) -> list[Operation]:
        return plan_address(ctx, address)

    def guard(self) -> None:
        """Refuse if live state moved since the plan: re-read it and compare, resource by resource."""
        assert self._ctx is not None
        again, _ = self.read_live()
        for address in self.selected(self.live):
            if resource_differs(address, self.live, again):
                raise RestoreError(f"{address} changed after the plan was made; nothing was applied: plan again")

    def apply(self, plan: Plan, progress: Callable[[Operation], None] | None = None) -> None:
        self.guard()
        for done, op in enumerate(plan.actions):
            try:
                assert op.run is not None
                op.run()
            except RestoreError:
                raise
            except Exception as exc:  # one line, and what was already done
                raise RestoreError(f"{op.address}: {op.verb} {op.target}: {exc}; {done} of "
                                   f"{plural(len(plan.actions), 'operation')} were applied before it: plan again "
                                   "to see what is left") from exc
            if progress:
                progress(op)

    def verify(self) -> Plan:
        """Plan again: after a complete restore nothing is left to do (redacted fields aside)."""
        return self.plan()

    def record(self, applied: Plan) -> CaptureResult:
        """Commit the restored services' live state (the others keep their subtrees from HEAD)."""
        message = f"restore {self.rev}: {plural(len({op.address for op in applied.actions}), 'resource')} put back"
        try:
            return Capture(self.store, self.config, self.fingerprint).run(
                CaptureRequest(message=message, only=self.services()), sealer(self.store, self.config))
        except GitsnapError as exc:
            raise RestoreError(f"the restore was applied and verified, but recording it failed ({exc}); "
                               "run 'gitsnap capture' to record it") from exc


def applied_line(op: Operation) -> str:
    """The line printed as each operation is applied, naming its resource first (a target is
    often a field, "Timeout", or a key, that says nothing alone). Pure."""
    target = "" if op.target == op.address else f" {op.target}"
    return f"{op.address}: applied {op.verb}{target}"


def plan_address(ctx: RestoreContext, address: str) -> list[Operation]:
    """The operations that put one resource back, or the line that says why they cannot.

    The resource's type declares how (``ResourceType.restore``): ``update`` when it exists on
    both sides and differs, ``create`` when live lost it, ``delete`` (only with --delete) when
    live has it and the snapshot does not."""
    want, have = ctx.snapshot.resources.get(address), ctx.live.resources.get(address)
    if want is None and have is None:
        return []
    if want is not None and have is not None and not resource_differs(address, ctx.snapshot, ctx.live):
        return []  # identical, or only in what the service changes by itself (status)
    info = want or have
    assert info is not None
    if info["service"] in registry.aws_services():
        elsewhere = misplaced(want, have) if want is not None else None
        if elsewhere:
            return [Operation(address, "cannot-restore", address, elsewhere)]
        if not ctx.accounts.reaches(info["account"]):
            return [Operation(address, "cannot-restore", address,
                              unknown_account_hint(info["account"], ctx.accounts.known()))]
    spec = registry.type_of(info["service"], info["type"])
    declared = spec.restore if spec is not None else None
    if isinstance(declared, NotRestorable):
        return [Operation(address, "cannot-restore", address, declared.reason)]
    if declared is None:  # a type of a newer gitsnap, or one still being written
        return [Operation(address, "cannot-restore", address, "this gitsnap cannot restore this type")]
    try:
        if want is None:
            ops = _plan_delete(ctx, address, declared)
        elif have is None:
            if declared.create is None:
                why = declared.cannot_create
                return [Operation(address, "cannot-restore", address, f"it does not exist live: {why}")]
            ops = declared.create(ctx, address)
        else:
            if declared.update is None:
                return [Operation(address, "cannot-restore", address, "gitsnap cannot update this type in place")]
            ops = declared.update(ctx, address)
    except Unrestorable as why:
        return [why.op]
    return ops + needs_identity(ctx, address, ops)


def _plan_delete(ctx: RestoreContext, address: str, declared: Restorer) -> list[Operation]:
    """A resource live has and the snapshot does not: kept, unless --delete (and the type can)."""
    if not ctx.delete:
        return [Operation(address, "kept", address, "live only (created since the snapshot); --delete removes it")]
    if declared.delete is None:
        why = declared.cannot_delete
        return [Operation(address, "cannot-restore", address, f"live only, and {why}")]
    ops = declared.delete(ctx, address)
    for op in ops:
        op.removes = True
    return ops


def misplaced(want: dict[str, Any], have: dict[str, Any] | None) -> str | None:
    """Why live's resource at this address is not the snapshot's, if it is in another account or
    region (an unqualified address names whichever one exists). Pure."""
    if have is None or (have.get("account"), have.get("region")) == (want.get("account"), want.get("region")):
        return None
    return (f"live, this address is in account {have.get('account')} {have.get('region')}, the snapshot's in "
            f"{want.get('account')} {want.get('region')}: not the same resource, so it is left alone")


def needs_identity(ctx: RestoreContext, address: str, ops: list[Operation]) -> list[Operation]:
    """Without the identity, each changed field whose snapshot value is sealed, unless the
    restorer already said so: the apply is then refused before anything is written."""
    if ctx.reveal.available or not any(op.run for op in ops) or any(op.verb == NEEDS_IDENTITY for op in ops):
        return []
    want, have = ctx.snapshot.document(address), ctx.live.document(address)
    if want is None:
        return []
    return [Operation(address, NEEDS_IDENTITY, ch.path or address, IDENTITY_HINT)
            for ch in diff_documents(address, have, want) if ch.redacted or has_marker(ch.new)]


def not_restorable(ctx: RestoreContext, address: str) -> list[Operation]:
    want, have = ctx.snapshot.document(address), ctx.live.document(address)
    if have is None:
        return [Operation(address, "cannot-restore", address, "it does not exist live")]
    changes = diff_documents(address, have, want)
    if not changes:
        return [Operation(address, "not-restorable-yet", address, "files differ; restore them by hand")]
    return [Operation(address, "not-restorable-yet", c.path or address, "differs") for c in changes]


def export_bucket(store: SnapshotStore, rev: str, address: str, dest: Path) -> tuple[int, list[str]]:
    """Write a bucket's objects from a snapshot into a directory; returns (written, unrepresentable keys)."""
    snap = Snapshot.load(store, store.resolve(rev))
    if address not in snap.resources or snap.resources[address].get("type") != "bucket":
        raise RestoreError(f"no bucket {address!r} in {rev}: 'gitsnap show {rev}' lists what it has")
    index = snap.resource_files(address).get(OBJECT_INDEX)
    entries = list(load_index(store.read(index))) if index else []
    keys = {e.key for e in entries}
    written, refused = 0, []
    dest = dest.resolve()
    for e in entries:
        parts = e.key.split("/")
        bad = (not e.key or e.key.endswith("/") or any(p in ("", ".", "..") for p in parts)
               or any(len(p.encode()) > 255 for p in parts)  # longer than a file name may be
               or any(k.startswith(e.key + "/") for k in keys) or "\x00" in e.key)
        target = dest.joinpath(*parts)
        if bad or not str(target.resolve()).startswith(str(dest) + "/") or not e.blob:
            refused.append(e.key)
            continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as out:
                for chunk in store.iter_blob(e.blob):
                    out.write(chunk)
        except OSError:  # the file system refuses this name: list it, go on
            refused.append(e.key)
            continue
        written += 1
    return written, refused


def plan_json(plan: Plan) -> str:
    return json.dumps(plan.to_json(), indent=2, sort_keys=True) + "\n"
