"""Examples of cloudfront resources: the raw API shape each type's transform is given."""

from __future__ import annotations

from . import Example

EXAMPLES = {
    "distribution": Example(raw={
        "Id": "E2A1B3C4D5", "ARN": "arn:aws:cloudfront::123456789012:distribution/E2A1B3C4D5",
        "DomainName": "d1.cloudfront.net", "Status": "InProgress", "LastModifiedTime": "2024-01-01",
        "Tags": {"Items": [{"Key": "site", "Value": "shop"}]},
        "DistributionConfig": {"CallerReference": "r", "Enabled": True, "DefaultCacheBehavior": {"TargetOriginId": "o"},
                               "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "b.s3.amazonaws.com",
                                                                     "CustomHeaders": {"Quantity": 1, "Items": [{"HeaderName": "X-Key", "HeaderValue": "topsecret"}]}}]}}}),
}
