"""The read-only IAM policy a capture needs, generated from the collectors' declarations."""

from __future__ import annotations

from typing import Any

from .registry import AWS

# every capture: the account id; and with regions = "all", the account's enabled regions (in the
# policy always, so a copied policy does not break when "all" is set later)
ACCOUNT_READS = ("sts:GetCallerIdentity", "ec2:DescribeRegions")


def read_only_policy(services: tuple[str, ...] = ()) -> dict[str, Any]:
    """An IAM policy document allowing exactly the reads the chosen services declare. Pure."""
    actions = set(ACCOUNT_READS)
    for service, types in AWS.items():
        if not services or service in services:
            for spec in types:
                actions.update(spec.permissions)
    return {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "GitsnapReadOnlyCapture", "Effect": "Allow",
                       "Action": sorted(actions), "Resource": "*"}],
    }
