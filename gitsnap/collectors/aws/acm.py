"""ACM (regional): certificates (domains, SANs, status, validation, key algorithm, expiry,
in-use-by). Private keys are never requested: no API here returns them."""

from __future__ import annotations

from ..spec import Call, Detail, Raw, ResourceType
from .shapes import tag_map


def cert_id(raw: Raw) -> str:
    return raw["CertificateArn"].rsplit("/", 1)[-1]


def transform_certificate(raw: Raw) -> Raw:
    cert = dict(raw.get("Certificate") or {})
    cert["InUseBy"] = sorted(cert.get("InUseBy") or [])
    return {"Certificate": cert, "Tags": tag_map(raw.get("Tags"))}


KEY_TYPES = ("RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1")

CERTIFICATE = ResourceType(
    service="acm", type="certificate", scope="regional", client="acm",
    # without Includes, ListCertificates returns only RSA-1024/2048: ECDSA and RSA-3072/4096 would vanish
    list=Call("list_certificates", params=lambda _r: {"Includes": {"keyTypes": list(KEY_TYPES)}},
              result="CertificateSummaryList", paginate=True),
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
