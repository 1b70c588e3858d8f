"""Lambda as code: functions (code artifact, role and layer links, permissions, aliases, versions,
URLs), layers and event source mappings, in CloudFormation and Terraform.

Pure builder tests on stored documents (tests/iac_examples.py); the CloudFormation ones are also
rendered and checked with cfn-lint. The code record (``Code``) is added by hand: a capture adds
it after the transform, from the downloaded package."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from gitsnap.iac.aws import awslambda
from gitsnap.iac.cloudformation import render
from gitsnap.iac.model import Block, Fields, Link, Named, Resource
from gitsnap.iac.spec import Artifact, Emitted, LeftOut, Out
from gitsnap.secrets.fingerprint import MARKER
from tests.iac_examples import ACCOUNT, cfn_lint_errors, example_resource

ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:orders"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/svc/orders-role"
LAYER = f"arn:aws:lambda:us-east-1:{ACCOUNT}:layer:deps"
SHA = "RdH0GRv3HEpty0ss8LZl1e7zQh57NUy048W1xrGFOO8="
BLOB = "f2b895a9a6b6e7d27b6f897ea9a8930c98c603c1"


def function_raw(**config: Any) -> dict[str, Any]:
    """A function as GetFunction & co. answer: layer, environment (one secret), alias with a
    policy, a version with the current code, a URL, reserved concurrency, tags."""
    return {
        "FunctionName": "orders",
        "Function": {"Configuration": {
            "FunctionName": "orders", "FunctionArn": ARN, "Runtime": "python3.12", "Role": ROLE,
            "Handler": "app.handler", "CodeSize": 172, "CodeSha256": SHA, "Description": "takes orders",
            "Timeout": 12, "MemorySize": 256, "Version": "$LATEST", "PackageType": "Zip",
            "Architectures": ["arm64"], "EphemeralStorage": {"Size": 1024}, "TracingConfig": {"Mode": "Active"},
            "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
            "LoggingConfig": {"LogFormat": "JSON", "ApplicationLogLevel": "INFO", "SystemLogLevel": "WARN",
                              "LogGroup": "/aws/lambda/orders"},
            "Layers": [{"Arn": f"{LAYER}:3", "CodeSize": 10}],
            "Environment": {"Variables": {"STAGE": "prod", "API_KEY": "sk_live_abcdefghijklmnop"}},
            **config}, "Tags": {"team": "shop"}},
        "Concurrency": {"ReservedConcurrentExecutions": 5},
        "Policy": {"Version": "2012-10-17", "Id": "default", "Statement": [
            {"Sid": "s3-invoke", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
             "Action": "lambda:InvokeFunction", "Resource": ARN,
             "Condition": {"StringEquals": {"AWS:SourceAccount": ACCOUNT},
                           "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::orders-inbox"}}}]},
        "AliasPolicies": {"live": {"Version": "2012-10-17", "Statement": [
            {"Sid": "apigw", "Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"},
             "Action": "lambda:InvokeFunction", "Resource": f"{ARN}:live"}]}},
        "Aliases": [{"Name": "live", "FunctionVersion": "1", "AliasArn": f"{ARN}:live", "Description": "users",
                     "RoutingConfig": {"AdditionalVersionWeights": {"2": 0.25}}}],
        "Versions": [{"Version": "$LATEST"}, {"Version": "1", "CodeSha256": SHA, "FunctionArn": f"{ARN}:1"},
                     {"Version": "2", "CodeSha256": SHA, "FunctionArn": f"{ARN}:2", "Description": "second"}],
        "UrlConfigs": {"$LATEST": {"AuthType": "NONE", "InvokeMode": "BUFFERED",
                                   "FunctionUrl": "https://abc.lambda-url.us-east-1.on.aws/",
                                   "Cors": {"AllowOrigins": ["https://shop.example"], "MaxAge": 60}}},
    }


def function(code: dict[str, Any] | None = None, **config: Any) -> Resource:
    r = example_resource("lambda", "function", raw=function_raw(**config))
    return dataclasses.replace(r, doc={**r.doc, "Code": code if code is not None else
                                       {"blob": BLOB, "sha256": "45d1", "size": 172}})


def build(r: Resource, fmt: str) -> tuple[Out, list[tuple[str, str]]]:
    f, out = Fields(r.doc), Out()
    awslambda.SPECS[r.type].builder(fmt)(r, f, out)
    return out, f.unused()


def by_type(out: Out, type_: str) -> list[Any]:
    return [x for x in (out.cfn if "::" in type_ else out.tf) if x.type == type_]


# -- functions -----------------------------------------------------------------------------------

def test_function_cloudformation_has_code_role_layers_and_configuration():
    out, unused = build(function(), "cloudformation")
    fn = out.cfn[0]
    assert fn.type == "AWS::Lambda::Function" and fn.identifier == {"FunctionName": "orders"}
    p = fn.properties
    assert p["Code"] == Artifact(BLOB, f"lambda/{ACCOUNT}/us-east-1/orders.zip", 172)
    assert out.artifacts == [p["Code"]]
    assert p["Role"] == Link("iam/role/orders-role", "Arn", ROLE, tf_attr="arn")
    # a version ARN, linked by the engine only to the layer's newest version (test_iac_engine.py)
    assert p["Layers"] == [Named(f"{LAYER}:3")]
    assert (p["Handler"], p["Runtime"], p["Timeout"], p["MemorySize"]) == ("app.handler", "python3.12", 12, 256)
    assert p["Architectures"] == ["arm64"] and p["EphemeralStorage"] == {"Size": 1024}
    assert p["LoggingConfig"]["LogFormat"] == "JSON" and p["TracingConfig"] == {"Mode": "Active"}
    assert p["ReservedConcurrentExecutions"] == 5 and p["Tags"] == [{"Key": "team", "Value": "shop"}]
    assert "SnapStart" not in p  # ApplyOn None is the default, not a setting
    env = p["Environment"]["Variables"]
    assert MARKER.fullmatch(env["API_KEY"]) and "sk_live" not in str(out.cfn)  # the writer makes it a parameter
    assert unused == []


def test_function_permissions_aliases_versions_and_url():
    out, _ = build(function(), "cloudformation")
    perms = by_type(out, "AWS::Lambda::Permission")
    assert [p.properties["Principal"] for p in perms] == ["s3.amazonaws.com", "apigateway.amazonaws.com"]
    s3 = perms[0].properties
    assert s3["SourceArn"] == "arn:aws:s3:::orders-inbox" and s3["SourceAccount"] == ACCOUNT
    assert s3["FunctionName"] == Link("lambda/orders", "Arn", ARN, tf_attr="arn")
    # the alias's statement is on the alias's ARN, after the alias exists
    assert perms[1].properties["FunctionName"] == {"Fn::Join": [":", [Link("lambda/orders", "Arn", ARN, "arn"), "live"]]}
    assert perms[1].depends_on == ["orders-live"]
    versions = by_type(out, "AWS::Lambda::Version")
    assert [v.name for v in versions] == ["orders-v1", "orders-v2"]
    assert versions[1].depends_on == ["orders-v1"] and versions[1].properties["CodeSha256"] == SHA
    (alias,) = by_type(out, "AWS::Lambda::Alias")
    assert alias.properties["FunctionVersion"] == "1"
    assert alias.properties["RoutingConfig"] == {"AdditionalVersionWeights": [{"FunctionVersion": "2",
                                                                               "FunctionWeight": 0.25}]}
    assert alias.depends_on == ["orders-v1", "orders-v2"]
    (url,) = by_type(out, "AWS::Lambda::Url")
    assert url.properties["AuthType"] == "NONE" and url.properties["Cors"]["MaxAge"] == 60
    assert "Qualifier" not in url.properties


def test_function_terraform_blocks_and_import_ids():
    out, unused = build(function(), "terraform")
    fn = out.tf[0]
    assert (fn.type, fn.import_id) == ("aws_lambda_function", "orders")
    assert fn.body["filename"] == Artifact(BLOB, f"lambda/{ACCOUNT}/us-east-1/orders.zip", 172)
    assert fn.body["source_code_hash"] == SHA  # an imported function is not given its code again
    assert fn.body["role"].tf_attr == "arn" and fn.body["reserved_concurrent_executions"] == 5
    assert fn.body["logging_config"] == Block({"log_format": "JSON", "application_log_level": "INFO",
                                               "system_log_level": "WARN", "log_group": "/aws/lambda/orders"})
    ids = {b.type: [] for b in out.tf}
    for b in out.tf:
        ids[b.type].append(b.import_id)
    assert ids["aws_lambda_permission"] == ["orders/s3-invoke", "orders:live/apigw"]
    assert ids["aws_lambda_alias"] == ["orders/live"]
    assert ids["aws_lambda_function_url"] == ["orders"]
    (alias,) = by_type(out, "aws_lambda_alias")
    assert alias.body["routing_config"] == Block({"additional_version_weights": {"2": 0.25}})
    assert [p for p, _ in unused] == ["Versions"]  # no provider resource for a published version


def test_a_version_with_older_code_is_listed_not_published_with_new_code():
    raw = function_raw()
    raw["Versions"][1]["CodeSha256"] = "b2xkZXI="
    r = example_resource("lambda", "function", raw=raw)
    out, unused = build(dataclasses.replace(r, doc={**r.doc, "Code": {"blob": BLOB, "size": 172}}), "cloudformation")
    assert [v.name for v in by_type(out, "AWS::Lambda::Version")] == ["orders-v2"]
    assert dict(unused)["Versions"].startswith("versions 1 hold older code")


def test_sealed_code_and_missing_code_are_left_out_with_the_reason():
    with pytest.raises(LeftOut, match="sealed"):
        build(function({"sealed": "holds a secret", "sha256": "x", "size": 3}), "cloudformation")
    with pytest.raises(LeftOut, match="no code package"):
        build(function({}), "terraform")


def test_a_container_image_function_names_its_image():
    image = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/orders:1"
    raw = function_raw(PackageType="Image")
    raw["Function"]["Code"] = {"ImageUri": image}
    r = example_resource("lambda", "function", raw=raw)
    out, _ = build(r, "cloudformation")
    assert out.cfn[0].properties["Code"] == {"ImageUri": image} and out.artifacts == []
    out, _ = build(r, "terraform")
    assert out.tf[0].body["image_uri"] == image and "filename" not in out.tf[0].body


def test_statements_addpermission_cannot_make_are_listed():
    assert awslambda.permission_of({"Effect": "Deny", "Principal": "*", "Action": "lambda:InvokeFunction"}) is None
    assert awslambda.permission_of({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                                    "Action": "lambda:InvokeFunction",
                                    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}}) == {
        "Action": "lambda:InvokeFunction", "Principal": "arn:aws:iam::111122223333:root", "PrincipalOrgID": "o-1"}
    raw = function_raw()
    raw["Policy"]["Statement"].append({"Sid": "odd", "Effect": "Allow", "Principal": "*", "Resource": ARN,
                                       "Action": ["lambda:InvokeFunction", "lambda:GetFunction"]})
    r = example_resource("lambda", "function", raw=raw)
    out, unused = build(dataclasses.replace(r, doc={**r.doc, "Code": {"blob": BLOB}}), "cloudformation")
    assert len(by_type(out, "AWS::Lambda::Permission")) == 2
    assert "odd" in dict(unused)["Policy"]


# -- layers --------------------------------------------------------------------------------------

def layer() -> Resource:
    def version(n: int) -> dict[str, Any]:
        return {"Version": n, "LayerVersionArn": f"{LAYER}:{n}", "Description": f"helpers {n}", "LicenseInfo": "MIT",
                "CompatibleRuntimes": ["python3.12"], "Content": {"CodeSha256": f"sha{n}=", "CodeSize": 3},
                "Policy": {"Version": "2012-10-17", "Statement": [
                    {"Sid": "partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                     "Action": "lambda:GetLayerVersion", "Resource": f"{LAYER}:{n}"}]} if n == 3 else None}
    r = example_resource("lambda", "layer", raw={"LayerName": "deps", "LayerArn": LAYER, "Listed": [],
                                                 "Versions": [version(2), version(3)]})
    versions = [{**v, "Code": {"blob": f"{v['Version']}" * 40, "size": 3}} for v in r.doc["Versions"]]
    return dataclasses.replace(r, doc={**r.doc, "Versions": versions})


def test_layer_cloudformation_newest_version_first_each_after_the_one_before():
    out, unused = build(layer(), "cloudformation")
    versions = by_type(out, "AWS::Lambda::LayerVersion")
    assert [v.name for v in versions] == ["deps-3", "deps-2"]  # the newest is what a function's Link names
    assert versions[0].depends_on == ["deps-2"] and versions[1].depends_on == []
    assert versions[0].properties["Content"].path == f"lambda/{ACCOUNT}/us-east-1/layers/deps/3.zip"
    assert versions[0].identifier == {"LayerVersionArn": f"{LAYER}:3"}
    (grant,) = by_type(out, "AWS::Lambda::LayerVersionPermission")
    assert grant.properties["Principal"] == "111122223333"  # an account id, as AddLayerVersionPermission takes
    assert grant.properties["LayerVersionArn"] == Link("lambda/layer/deps", None, f"{LAYER}:3", tf_attr="arn")
    assert unused == []


def test_layer_terraform_import_ids():
    out, _ = build(layer(), "terraform")
    assert [(b.type, b.import_id) for b in out.tf] == [
        ("aws_lambda_layer_version", f"{LAYER}:3"), ("aws_lambda_layer_version_permission", f"{LAYER},3"),
        ("aws_lambda_layer_version", f"{LAYER}:2")]
    assert out.tf[0].body["source_code_hash"] == "sha3="


def test_a_layer_whose_every_version_is_sealed_is_left_out():
    r = layer()
    sealed = [{**v, "Code": {"sealed": "secret"}} for v in r.doc["Versions"]]
    with pytest.raises(LeftOut, match="sealed"):
        build(dataclasses.replace(r, doc={**r.doc, "Versions": sealed}), "cloudformation")


# -- event source mappings -----------------------------------------------------------------------

def test_mapping_refers_to_its_function_and_lists_an_on_success_destination():
    raw = {"UUID": "7a6c", "BatchSize": 5, "EventSourceArn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs",
           "FunctionArn": ARN, "State": "Disabled", "FunctionResponseTypes": ["ReportBatchItemFailures"],
           "DestinationConfig": {"OnSuccess": {"Destination": "arn:aws:sqs:us-east-1:1:ok"},
                                 "OnFailure": {"Destination": "arn:aws:sqs:us-east-1:1:dlq"}}}
    r = example_resource("lambda", "event-source-mapping", raw=raw)
    out, unused = build(r, "cloudformation")
    p = out.cfn[0].properties
    assert p["FunctionName"] == Link("lambda/orders", "Arn", ARN, tf_attr="arn")
    assert p["Enabled"] is False and p["BatchSize"] == 5
    assert p["DestinationConfig"] == {"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:1:dlq"}}
    assert [path for path, _ in unused] == ["DestinationConfig.OnSuccess"]
    out, _ = build(r, "terraform")
    assert out.tf[0].import_id == "7a6c" and out.tf[0].body["enabled"] is False


# -- the templates -------------------------------------------------------------------------------

def test_lambda_templates_pass_cfn_lint():
    emitted = []
    for r in (function(), layer(), example_resource("lambda", "event-source-mapping")):
        out, unused = build(r, "cloudformation")
        emitted.append(Emitted(r, out, unused))
    rendered = render(emitted, "0" * 40)
    templates = [body for path, body in rendered.files.items() if path.endswith(".yaml")]
    assert templates
    for body in templates:
        assert cfn_lint_errors(body) == []
        assert b"sk_live" not in body
