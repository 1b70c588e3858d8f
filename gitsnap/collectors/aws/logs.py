"""CloudWatch Logs: log groups, with retention, KMS key, class, metric filters, subscription
filters and tags. Log events are not captured.

A log group's address is ``logs/NAME``; names usually begin with a slash, so it reads
``logs//aws/lambda/jada-fn``. ``storedBytes``, ``metricFilterCount`` and the creation times
are volatile. Each subscription filter gains ``DestinationAddress`` where its destination is
a captured type (a Lambda function).

Restore: ``CreateLogGroup`` (KMS key, class, tags), ``PutRetentionPolicy``, ``PutMetricFilter``
and ``PutSubscriptionFilter``; retention removed with ``DeleteRetentionPolicy``, a KMS key with
``AssociateKmsKey`` / ``DisassociateKmsKey``. A group's class cannot change after it is made,
and a data protection policy is not captured: both are said, not done.
"""

from __future__ import annotations

from typing import Any

from ..restoring import Operation, RestoreContext, Unrestorable
from ..spec import Call, Detail, Raw, ResourceType, Restorer
from .eventbridge import arn_address, by_hand, sealed_guard, tag_ops, value

METRIC_FILTER_FIELDS = ("filterName", "filterPattern", "metricTransformations", "applyOnTransformedLogs",
                        "fieldSelectionCriteria", "emitSystemFieldDimensions")
SUBSCRIPTION_FILTER_FIELDS = ("filterName", "filterPattern", "destinationArn", "roleArn", "distribution",
                              "applyOnTransformedLogs", "fieldSelectionCriteria", "emitSystemFields")
BY_HAND = {"logGroupClass": "a log group's class is fixed when it is made: delete it and restore it to make it again",
           "dataProtectionStatus": "data protection policies are not captured: set it again by hand"}
HANDLED = ("logGroupName", "logGroupArn", "retentionInDays", "kmsKeyId", "deletionProtectionEnabled", "MetricFilters",
           "SubscriptionFilters", "Tags", *BY_HAND)
# a subscription filter's destination (a Lambda function, rank 40) must exist first: an unregistered
# kind takes the default rank (50)
FILTER_KIND = ("logs", "subscription-filter")


def group_arn(raw: Raw) -> str:
    """The group's ARN without the ``:*`` DescribeLogGroups adds (the tagging APIs refuse it)."""
    arn = raw.get("logGroupArn") or raw["arn"]
    return arn[:-2] if arn.endswith(":*") else arn


def _filters(items: list[Raw] | None, fields: tuple[str, ...]) -> list[Raw]:
    return sorted(({k: f[k] for k in (*fields, "creationTime") if k in f} for f in items or []),
                  key=lambda f: f.get("filterName", ""))


def transform_group(raw: Raw) -> Raw:
    group = {k: v for k, v in raw.items() if k not in ("arn", "MetricFilters", "SubscriptionFilters", "Tags")}
    group["logGroupArn"] = group_arn(raw)
    subscriptions = []
    for f in _filters(raw.get("SubscriptionFilters"), SUBSCRIPTION_FILTER_FIELDS):
        address = arn_address(f.get("destinationArn"))
        subscriptions.append({**f, **({"DestinationAddress": address} if address else {})})
    return {**group, "MetricFilters": _filters(raw.get("MetricFilters"), METRIC_FILTER_FIELDS),
            "SubscriptionFilters": subscriptions, "Tags": dict(raw.get("Tags") or {})}


# -- restore -----------------------------------------------------------------------------------

def _filter_params(f: Raw, fields: tuple[str, ...]) -> dict[str, Any]:
    return {k: f[k] for k in fields if f.get(k) is not None}


def _put_filter_ops(ctx: RestoreContext, address: str, logs: Any, name: str, kind: str, want: list[Raw],
                    have: list[Raw]) -> list[Operation]:
    """Metric or subscription filters (*kind*) back to the snapshot's, by filter name."""
    fields, put, remove = (
        (METRIC_FILTER_FIELDS, logs.put_metric_filter, logs.delete_metric_filter) if kind == "MetricFilters"
        else (SUBSCRIPTION_FILTER_FIELDS, logs.put_subscription_filter, logs.delete_subscription_filter))
    wf = {f["filterName"]: _filter_params(f, fields) for f in want}
    hf = {f["filterName"]: _filter_params(f, fields) for f in have}
    ops: list[Operation] = []
    for fname in sorted(set(wf) | set(hf)):
        target = f"{kind} {fname}"
        if fname in wf and wf[fname] != hf.get(fname):
            ops.append(Operation(address, "put", target, "added" if fname not in hf else "changed",
                                 run=lambda p=wf[fname]: put(logGroupName=name, **p),
                                 kind=FILTER_KIND if kind == "SubscriptionFilters" else None))
        elif fname not in wf and ctx.delete:
            ops.append(Operation(address, "delete", target, run=lambda n=fname: remove(logGroupName=name, filterName=n)))
        elif fname not in wf:
            ops.append(Operation(address, "kept", target, "live only; --delete removes it"))
    return ops


def _parts(ctx: RestoreContext, address: str, logs: Any, want: Raw, have: Raw) -> list[Operation]:
    name = want["logGroupName"]
    return (_put_filter_ops(ctx, address, logs, name, "MetricFilters", want.get("MetricFilters") or [],
                            have.get("MetricFilters") or [])
            + _put_filter_ops(ctx, address, logs, name, "SubscriptionFilters", want.get("SubscriptionFilters") or [],
                              have.get("SubscriptionFilters") or []))


def create_group(ctx: RestoreContext, address: str) -> list[Operation]:
    want = ctx.want(address)
    logs = ctx.client("logs", address)
    name = want["logGroupName"]
    params: dict[str, Any] = {"logGroupName": name}
    for field in ("kmsKeyId", "logGroupClass", "deletionProtectionEnabled"):
        if want.get(field):
            params[field] = want[field]
    if want.get("Tags"):
        params["tags"] = want["Tags"]
    ops = [Operation(address, "create", address, ", ".join(f"{k} {v}" for k, v in params.items() if k != "logGroupName"),
                     run=lambda: logs.create_log_group(**params))]
    if want.get("retentionInDays"):
        ops.append(Operation(address, "put", "retentionInDays", str(want["retentionInDays"]),
                             run=lambda: logs.put_retention_policy(logGroupName=name, retentionInDays=want["retentionInDays"])))
    if want.get("dataProtectionStatus") not in (None, "DISABLED", "DELETED"):
        ops.append(Operation(address, "cannot-restore", "dataProtectionStatus", BY_HAND["dataProtectionStatus"]))
    return ops + _parts(ctx, address, logs, want, {})


def update_group(ctx: RestoreContext, address: str) -> list[Operation]:
    want, have = ctx.want(address), ctx.have(address)
    logs = ctx.client("logs", address)
    name = want["logGroupName"]
    ops: list[Operation] = []
    wr, hr = want.get("retentionInDays"), have.get("retentionInDays")
    if wr != hr:
        run = ((lambda: logs.put_retention_policy(logGroupName=name, retentionInDays=wr)) if wr
               else (lambda: logs.delete_retention_policy(logGroupName=name)))
        ops.append(Operation(address, "update", "retentionInDays", f"{value(hr)} -> {value(wr) if wr else 'never expire'}",
                             run=run))
    wk, hk = want.get("kmsKeyId"), have.get("kmsKeyId")
    if wk != hk:
        run = ((lambda: logs.associate_kms_key(logGroupName=name, kmsKeyId=wk)) if wk
               else (lambda: logs.disassociate_kms_key(logGroupName=name)))
        ops.append(Operation(address, "update", "kmsKeyId", f"{value(hk)} -> {value(wk)}", run=run))
    wd, hd = bool(want.get("deletionProtectionEnabled")), bool(have.get("deletionProtectionEnabled"))
    if wd != hd:
        ops.append(Operation(address, "update", "deletionProtectionEnabled", f"{hd} -> {wd}".lower(),
                             run=lambda: logs.put_log_group_deletion_protection(logGroupIdentifier=name,
                                                                                 deletionProtectionEnabled=wd)))
    ops += [Operation(address, "cannot-restore", field, f"{value(have.get(field))} -> {value(want.get(field))}: {why}")
            for field, why in BY_HAND.items() if want.get(field) != have.get(field)]
    ops += by_hand(ctx, address, have, want, HANDLED)
    arn = have.get("logGroupArn") or want["logGroupArn"]
    return ops + _parts(ctx, address, logs, want, have) + tag_ops(
        ctx, address, want.get("Tags"), have.get("Tags"),
        lambda t: logs.tag_resource(resourceArn=arn, tags=t),
        lambda keys: logs.untag_resource(resourceArn=arn, tagKeys=keys))


def delete_group(ctx: RestoreContext, address: str) -> list[Operation]:
    have = ctx.have(address)
    if have.get("deletionProtectionEnabled"):
        raise Unrestorable(Operation(address, "cannot-restore", address, "live only, and deletion protection is on: "
                                     "turn it off to let --delete remove it"))
    logs = ctx.client("logs", address)
    return [Operation(address, "delete", address, "and every log event in it",
                      run=lambda: logs.delete_log_group(logGroupName=have["logGroupName"]))]


def _name(r: Raw) -> dict[str, str]:
    return {"logGroupName": r["logGroupName"]}


GROUP = ResourceType(
    service="logs", type="group", scope="regional", client="logs",
    list=Call("describe_log_groups", result="logGroups", paginate=True),
    id=lambda r: r["logGroupName"],
    details=(
        Detail("MetricFilters", Call("describe_metric_filters", params=_name, result="metricFilters", paginate=True)),
        # keyed by the group: its ResourceNotFoundException says the group is gone
        Detail("SubscriptionFilters", Call("describe_subscription_filters", params=_name, result="subscriptionFilters",
                                           paginate=True, identity=True)),
        Detail("Tags", Call("list_tags_for_resource", params=lambda r: {"resourceArn": group_arn(r)}, result="tags")),
    ),
    transform=transform_group,
    volatile=("creationTime", "storedBytes", "metricFilterCount", "MetricFilters.*.creationTime",
              "SubscriptionFilters.*.creationTime"),
    # set by account-level policies, not by the group's own configuration
    status=("inheritedProperties", "retentionPolicyName"),
    schema="aws.logs.group",
    permissions=("logs:DescribeLogGroups", "logs:DescribeMetricFilters", "logs:DescribeSubscriptionFilters",
                 "logs:ListTagsForResource"),
    restore=Restorer(
        create=sealed_guard(create_group), update=sealed_guard(update_group), delete=delete_group, rank=30,
        permissions=("logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy",
                     "logs:DeleteRetentionPolicy", "logs:AssociateKmsKey", "logs:DisassociateKmsKey",
                     "logs:PutMetricFilter", "logs:DeleteMetricFilter", "logs:PutSubscriptionFilter",
                     "logs:DeleteSubscriptionFilter", "logs:PutLogGroupDeletionProtection", "logs:TagResource",
                     "logs:UntagResource"),
    ),
)

TYPES: tuple[ResourceType, ...] = (GROUP,)
