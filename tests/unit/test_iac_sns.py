"""SNS topics as code: the topic, its policy and one resource per subscription."""

from __future__ import annotations

from gitsnap.iac import cloudformation
from gitsnap.iac.model import JsonEncode, Link
from tests.iac_examples import cfn_lint_errors, emitted

ARN = "arn:aws:sns:us-east-1:123456789012:jada-alerts"


def test_a_topic_its_policy_and_subscriptions_in_cloudformation() -> None:
    e = emitted("sns", "topic")
    assert [r.type for r in e.out.cfn] == ["AWS::SNS::Topic", "AWS::SNS::TopicPolicy", "AWS::SNS::Subscription"]
    topic, policy, sqs = e.out.cfn
    assert topic.identifier == {"TopicArn": ARN}
    assert topic.properties["TopicName"] == "jada-alerts" and topic.properties["DisplayName"] == "Jada alerts"
    me = Link("sns/jada-alerts", None, ARN, tf_attr="arn")
    assert policy.properties["Topics"] == [me] and policy.properties["PolicyDocument"]["Statement"][0]["Sid"] == "events"
    # a subscription with nothing beyond SNS's defaults is inline on the topic; one with a filter is its own
    assert topic.properties["Subscription"] == [{"Protocol": "email", "Endpoint": "ops@example.com"}]
    assert sqs.properties["TopicArn"] == me and sqs.properties["Protocol"] == "sqs"
    assert sqs.properties["Endpoint"] == Link("sqs/jada-alerts-queue", "Arn",
                                              "arn:aws:sqs:us-east-1:123456789012:jada-alerts-queue", tf_attr="arn")
    assert sqs.properties["RawMessageDelivery"] is True
    assert sqs.properties["FilterPolicy"] == {"severity": ["high"]}
    # CloudFormation's topic has no delivery policy property: listed, not dropped
    assert [path for path, _ in e.unused] == ["Attributes.DeliveryPolicy"]
    template = next(b for path, b in cloudformation.render([e], "r").files.items() if path.endswith(".yaml"))
    assert cfn_lint_errors(template) == []


def test_a_topic_in_terraform_is_imported_by_arn_with_its_subscriptions() -> None:
    e = emitted("sns", "topic", "terraform")
    assert [(b.type, b.import_id) for b in e.out.tf] == [("aws_sns_topic", ARN), ("aws_sns_topic_subscription", None),
                                                         ("aws_sns_topic_subscription", None)]
    topic = e.out.tf[0].body
    assert isinstance(topic["policy"], JsonEncode) and isinstance(topic["delivery_policy"], JsonEncode)
    sub = e.out.tf[2].body
    assert sub["topic_arn"] == Link("sns/jada-alerts", None, ARN, tf_attr="arn")
    assert sub["raw_message_delivery"] is True and sub["filter_policy"] == JsonEncode({"severity": ["high"]})
    assert e.unused == []


def test_fifo_and_delivery_status_attributes_are_typed() -> None:
    raw = {"TopicArn": ARN + ".fifo", "Attributes": {
        "FifoTopic": "true", "ContentBasedDeduplication": "false", "SignatureVersion": "2",
        "LambdaSuccessFeedbackRoleArn": "arn:aws:iam::123456789012:role/sns-log",
        "LambdaSuccessFeedbackSampleRate": "100", "LambdaFailureFeedbackRoleArn": "arn:aws:iam::123456789012:role/sns-log"},
        "Subscriptions": [], "Tags": []}
    e = emitted("sns", "topic", raw=raw)
    p = e.out.cfn[0].properties
    assert p["FifoTopic"] is True and p["ContentBasedDeduplication"] is False and p["SignatureVersion"] == "2"
    assert p["DeliveryStatusLogging"] == [{"Protocol": "lambda",
                                           "SuccessFeedbackRoleArn": "arn:aws:iam::123456789012:role/sns-log",
                                           "SuccessFeedbackSampleRate": "100",
                                           "FailureFeedbackRoleArn": "arn:aws:iam::123456789012:role/sns-log"}]
    assert e.unused == []
    tf = emitted("sns", "topic", "terraform", raw=raw).out.tf[0].body
    assert tf["fifo_topic"] is True and tf["signature_version"] == 2 and tf["lambda_success_feedback_sample_rate"] == 100


def test_a_subscription_with_only_default_attributes_is_inline() -> None:
    raw = {"TopicArn": ARN, "Attributes": {}, "Tags": [], "Subscriptions": [
        {"Protocol": "sqs", "Endpoint": "arn:aws:sqs:us-east-1:123456789012:q",
         "Attributes": {"RawMessageDelivery": "false", "FilterPolicyScope": "MessageAttributes"}},
        {"Protocol": "lambda", "Endpoint": "arn:aws:lambda:us-east-1:123456789012:function:f",
         "Attributes": {"RawMessageDelivery": "false", "FilterPolicy": {"kind": ["order"]}}}]}
    e = emitted("sns", "topic", raw=raw)
    assert [s["Endpoint"].address for s in e.out.cfn[0].properties["Subscription"]] == ["sqs/q"]
    assert [(r.type, r.properties["Endpoint"].address) for r in e.out.cfn[1:]] == [("AWS::SNS::Subscription",
                                                                                     "lambda/f")]
