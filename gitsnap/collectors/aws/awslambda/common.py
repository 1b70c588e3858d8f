"""What the Lambda restore steps share: the service's guards, the wait for a function to settle,
sealed values, and the function's layer references resolved against live state.

Real AWS is stricter than the local endpoint in ways that matter half-way through an apply
(docs/restore.md, "On real AWS"): a Lambda write waits until the function's ``LastUpdateStatus``
is no longer ``InProgress`` (and a new function's ``State`` no longer ``Pending``) before the next
one; each update carries the ``RevisionId`` it read.
"""

from __future__ import annotations

import json
from typing import Any

import botocore.exceptions as bx

from ....secrets.fingerprint import MARKER
from ....secrets.seal import value_path
from ...restoring import Operation, RestoreContext, RestoreError, Unrestorable
from ..clients import error_code

STALE = ("PreconditionFailed", "PreconditionFailedException")
MAX_SHOWN = 160


class FunctionUpdateError(RestoreError):
    """A Lambda update did not complete: it failed, or was still in progress after the wait."""


def shown(v: Any) -> str:
    """A value as a plan line shows it (JSON, cut to a line). Pure."""
    text = json.dumps(v, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."


def both(ctx: RestoreContext, address: str, missing: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The snapshot's and the live document of a resource, or Unrestorable saying why not."""
    want, have = ctx.want(address), ctx.have(address)
    if want is None or have is None:
        raise Unrestorable(Operation(address, "cannot-restore", address, missing))
    return want, have


def guarded(what: str, fn: Any, **kw: Any) -> Any:
    """Call *fn*; the service refusing a stale RevisionId is a one-line RestoreError."""
    try:
        return fn(**kw)
    except bx.ClientError as exc:
        if error_code(exc) in STALE:
            raise RestoreError(f"{what} changed after the plan was made (the service refused the stale "
                               "version); nothing more was applied: plan again") from exc
        raise


def revision(config: dict[str, Any]) -> dict[str, str]:
    """The RevisionId guard, when the service returns one (AWS does; moto's server does not)."""
    return {"RevisionId": config["RevisionId"]} if config.get("RevisionId") else {}


def settled(ctx: RestoreContext, lam: Any, address: str, name: str, after: str | None = None) -> dict[str, Any]:
    """The function's configuration once no update is in progress on it.

    Real Lambda applies an update asynchronously: until ``LastUpdateStatus`` leaves
    ``InProgress`` (and, for a function still being created, ``State`` leaves ``Pending``)
    the next update is refused with ResourceConflictException. The acceptors are those of
    botocore's ``function_updated`` waiter (GetFunctionConfiguration, the call that also gives
    the RevisionId to send next), written out so that a status the endpoint does not report
    counts as settled instead of retried to the timeout, and a failure says why in one line.

    Args:
        after: what this restore just did ("the code update"); then ``Failed`` is an error.
            Without it (before a write) an earlier failed update does not block a new one.
    """
    waits = ctx.waits
    for attempt in range(waits.attempts):
        conf = lam.get_function_configuration(FunctionName=name)
        status = conf.get("LastUpdateStatus")
        if after and (status == "Failed" or conf.get("State") == "Failed"):
            code, reason = (("LastUpdateStatusReasonCode", "LastUpdateStatusReason") if status == "Failed"
                            else ("StateReasonCode", "StateReason"))
            why = ": ".join(str(x) for x in (conf.get(code), conf.get(reason)) if x) or "no reason given"
            raise FunctionUpdateError(f"{address}: {after} of function {name} failed ({why}); the operations before "
                                      "it were applied: fix the cause, then plan again")
        if status != "InProgress" and conf.get("State") != "Pending":
            return conf
        if attempt + 1 < waits.attempts:
            waits.sleep(waits.delay)
    raise FunctionUpdateError(f"{address}: function {name} was still updating (LastUpdateStatus InProgress) after "
                              f"{waits.attempts} checks{' following ' + after if after else ''}; wait for it, then "
                              "plan again")


def unsealed(ctx: RestoreContext, value: str) -> list[str]:
    """The fingerprints in *value* that the snapshot has no sealed value for: nothing can
    write them back, with or without the identity. Pure (reads the snapshot's file list)."""
    return [m.group(1) for m in MARKER.finditer(value) if value_path(m.group(1)) not in ctx.snapshot.files]


# -- layer references -------------------------------------------------------------------------

def layer_parts(arn: str) -> tuple[str, int] | None:
    """(layer name, version) of a layer version ARN, or None. Pure."""
    parts = arn.split(":")
    if len(parts) != 8 or parts[5] != "layer" or not parts[7].isdigit():
        return None
    return parts[6], int(parts[7])


def stand_in(layer_doc: Any, sha: str, number: int) -> int | None:
    """The version of a layer document that holds the same content as the snapshot's version
    *number* (CodeSha256 *sha*) under another number: what republishing it made. Pure."""
    for v in (layer_doc or {}).get("Versions") or []:
        if v.get("Version") != number and (v.get("Content") or {}).get("CodeSha256") == sha:
            return v["Version"]
    return None


def snapshot_sha(ctx: RestoreContext, address: str, number: int) -> str | None:
    """The snapshot's CodeSha256 of version *number* of the layer at *address*."""
    for v in (ctx.want(address) or {}).get("Versions") or []:
        if v.get("Version") == number:
            return (v.get("Content") or {}).get("CodeSha256")
    return None


def live_version_with(lam: Any, name: str, sha: str) -> str | None:
    """At apply time: the ARN of the newest live version of layer *name* whose content is *sha*."""
    versions = [v for page in lam.get_paginator("list_layer_versions").paginate(LayerName=name)
                for v in page.get("LayerVersions", [])]
    for v in sorted(versions, key=lambda v: -v["Version"]):
        got = lam.get_layer_version(LayerName=name, VersionNumber=v["Version"])
        if (got.get("Content") or {}).get("CodeSha256") == sha:
            return got["LayerVersionArn"]
    return None


class Layers:
    """A function's wanted layer ARNs, checked against live state: which exist, which are gone
    and have a republished copy (or will: restoring the layer publishes one), which cannot be had.

    ``notes`` are plan lines (Operation detail) for the gone ones; ``blocked`` the ones nothing can
    put back; ``arns()`` at apply time gives the ARNs to send (a gone version replaced by the
    newest live version with the same content)."""

    def __init__(self, ctx: RestoreContext, address: str, wanted: list[str], addresses: dict[str, str]) -> None:
        self.ctx, self.address, self.wanted = ctx, address, wanted
        self.notes: list[str] = []
        self.blocked: list[str] = []
        self.standing: list[str] = []  # gone, and live already has the copy: nothing more can be done
        self._gone: dict[str, tuple[str, str]] = {}  # arn -> (layer name, sha)
        self._copy: dict[str, str] = {}  # arn -> the ARN of its live copy, where live has one
        for arn in wanted:
            where, parts = addresses.get(arn), layer_parts(arn)
            if where is None or parts is None:
                continue  # another account's layer (or AWS's): not captured here, sent as it is
            name, number = parts
            have = ctx.have(where)
            if any(v.get("Version") == number for v in (have or {}).get("Versions") or []):
                continue
            sha = snapshot_sha(ctx, where, number)
            if sha is None:
                self.blocked.append(f"{name}:{number} does not exist live and the snapshot has no copy of it")
                continue
            self._gone[arn] = (name, sha)
            copy = stand_in(have, sha, number)
            if copy is not None:
                self._copy[arn] = f"{arn.rsplit(':', 1)[0]}:{copy}"
                self.standing.append(f"{name}:{number} cannot be recreated under its number; live has its "
                                     f"copy as {name}:{copy}")
            self.notes.append(f"{name}:{number} is gone: uses "
                              + (f"its copy {name}:{copy}" if copy is not None else
                                 f"the copy restoring {where} publishes (restore it too)")
                              + " (a layer version cannot be recreated under its number)")

    def planned(self) -> list[str]:
        """The ARNs as far as the plan can tell: a gone version replaced by the live copy it knows."""
        return [self._copy.get(arn, arn) for arn in self.wanted]

    def arns(self, lam: Any) -> list[str]:
        out = []
        for arn in self.wanted:
            if arn not in self._gone:
                out.append(arn)
                continue
            name, sha = self._gone[arn]
            found = live_version_with(lam, name, sha)
            if found is None:
                raise RestoreError(f"{self.address}: layer {name} has no version with the content of {arn} "
                                   f"live; restore lambda/layer/{name} first, then plan again")
            out.append(found)
        return out
