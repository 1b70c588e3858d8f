"""ACM as code: an issued certificate is asked for again (same names and validation); an
imported one is left out, as its private key was never in the snapshot."""

from __future__ import annotations

from typing import Any

from gitsnap.iac import cloudformation
from gitsnap.iac.run import build
from tests.iac_examples import cfn_lint_errors, emitted, example_resource

ARN = "arn:aws:acm:us-east-1:123456789012:certificate/9bf54833-4bbe-48e7-90a8-c405885db38f"


def certificate(**extra: Any) -> dict[str, Any]:
    cert = {"CertificateArn": ARN, "DomainName": "sailjada.com", "Type": "AMAZON_ISSUED", "Status": "ISSUED",
            "SubjectAlternativeNames": ["sailjada.com", "www.sailjada.com"], "KeyAlgorithm": "RSA_2048",
            "CreatedAt": "2026-11-30T23:15:53Z", "Serial": "51", "Subject": "CN=sailjada.com", "InUseBy": [],
            "SignatureAlgorithm": "SHA256WITHRSA", "Issuer": "Amazon", "NotAfter": "2027-11-30",
            "Options": {"CertificateTransparencyLoggingPreference": "ENABLED", "Export": "DISABLED"},
            "DomainValidationOptions": [
                {"DomainName": "sailjada.com", "ValidationDomain": "sailjada.com", "ValidationMethod": "DNS",
                 "ValidationStatus": "SUCCESS",
                 "ResourceRecord": {"Name": "_d9.sailjada.com.", "Type": "CNAME", "Value": "_c9.acm-validations.aws."}},
                {"DomainName": "www.sailjada.com", "ValidationDomain": "sailjada.com", "ValidationMethod": "DNS",
                 "ValidationStatus": "SUCCESS"}],
            **extra}
    return {"CertificateArn": ARN, "Certificate": cert, "Tags": [{"Key": "site", "Value": "jada"}]}


def test_an_issued_certificate_is_asked_for_again() -> None:
    e = emitted("acm", "certificate", raw=certificate())
    (res,) = e.out.cfn
    assert (res.type, res.identifier) == ("AWS::CertificateManager::Certificate", {"CertificateArn": ARN})
    assert res.properties == {
        "DomainName": "sailjada.com", "SubjectAlternativeNames": ["sailjada.com", "www.sailjada.com"],
        "ValidationMethod": "DNS",
        # www is validated through the apex's zone: kept, or ACM would look for a www zone
        "DomainValidationOptions": [{"DomainName": "www.sailjada.com", "ValidationDomain": "sailjada.com"}],
        "CertificateTransparencyLoggingPreference": "ENABLED", "KeyAlgorithm": "RSA_2048",
        "Tags": [{"Key": "site", "Value": "jada"}]}
    assert e.unused == []  # serials, dates, validation records: ACM's, not configuration
    text = cloudformation.render([e], "r" * 40).files["cloudformation/123456789012/us-east-1/template.yaml"]
    assert cfn_lint_errors(text) == []


def test_an_issued_certificate_in_terraform_imports_by_arn() -> None:
    (block,) = emitted("acm", "certificate", "terraform", raw=certificate()).out.tf
    assert (block.type, block.import_id) == ("aws_acm_certificate", ARN)
    b = block.body
    assert (b["domain_name"], b["validation_method"], b["key_algorithm"]) == ("sailjada.com", "DNS", "RSA_2048")
    assert b["subject_alternative_names"] == ["sailjada.com", "www.sailjada.com"]
    assert b["validation_option"][0].body == {"domain_name": "www.sailjada.com", "validation_domain": "sailjada.com"}
    assert b["options"].body == {"certificate_transparency_logging_preference": "ENABLED"}
    assert b["tags"] == {"site": "jada"}


def test_an_imported_certificate_is_left_out_with_the_reason() -> None:
    r = example_resource("acm", "certificate", raw=certificate(Type="IMPORTED", ImportedAt="2026-01-01"))
    for fmt in ("cloudformation", "terraform"):
        verdict, why = build(r, fmt)
        assert verdict == "left out" and "private key" in why


def test_the_example_certificate_with_only_names() -> None:
    (res,) = emitted("acm", "certificate").out.cfn
    assert res.properties["DomainName"] == "x.com"
    assert res.properties["SubjectAlternativeNames"] == ["x.com", "a.x.com", "b.x.com"]
