"""Examples of lightsail resources: the raw API shape each type's transform is given."""

from __future__ import annotations

from . import Example

EXAMPLES = {
    "instance": Example(raw={"name": "legacy", "blueprintId": "wordpress", "bundleId": "small_3_0",
                                "state": {"name": "running"}, "tags": [{"key": "site", "value": "jada"}]}),
    "static-ip": Example(raw={"name": "ip1", "ipAddress": "203.0.113.1", "isAttached": True}),
    "domain": Example(raw={"name": "sailjada.com", "domainEntries": [{"name": "b", "type": "A"}, {"name": "a", "type": "A"}]}),
    "snapshot": Example(raw={"name": "legacy-v1.0", "fromInstanceName": "legacy", "state": "available"}),
}
