"""Layers: one ``AWS::Lambda::LayerVersion`` / ``aws_lambda_layer_version`` per version whose content
the snapshot holds (the newest is the layer's primary resource), with its permission statements."""

from __future__ import annotations

from typing import Any

from ...hcl import Expr
from ...model import Block, Fields, Link, Resource
from ...spec import Artifact, LeftOut, Out


def _layer_principal(principal: Any) -> Any:
    """A layer statement's principal as AddLayerVersionPermission takes it: an account id or ``*``."""
    if isinstance(principal, dict):
        principal = principal.get("AWS")
    if isinstance(principal, str) and principal.startswith("arn:") and principal.endswith(":root"):
        return principal.split(":")[4]
    return principal


def _layer_grants(policy: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """(grants, odd statement ids) of a layer version's policy: each grant {Sid, Action,
    Principal, OrganizationId}. Pure."""
    grants, odd = [], []
    for st in (policy or {}).get("Statement") or []:
        principal = _layer_principal(st.get("Principal"))
        cond = st.get("Condition") or {}
        org = (cond.get("StringEquals") or {}).get("aws:PrincipalOrgID")
        other = {k: v for k, v in cond.items() if k != "StringEquals"} or \
            {k for k in (cond.get("StringEquals") or {}) if k != "aws:PrincipalOrgID"}
        if st.get("Effect") != "Allow" or not isinstance(principal, str) or not isinstance(st.get("Action"), str) or other:
            odd.append(str(st.get("Sid")))
            continue
        grants.append({"Sid": st.get("Sid"), "Action": st["Action"], "Principal": principal, "OrganizationId": org})
    return grants, odd


def newest_version_arn(doc: dict[str, Any]) -> str | None:
    """The ARN of the layer's newest version with content: what its primary resource is."""
    written = [v for v in doc.get("Versions") or [] if (v.get("Code") or {}).get("blob")]
    return max(written, key=lambda v: int(v["Version"]))["LayerVersionArn"] if written else None


def _layer_versions(f: Fields) -> tuple[str, list[dict[str, Any]], list[str]]:
    """The layer's name, the versions that can be written (newest first: the newest is the
    layer's primary resource, the one a function's Link refers to) and notes on those that cannot."""
    name = f.get("LayerName")
    f.computed("LayerArn", "status")
    versions, notes = [], []
    for v in f.get("Versions") or []:
        code = v.get("Code") or {}
        if code.get("blob"):
            versions.append(v)
        else:
            notes.append(f"version {v.get('Version')}: " + ("its content is sealed (a file in it holds a secret)"
                                                           if code.get("sealed") else "the snapshot holds no content"))
    if not versions:
        raise LeftOut("no version of this layer has content the output can carry: " + "; ".join(notes))
    return name, sorted(versions, key=lambda v: -int(v["Version"])), notes


def _content(r: Resource, name: str, version: dict[str, Any], out: Out) -> Artifact:
    """A version's zip, written beside the code."""
    code = version["Code"]
    return out.artifact(code["blob"], f"lambda/{r.account}/{r.region}/layers/{name}/{version['Version']}.zip",
                        code.get("size"))


def layer_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name, versions, notes = _layer_versions(f)
    hints = {v["Version"]: f"{name}-{v['Version']}" for v in versions}
    ordered = sorted(hints)
    odd_all = []
    for v in versions:
        number = v["Version"]
        art = _content(r, name, v, out)
        before = [hints[n] for n in ordered if n < number][-1:]
        out.resource("AWS::Lambda::LayerVersion", {
            "LayerName": name, "Content": art, "Description": v.get("Description") or None,
            "LicenseInfo": v.get("LicenseInfo"), "CompatibleRuntimes": v.get("CompatibleRuntimes"),
            "CompatibleArchitectures": v.get("CompatibleArchitectures"),
        }, hints[number], identifier={"LayerVersionArn": v.get("LayerVersionArn")}, depends_on=before)
        grants, odd = _layer_grants(v.get("Policy"))
        odd_all += [f"version {number} {s}" for s in odd]
        primary = number == versions[0]["Version"]
        for g in grants:
            arn = Link(r.address, None, v["LayerVersionArn"], tf_attr="arn") if primary else v["LayerVersionArn"]
            out.resource("AWS::Lambda::LayerVersionPermission", {
                "LayerVersionArn": arn, "Action": g["Action"], "Principal": g["Principal"],
                "OrganizationId": g["OrganizationId"]}, f"{name}-{number}-{g['Sid'] or 'grant'}",
                depends_on=None if primary else [hints[number]])
    _layer_notes(f, notes, odd_all)


def _layer_notes(f: Fields, notes: list[str], odd: list[str]) -> None:
    if odd:
        notes.append("permission statements with another shape than AddLayerVersionPermission makes: " + ", ".join(odd))
    f.computed("Versions.*.Version", "Versions.*.LayerVersionArn", "Versions.*.Content", "Versions.*.Code")
    if notes:
        f.unsupported("Versions", "; ".join(notes) + " (numbers are Lambda's: a fresh account numbers them 1, 2, ...)")


def layer_terraform(r: Resource, f: Fields, out: Out) -> None:
    name, versions, notes = _layer_versions(f)
    odd_all = []
    for v in versions:
        number = v["Version"]
        art = _content(r, name, v, out)
        out.block("aws_lambda_layer_version", {
            "layer_name": name, "filename": art, "source_code_hash": (v.get("Content") or {}).get("CodeSha256"),
            "description": v.get("Description") or None, "license_info": v.get("LicenseInfo"),
            "compatible_runtimes": v.get("CompatibleRuntimes"),
            "compatible_architectures": v.get("CompatibleArchitectures"),
            # a version is immutable, and the provider reads none of these back on import: a
            # change in them would replace it, deleting the version being adopted
            "lifecycle": Block({"ignore_changes": [Expr("filename"), Expr("source_code_hash"), Expr("skip_destroy")]}),
        }, f"{name}-{number}", import_id=v.get("LayerVersionArn"))
        grants, odd = _layer_grants(v.get("Policy"))
        odd_all += [f"version {number} {s}" for s in odd]
        # the provider imports a version's permission by layer and version alone: one per version
        odd_all += [f"version {number} {g['Sid']} (Terraform keeps one permission per version)" for g in grants[1:]]
        for g in grants[:1]:
            layer_arn = v["LayerVersionArn"].rsplit(":", 1)[0]
            out.block("aws_lambda_layer_version_permission", {
                "layer_name": layer_arn, "version_number": number, "statement_id": g["Sid"],
                "action": g["Action"], "principal": g["Principal"], "organization_id": g["OrganizationId"],
                "lifecycle": Block({"ignore_changes": [Expr("skip_destroy")]}),  # not read back on import
            }, f"{name}-{number}-{g['Sid'] or 'grant'}", import_id=f"{layer_arn},{number}")
    _layer_notes(f, notes, odd_all)
