"""Examples of acm resources: the raw API shape each type's transform is given, and a round
trip on the local AWS.

A deleted certificate is not recreated (its private key never left ACM; a new one has a new
ARN), so the damage here is the change restore can undo: its tags edited by hand. The deleted
case: tests/unit/test_acm_restore.py.
"""

from __future__ import annotations

from . import Aws, Example


def _arn(aws: Aws) -> str:
    return next(c["CertificateArn"] for c in aws.client("acm").list_certificates()["CertificateSummaryList"]
                if c["DomainName"] == "sailjada.com")


def seed_certificate(aws: Aws) -> None:
    aws.client("acm").request_certificate(DomainName="sailjada.com", ValidationMethod="DNS",
                                          SubjectAlternativeNames=["www.sailjada.com"],
                                          Tags=[{"Key": "site", "Value": "sailjada"}])


def damage_certificate(aws: Aws) -> None:
    acm = aws.client("acm")
    acm.add_tags_to_certificate(CertificateArn=_arn(aws), Tags=[{"Key": "site", "Value": "edited-by-hand"}])


EXAMPLES = {
    "certificate": Example(raw={"CertificateArn": "arn:aws:acm:us-east-1:1:certificate/abc", "Tags": [],
                                "Certificate": {"CertificateArn": "arn:aws:acm:us-east-1:1:certificate/abc",
                                                "DomainName": "x.com", "SubjectAlternativeNames": ["b.x.com", "a.x.com"]}},
                           seed=seed_certificate, damage=damage_certificate),
}
