"""Examples of SSM Parameter Store resources: the raw shape the transform is given, and two
parameters on the local AWS (one SecureString, restored from its sealed value) deleted as the
disaster."""

from __future__ import annotations

from . import Example

RAW = {
    "Name": "/jada/prod/db-password", "Type": "SecureString", "KeyId": "alias/aws/ssm", "Tier": "Standard",
    "Version": 3, "LastModifiedDate": "2024-05-01T00:00:00Z", "LastModifiedUser": "arn:aws:iam::1:user/ops",
    "DataType": "text", "Description": "orders database", "WithDecryption": True,
    "Policies": [{"PolicyText": '{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2030-01-01T00:00:00.000Z"}}',
                  "PolicyType": "Expiration", "PolicyStatus": "Pending"}],
    "Parameter": {"Name": "/jada/prod/db-password", "Type": "SecureString", "Value": "topsecret-hunter2-9f8e7d",
                  "Version": 3, "DataType": "text", "ARN": "arn:aws:ssm:us-east-1:1:parameter/jada/prod/db-password"},
    "Tags": [{"Key": "env", "Value": "prod"}],
}


def _seed(aws):
    ssm = aws.client("ssm")
    ssm.put_parameter(Name="/jada/prod/db-password", Type="SecureString", Value="s3cr3t-Value-8d7f6e",
                      Description="orders database", Tags=[{"Key": "env", "Value": "prod"}])
    ssm.put_parameter(Name="/jada/prod/stage", Type="String", Value="prod", AllowedPattern="^[a-z]+$")
    ssm.put_parameter(Name="/jada/prod/hosts", Type="StringList", Value="a.example.com,b.example.com")


def _damage(aws):
    aws.client("ssm").delete_parameters(Names=["/jada/prod/db-password", "/jada/prod/stage", "/jada/prod/hosts"])


EXAMPLES = {"parameter": Example(raw=RAW, seed=_seed, damage=_damage)}
