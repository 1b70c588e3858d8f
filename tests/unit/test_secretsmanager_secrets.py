"""Secrets Manager: metadata always, values only when ``[aws.secretsmanager] values`` asks (and
then sealed); restore cancels a scheduled deletion, recreates a secret only from a sealed value,
and deletes with a recovery window. Requests are checked with botocore's Stubber where moto cannot
show them (moto's RotateSecret invokes a Lambda function that would have to exist)."""

from __future__ import annotations

import base64
import dataclasses
from pathlib import Path

import boto3
import botocore.session
import pytest
from botocore.stub import Stubber
from moto import mock_aws
from pyrage import x25519

from gitsnap.canonical import dumps
from gitsnap.collectors import run
from gitsnap.collectors.aws.secretsmanager import SECRET, plan_create, plan_delete, plan_update
from gitsnap.collectors.restoring import RestoreContext, Unrestorable
from gitsnap.engine import finish_document, make_guard
from gitsnap.restore.reveal import Revealer
from gitsnap.secrets.fingerprint import Fingerprinter, is_redacted
from gitsnap.secrets.seal import Sealer, Unsealer, value_path
from gitsnap.store import SnapshotStore
from gitsnap.store.snapshot import Snapshot
from tests.memory import context as unit_context

ACCOUNT = "111111111111"
FP = Fingerprinter(b"k" * 32)


def test_values_are_read_only_for_the_secrets_named_and_then_sealed():
    with mock_aws():
        sm = boto3.client("secretsmanager", region_name="us-east-1")
        sm.create_secret(Name="prod/stripe", SecretString="sk_live_abcdefghijklmnop1234")
        sm.create_secret(Name="prod/empty", Description="no value yet")
        sm.create_secret(Name="dev/other", SecretString="not-asked-for-value")
        sm.create_secret(Name="prod/old", SecretString="x")
        sm.delete_secret(SecretId="prod/old", RecoveryWindowInDays=7)
        ctx = unit_context({"secretsmanager": sm})
        ctx = dataclasses.replace(ctx, config=dataclasses.replace(ctx.config, secretsmanager_values=("prod/*",)))
        found = {c.id: c for c in run.collect(ctx, SECRET)}
    assert set(found) == {"prod/stripe", "prod/empty", "dev/other", "prod/old"}  # scheduled deletions too
    assert found["prod/old"].document["DeletedDate"] and "SecretString" not in found["prod/old"].document
    assert "SecretString" not in found["dev/other"].document
    assert found["prod/empty"].document["NoValue"] is True
    doc, to_seal = finish_document(found["prod/stripe"], ctx.config, make_guard(ctx.config, FP), "secretsmanager/prod/stripe")
    assert is_redacted(doc["SecretString"]) and list(to_seal.values()) == ["sk_live_abcdefghijklmnop1234"]
    assert "ARN" not in doc and "CreatedDate" not in doc and "VersionIdsToStages" not in doc


# -- restore -----------------------------------------------------------------------------------

class Accounts:
    def __init__(self, reveal: Revealer) -> None:
        self.client_ = botocore.session.get_session().create_client(
            "secretsmanager", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
        reveal.install(self.client_)
        self.stub = Stubber(self.client_)

    def client(self, _service, _account=None, _region=None):
        return self.client_


def doc(**fields) -> dict:
    return {"Name": "prod/stripe", "RotationEnabled": False, "Tags": {}, "ResourcePolicy": None, "Replicas": [], **fields}


@pytest.fixture
def ctx_for(tmp_path: Path):
    store = SnapshotStore.init(tmp_path / "r")
    path = f"aws/{ACCOUNT}/us-east-1/secretsmanager/secret/prod%2Fstripe.json"

    def side(d: dict | None, sealed: dict[str, bytes]) -> Snapshot:
        if d is None:
            return Snapshot.in_memory(store, {}, {})
        return Snapshot.in_memory(store, {path: dumps(d), **sealed}, {"secretsmanager/prod/stripe": {
            "path": path, "service": "secretsmanager", "type": "secret", "account": ACCOUNT, "region": "us-east-1"}})

    def make(want, have, *, delete=False, identity=None, sealed=None):
        snap = side(want, sealed or {})
        reveal = Revealer(snap, Unsealer(identity, Path("id")) if identity else None)
        accounts = Accounts(reveal)
        return RestoreContext(store, snap, side(have, {}), accounts, delete=delete, reveal=reveal), accounts
    return make


def apply(ops, accounts) -> None:
    with accounts.stub:
        for op in ops:
            if op.run:
                op.run()
    accounts.stub.assert_no_pending_responses()


def test_a_secret_scheduled_for_deletion_is_restored_and_set_back(ctx_for):
    ctx, accounts = ctx_for(doc(Description="Stripe"), doc(DeletedDate="2030-01-01T00:00:00Z"))
    ops = plan_update(ctx, "secretsmanager/prod/stripe")
    assert [(op.verb, op.target) for op in ops] == [("update", "DeletedDate"), ("update", "Description")]
    accounts.stub.add_response("restore_secret", {}, {"SecretId": "prod/stripe"})
    accounts.stub.add_response("update_secret", {}, {"SecretId": "prod/stripe", "Description": "Stripe"})
    apply(ops, accounts)


def test_a_deleted_secret_whose_value_was_not_captured_cannot_be_recreated(ctx_for):
    ctx, _ = ctx_for(doc(), None)
    with pytest.raises(Unrestorable) as why:
        plan_create(ctx, "secretsmanager/prod/stripe")
    assert why.value.op.verb == "cannot-restore" and "cannot invent" in why.value.op.detail
    ctx, accounts = ctx_for(doc(NoValue=True), None)  # it had no value: created without one
    (op,) = plan_create(ctx, "secretsmanager/prod/stripe")
    accounts.stub.add_response("create_secret", {}, {"Name": "prod/stripe"})
    apply([op], accounts)


def test_a_sealed_value_needs_the_identity_and_is_written_opened(ctx_for):
    identity = x25519.Identity.generate()
    blob = base64.b64encode(b"\x00binary\xff").decode()
    marker = FP(blob)
    sealed = {value_path(marker[-24:]): Sealer([str(identity.to_public())]).seal_value(blob)}
    want = doc(SecretBinary=marker, Tags={"env": "prod"},
               ResourcePolicy={"Version": "2012-10-17", "Statement": []})
    ctx, _ = ctx_for(want, None, sealed=sealed)
    assert [op.verb for op in plan_create(ctx, "secretsmanager/prod/stripe")] == ["needs-identity"]
    ctx, accounts = ctx_for(want, None, identity=identity, sealed=sealed)
    ops = plan_create(ctx, "secretsmanager/prod/stripe")
    accounts.stub.add_response("create_secret", {}, {"Name": "prod/stripe", "SecretBinary": b"\x00binary\xff",
                                                     "Tags": [{"Key": "env", "Value": "prod"}]})
    accounts.stub.add_response("put_resource_policy", {}, {
        "SecretId": "prod/stripe", "ResourcePolicy": '{"Statement": [], "Version": "2012-10-17"}'})
    apply(ops, accounts)


def test_delete_keeps_a_recovery_window_never_forces(ctx_for):
    ctx, accounts = ctx_for(None, doc(), delete=True)
    (op,) = plan_delete(ctx, "secretsmanager/prod/stripe")
    accounts.stub.add_response("delete_secret", {}, {"SecretId": "prod/stripe", "RecoveryWindowInDays": 30})
    apply([op], accounts)
    ctx, _ = ctx_for(None, doc(DeletedDate="2030-01-01T00:00:00Z"), delete=True)
    assert plan_delete(ctx, "secretsmanager/prod/stripe") == []  # already scheduled


def test_rotation_is_set_without_rotating_now_and_cancelled(ctx_for):
    rotation = {"RotationEnabled": True, "RotationLambdaARN": "arn:aws:lambda:us-east-1:1:function:rotate",
                "RotationRules": {"AutomaticallyAfterDays": 30}}
    ctx, accounts = ctx_for(doc(**rotation), doc())
    (op,) = plan_update(ctx, "secretsmanager/prod/stripe")
    accounts.stub.add_response("rotate_secret", {}, {"SecretId": "prod/stripe", "RotateImmediately": False,
                                                     "RotationLambdaARN": rotation["RotationLambdaARN"],
                                                     "RotationRules": {"AutomaticallyAfterDays": 30}})
    apply([op], accounts)
    ctx, accounts = ctx_for(doc(), doc(**rotation))
    (op,) = plan_update(ctx, "secretsmanager/prod/stripe")
    accounts.stub.add_response("cancel_rotate_secret", {}, {"SecretId": "prod/stripe"})
    apply([op], accounts)


def test_a_replica_is_restored_through_its_primary(ctx_for):
    ctx, _ = ctx_for(doc(PrimaryRegion="us-west-2"), None)
    with pytest.raises(Unrestorable) as why:
        plan_create(ctx, "secretsmanager/prod/stripe")
    assert "replica of the secret in us-west-2" in why.value.op.detail
