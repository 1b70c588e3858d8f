"""SNS, SQS, CloudWatch alarm and log group capture: what a document keeps, drops and calls status."""

from __future__ import annotations

from botocore.stub import Stubber

from gitsnap.collectors.aws import cloudwatch, logs, sns, sqs
from tests import memory
from tests.examples import cloudwatch as cloudwatch_example
from tests.examples import logs as logs_example
from tests.examples import sns as sns_example
from tests.examples import sqs as sqs_example
from tests.unit.test_messaging_kit import SESSION, document


def test_a_topic_keeps_its_configuration_and_subscriptions_not_its_counters():
    doc = document(sns.TOPIC, sns_example.TOPIC_RAW)
    attrs = doc["Attributes"]
    assert attrs["Policy"] == sns_example.POLICY and attrs["DeliveryPolicy"] == sns_example.DELIVERY  # parsed
    for gone in ("SubscriptionsConfirmed", "SubscriptionsPending", "SubscriptionsDeleted", "EffectiveDeliveryPolicy",
                 "Owner", "TopicArn"):
        assert gone not in attrs
    assert [(s["Protocol"], s["Endpoint"]) for s in doc["Subscriptions"]] == [
        ("email", "ops@example.com"), ("sqs", "arn:aws:sqs:us-east-1:123456789012:jada-alerts-queue")]
    assert doc["Subscriptions"][1]["Attributes"] == {"RawMessageDelivery": "true", "FilterPolicy": {"severity": ["high"]}}
    # confirmation is SNS's (and the endpoint owner's) doing: status, beside the same positions
    assert all("PendingConfirmation" not in s for s in doc["Subscriptions"])
    assert doc["status"]["Subscriptions"] == [{"PendingConfirmation": True}, {"PendingConfirmation": False}]


def test_subscriptions_are_read_with_their_attributes_except_pending_and_vanished_ones():
    """A pending subscription has no ARN to read; one unsubscribed between the listing and its
    read is gone (SNS says NotFound), not an error."""
    client = SESSION.create_client("sns", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    stub = Stubber(client)
    arn = sns_example.TOPIC_ARN
    stub.add_response("list_subscriptions_by_topic", {"Subscriptions": [
        {"SubscriptionArn": "PendingConfirmation", "Protocol": "email", "Endpoint": "a@example.com", "TopicArn": arn},
        {"SubscriptionArn": f"{arn}:1", "Protocol": "sqs", "Endpoint": "arn:aws:sqs:us-east-1:1:q", "TopicArn": arn},
        {"SubscriptionArn": f"{arn}:2", "Protocol": "https", "Endpoint": "https://example.com/h", "TopicArn": arn}]},
        {"TopicArn": arn})
    stub.add_response("get_subscription_attributes", {"Attributes": {
        "SubscriptionArn": f"{arn}:1", "PendingConfirmation": "false", "RawMessageDelivery": "true", "Owner": "1",
        "FilterPolicy": '{"k": ["v"]}', "EffectiveDeliveryPolicy": "{}", "ConfirmationWasAuthenticated": "true"}},
        {"SubscriptionArn": f"{arn}:1"})
    stub.add_client_error("get_subscription_attributes", "NotFound", expected_params={"SubscriptionArn": f"{arn}:2"})
    with stub:
        subs = sns.fetch_subscriptions(memory.context({"sns": client}, unit="aws/1/us-east-1/sns"), {"TopicArn": arn})
    assert subs == [
        {"Protocol": "email", "Endpoint": "a@example.com", "PendingConfirmation": True},
        {"Protocol": "sqs", "Endpoint": "arn:aws:sqs:us-east-1:1:q", "PendingConfirmation": False,
         "Attributes": {"RawMessageDelivery": "true", "FilterPolicy": {"k": ["v"]}}}]


def test_a_queue_keeps_its_settings_not_its_message_counts_or_timestamps():
    doc = document(sqs.QUEUE, sqs_example.QUEUE_RAW)
    attrs = doc["Attributes"]
    for gone in ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                 "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp", "LastModifiedTimestamp"):
        assert gone not in attrs
    assert attrs["VisibilityTimeout"] == "60" and attrs["RedrivePolicy"]["maxReceiveCount"] == 5
    assert doc["Name"] == "jada-orders" and doc["Tags"] == {"site": "sailjada"} and "QueueUrl" not in doc
    assert sqs.dead_letter_address(attrs) == "sqs/jada-orders-dlq"


def test_queue_writes_send_strings_and_never_read_only_attributes():
    sent = sqs.settable({"QueueArn": "a", "VisibilityTimeout": "60", "RedrivePolicy": {"maxReceiveCount": 5}})
    assert sent == {"VisibilityTimeout": "60", "RedrivePolicy": '{"maxReceiveCount": 5}'}
    assert sqs.with_policy({"DelaySeconds": "1"}, {"Policy": {"Version": "1"}}) == {
        "DelaySeconds": "1", "Policy": '{"Version": "1"}'}
    assert sqs.with_policy({"DelaySeconds": "1"}, {}) == {"DelaySeconds": "1"}


def test_an_alarms_state_is_status_and_its_actions_have_addresses():
    doc = document(cloudwatch.METRIC_ALARM, cloudwatch_example.ALARM_RAW)
    assert doc["status"] == {"StateValue": "ALARM", "StateReason": "Threshold Crossed", "StateReasonData": "{}"}
    for gone in ("StateValue", "StateUpdatedTimestamp", "AlarmConfigurationUpdatedTimestamp", "StateTransitionedTimestamp"):
        assert gone not in doc
    assert doc["ActionAddresses"] == ["sns/jada-alerts"] and doc["AlarmActions"] == [cloudwatch_example.TOPIC]
    assert "Metrics" not in doc  # an empty list means "no metric math": left out
    assert cloudwatch.alarm_params(doc, cloudwatch.METRIC_FIELDS) == cloudwatch_example.ALARM
    composite = document(cloudwatch.COMPOSITE_ALARM, cloudwatch_example.COMPOSITE_RAW)
    assert composite["status"]["ActionsSuppressedBy"] == "None" and "ActionsSuppressedBy" not in composite


def test_a_log_group_keeps_retention_filters_and_tags_not_its_size():
    doc = document(logs.GROUP, logs_example.GROUP_RAW)
    for gone in ("storedBytes", "creationTime", "metricFilterCount", "arn"):
        assert gone not in doc
    assert doc["retentionInDays"] == 30 and doc["Tags"] == {"site": "sailjada"}
    assert doc["logGroupArn"].endswith(":log-group:/aws/lambda/jada-event-processor")
    assert doc["MetricFilters"] == [logs_example.FILTER]  # no creation time, no repeated group name
    assert doc["SubscriptionFilters"][0]["DestinationAddress"] == "lambda/jada-log-shipper"
    assert logs.GROUP.address(logs.GROUP.id(logs_example.GROUP_RAW)) == "logs//aws/lambda/jada-event-processor"
    assert logs.group_arn({"arn": "arn:aws:logs:us-east-1:1:log-group:g:*"}) == "arn:aws:logs:us-east-1:1:log-group:g"
