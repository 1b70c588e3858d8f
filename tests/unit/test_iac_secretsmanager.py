"""Secrets Manager as code: the value only as a NoEcho parameter / sensitive variable."""

from __future__ import annotations

from gitsnap.iac import cloudformation, terraform
from gitsnap.iac.model import Link
from gitsnap.iac.run import build
from tests.iac_examples import cfn_lint_errors, emitted, example_resource

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:jada/prod/stripe"


def test_a_secret_value_becomes_a_noecho_parameter_and_its_policy_and_rotation_follow() -> None:
    e = emitted("secretsmanager", "secret")
    assert [r.type for r in e.out.cfn] == ["AWS::SecretsManager::Secret", "AWS::SecretsManager::ResourcePolicy",
                                           "AWS::SecretsManager::RotationSchedule"]
    secret, policy, rotation = (r.properties for r in e.out.cfn)
    assert secret["Name"] == "jada/prod/stripe" and secret["KmsKeyId"] == "alias/jada"
    assert secret["ReplicaRegions"] == [{"Region": "us-west-2", "KmsKeyId": "alias/aws/secretsmanager"}]
    assert secret["SecretString"].startswith("redacted:hmac-sha256:")
    assert policy["SecretId"] == Link("secretsmanager/jada/prod/stripe", None, ARN, tf_attr="id")
    assert rotation["RotationRules"] == {"AutomaticallyAfterDays": 30}
    assert e.unused == []
    rendered = cloudformation.render([e], "r")
    template = next(b for path, b in rendered.files.items() if path.endswith(".yaml"))
    assert b"redacted:hmac-sha256" not in template and b"NoEcho: true" in template
    assert cfn_lint_errors(template) == []


def test_a_secret_in_terraform_has_a_version_with_a_sensitive_variable() -> None:
    e = emitted("secretsmanager", "secret", "terraform")
    assert [(b.type, b.import_id) for b in e.out.tf] == [
        ("aws_secretsmanager_secret", ARN), ("aws_secretsmanager_secret_version", None),
        ("aws_secretsmanager_secret_policy", ARN), ("aws_secretsmanager_secret_rotation", ARN)]
    assert e.out.tf[0].body["replica"][0].body == {"region": "us-west-2", "kms_key_id": "alias/aws/secretsmanager"}
    rendered = terraform.render([e], "r")
    text = b"".join(rendered.files.values()).decode()
    assert "redacted:hmac-sha256" not in text and "sensitive   = true" in text


def test_a_secret_whose_value_was_not_captured_is_emitted_without_one() -> None:
    raw = {"Name": "jada/prod/other", "Secret": {"Name": "jada/prod/other", "Description": "d"}}
    e = build(example_resource("secretsmanager", "secret", raw=raw), "cloudformation")
    assert "SecretString" not in e.out.cfn[0].properties
    assert e.out.cfn[0].properties["Description"] == "d"


def test_a_replica_and_a_service_owned_secret_are_left_out() -> None:
    replica = {"Name": "jada/x", "Secret": {"Name": "jada/x", "PrimaryRegion": "us-west-2"}}
    owned = {"Name": "rds!db-1", "Secret": {"Name": "rds!db-1", "OwningService": "rds"}}
    assert "us-west-2" in build(example_resource("secretsmanager", "secret", raw=replica), "terraform")[1]
    assert "rds" in build(example_resource("secretsmanager", "secret", raw=owned), "cloudformation")[1]
