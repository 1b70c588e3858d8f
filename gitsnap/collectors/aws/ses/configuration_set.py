"""SES configuration sets: captured with their event destinations, tracking, delivery and
reputation options; restored (created, updated, deleted with --delete) with the v1 API that
read them."""

from __future__ import annotations

from typing import Any

from ...restoring import Operation, RestoreContext
from ...spec import Call, Detail, Raw, ResourceType, Restorer


def _destination_ops(ses: Any, address: str, name: str, want: list[Raw], have: list[Raw],
                     delete: bool) -> list[Operation]:
    """Event destinations by name: created, updated, or (live only) kept or deleted."""
    w = {d["Name"]: d for d in want}
    h = {d["Name"]: d for d in have}
    ops: list[Operation] = []
    for dest in sorted(set(w) | set(h)):
        target = f"EventDestinations.{dest}"
        if dest in w and dest not in h:
            ops.append(Operation(address, "create", target, ", ".join(w[dest].get("MatchingEventTypes") or []),
                                 run=lambda d=w[dest]: ses.create_configuration_set_event_destination(
                                     ConfigurationSetName=name, EventDestination=d)))
        elif dest in w and w[dest] != h[dest]:
            ops.append(Operation(address, "update", target, "differs",
                                 run=lambda d=w[dest]: ses.update_configuration_set_event_destination(
                                     ConfigurationSetName=name, EventDestination=d)))
        elif dest not in w:
            ops.append(Operation(address, "delete", target, "live only (--delete)",
                                 run=lambda d=dest: ses.delete_configuration_set_event_destination(
                                     ConfigurationSetName=name, EventDestinationName=d))
                       if delete else Operation(address, "kept", target, "live only; --delete removes it"))
    return ops


def _option_ops(ses: Any, address: str, name: str, want: Raw, have: Raw, creating: bool) -> list[Operation]:
    """Tracking (custom redirect domain), delivery (TLS policy) and reputation options."""
    ops: list[Operation] = []
    wt, ht = want.get("TrackingOptions"), have.get("TrackingOptions")
    if wt != ht and wt:
        method = ses.update_configuration_set_tracking_options if ht else ses.create_configuration_set_tracking_options
        ops.append(Operation(address, "update", "TrackingOptions", str(wt.get("CustomRedirectDomain")),
                             run=lambda: method(ConfigurationSetName=name, TrackingOptions=wt)))
    elif wt != ht and ht:
        ops.append(Operation(address, "update", "TrackingOptions", "removed",
                             run=lambda: ses.delete_configuration_set_tracking_options(ConfigurationSetName=name)))
    wd, hd = want.get("DeliveryOptions"), have.get("DeliveryOptions")
    if wd != hd and (wd or not creating):
        ops.append(Operation(address, "update", "DeliveryOptions", str((wd or {}).get("TlsPolicy")),
                             run=lambda: ses.put_configuration_set_delivery_options(
                                 ConfigurationSetName=name, **({"DeliveryOptions": wd} if wd else {}))))
    wr, hr = want.get("ReputationOptions") or {}, have.get("ReputationOptions") or {}
    for field, method in (("ReputationMetricsEnabled", ses.update_configuration_set_reputation_metrics_enabled),
                          ("SendingEnabled", ses.update_configuration_set_sending_enabled)):
        if field in wr and wr[field] != hr.get(field):
            ops.append(Operation(address, "update", f"ReputationOptions.{field}", f"{hr.get(field)} -> {wr[field]}",
                                 run=lambda m=method, on=wr[field]: m(ConfigurationSetName=name, Enabled=on)))
    return ops


def plan_update(ctx: RestoreContext, address: str) -> list[Operation]:
    want, have = ctx.want(address), ctx.have(address)
    ses = ctx.client("ses", address)
    name = want["Name"]
    return (_destination_ops(ses, address, name, want.get("EventDestinations") or [],
                             have.get("EventDestinations") or [], ctx.delete)
            + _option_ops(ses, address, name, want, have, creating=False))


def plan_create(ctx: RestoreContext, address: str) -> list[Operation]:
    want = ctx.want(address)
    ses = ctx.client("ses", address)
    name = want["Name"]
    # what a new set has (sending on, reputation metrics off), so only what differs is set
    fresh = {"ReputationOptions": {"SendingEnabled": True, "ReputationMetricsEnabled": False}}
    return ([Operation(address, "create", address, run=lambda: ses.create_configuration_set(
        ConfigurationSet={"Name": name}))]
            + _destination_ops(ses, address, name, want.get("EventDestinations") or [], [], False)
            + _option_ops(ses, address, name, want, fresh, creating=True))


def plan_delete(ctx: RestoreContext, address: str) -> list[Operation]:
    ses = ctx.client("ses", address)
    name = ctx.have(address)["Name"]
    return [Operation(address, "delete", address, "live only (--delete)",
                      run=lambda: ses.delete_configuration_set(ConfigurationSetName=name))]


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
    # after the SNS topics and Firehose streams its destinations name (30), before the identities using it
    restore=Restorer(
        update=plan_update, create=plan_create, delete=plan_delete, rank=34,
        permissions=("ses:CreateConfigurationSet", "ses:DeleteConfigurationSet",
                     "ses:CreateConfigurationSetEventDestination", "ses:UpdateConfigurationSetEventDestination",
                     "ses:DeleteConfigurationSetEventDestination", "ses:CreateConfigurationSetTrackingOptions",
                     "ses:UpdateConfigurationSetTrackingOptions", "ses:DeleteConfigurationSetTrackingOptions",
                     "ses:PutConfigurationSetDeliveryOptions", "ses:UpdateConfigurationSetReputationMetricsEnabled",
                     "ses:UpdateConfigurationSetSendingEnabled"),
    ),
)
