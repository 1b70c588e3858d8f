"""A bucket's settings (``bucket.json``) back into S3: which call puts each one, in which order.

Real S3 refuses some orders the local endpoint accepts, so the order is planned (pure
functions, :func:`config_order` for a bucket that exists, :func:`create_steps` for one being
recreated) and the calls follow it.

Three settings name other resources: Logging (a target bucket), Replication (a destination
bucket and an IAM role) and Notifications (topics, queues, functions). They are ranked with
:data:`LINKS`, after every bucket, queue, topic and function of the plan exists (and after this
bucket's objects: restored objects are what the bucket had, not new writes, so they neither fire
its notifications nor replicate again).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ....secrets.fingerprint import has_marker
from ...restoring import IDENTITY_HINT, NEEDS_IDENTITY, Operation, RestoreContext

# The rank of the settings that point at other resources: no type declares it, so the runner's
# default rank (50) applies: after buckets, queues and topics (30) and functions (40, 45).
LINKS = ("s3", "bucket-links")
LINKED = ("Logging", "Replication", "Notifications")
SHUT_OWNERSHIP = {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}


def _tags(value: dict[str, str]) -> dict[str, Any]:
    return {"Tagging": {"TagSet": [{"Key": k, "Value": v} for k, v in sorted(value.items())]}}


@dataclass(frozen=True)
class Setting:
    """How one field of the bucket document is written.

    Attributes:
        put: the client method that sets it.
        params: the stored value -> the put's parameters.
        delete: the method that removes it, if S3 has one.
        cleared: the put's parameters that remove it, where S3 has no delete call.
    """

    put: str
    params: Callable[[Any], dict[str, Any]]
    delete: str | None = None
    cleared: dict[str, Any] | None = field(default=None)

    def remove(self, client: Any, bucket: str) -> Any:
        if self.delete:
            return getattr(client, self.delete)(Bucket=bucket)
        return getattr(client, self.put)(Bucket=bucket, **(self.cleared or {}))


CONFIG_CALLS: dict[str, Setting] = {
    "Policy": Setting("put_bucket_policy", lambda v: {"Policy": json.dumps(v) if not isinstance(v, str) else v},
                      "delete_bucket_policy"),
    "Website": Setting("put_bucket_website", lambda v: {"WebsiteConfiguration": v}, "delete_bucket_website"),
    "Tags": Setting("put_bucket_tagging", _tags, "delete_bucket_tagging"),
    "Cors": Setting("put_bucket_cors", lambda v: {"CORSConfiguration": {"CORSRules": v}}, "delete_bucket_cors"),
    "Lifecycle": Setting("put_bucket_lifecycle_configuration", lambda v: {"LifecycleConfiguration": {"Rules": v}},
                         "delete_bucket_lifecycle"),
    "Encryption": Setting("put_bucket_encryption", lambda v: {"ServerSideEncryptionConfiguration": v},
                          "delete_bucket_encryption"),
    "PublicAccessBlock": Setting("put_public_access_block", lambda v: {"PublicAccessBlockConfiguration": v},
                                 "delete_public_access_block"),
    # versioning, once enabled, can be suspended but never turned off: no removal
    "Versioning": Setting("put_bucket_versioning",
                          lambda v: {"VersioningConfiguration": {"Status": v.get("Status", "Suspended")}}),
    "OwnershipControls": Setting("put_bucket_ownership_controls", lambda v: {"OwnershipControls": v},
                                 "delete_bucket_ownership_controls"),
    "Logging": Setting("put_bucket_logging", lambda v: {"BucketLoggingStatus": {"LoggingEnabled": v}},
                       cleared={"BucketLoggingStatus": {}}),
    "Replication": Setting("put_bucket_replication", lambda v: {"ReplicationConfiguration": v},
                           "delete_bucket_replication"),
    # the snapshot's configuration as it was: S3 does not test-deliver to its destinations first
    "Notifications": Setting("put_bucket_notification_configuration",
                             lambda v: {"NotificationConfiguration": v, "SkipDestinationValidation": True},
                             cleared={"NotificationConfiguration": {}}),
}


def blocks_policy(pab: Any) -> bool:
    """Whether a public access block makes S3 refuse a public bucket policy. Pure."""
    return bool(pab and pab.get("BlockPublicPolicy"))


def configured(value: Any) -> bool:
    """Whether a stored setting is set (``null``, ``{}`` and ``[]`` mean not configured). Pure."""
    return value not in (None, {}, [])


def config_order(want: dict[str, Any]) -> list[str]:
    """The bucket settings in the order real S3 accepts them (the local endpoint takes any). Pure.

    - OwnershipControls first: they decide whether ACLs apply at all.
    - The public access block before the policy when the snapshot's block lets a public
      policy through (S3 refuses PutBucketPolicy with AccessDenied while BlockPublicPolicy is
      on), after it when the block is to be turned on (then a public policy must go in first).
    - Versioning before Lifecycle, whose noncurrent-version rules are about it, and before
      Replication, which S3 refuses on an unversioned bucket.
    - Encryption before the objects (they follow the configuration), so that objects put
      without their own encryption header get the snapshot's default.
    - The :data:`LINKED` settings last (ranked after the other resources, see the module).
    """
    pab_first = not blocks_policy(want.get("PublicAccessBlock"))
    return ["OwnershipControls", *(["PublicAccessBlock"] if pab_first else []), "Policy",
            *([] if pab_first else ["PublicAccessBlock"]), "Versioning", "Encryption", "Website", "Cors",
            "Lifecycle", "Tags", *LINKED]


def create_steps(want: dict[str, Any]) -> list[tuple[str, str]]:
    """The calls that give a new, empty bucket the snapshot's settings: ``(setting, action)``
    with action ``put`` or ``delete``, in order. Pure.

    A bucket S3 creates today is not blank: its public access block is all on and its objects
    are owner-enforced (no ACLs). Where the snapshot has neither, they are deleted; where the
    snapshot's block forbids a public policy and the snapshot has a policy (it predates the
    block), the new bucket's block is deleted, the policy put, and the block put after it.
    Settings the snapshot does not have are left as a new bucket has them (Encryption: S3
    encrypts every new bucket with SSE-S3 and cannot be told not to).
    """
    steps: list[tuple[str, str]] = [("OwnershipControls", "put" if configured(want.get("OwnershipControls")) else "delete")]
    pab, policy = want.get("PublicAccessBlock"), configured(want.get("Policy"))
    if not configured(pab):
        steps.append(("PublicAccessBlock", "delete"))
    elif blocks_policy(pab) and policy:
        steps.append(("PublicAccessBlock", "delete"))  # until the policy is in
    else:
        steps.append(("PublicAccessBlock", "put"))
    if policy:
        steps.append(("Policy", "put"))
    if configured(pab) and blocks_policy(pab) and policy:
        steps.append(("PublicAccessBlock", "put"))
    if (want.get("Versioning") or {}).get("Status"):
        steps.append(("Versioning", "put"))
    steps += [(name, "put") for name in ("Encryption", "Website", "Cors", "Lifecycle", "Tags", *LINKED)
              if configured(want.get(name))]
    return steps


def _system_tags(value: Any) -> list[str]:
    """Tag keys under ``aws:``: set by AWS services (CloudFormation), refused from users. Pure."""
    return sorted(k for k in (value or {}) if k.startswith("aws:"))


def _mfa_delete(value: Any) -> bool:
    return (value or {}).get("MFADelete") == "Enabled"


class Settings:
    """Plans one bucket's setting calls through one client."""

    def __init__(self, ctx: RestoreContext, address: str, bucket: str, client: Any) -> None:
        self.ctx, self.address, self.bucket, self.client = ctx, address, bucket, client

    def _op(self, verb: str, name: str, detail: str = "", run: Callable[[], Any] | None = None) -> Operation:
        return Operation(self.address, verb, f"s3://{self.bucket} {name}", detail, run=run,
                         kind=LINKS if name in LINKED else None)

    def put(self, name: str, value: Any, verb: str = "update") -> list[Operation]:
        """The call that puts the snapshot's *value* of setting *name* (and what it cannot)."""
        if has_marker(value) and not self.ctx.reveal.available:
            return [self._op(NEEDS_IDENTITY, name, IDENTITY_HINT)]
        ops = []
        if name == "Tags" and _system_tags(value):
            skipped = _system_tags(value)
            ops.append(self._op("cannot-restore", name, f"tags {', '.join(skipped)}: set by AWS services, not by users"))
            value = {k: v for k, v in value.items() if k not in skipped}
        if name == "Versioning" and _mfa_delete(value):
            ops.append(self._op("cannot-restore", "Versioning.MFADelete",
                                "only the root user, with its MFA device, can turn MFA delete on"))
        setting = CONFIG_CALLS[name]
        params = setting.params(value)
        ops.append(self._op(verb, name, run=lambda: getattr(self.client, setting.put)(Bucket=self.bucket, **params)))
        return ops

    def remove(self, name: str, detail: str) -> Operation:
        setting = CONFIG_CALLS[name]
        return self._op("delete", name, detail, run=lambda: setting.remove(self.client, self.bucket))

    def update(self, want: dict[str, Any], have: dict[str, Any]) -> list[Operation]:
        """A bucket that exists: each setting that differs, in :func:`config_order`."""
        ops: list[Operation] = []
        for name in config_order(want):
            w, h = want.get(name), have.get(name)
            if w == h or (not configured(w) and not configured(h)):
                continue
            if configured(w):
                ops += self.put(name, w)
            elif CONFIG_CALLS[name].delete or CONFIG_CALLS[name].cleared is not None:
                ops.append(self.remove(name, "(not configured in the snapshot)"))
            else:  # versioning, once enabled, can be suspended but never turned off again
                ops.append(self._op("not-restorable-yet", name,
                                    f"{name} was never enabled in the snapshot; once on it can only be suspended"))
        for name in sorted(set(want) | set(have)):
            if name not in CONFIG_CALLS and name not in ("Name", "Region") and want.get(name) != have.get(name):
                ops.append(self._op("not-restorable-yet", name, "differs; restore it by hand"))
        return ops

    def create(self, want: dict[str, Any]) -> list[Operation]:
        """A bucket being recreated: the calls of :func:`create_steps`."""
        ops: list[Operation] = []
        for name, action in create_steps(want):
            if action == "put":
                ops += self.put(name, want[name], verb="put")
            elif name == "PublicAccessBlock" and configured(want.get(name)):
                ops.append(self.remove(name, "(S3 blocks a public policy on a new bucket: lifted until the policy is in)"))
            else:
                ops.append(self.remove(name, "(S3 sets it on a new bucket; the snapshot has none)"))
        return ops
