"""ACM (regional): certificates (domains, SANs, status, validation, key algorithm, expiry,
in-use-by). Private keys are never requested: no API here returns them."""

from __future__ import annotations

from typing import Any

from ..context import UnitContext
from ..run import call
from ..spec import Call, Detail, Raw, ResourceType
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
)

TYPES = (CERTIFICATE,)
