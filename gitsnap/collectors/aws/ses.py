"""SES (regional, v1 and v2): identities with verification, DKIM, notification and MAIL FROM
attributes (v1) and the v2 identity view; configuration sets; the sending quota."""

from __future__ import annotations

from typing import Any

from ..spec import Call, Detail, Raw, ResourceType


def _identity_attr(method: str, result: str) -> Call:
    return Call(method, params=lambda r: {"Identities": [r["Identity"]]}, result=result)


def transform_identity(raw: Raw) -> Raw:
    ident = raw["Identity"]

    def pick(field: str) -> Any:
        return (raw.get(field) or {}).get(ident)

    return {
        "Identity": ident,
        "Verification": pick("Verification"),
        "Dkim": pick("Dkim"),
        "Notifications": pick("Notifications"),
        "MailFrom": pick("MailFrom"),
        "V2": raw.get("V2"),
    }


IDENTITY = ResourceType(
    service="ses", type="identity", scope="regional", client="ses",
    list=Call("list_identities", result="Identities", paginate=True),
    item_key="Identity",
    id=lambda r: r["Identity"],
    details=(
        Detail("Verification", _identity_attr("get_identity_verification_attributes", "VerificationAttributes")),
        Detail("Dkim", _identity_attr("get_identity_dkim_attributes", "DkimAttributes")),
        Detail("Notifications", _identity_attr("get_identity_notification_attributes", "NotificationAttributes")),
        Detail("MailFrom", _identity_attr("get_identity_mail_from_domain_attributes", "MailFromDomainAttributes")),
        Detail("V2", Call("get_email_identity", client="sesv2", params=lambda r: {"EmailIdentity": r["Identity"]},
                          absent=("NotFoundException",))),
    ),
    transform=transform_identity,
    volatile=("V2.VerificationInfo.LastCheckedTimestamp", "V2.VerificationInfo.LastSuccessTimestamp",
              "V2.VerificationInfo.SOARecord.SerialNumber"),
    # verification and DKIM/MAIL FROM states SES re-checks by itself, and its key rotations (docs/diff.md)
    status=("Verification.VerificationStatus", "Dkim.DkimVerificationStatus", "MailFrom.MailFromDomainStatus",
            "V2.VerifiedForSendingStatus", "V2.VerificationStatus", "V2.VerificationInfo", "V2.DkimAttributes.Status",
            "V2.DkimAttributes.CurrentSigningKeyLength", "V2.DkimAttributes.LastKeyGenerationTimestamp",
            "V2.MailFromAttributes.MailFromDomainStatus"),
    unordered=("Dkim.DkimTokens", "V2.DkimAttributes.Tokens"),
    # published in DNS as TXT/CNAME records by design: a "token" by name, not a secret
    public=("Verification.VerificationToken", "Dkim.DkimTokens.*", "V2.DkimAttributes.Tokens.*"),
    schema="aws.ses.identity",
    permissions=("ses:ListIdentities", "ses:GetIdentityVerificationAttributes", "ses:GetIdentityDkimAttributes",
                 "ses:GetIdentityNotificationAttributes", "ses:GetIdentityMailFromDomainAttributes",
                 "ses:GetEmailIdentity"),
)

CONFIGURATION_SET = ResourceType(
    service="ses", type="configuration-set", scope="regional", client="ses", primary=False,
    list=Call("list_configuration_sets", result="ConfigurationSets", paginate=True),
    id=lambda r: r["Name"],
    details=(
        Detail("Set", Call("describe_configuration_set", params=lambda r: {
            "ConfigurationSetName": r["Name"],
            "ConfigurationSetAttributeNames": ["eventDestinations", "trackingOptions", "deliveryOptions",
                                               "reputationOptions"]})),
    ),
    transform=lambda r: {"Name": r["Name"], **(r.get("Set") or {})},
    volatile=("ReputationOptions.LastFreshStart",),
    schema="aws.ses.configuration-set",
    permissions=("ses:ListConfigurationSets", "ses:DescribeConfigurationSet"),
)

SENDING = ResourceType(
    service="ses", type="account", scope="regional", client="ses", primary=False,
    enumerate=lambda ctx: [{"Id": "sending"}],
    id=lambda r: r["Id"],
    details=(Detail("Quota", Call("get_send_quota")),),
    transform=lambda r: {"Max24HourSend": (r.get("Quota") or {}).get("Max24HourSend"),
                         "MaxSendRate": (r.get("Quota") or {}).get("MaxSendRate")},
    # quotas AWS sets (and raises as sending grows): no API sets them, nothing to restore
    status=("Max24HourSend", "MaxSendRate"),
    schema="aws.ses.account",
    permissions=("ses:GetSendQuota",),
)

TYPES = (IDENTITY, CONFIGURATION_SET, SENDING)
