"""Function URL configs: one per qualifier (the unqualified function, ``$LATEST``, or an alias),
each with its auth type, CORS and invoke mode, created, updated or deleted back to the snapshot.

The URL itself (``FunctionUrl``) is the service's choice: a URL config created again gets a new
one, and whatever pointed at the old URL (a CloudFront origin) must be pointed at the new one.
The plan says so instead of pretending the URL came back.
"""

from __future__ import annotations

from typing import Any

from ...restoring import Operation, RestoreContext
from .common import shown

LATEST = "$LATEST"
SETTINGS = ("AuthType", "Cors", "InvokeMode")


def url_params(name: str, qualifier: str, config: dict[str, Any]) -> dict[str, Any]:
    """Create/UpdateFunctionUrlConfig parameters for one stored URL config. Pure."""
    params = {"FunctionName": name, **{k: config[k] for k in SETTINGS if config.get(k) is not None}}
    if qualifier != LATEST:
        params["Qualifier"] = qualifier
    return params


def plan_url_configs(ctx: RestoreContext, address: str, name: str, want: dict[str, Any],
                     have: dict[str, Any]) -> list[Operation]:
    """Each qualifier's URL config back as the snapshot has it (``have`` empty: all created)."""
    lam = ctx.client("lambda", address)
    ops = []
    for q in sorted(set(want) | set(have)):
        target = f"UrlConfigs.{q}"
        w, h = want.get(q), have.get(q)
        params = url_params(name, q, w) if w is not None else {}
        if w is not None and h is None:
            old = w.get("FunctionUrl")
            ops.append(Operation(address, "create", target,
                                 f"{w.get('AuthType')}; gets a new URL (the service chooses it; was {old}): "
                                 "point what used the old one at it" if old else str(w.get("AuthType")),
                                 run=lambda p=params: lam.create_function_url_config(**p)))
        elif w is not None and h is not None:
            changed = {k: w.get(k) for k in SETTINGS if w.get(k) != h.get(k)}
            if changed:
                ops.append(Operation(address, "update", target,
                                     ", ".join(f"{k} {shown(h.get(k))} -> {shown(v)}" for k, v in changed.items()),
                                     run=lambda p=params: lam.update_function_url_config(**p)))
            elif w.get("FunctionUrl") != h.get("FunctionUrl"):
                ops.append(Operation(address, "cannot-restore", f"{target}.FunctionUrl",
                                     f"the URL is the service's choice: live is {h.get('FunctionUrl')}, the snapshot "
                                     f"had {w.get('FunctionUrl')}; point what used the old one at the new one"))
        elif h is not None:
            qual = {} if q == LATEST else {"Qualifier": q}
            ops.append(Operation(address, "delete", target,
                                 run=lambda x=qual: lam.delete_function_url_config(FunctionName=name, **x))
                       if ctx.delete else Operation(address, "kept", target, "live only; --delete removes it"))
    return ops
