"""EventBridge: rules on every event bus (with their targets) and the event buses themselves.

A rule's address is ``events/rule/NAME`` on the default bus and ``events/rule/BUS/NAME`` on
another (the tail of its ARN). Each target keeps its ``Arn`` as AWS gives it and gains
``ArnAddress``, the gitsnap address of what it points at (``lambda/NAME``, ``sqs/NAME``,
``sns/NAME``) where gitsnap captures that type, as a function's ``RoleAddress`` does.

Restore: ``PutRule`` (an upsert: create and update alike) and ``PutTargets`` /
``RemoveTargets``; buses with ``CreateEventBus``, ``UpdateEventBus`` and ``PutPermission``.
Parts live has and the snapshot does not (targets, tags, a bus policy) are kept unless
``--delete``. ``common.py`` holds what the other messaging modules share (:func:`arn_address`,
:func:`tag_ops`, :func:`change_lines`, :func:`sealed_guard` ...).
"""

from __future__ import annotations

from ...spec import ResourceType
from .buses import BUS, enumerate_buses, transform_bus
from .common import (
    addresses,
    arn_address,
    by_hand,
    change_lines,
    first_runs,
    sealed_guard,
    tag_list,
    tag_ops,
    value,
)
from .rules import RULE, enumerate_rules, rule_id, rule_params, target_params, transform_rule

TYPES: tuple[ResourceType, ...] = (RULE, BUS)

__all__ = ["BUS", "RULE", "TYPES", "addresses", "arn_address", "by_hand", "change_lines", "enumerate_buses",
           "enumerate_rules", "first_runs", "rule_id", "rule_params", "sealed_guard", "tag_list",
           "tag_ops", "target_params", "transform_bus", "transform_rule", "value"]
