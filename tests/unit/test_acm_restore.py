"""ACM restore, planned by the one runner (``plan_address``) and applied against botocore's
Stubber (moto has no UpdateCertificateOptions). A deleted certificate is not recreated: the
plan says why and gives the request command. Only names old main also had are imported, so on
old main these fail on the behaviour (ACM was "not restorable yet")."""

from __future__ import annotations

import dataclasses
import json

import botocore.session
import pytest
from botocore.stub import Stubber

from gitsnap.restore.ops import RestoreContext
from gitsnap.restore.reveal import Revealer
from gitsnap.restore.run import plan_address
from gitsnap.store import SnapshotStore

try:
    from gitsnap.store.snapshot import Snapshot
except ImportError:  # old main kept the read model in diff.py
    from gitsnap.diff import Snapshot  # type: ignore[no-redef]

ACCOUNT = "123456789012"
ARN = f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/abcd-1234"
CERT = "acm/abcd-1234"


class Stubs:
    def __init__(self) -> None:
        self.acm = botocore.session.get_session().create_client("acm", region_name="us-east-1",
                                                               aws_access_key_id="x", aws_secret_access_key="y")
        self.stub = Stubber(self.acm)

    def client(self, service, account=None, region=None):
        return self.acm

    def reaches(self, account):
        return True

    def known(self):
        return [ACCOUNT]


@pytest.fixture
def store(tmp_path):
    return SnapshotStore.init(tmp_path / "r")


def plan(store, want: dict | None, have: dict | None, stubs: Stubs, delete=False):
    def snap(doc):
        if doc is None:
            return Snapshot.in_memory(store, {}, {})
        path = f"aws/{ACCOUNT}/us-east-1/acm/certificate/abcd-1234.json"
        return Snapshot.in_memory(store, {path: json.dumps(doc, sort_keys=True).encode()}, {CERT: {
            "path": path, "service": "acm", "type": "certificate", "account": ACCOUNT, "region": "us-east-1"}})

    want_s, have_s = snap(want), snap(have)
    values = {"store": store, "snapshot": want_s, "live": have_s, "accounts": stubs, "delete": delete,
              "reveal": Revealer(want_s, None)}
    names = {f.name for f in dataclasses.fields(RestoreContext)}
    return plan_address(RestoreContext(**{k: v for k, v in values.items() if k in names}), CERT)


def cert(tags: dict | None = None, **over) -> dict:
    c = {"CertificateArn": ARN, "DomainName": "sailjada.com", "SubjectAlternativeNames": ["sailjada.com",
                                                                                        "www.sailjada.com"],
         "Type": "AMAZON_ISSUED", "KeyAlgorithm": "RSA_2048",
         "DomainValidationOptions": [{"DomainName": "sailjada.com", "ValidationMethod": "DNS"}],
         "Options": {"CertificateTransparencyLoggingPreference": "ENABLED"}}
    c.update(over)
    return {"Certificate": c, "Tags": tags if tags is not None else {"site": "sailjada"}}


def test_a_deleted_certificate_is_not_recreated_and_the_plan_says_how_to_replace_it(store):
    ops = plan(store, cert(), None, Stubs())
    assert [(op.verb, op.run) for op in ops] == [("cannot-restore", None)]
    assert "private key never left ACM" in ops[0].detail
    assert ("aws acm request-certificate --domain-name sailjada.com --subject-alternative-names www.sailjada.com "
            "--validation-method DNS") in ops[0].detail
    assert "new ARN" in ops[0].detail
    imported = plan(store, cert(Type="IMPORTED"), None, Stubs())
    assert "aws acm import-certificate" in imported[0].detail


def test_tags_and_the_transparency_preference_are_set_back_and_what_issuance_fixed_is_said(store):
    have = cert(tags={"site": "edited", "extra": "1"}, SubjectAlternativeNames=["sailjada.com"],
                Options={"CertificateTransparencyLoggingPreference": "DISABLED"})
    stubs = Stubs()
    ops = plan(store, cert(), have, stubs)
    got = {(op.verb, op.target) for op in ops}
    assert {("update", "Tags"), ("kept", "Tags extra"),
            ("update", "Certificate.Options.CertificateTransparencyLoggingPreference")} <= got
    assert any(op.verb == "cannot-restore" and op.target.startswith("Certificate.SubjectAlternativeNames")
               and "fixed when the certificate was issued" in op.detail for op in ops)
    stubs.stub.add_response("add_tags_to_certificate", {}, {"CertificateArn": ARN,
                                                            "Tags": [{"Key": "site", "Value": "sailjada"}]})
    stubs.stub.add_response("update_certificate_options", {}, {"CertificateArn": ARN, "Options": {
        "CertificateTransparencyLoggingPreference": "ENABLED"}})
    with stubs.stub:
        for op in ops:
            if op.run:
                op.run()
    stubs.stub.assert_no_pending_responses()


def test_a_certificate_requested_since_is_deleted_only_with_delete(store):
    assert plan(store, None, cert(), Stubs())[0].verb == "kept"
    stubs = Stubs()
    ops = plan(store, None, cert(), stubs, delete=True)
    assert [op.verb for op in ops] == ["delete"] and "refuses while something uses it" in ops[0].detail
    stubs.stub.add_response("delete_certificate", {}, {"CertificateArn": ARN})
    with stubs.stub:
        ops[0].run()
