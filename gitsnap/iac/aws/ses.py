"""SES: identities (``AWS::SES::EmailIdentity`` / ``aws_sesv2_email_identity`` and its
attribute resources), configuration sets with their event destinations, and the account's
sending quota (built in: AWS sets it, nothing creates it).

A recreated identity is verified again: SES gives it new verification and Easy DKIM tokens
(the DNS records that name them change), so the recorded tokens are not properties.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..model import Block, Fields, JsonEncode, Link, Resource
from ..spec import Builtin, IacSpec, Out, prune
from .common import tag_list

_SET_BY_SES = ("Verification.VerificationToken", "Dkim.DkimTokens", "V2.DkimAttributes.Tokens",
               "V2.DkimAttributes.SigningAttributesOrigin", "V2.IdentityType", "V2.VerificationInfo",
               "V2.VerifiedForSendingStatus", "V2.VerificationStatus", "status")
# the v1 answers that say again what V2 says (read from V2 when it is there)
_MIRRORS = ("Dkim.DkimEnabled", "Notifications.ForwardingEnabled", "MailFrom.BehaviorOnMXFailure",
            "MailFrom.MailFromDomain", "V2.FeedbackForwardingStatus", "V2.MailFromAttributes")
_TOPICS = (("BounceTopic", "Bounce", "HeadersInBounceNotificationsEnabled"),
           ("ComplaintTopic", "Complaint", "HeadersInComplaintNotificationsEnabled"),
           ("DeliveryTopic", "Delivery", "HeadersInDeliveryNotificationsEnabled"))
_NO_TOPICS = ("SNS notification topics of an identity have no CloudFormation property: set them after "
              "deploying (aws ses set-identity-notification-topic)")


def _blk(body: dict[str, Any]) -> Block:
    return Block(prune(body))




def _parsed(policy: Any) -> Any:
    """A policy document (SES returns it as JSON text)."""
    if isinstance(policy, str):
        try:
            return json.loads(policy)
        except ValueError:
            return policy
    return policy


def _v2_tags(f: Fields) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in f.get("V2.Tags") or []}


def _identity(f: Fields) -> dict[str, Any]:
    """What both formats take from an identity's document."""
    f.computed(*_SET_BY_SES)
    ident = f.get("Identity")
    mail_from = f.get("MailFrom") or {}
    v2_mail = f.get("V2.MailFromAttributes") or {}
    dkim_v2 = f.get("V2.DkimAttributes") or {}
    signing = dkim_v2.get("SigningEnabled", (f.get("Dkim") or {}).get("DkimEnabled"))
    forwarding = f.get("V2.FeedbackForwardingStatus")
    if forwarding is None:
        forwarding = (f.get("Notifications") or {}).get("ForwardingEnabled")
    behavior = v2_mail.get("BehaviorOnMxFailure") or {"UseDefaultValue": "USE_DEFAULT_VALUE",
                                                       "RejectMessage": "REJECT_MESSAGE"}.get(
        mail_from.get("BehaviorOnMXFailure") or "")
    domain = v2_mail.get("MailFromDomain") or mail_from.get("MailFromDomain")
    config_set = f.get("V2.ConfigurationSetName")
    return {
        "identity": ident,
        "is_domain": "@" not in ident,
        "signing": signing,
        "key_length": dkim_v2.get("NextSigningKeyLength"),
        "byodkim": dkim_v2.get("SigningAttributesOrigin") not in (None, "AWS_SES"),
        "forwarding": forwarding,
        "mail_from": {"MailFromDomain": domain, "BehaviorOnMxFailure": behavior} if domain else None,
        "config_set": Link(f"ses/configuration-set/{config_set}", None, config_set, tf_attr="configuration_set_name")
        if config_set else None,
        "policies": f.get("V2.Policies") or {},
        "tags": _v2_tags(f),
        "notifications": f.get("Notifications") or {},
    }


def identity_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    i = _identity(f)
    for path in _MIRRORS:
        f.get(path)
    props = {
        "EmailIdentity": i["identity"],
        "DkimAttributes": {"SigningEnabled": i["signing"]} if i["is_domain"] and i["signing"] is not None else None,
        "DkimSigningAttributes": {"NextSigningKeyLength": i["key_length"]}
        if i["is_domain"] and i["key_length"] and not i["byodkim"] else None,
        "FeedbackAttributes": {"EmailForwardingEnabled": i["forwarding"]} if i["forwarding"] is not None else None,
        "MailFromAttributes": i["mail_from"],
        "ConfigurationSetAttributes": {"ConfigurationSetName": i["config_set"]} if i["config_set"] else None,
        "Tags": tag_list(i["tags"]),
    }
    if i["byodkim"]:
        f.unsupported("V2.DkimAttributes.SigningAttributesOrigin", "a bring-your-own DKIM key's private half is "
                      "not in the snapshot: set DkimSigningAttributes after deploying")
    if any(i["notifications"].get(topic) for topic, _, _ in _TOPICS):
        f.unsupported("Notifications", _NO_TOPICS)
    if i["policies"]:
        f.unsupported("V2.Policies", "CloudFormation has no type for an identity's sending authorization policies: "
                                     "set them after deploying (aws sesv2 create-email-identity-policy)")
    out.resource("AWS::SES::EmailIdentity", props, i["identity"], identifier={"EmailIdentity": i["identity"]})


def identity_terraform(r: Resource, f: Fields, out: Out) -> None:
    i = _identity(f)
    for path in _MIRRORS:
        f.get(path)
    ident = i["identity"]
    this = Link(r.address, None, ident, tf_attr="email_identity")
    out.block("aws_sesv2_email_identity", {
        "email_identity": ident,
        "configuration_set_name": i["config_set"],
        "dkim_signing_attributes": _blk({"next_signing_key_length": i["key_length"]})
        if i["is_domain"] and i["key_length"] and not i["byodkim"] else None,
        "tags": i["tags"] or None}, ident, import_id=ident)
    if i["forwarding"] is not None:
        out.block("aws_sesv2_email_identity_feedback_attributes",
                  {"email_identity": this, "email_forwarding_enabled": i["forwarding"]}, ident, import_id=ident)
    if i["mail_from"]:
        out.block("aws_sesv2_email_identity_mail_from_attributes", {
            "email_identity": this, "mail_from_domain": i["mail_from"]["MailFromDomain"],
            "behavior_on_mx_failure": i["mail_from"]["BehaviorOnMxFailure"]}, ident, import_id=ident)
    n = i["notifications"]
    for topic, kind, headers in _TOPICS:
        if n.get(topic):
            out.block("aws_ses_identity_notification_topic", {
                "identity": this, "notification_type": kind, "topic_arn": n[topic],
                "include_original_headers": n.get(headers)}, f"{ident}-{kind}", import_id=f"{ident}|{kind}")
    for name, policy in sorted(i["policies"].items()):
        out.block("aws_sesv2_email_identity_policy", {
            "email_identity": this, "policy_name": name, "policy": JsonEncode(_parsed(policy))}, f"{ident}-{name}",
            import_id=f"{ident}|{name}")
    if i["is_domain"] and i["signing"] is False:
        f.unsupported("V2.DkimAttributes.SigningEnabled", "the AWS provider cannot turn Easy DKIM signing off: "
                                                          "aws sesv2 put-email-identity-dkim-attributes after applying")
    if i["byodkim"]:
        f.unsupported("V2.DkimAttributes.SigningAttributesOrigin", "a bring-your-own DKIM key's private half is "
                      "not in the snapshot: set dkim_signing_attributes after applying")


# -- configuration sets -----------------------------------------------------------------------------

def _destination_cfn(d: dict[str, Any]) -> dict[str, Any]:
    sns = d.get("SNSDestination") or d.get("SnsDestination")
    return {
        "Name": d["Name"], "Enabled": d.get("Enabled"), "MatchingEventTypes": d.get("MatchingEventTypes"),
        "SnsDestination": {"TopicARN": sns["TopicARN"]} if sns else None,
        "CloudWatchDestination": d.get("CloudWatchDestination"),
        "KinesisFirehoseDestination": d.get("KinesisFirehoseDestination"),
        "EventBridgeDestination": d.get("EventBridgeDestination"),
    }


def _upper(value: str) -> str:
    """v1's ``renderingFailure`` / ``messageTag`` -> v2's ``RENDERING_FAILURE`` / ``MESSAGE_TAG``."""
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", value).upper()


def _set_common(f: Fields) -> dict[str, Any]:
    f.computed("ConfigurationSet.Name", "ReputationOptions.LastFreshStart", "status")
    rep = f.get("ReputationOptions") or {}
    return {"name": f.get("Name"), "tracking": f.get("TrackingOptions") or None,
            "delivery": f.get("DeliveryOptions") or None, "metrics": rep.get("ReputationMetricsEnabled"),
            "sending": rep.get("SendingEnabled"), "destinations": f.get("EventDestinations") or []}


def configuration_set_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    c = _set_common(f)
    name = c["name"]
    out.resource("AWS::SES::ConfigurationSet", {
        "Name": name, "TrackingOptions": c["tracking"], "DeliveryOptions": c["delivery"],
        "ReputationOptions": {"ReputationMetricsEnabled": c["metrics"]} if c["metrics"] is not None else None,
        "SendingOptions": {"SendingEnabled": c["sending"]} if c["sending"] is not None else None,
    }, name, identifier={"Name": name})
    for d in c["destinations"]:
        out.resource("AWS::SES::ConfigurationSetEventDestination", {
            "ConfigurationSetName": Link(r.address, None, name), "EventDestination": _destination_cfn(d)},
            f"{name}-{d['Name']}", identifier={"Id": d["Name"], "ConfigurationSetName": name})


def configuration_set_terraform(r: Resource, f: Fields, out: Out) -> None:
    c = _set_common(f)
    name = c["name"]
    tracking, delivery = c["tracking"] or {}, c["delivery"] or {}
    out.block("aws_sesv2_configuration_set", {
        "configuration_set_name": name,
        "tracking_options": _blk({"custom_redirect_domain": tracking["CustomRedirectDomain"],
                                  "https_policy": tracking.get("HttpsPolicy")}) if tracking else None,
        "delivery_options": _blk({"tls_policy": delivery.get("TlsPolicy"),
                                  "sending_pool_name": delivery.get("SendingPoolName"),
                                  "max_delivery_seconds": delivery.get("MaxDeliverySeconds")}) if delivery else None,
        "reputation_options": _blk({"reputation_metrics_enabled": c["metrics"]}) if c["metrics"] is not None else None,
        "sending_options": _blk({"sending_enabled": c["sending"]}) if c["sending"] is not None else None,
    }, name, import_id=name)
    this = Link(r.address, None, name, tf_attr="configuration_set_name")
    for d in c["destinations"]:
        sns = d.get("SNSDestination") or d.get("SnsDestination")
        cw = d.get("CloudWatchDestination") or {}
        fh = d.get("KinesisFirehoseDestination")
        eb = d.get("EventBridgeDestination")
        dest = _blk({
            "enabled": d.get("Enabled"),
            "matching_event_types": [_upper(t) for t in d.get("MatchingEventTypes") or []],
            "sns_destination": _blk({"topic_arn": sns["TopicARN"]}) if sns else None,
            "cloud_watch_destination": _blk({"dimension_configuration": [
                _blk({"default_dimension_value": x["DefaultDimensionValue"], "dimension_name": x["DimensionName"],
                      "dimension_value_source": _upper(x["DimensionValueSource"])})
                for x in cw.get("DimensionConfigurations") or []]}) if cw else None,
            "kinesis_firehose_destination": _blk({"delivery_stream_arn": fh["DeliveryStreamARN"],
                                                  "iam_role_arn": fh["IAMRoleARN"]}) if fh else None,
            "event_bridge_destination": _blk({"event_bus_arn": eb["EventBusArn"]}) if eb else None,
        })
        out.block("aws_sesv2_configuration_set_event_destination", {
            "configuration_set_name": this, "event_destination_name": d["Name"], "event_destination": dest},
            f"{name}-{d['Name']}", import_id=f"{name}|{d['Name']}")


# -- the account's sending quota ----------------------------------------------------------------------

def account_builtin(r: Resource, f: Fields, out: Out) -> None:
    f.computed("status", "Max24HourSend", "MaxSendRate")
    raise Builtin("the sending quota is AWS's (every account has one, no API or template sets it): ask for an "
                  "increase in the SES console")


SPECS = {
    "identity": IacSpec(
        cloudformation=identity_cloudformation, terraform=identity_terraform,
        cfn_types=("AWS::SES::EmailIdentity",),
        tf_types=("aws_sesv2_email_identity", "aws_sesv2_email_identity_feedback_attributes",
                  "aws_sesv2_email_identity_mail_from_attributes", "aws_ses_identity_notification_topic",
                  "aws_sesv2_email_identity_policy")),
    "configuration-set": IacSpec(
        cloudformation=configuration_set_cloudformation, terraform=configuration_set_terraform,
        cfn_types=("AWS::SES::ConfigurationSet", "AWS::SES::ConfigurationSetEventDestination"),
        tf_types=("aws_sesv2_configuration_set", "aws_sesv2_configuration_set_event_destination")),
    "account": IacSpec(cloudformation=account_builtin, terraform=account_builtin),
}
