"""Functions: ``AWS::Lambda::Function`` with its aliases, the versions that hold its current code,
one permission per resource policy statement and its URLs; in Terraform the matching
``aws_lambda_*`` blocks (no version resource)."""

from __future__ import annotations

from typing import Any

from ...model import Block, Fields, Link, Named, Resource
from ...spec import LeftOut, Out
from ..common import tag_list
from .config import config_cloudformation, config_terraform
from .permissions import odd_statements, permission_of, statements

LATEST = "$LATEST"


def _fn_arn(r: Resource) -> Link:
    """The function's ARN: ``!GetAtt Fn.Arn`` / ``aws_lambda_function.x.arn``."""
    return Link(r.address, "Arn", r.doc["Configuration"]["FunctionArn"], tf_attr="arn")


def _fn_name(r: Resource) -> Link:
    return Link(r.address, None, r.doc["Configuration"]["FunctionName"], tf_attr="function_name")


def _role(f: Fields) -> Any:
    arn = f.get("Configuration.Role")
    address = f.get("RoleAddress")
    return Link(address, "Arn", arn, tf_attr="arn") if address else arn


def _layers(f: Fields) -> list[Any]:
    """Each layer version ARN, Named: the engine links it to the snapshot's layer when it is that
    layer's newest version (the layer's primary resource, which provides its ARN); an older
    version or another account's layer stays as recorded. LayerAddresses says which are known."""
    f.get("LayerAddresses")
    return [Named(layer["Arn"]) for layer in f.get("Configuration.Layers") or []]


def _code(r: Resource, f: Fields, out: Out) -> Any:
    """The function's code: an Artifact for a zip, the image URI for a container image."""
    image = f.get("ImageUri")
    if image:
        return {"ImageUri": image}
    code = f.get("Code") or {}
    if code.get("sealed"):
        raise LeftOut("its code package is sealed (a file in it holds a secret), so it cannot be written "
                      "beside the code; gitsnap restore puts it back")
    if not code.get("blob"):
        raise LeftOut("the snapshot holds no code package for this function")
    name = f.get("Configuration.FunctionName")
    return out.artifact(code["blob"], f"lambda/{r.account}/{r.region}/{name}.zip", code.get("size"))


def function_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("Configuration.FunctionName")
    f.computed("status", "UrlConfigs.*.FunctionUrl")
    props = {
        "FunctionName": name,
        "Code": _code(r, f, out),
        "Role": _role(f),
        **config_cloudformation(f),
        "Layers": _layers(f),
        "ReservedConcurrentExecutions": f.get("ReservedConcurrency"),
        "Tags": tag_list(f.get("Tags")),
    }
    out.resource("AWS::Lambda::Function", props, name, identifier={"FunctionName": name})
    arn = f.get("Configuration.FunctionArn")
    aliases = [a["Name"] for a in f.get("Aliases") or []]
    emitted_versions = _versions_cloudformation(r, f, out, name)
    for alias in f.get("Aliases") or []:
        weights = ((alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {})
        version = alias.get("FunctionVersion")
        out.resource("AWS::Lambda::Alias", {
            "FunctionName": _fn_name(r), "Name": alias["Name"], "FunctionVersion": version,
            "Description": alias.get("Description") or None,
            "RoutingConfig": {"AdditionalVersionWeights": [{"FunctionVersion": v, "FunctionWeight": w}
                                                           for v, w in sorted(weights.items())]} if weights else None,
        }, f"{name}-{alias['Name']}", identifier={"AliasArn": f"{arn}:{alias['Name']}"},
            depends_on=[emitted_versions[v] for v in [version, *weights] if v in emitted_versions])
    odd = []
    for alias, st in statements(f):
        perm = permission_of(st)
        if perm is None:
            odd.append(str(st.get("Sid")))
            continue
        target = (_fn_arn(r) if alias is None else {"Fn::Join": [":", [_fn_arn(r), alias]]})
        out.resource("AWS::Lambda::Permission", {"FunctionName": target, **perm},
                     f"{name}-{alias + '-' if alias else ''}{st.get('Sid', 'permission')}",
                     identifier={"FunctionName": arn if alias is None else f"{arn}:{alias}", "Id": st.get("Sid")},
                     depends_on=[f"{name}-{alias}"] if alias in aliases else None)
    odd_statements(f, odd)
    for qualifier, url in sorted((f.get("UrlConfigs") or {}).items()):
        q = None if qualifier == LATEST else qualifier
        out.resource("AWS::Lambda::Url", {
            "TargetFunctionArn": _fn_arn(r), "Qualifier": q, "AuthType": url.get("AuthType"),
            "InvokeMode": url.get("InvokeMode"), "Cors": url.get("Cors") or None,
        }, f"{name}-url{'-' + q if q else ''}", identifier={"FunctionArn": arn if q is None else f"{arn}:{q}"},
            depends_on=[f"{name}-{q}"] if q in aliases else None)


def _versions_cloudformation(r: Resource, f: Fields, out: Out, name: str) -> dict[str, str]:
    """One AWS::Lambda::Version per published version that holds the function's current code,
    each after the one before (Lambda numbers them in publish order). Returns version -> hint."""
    current = f.get("Configuration.CodeSha256")
    emitted: dict[str, str] = {}
    older = []
    previous: str | None = None
    for v in sorted(f.get("Versions") or [], key=lambda v: int(v["Version"]) if str(v["Version"]).isdigit() else 0):
        number = str(v["Version"])
        if v.get("CodeSha256") != current:
            older.append(number)
            continue
        hint = f"{name}-v{number}"
        out.resource("AWS::Lambda::Version", {"FunctionName": _fn_name(r), "Description": v.get("Description") or None,
                                              "CodeSha256": current},
                     hint, identifier={"FunctionArn": v.get("FunctionArn") or f"{r.doc['Configuration']['FunctionArn']}:{number}"},
                     depends_on=[previous] if previous else None)
        emitted[number] = hint
        previous = hint
    if older:
        f.unsupported("Versions", f"versions {', '.join(older)} hold older code than the function: CloudFormation "
                                  "publishes only the current code")
    return emitted


def function_terraform(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("Configuration.FunctionName")
    f.computed("status", "UrlConfigs.*.FunctionUrl")
    code = _code(r, f, out)
    body = {
        "function_name": name, "role": _role(f),
        "filename": code if not isinstance(code, dict) else None,
        # the hash of the recorded code: an imported function is then not given its code again
        "source_code_hash": f.get("Configuration.CodeSha256") if not isinstance(code, dict) else None,
        "image_uri": code.get("ImageUri") if isinstance(code, dict) else None,
        **config_terraform(f),
        "layers": _layers(f),
        "reserved_concurrent_executions": f.get("ReservedConcurrency"),
        "tags": f.get("Tags") or None,
    }
    out.block("aws_lambda_function", body, name, import_id=name)
    if f.get("Versions"):
        f.unsupported("Versions", "the AWS provider has no resource for a published version (aws_lambda_function "
                                  "publish = true publishes one per change); aliases name the recorded numbers")
    for alias in f.get("Aliases") or []:
        weights = ((alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {})
        out.block("aws_lambda_alias", {
            "name": alias["Name"], "function_name": _fn_name(r), "function_version": alias.get("FunctionVersion"),
            "description": alias.get("Description") or None,
            "routing_config": Block({"additional_version_weights": dict(sorted(weights.items()))}) if weights else None,
        }, f"{name}-{alias['Name']}", import_id=f"{name}/{alias['Name']}")
    odd = []
    for alias, st in statements(f):
        perm = permission_of(st)
        if perm is None or not st.get("Sid"):
            odd.append(str(st.get("Sid")))
            continue
        sid = st["Sid"]
        out.block("aws_lambda_permission", {
            "statement_id": sid, "action": perm["Action"], "function_name": _fn_name(r), "principal": perm["Principal"],
            "qualifier": alias, "source_arn": perm.get("SourceArn"), "source_account": perm.get("SourceAccount"),
            "principal_org_id": perm.get("PrincipalOrgID"), "event_source_token": perm.get("EventSourceToken"),
            "function_url_auth_type": perm.get("FunctionUrlAuthType"),
        }, f"{name}-{alias + '-' if alias else ''}{sid}",
            import_id=f"{name}{':' + alias if alias else ''}/{sid}")
        if perm.get("InvokedViaFunctionUrl"):
            odd.append(f"{sid} (lambda:InvokedViaFunctionUrl has no aws_lambda_permission argument)")
    odd_statements(f, odd)
    for qualifier, url in sorted((f.get("UrlConfigs") or {}).items()):
        q = None if qualifier == LATEST else qualifier
        cors = url.get("Cors") or {}
        out.block("aws_lambda_function_url", {
            "function_name": _fn_name(r), "qualifier": q, "authorization_type": url.get("AuthType"),
            "invoke_mode": url.get("InvokeMode"),
            "cors": Block({"allow_credentials": cors.get("AllowCredentials"), "allow_headers": cors.get("AllowHeaders"),
                           "allow_methods": cors.get("AllowMethods"), "allow_origins": cors.get("AllowOrigins"),
                           "expose_headers": cors.get("ExposeHeaders"), "max_age": cors.get("MaxAge")}) if cors else None,
        }, f"{name}-url{'-' + q if q else ''}", import_id=name if q is None else f"{name}/{q}")
