"""RDS restore, planned by the one runner (``plan_address``) and applied against botocore's
Stubber: moto has no ResetDBParameterGroup, stores whatever ApplyMethod it is sent and lists no
ApplyType of its own. Databases are not restored: the plan names the snapshot command. Only
names old main also had are imported, so on old main these fail on the behaviour (RDS was "not
restorable yet")."""

from __future__ import annotations

import dataclasses
import json

import botocore.session
import pytest
from botocore.stub import Stubber

from gitsnap.restore.ops import RestoreContext
from gitsnap.restore.reveal import Revealer
from gitsnap.restore.run import plan_address
from gitsnap.store import SnapshotStore

try:
    from gitsnap.store.snapshot import Snapshot
except ImportError:  # old main kept the read model in diff.py
    from gitsnap.diff import Snapshot  # type: ignore[no-redef]

ACCOUNT = "123456789012"
GROUP = "rds/parameter-group/jada-pg"


class Stubs:
    def __init__(self) -> None:
        self.rds = botocore.session.get_session().create_client("rds", region_name="us-east-1",
                                                               aws_access_key_id="x", aws_secret_access_key="y")
        self.stub = Stubber(self.rds)

    def client(self, service, account=None, region=None):
        return self.rds

    def reaches(self, account):
        return True

    def known(self):
        return [ACCOUNT]


@pytest.fixture
def store(tmp_path):
    return SnapshotStore.init(tmp_path / "r")


def plan(store, want: dict, have: dict, stubs: Stubs, address: str, delete=False):
    def snap(docs):
        files, resources = {}, {}
        for addr, doc in docs.items():
            _, typ, rid = addr.split("/")
            path = f"aws/{ACCOUNT}/us-east-1/rds/{typ}/{rid}.json"
            files[path] = json.dumps(doc, sort_keys=True).encode()
            resources[addr] = {"path": path, "service": "rds", "type": typ, "account": ACCOUNT, "region": "us-east-1"}
        return Snapshot.in_memory(store, files, resources)

    want_s, have_s = snap(want), snap(have)
    values = {"store": store, "snapshot": want_s, "live": have_s, "accounts": stubs, "delete": delete,
              "reveal": Revealer(want_s, None)}
    names = {f.name for f in dataclasses.fields(RestoreContext)}
    return plan_address(RestoreContext(**{k: v for k, v in values.items() if k in names}), address)


def group(params: dict) -> dict:
    return {"DBParameterGroupName": "jada-pg", "DBParameterGroupFamily": "postgres16", "Description": "jada",
            "Parameters": params}


def run(ops) -> None:
    for op in ops:
        if op.run:
            op.run()


def test_parameters_go_back_in_batches_of_twenty_each_applied_as_rds_allows(store):
    """A dynamic parameter is applied at once, a static one at the next reboot (RDS refuses
    'immediate' for it); ModifyDBParameterGroup takes at most 20 parameters a call."""
    want = {f"p{n:02}": str(n) for n in range(25)}
    stubs = Stubs()
    ops = plan(store, {GROUP: group(want)}, {GROUP: group({})}, stubs, GROUP)
    assert len([op for op in ops if op.verb == "update"]) == 25 and "next reboot" in ops[0].detail
    types = [{"ParameterName": f"p{n:02}", "ApplyType": "dynamic" if n % 2 else "static"} for n in range(25)]
    stubs.stub.add_response("describe_db_parameters", {"Parameters": types}, {"DBParameterGroupName": "jada-pg"})
    sent = [{"ParameterName": f"p{n:02}", "ParameterValue": str(n),
             "ApplyMethod": "immediate" if n % 2 else "pending-reboot"} for n in range(25)]
    for batch in (sent[:20], sent[20:]):
        stubs.stub.add_response("modify_db_parameter_group", {"DBParameterGroupName": "jada-pg"},
                                {"DBParameterGroupName": "jada-pg", "Parameters": batch})
    with stubs.stub:
        run(ops)
    stubs.stub.assert_no_pending_responses()


def test_a_parameter_set_since_is_kept_or_reset_to_the_default_with_delete(store):
    want, have = {GROUP: group({"a": "1"})}, {GROUP: group({"a": "1", "work_mem": "64MB"})}
    assert [(op.verb, op.target) for op in plan(store, want, have, Stubs(), GROUP)] == [("kept", "Parameters.work_mem")]
    stubs = Stubs()
    ops = plan(store, want, have, stubs, GROUP, delete=True)
    stubs.stub.add_response("describe_db_parameters", {"Parameters": [{"ParameterName": "work_mem",
                                                                       "ApplyType": "dynamic"}]},
                            {"DBParameterGroupName": "jada-pg"})
    stubs.stub.add_response("reset_db_parameter_group", {"DBParameterGroupName": "jada-pg"}, {
        "DBParameterGroupName": "jada-pg", "ResetAllParameters": False,
        "Parameters": [{"ParameterName": "work_mem", "ApplyMethod": "immediate"}]})
    with stubs.stub:
        run(ops)
    stubs.stub.assert_no_pending_responses()


def test_a_family_or_description_change_cannot_be_made_in_place(store):
    have = {GROUP: {**group({}), "Description": "edited"}}
    ops = plan(store, {GROUP: group({})}, have, Stubs(), GROUP)
    assert [(op.verb, op.target) for op in ops] == [("cannot-restore", "Description")]


def test_subnets_of_a_subnet_group_are_set_back(store):
    address = "rds/subnet-group/jada-subnets"

    def sg(*subnets):
        return {"DBSubnetGroupName": "jada-subnets", "DBSubnetGroupDescription": "jada db", "VpcId": "vpc-1",
                "Subnets": [{"SubnetIdentifier": s} for s in subnets]}

    stubs = Stubs()
    ops = plan(store, {address: sg("subnet-a", "subnet-b")}, {address: sg("subnet-a")}, stubs, address)
    stubs.stub.add_response("modify_db_subnet_group", {}, {"DBSubnetGroupName": "jada-subnets",
                                                           "DBSubnetGroupDescription": "jada db",
                                                           "SubnetIds": ["subnet-a", "subnet-b"]})
    with stubs.stub:
        run(ops)
    stubs.stub.assert_no_pending_responses()


def test_a_deleted_database_points_at_the_snapshot_restore(store):
    address = "rds/instance/jada-legacy-db"
    doc = {"DBInstanceIdentifier": "jada-legacy-db", "Engine": "postgres"}
    ops = plan(store, {address: doc}, {}, Stubs(), address)
    assert [(op.verb, op.run) for op in ops] == [("cannot-restore", None)]
    assert "aws rds restore-db-instance-from-db-snapshot" in ops[0].detail
    changed = plan(store, {address: doc}, {address: {**doc, "AllocatedStorage": 40}}, Stubs(), address)
    assert [op.verb for op in changed] == ["cannot-restore"] and "modify-db-instance" in changed[0].detail
