"""Examples of Secrets Manager resources: the raw shape the transform is given (its value asked
for, so sealed), and a secret on the local AWS scheduled for deletion (the disaster: DeleteSecret
with its recovery window) and brought back by restore (RestoreSecret)."""

from __future__ import annotations

import json

from . import Example

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:jada/prod/stripe-AbCdEf"
RAW = {
    "ARN": ARN, "Name": "jada/prod/stripe",
    "Secret": {"ARN": ARN, "Name": "jada/prod/stripe", "Description": "Stripe key for checkout",
               "KmsKeyId": "alias/jada", "RotationEnabled": True,
               "RotationLambdaARN": "arn:aws:lambda:us-east-1:123456789012:function:rotate",
               "RotationRules": {"AutomaticallyAfterDays": 30}, "LastRotatedDate": "2024-05-01T00:00:00Z",
               "LastChangedDate": "2024-05-01T00:00:00Z", "LastAccessedDate": "2024-05-02T00:00:00Z",
               "NextRotationDate": "2024-05-31T00:00:00Z", "CreatedDate": "2023-01-01T00:00:00Z",
               "Tags": [{"Key": "env", "Value": "prod"}],
               "VersionIdsToStages": {"v1": ["AWSCURRENT"]},
               "ReplicationStatus": [{"Region": "us-west-2", "KmsKeyId": "alias/aws/secretsmanager",
                                      "Status": "InSync", "StatusMessage": "Replication succeeded"}]},
    "ResourcePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*",
                                                               "Action": "secretsmanager:DeleteSecret", "Resource": "*"}]},
    "Value": {"SecretString": "topsecret-sk_live_51H8x9"},
}


def _seed(aws):
    sm = aws.client("secretsmanager")
    sm.create_secret(Name="jada/prod/stripe", Description="Stripe key for checkout", SecretString="sk-not-captured",
                     Tags=[{"Key": "env", "Value": "prod"}])
    sm.put_resource_policy(SecretId="jada/prod/stripe", ResourcePolicy=json.dumps(RAW["ResourcePolicy"]))


def _damage(aws):
    aws.client("secretsmanager").delete_secret(SecretId="jada/prod/stripe", RecoveryWindowInDays=7)


EXAMPLES = {"secret": Example(raw=RAW, seed=_seed, damage=_damage)}
