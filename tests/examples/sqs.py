"""Examples of SQS resources: raw API shapes, seeds and damage."""

from __future__ import annotations

import json

from . import Aws, Example

ACCOUNT = "123456789012"
DLQ_ARN = f"arn:aws:sqs:us-east-1:{ACCOUNT}:jada-orders-dlq"
POLICY = {"Version": "2012-10-17", "Statement": [{"Sid": "sns", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                                                  "Action": "sqs:SendMessage",
                                                  "Resource": f"arn:aws:sqs:us-east-1:{ACCOUNT}:jada-orders"}]}

QUEUE_RAW = {
    "QueueUrl": f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/jada-orders",
    "Attributes": {"QueueArn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:jada-orders", "VisibilityTimeout": "60",
                   "MessageRetentionPeriod": "345600", "DelaySeconds": "0", "Policy": POLICY,
                   "RedrivePolicy": {"deadLetterTargetArn": DLQ_ARN, "maxReceiveCount": 5},
                   "ApproximateNumberOfMessages": "12", "ApproximateNumberOfMessagesNotVisible": "1",
                   "ApproximateNumberOfMessagesDelayed": "0", "CreatedTimestamp": "1700000000",
                   "LastModifiedTimestamp": "1700000001", "SqsManagedSseEnabled": "true"},
    "Tags": {"site": "sailjada"},
}


def seed_queue(aws: Aws) -> None:
    sqs = aws.client("sqs")
    sqs.create_queue(QueueName="jada-orders-dlq", Attributes={"MessageRetentionPeriod": "1209600"})
    sqs.create_queue(QueueName="jada-orders", tags={"site": "sailjada"}, Attributes={
        "VisibilityTimeout": "60", "Policy": json.dumps(POLICY),
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": DLQ_ARN, "maxReceiveCount": 5})})
    sqs.create_queue(QueueName="jada-orders.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})
    url = sqs.get_queue_url(QueueName="jada-orders")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="an order")  # a counter the capture must not keep


def damage_queue(aws: Aws) -> None:
    """The queue, its dead-letter queue and the FIFO queue all deleted: the DLQ must come back first."""
    sqs = aws.client("sqs")
    for name in ("jada-orders", "jada-orders-dlq", "jada-orders.fifo"):
        sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName=name)["QueueUrl"])


EXAMPLES = {"queue": Example(raw=QUEUE_RAW, seed=seed_queue, damage=damage_queue)}
