"""ACM (regional): certificates (domains, SANs, status, validation, key algorithm, expiry,
in-use-by). Private keys are never requested: no API here returns them.

Restore sets a certificate's tags and its certificate transparency logging preference in place,
and deletes one requested since the snapshot with --delete. A deleted certificate is not
recreated: its private key never left ACM, and a newly requested one is another certificate,
with a new ARN, that CloudFront, API Gateway and load balancers do not use until they are
pointed at it. The plan gives the request command instead.
"""

from __future__ import annotations

from typing import Any

from ..context import UnitContext
from ..restoring import Operation, RestoreContext, Unrestorable
from ..run import call
from ..spec import Call, Detail, Raw, ResourceType, Restorer
from .shapes import tag_map


def cert_id(raw: Raw) -> str:
    return raw["CertificateArn"].rsplit("/", 1)[-1]


def transform_certificate(raw: Raw) -> Raw:
    cert = dict(raw.get("Certificate") or {})
    cert["InUseBy"] = sorted(cert.get("InUseBy") or [])
    return {"Certificate": cert, "Tags": tag_map(raw.get("Tags"))}


def _every(shape: Any, name: str) -> list[str] | None:
    """Every value the model allows for list member *name* of *shape*, or None if it has none."""
    member = shape.members.get(name) if shape is not None else None
    return list(member.member.enum) if member is not None and member.member.enum else None


def listings(client: Any) -> list[dict[str, Any]]:
    """The ListCertificates requests that together list every certificate. Pure (it reads the
    client's model).

    ListCertificates hides certificates unless asked: only RSA-1024 and RSA-2048 keys by default
    (``Includes.keyTypes``), only AWS_MANAGED and CUSTOMER_PROVIDED key pairs, not ACME ones
    (``CertificateKeyPairOrigins``), and none under the Amazon N2 roots, while asking for those
    (``RootHierarchyTypes``) lists only those. So: one listing with every key type and origin,
    then one more for the N2 roots. Values come from the model, so a botocore that knows a new
    key type asks for it; a filter it does not know yet it cannot send, and leaves out.

    Left alone, as they only narrow and hide nothing by default: ``CertificateStatuses``,
    ``Includes.extendedKeyUsage``, ``keyUsage``, ``exportOption`` and ``managedBy``.
    """
    shape = client.meta.service_model.operation_model("ListCertificates").input_shape
    first: dict[str, Any] = {}
    key_types = _every(shape.members.get("Includes"), "keyTypes")
    if key_types:
        first["Includes"] = {"keyTypes": key_types}
    origins = _every(shape, "CertificateKeyPairOrigins")
    if origins:
        first["CertificateKeyPairOrigins"] = origins
    roots = _every(shape, "RootHierarchyTypes")
    return [first, {**first, "RootHierarchyTypes": roots}] if roots else [first]


def enumerate_certificates(ctx: UnitContext) -> list[Raw]:
    """Every certificate in the region, each once (see :func:`listings`), by ARN."""
    found: dict[str, Raw] = {}
    for params in listings(ctx.client("acm")):
        listing = Call("list_certificates", params=lambda _r, p=params: p, result="CertificateSummaryList",
                       paginate=True)
        for summary in call(ctx, CERTIFICATE, listing, {}, f"acm in {ctx.region}") or []:
            found.setdefault(summary["CertificateArn"], summary)
    return [found[arn] for arn in sorted(found)]


# -- restore ---------------------------------------------------------------------------------

def request_command(cert: Raw) -> str:
    """The ``aws acm request-certificate`` command for a certificate like *cert*. Pure."""
    names = [n for n in cert.get("SubjectAlternativeNames") or [] if n != cert.get("DomainName")]
    methods = {o.get("ValidationMethod") for o in cert.get("DomainValidationOptions") or []} - {None}
    parts = ["aws acm request-certificate", f"--domain-name {cert.get('DomainName')}"]
    if names:
        parts.append("--subject-alternative-names " + " ".join(names))
    parts.append(f"--validation-method {methods.pop() if len(methods) == 1 else 'DNS'}")
    if cert.get("KeyAlgorithm") and cert["KeyAlgorithm"] != "RSA_2048":
        parts.append(f"--key-algorithm {cert['KeyAlgorithm']}")
    return " ".join(parts)


def plan_create(ctx: RestoreContext, address: str) -> list[Operation]:
    """Never creates: says why, and how to request a replacement."""
    cert = (ctx.want(address) or {}).get("Certificate") or {}
    if cert.get("Type") == "IMPORTED":
        how = "Import it again from its certificate, chain and key files (aws acm import-certificate)"
    else:
        how = (f"Request a new one ({request_command(cert)}): it validates with the same DNS records if they are still "
               "published")
    raise Unrestorable(Operation(address, "cannot-restore", address, (
        "it does not exist live, and a certificate cannot be recreated: its private key never left ACM. "
        f"{how}, then point CloudFront, API Gateway domains and load balancers at its new ARN")))


def plan_update(ctx: RestoreContext, address: str) -> list[Operation]:
    want, have = ctx.want(address), ctx.have(address)
    acm = ctx.client("acm", address)
    arn = have["Certificate"]["CertificateArn"]
    ops: list[Operation] = []
    wt, ht = want.get("Tags") or {}, have.get("Tags") or {}
    put = [{"Key": k, "Value": v} for k, v in sorted(wt.items()) if ht.get(k) != v]
    if put:
        ops.append(Operation(address, "update", "Tags", ", ".join(t["Key"] for t in put),
                             run=lambda: acm.add_tags_to_certificate(CertificateArn=arn, Tags=put)))
    extra = [{"Key": k, "Value": ht[k]} for k in sorted(set(ht) - set(wt))]
    if extra and ctx.delete:
        ops.append(Operation(address, "update", "Tags", f"removed {', '.join(t['Key'] for t in extra)} (--delete)",
                             run=lambda: acm.remove_tags_from_certificate(CertificateArn=arn, Tags=extra)))
    elif extra:
        ops.append(Operation(address, "kept", f"Tags {', '.join(t['Key'] for t in extra)}",
                             "live only; --delete removes them"))
    wo, ho = want["Certificate"].get("Options") or {}, have["Certificate"].get("Options") or {}
    pref = "CertificateTransparencyLoggingPreference"
    if wo.get(pref) and wo.get(pref) != ho.get(pref):
        ops.append(Operation(address, "update", f"Certificate.Options.{pref}", f"{ho.get(pref)} -> {wo[pref]}",
                             run=lambda: acm.update_certificate_options(CertificateArn=arn, Options={pref: wo[pref]})))
    for change in ctx.diff(address, have, want):
        if not change.path.startswith(("Tags", f"Certificate.Options.{pref}")):
            ops.append(Operation(address, "cannot-restore", change.path, (
                "fixed when the certificate was issued: request a new certificate and point its users at it")))
    return ops


def plan_delete(ctx: RestoreContext, address: str) -> list[Operation]:
    acm = ctx.client("acm", address)
    arn = ctx.have(address)["Certificate"]["CertificateArn"]
    return [Operation(address, "delete", address, "live only (--delete); ACM refuses while something uses it",
                      run=lambda: acm.delete_certificate(CertificateArn=arn))]


CERTIFICATE = ResourceType(
    service="acm", type="certificate", scope="regional", client="acm",
    enumerate=enumerate_certificates,
    id=cert_id,
    details=(
        Detail("Certificate", Call("describe_certificate", params=lambda r: {"CertificateArn": r["CertificateArn"]},
                                   result="Certificate", identity=True, required=("Certificate",))),
        Detail("Tags", Call("list_tags_for_certificate", params=lambda r: {"CertificateArn": r["CertificateArn"]},
                            result="Tags")),
    ),
    transform=transform_certificate,
    volatile=("Certificate.RenewalSummary.UpdatedAt", "Certificate.UpdateSummary.UpdatedAt"),
    # issuing, validating, renewing, and who uses it: ACM moves these by itself (docs/diff.md)
    status=("Certificate.Status", "Certificate.FailureReason", "Certificate.DomainValidationOptions.*.ValidationStatus",
            "Certificate.RenewalSummary", "Certificate.RenewalEligibility", "Certificate.UpdateSummary",
            "Certificate.InUseBy", "Certificate.Serial", "Certificate.Issuer", "Certificate.NotBefore",
            "Certificate.NotAfter", "Certificate.IssuedAt", "Certificate.ImportedAt", "Certificate.RevokedAt",
            "Certificate.RevocationReason"),
    unordered=("Certificate.SubjectAlternativeNames",),
    schema="aws.acm.certificate",
    permissions=("acm:ListCertificates", "acm:DescribeCertificate", "acm:ListTagsForCertificate"),
    # before the API Gateway domains and CloudFront distributions that use it
    restore=Restorer(update=plan_update, create=plan_create, delete=plan_delete, rank=15,
                     permissions=("acm:AddTagsToCertificate", "acm:RemoveTagsFromCertificate",
                                  "acm:UpdateCertificateOptions", "acm:DeleteCertificate")),
)

TYPES = (CERTIFICATE,)
