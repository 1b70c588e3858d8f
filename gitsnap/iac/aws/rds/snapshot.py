"""DB snapshots: neither format creates one."""

from __future__ import annotations

from ...model import Fields, Resource
from ...spec import LeftOut, Out


def snapshot_left_out(r: Resource, f: Fields, out: Out) -> None:
    f.computed("DBSnapshotArn", "SnapshotCreateTime", "status")
    raise LeftOut(f"neither format creates a DB snapshot (it holds data RDS took): restore from it with "
                  f"DBSnapshotIdentifier: {r.doc.get('DBSnapshotIdentifier')} on the instance instead "
                  "(snapshot_identifier in Terraform)")
