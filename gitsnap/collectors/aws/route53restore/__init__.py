"""Restoring Route53: hosted zones (records, settings; recreated or deleted whole) and health
checks, declared on the types in :mod:`..route53`."""

from __future__ import annotations

from ...spec import Restorer
from .batches import MAX_RECORDS, MAX_VALUE_CHARS, by_name, change_weight, clash, transform_batches
from .checks import PERMISSIONS as CHECK_PERMISSIONS
from .checks import create_check, delete_check, update_check
from .zone import PERMISSIONS as ZONE_PERMISSIONS
from .zone import create_zone, delete_zone, plan_zone

__all__ = ["MAX_RECORDS", "MAX_VALUE_CHARS", "ZONE", "HEALTH_CHECK", "by_name", "change_weight", "clash",
           "plan_zone", "transform_batches"]

# DNS last: traffic moves only to targets already restored (zones rank 70); the health checks its
# records name before them (65), and deleted after them
ZONE = Restorer(update=plan_zone, create=create_zone, delete=delete_zone, rank=70, permissions=ZONE_PERMISSIONS)
HEALTH_CHECK = Restorer(update=update_check, create=create_check, delete=delete_check, rank=65,
                        permissions=CHECK_PERMISSIONS)
