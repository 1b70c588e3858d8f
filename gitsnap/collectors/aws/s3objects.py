"""S3 objects: a bucket's object index and content-addressed bodies.

Keys are data, never paths: each bucket's objects are one ``objects.jsonl`` line
per key, and each body is one blob under ``blobs/``. An object whose ETag and
size match the previous snapshot reuses its blob without a GET, if that blob is sound, and
keeps its index line as it was (:mod:`.s3previous` holds the previous index compactly; the
no-change pass, :func:`transform_unchanged`, reads the listing's compact objects).

Bodies are read through the client's lean reader (:mod:`.s3http`), checked in the pass that
stores them (:mod:`.s3checksums`; a small body is read whole and checked before it is stored,
a big one is read in parallel ranges, :mod:`.s3ranged`). A body that fails is fetched again;
one that fails every time is an error, and nothing of it is written (the check raises before
the blob writer finishes the object). The listing itself is :mod:`.s3listing`'s (pages parsed by :mod:`.s3list`).

An object whose body cannot be read is recorded, not fatal: archived (GLACIER, DEEP_ARCHIVE
without a restored copy; Intelligent-Tiering archive tiers), KMS-denied, or requester-pays.
Its index line keeps the listing's metadata, has no body, and says why in ``unreadable``;
the bucket's warning counts them. ``--restore-archived DAYS`` asks S3 to restore archived
ones (Bulk tier), so a capture after the thaw stores their bodies. Any other denial is
unknown state and fails the unit, as before.

``capture_objects`` is the bucket type's ``extras`` (:mod:`.s3`); ``entry_from_get`` and
the other pure helpers shape index lines, ``BucketReads`` and ``_fetch`` do the I/O.
"""

from __future__ import annotations

import base64
import logging
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import replace
from typing import Any

import botocore.exceptions as bx

from ...layout import OBJECT_INDEX, ObjectEntry, segment
from ...secrets.sink import BodyLengthError
from ..context import UnitContext
from ..errors import BodyIntegrityError
from ..spec import Extras, Raw
from . import s3ranged
from .clients import error_code, translate
from .s3budget import BODY_BUDGET
from .s3checksums import KMS, BodyMismatch, body_check, checked, verify
from .s3http import FAST_READER, FastS3, fast_capable
from .s3list import Listed
from .s3previous import Previous, PreviousIndex, splice

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024
BODY_TRIES = 3


def header_text(value: str) -> Any:
    """Recover UTF-8 that HTTP delivered as latin-1; non-UTF-8 bytes are kept as base64."""
    try:
        raw = value.encode("latin-1")
    except UnicodeEncodeError:
        return value
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(raw).decode("ascii")}


HEADERS = ("CacheControl", "ContentDisposition", "ContentEncoding", "ContentLanguage",
           "WebsiteRedirectLocation", "ServerSideEncryption")


def entry_from_get(key: str, resp: dict[str, Any], blob: str | None, sha256: str | None,
                   sealed: list[dict[str, Any]] | None = None) -> ObjectEntry:
    """The index line for an object, from its GetObject (or HeadObject) response. Pure."""
    headers = {h: resp[h] for h in HEADERS if resp.get(h)}
    meta = {k: header_text(v) for k, v in (resp.get("Metadata") or {}).items()}
    return ObjectEntry(
        key=key,
        size=resp["ContentLength"],
        etag=resp["ETag"].strip('"'),
        sha256=sha256,
        blob=blob,
        content_type=resp.get("ContentType"),
        metadata=meta or None,
        headers=headers or None,
        storage_class=resp.get("StorageClass"),
        sealed=sealed,
    )


# a body cut short or damaged on the way, as botocore and the sink report it
_SHORT = (BodyLengthError, bx.IncompleteReadError, bx.ResponseStreamingError, bx.FlexibleChecksumError)

# -- bodies that cannot be read --------------------------------------------------------------

ARCHIVED = frozenset({"GLACIER", "DEEP_ARCHIVE"})  # listed classes whose body needs a restored copy
INTELLIGENT = "INTELLIGENT_TIERING"  # its archive tiers show only when a GET is refused
DENIED = frozenset({"AccessDenied", "403"})  # GetObject's code, and HeadObject's (no body, status only)


def restore_state(head: dict[str, Any]) -> str | None:
    """What HeadObject's ``Restore`` header says: ``"restored"`` (a copy can be read), ``"restore
    in progress"``, or None (no restore). Pure."""
    restore = head.get("Restore") or ""
    if 'ongoing-request="false"' in restore:
        return "restored"
    return "restore in progress" if 'ongoing-request="true"' in restore else None


def listed_entry(obj: Raw, why: str) -> ObjectEntry:
    """The index line of an object whose body could not be read: the listing's metadata. Pure."""
    storage = obj.get("StorageClass")
    return ObjectEntry(key=obj["Key"], size=obj["Size"], etag=obj["ETag"].strip('"'), sha256=None, blob=None,
                       storage_class=None if storage == "STANDARD" else storage, unreadable=why)


def archive_label(error: dict[str, Any], listed: str | None) -> str:
    """``GLACIER``, or ``INTELLIGENT_TIERING DEEP_ARCHIVE_ACCESS``, from an InvalidObjectState
    error (it names the class and, for Intelligent-Tiering, the tier). Pure."""
    parts = [error.get("StorageClass") or listed or "archived tier", error.get("AccessTier")]
    return " ".join(p for p in parts if p)


class BucketReads:
    """Object reads of one bucket: GET and HEAD (with ``RequestPayer`` when configured), why a
    body cannot be read, and restore requests (``--restore-archived``). Shared by threads.

    GET and HEAD go through the client's lean reader (:mod:`.s3http`) when it has one (every
    S3 client a capture's account makes, unless hooks watch its calls), else through botocore.
    """

    def __init__(self, ctx: UnitContext, bucket: str) -> None:
        self.ctx, self.bucket = ctx, bucket
        self.payer_args = {"RequestPayer": "requester"} if ctx.config.s3_requester_pays else {}
        self.restore_days: int | None = ctx.options.get("restore_archived")
        self.refused: list[tuple[str, str]] = []  # (key, error code) of restore requests S3 refused
        self._payer: str | None = None
        self._lock = threading.Lock()
        client = ctx.client("s3")
        fast = getattr(client, FAST_READER, None)
        self.fast: FastS3 | None = fast if fast is not None and fast_capable(client, bucket) else None

    def get(self, key: str, range_: str | None = None, if_match: str | None = None) -> dict[str, Any]:
        """GetObject with ChecksumMode ENABLED; *range_* and *if_match* for one part of a body."""
        if self.fast is not None:
            return self.fast.get_object(self.bucket, key, payer=bool(self.payer_args), range_=range_,
                                        if_match=if_match)
        extra: dict[str, Any] = {}
        if range_:
            extra["Range"] = range_
        if if_match:
            extra["IfMatch"] = if_match
        return self.ctx.client("s3").get_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED",
                                                **self.payer_args, **extra)

    def head(self, key: str, checksums: bool = False) -> dict[str, Any]:
        if self.fast is not None:
            return self.fast.head_object(self.bucket, key, payer=bool(self.payer_args), checksums=checksums)
        extra = {"ChecksumMode": "ENABLED"} if checksums else {}
        return self.ctx.client("s3").head_object(Bucket=self.bucket, Key=key, **self.payer_args, **extra)

    def payer(self) -> str | None:
        """Who pays for reads (GetBucketRequestPayment), asked once; None if it cannot be told."""
        with self._lock:
            if self._payer is None:
                try:
                    self._payer = self.ctx.client("s3").get_bucket_request_payment(Bucket=self.bucket).get("Payer", "")
                except (bx.BotoCoreError, bx.ClientError):
                    self._payer = ""
            return self._payer or None

    def archived(self, obj: Raw, label: str, state: str | None) -> str:
        """The reason for an archived body, with a restore requested if asked and none is on."""
        if state is None and self.restore_days:
            state = self.request_restore(obj["Key"], label.startswith(INTELLIGENT))
        return f"archived: {label}" + (f" ({state})" if state else "")

    def request_restore(self, key: str, intelligent: bool) -> str | None:
        """RestoreObject, Bulk tier; Intelligent-Tiering takes no ``Days`` (it restores to its
        frequent tier). Returns the restore state to record, or None if S3 refused."""
        request: dict[str, Any] = {"GlacierJobParameters": {"Tier": "Bulk"}}
        if not intelligent:
            request["Days"] = self.restore_days
        try:
            self.ctx.client("s3").restore_object(Bucket=self.bucket, Key=key, RestoreRequest=request,
                                                 **self.payer_args)
        except (bx.BotoCoreError, bx.ClientError) as exc:
            code = error_code(exc) or type(exc).__name__
            if code == "RestoreAlreadyInProgress":
                return "restore in progress"
            with self._lock:
                self.refused.append((key, code))
            return None
        return "restore requested"

    def unreadable(self, obj: Raw, exc: bx.ClientError) -> str | None:
        """Why a refused read is a body that cannot be read (recorded), or None: a denial of
        unknown cause, which stays an error."""
        code = error_code(exc) or ""
        if code == "InvalidObjectState":
            label = archive_label(exc.response.get("Error", {}), obj.get("StorageClass"))
            return self.archived(obj, label, None)
        if code.startswith("KMS."):
            return f"kms: {code}"
        if code not in DENIED:
            return None
        try:
            head = self.head(obj["Key"])
        except (bx.BotoCoreError, bx.ClientError):
            head = None  # HEAD refused too: requester-pays refuses both
        if head is not None:
            return "kms: access denied" if head.get("ServerSideEncryption") in KMS else None
        if not self.payer_args and self.payer() == "Requester":
            return "requester-pays"
        return None


def _download(ctx: UnitContext, reads: BucketReads, obj: Raw) -> ObjectEntry:
    """One body, fetched, checked and stored in one pass; raises BodyMismatch if it fails its check.

    A small body (up to the guard's scan limit) is read whole and checked once; a larger one
    streams through the check into the store; one above :data:`.s3ranged.RANGED_MIN` is read
    in parallel ranges (:mod:`.s3ranged`).
    """
    key = obj["Key"]
    where = f"s3/{reads.bucket}/{key}"
    if s3ranged.wanted(obj):
        return s3ranged.download(ctx, reads, obj, where)
    with BODY_BUDGET.hold(obj["Size"]):  # bodies held in memory at once are bounded (s3budget)
        resp = reads.get(key)
        size = resp["ContentLength"]
        body = resp["Body"]
        try:
            check = body_check(resp)
            if size <= ctx.sink.scan_max:
                data = body.read()
                verify(data, size, check)
                stored = ctx.sink.body_bytes(data, where, key, ctx.sealed, size)
            else:
                stored = ctx.sink.body(size, checked(body.iter_chunks(CHUNK), size, check), where, key, ctx.sealed)
        except _SHORT as exc:
            raise BodyMismatch(str(exc)) from exc
        finally:
            body.close()
    return entry_from_get(key, resp, stored.blob, stored.sha256, stored.sealed)


def _fetch(ctx: UnitContext, reads: BucketReads, obj: Raw, with_body: bool) -> ObjectEntry | None:
    key = obj["Key"]
    where = f"s3/{reads.bucket}: key {key!r}"
    try:
        if not with_body:
            return entry_from_get(key, reads.head(key), None, None)
        if obj.get("StorageClass") in ARCHIVED:
            head = reads.head(key)
            state = restore_state(head)
            if state != "restored":  # no readable copy: no GET, which S3 would refuse
                why = reads.archived(obj, obj["StorageClass"], state)
                return replace(entry_from_get(key, head, None, None), unreadable=why)
        problem = ""
        for _ in range(BODY_TRIES):
            try:
                return _download(ctx, reads, obj)
            except BodyMismatch as exc:
                problem = str(exc)
                log.info("%s: body failed its check (%s); fetching it again", where, problem)
        raise BodyIntegrityError(
            f"{where}: body failed its checksum ({problem}) after {BODY_TRIES} tries; nothing was written")
    except (bx.BotoCoreError, bx.ClientError) as exc:
        if error_code(exc) == "NoSuchKey":  # the key is gone: unlike a part of a resource, it is data
            ctx.warn(f"s3/{reads.bucket}: key {key!r} deleted while it was being captured; left out")
            return None
        why = reads.unreadable(obj, exc) if with_body and isinstance(exc, bx.ClientError) else None
        if why is not None:
            return listed_entry(obj, why)
        raise translate(exc, f"s3/{reads.bucket}: s3:GetObject {key!r}") from exc


def warn_unreadable(ctx: UnitContext, reads: BucketReads, entries: list[ObjectEntry]) -> int:
    """One warning per bucket for its bodies that could not be read (and refused restores)."""
    unread = sorted((e for e in entries if e.unreadable), key=lambda e: e.key)
    if unread:
        kinds = ", ".join(f"{n} {why}" for why, n in sorted(Counter(e.unreadable for e in unread).items()))
        waiting = any((e.unreadable or "").startswith("archived:") and "(" not in (e.unreadable or "") for e in unread)
        hint = "; 'gitsnap capture --restore-archived DAYS' asks S3 to restore archived ones" if (
            waiting and not reads.restore_days) else ""
        noun = "object" if len(unread) == 1 else "objects"
        ctx.warn(f"s3/{reads.bucket}: {len(unread)} {noun} could not be read and {'is' if len(unread) == 1 else 'are'} "
                 f"recorded without a body ({kinds}; first {unread[0].key!r}){hint}")
    if reads.refused:
        key, code = sorted(reads.refused)[0]
        ctx.warn(f"s3/{reads.bucket}: S3 refused to restore {len(reads.refused)} archived objects "
                 f"(first {key!r}: {code}); --restore-archived needs s3:RestoreObject")
    return len(unread)


PROGRESS_EVERY = 64  # objects a worker reads between progress updates


def fetch_all(ctx: UnitContext, todo: Sequence[Raw], fetch: Callable[[Raw], ObjectEntry | None],
              progress: str) -> list[ObjectEntry | None]:
    """``fetch`` of every listed object, on the download threads, in the order given.

    One task per worker, not one per object: each worker takes the next object from a shared
    iterator until none is left (``next`` on a range iterator is atomic in CPython). The first
    failure stops every worker from taking more, and is raised once all have stopped.
    """
    results: list[ObjectEntry | None] = [None] * len(todo)
    indexes = iter(range(len(todo)))
    failed: list[BaseException] = []

    def drain() -> None:
        done = 0
        for i in indexes:
            if failed:
                break
            try:
                results[i] = fetch(todo[i])
            except BaseException as exc:  # handed to the caller, which raises it
                failed.append(exc)
                break
            done += 1
            if done == PROGRESS_EVERY:
                ctx.reporter.advance(progress, done)
                done = 0
        ctx.reporter.advance(progress, done)

    workers = min(ctx.config.s3_workers, len(todo))
    pending: list[Future[None]] = [ctx.downloads.submit(drain) for _ in range(workers)]
    try:
        for fut in pending:
            fut.result()
    except BaseException as exc:
        failed.append(exc)
        for fut in pending:
            fut.cancel()
        raise
    if failed:
        raise failed[0]
    return results


def transform_unchanged(listing: Sequence[Any], previous: PreviousIndex, with_body: bool,
                        sound: Callable[[str], bool], reuse_sealed: Callable[[str], bool],
                        ) -> tuple[list[Previous | None], list[Listed], list[int]]:
    """The no-change pass: each listed object whose size and ETag are the previous snapshot's,
    with a sound blob (or a sealed body the sink can reuse), keeps its previous line; the
    others are to fetch. Returns ``(slots, todo, at)``: per listed object its previous line or
    None (to fetch), the objects to fetch, and where each one's entry goes in ``slots``.
    Pure but for *sound* and *reuse_sealed* (given a blob id, a sealed body's sha256), which
    only read.

    This runs once per object of every bucket (100,000 times for a big one): attribute reads
    on :class:`~.s3list.Listed` and :class:`~.s3previous.Previous`, no dict per object.
    """
    slots: list[Previous | None] = []
    todo: list[Listed] = []
    at: list[int] = []
    get = previous.get
    keep = slots.append
    for obj in listing:
        if type(obj) is not Listed:
            obj = Listed.from_dict(obj)  # noqa: PLW2901 (a dict from a test or an older caller)
        old = get(obj.key)
        if old is not None and old.size == obj.size and old.etag == obj.etag.strip('"') and (
            not with_body
            or (old.blob is not None and sound(old.blob))
            or (old.sealed_sha256 is not None and reuse_sealed(old.sealed_sha256))
        ):
            keep(old)
            continue
        at.append(len(slots))
        keep(None)
        todo.append(obj)
    return slots, todo, at


def capture_objects(ctx: UnitContext, raw: Raw, doc: Raw, rid: str) -> Extras:
    """Index every object; download only bodies the previous snapshot does not have."""
    bucket = raw["Name"]
    previous = PreviousIndex(ctx.previous(f"{ctx.unit_path}/bucket/{segment(rid)}/{OBJECT_INDEX}"))
    listing = raw.get("Objects") or []
    key = f"{ctx.unit_path}/bucket/{bucket}/objects"
    ctx.reporter.start(key, f"s3/{bucket}", total=len(listing))
    with_body = ctx.config.s3_content
    reads = BucketReads(ctx, bucket)
    slots: list[Any]
    slots, todo, at = transform_unchanged(listing, previous, with_body, ctx.blobs.sound,
                                          lambda sha256: ctx.sink.reuse_body(sha256, ctx.sealed))
    ctx.reporter.advance(key, len(listing) - len(todo))
    fetched = fetch_all(ctx, todo, lambda obj: _fetch(ctx, reads, obj, with_body), key) if todo else []
    for i, entry in zip(at, fetched, strict=True):
        slots[i] = entry
    ctx.reporter.finish(key)
    entries = [e for e in fetched if e is not None]  # None: deleted while it was being captured
    unread = warn_unreadable(ctx, reads, entries) if with_body else 0  # a kept line is never unreadable
    downloaded = [e for e in entries if e.sha256 is not None]
    kept = [s for s in slots if type(s) is Previous]
    reused = sum(s.blob is not None for s in kept)
    count = len(kept) + len(entries)
    total_bytes = sum(s.size for s in kept) + sum(e.size for e in entries)
    ctx.counters.add(objects=count, bytes=total_bytes, reused_blobs=reused, new_blobs=len(downloaded),
                     downloaded_bytes=sum(e.size for e in downloaded))
    summary = {"objects": count, "bytes": total_bytes}
    if unread:
        summary["unreadable"] = unread  # manifest.json: per bucket, and in totals
    return Extras(
        files={OBJECT_INDEX: splice(previous, slots)},
        blobs={s.blob for s in kept if s.blob} | {e.blob for e in entries if e.blob},
        summary=summary,
    )
