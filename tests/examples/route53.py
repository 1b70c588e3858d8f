"""Examples of route53 resources: the raw API shape each type's transform is given."""

from __future__ import annotations

from . import Example

EXAMPLES = {
    "zone": Example(raw={"Id": "/hostedzone/Z1", "Name": "shop.com.", "Config": {"PrivateZone": False},
                          "ResourceRecordSetCount": 3, "Zone": {"DelegationSet": {"NameServers": ["ns1"]}},
                          "RecordSets": [{"Name": "www.shop.com.", "Type": "A"}, {"Name": "shop.com.", "Type": "NS"}],
                          "Tags": {"Tags": []}}),
    "healthcheck": Example(raw={"Id": "hc-1", "CallerReference": "r", "HealthCheckVersion": 4,
                                 "HealthCheckConfig": {"Type": "HTTPS", "FullyQualifiedDomainName": "shop.com"}}),
}
