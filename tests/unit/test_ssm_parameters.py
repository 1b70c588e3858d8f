"""SSM parameters: SecureString values fingerprinted and sealed (or, with ``decrypt = false``,
never read), and restore's PutParameter: a sealed value is opened only when it changed; an
unchanged one is read back from live. botocore's Stubber stands in for SSM where a test needs to
see the exact requests (moto answers policies as Python reprs, and cannot refuse a tier
downgrade)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import botocore.session
import pytest
from botocore.stub import Stubber

from gitsnap.canonical import dumps, plain
from gitsnap.collectors import run
from gitsnap.collectors.aws.ssm import PARAMETER, parameter_id, plan_create, plan_update, put_params
from gitsnap.collectors.restoring import RestoreContext, Unrestorable
from gitsnap.collectors.run import Collected
from gitsnap.collectors.spec import Extras
from gitsnap.config import Config
from gitsnap.engine import finish_document, make_guard
from gitsnap.restore.reveal import Revealer
from gitsnap.secrets.fingerprint import Fingerprinter, is_redacted
from gitsnap.store import SnapshotStore
from gitsnap.store.snapshot import Snapshot
from tests.examples.ssm import RAW
from tests.memory import context as unit_context

ACCOUNT = "111111111111"
FP = Fingerprinter(b"k" * 32)


def finish(raw: dict, config: Config | None = None) -> tuple[dict, dict]:
    config = config or Config(path=None)
    doc = plain(PARAMETER.transform(raw))
    return finish_document(Collected(PARAMETER, "x", doc, Extras()), config, make_guard(config, FP), "ssm/x")


def ssm_stub():
    client = botocore.session.get_session().create_client(
        "ssm", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    return client, Stubber(client)


def test_addresses_drop_only_a_hierarchys_leading_slash():
    assert parameter_id("/jada/prod/db") == "jada/prod/db"
    assert parameter_id("/flat") == "/flat" and parameter_id("flat") == "flat"


def test_a_securestring_value_is_a_fingerprint_and_is_sealed():
    doc, to_seal = finish(RAW)
    assert is_redacted(doc["SecureValue"]) and "Value" not in doc
    assert list(to_seal.values()) == ["topsecret-hunter2-9f8e7d"]
    assert doc["Policies"] == [{"PolicyType": "Expiration", "PolicyText": {
        "Type": "Expiration", "Version": "1.0", "Attributes": {"Timestamp": "2030-01-01T00:00:00.000Z"}}}]
    assert doc["status"] == {"Policies": [{"PolicyStatus": "Pending"}]}
    assert not {"Version", "LastModifiedDate", "LastModifiedUser", "ARN"} & set(doc)  # not configuration


def test_a_string_value_is_in_clear_unless_the_detector_flags_it():
    plain_raw = {**RAW, "Name": "/a/url", "Type": "String", "WithDecryption": False,
                 "Parameter": {"Type": "String", "Value": "https://jada.example.com/"}}
    assert finish(plain_raw)[0]["Value"] == "https://jada.example.com/"
    leaky = {**plain_raw, "Parameter": {"Type": "String", "Value": "postgres://app:Zq8vNw3rT5yLp2@db.internal/jada"}}
    doc, to_seal = finish(leaky)
    assert "Zq8vNw3rT5yLp2" not in dumps(doc).decode() and to_seal


def test_without_decryption_only_a_fingerprint_of_the_encrypted_value_is_kept():
    client, stub = ssm_stub()
    listed = {"Name": "/a/key", "Type": "SecureString", "KeyId": "alias/aws/ssm", "Tier": "Standard", "DataType": "text"}
    stub.add_response("describe_parameters", {"Parameters": [listed]}, {})
    stub.add_response("get_parameter", {"Parameter": {"Name": "/a/key", "Type": "SecureString", "Value": "AQICAHh-cipher"}},
                      {"Name": "/a/key", "WithDecryption": False})
    stub.add_response("list_tags_for_resource", {"TagList": []}, {"ResourceType": "Parameter", "ResourceId": "/a/key"})
    ctx = unit_context({"ssm": client})
    ctx = dataclasses.replace(ctx, config=dataclasses.replace(ctx.config, ssm_decrypt=False))
    with stub:
        (got,) = run.collect(ctx, PARAMETER)
    assert got.document["EncryptedValue"] == FP("AQICAHh-cipher") and "SecureValue" not in got.document
    doc, to_seal = finish_document(got, ctx.config, make_guard(ctx.config, FP), "ssm/a/key")
    assert to_seal == {}  # nothing to seal: the value was never read


# -- restore -----------------------------------------------------------------------------------

class Accounts:
    def __init__(self, reveal: Revealer) -> None:
        self.client_, self.stub = ssm_stub()
        reveal.install(self.client_)

    def client(self, _service, _account=None, _region=None):
        return self.client_


def side(store, doc: dict | None) -> Snapshot:
    path = f"aws/{ACCOUNT}/us-east-1/ssm/parameter/a%2Fkey.json"
    if doc is None:
        return Snapshot.in_memory(store, {}, {})
    return Snapshot.in_memory(store, {path: dumps(doc)}, {"ssm/a/key": {
        "path": path, "service": "ssm", "type": "parameter", "account": ACCOUNT, "region": "us-east-1"}})


def doc(**fields) -> dict:
    return {"Name": "/a/key", "Type": "SecureString", "KeyId": "alias/aws/ssm", "Tier": "Standard",
            "DataType": "text", "Policies": [], "Tags": {}, "SecureValue": FP("old-value"), **fields}


@pytest.fixture
def ctx_for(tmp_path: Path):
    store = SnapshotStore.init(tmp_path / "r")

    def make(want: dict | None, have: dict | None) -> tuple[RestoreContext, Accounts]:
        snap = side(store, want)
        reveal = Revealer(snap, None)  # no identity on this machine
        accounts = Accounts(reveal)
        return RestoreContext(store, snap, side(store, have), accounts, reveal=reveal), accounts
    return make


def test_an_unchanged_secret_is_read_back_from_live_and_needs_no_identity(ctx_for):
    ctx, accounts = ctx_for(doc(Description="orders db"), doc())
    (op,) = plan_update(ctx, "ssm/a/key")
    assert (op.verb, op.target) == ("update", "parameter") and "Description" in op.detail
    accounts.stub.add_response("get_parameter", {"Parameter": {"Name": "/a/key", "Value": "old-value"}},
                               {"Name": "/a/key", "WithDecryption": True})
    accounts.stub.add_response("put_parameter", {"Version": 2}, {
        "Name": "/a/key", "Type": "SecureString", "Tier": "Standard", "DataType": "text", "KeyId": "alias/aws/ssm",
        "Description": "orders db", "Value": "old-value", "Overwrite": True})
    with accounts.stub:
        op.run()
    accounts.stub.assert_no_pending_responses()


def test_a_changed_secret_without_the_identity_is_planned_as_needs_identity(ctx_for):
    ctx, _ = ctx_for(doc(), doc(SecureValue=FP("rotated")))
    assert [(op.verb, op.target, op.run) for op in plan_update(ctx, "ssm/a/key")] == [
        ("needs-identity", "SecureValue", None)]
    ctx, _ = ctx_for(doc(), None)
    assert [op.verb for op in plan_create(ctx, "ssm/a/key")] == ["needs-identity"]


def test_a_value_never_read_cannot_be_restored(ctx_for):
    unread = doc(EncryptedValue=FP("cipher"))
    del unread["SecureValue"]
    ctx, _ = ctx_for(unread, None)
    with pytest.raises(Unrestorable) as why:
        plan_create(ctx, "ssm/a/key")
    assert why.value.op.verb == "cannot-restore" and "decrypt = false" in why.value.op.detail


def test_an_advanced_parameter_is_not_downgraded_and_the_plan_says_so(ctx_for):
    ctx, _ = ctx_for(doc(Description="x"), doc(Tier="Advanced"))
    ops = plan_update(ctx, "ssm/a/key")
    assert [(op.verb, op.target) for op in ops] == [("cannot-restore", "Tier"), ("update", "parameter")]


def test_policies_are_sent_as_the_json_array_putparameter_takes():
    policy = {"Type": "Expiration", "Version": "1.0", "Attributes": {"Timestamp": "2030-01-01T00:00:00.000Z"}}
    params = put_params(doc(Policies=[{"PolicyType": "Expiration", "PolicyText": policy}]))
    assert params["Policies"] == '[{"Type": "Expiration", "Version": "1.0", "Attributes": {"Timestamp": "2030-01-01T00:00:00.000Z"}}]'


def test_tags_are_added_and_removed(ctx_for):
    ctx, accounts = ctx_for(doc(Tags={"env": "prod"}), doc(Tags={"env": "dev", "tmp": "1"}))
    (op,) = plan_update(ctx, "ssm/a/key")
    accounts.stub.add_response("add_tags_to_resource", {}, {"ResourceType": "Parameter", "ResourceId": "/a/key",
                                                            "Tags": [{"Key": "env", "Value": "prod"}]})
    accounts.stub.add_response("remove_tags_from_resource", {}, {"ResourceType": "Parameter", "ResourceId": "/a/key",
                                                                 "TagKeys": ["tmp"]})
    with accounts.stub:
        op.run()
    accounts.stub.assert_no_pending_responses()
