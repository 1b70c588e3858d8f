"""SSM Parameter Store parameters: AWS::SSM::Parameter; aws_ssm_parameter.

CloudFormation cannot create a SecureString parameter, so one is left out of templates with
that reason. Terraform can: its value is the snapshot's redaction marker, which the writer
turns into a ``sensitive`` variable (the value itself is never written).
"""

from __future__ import annotations

import json

from ..model import Fields, Resource
from ..spec import IacSpec, LeftOut, Out

SECURE = "SecureString"


def _policies(f: Fields) -> str | None:
    """Parameter policies as the JSON text both formats take (a list of the policies' documents)."""
    policies = [p["PolicyText"] for p in f.get("Policies") or [] if p.get("PolicyText")]
    return json.dumps(policies, sort_keys=True) if policies else None


def parameter_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("Name")
    f.computed("status")
    if f.get("Type") == SECURE:
        f.computed("SecureValue", "EncryptedValue", "KeyId")
        raise LeftOut("CloudFormation cannot create a SecureString parameter: put it with aws ssm put-parameter "
                      "--type SecureString (gitsnap restore puts the sealed value back), or use the Terraform output")
    out.resource("AWS::SSM::Parameter", {
        "Name": name,
        "Type": f.get("Type"),
        "Value": f.get("Value"),
        "Description": f.get("Description"),
        "AllowedPattern": f.get("AllowedPattern"),
        "Tier": f.get("Tier"),
        "DataType": f.get("DataType"),
        "Policies": _policies(f),
        "Tags": f.get("Tags") or None,  # a map here, unlike most types
    }, name, identifier={"Name": name})


def parameter_terraform(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("Name")
    f.computed("status")
    kind = f.get("Type")
    value = f.get("SecureValue") if kind == SECURE else f.get("Value")
    if kind == SECURE and not value:
        f.computed("EncryptedValue")
        raise LeftOut("the SecureString's value was captured encrypted only ([aws.ssm] decrypt = false): there is "
                      "no value to give Terraform; capture with decrypt on, or import it and set the value by hand")
    if f.get("Policies"):
        f.unsupported("Policies", "aws_ssm_parameter has no attribute for parameter policies: set them with "
                                  "aws ssm put-parameter --policies")
    out.block("aws_ssm_parameter", {
        "name": name,
        "type": kind,
        "value": value,
        "description": f.get("Description"),
        "allowed_pattern": f.get("AllowedPattern"),
        "tier": f.get("Tier"),
        "data_type": f.get("DataType"),
        "key_id": f.get("KeyId"),
        "tags": f.get("Tags") or None,
    }, name, import_id=name)


SPECS = {
    "parameter": IacSpec(
        cloudformation=parameter_cloudformation, terraform=parameter_terraform,
        cfn_types=("AWS::SSM::Parameter",), tf_types=("aws_ssm_parameter",),
    ),
}
