"""Restore of SNS topics, SQS queues, CloudWatch alarms and log groups, against AWS's own rules.

Each test plans from two documents (the snapshot's and live's, as a capture makes them) and
applies the plan on real botocore clients under a Stubber (it checks every request against the
service model and refuses any call not expected). Used where moto cannot show the behaviour:
it has no PutCompositeAlarm and no PutLogGroupDeletionProtection, never refuses a queue name
deleted a moment ago (AWS does for 60 seconds), never refuses a redrive policy naming a
missing queue, and confirms email subscriptions by itself.
"""

from __future__ import annotations

import copy
import json

import pytest
from botocore.stub import ANY

from gitsnap.collectors.aws import cloudwatch, logs, sns, sqs
from gitsnap.collectors.restoring import Operation
from gitsnap.restore.ops import in_dependency_order
from gitsnap.restore.run import plan_address, rank_of
from gitsnap.store import SnapshotStore
from tests.examples import cloudwatch as cloudwatch_example
from tests.examples import logs as logs_example
from tests.examples import sns as sns_example
from tests.examples import sqs as sqs_example
from tests.unit.test_messaging_kit import StubAccounts, apply, context, document, kind_of


@pytest.fixture
def store(tmp_path):
    return SnapshotStore.init(tmp_path / "r")


def ordered(ops: list[Operation]) -> list[Operation]:
    return in_dependency_order(ops, {op.address: kind_of(op.address) for op in ops}, rank_of)


# -- CloudWatch ------------------------------------------------------------------------------

def test_a_deleted_composite_alarm_is_put_back_after_the_alarms_it_names(store):
    metric = document(cloudwatch.METRIC_ALARM, cloudwatch_example.ALARM_RAW)
    composite = document(cloudwatch.COMPOSITE_ALARM, {**cloudwatch_example.COMPOSITE_RAW, "Tags": [{"Key": "k", "Value": "v"}]})
    want = {"cloudwatch/composite-alarm/jada-down": composite, "cloudwatch/alarm/jada-errors": metric}
    accounts = StubAccounts("cloudwatch")
    stub = accounts.stubs["cloudwatch"]
    stub.add_response("put_metric_alarm", {}, {**{k: v for k, v in cloudwatch_example.ALARM.items()},
                                               "Tags": [{"Key": "site", "Value": "sailjada"}]})
    stub.add_response("put_composite_alarm", {}, {
        "AlarmName": "jada-down", "AlarmRule": 'ALARM("jada-errors") OR ALARM("jada-5xx")', "ActionsEnabled": True,
        "AlarmActions": [cloudwatch_example.TOPIC], "OKActions": [], "InsufficientDataActions": [],
        "Tags": [{"Key": "k", "Value": "v"}]})
    ctx = context(store, want, {}, accounts)
    ops = ordered([op for address in sorted(want) for op in plan_address(ctx, address)])
    assert [op.address for op in ops] == ["cloudwatch/alarm/jada-errors", "cloudwatch/composite-alarm/jada-down"]
    assert ops[0].detail == "actions: sns/jada-alerts"
    apply(stub, ops)


def test_an_alarm_update_sends_its_whole_configuration_and_never_its_state(store):
    """PutMetricAlarm replaces every field; the alarm's state is CloudWatch's, not restored."""
    want = document(cloudwatch.METRIC_ALARM, cloudwatch_example.ALARM_RAW)
    live = {**copy.deepcopy(want), "Threshold": 5.0, "status": {"StateValue": "OK"}}
    accounts = StubAccounts("cloudwatch")
    stub = accounts.stubs["cloudwatch"]
    stub.add_response("put_metric_alarm", {}, dict(cloudwatch_example.ALARM))
    ops = plan_address(context(store, {"cloudwatch/alarm/jada-errors": want}, {"cloudwatch/alarm/jada-errors": live},
                                accounts), "cloudwatch/alarm/jada-errors")
    assert [(op.verb, op.target, op.detail) for op in ops] == [("update", "Threshold", "5.0 -> 1.0")]
    apply(stub, ops)


# -- SQS -------------------------------------------------------------------------------------

QUEUE, DLQ = "sqs/jada-orders", "sqs/jada-orders-dlq"


def queue_docs() -> dict[str, dict]:
    dlq_raw = {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/jada-orders-dlq",
               "Attributes": {"QueueArn": sqs_example.DLQ_ARN, "MessageRetentionPeriod": "1209600"}, "Tags": {}}
    return {QUEUE: document(sqs.QUEUE, sqs_example.QUEUE_RAW), DLQ: document(sqs.QUEUE, dlq_raw)}


def test_a_queue_made_again_within_a_minute_of_its_deletion_waits_for_its_name(store):
    """AWS refuses a deleted queue's name for 60 seconds (QueueDeletedRecently); moto never does."""
    want = queue_docs()[DLQ]
    accounts = StubAccounts("sqs")
    stub = accounts.stubs["sqs"]
    expected = {"QueueName": "jada-orders-dlq", "Attributes": {"MessageRetentionPeriod": "1209600"}}
    stub.add_client_error("create_queue", "AWS.SimpleQueueService.QueueDeletedRecently", expected_params=expected)
    stub.add_response("create_queue", {"QueueUrl": "u"}, expected)
    sleeps: list[float] = []
    apply(stub, plan_address(context(store, {DLQ: want}, {}, accounts, sleeps=sleeps), DLQ))
    assert sleeps == [5]


def test_a_queue_whose_dead_letter_queue_is_also_gone_gets_its_redrive_policy_once_both_exist(store):
    """AWS refuses a redrive policy naming a queue that does not exist (moto does not check)."""
    want = queue_docs()
    accounts = StubAccounts("sqs")
    stub = accounts.stubs["sqs"]
    redrive = json.dumps(want[QUEUE]["Attributes"]["RedrivePolicy"])
    policy = json.dumps(want[QUEUE]["Attributes"]["Policy"])
    stub.add_response("create_queue", {"QueueUrl": "u1"}, {"QueueName": "jada-orders", "tags": {"site": "sailjada"},
                                                            "Attributes": {**{k: v for k, v in sqs_example.QUEUE_RAW["Attributes"].items()
                                                                              if k in ("VisibilityTimeout", "MessageRetentionPeriod",
                                                                                       "DelaySeconds", "SqsManagedSseEnabled")},
                                                                           "Policy": policy}})
    stub.add_response("create_queue", {"QueueUrl": "u2"}, {"QueueName": "jada-orders-dlq", "Attributes": ANY})
    stub.add_response("get_queue_url", {"QueueUrl": "u1"}, {"QueueName": "jada-orders"})
    stub.add_response("set_queue_attributes", {}, {"QueueUrl": "u1", "Attributes": {"RedrivePolicy": redrive, "Policy": policy}})
    ctx = context(store, want, {}, accounts)
    ops = ordered([op for address in sorted(want) for op in plan_address(ctx, address)])
    assert [(op.address, op.verb, op.target) for op in ops] == [
        (QUEUE, "create", QUEUE), (DLQ, "create", DLQ), (QUEUE, "put", "Attributes.RedrivePolicy")]
    apply(stub, ops)


def test_a_fifo_flip_cannot_be_restored_in_place_and_a_live_only_policy_is_kept_unless_delete(store):
    want = queue_docs()[DLQ]
    live = copy.deepcopy(want)
    live["Attributes"].update(FifoQueue="true", Policy={"Version": "2012-10-17", "Statement": []})
    ops = plan_address(context(store, {DLQ: want}, {DLQ: live}, StubAccounts("sqs")), DLQ)
    assert [(op.verb, op.target) for op in ops] == [("cannot-restore", "Attributes.FifoQueue"), ("kept", "Attributes.Policy")]
    accounts = StubAccounts("sqs")
    stub = accounts.stubs["sqs"]
    stub.add_response("get_queue_url", {"QueueUrl": "u"}, {"QueueName": "jada-orders-dlq"})
    stub.add_response("set_queue_attributes", {}, {"QueueUrl": "u", "Attributes": {"Policy": ""}})  # "" removes it
    ops = plan_address(context(store, {DLQ: want}, {DLQ: live}, accounts, delete=True), DLQ)
    assert [(op.verb, op.target) for op in ops] == [("cannot-restore", "Attributes.FifoQueue"), ("update", "Attributes.Policy")]
    apply(stub, ops)


# -- SNS -------------------------------------------------------------------------------------

TOPIC = "sns/jada-alerts"


def test_a_deleted_topic_is_made_again_with_its_subscriptions_and_the_plan_says_email_must_confirm_again(store):
    want = document(sns.TOPIC, sns_example.TOPIC_RAW)
    accounts = StubAccounts("sns")
    stub = accounts.stubs["sns"]
    stub.add_response("create_topic", {"TopicArn": sns_example.TOPIC_ARN}, {
        "Name": "jada-alerts", "Tags": [{"Key": "site", "Value": "sailjada"}],
        "Attributes": {"DisplayName": "Jada alerts", "Policy": json.dumps(sns_example.POLICY),
                       "DeliveryPolicy": json.dumps(sns_example.DELIVERY)}})
    stub.add_response("subscribe", {"SubscriptionArn": "pending confirmation"}, {
        "TopicArn": sns_example.TOPIC_ARN, "Protocol": "email", "Endpoint": "ops@example.com", "Attributes": {},
        "ReturnSubscriptionArn": True})
    stub.add_response("subscribe", {"SubscriptionArn": sns_example.TOPIC_ARN + ":1"}, {
        "TopicArn": sns_example.TOPIC_ARN, "Protocol": "sqs", "Endpoint": sns_example.TOPIC_RAW["Subscriptions"][0]["Endpoint"],
        "Attributes": {"RawMessageDelivery": "true", "FilterPolicy": json.dumps({"severity": ["high"]})},
        "ReturnSubscriptionArn": True})
    ops = plan_address(context(store, {TOPIC: want}, {}, accounts), TOPIC)
    assert [(op.verb, op.target) for op in ops] == [
        ("create", TOPIC), ("create", "Subscriptions email ops@example.com"),
        ("create", f"Subscriptions sqs {sns_example.TOPIC_RAW['Subscriptions'][0]['Endpoint']}")]
    assert "must confirm it again" in ops[1].detail and not ops[2].detail
    apply(stub, ops)


def test_a_subscription_attribute_is_set_on_the_live_subscription_and_a_pending_one_is_said(store):
    want = document(sns.TOPIC, sns_example.TOPIC_RAW)
    live = copy.deepcopy(want)
    sqs_sub = live["Subscriptions"][1]  # sorted by protocol, then endpoint
    assert sqs_sub["Protocol"] == "sqs"
    sqs_sub["Attributes"]["RawMessageDelivery"] = "false"
    email = want["Subscriptions"][0]
    email["Attributes"] = {"FilterPolicy": {"k": ["v"]}}  # in the snapshot; live's is pending, unreadable
    accounts = StubAccounts("sns")
    stub = accounts.stubs["sns"]
    stub.add_response("list_subscriptions_by_topic", {"Subscriptions": [
        {"SubscriptionArn": "PendingConfirmation", "Protocol": "email", "Endpoint": "ops@example.com"},
        {"SubscriptionArn": "arn:aws:sns:us-east-1:123456789012:jada-alerts:abc", "Protocol": "sqs",
         "Endpoint": sqs_sub["Endpoint"]}]}, {"TopicArn": sns_example.TOPIC_ARN})
    stub.add_response("set_subscription_attributes", {}, {
        "SubscriptionArn": "arn:aws:sns:us-east-1:123456789012:jada-alerts:abc", "AttributeName": "RawMessageDelivery",
        "AttributeValue": "true"})
    ops = plan_address(context(store, {TOPIC: want}, {TOPIC: live}, accounts), TOPIC)
    assert [op.verb for op in ops] == ["cannot-restore", "update"]
    assert "pending confirmation" in ops[0].detail
    apply(stub, ops)


def test_a_topic_made_fifo_cannot_be_flipped_back_in_place(store):
    want = document(sns.TOPIC, sns_example.TOPIC_RAW)
    live = copy.deepcopy(want)
    live["Attributes"]["FifoTopic"] = "true"
    ops = plan_address(context(store, {TOPIC: want}, {TOPIC: live}, StubAccounts("sns"), delete=True), TOPIC)
    assert [(op.verb, op.target, op.run) for op in ops] == [("cannot-restore", "Attributes.FifoTopic", None)]


# -- CloudWatch Logs -------------------------------------------------------------------------

GROUP = f"logs/{logs_example.NAME}"


def test_a_deleted_log_group_comes_back_and_its_subscription_filter_waits_for_the_function(store):
    want = document(logs.GROUP, logs_example.GROUP_RAW)
    accounts = StubAccounts("logs")
    stub = accounts.stubs["logs"]
    stub.add_response("create_log_group", {}, {"logGroupName": logs_example.NAME, "logGroupClass": "STANDARD",
                                                "tags": {"site": "sailjada"}})
    stub.add_response("put_retention_policy", {}, {"logGroupName": logs_example.NAME, "retentionInDays": 30})
    stub.add_response("put_metric_filter", {}, {"logGroupName": logs_example.NAME, **logs_example.FILTER})
    ops = plan_address(context(store, {GROUP: want}, {}, accounts), GROUP)
    function = Operation("lambda/jada-log-shipper", "create", "lambda/jada-log-shipper")
    order = in_dependency_order([*ops, function], {GROUP: ("logs", "group"), function.address: ("lambda", "function")},
                                rank_of)
    assert [(op.address, op.target) for op in order][-2:] == [
        ("lambda/jada-log-shipper", "lambda/jada-log-shipper"), (GROUP, "SubscriptionFilters ship")]
    stub.add_response("put_subscription_filter", {}, {
        "logGroupName": logs_example.NAME, "filterName": "ship", "filterPattern": "", "distribution": "ByLogStream",
        "destinationArn": "arn:aws:lambda:us-east-1:123456789012:function:jada-log-shipper"})
    apply(stub, ops)


def test_log_group_settings_come_back_and_what_cannot_change_is_said(store):
    """Retention removed live-side is deleted back to "never expire"; deletion protection has no
    moto API; a group's class is fixed when it is made."""
    raw = {k: v for k, v in logs_example.GROUP_RAW.items() if k != "retentionInDays"}  # never expire
    want = document(logs.GROUP, {**raw, "deletionProtectionEnabled": True, "SubscriptionFilters": []})
    live = {**want, "retentionInDays": 7, "deletionProtectionEnabled": False, "logGroupClass": "INFREQUENT_ACCESS"}
    accounts = StubAccounts("logs")
    stub = accounts.stubs["logs"]
    stub.add_response("delete_retention_policy", {}, {"logGroupName": logs_example.NAME})
    stub.add_response("put_log_group_deletion_protection", {}, {"logGroupIdentifier": logs_example.NAME,
                                                                 "deletionProtectionEnabled": True})
    ops = plan_address(context(store, {GROUP: want}, {GROUP: live}, accounts), GROUP)
    assert [(op.verb, op.target) for op in ops] == [
        ("update", "retentionInDays"), ("update", "deletionProtectionEnabled"), ("cannot-restore", "logGroupClass")]
    apply(stub, ops)
