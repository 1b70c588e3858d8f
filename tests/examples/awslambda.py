"""Examples of lambda resources: the raw API shape each type's transform is given, and on the
local AWS: a function (with a layer, alias, policies, concurrency, environment and tags) deleted
and recreated; a layer whose permissions are changed and put back; an event source mapping from
an SQS queue whose settings are changed and put back.

A layer version and a mapping deleted live are not the round trip here: a layer version cannot be
published again under its number, nor a mapping created again under its UUID, so a re-capture
cannot equal the first one (restore says so; tests/unit/test_lambda_restore.py covers both).
"""

from __future__ import annotations

import io
import json
import zipfile

from . import Example

SERVICE = "lambda"

ACCOUNT = "123456789012"
ROLE_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def zipped(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in sorted(files.items()):
            zf.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), text)
    return buf.getvalue()


def _role(aws, name: str = "fn-role") -> str:
    aws.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(ROLE_TRUST))
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def _layer(aws) -> str:
    got = aws.client("lambda").publish_layer_version(
        LayerName="deps", Description="shared helpers", LicenseInfo="MIT",
        Content={"ZipFile": zipped({"python/helpers.py": "def shout(s):\n    return s.upper()\n"})},
        CompatibleRuntimes=["python3.12", "python3.11"], CompatibleArchitectures=["x86_64"])
    return got["LayerVersionArn"]


def _function(aws, name: str = "orders", layers: list[str] | None = None) -> None:
    aws.client("lambda").create_function(
        FunctionName=name, Runtime="python3.12", Role=_role(aws, f"{name}-role"), Handler="app.handler",
        Code={"ZipFile": zipped({"app.py": "def handler(event, context):\n    return 'ok'\n"})},
        Description="takes orders", Timeout=12, MemorySize=256, Layers=layers or [],
        Environment={"Variables": {"STAGE": "prod", "TABLE": "orders"}}, Tags={"team": "shop"})


def _seed_function(aws):
    """A function as an estate has it, every part of it restore recreates: code, configuration,
    environment (sealed values), a layer, tags, reserved concurrency, an alias on $LATEST, and
    resource policies on the function and on the alias."""
    lam = aws.client("lambda")
    _function(aws, layers=[_layer(aws)])
    lam.put_function_concurrency(FunctionName="orders", ReservedConcurrentExecutions=5)
    lam.create_alias(FunctionName="orders", Name="live", FunctionVersion="$LATEST", Description="what users call")
    lam.add_permission(FunctionName="orders", StatementId="s3-invoke", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::orders-inbox", SourceAccount=ACCOUNT)
    lam.add_permission(FunctionName="orders", Qualifier="live", StatementId="apigw", Action="lambda:InvokeFunction",
                       Principal="apigateway.amazonaws.com")


def _damage_function(aws):
    aws.client("lambda").delete_function(FunctionName="orders")


def _seed_layer(aws):
    _layer(aws)
    aws.client("lambda").add_layer_version_permission(
        LayerName="deps", VersionNumber=1, StatementId="partner", Action="lambda:GetLayerVersion",
        Principal="111122223333")


def _damage_layer(aws):
    """A layer version cannot be deleted and come back under its number: its permission is removed."""
    aws.client("lambda").remove_layer_version_permission(LayerName="deps", VersionNumber=1, StatementId="partner")


def _seed_mapping(aws):
    _function(aws, name="worker")
    queue = aws.client("sqs").create_queue(QueueName="jobs")["QueueUrl"]
    arn = aws.client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    aws.client("lambda").create_event_source_mapping(EventSourceArn=arn, FunctionName="worker", BatchSize=5,
                                                     MaximumBatchingWindowInSeconds=2)


def _damage_mapping(aws):
    """A mapping deleted live comes back under a new UUID: its settings are changed instead."""
    lam = aws.client("lambda")
    (mapping,) = lam.list_event_source_mappings()["EventSourceMappings"]
    lam.update_event_source_mapping(UUID=mapping["UUID"], BatchSize=9, Enabled=False)


FN_ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f"
LAYER_ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:layer:deps"

EXAMPLES = {
    "function": Example(raw={
        "FunctionName": "f",
        "Function": {"Configuration": {"FunctionName": "f", "FunctionArn": FN_ARN,
                                       "Role": "arn:aws:iam::1:role/r", "LastModified": "now", "RevisionId": "x",
                                       "Layers": [{"Arn": f"{LAYER_ARN}:3", "CodeSize": 10},
                                                  {"Arn": "arn:aws:lambda:us-east-1:580247275435:layer:Insights:14"}],
                                       "Environment": {"Variables": {"STAGE": "prod", "API_KEY": "topsecret"}}},
                     "Tags": {"a": "b"}},
        "Concurrency": {}, "Aliases": [{"Name": "live", "FunctionVersion": "1", "RevisionId": "r"}],
        "Policy": {"Version": "2012-10-17", "Statement": [
            {"Sid": "s3", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
             "Action": "lambda:InvokeFunction", "Resource": FN_ARN}]},
        "AliasPolicies": {"live": {"Version": "2012-10-17", "Statement": [
            {"Sid": "apigw", "Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"},
             "Action": "lambda:InvokeFunction", "Resource": f"{FN_ARN}:live"}]}},
        "UrlConfigs": {"$LATEST": {"AuthType": "AWS_IAM", "InvokeMode": "BUFFERED",
                                   "FunctionUrl": "https://abc.lambda-url.us-east-1.on.aws/"}},
        "Versions": [{"Version": "$LATEST"}, {"Version": "1", "RevisionId": "y", "Environment": {"Variables": {"API_KEY": "topsecret"}}}]},
        seed=_seed_function, damage=_damage_function),
    "layer": Example(raw={
        "LayerName": "deps", "LayerArn": LAYER_ARN, "Listed": [{"Version": 3}],
        "Versions": [{"Version": 3, "LayerVersionArn": f"{LAYER_ARN}:3", "Description": "helpers",
                      "CreatedDate": "2024-01-01T00:00:00.000+0000", "LicenseInfo": "MIT",
                      "CompatibleRuntimes": ["python3.12", "python3.11"], "CompatibleArchitectures": ["x86_64"],
                      "Content": {"Location": "https://signed.example/deps-3", "CodeSha256": "abc=", "CodeSize": 3},
                      "Policy": {"Version": "2012-10-17", "Id": "default", "Statement": [
                          {"Sid": "partner", "Effect": "Allow", "Principal": "111122223333",
                           "Action": "lambda:GetLayerVersion", "Resource": f"{LAYER_ARN}:3"}]}}]},
        seed=_seed_layer, damage=_damage_layer),
    "event-source-mapping": Example(raw={
        "UUID": "7a6c1f7e-0000-4000-8000-000000000001", "BatchSize": 5, "MaximumBatchingWindowInSeconds": 2,
        "EventSourceArn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs", "FunctionArn": FN_ARN,
        "EventSourceMappingArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:event-source-mapping:7a6c1f7e",
        "LastModified": 1700000000.0, "LastProcessingResult": "OK", "State": "Enabled",
        "StateTransitionReason": "User action", "Tags": {}},
        seed=_seed_mapping, damage=_damage_mapping),
}
