"""Restoring IAM: roles, customer managed policies, instance profiles, users and groups,
declared on the types in :mod:`..iam`.

Order: policies first (10: roles, users and groups attach them), then roles, users and groups
(20), then instance profiles, group membership and profiles' roles (25: both sides exist by
then). Deletions run the other way round.
"""

from __future__ import annotations

from ...spec import Restorer
from . import group, policy, profile, role, user
from .policy import create_policy, delete_policy, plan_policy
from .role import create_role, delete_role, plan_role

__all__ = ["GROUP", "INSTANCE_PROFILE", "POLICY", "ROLE", "USER", "plan_policy", "plan_role",
           "create_policy", "create_role", "delete_policy", "delete_role"]

POLICY = Restorer(update=plan_policy, create=create_policy, delete=delete_policy, rank=10,
                  permissions=policy.PERMISSIONS)
ROLE = Restorer(update=plan_role, create=create_role, delete=delete_role, rank=20, permissions=role.PERMISSIONS)
USER = Restorer(update=user.plan_user, create=user.create_user, delete=user.delete_user, rank=20,
                permissions=user.PERMISSIONS)
GROUP = Restorer(update=group.plan_group, create=group.create_group, delete=group.delete_group, rank=20,
                 permissions=group.PERMISSIONS)
INSTANCE_PROFILE = Restorer(update=profile.plan_profile, create=profile.create_profile, delete=profile.delete_profile,
                            rank=25, permissions=profile.PERMISSIONS)
