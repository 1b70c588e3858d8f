"""Every registered type, round-tripped on the local AWS: the disaster restore exists for.

For each type (``tests/examples/<service>.py``): seed one resource on the moto server, capture
it, do the example's damage (by default, delete it live), plan and apply a restore of that
service, capture again, and compare: the type's resources must be exactly as first captured.
A type declared :class:`~gitsnap.collectors.spec.NotRestorable` must say so in the plan
(``cannot-restore`` with its reason) instead.

These run in this process (the ``Capture`` and ``Restore`` classes the command runs, against
the moto server over HTTP), not through the ``gitsnap`` command: a subprocess per step for
every registered type would cost minutes of the suite's budget. ``test_restore.py`` drives the
command itself.
"""

from __future__ import annotations

import pytest

from gitsnap.collectors import registry
from gitsnap.collectors.spec import NotRestorable, Restorer
from gitsnap.config import load
from gitsnap.diff import diff_snapshots
from gitsnap.engine import Capture, CaptureRequest
from gitsnap.keys import fingerprinter, sealer
from gitsnap.restore.ops import Waits
from gitsnap.restore.run import Restore
from gitsnap.store import SnapshotStore
from gitsnap.store.snapshot import Snapshot
from tests.examples import ALL, Aws

pytestmark = pytest.mark.e2e

TYPES = registry.all_types()
ROUND_TRIPS = [t for t in TYPES if ALL.get((t.service, t.type)) and ALL[(t.service, t.type)].seed]


def _id(t) -> str:
    return f"{t.service}/{t.type}"


def test_every_type_declares_restore_and_a_round_trip_or_why_not():
    missing = [_id(t) for t in TYPES if t.restore is None]
    assert not missing, f"types without a restore declaration (Restorer or NotRestorable): {missing}"
    for t in TYPES:
        ex = ALL.get((t.service, t.type))
        assert ex is not None, f"{_id(t)} has no example in tests/examples/"
        assert (ex.seed is None) != (ex.no_round_trip is None), (
            f"{_id(t)}: give its example either seed (a local-AWS round trip) or no_round_trip (why not)")
        if isinstance(t.restore, NotRestorable):
            assert t.restore.reason.strip(), f"{_id(t)}: NotRestorable needs a reason users can act on"


@pytest.fixture
def inproc(gitsnap, monkeypatch):
    """The repository of the ``gitsnap`` fixture, with its environment set in this process."""
    for k, v in gitsnap.env.items():
        monkeypatch.setenv(k, v)
    store = SnapshotStore(gitsnap.repo)
    return store, load(gitsnap.repo / "gitsnap.toml")


def _capture(store, config, service: str, message: str) -> str:
    result = Capture(store, config, fingerprinter(store)).run(
        CaptureRequest(message=message, only=(service,), force=True), sealer(store, config))
    assert not result.failed, [r.error for r in result.failed]
    return store.resolve("HEAD")


def _of_type(snap: Snapshot, t) -> dict[str, dict]:
    return {a: i for a, i in snap.resources.items() if (i["service"], i["type"]) == (t.service, t.type)}


@pytest.mark.parametrize("spec", ROUND_TRIPS, ids=_id)
def test_a_damaged_resource_is_restored_as_captured(spec, inproc, endpoint):
    store, config = inproc
    example = ALL[(spec.service, spec.type)]
    aws = Aws(endpoint)
    example.seed(aws)
    before = _capture(store, config, spec.service, "seeded")
    captured = _of_type(Snapshot.load(store, before), spec)
    assert captured, f"the seed made no {_id(spec)} that a capture records"

    (example.damage or _delete_all(spec))(aws)
    r = Restore(store, config, fingerprinter(store), before, only=(spec.service,))
    r.waits = Waits(delay=0)
    plan = r.plan()
    touched = {op.address for op in plan.operations}
    assert touched & set(captured), f"the plan does nothing for the damaged {_id(spec)}:\n{plan.text()}"
    if isinstance(spec.restore, NotRestorable):
        assert any(op.verb == "cannot-restore" and spec.restore.reason in op.detail for op in plan.operations)
        return
    assert isinstance(spec.restore, Restorer)
    refused = [op for op in plan.operations if op.verb in ("cannot-restore", "needs-identity")]
    assert not refused, plan.text()
    r.apply(plan)
    assert not r.verify().actions, "after applying, a second plan still has work to do"

    after = _capture(store, config, spec.service, "restored")
    changes = [c for c in diff_snapshots(Snapshot.load(store, before), Snapshot.load(store, after),
                                         only=(spec.service,)) if c.address in captured]
    assert not changes, "\n".join(f"{c.address} {c.kind} {c.path}: {c.old!r} -> {c.new!r}" for c in changes)


def _delete_all(spec):
    def damage(_aws: Aws) -> None:
        raise AssertionError(f"{_id(spec)}: its example needs a damage function (delete the seeded resource)")
    return damage
