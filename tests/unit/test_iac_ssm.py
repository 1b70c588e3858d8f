"""SSM parameters as code: CloudFormation cannot make a SecureString; Terraform takes it as a
sensitive variable."""

from __future__ import annotations

import json

from gitsnap.iac import cloudformation, terraform
from gitsnap.iac.run import build
from tests.iac_examples import cfn_lint_errors, emitted, example_resource

PLAIN = {"Name": "/jada/prod/api-url", "Type": "String", "Tier": "Standard", "DataType": "text",
         "Description": "orders API", "AllowedPattern": "^https://.*",
         "Parameter": {"Name": "/jada/prod/api-url", "Type": "String", "Value": "https://api.sailjada.com"},
         "Policies": [{"PolicyType": "Expiration", "PolicyStatus": "Pending",
                       "PolicyText": json.dumps({"Type": "Expiration", "Version": "1.0",
                                                 "Attributes": {"Timestamp": "2030-01-01T00:00:00.000Z"}})}],
         "Tags": [{"Key": "env", "Value": "prod"}], "WithDecryption": False}


def test_a_string_parameter_keeps_its_value_policies_and_tags() -> None:
    e = build(example_resource("ssm", "parameter", raw=PLAIN), "cloudformation")
    res = e.out.cfn[0]
    p = res.properties
    assert res.type == "AWS::SSM::Parameter" and res.identifier == {"Name": "/jada/prod/api-url"}
    assert (p["Type"], p["Value"], p["Tier"], p["AllowedPattern"]) == ("String", "https://api.sailjada.com",
                                                                      "Standard", "^https://.*")
    assert json.loads(p["Policies"]) == [{"Type": "Expiration", "Version": "1.0",
                                          "Attributes": {"Timestamp": "2030-01-01T00:00:00.000Z"}}]
    assert p["Tags"] == {"env": "prod"}  # a map for this type
    assert e.unused == []
    files = cloudformation.render([e], "r").files
    assert [err for path, b in files.items() if path.endswith(".yaml") for err in cfn_lint_errors(b)] == []


def test_a_secure_string_is_left_out_of_cloudformation_with_the_reason() -> None:
    verdict, why = build(example_resource("ssm", "parameter"), "cloudformation")
    assert verdict == "left out" and "SecureString" in why


def test_a_secure_string_in_terraform_is_a_sensitive_variable_never_the_value() -> None:
    e = emitted("ssm", "parameter", "terraform")
    block = e.out.tf[0]
    assert (block.type, block.import_id) == ("aws_ssm_parameter", "/jada/prod/db-password")
    assert block.body["type"] == "SecureString" and block.body["key_id"] == "alias/aws/ssm"
    assert block.body["value"].startswith("redacted:hmac-sha256:")  # the writer makes it a variable
    assert [path for path, _ in e.unused] == ["Policies"]  # no attribute for them: said, not dropped
    rendered = terraform.render([e], "r")
    text = b"".join(rendered.files.values()).decode()
    assert "redacted:hmac-sha256" not in text and "var." in text
    assert [v for v in rendered.variables]  # one sensitive variable


def test_a_secure_string_captured_encrypted_only_is_left_out_of_terraform() -> None:
    raw = {"Name": "/jada/k", "Type": "SecureString", "WithDecryption": False, "KeyId": "alias/aws/ssm",
           "Parameter": {"Name": "/jada/k", "Type": "SecureString", "Value": "AQICAHh..."},
           "EncryptedValue": "redacted:hmac-sha256:" + "cd" * 12}
    verdict, why = build(example_resource("ssm", "parameter", raw=raw), "terraform")
    assert verdict == "left out" and "decrypt" in why
