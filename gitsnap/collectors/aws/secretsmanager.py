"""Secrets Manager: each secret's metadata (description, KMS key, rotation, replication, tags,
resource policy) and, only for the secrets ``[aws.secretsmanager] values`` names, its current
value: fingerprinted in the document and sealed, never in clear.

A secret scheduled for deletion is captured too, with its ``DeletedDate``: restore then cancels
the deletion (RestoreSecret). Dates, version ids and the ARN (its random suffix changes when a
secret is recreated) are not configuration.
"""

from __future__ import annotations

import base64
import fnmatch
import json
from typing import Any

import botocore.exceptions as bx

from ...secrets.fingerprint import PREFIX
from ..context import UnitContext
from ..errors import VanishedError
from ..restoring import IDENTITY_HINT, NEEDS_IDENTITY, Operation, RestoreContext, Unrestorable
from ..spec import Call, Detail, Raw, ResourceType, Restorer
from .clients import error_code, parse_document, translate
from .shapes import tag_map

# as restore.reveal says it (restore sits above the collectors: its copy cannot be imported here)
RECOVERY_DAYS = 30  # DeleteSecret's recovery window: RestoreSecret can undo it for this long
DEFAULT_KEY = "alias/aws/secretsmanager"
VALUE_FIELDS = ("SecretString", "SecretBinary")


def wants_value(config: Any, name: str) -> bool:
    """Whether ``[aws.secretsmanager] values`` names this secret. Pure."""
    return any(fnmatch.fnmatchcase(name, g) for g in getattr(config, "secretsmanager_values", ()))


def _what(raw: Raw, call: str) -> str:
    return f"secretsmanager/{raw['Name']}: secretsmanager:{call}"


def fetch_policy(ctx: UnitContext, raw: Raw) -> Any:
    """The resource policy, parsed (None: none). A replica has none of its own: its primary's
    applies, and GetResourcePolicy is refused there."""
    secret = raw.get("Secret") or {}
    if secret.get("PrimaryRegion"):
        return None
    try:
        text = ctx.client("secretsmanager").get_resource_policy(SecretId=secret.get("ARN") or raw["Name"]).get("ResourcePolicy")
    except (bx.BotoCoreError, bx.ClientError) as exc:
        raise translate(exc, _what(raw, "GetResourcePolicy")) from exc
    return parse_document(text) if text else None


def fetch_value(ctx: UnitContext, raw: Raw) -> Any:
    """The current value, only when asked: ``{"SecretString": ...}``, ``{"SecretBinary": base64}``,
    or ``{"NoValue": True}`` for a secret that has none. None: not asked, or not readable
    (scheduled for deletion)."""
    secret = raw.get("Secret") or {}
    if not wants_value(ctx.config, raw["Name"]) or secret.get("DeletedDate"):
        return None
    sm = ctx.client("secretsmanager")
    sid = secret.get("ARN") or raw["Name"]
    try:
        got = sm.get_secret_value(SecretId=sid)
    except (bx.BotoCoreError, bx.ClientError) as exc:
        if error_code(exc) != "ResourceNotFoundException":
            raise translate(exc, _what(raw, "GetSecretValue")) from exc
        try:  # no current version, or no secret any more: DescribeSecret tells them apart
            sm.describe_secret(SecretId=sid)
        except (bx.BotoCoreError, bx.ClientError) as again:
            if error_code(again) == "ResourceNotFoundException":
                raise VanishedError(f"{_what(raw, 'GetSecretValue')}: gone", of_resource=True) from again
            raise translate(again, _what(raw, "DescribeSecret")) from again
        return {"NoValue": True}
    if got.get("SecretBinary") is not None:
        return {"SecretBinary": base64.b64encode(bytes(got["SecretBinary"])).decode("ascii")}
    return {"SecretString": got.get("SecretString")}


def transform_secret(raw: Raw) -> Raw:
    """Metadata (and the value when captured, to be sealed). Pure."""
    s = {**raw, **(raw.get("Secret") or {})}
    doc: dict[str, Any] = {"Name": s["Name"], "RotationEnabled": bool(s.get("RotationEnabled")),
                           "Tags": tag_map(s.get("Tags")), "ResourcePolicy": raw.get("ResourcePolicy"),
                           "Replicas": sorted(({"Region": r["Region"], "KmsKeyId": r.get("KmsKeyId", DEFAULT_KEY)}
                                               for r in s.get("ReplicationStatus") or []), key=lambda r: r["Region"])}
    for key in ("Description", "KmsKeyId", "RotationLambdaARN", "PrimaryRegion", "OwningService", "DeletedDate"):
        if s.get(key):
            doc[key] = s[key]
    rules = {k: v for k, v in (s.get("RotationRules") or {}).items() if v}
    if rules:
        doc["RotationRules"] = rules
    doc.update(raw.get("Value") or {})
    return doc


# -- restore -------------------------------------------------------------------------------------

def _marked(value: Any) -> bool:
    return isinstance(value, str) and PREFIX in value


def _value(ctx: RestoreContext, doc: dict[str, Any]) -> dict[str, Any]:
    """The value as CreateSecret / PutSecretValue take it. A string's fingerprint is opened by
    the client's hook; a binary's here (it travels base64 in the document)."""
    if "SecretBinary" in doc:
        opened = ctx.reveal.text(doc["SecretBinary"], "a sealed SecretBinary") if _marked(doc["SecretBinary"]) else doc["SecretBinary"]
        return {"SecretBinary": base64.b64decode(opened)}
    return {"SecretString": doc["SecretString"]} if "SecretString" in doc else {}


def _needs_identity(ctx: RestoreContext, address: str, doc: dict[str, Any]) -> Operation | None:
    field = next((f for f in VALUE_FIELDS if _marked(doc.get(f))), None)
    if field and not ctx.reveal.available:
        return Operation(address, NEEDS_IDENTITY, field, f"sealed in the snapshot; {IDENTITY_HINT}")
    return None


def _replica(address: str, doc: dict[str, Any]) -> Unrestorable:
    return Unrestorable(Operation(address, "cannot-restore", address,
                                  f"a replica of the secret in {doc['PrimaryRegion']}: restore that one (its "
                                  "replication recreates this)"))


class _Plan:
    def __init__(self, ctx: RestoreContext, address: str, name: str) -> None:
        self.ctx, self.address, self.name = ctx, address, name
        self.ops: list[Operation] = []

    def sm(self) -> Any:
        return self.ctx.client("secretsmanager", self.address)

    def add(self, verb: str, target: str, detail: str, call: str | None = None, **params: Any) -> None:
        run = (lambda: getattr(self.sm(), call)(SecretId=self.name, **params)) if call else None
        self.ops.append(Operation(self.address, verb, target, detail, run=run))

    def rotation(self, want: dict[str, Any], have: dict[str, Any] | None) -> None:
        spec = {k: want[k] for k in ("RotationLambdaARN", "RotationRules") if k in want}
        live = {k: have[k] for k in ("RotationLambdaARN", "RotationRules") if k in (have or {})}
        if want["RotationEnabled"] and (not (have or {}).get("RotationEnabled") or spec != live):
            self.add("update", "Rotation", "RotateSecret (RotateImmediately false: the value stays)",
                     "rotate_secret", RotateImmediately=False, **spec)
        elif have and have["RotationEnabled"] and not want["RotationEnabled"]:
            self.add("update", "Rotation", "off (CancelRotateSecret)", "cancel_rotate_secret")

    def policy(self, want: dict[str, Any], have: dict[str, Any] | None) -> None:
        wp, hp = want.get("ResourcePolicy"), (have or {}).get("ResourcePolicy")
        if wp and wp != hp:
            self.add("put", "ResourcePolicy", "", "put_resource_policy", ResourcePolicy=json.dumps(wp))
        elif hp and not wp:
            self.add("delete", "ResourcePolicy", "", "delete_resource_policy")

    def tags(self, want: dict[str, Any], have: dict[str, Any]) -> None:
        wt, ht = want.get("Tags") or {}, have.get("Tags") or {}
        add = [{"Key": k, "Value": v} for k, v in sorted(wt.items()) if ht.get(k) != v]
        drop = sorted(set(ht) - set(wt))
        if add:
            self.add("update", "Tags", f"{len(add)} set", "tag_resource", Tags=add)
        if drop:
            self.add("update", "Tags", f"{len(drop)} removed", "untag_resource", TagKeys=drop)

    def replicas(self, want: dict[str, Any], have: dict[str, Any]) -> None:
        wr, hr = {r["Region"]: r for r in want["Replicas"]}, {r["Region"]: r for r in have.get("Replicas") or []}
        add = [wr[r] for r in sorted(wr) if r not in hr]
        if add:
            self.add("create", "Replicas", ", ".join(r["Region"] for r in add), "replicate_secret_to_regions",
                     AddReplicaRegions=add)
        gone = sorted(set(hr) - set(wr))
        if gone and self.ctx.delete:
            self.add("delete", "Replicas", ", ".join(gone) + " (--delete)", "remove_regions_from_replication",
                     RemoveReplicaRegions=gone)
        elif gone:
            self.add("kept", "Replicas", ", ".join(gone) + " live only; --delete removes them")
        for r in sorted(set(wr) & set(hr)):
            if wr[r] != hr[r]:
                self.add("cannot-restore", f"Replicas {r}", "a replica's KMS key: remove the replica and restore "
                                                            "with --delete, then restore again")


def plan_create(ctx: RestoreContext, address: str) -> list[Operation]:
    """CreateSecret with the sealed value, then its resource policy and rotation. Without a
    captured value there is nothing to create it with."""
    want = ctx.want(address)
    if want.get("PrimaryRegion"):
        raise _replica(address, want)
    if want.get("DeletedDate"):
        return []  # scheduled for deletion in the snapshot, and gone since: nothing to put back
    if not any(f in want for f in (*VALUE_FIELDS, "NoValue")):
        raise Unrestorable(Operation(address, "cannot-restore", address,
                                     "it does not exist live and its value was not captured ([aws.secretsmanager] "
                                     "values): gitsnap cannot invent one; recreate it by hand"))
    blocked = _needs_identity(ctx, address, want)
    if blocked:
        return [blocked]
    p = _Plan(ctx, address, want["Name"])
    params: dict[str, Any] = {"Name": want["Name"]}
    for key in ("Description", "KmsKeyId"):
        if want.get(key):
            params[key] = want[key]
    if want.get("Tags"):
        params["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(want["Tags"].items())]
    if want["Replicas"]:
        params["AddReplicaRegions"] = want["Replicas"]
    p.ops.append(Operation(address, "create", "secret", "with its sealed value" if "NoValue" not in want else "no value",
                           run=lambda: p.sm().create_secret(**params, **_value(ctx, want))))
    p.policy(want, None)
    p.rotation(want, None)
    return p.ops


def plan_update(ctx: RestoreContext, address: str) -> list[Operation]:
    """Cancel a deletion (RestoreSecret), then description and key, value, rotation, tags,
    resource policy, replicas."""
    want, have = ctx.want(address), ctx.have(address)
    if want.get("PrimaryRegion"):
        raise _replica(address, want)
    p = _Plan(ctx, address, want["Name"])
    if want.get("DeletedDate") and have.get("DeletedDate"):
        return []  # scheduled for deletion on both sides: nothing to put back (and nothing can be changed)
    if want.get("DeletedDate"):
        if ctx.delete:
            p.add("delete", "secret", f"scheduled for deletion again, recoverable for {RECOVERY_DAYS} days (--delete)",
                  "delete_secret", RecoveryWindowInDays=RECOVERY_DAYS)
        else:
            p.add("kept", "secret", "scheduled for deletion in the snapshot; --delete schedules it again")
        return p.ops
    if have.get("DeletedDate") and not want.get("DeletedDate"):
        p.add("update", "DeletedDate", "deletion cancelled (RestoreSecret)", "restore_secret")
    for key, default in (("Description", ""), ("KmsKeyId", DEFAULT_KEY)):
        if want.get(key) != have.get(key):
            p.add("update", key, "UpdateSecret", "update_secret", **{key: want.get(key) or default})
    field = next((f for f in (*VALUE_FIELDS, "NoValue") if f in want), None)
    if field and field != "NoValue" and want[field] != have.get(field):
        blocked = _needs_identity(ctx, address, want)
        if blocked:
            p.ops.append(blocked)
        else:
            p.ops.append(Operation(address, "put", field, "a new current version (PutSecretValue)",
                                   run=lambda: p.sm().put_secret_value(SecretId=p.name, **_value(ctx, want))))
    elif field == "NoValue" and any(f in have for f in VALUE_FIELDS):
        p.add("cannot-restore", "SecretString", "the snapshot's secret had no value, and a value cannot be removed")
    p.rotation(want, have)
    p.tags(want, have)
    p.policy(want, have)
    p.replicas(want, have)
    return p.ops


def plan_delete(ctx: RestoreContext, address: str) -> list[Operation]:
    """DeleteSecret with a recovery window (never ForceDeleteWithoutRecovery): RestoreSecret
    can bring it back for 30 days."""
    have = ctx.have(address)
    if have.get("PrimaryRegion"):
        raise _replica(address, have)
    if have.get("DeletedDate"):
        return []  # already scheduled for deletion
    p = _Plan(ctx, address, have["Name"])
    p.add("delete", "secret", f"recoverable for {RECOVERY_DAYS} days (RestoreSecret)", "delete_secret",
          RecoveryWindowInDays=RECOVERY_DAYS)
    return p.ops


SECRET = ResourceType(
    service="secretsmanager",
    type="secret",
    scope="regional",
    client="secretsmanager",
    list=Call("list_secrets", params=lambda _r: {"IncludePlannedDeletion": True}, result="SecretList", paginate=True),
    id=lambda r: r["Name"],
    details=(
        Detail("Secret", Call("describe_secret", params=lambda r: {"SecretId": r.get("ARN") or r["Name"]},
                              identity=True, required=("Name",))),
        Detail("ResourcePolicy", fetch=fetch_policy),
        Detail("Value", fetch=fetch_value),
    ),
    transform=transform_secret,
    secrets=VALUE_FIELDS,
    schema="aws.secretsmanager.secret",
    permissions=("secretsmanager:GetResourcePolicy", "secretsmanager:GetSecretValue"),
    restore=Restorer(
        update=plan_update, create=plan_create, delete=plan_delete, rank=15,
        permissions=("secretsmanager:CreateSecret", "secretsmanager:UpdateSecret", "secretsmanager:PutSecretValue",
                     "secretsmanager:DeleteSecret", "secretsmanager:RestoreSecret", "secretsmanager:RotateSecret",
                     "secretsmanager:CancelRotateSecret", "secretsmanager:TagResource",
                     "secretsmanager:UntagResource", "secretsmanager:PutResourcePolicy",
                     "secretsmanager:DeleteResourcePolicy", "secretsmanager:ReplicateSecretToRegions",
                     "secretsmanager:RemoveRegionsFromReplication")),
)

TYPES = (SECRET,)
