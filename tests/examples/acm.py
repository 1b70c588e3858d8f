"""Examples of acm resources: the raw API shape each type's transform is given."""

from __future__ import annotations

from . import Example

EXAMPLES = {
    "certificate": Example(raw={"CertificateArn": "arn:aws:acm:us-east-1:1:certificate/abc", "Tags": [],
                             "Certificate": {"CertificateArn": "arn:aws:acm:us-east-1:1:certificate/abc",
                                             "DomainName": "x.com", "SubjectAlternativeNames": ["b.x.com", "a.x.com"]}}),
}
