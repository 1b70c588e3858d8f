"""SES as code: identities (with their feedback, MAIL FROM, DKIM and configuration set), and
configuration sets with their event destinations; the sending quota is AWS's (built in)."""

from __future__ import annotations

from typing import Any

from gitsnap.iac import cloudformation
from gitsnap.iac.model import Link
from gitsnap.iac.run import build
from tests.iac_examples import cfn_lint_errors, emitted, example_resource

TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-bounces"


def identity(name: str = "sailjada.com", **v2: Any) -> dict[str, Any]:
    return {
        "Identity": name,
        "Verification": {name: {"VerificationStatus": "Success", "VerificationToken": "tok"}},
        "Dkim": {name: {"DkimEnabled": True, "DkimVerificationStatus": "Success", "DkimTokens": ["a", "b", "c"]}},
        "Notifications": {name: {"ForwardingEnabled": False, "BounceTopic": TOPIC,
                                 "HeadersInBounceNotificationsEnabled": True}},
        "MailFrom": {name: {"MailFromDomain": f"mail.{name}", "BehaviorOnMXFailure": "RejectMessage",
                            "MailFromDomainStatus": "Success"}},
        "V2": {"IdentityType": "DOMAIN", "FeedbackForwardingStatus": False, "VerifiedForSendingStatus": True,
               "DkimAttributes": {"SigningEnabled": True, "Status": "SUCCESS", "Tokens": ["a", "b", "c"],
                                  "SigningAttributesOrigin": "AWS_SES", "NextSigningKeyLength": "RSA_2048_BIT"},
               "MailFromAttributes": {"MailFromDomain": f"mail.{name}", "BehaviorOnMxFailure": "REJECT_MESSAGE",
                                      "MailFromDomainStatus": "SUCCESS"},
               "Policies": {}, "Tags": [{"Key": "site", "Value": "jada"}], "ConfigurationSetName": "jada-transactional",
               "VerificationStatus": "SUCCESS", **v2},
    }


CONFIG_SET = {"Name": "jada-transactional", "Set": {
    "ConfigurationSet": {"Name": "jada-transactional"},
    "EventDestinations": [{"Name": "bounces", "Enabled": True, "MatchingEventTypes": ["bounce", "renderingFailure"],
                           "SNSDestination": {"TopicARN": TOPIC}},
                          {"Name": "metrics", "Enabled": True, "MatchingEventTypes": ["send"],
                           "CloudWatchDestination": {"DimensionConfigurations": [
                               {"DimensionName": "campaign", "DimensionValueSource": "messageTag",
                                "DefaultDimensionValue": "none"}]}}],
    "TrackingOptions": {"CustomRedirectDomain": "click.sailjada.com"},
    "DeliveryOptions": {"TlsPolicy": "REQUIRE"},
    "ReputationOptions": {"SendingEnabled": True, "ReputationMetricsEnabled": True, "LastFreshStart": "2026-01-01"}}}


def test_a_domain_identity_and_what_cloudformation_cannot_say() -> None:
    e = emitted("ses", "identity", raw=identity())
    (res,) = e.out.cfn
    assert (res.type, res.identifier) == ("AWS::SES::EmailIdentity", {"EmailIdentity": "sailjada.com"})
    assert res.properties == {
        "EmailIdentity": "sailjada.com", "DkimAttributes": {"SigningEnabled": True},
        "DkimSigningAttributes": {"NextSigningKeyLength": "RSA_2048_BIT"},
        "FeedbackAttributes": {"EmailForwardingEnabled": False},
        "MailFromAttributes": {"MailFromDomain": "mail.sailjada.com", "BehaviorOnMxFailure": "REJECT_MESSAGE"},
        "ConfigurationSetAttributes": {"ConfigurationSetName": Link(
            "ses/configuration-set/jada-transactional", None, "jada-transactional",
            tf_attr="configuration_set_name")},
        "Tags": [{"Key": "site", "Value": "jada"}]}
    # tokens are SES's (new ones on a new identity); the bounce topic has no property: listed
    assert [path for path, _ in e.unused] == ["Notifications"]


def test_an_identity_in_terraform_is_the_identity_and_its_attribute_resources() -> None:
    e = emitted("ses", "identity", "terraform", raw=identity())
    assert [(b.type, b.import_id) for b in e.out.tf] == [
        ("aws_sesv2_email_identity", "sailjada.com"),
        ("aws_sesv2_email_identity_feedback_attributes", "sailjada.com"),
        ("aws_sesv2_email_identity_mail_from_attributes", "sailjada.com"),
        ("aws_ses_identity_notification_topic", "sailjada.com|Bounce")]
    topic = e.out.tf[3].body
    assert (topic["topic_arn"], topic["include_original_headers"]) == (TOPIC, True)
    assert e.out.tf[2].body["behavior_on_mx_failure"] == "REJECT_MESSAGE"
    assert e.unused == []


def test_an_email_address_identity_has_no_dkim() -> None:
    (res,) = emitted("ses", "identity", raw=identity("bookings@sailjada.com")).out.cfn
    assert "DkimAttributes" not in res.properties and "DkimSigningAttributes" not in res.properties


def test_a_configuration_set_with_its_destinations() -> None:
    e = emitted("ses", "configuration-set", raw=CONFIG_SET)
    cs, bounces, metrics = e.out.cfn
    assert cs.properties == {"Name": "jada-transactional", "TrackingOptions": {"CustomRedirectDomain": "click.sailjada.com"},
                             "DeliveryOptions": {"TlsPolicy": "REQUIRE"},
                             "ReputationOptions": {"ReputationMetricsEnabled": True},
                             "SendingOptions": {"SendingEnabled": True}}
    assert bounces.type == "AWS::SES::ConfigurationSetEventDestination"
    assert bounces.properties["ConfigurationSetName"] == Link("ses/configuration-set/jada-transactional", None,
                                                              "jada-transactional")
    assert bounces.properties["EventDestination"]["SnsDestination"] == {"TopicARN": TOPIC}
    assert metrics.properties["EventDestination"]["CloudWatchDestination"]["DimensionConfigurations"][0][
        "DimensionValueSource"] == "messageTag"
    assert e.unused == []
    ident = emitted("ses", "identity", raw=identity())
    text = cloudformation.render([e, ident], "r" * 40).files[
        "cloudformation/123456789012/us-east-1/template.yaml"].decode()
    assert "ConfigurationSetName: !Ref JadaTransactionalConfigurationSet" in text
    assert cfn_lint_errors(text) == []


def test_a_configuration_set_in_terraform_speaks_sesv2() -> None:
    e = emitted("ses", "configuration-set", "terraform", raw=CONFIG_SET)
    cs, bounces, metrics = e.out.tf
    assert (cs.type, cs.import_id) == ("aws_sesv2_configuration_set", "jada-transactional")
    assert bounces.import_id == "jada-transactional|bounces"
    dest = bounces.body["event_destination"].body
    assert dest["matching_event_types"] == ["BOUNCE", "RENDERING_FAILURE"]
    dim = metrics.body["event_destination"].body["cloud_watch_destination"].body["dimension_configuration"][0]
    assert dim.body["dimension_value_source"] == "MESSAGE_TAG"


def test_the_sending_quota_is_built_in() -> None:
    for fmt in ("cloudformation", "terraform"):
        verdict, why = build(example_resource("ses", "account"), fmt)
        assert verdict == "built in" and "quota" in why
