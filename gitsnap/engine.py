"""Capture: run collectors concurrently, normalize and redact, write one snapshot commit.

The engine owns the order that keeps a repository valid whatever happens: every
object is written first, the branch moves last by compare-and-swap, the tag after
it. A failed collector fails the capture (nothing moves) unless partial captures
are allowed, in which case its previous subtree is kept and marked failed: unknown
state is never recorded as deleted.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from . import __version__, canonical, schemas
from .collectors.context import BlobSink, Counters, NullReporter, Reporter, UnitContext
from .collectors.errors import CollectorError, CredentialsError
from .collectors.run import Collected, collect
from .config import Config
from .errors import GitsnapError, UsageError
from .layout import (
    MANIFEST_FILES,
    MANIFEST_JSON,
    MANIFEST_MD,
    OBJECT_INDEX,
    SEALED_SIDECAR,
    blob_path,
    dump_index,
    load_index,
    segment,
)
from .manifest import render_markdown
from .normalize import drop_volatile, sort_unordered, split_status
from .plan import Plan, Unit, plan_units, unit_key
from .secrets.detect import Detector
from .secrets.fingerprint import Fingerprinter
from .secrets.guard import Allow, Guard
from .secrets.seal import SEALED, Sealer
from .secrets.sink import SealedItems, SecretSink
from .store import SnapshotStore

log = logging.getLogger(__name__)


class CaptureFailedError(GitsnapError):
    """A collector failed and partial captures were not allowed: nothing was written."""


class DocumentError(CollectorError):
    """A collected document does not match its schema (an API change or a gitsnap bug)."""


@dataclass(frozen=True)
class CaptureRequest:
    tag: str | None = None
    message: str | None = None
    only: tuple[str, ...] = ()
    allow_partial: bool = False
    force: bool = False
    lightsail_snapshot: bool = False
    restore_archived: int | None = None  # days: ask S3 to restore archived objects (Bulk tier)


@dataclass
class UnitResult:
    path: str
    service: str
    account: str
    region: str
    status: str = "ok"
    error: str | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    blobs: dict[str, list[str]] = field(default_factory=dict)
    sealed: SealedItems = field(default_factory=SealedItems)
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class CaptureResult:
    commit: str | None
    created: bool
    tag: str | None
    counters: Counters
    units: list[UnitResult]
    seconds: float
    findings: list[str]
    allowed: list[str] = field(default_factory=list)
    unscanned: list[str] = field(default_factory=list)
    covered: dict[str, Any] = field(default_factory=dict)  # regions and services this capture read
    seen: list[dict[str, Any]] = field(default_factory=list)  # seen, not captured (manifest's list)
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (unit, why): no longer captured

    @property
    def failed(self) -> list[UnitResult]:
        return [u for u in self.units if u.status == "failed"]


_QUALIFIER = re.compile(r"@[^@/]+:[a-z0-9-]+$")


def unique_addresses(entries: list[tuple[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Addresses as DESIGN gives them, qualified ``@<account>:<region>`` only where two
    resources of one capture would share one (same function name in two regions). Pure."""
    base = [(_QUALIFIER.sub("", a), info) for a, info in entries]
    counts = Counter(a for a, _ in base)
    out: dict[str, dict[str, Any]] = {}
    for address, info in base:
        if counts[address] > 1:
            address = f"{address}@{info['account']}:{info['region']}"
        out[address] = info
    return dict(sorted(out.items()))


def make_guard(config: Config, fingerprint: Fingerprinter) -> Guard:
    """The guard every capture and live read runs, with the ``[secrets]`` allow list."""
    allow = Allow(config.secrets_allow_paths, config.secrets_allow_rules,
                  config.secrets_allow_fingerprints, config.secrets_seal_paths)
    return Guard(Detector(allow_rules=allow.rules), fingerprint, allow)


def finish_document(
    c: Collected, config: Config, guard: Guard, address: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Normalize, redact and validate one collected document; also the values to seal.

    Pure but for the key."""
    doc = c.document
    doc.update(canonical.plain(c.extras.doc_updates))
    drop_volatile(doc, c.spec.volatile)
    split_status(doc, c.spec.status, address)  # before sorting: a status change must not reorder a list
    sort_unordered(doc, c.spec.unordered)
    keep = getattr(config, c.spec.keep_names) if c.spec.keep_names else frozenset()
    to_seal = guard.document(doc, address, c.spec.secrets, keep, c.spec.public)
    problems = schemas.errors(c.spec.schema, doc)
    if problems:
        err = problems[0]
        raise DocumentError(
            f"{address}: field {schemas.where(err)} does not match schema {c.spec.schema} ({err.message}); please report this"
        )
    return doc, to_seal


class Capture:
    """One capture run against one store."""

    def __init__(
        self,
        store: SnapshotStore,
        config: Config,
        fingerprint: Fingerprinter,
        reporter: Reporter | None = None,
        blobs: BlobSink | None = None,
    ) -> None:
        self.store = store
        self.blobs: BlobSink = blobs or store
        self.config = config
        self.fingerprint = fingerprint
        self.guard = make_guard(config, fingerprint)
        self.sealer: Sealer | None = None  # set by run(); a live read seals nothing
        self.secrets: SecretSink | None = None
        self.reporter = reporter or NullReporter()
        self.counters = Counters()
        self.options: dict[str, Any] = {}
        self.plan = Plan()  # set by read_units

    # -- reading live state ----------------------------------------------------------------

    def _run_unit(self, unit: Unit, previous: dict[str, str], downloads: ThreadPoolExecutor) -> UnitResult:
        result = UnitResult(unit.path, unit.service, unit.account, unit.region)
        started = time.monotonic()

        def prev(rel: str) -> bytes | None:
            blob = previous.get(rel)
            return self.store.read(blob) if blob else None

        def prev_dir(prefix: str) -> dict[str, bytes]:
            start = prefix.rstrip("/") + "/"
            return {p[len(start):]: self.store.read(b) for p, b in previous.items() if p.startswith(start)}

        ctx = UnitContext(
            account=unit.account,
            region=unit.region,
            config=self.config,
            client=unit.client,
            blobs=self.blobs,
            previous=prev,
            previous_dir=prev_dir,
            downloads=downloads,
            counters=self.counters,
            reporter=self.reporter,
            unit_path=unit.path,
            warnings=result.warnings,
            options=self.options,
            secrets=self.secrets,
            sealed=result.sealed,
        )
        try:
            if unit.error is not None:  # planning could not locate its resources
                raise CollectorError(unit.error)
            for spec in unit.types:
                for c in collect(ctx, spec, unit.located.get(spec.type)):
                    self._store_resource(c, unit, result)
        except CredentialsError:
            raise
        except GitsnapError as exc:
            # an EndpointError here is one service missing in one region (STS, in planning, already
            # proved the endpoint answers): that unit fails and is reported, the others go on
            result.status, result.error = "failed", str(exc)
        except Exception as exc:  # a collector bug must not take the others down
            log.debug("collector %s crashed", unit.path, exc_info=True)
            result.status = "failed"
            result.error = f"{unit.service} in {unit.region}: internal error {type(exc).__name__}: {exc} (run with --debug)"
        result.seconds = time.monotonic() - started
        log.info("%s: %s, %d resources in %.1f s", unit.path, result.status, len(result.resources), result.seconds)
        return result

    def _store_resource(self, c: Collected, unit: Unit, result: UnitResult) -> None:
        address = c.spec.address(c.id)
        assert self.secrets is not None
        doc, to_seal = finish_document(c, self.config, self.guard, address)
        self.secrets.seal_values(to_seal, result.sealed)
        folder = c.spec.type if c.spec.folder is None else c.spec.folder
        base = "/".join(p for p in (unit.path, folder, segment(c.id)) if p)
        doc_path = f"{base}/{c.spec.document}" if c.spec.document else f"{base}.json"
        result.files[doc_path] = canonical.dumps(doc)
        sidecar: dict[str, Any] = {}
        for rel, data in c.extras.files.items():
            path = f"{base}/{rel}"
            if rel == OBJECT_INDEX:
                result.files[path] = self._clean_index(data, path, result.sealed)
                continue
            stored, sealed = self.secrets.file(data, path, result.sealed)
            if sealed is not None:
                sidecar[rel] = sealed
            if stored is not None:
                result.files[path] = stored
        if sidecar:
            result.files[f"{base}/{SEALED_SIDECAR}"] = canonical.dumps(sidecar)
        for blob in c.extras.blobs:
            result.blobs.setdefault(blob, []).append(address)
        result.resources[address] = {
            "path": base if c.spec.document else doc_path,
            "service": c.spec.service,
            "type": c.spec.type,
            "account": unit.account,
            "region": unit.region,
            **c.extras.summary,
        }
        self.counters.add(resources=1)

    def _clean_index(self, data: bytes, where: str, sealed: SealedItems) -> bytes:
        """The guard over an object index: metadata and header values, as parsed values. Keys
        are names that must round-trip exactly (``token=abc123.txt`` is a legal key)."""
        assert self.secrets is not None
        entries = []
        changed = False
        for e in load_index(data):
            if e.metadata or e.headers:
                parts = {"metadata": dict(e.metadata or {}), "headers": dict(e.headers or {})}
                to_seal = self.guard.document(parts, f"{where} {e.key!r}")
                if to_seal:
                    self.secrets.seal_values(to_seal, sealed)
                    e = replace(e, metadata=parts["metadata"] or None, headers=parts["headers"] or None)
                    changed = True
            entries.append(e)
        return dump_index(entries) if changed else data

    # -- writing the snapshot --------------------------------------------------------------

    def check(self, request: CaptureRequest) -> None:
        """Refuse a secret typed on the command line, before anything is read or written."""
        if request.message:
            self.guard.check_message(request.message, "-m message")

    def run(self, request: CaptureRequest, sealer: Sealer) -> CaptureResult:
        started = time.monotonic()
        self.check(request)
        if request.lightsail_snapshot:
            if not request.tag:
                raise UsageError("--lightsail-snapshot names snapshots after the tag: add --tag (e.g. --tag v1.0)")
            self.options["lightsail_snapshot"] = request.tag
        if request.restore_archived:
            self.options["restore_archived"] = request.restore_archived
        if request.tag is not None:
            if not self.store.valid_tag_name(request.tag):
                raise UsageError(f"invalid tag name {request.tag!r}: use letters, digits, '.', '-', '_' (e.g. v1.0)")
            if self.store.tag_exists(request.tag) and not request.force:
                raise UsageError(f"tag {request.tag!r} already exists: choose another name or pass --force")
        with self.store.lock():
            head = self.store.head()
            previous = self.store.files(head)
            prev_manifest = self._manifest(previous)
            self.sealer = sealer
            self.secrets = SecretSink(
                self.guard, sealer, self.blobs,
                {p: b for p, b in previous.items() if p.startswith(SEALED + "/")},
                reuse=prev_manifest.get("sealed_to") == sealer.digest,
                scan_max=self.config.secrets_scan_max_bytes)
            results = self.read_units(request.only, previous)
            failed = [r for r in results if r.status == "failed"]
            if failed and not request.allow_partial:
                first = failed[0]
                more = f" (and {len(failed) - 1} more failed)" if len(failed) > 1 else ""
                raise CaptureFailedError(f"{first.error}{more}; nothing was written (use --allow-partial to keep what was read)")
            commit, created, dropped = self._write(request, head, previous, prev_manifest, results, started)
        return CaptureResult(
            commit=commit,
            created=created,
            tag=request.tag,
            counters=self.counters,
            units=results,
            seconds=time.monotonic() - started,
            findings=[str(f) for f in self.guard.findings],
            allowed=list(self.guard.allowed),
            unscanned=list(self.secrets.unscanned),
            covered=self.plan.covered,
            seen=[s.to_json() for s in self.plan.seen],
            dropped=dropped,
        )

    def read_units(self, only: tuple[str, ...], previous: dict[str, str]) -> list[UnitResult]:
        """Read live state for every planned unit, concurrently; nothing is committed.

        *previous* is the snapshot bodies may be reused from (no GET when ETag and size match).
        """
        if self.secrets is None:  # a live read: flagged bodies are recorded as sealed, not sealed
            self.secrets = SecretSink(self.guard, None, self.blobs, {}, reuse=False,
                                      scan_max=self.config.secrets_scan_max_bytes)
        self.plan = plan_units(self.config, only, self.config.s3_workers)
        for warning in self.plan.warnings:
            self.reporter.warn(warning)
        units = self.plan.units
        log.info("reading %d units: %s", len(units), ", ".join(u.path for u in units))
        downloads = ThreadPoolExecutor(self.config.s3_workers, thread_name_prefix="gitsnap-get")
        pool = ThreadPoolExecutor(min(8, max(1, len(units))), thread_name_prefix="gitsnap-unit")
        try:
            results = list(pool.map(lambda u: self._run_unit(u, previous, downloads), units))
        except BaseException:
            # Ctrl-C (or a bug): do not wait for requests in flight. Queued work is dropped and the
            # threads still in a call are abandoned; nothing they write is referenced by a ref.
            for executor in (pool, downloads):
                executor.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
        downloads.shutdown()
        return results

    def _manifest(self, files: dict[str, str]) -> dict[str, Any]:
        blob = files.get(MANIFEST_JSON)
        return json.loads(self.store.read(blob)) if blob else {}

    def _write(
        self,
        request: CaptureRequest,
        head: str | None,
        previous: dict[str, str],
        prev_manifest: dict[str, Any],
        results: list[UnitResult],
        started: float,
    ) -> tuple[str | None, bool, list[tuple[str, str]]]:
        captured = {r.path for r in results if r.status == "ok"}
        failed = {r.path for r in results if r.status == "failed"}
        files: dict[str, str] = {}
        bodies: dict[str, dict[str, Any]] = {}
        sealed: dict[str, dict[str, Any]] = {}
        units: dict[str, Any] = {}
        resources: list[tuple[str, dict[str, Any]]] = []
        dropped: list[tuple[str, str]] = []
        # A previous unit keeps its subtree when it failed now (--allow-partial), when it was
        # not read now (--only left its service out), or when this capture could not tell
        # whether it still exists (a listing that locates its resources failed). Any other is
        # not in this capture's plan: a full capture is its plan, so the unit is gone (a
        # configuration change, named in the summary), never kept as if it were still read.
        for path, info in prev_manifest.get("units", {}).items():
            if path in captured:
                continue
            unsure = unit_key(path) in self.plan.unsure
            if not (path in failed or unsure or self._left_out(unit_key(path)[1], request.only)):
                dropped.append((path, f"not in this capture's plan: {self.plan.why_not(path)}"))
                continue
            units[path] = dict(info, status="failed" if path in failed or unsure else info.get("status", "ok"))
            if unsure and path not in failed:
                units[path]["error"] = "not read: its resources could not be listed (see the other units)"
            prefix = path + "/"
            files.update({p: b for p, b in previous.items() if p.startswith(prefix)})
            resources.extend((a, r) for a, r in prev_manifest.get("resources", {}).items()
                             if r["path"].startswith(prefix) or r["path"] == path)
            for blob, body in prev_manifest.get("bodies", {}).items():
                if path in body.get("units", []):
                    bodies[blob] = body
            for item, info in prev_manifest.get("sealed", {}).items():
                if path in info.get("units", []) and item in previous:
                    sealed[item] = dict(info, blob=previous[item])
        for r in results:
            if r.status != "ok":
                units.setdefault(r.path, {"status": "failed", "resources": 0, "service": r.service,
                                          "account": r.account, "region": r.region})
                units[r.path].update(status="failed", error=r.error)
                continue
            for path, data in r.files.items():
                files[path] = self.store.add_bytes(data)
            resources.extend(r.resources.items())
            for blob, _addresses in r.blobs.items():
                body = bodies.setdefault(blob, {"units": []})
                body["units"] = sorted(set(body["units"]) | {r.path})
            for item, blob in r.sealed.items.items():
                info = sealed.setdefault(item, {"units": [], "blob": blob})
                info["units"] = sorted(set(info["units"]) | {r.path})
            units[r.path] = {
                "status": "ok",
                "service": r.service,
                "account": r.account,
                "region": r.region,
                "resources": len(r.resources),
            }
        for blob in bodies:
            files[blob_path(blob)] = blob
        for item, info in sealed.items():
            files[item] = info.pop("blob")
        self._describe_bodies(bodies, results, prev_manifest)

        seen = self._seen(prev_manifest, request.only)
        unchanged = (files == {p: b for p, b in previous.items() if p not in MANIFEST_FILES}
                     and set(units) == set(prev_manifest.get("units", {}))
                     and seen == prev_manifest.get("seen_not_captured", []))
        recovered = any(u.get("status") == "failed" for u in prev_manifest.get("units", {}).values())
        if head is not None and unchanged and not failed and not recovered:
            log.info("no change since %s: no commit", head[:12])
            if request.tag:
                self.store.tag(request.tag, head, self._tag_message(request), force=request.force)
            return head, False, dropped

        captured_at = _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        manifest = {
            "format": 1,
            "tool": {"name": "gitsnap", "version": __version__},
            "captured_at": captured_at,
            "duration_seconds": round(time.monotonic() - started, 3),
            "units": dict(sorted(units.items())),
            "resources": unique_addresses(resources),
            "bodies": dict(sorted(bodies.items())),
            "sealed": dict(sorted(sealed.items())),
            "sealed_to": self.sealer.digest if self.sealer else None,
            "covered": self.plan.covered,
            "seen_not_captured": seen,
            "totals": {
                "resources": len(resources),
                "bodies": len(bodies),
                "body_bytes": sum(b.get("size", 0) for b in bodies.values()),
                "unreadable_objects": sum(r.get("unreadable", 0) for _, r in resources),
            },
        }
        files[MANIFEST_JSON] = self.store.add_bytes(canonical.dumps(manifest))
        files[MANIFEST_MD] = self.store.add_bytes(render_markdown(manifest).encode())
        tree = self.store.write_tree(files)
        message = self.guard.clean_text(self._commit_message(request, manifest, dropped))
        commit = self.store.commit(tree, head, message)
        self.store.advance(head, commit)
        if request.tag:
            self.store.tag(request.tag, commit, self._tag_message(request), force=request.force)
        return commit, True, dropped

    @staticmethod
    def _left_out(service: str, only: tuple[str, ...]) -> bool:
        """Whether --only left *service* out of this capture (so its units were not read)."""
        return bool(only) and service not in only

    def _seen(self, prev_manifest: dict[str, Any], only: tuple[str, ...]) -> list[dict[str, Any]]:
        """Seen, not captured: this plan's, and the previous snapshot's for what it did not list."""
        seen = [s.to_json() for s in self.plan.seen]
        seen += [s for s in prev_manifest.get("seen_not_captured", [])
                 if self._left_out(s["service"], only) or (s["account"], s["service"]) in self.plan.unsure]
        return sorted(seen, key=lambda s: (s["address"], s["account"]))

    def _describe_bodies(self, bodies: dict[str, dict[str, Any]], results: list[UnitResult],
                         prev_manifest: dict[str, Any]) -> None:
        """sha256 and size of every body, from this run's index lines or the previous manifest."""
        known = prev_manifest.get("bodies", {})
        for r in results:
            for path, data in r.files.items():
                if path.endswith("/" + OBJECT_INDEX):
                    for e in load_index(data):
                        if e.blob in bodies:
                            bodies[e.blob].update(sha256=e.sha256, size=e.size)
                elif path.endswith("/function.json"):
                    code = json.loads(data).get("Code") or {}
                    if code.get("blob") in bodies:
                        bodies[code["blob"]].update(sha256=code["sha256"], size=code["size"])
        for blob, body in bodies.items():
            if "sha256" not in body and blob in known:
                body.update(sha256=known[blob].get("sha256"), size=known[blob].get("size"))

    def _commit_message(self, request: CaptureRequest, manifest: dict[str, Any],
                        dropped: list[tuple[str, str]]) -> str:
        title = request.message or f"capture {manifest['captured_at']}"
        lines = [title, ""]
        for path, unit in manifest["units"].items():
            status = unit.get("status", "ok")
            lines.append(f"{path}: {unit.get('resources', 0)} resources{'' if status == 'ok' else ' [' + status + ']'}")
            if status == "failed":
                lines.append(f"  not read, previous state kept: {unit.get('error') or 'see manifest.json'}")
        lines.extend(f"no longer captured: {path} ({why})" for path, why in dropped)
        if manifest["seen_not_captured"]:
            lines.append(f"seen, not captured: {len(manifest['seen_not_captured'])} (manifest.json seen_not_captured)")
        lines.append("")
        lines.append(f"gitsnap {__version__}")
        return "\n".join(lines) + "\n"

    def _tag_message(self, request: CaptureRequest) -> str:
        return self.guard.clean_text(request.message or f"gitsnap snapshot {request.tag}")
