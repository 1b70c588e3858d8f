"""Apps Script restore beyond files, planned by the one runner (``plan_address``): deployments
and versions against the local fake of the API (gitsnap.sandbox.gas, a fake of the real API's
shapes and rules), the ``.clasp.json`` a capture writes, and what the local types say instead
of a plan (they live here, beside the other non-AWS provider). Only names old main also had are
imported, so on old main these fail on the behaviour, not on an import."""

from __future__ import annotations

import dataclasses
import json
from types import SimpleNamespace

import pytest

from gitsnap.collectors.gas.projects import source_files
from gitsnap.restore.ops import RestoreContext
from gitsnap.restore.reveal import Revealer
from gitsnap.restore.run import plan_address
from gitsnap.sandbox.gas import FakeAppsScript, seed
from gitsnap.store import SnapshotStore

try:
    from gitsnap.store.snapshot import Snapshot
except ImportError:  # old main kept the read model in diff.py
    from gitsnap.diff import Snapshot  # type: ignore[no-redef]

PROJECT = "gas/jada-main"
SID = "1JadaMainScriptId"


@pytest.fixture
def store(tmp_path):
    return SnapshotStore.init(tmp_path / "r")


@pytest.fixture
def fake():
    f = FakeAppsScript()
    url = f.start()
    seed(f)
    yield f, url
    f.stop()


def plan(store, docs: tuple[dict | None, dict | None], address: str, config=None, delete=False, typ="project"):
    def snap(doc):
        if doc is None:
            return Snapshot.in_memory(store, {}, {})
        service, name = address.split("/", 1)
        path = f"{service}/{name}"
        return Snapshot.in_memory(store, {f"{path}/doc.json": json.dumps(doc, sort_keys=True).encode()}, {
            address: {"path": path, "service": service, "type": typ, "account": None, "region": None}})

    want_s, have_s = snap(docs[0]), snap(docs[1])
    values = {"store": store, "snapshot": want_s, "live": have_s, "accounts": None, "delete": delete,
              "config": config, "reveal": Revealer(want_s, None)}
    names = {f.name for f in dataclasses.fields(RestoreContext)}
    return plan_address(RestoreContext(**{k: v for k, v in values.items() if k in names}), address)


def project(deployments: list[dict], versions: list[int]) -> dict:
    return {"Name": "jada-main", "ScriptId": SID, "Title": "JADA Main Project", "Files": [],
            "Versions": [{"versionNumber": n, "description": f"v{n}"} for n in versions],
            "Deployments": deployments}


def deployment(version: int | None, description: str = "web app", dep_id: str = "AKfy-1JadaM") -> dict:
    config = {"scriptId": SID, "manifestFileName": "appsscript", "description": description}
    if version is not None:
        config["versionNumber"] = version
    return {"deploymentId": dep_id, "deploymentConfig": config}


def test_a_deployment_moved_by_hand_goes_back_to_its_version(store, fake):
    f, url = fake
    f.projects[SID]["deployments"][0]["deploymentConfig"].update(versionNumber=1, description="edited")
    config = SimpleNamespace(raw={"gas": {"api_endpoint": url}})
    ops = plan(store, (project([deployment(3)], [1, 2, 3]), project([deployment(1, "edited")], [1, 2, 3])),
               PROJECT, config)
    assert [(op.verb, op.target) for op in ops] == [("update", "Deployments.AKfy-1JadaM")]
    assert "versionNumber 1 -> 3" in ops[0].detail
    ops[0].run()
    assert f.projects[SID]["deployments"][0]["deploymentConfig"] == {
        "scriptId": SID, "versionNumber": 3, "manifestFileName": "appsscript", "description": "web app"}
    assert "PUT /v1/projects/1JadaMainScriptId/deployments/AKfy-1JadaM" in f.requests


def test_versions_are_immutable_and_the_head_deployment_follows_the_files(store):
    want = project([deployment(None, "")], [1, 2])
    have = project([deployment(None, "changed")], [1, 3])
    got = {(op.verb, op.target): op.detail for op in plan(store, (want, have), PROJECT)}
    assert "cannot be changed" in got[("cannot-restore", "Deployments.AKfy-1JadaM")]
    assert "cannot be made again under its number" in got[("cannot-restore", "Versions.2")]
    assert ("kept", "Versions.3") in got
    with_delete = {(op.verb, op.target) for op in plan(store, (want, have), PROJECT, delete=True)}
    assert ("cannot-restore", "Versions.3") in with_delete  # no API deletes a version


def test_the_source_folder_carries_a_clasp_json_naming_the_script():
    raw = {"name": "jada-main", "script_id": SID,
           "Content": [{"name": "Code", "type": "SERVER_JS", "source": "function f() {}\n"},
                       {"name": "appsscript", "type": "JSON", "source": "{}"}]}
    files = source_files(None, raw, {}, "jada-main").files
    assert json.loads(files["source/.clasp.json"]) == {"scriptId": SID}
    assert set(files) == {"source/Code.gs", "source/appsscript.json", "source/.clasp.json"}


def test_local_types_say_how_they_are_restored(store):
    """A local path is restored with --to, not by a plan; an env file's values were never kept."""
    doc = {"Name": "site", "Path": "/srv/site", "Include": [], "Exclude": []}
    ops = plan(store, (doc, {**doc, "Files": 3}), "local/site", typ="path")
    assert [op.verb for op in ops] == ["cannot-restore"] and "--to DIR" in ops[0].detail
    env = {"Path": "/srv/site/.env", "Variables": [{"name": "STRIPE_KEY", "set": True}]}
    ops = plan(store, (env, {**env, "Variables": []}), "local/env/site-env", typ="env")
    assert [op.verb for op in ops] == ["cannot-restore"] and "never their values" in ops[0].detail
