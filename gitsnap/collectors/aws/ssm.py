"""SSM Parameter Store: parameters, with their values; SecureString values sealed, never in clear.

A String or StringList value is stored as it is (through the secrets detector, like every
string). A SecureString value is read ``WithDecryption`` (``[aws.ssm] decrypt``, the default)
and declared secret: the document holds its fingerprint, the value is sealed to the
repository's recipients, and restore puts it back with the identity. With ``decrypt = false``
only a fingerprint of the *encrypted* value is kept: a rewrite shows as a change, and restore
cannot put the value back. Versions, dates and the last modifier are not configuration.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import botocore.exceptions as bx

from ...secrets.fingerprint import PREFIX
from ..context import UnitContext
from ..errors import IncompleteAnswerError
from ..restoring import IDENTITY_HINT, NEEDS_IDENTITY, Operation, RestoreContext, Unrestorable
from ..spec import Call, Detail, Raw, ResourceType, Restorer
from .clients import TruncatedPageError, pages, translate
from .shapes import tag_map

# as restore.reveal says it (restore sits above the collectors: its copy cannot be imported here)
SECURE = "SecureString"


def parameter_id(name: str) -> str:
    """A parameter's id in its address: ``/app/db/url`` is ``ssm/app/db/url``. Only a hierarchy's
    leading slash is dropped (such names always have one), so ``/x`` and ``x`` stay apart. Pure."""
    return name[1:] if name.startswith("/") and "/" in name[1:] else name


def enumerate_parameters(ctx: UnitContext) -> Iterable[Raw]:
    """Every parameter of the region (DescribeParameters), each marked with whether its value is
    read WithDecryption."""
    what = f"ssm in {ctx.region}: ssm:DescribeParameters"
    try:
        found = [p for page in pages(ctx.client("ssm"), "describe_parameters") for p in page.get("Parameters", [])]
    except TruncatedPageError as exc:
        raise IncompleteAnswerError(f"{what}: {exc}; capture again (report it if it persists)") from exc
    except (bx.BotoCoreError, bx.ClientError) as exc:
        raise translate(exc, what) from exc
    decrypt = ctx.config.ssm_decrypt
    return [{**p, "WithDecryption": bool(decrypt and p.get("Type") == SECURE)} for p in found]


def fetch_encrypted(ctx: UnitContext, raw: Raw) -> Any:
    """A SecureString read without decryption: a keyed fingerprint of its encrypted value (a
    rewrite shows as a change; nothing is sealed: there is nothing to restore from it)."""
    param = raw.get("Parameter") or {}
    if param.get("Type") != SECURE or raw.get("WithDecryption") or param.get("Value") is None:
        return None
    return ctx.sink.guard.fingerprint(param["Value"])


def _policy(text: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return text


def transform_parameter(raw: Raw) -> Raw:
    """The parameter's configuration and value (SecureString: ``SecureValue``, to be sealed). Pure."""
    param = raw.get("Parameter") or {}
    kind = param.get("Type") or raw.get("Type")
    doc: dict[str, Any] = {"Name": raw["Name"], "Type": kind, "Tier": raw.get("Tier", "Standard"),
                           "DataType": param.get("DataType") or raw.get("DataType", "text"),
                           "Tags": tag_map(raw.get("Tags"))}
    for key in ("Description", "AllowedPattern"):
        if raw.get(key):
            doc[key] = raw[key]
    if kind == SECURE:
        doc["KeyId"] = raw.get("KeyId", "alias/aws/ssm")
        if raw.get("WithDecryption"):
            doc["SecureValue"] = param.get("Value")
        elif raw.get("EncryptedValue"):
            doc["EncryptedValue"] = raw["EncryptedValue"]
    else:
        doc["Value"] = param.get("Value")
    doc["Policies"] = sorted(({"PolicyType": p.get("PolicyType"), "PolicyText": _policy(p.get("PolicyText")),
                               "PolicyStatus": p.get("PolicyStatus")} for p in raw.get("Policies") or []),
                             key=lambda p: (str(p["PolicyType"]), json.dumps(p["PolicyText"], sort_keys=True)))
    return doc


# -- restore -------------------------------------------------------------------------------------

def _marked(value: Any) -> bool:
    return isinstance(value, str) and PREFIX in value


def value_field(doc: dict[str, Any]) -> str:
    """Which field holds the value: ``Value``, ``SecureValue`` or ``EncryptedValue``. Pure."""
    return next((f for f in ("SecureValue", "EncryptedValue") if f in doc), "Value")


def put_params(doc: dict[str, Any]) -> dict[str, Any]:
    """PutParameter's parameters for a document, but its value and tags. Pure."""
    params: dict[str, Any] = {"Name": doc["Name"], "Type": doc["Type"], "Tier": doc.get("Tier", "Standard"),
                              "DataType": doc.get("DataType", "text")}
    for key in ("Description", "AllowedPattern", "KeyId"):
        if doc.get(key):
            params[key] = doc[key]
    if doc.get("Policies"):
        params["Policies"] = json.dumps([p["PolicyText"] for p in doc["Policies"]])
    return params


def _no_value(address: str) -> Unrestorable:
    return Unrestorable(Operation(
        address, "cannot-restore", "SecureValue", "the snapshot holds no SecureString value (captured with "
        "[aws.ssm] decrypt = false): set it by hand (aws ssm put-parameter --overwrite)"))


def plan_create(ctx: RestoreContext, address: str) -> list[Operation]:
    """PutParameter with the snapshot's value, settings and tags."""
    want = ctx.want(address)
    field = value_field(want)
    if field == "EncryptedValue":
        raise _no_value(address)
    if _marked(want.get(field)) and not ctx.reveal.available:
        return [Operation(address, NEEDS_IDENTITY, field, f"sealed in the snapshot; {IDENTITY_HINT}")]
    params = {**put_params(want), "Value": want.get(field)}
    if want.get("Tags"):
        params["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(want["Tags"].items())]
    return [Operation(address, "create", "parameter", f"{want['Type']}, {params['Tier']}",
                      run=lambda: ctx.client("ssm", address).put_parameter(**params))]


def plan_update(ctx: RestoreContext, address: str) -> list[Operation]:
    """PutParameter ``Overwrite`` with the snapshot's settings (and value: live's own when the
    fingerprints agree, so an unchanged secret needs no identity); tags added and removed."""
    want, have = ctx.want(address), ctx.have(address)
    ops: list[Operation] = []
    field, live_field = value_field(want), value_field(have)
    same_value = field == live_field and want.get(field) == have.get(field)
    params = put_params(want)
    if put_params(have) != params or not same_value:
        if not same_value and field == "EncryptedValue":
            raise _no_value(address)
        if have.get("Tier") == "Advanced" and want.get("Tier") != "Advanced":
            ops.append(Operation(address, "cannot-restore", "Tier", "an Advanced parameter cannot go back to "
                                 "Standard: delete it live, then restore (its version history is lost)"))
            params["Tier"] = "Advanced"
        if have.get("Policies") and not want.get("Policies"):
            ops.append(Operation(address, "cannot-restore", "Policies", "PutParameter cannot remove policies: "
                                 "remove them by hand (console or a new parameter)"))
        if not same_value and _marked(want.get(field)) and not ctx.reveal.available:
            return [*ops, Operation(address, NEEDS_IDENTITY, field, f"sealed in the snapshot; {IDENTITY_HINT}")]
        changed = sorted({c.path.split(".")[0].split("[")[0] for c in ctx.diff(address, have, want)} - {"Tags"})
        ssm = ctx.client("ssm", address)

        def put() -> None:
            value = want.get(field)
            if same_value:  # live's own value: a sealed one needs no identity then
                value = ssm.get_parameter(Name=want["Name"], WithDecryption=True)["Parameter"]["Value"]
            ssm.put_parameter(**params, Value=value, Overwrite=True)

        ops.append(Operation(address, "update", "parameter", ", ".join(changed) + " (PutParameter --overwrite)", run=put))
    wt, ht = want.get("Tags") or {}, have.get("Tags") or {}
    add = [{"Key": k, "Value": v} for k, v in sorted(wt.items()) if ht.get(k) != v]
    drop = sorted(set(ht) - set(wt))
    if add or drop:
        def tags() -> None:
            ssm = ctx.client("ssm", address)
            if add:
                ssm.add_tags_to_resource(ResourceType="Parameter", ResourceId=want["Name"], Tags=add)
            if drop:
                ssm.remove_tags_from_resource(ResourceType="Parameter", ResourceId=want["Name"], TagKeys=drop)
        ops.append(Operation(address, "update", "Tags", f"{len(add)} set, {len(drop)} removed", run=tags))
    return ops


def plan_delete(ctx: RestoreContext, address: str) -> list[Operation]:
    name = ctx.have(address)["Name"]
    return [Operation(address, "delete", "parameter", "DeleteParameter (its history goes with it)",
                      run=lambda: ctx.client("ssm", address).delete_parameter(Name=name))]


PARAMETER = ResourceType(
    service="ssm",
    type="parameter",
    scope="regional",
    client="ssm",
    enumerate=enumerate_parameters,
    id=lambda r: parameter_id(r["Name"]),
    details=(
        Detail("Parameter", Call("get_parameter", params=lambda r: {"Name": r["Name"], "WithDecryption": r["WithDecryption"]},
                                 result="Parameter", identity=True, required=("Parameter",))),
        Detail("Tags", Call("list_tags_for_resource", params=lambda r: {"ResourceType": "Parameter", "ResourceId": r["Name"]},
                            result="TagList")),
        Detail("EncryptedValue", fetch=fetch_encrypted),
    ),
    transform=transform_parameter,
    status=("Policies.*.PolicyStatus",),
    secrets=("SecureValue",),
    schema="aws.ssm.parameter",
    permissions=("ssm:DescribeParameters",),
    restore=Restorer(update=plan_update, create=plan_create, delete=plan_delete, rank=15,
                     permissions=("ssm:PutParameter", "ssm:DeleteParameter", "ssm:AddTagsToResource",
                                  "ssm:RemoveTagsFromResource", "ssm:GetParameter")),
)

TYPES = (PARAMETER,)
