"""ACM certificates: ``AWS::CertificateManager::Certificate`` / ``aws_acm_certificate``.

Only a certificate ACM issued can be written as code: asking for it again (same names, DNS or
email validation) gives an equivalent one. An imported certificate's private key was never in
the snapshot (ACM does not hand it out), so it is left out, with that reason.
"""

from __future__ import annotations

from typing import Any

from ..model import Block, Fields, Resource
from ..spec import IacSpec, LeftOut, Out

# describe_certificate's fields that ACM sets itself (the rest of status is in the status section)
_COMPUTED = ("Certificate.CertificateArn", "Certificate.CreatedAt", "Certificate.Subject", "Certificate.Serial",
             "Certificate.SignatureAlgorithm", "Certificate.KeyUsages", "Certificate.ExtendedKeyUsages",
             "Certificate.InUseBy", "Certificate.Issuer", "Certificate.IssuedAt", "Certificate.ImportedAt",
             "Certificate.NotBefore", "Certificate.NotAfter", "Certificate.RenewalEligibility",
             "Certificate.RenewalSummary", "Certificate.Status", "Certificate.Type", "Certificate.ManagedBy",
             "status")


def _validation_method(kind: str, options: list[dict[str, Any]]) -> str | None:
    """The one validation method to ask for (DNS when the options name none); None for a private
    CA's certificate, which is not validated (neither format takes a method for it)."""
    if kind == "PRIVATE":
        return None
    methods = {o.get("ValidationMethod") for o in options if o.get("ValidationMethod")}
    return next(iter(methods)) if len(methods) == 1 else ("DNS" if not methods else sorted(methods)[0])


def _read(r: Resource, f: Fields) -> dict[str, Any]:
    """What both formats need from an issued certificate; LeftOut for an imported one."""
    f.computed(*_COMPUTED)
    cert = r.doc.get("Certificate") or {}
    kind = cert.get("Type") or "AMAZON_ISSUED"
    if kind == "IMPORTED":
        raise LeftOut("an imported certificate's private key is not in the snapshot (ACM never hands it out): "
                      "import the certificate again (aws acm import-certificate) from where it came")
    domain = f.get("Certificate.DomainName")
    sans = [n for n in f.get("Certificate.SubjectAlternativeNames") or [] if n != domain]
    options = f.get("Certificate.DomainValidationOptions") or []
    # the validation records ACM gives (ResourceRecord) follow from the names: not configuration
    f.computed("Certificate.DomainValidationOptions.*.ResourceRecord",
               "Certificate.DomainValidationOptions.*.ValidationEmails")
    opts = f.get("Certificate.Options") or {}
    return {
        "domain": domain,
        "sans": [domain, *sans] if sans else [],
        "method": _validation_method(kind, options),
        "validation_domains": [{"DomainName": o["DomainName"], "ValidationDomain": o["ValidationDomain"]}
                               for o in options if o.get("ValidationDomain") not in (None, o.get("DomainName"))],
        "ct": opts.get("CertificateTransparencyLoggingPreference"),
        "export": opts.get("Export"),
        "key": f.get("Certificate.KeyAlgorithm"),
        "ca": f.get("Certificate.CertificateAuthorityArn"),
        "tags": f.get("Tags") or {},
    }


def certificate_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    c = _read(r, f)
    props = {
        "DomainName": c["domain"],
        "SubjectAlternativeNames": c["sans"],
        "ValidationMethod": c["method"],
        "DomainValidationOptions": c["validation_domains"],
        "CertificateTransparencyLoggingPreference": c["ct"],
        "CertificateExport": c["export"] if c["export"] == "ENABLED" else None,
        "KeyAlgorithm": c["key"],
        "CertificateAuthorityArn": c["ca"],
        "Tags": [{"Key": k, "Value": v} for k, v in sorted(c["tags"].items())],
    }
    out.resource("AWS::CertificateManager::Certificate", props, c["domain"],
                 identifier={"CertificateArn": r.doc["Certificate"].get("CertificateArn")})


def certificate_terraform(r: Resource, f: Fields, out: Out) -> None:
    c = _read(r, f)
    body = {
        "domain_name": c["domain"],
        "subject_alternative_names": c["sans"],
        "validation_method": c["method"],
        "key_algorithm": c["key"],
        "certificate_authority_arn": c["ca"],
        "validation_option": [Block({"domain_name": v["DomainName"], "validation_domain": v["ValidationDomain"]})
                              for v in c["validation_domains"]],
        "options": Block({"certificate_transparency_logging_preference": c["ct"]}) if c["ct"] else None,
        "tags": c["tags"] or None,
    }
    if c["export"] == "ENABLED":
        f.unsupported("Certificate.Options.Export", "the AWS provider cannot yet ask for an exportable certificate")
    out.block("aws_acm_certificate", body, c["domain"], import_id=r.doc["Certificate"].get("CertificateArn"))


SPECS = {
    "certificate": IacSpec(
        cloudformation=certificate_cloudformation, terraform=certificate_terraform,
        cfn_types=("AWS::CertificateManager::Certificate",), tf_types=("aws_acm_certificate",)),
}
