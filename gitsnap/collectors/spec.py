"""The declarative pieces a collector module is made of."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from ..changes import Change
    from ..config import Config
    from .context import UnitContext
    from .restoring import Operation, RestoreContext

Raw = dict[str, Any]


@dataclass(frozen=True)
class LocateContext:
    """What a ``locate`` hook is given: one account, before any unit runs.

    Attributes:
        account: the account id.
        config: the configuration.
        client: ``client(service, region=None)``: a botocore client of this account (``None``:
            the session's region).
        warn: records a warning for the capture summary.
    """

    account: str
    config: Config
    client: Callable[..., Any]
    warn: Callable[[str], None]


@dataclass(frozen=True)
class Located:
    """One resource a ``locate`` hook found: where it is, and its listed fields.

    Attributes:
        region: the region it lives in; ``None`` when it was not looked up (see ``skip``).
        raw: its listed fields, as ``list``/``enumerate`` would give them to the runner.
        skip: why it is not captured wherever it is (``"excluded by [aws.s3] include/exclude"``):
            recorded as seen, not captured.
    """

    region: str | None
    raw: Raw
    skip: str | None = None


@dataclass(frozen=True)
class Call:
    """One API call.

    Attributes:
        method: the boto3 client method, e.g. ``"get_bucket_policy"``.
        params: builds the call's parameters from the resource gathered so far.
        result: the response key to keep (dotted); ``None`` keeps the whole response.
        client: another service's client to use (``"iam"`` for a Lambda's role).
        absent: error codes that mean "not configured": the field is recorded as ``None``.
        paginate: follow the service's paginator and merge pages (a page that says more
            follow but gives no continuation token is an error, not the end).
        identity: this call reads the resource itself (GetFunction for a function): its
            not-found answer means the resource is gone. A not-found answer from any other
            call means only a part of it vanished, and the runner reads the resource again.
        required: response keys (dotted) the service always sends; an answer without one is
            asked again once, then is an error (never recorded as if complete).
        documents: response keys (dotted) holding a JSON policy document sent as a string
            (possibly URL-encoded); it is parsed in place, and one that does not parse is
            asked again once, then is an error (never stored as a string).
    """

    method: str
    params: Callable[[Raw], Mapping[str, Any]] = lambda _r: {}
    result: str | None = None
    client: str | None = None
    absent: tuple[str, ...] = ()
    paginate: bool = False
    identity: bool = False
    required: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()


@dataclass(frozen=True)
class Detail:
    """A field of the raw resource, filled by a :class:`Call` or by a ``get_*`` function."""

    into: str
    call: Call | None = None
    fetch: Callable[[UnitContext, Raw], Any] | None = None


@dataclass(frozen=True)
class Extras:
    """What a resource adds beyond its document.

    Attributes:
        files: more files beside the document (``objects.jsonl``, ``source/...``).
        blobs: git blob ids of bodies the resource references (kept under ``blobs/``).
        doc_updates: fields merged into the document before normalization.
        summary: figures for the manifest (object count, bytes), not part of the document.
    """

    files: dict[str, bytes] = field(default_factory=dict)
    blobs: set[str] = field(default_factory=set)
    doc_updates: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, int] = field(default_factory=dict)


PlanStep = Callable[["RestoreContext", str], "list[Operation]"]
# (address, old file or None, new file or None, the resource's document) -> changes
FileDiff = Callable[[str, "bytes | None", "bytes | None", Any], "list[Change]"]


@dataclass(frozen=True)
class Restorer:
    """How ``restore`` puts one type back, declared beside how it is captured.

    Each step plans one address: it returns the operations that would do it (each with its
    ``run``, the calls to make), or raises :class:`~.restoring.Unrestorable` with the line to
    show. Steps read both sides through the context (``ctx.want(address)``: the snapshot's
    document, ``ctx.have(address)``: live's) and never call a write API while planning.

    Attributes:
        update: the resource exists on both sides and differs.
        create: it is in the snapshot and absent live (deleted): recreate it with its
            configuration, bodies and records. ``None``: the plan says ``cannot-restore`` with
            ``cannot_create``.
        delete: it exists live only, and ``--delete`` was given. ``None``: the plan says it is
            kept (``cannot-restore`` with ``cannot_delete`` under ``--delete``).
        rank: apply order; lower first (what others depend on before what depends on it).
            Deletions run after every create and update, highest rank first.
        permissions: the IAM actions the writes need (the restore policy is made from them).
        cannot_create: why a deleted resource of this type cannot be recreated.
        cannot_delete: why a live-only resource of this type is not removed.
    """

    update: PlanStep | None = None
    create: PlanStep | None = None
    delete: PlanStep | None = None
    rank: int = 50
    permissions: tuple[str, ...] = ()
    cannot_create: str = "gitsnap does not recreate this type; recreate it by hand"
    cannot_delete: str = "gitsnap does not delete this type; delete it by hand"


@dataclass(frozen=True)
class NotRestorable:
    """A type ``restore`` cannot put back, and why (shown in the plan as ``cannot-restore``;
    an applied restore that selected one exits 3)."""

    reason: str


@dataclass(frozen=True)
class ResourceType:
    """Everything the runner needs to capture one type of resource.

    Attributes:
        service: address prefix and folder, e.g. ``"cloudfront"``.
        type: folder under the service, e.g. ``"distribution"``.
        scope: ``"global"`` types are captured once per account, ``"regional"`` per region.
        client: boto3 service name for the list and detail calls.
        list: the list call (``result`` names the items); or ``enumerate`` for custom listing.
        locate: for a regional type listed account-wide (S3's ListBuckets): every resource of
            the account with its region, from one listing. Planning calls it once per account,
            makes a unit for each region that holds one (when regions are not configured), hands
            each unit its resources (no ``list``/``enumerate`` then), and records the ones
            outside the planned regions as seen, not captured. ``enumerate`` stays the fallback
            for a unit planned without it.
        item_key: for list calls that return bare names, the field each name becomes.
        id: the resource's id (its file or folder name, and its address).
        details: further reads. Declared calls run concurrently and see only the listed
            fields; ``fetch`` functions run after them, in order, and see everything.
        transform: pure function from the raw resource to the stored document.
        volatile: field paths removed before storing (timestamps, ETags, counters).
        status: field paths of lifecycle states the service changes by itself (a certificate's
            ``Status``, a table's ``TableStatus``). They are kept, but moved out of the
            configuration into the document's top-level ``"status"`` section, in the same nested
            shape (lists keep their positions, ``null`` where an item has none):
            ``Certificate.DomainValidationOptions.*.ValidationStatus`` is stored as
            ``{"status": {"Certificate": {"DomainValidationOptions": [{"ValidationStatus": ...}]}}}``.
            ``diff``, ``drift``, ``parity`` and ``restore`` ignore that section unless asked
            (``--status``); ``git log -p`` shows it. A path must end at a mapping key, may use
            ``*`` and ``**``, and is applied after ``volatile``, so a volatile field inside a
            status value is dropped first. A whole list named here should be sorted by
            ``transform``: ``unordered`` sorts the configuration, with the status riding along.
            Data the user configured is never status, even when its API name says "Status"
            (``PointInTimeRecoveryStatus``, ``TimeToLiveStatus``).
        secrets: field paths whose values are replaced by keyed fingerprints.
        public: field paths known to hold no secret (an access key *id*): not scanned.
        unordered: field paths of lists whose order carries no meaning (sorted).
        ordered: field paths of lists whose order has meaning (CloudFront cache behaviours,
            Lambda layers): compared by position in diff, drift, parity and restore, never
            matched up by name, so reversing one is a change.
        schema: name of the JSON Schema in ``schemas/`` the document must match.
        primary: the service's main type: its address omits the type (``s3/NAME``).
        document: file name inside the resource's folder; ``None`` stores ``<id>.json``.
        folder: the folder between the unit and the id; ``None`` means ``type``, ``""`` none
            (``local/<name>/`` and ``gas/<project>/`` rather than ``local/path/<name>/``).
        extras: optional I/O after the document (bodies, code, extracted sources).
        keep_names: a Config attribute naming secret fields the user allows in clear.
        permissions: the IAM actions a read-only capture of this type needs.
        file_diffs: how ``diff`` compares a file beside the document, by its name
            (``items.jsonl``: item by item); other files are compared whole (text diff on request).
        restore: how ``restore`` creates, updates and deletes it (:class:`Restorer`), or why it
            cannot (:class:`NotRestorable`). Every registered type declares one (a test fails
            otherwise); ``None`` is only for a type still being written.
    """

    service: str
    type: str
    scope: Literal["global", "regional"]
    client: str
    id: Callable[[Raw], str]
    schema: str
    list: Call | None = None
    enumerate: Callable[[UnitContext], Iterable[Raw]] | None = None
    locate: Callable[[LocateContext], Iterable[Located]] | None = None
    item_key: str | None = None
    details: tuple[Detail, ...] = ()
    transform: Callable[[Raw], Raw] = lambda raw: raw
    volatile: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    public: tuple[str, ...] = ()
    unordered: tuple[str, ...] = ()
    ordered: tuple[str, ...] = ()
    primary: bool = True
    document: str | None = None
    folder: str | None = None
    extras: Callable[[UnitContext, Raw, Raw, str], Extras] | None = None
    keep_names: str | None = None
    permissions: tuple[str, ...] = ()
    restore: Restorer | NotRestorable | None = None
    file_diffs: Mapping[str, FileDiff] = field(default_factory=dict, compare=False)  # a dict: not hashed

    def address(self, rid: str) -> str:
        return f"{self.service}/{rid}" if self.primary else f"{self.service}/{self.type}/{rid}"
