"""SES identities: captured with verification, DKIM, notification and MAIL FROM attributes (v1)
and the v2 view; restored.

A deleted identity is verified again (VerifyDomainIdentity, and VerifyDomainDkim when it had
Easy DKIM; VerifyEmailIdentity for an address), then given back its notification topics,
feedback forwarding, notification headers, MAIL FROM domain, sending policies, tags and default
configuration set. Verification itself cannot be restored: SES checks it again, by the DNS
records it issues (a domain) or by the link it mails (an address), so the plan says what to
publish or click. In place, the same attributes are set where they differ; the verification
and DKIM tokens SES issued are not settable: the plan lists the records to publish instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ...restoring import Operation, RestoreContext
from ...spec import Call, Detail, Raw, ResourceType, Restorer

TOPICS = {"BounceTopic": "Bounce", "ComplaintTopic": "Complaint", "DeliveryTopic": "Delivery"}
HEADERS = {"HeadersInBounceNotificationsEnabled": "Bounce", "HeadersInComplaintNotificationsEnabled": "Complaint",
           "HeadersInDeliveryNotificationsEnabled": "Delivery"}
# the v2 view repeats these v1 attributes: restoring the v1 one restores it
MIRRORS = ("V2.FeedbackForwardingStatus", "V2.DkimAttributes.SigningEnabled", "V2.MailFromAttributes",
           "V2.DkimAttributes.Tokens", "V2.IdentityType")
# what a newly verified identity has, before any attribute is set
FRESH = {"Notifications": {"ForwardingEnabled": True, **{h: False for h in HEADERS}},
         "MailFrom": {"BehaviorOnMXFailure": "UseDefaultValue"},
         "V2": {"Policies": {}, "Tags": []}}


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


def is_domain(identity: str) -> bool:
    return "@" not in identity


def dns_records(doc: Raw) -> list[str]:
    """The DNS records that verify a domain identity and its Easy DKIM, from a document. Pure."""
    domain = doc["Identity"]
    token = (doc.get("Verification") or {}).get("VerificationToken")
    out = [f'TXT _amazonses.{domain} "{token}"'] if token and is_domain(domain) else []
    out += [f"CNAME {t}._domainkey.{domain} -> {t}.dkim.amazonses.com"
            for t in (doc.get("Dkim") or {}).get("DkimTokens") or []]
    return out


def _part(doc: Raw, part: str) -> dict[str, Any]:
    return doc.get(part) or {}


def _setting_ops(ctx: RestoreContext, address: str, want: Raw, have: Raw) -> list[Operation]:
    """The v1 attribute setters for what differs: topics before forwarding (SES refuses to turn
    forwarding off while an identity has no bounce and complaint topic)."""
    ses = ctx.client("ses", address)
    ident = want["Identity"]
    wn, hn = _part(want, "Notifications"), _part(have, "Notifications")
    ops: list[Operation] = []

    def op(target: str, detail: str, run: Callable[[], Any]) -> None:
        ops.append(Operation(address, "update", target, detail, run=run))

    for field, kind in TOPICS.items():
        if wn.get(field) != hn.get(field):
            topic = {"SnsTopic": wn[field]} if wn.get(field) else {}
            op(f"Notifications.{field}", f"{hn.get(field)} -> {wn.get(field)}",
               lambda k=kind, t=topic: ses.set_identity_notification_topic(Identity=ident, NotificationType=k, **t))
    if "ForwardingEnabled" in wn and wn["ForwardingEnabled"] != hn.get("ForwardingEnabled"):
        op("Notifications.ForwardingEnabled", f"{hn.get('ForwardingEnabled')} -> {wn['ForwardingEnabled']}",
           lambda: ses.set_identity_feedback_forwarding_enabled(Identity=ident,
                                                                 ForwardingEnabled=wn["ForwardingEnabled"]))
    for field, kind in HEADERS.items():
        if field in wn and wn[field] != hn.get(field):
            op(f"Notifications.{field}", f"{hn.get(field)} -> {wn[field]}",
               lambda k=kind, on=wn[field]: ses.set_identity_headers_in_notifications_enabled(
                   Identity=ident, NotificationType=k, Enabled=on))
    wm, hm = _part(want, "MailFrom"), _part(have, "MailFrom")
    if (wm.get("MailFromDomain"), wm.get("BehaviorOnMXFailure")) != (hm.get("MailFromDomain"), hm.get("BehaviorOnMXFailure")):
        params = {k: wm[k] for k in ("MailFromDomain", "BehaviorOnMXFailure") if wm.get(k)}
        op("MailFrom", f"{hm.get('MailFromDomain')} -> {wm.get('MailFromDomain')}",
           lambda: ses.set_identity_mail_from_domain(Identity=ident, **params))
    wd, hd = _part(want, "Dkim"), _part(have, "Dkim")
    if "DkimEnabled" in wd and hd and wd["DkimEnabled"] != hd.get("DkimEnabled"):
        op("Dkim.DkimEnabled", f"{hd.get('DkimEnabled')} -> {wd['DkimEnabled']}",
           lambda: ses.set_identity_dkim_enabled(Identity=ident, DkimEnabled=wd["DkimEnabled"]))
    return ops


def _policy_text(policy: Any) -> str:
    return policy if isinstance(policy, str) else json.dumps(policy)


def _v2_ops(ctx: RestoreContext, address: str, want: Raw, have: Raw) -> list[Operation]:
    """Sending authorization policies (v1 calls), tags and the default configuration set (v2)."""
    ses, v2 = ctx.client("ses", address), ctx.client("sesv2", address)
    ident = want["Identity"]
    w2, h2 = _part(want, "V2"), _part(have, "V2")
    ops: list[Operation] = []
    wp, hp = w2.get("Policies") or {}, h2.get("Policies") or {}
    for name in sorted(set(wp) | set(hp)):
        target = f"V2.Policies.{name}"
        if name in wp and wp[name] != hp.get(name):
            text = _policy_text(wp[name])
            ops.append(Operation(address, "put", target, "added" if name not in hp else "changed",
                                 run=lambda n=name, p=text: ses.put_identity_policy(
                                     Identity=ident, PolicyName=n, Policy=p)))
        elif name not in wp:
            ops.append(Operation(address, "delete", target, "live only (--delete)",
                                 run=lambda n=name: ses.delete_identity_policy(Identity=ident, PolicyName=n))
                       if ctx.delete else Operation(address, "kept", target, "live only; --delete removes it"))
    wt = {t["Key"]: t.get("Value", "") for t in w2.get("Tags") or []}
    ht = {t["Key"]: t.get("Value", "") for t in h2.get("Tags") or []}
    account, region = ctx.where(address)
    arn = f"arn:aws:ses:{region}:{account}:identity/{ident}"
    put = [{"Key": k, "Value": v} for k, v in sorted(wt.items()) if ht.get(k) != v]
    if put:
        ops.append(Operation(address, "update", "V2.Tags", ", ".join(t["Key"] for t in put),
                             run=lambda: v2.tag_resource(ResourceArn=arn, Tags=put)))
    extra = sorted(set(ht) - set(wt))
    if extra:
        ops.append(Operation(address, "update", "V2.Tags", f"removed {', '.join(extra)} (--delete)",
                             run=lambda: v2.untag_resource(ResourceArn=arn, TagKeys=extra))
                   if ctx.delete else Operation(address, "kept", f"V2.Tags {', '.join(extra)}",
                                                "live only; --delete removes them"))
    if w2.get("ConfigurationSetName") != h2.get("ConfigurationSetName"):
        chosen = {"ConfigurationSetName": w2["ConfigurationSetName"]} if w2.get("ConfigurationSetName") else {}
        ops.append(Operation(address, "update", "V2.ConfigurationSetName",
                             f"{h2.get('ConfigurationSetName')} -> {w2.get('ConfigurationSetName')}",
                             run=lambda: v2.put_email_identity_configuration_set_attributes(EmailIdentity=ident,
                                                                                            **chosen)))
    return ops


HANDLED = ("Notifications", "MailFrom", "Dkim.DkimEnabled", "V2.Policies", "V2.Tags", "V2.ConfigurationSetName",
           *MIRRORS)
TOKENS = ("Verification.VerificationToken", "Dkim.DkimTokens")


def plan_update(ctx: RestoreContext, address: str) -> list[Operation]:
    want, have = ctx.want(address), ctx.have(address)
    ops = _setting_ops(ctx, address, want, have) + _v2_ops(ctx, address, want, have)
    tokens, other = False, set()
    for change in ctx.diff(address, have, want):
        if change.path.startswith(TOKENS):
            tokens = True
        elif not change.path.startswith(HANDLED):
            other.add(".".join(change.path.split(".")[:2]))
    if tokens:
        records = "; ".join(dns_records(have)) or "none"
        ops.append(Operation(address, "cannot-restore", "verification and DKIM tokens",
                             f"issued by SES, not settable: keep live's published in DNS ({records}), then capture again"))
    ops += [Operation(address, "cannot-restore", path, "differs; change it by hand (aws sesv2)") for path in sorted(other)]
    return ops


def plan_create(ctx: RestoreContext, address: str) -> list[Operation]:
    """Verify the identity again, then set its attributes as the snapshot has them."""
    want = ctx.want(address)
    ses = ctx.client("ses", address)
    ident = want["Identity"]
    if is_domain(ident):
        ops = [Operation(address, "create", address, f"VerifyDomainIdentity: verification must be redone: publish the "
                                                     f"TXT record _amazonses.{ident} with the token SES issues (the next "
                                                     "plan shows it)", run=lambda: ses.verify_domain_identity(Domain=ident))]
        if (want.get("Dkim") or {}).get("DkimEnabled"):
            ops.append(Operation(address, "create", "Dkim", "VerifyDomainDkim: publish the three CNAME records of the "
                                                            "new DKIM tokens (the next plan shows them)",
                                 run=lambda: ses.verify_domain_dkim(Domain=ident)))
    else:
        ops = [Operation(address, "create", address, f"VerifyEmailIdentity: SES mails a verification link to {ident}; "
                                                     "it can send once the link is followed",
                         run=lambda: ses.verify_email_identity(EmailAddress=ident))]
    fresh = {"Identity": ident, **FRESH}
    return ops + _setting_ops(ctx, address, want, fresh) + _v2_ops(ctx, address, want, fresh)


def plan_delete(ctx: RestoreContext, address: str) -> list[Operation]:
    ses = ctx.client("ses", address)
    ident = ctx.have(address)["Identity"]
    return [Operation(address, "delete", address, "live only (--delete): it can no longer send",
                      run=lambda: ses.delete_identity(Identity=ident))]


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
    # after the SNS topics its notifications go to (30) and the configuration sets it names (34)
    restore=Restorer(
        update=plan_update, create=plan_create, delete=plan_delete, rank=35,
        permissions=("ses:VerifyDomainIdentity", "ses:VerifyDomainDkim", "ses:VerifyEmailIdentity",
                     "ses:SetIdentityNotificationTopic", "ses:SetIdentityFeedbackForwardingEnabled",
                     "ses:SetIdentityHeadersInNotificationsEnabled", "ses:SetIdentityMailFromDomain",
                     "ses:SetIdentityDkimEnabled", "ses:PutIdentityPolicy", "ses:DeleteIdentityPolicy",
                     "ses:TagResource", "ses:UntagResource", "ses:PutEmailIdentityConfigurationSetAttributes",
                     "ses:DeleteIdentity"),
    ),
)
