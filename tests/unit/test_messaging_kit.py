"""What the EventBridge and messaging restore tests share (no tests of its own): documents as a
capture makes them, both sides of a plan in memory, and real botocore clients under Stubbers."""

from __future__ import annotations

import json
from typing import Any

import botocore.session
from botocore.stub import Stubber

from gitsnap.canonical import plain
from gitsnap.collectors.restoring import Operation, RestoreContext, Waits
from gitsnap.collectors.run import Collected
from gitsnap.collectors.spec import Extras, ResourceType
from gitsnap.config import Config
from gitsnap.engine import finish_document, make_guard
from gitsnap.restore.reveal import Revealer
from gitsnap.secrets.fingerprint import Fingerprinter
from gitsnap.store import SnapshotStore
from gitsnap.store.snapshot import Snapshot

ACCOUNT = "123456789012"
REGION = "us-east-1"


def document(spec: ResourceType, raw: dict[str, Any]) -> dict[str, Any]:
    """The document a capture stores for *raw* (transformed, volatile fields dropped, status split)."""
    config = Config(path=None)
    doc, _ = finish_document(Collected(spec, spec.id(raw), plain(spec.transform(raw)), Extras()), config,
                             make_guard(config, Fingerprinter(b"k" * 32)), spec.address(spec.id(raw)))
    return doc


def kind_of(address: str) -> tuple[str, str]:
    service, rest = address.split("/", 1)
    primary = {"sns": "topic", "sqs": "queue", "logs": "group"}
    return (service, primary[service]) if service in primary else (service, rest.split("/", 1)[0])


def snapshot(store: SnapshotStore, docs: dict[str, dict[str, Any]]) -> Snapshot:
    """An in-memory snapshot holding *docs* (address -> document), in this account and region."""
    files, resources = {}, {}
    for i, (address, doc) in enumerate(sorted(docs.items())):
        service, type_ = kind_of(address)
        path = f"aws/{ACCOUNT}/{REGION}/{service}/{type_}/{i}.json"
        files[path] = json.dumps(doc).encode()
        resources[address] = {"path": path, "service": service, "type": type_, "account": ACCOUNT, "region": REGION}
    return Snapshot.in_memory(store, files, resources)


SESSION = botocore.session.get_session()  # one session: its loaded models are reused by every client


class StubAccounts:
    """Real botocore clients under Stubbers, one per service, as the accounts registry gives them."""

    def __init__(self, *services: str) -> None:
        self.clients = {s: SESSION.create_client(s, region_name=REGION, aws_access_key_id="x",
                                                 aws_secret_access_key="y") for s in services}
        self.stubs = {s: Stubber(c) for s, c in self.clients.items()}

    def client(self, service: str, account: str | None = None, region: str | None = None) -> Any:
        return self.clients[service]

    def reaches(self, account: str) -> bool:
        return account == ACCOUNT

    def known(self) -> list[str]:
        return [ACCOUNT]


def context(store: SnapshotStore, want: dict[str, dict[str, Any]], have: dict[str, dict[str, Any]],
            accounts: StubAccounts, delete: bool = False, sleeps: list[float] | None = None) -> RestoreContext:
    """A plan's context: the snapshot holds *want*, live holds *have*; waits record, never sleep."""
    snap = snapshot(store, want)
    waits = Waits(delay=5, attempts=3, sleep=(sleeps if sleeps is not None else []).append)
    return RestoreContext(store, snap, snapshot(store, have), accounts, delete=delete, reveal=Revealer(snap, None),
                          waits=waits)


def apply(stub: Stubber, ops: list[Operation]) -> None:
    """Run the plan's writes in order, as the runner does; every expected call must be made."""
    with stub:
        for op in ops:
            if op.run is not None:
                op.run()
    stub.assert_no_pending_responses()
