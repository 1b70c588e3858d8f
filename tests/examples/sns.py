"""Examples of SNS resources: raw API shapes, seeds and damage."""

from __future__ import annotations

import json

from . import Aws, Example

ACCOUNT = "123456789012"
TOPIC_ARN = f"arn:aws:sns:us-east-1:{ACCOUNT}:jada-alerts"
POLICY = {"Version": "2012-10-17", "Statement": [{"Sid": "events", "Effect": "Allow",
                                                  "Principal": {"Service": "events.amazonaws.com"},
                                                  "Action": "sns:Publish", "Resource": TOPIC_ARN}]}
DELIVERY = {"http": {"defaultHealthyRetryPolicy": {"numRetries": 5, "minDelayTarget": 20, "maxDelayTarget": 20}}}

TOPIC_RAW = {
    "TopicArn": TOPIC_ARN,
    "Attributes": {"TopicArn": TOPIC_ARN, "Owner": ACCOUNT, "DisplayName": "Jada alerts", "Policy": POLICY,
                   "DeliveryPolicy": json.dumps(DELIVERY), "EffectiveDeliveryPolicy": json.dumps(DELIVERY),
                   "SubscriptionsConfirmed": "1", "SubscriptionsPending": "1", "SubscriptionsDeleted": "0"},
    "Subscriptions": [
        {"Protocol": "sqs", "Endpoint": f"arn:aws:sqs:us-east-1:{ACCOUNT}:jada-alerts-queue",
         "Attributes": {"RawMessageDelivery": "true", "FilterPolicy": {"severity": ["high"]}}, "PendingConfirmation": False},
        {"Protocol": "email", "Endpoint": "ops@example.com", "PendingConfirmation": True},
    ],
    "Tags": [{"Key": "site", "Value": "sailjada"}],
}


def seed_topic(aws: Aws) -> None:
    sns, sqs = aws.client("sns"), aws.client("sqs")
    arn = sns.create_topic(Name="jada-alerts", Attributes={"DisplayName": "Jada alerts", "Policy": json.dumps(POLICY)},
                           Tags=[{"Key": "site", "Value": "sailjada"}])["TopicArn"]
    url = sqs.create_queue(QueueName="jada-alerts-queue")["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue,
                  Attributes={"RawMessageDelivery": "true", "FilterPolicy": json.dumps({"severity": ["high"]})})
    sns.subscribe(TopicArn=arn, Protocol="email", Endpoint="ops@example.com")


def damage_topic(aws: Aws) -> None:
    sns = aws.client("sns")
    for sub in sns.list_subscriptions_by_topic(TopicArn=TOPIC_ARN)["Subscriptions"]:
        sns.unsubscribe(SubscriptionArn=sub["SubscriptionArn"])
    sns.delete_topic(TopicArn=TOPIC_ARN)


EXAMPLES = {"topic": Example(raw=TOPIC_RAW, seed=seed_topic, damage=damage_topic)}
