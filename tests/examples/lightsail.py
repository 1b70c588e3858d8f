"""Examples of lightsail resources: the raw API shape each type's transform is given.

No round trip on the local AWS: moto has no Lightsail. The sandbox's fake
(gitsnap/sandbox/lightsail.py) serves the reads on its own endpoint, which these examples'
clients do not reach, and not the writes a restore makes. Restore is covered with botocore's
Stubber in tests/unit/test_lightsail_restore.py.
"""

from __future__ import annotations

from . import Example

UNIT = "tests/unit/test_lightsail_restore.py::"

EXAMPLES = {
    "instance": Example(raw={"name": "legacy", "blueprintId": "wordpress", "bundleId": "small_3_0",
                             "state": {"name": "running"}, "tags": [{"key": "site", "value": "jada"}]},
                        no_round_trip="NotRestorable (its disk lives only in Lightsail), and moto has no Lightsail: "
                                      f"{UNIT}test_instances_and_snapshots_say_how_to_recreate_them"),
    "static-ip": Example(raw={"name": "ip1", "ipAddress": "203.0.113.1", "isAttached": True},
                         no_round_trip="moto has no Lightsail: "
                                       f"{UNIT}test_a_static_ip_is_attached_again_and_a_released_one_is_not_reallocated"),
    "domain": Example(raw={"name": "sailjada.com",
                           "domainEntries": [{"name": "b", "type": "A"}, {"name": "a", "type": "A"}]},
                      no_round_trip="moto has no Lightsail: "
                                    f"{UNIT}test_a_deleted_zone_is_created_with_its_entries_not_its_delegation"),
    "snapshot": Example(raw={"name": "legacy-v1.0", "fromInstanceName": "legacy", "state": "available"},
                        no_round_trip="NotRestorable (its data lives only in Lightsail), and moto has no Lightsail: "
                                      f"{UNIT}test_instances_and_snapshots_say_how_to_recreate_them"),
}
