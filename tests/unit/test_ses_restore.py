"""SES restore, planned by the one runner (``plan_address``) and applied against botocore's
Stubber, which checks every request against the service model and answers in order.

The Stubber shows what the local endpoint cannot: moto has no SetIdentityDkimEnabled nor
identity policies, reports no notification topics, and keeps an event destination's name after
its configuration set is deleted (so a recreated set could not get it back). The round trips
on the local endpoint are in tests/e2e/test_registry_restore.py. Only names old main also had
are imported, so on old main these fail on the behaviour (SES was "not restorable yet").
"""

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
DOMAIN = "ses/sailjada.com"
TOPIC = "arn:aws:sns:us-east-1:123456789012:jada-bounces"


class Stubs:
    def __init__(self) -> None:
        session = botocore.session.get_session()
        self.clients = {s: session.create_client(s, region_name="us-east-1", aws_access_key_id="x",
                                                 aws_secret_access_key="y") for s in ("ses", "sesv2")}
        self.stubs = {s: Stubber(c) for s, c in self.clients.items()}

    def client(self, service, account=None, region=None):
        return self.clients[service]

    def reaches(self, account):
        return True

    def known(self):
        return [ACCOUNT]


@pytest.fixture
def store(tmp_path):
    return SnapshotStore.init(tmp_path / "r")


def snap(store, docs: dict[str, dict]) -> Snapshot:
    files, resources = {}, {}
    for address, doc in docs.items():
        parts = address.split("/")
        typ, rid = ("identity", parts[1]) if len(parts) == 2 else (parts[1], parts[2])
        path = f"aws/{ACCOUNT}/us-east-1/ses/{typ}/{rid}.json"
        files[path] = json.dumps(doc, sort_keys=True).encode()
        resources[address] = {"path": path, "service": "ses", "type": typ, "account": ACCOUNT, "region": "us-east-1"}
    return Snapshot.in_memory(store, files, resources)


def plan(store, want: dict, have: dict, stubs: Stubs, address: str, delete=False):
    want_s, have_s = snap(store, want), snap(store, have)
    values = {"store": store, "snapshot": want_s, "live": have_s, "accounts": stubs, "delete": delete,
              "reveal": Revealer(want_s, None)}
    names = {f.name for f in dataclasses.fields(RestoreContext)}
    return plan_address(RestoreContext(**{k: v for k, v in values.items() if k in names}), address)


def identity(token: str = "tok1", dkim: tuple[str, ...] = ("k1", "k2", "k3"), **over) -> dict:
    doc = {"Identity": "sailjada.com", "Verification": {"VerificationToken": token},
           "Dkim": {"DkimEnabled": True, "DkimTokens": list(dkim)},
           "Notifications": {"BounceTopic": TOPIC, "ComplaintTopic": TOPIC, "ForwardingEnabled": False,
                             "HeadersInBounceNotificationsEnabled": False,
                             "HeadersInComplaintNotificationsEnabled": False,
                             "HeadersInDeliveryNotificationsEnabled": False},
           "MailFrom": {"MailFromDomain": "mail.sailjada.com", "BehaviorOnMXFailure": "UseDefaultValue"},
           "V2": {"IdentityType": "DOMAIN", "Policies": {"senders": '{"Version": "2012-10-17"}'}, "Tags": []}}
    doc.update(over)
    return doc


def run(ops) -> None:
    for op in ops:
        if op.run:
            op.run()


def test_a_deleted_domain_identity_is_verified_again_and_given_back_its_attributes(store):
    """Verify the domain and its Easy DKIM again (the plan says which DNS records to publish),
    then topics before forwarding is turned off (SES refuses it the other way round), MAIL
    FROM, and the sending policy."""
    stubs = Stubs()
    ops = plan(store, {DOMAIN: identity()}, {}, stubs, DOMAIN)
    assert "TXT record _amazonses.sailjada.com" in ops[0].detail and "redone" in ops[0].detail
    assert "CNAME" in ops[1].detail
    ses = stubs.stubs["ses"]
    ses.add_response("verify_domain_identity", {"VerificationToken": "new"}, {"Domain": "sailjada.com"})
    ses.add_response("verify_domain_dkim", {"DkimTokens": ["a", "b", "c"]}, {"Domain": "sailjada.com"})
    for kind in ("Bounce", "Complaint"):
        ses.add_response("set_identity_notification_topic", {}, {"Identity": "sailjada.com", "NotificationType": kind,
                                                                 "SnsTopic": TOPIC})
    ses.add_response("set_identity_feedback_forwarding_enabled", {}, {"Identity": "sailjada.com",
                                                                      "ForwardingEnabled": False})
    ses.add_response("set_identity_mail_from_domain", {}, {"Identity": "sailjada.com",
                                                           "MailFromDomain": "mail.sailjada.com",
                                                           "BehaviorOnMXFailure": "UseDefaultValue"})
    ses.add_response("put_identity_policy", {}, {"Identity": "sailjada.com", "PolicyName": "senders",
                                                 "Policy": '{"Version": "2012-10-17"}'})
    with ses:
        run(ops)
    ses.assert_no_pending_responses()


def test_an_email_identity_says_the_link_must_be_followed(store):
    address = "ses/bookings@sailjada.com"
    doc = {"Identity": "bookings@sailjada.com", "Verification": {}, "Dkim": {"DkimEnabled": True},
           "Notifications": {"ForwardingEnabled": True}, "MailFrom": {"BehaviorOnMXFailure": "UseDefaultValue"}}
    ops = plan(store, {address: doc}, {}, Stubs(), address)
    assert [(op.verb, op.target) for op in ops] == [("create", address)]
    assert "verification link to bookings@sailjada.com" in ops[0].detail


def test_tokens_ses_issued_are_not_settable_and_the_records_to_publish_are_listed(store):
    have = identity(token="tok2", dkim=("n1", "n2", "n3"))
    ops = plan(store, {DOMAIN: identity()}, {DOMAIN: have}, Stubs(), DOMAIN)
    assert [(op.verb, op.target) for op in ops] == [("cannot-restore", "verification and DKIM tokens")]
    assert 'TXT _amazonses.sailjada.com "tok2"' in ops[0].detail
    assert "CNAME n1._domainkey.sailjada.com -> n1.dkim.amazonses.com" in ops[0].detail


def test_attributes_changed_by_hand_are_set_back_and_a_policy_added_since_is_kept(store):
    have = identity(Dkim={"DkimEnabled": False, "DkimTokens": ["k1", "k2", "k3"]},
                    V2={"IdentityType": "DOMAIN", "Policies": {"senders": '{"Version": "2012-10-17"}', "new": "{}"},
                        "Tags": []})
    stubs = Stubs()
    ops = plan(store, {DOMAIN: identity()}, {DOMAIN: have}, stubs, DOMAIN)
    assert {(op.verb, op.target) for op in ops} == {("update", "Dkim.DkimEnabled"), ("kept", "V2.Policies.new")}
    stubs.stubs["ses"].add_response("set_identity_dkim_enabled", {}, {"Identity": "sailjada.com", "DkimEnabled": True})
    with stubs.stubs["ses"]:
        run(ops)


SET = "ses/configuration-set/jada-transactional"


def config_set(destinations: list[dict]) -> dict:
    return {"Name": "jada-transactional", "ConfigurationSet": {"Name": "jada-transactional"},
            "EventDestinations": destinations, "ReputationOptions": {"SendingEnabled": True,
                                                                    "ReputationMetricsEnabled": True}}


def test_a_deleted_configuration_set_is_created_with_its_event_destinations(store):
    dest = {"Name": "to-sns", "Enabled": True, "MatchingEventTypes": ["bounce", "complaint"],
            "SNSDestination": {"TopicARN": TOPIC}}
    stubs = Stubs()
    ops = plan(store, {SET: config_set([dest])}, {}, stubs, SET)
    ses = stubs.stubs["ses"]
    ses.add_response("create_configuration_set", {}, {"ConfigurationSet": {"Name": "jada-transactional"}})
    ses.add_response("create_configuration_set_event_destination", {}, {
        "ConfigurationSetName": "jada-transactional", "EventDestination": dest})
    ses.add_response("update_configuration_set_reputation_metrics_enabled", {}, {
        "ConfigurationSetName": "jada-transactional", "Enabled": True})
    with ses:
        run(ops)
    ses.assert_no_pending_responses()

    changed = plan(store, {SET: config_set([dest])}, {SET: config_set([{**dest, "Enabled": False}])}, Stubs(), SET)
    assert [(op.verb, op.target) for op in changed] == [("update", "EventDestinations.to-sns")]


def test_the_sending_quota_says_it_is_aws_s(store):
    """The quota is all status (AWS moves it), so it never differs in configuration; where the
    plan meets it at all, it says no API sets it."""
    address = "ses/account/sending"
    want = {address: {"status": {"Max24HourSend": 50000.0, "MaxSendRate": 14.0}}}
    assert plan(store, want, {address: {"status": {"Max24HourSend": 200.0, "MaxSendRate": 1.0}}}, Stubs(), address) == []
    ops = plan(store, want, {}, Stubs(), address)
    assert [(op.verb, op.run) for op in ops] == [("cannot-restore", None)]
    assert "quota is AWS's" in ops[0].detail and "SES console" in ops[0].detail
