"""Restore of EventBridge rules and buses and of Scheduler schedules, against AWS's own rules.

Each test plans from two documents (the snapshot's and live's, as a capture makes them) and
applies the plan on real botocore clients under a Stubber, which checks every request against
the service model and refuses any call not expected. Used where moto cannot show the behaviour:
moto has no UpdateEventBus, accepts PutTargets without reporting failed entries, and its
UpdateSchedule keeps fields it was not sent (AWS resets them).
"""

from __future__ import annotations

import copy
import json

import pytest

from gitsnap.collectors.aws import eventbridge, scheduler
from gitsnap.collectors.restoring import RestoreError
from gitsnap.restore.ops import in_dependency_order
from gitsnap.restore.run import plan_address, rank_of
from gitsnap.store import SnapshotStore
from tests.examples import events as events_example
from tests.examples import scheduler as scheduler_example
from tests.unit.test_messaging_kit import StubAccounts, apply, context, document

RULE_ADDRESS = "events/rule/jada-daily"
BUS_ADDRESS = "events/bus/orders"
SCHEDULE_ADDRESS = "scheduler/schedule/jada/nightly-sync"


@pytest.fixture
def store(tmp_path):
    return SnapshotStore.init(tmp_path / "r")


@pytest.fixture
def rule():
    return document(eventbridge.RULE, events_example.RULE_RAW)


def test_a_deleted_rule_is_put_back_with_its_pattern_tags_and_targets_without_gitsnap_fields(store, rule):
    rule = {**rule, "EventPattern": {"source": ["shop"]}}
    accounts = StubAccounts("events")
    stub = accounts.stubs["events"]
    stub.add_response("put_rule", {"RuleArn": rule["Arn"]}, {
        "Name": "jada-daily", "EventBusName": "default", "ScheduleExpression": "cron(0 8 * * ? *)",
        "EventPattern": json.dumps({"source": ["shop"]}), "State": "ENABLED",
        "Tags": [{"Key": "site", "Value": "sailjada"}]})
    sent = [{k: v for k, v in t.items() if k != "ArnAddress"} for t in rule["Targets"]]
    stub.add_response("put_targets", {"FailedEntryCount": 0, "FailedEntries": []},
                      {"Rule": "jada-daily", "EventBusName": "default", "Targets": sent})
    ctx = context(store, {RULE_ADDRESS: rule}, {}, accounts)
    ops = plan_address(ctx, RULE_ADDRESS)
    assert [(op.verb, op.target) for op in ops] == [("create", RULE_ADDRESS), ("put", "Targets")]
    assert "lambda/jada-daily-report" in ops[1].detail  # the target shown by its gitsnap address
    apply(stub, ops)


def test_a_changed_schedule_is_one_put_rule_and_a_live_only_target_stays_without_delete(store, rule):
    live = copy.deepcopy(rule)
    live["ScheduleExpression"] = "cron(0 20 * * ? *)"
    live["Targets"].append({"Id": "extra", "Arn": "arn:aws:sns:us-east-1:123456789012:x", "ArnAddress": "sns/x"})
    accounts = StubAccounts("events")
    stub = accounts.stubs["events"]
    stub.add_response("put_rule", {"RuleArn": rule["Arn"]}, {
        "Name": "jada-daily", "EventBusName": "default", "ScheduleExpression": "cron(0 8 * * ? *)", "State": "ENABLED"})
    ops = plan_address(context(store, {RULE_ADDRESS: rule}, {RULE_ADDRESS: live}, accounts), RULE_ADDRESS)
    assert [(op.verb, op.target) for op in ops] == [("update", "ScheduleExpression"), ("kept", "Targets")]
    assert ops[0].detail == '"cron(0 20 * * ? *)" -> "cron(0 8 * * ? *)"'
    apply(stub, ops)

    stub.add_response("remove_targets", {"FailedEntryCount": 0, "FailedEntries": []},
                      {"Rule": "jada-daily", "EventBusName": "default", "Ids": ["extra"]})
    deleting = context(store, {RULE_ADDRESS: rule}, {RULE_ADDRESS: {**live, "ScheduleExpression": rule["ScheduleExpression"]}},
                       accounts, delete=True)
    ops = plan_address(deleting, RULE_ADDRESS)
    assert [(op.verb, op.target, op.detail) for op in ops] == [("delete", "Targets", "extra")]
    apply(stub, ops)


def test_a_target_eventbridge_refuses_fails_the_apply_instead_of_passing_for_done(store, rule):
    """PutTargets answers 200 with FailedEntryCount for a target it refused (moto never does)."""
    live = copy.deepcopy(rule)
    live["Targets"] = [t for t in live["Targets"] if t["Id"] != "report"]
    accounts = StubAccounts("events")
    stub = accounts.stubs["events"]
    stub.add_response("put_targets", {"FailedEntryCount": 1, "FailedEntries": [
        {"TargetId": "report", "ErrorCode": "ValidationException", "ErrorMessage": "bad role"}]})
    ops = plan_address(context(store, {RULE_ADDRESS: rule}, {RULE_ADDRESS: live}, accounts), RULE_ADDRESS)
    with pytest.raises(RestoreError, match="report: ValidationException bad role"):
        apply(stub, ops)


def test_a_rule_another_service_manages_is_not_changed(store, rule):
    managed = {**rule, "ManagedBy": "elasticmapreduce.amazonaws.com"}
    ops = plan_address(context(store, {RULE_ADDRESS: managed}, {RULE_ADDRESS: {**managed, "State": "DISABLED"}},
                               StubAccounts("events")), RULE_ADDRESS)
    assert [(op.verb, op.run) for op in ops] == [("cannot-restore", None)]
    assert "elasticmapreduce.amazonaws.com" in ops[0].detail


def test_a_live_only_rule_is_removed_with_its_targets_under_delete(store, rule):
    accounts = StubAccounts("events")
    stub = accounts.stubs["events"]
    stub.add_response("remove_targets", {"FailedEntryCount": 0, "FailedEntries": []},
                      {"Rule": "jada-daily", "EventBusName": "default", "Ids": ["audit", "report"]})
    stub.add_response("delete_rule", {}, {"Name": "jada-daily", "EventBusName": "default"})
    assert [op.verb for op in plan_address(context(store, {}, {RULE_ADDRESS: rule}, accounts), RULE_ADDRESS)] == ["kept"]
    ops = plan_address(context(store, {}, {RULE_ADDRESS: rule}, accounts, delete=True), RULE_ADDRESS)
    assert [op.verb for op in ops] == ["delete"] and all(op.removes for op in ops)
    apply(stub, ops)


def test_a_bus_description_is_put_back_with_update_event_bus_and_its_policy_with_put_permission(store):
    """moto has no UpdateEventBus."""
    bus = document(eventbridge.BUS, events_example.BUS_RAW)
    live = {**bus, "Description": "changed", "Policy": None}
    accounts = StubAccounts("events")
    stub = accounts.stubs["events"]
    stub.add_response("update_event_bus", {}, {"Name": "orders", "Description": "shop orders"})
    stub.add_response("put_permission", {}, {"EventBusName": "orders", "Policy": json.dumps(bus["Policy"])})
    ops = plan_address(context(store, {BUS_ADDRESS: bus}, {BUS_ADDRESS: live}, accounts), BUS_ADDRESS)
    assert [(op.verb, op.target) for op in ops] == [("update", "Description"), ("put", "Policy")]
    apply(stub, ops)


def test_the_default_bus_is_never_deleted(store):
    default = {"Name": "default", "Arn": "arn:aws:events:us-east-1:123456789012:event-bus/default", "Tags": {}}
    ops = plan_address(context(store, {}, {"events/bus/default": default}, StubAccounts("events"), delete=True),
                       "events/bus/default")
    assert [(op.verb, op.detail) for op in ops] == [("cannot-restore", "the default event bus cannot be deleted")]


def test_a_bus_is_made_before_the_rules_on_it_and_removed_after_them():
    bus_kind, rule_kind = ("events", "bus"), ("events", "rule")
    assert rank_of(bus_kind) < rank_of(rule_kind)
    from gitsnap.collectors.restoring import Operation

    made = in_dependency_order([Operation("events/rule/orders/r", "create", "r"), Operation("events/bus/orders", "create", "b")],
                               {"events/rule/orders/r": rule_kind, "events/bus/orders": bus_kind}, rank_of)
    assert [op.address for op in made] == ["events/bus/orders", "events/rule/orders/r"]
    gone = in_dependency_order([Operation("events/bus/orders", "delete", "b", removes=True),
                                Operation("events/rule/orders/r", "delete", "r", removes=True)],
                               {"events/rule/orders/r": rule_kind, "events/bus/orders": bus_kind}, rank_of)
    assert [op.address for op in gone] == ["events/rule/orders/r", "events/bus/orders"]


def test_a_schedule_update_sends_its_whole_configuration_state_included(store):
    """UpdateSchedule replaces every field: one left out (State) would be reset (to ENABLED)."""
    want = document(scheduler.SCHEDULE, {**scheduler_example.SCHEDULE_RAW, "Schedule": {
        **scheduler_example.SCHEDULE_RAW["Schedule"], "State": "DISABLED"}})
    live = {**want, "ScheduleExpression": "cron(0 9 * * ? *)"}
    accounts = StubAccounts("scheduler")
    stub = accounts.stubs["scheduler"]
    sent = {k: want[k] for k in ("Name", "GroupName", "ScheduleExpression", "ScheduleExpressionTimezone", "Description",
                                 "State", "FlexibleTimeWindow", "Target")}
    stub.add_response("update_schedule", {"ScheduleArn": want["Arn"]}, sent)
    ops = plan_address(context(store, {SCHEDULE_ADDRESS: want}, {SCHEDULE_ADDRESS: live}, accounts), SCHEDULE_ADDRESS)
    assert [(op.verb, op.target) for op in ops] == [("update", "ScheduleExpression")]
    apply(stub, ops)


def test_the_default_schedule_group_is_never_deleted_and_a_group_goes_after_its_schedules(store):
    default = {"Name": "default", "Arn": "arn:aws:scheduler:us-east-1:123456789012:schedule-group/default", "Tags": {}}
    ops = plan_address(context(store, {}, {"scheduler/group/default": default}, StubAccounts("scheduler"), delete=True),
                       "scheduler/group/default")
    assert [op.verb for op in ops] == ["cannot-restore"]
    assert rank_of(("scheduler", "group")) < rank_of(("scheduler", "schedule"))


def test_a_field_gitsnap_cannot_change_in_place_is_said_not_skipped(store, rule):
    """An update never leaves a difference unsaid: a field no step handles is cannot-restore."""
    live = {**rule, "SomethingNew": "x"}
    ops = plan_address(context(store, {RULE_ADDRESS: rule}, {RULE_ADDRESS: live}, StubAccounts("events")), RULE_ADDRESS)
    assert [(op.verb, op.target) for op in ops] == [("cannot-restore", "SomethingNew")]


def test_a_schedule_whose_input_was_sealed_needs_the_identity_before_anything_is_written(store):
    """UpdateSchedule sends the whole target, the sealed input with it: without the identity the
    plan says so up front (the client hook would refuse the write half-way through an apply)."""
    sealed = "redacted:hmac-sha256:" + "ab" * 12
    want = document(scheduler.SCHEDULE, scheduler_example.SCHEDULE_RAW)
    want["Target"]["Input"] = sealed
    live = {**copy.deepcopy(want), "ScheduleExpression": "cron(0 9 * * ? *)"}
    ops = plan_address(context(store, {SCHEDULE_ADDRESS: want}, {SCHEDULE_ADDRESS: live}, StubAccounts("scheduler")),
                       SCHEDULE_ADDRESS)
    assert [op.verb for op in ops] == ["update", "needs-identity"]
    assert "identity" in ops[1].detail
