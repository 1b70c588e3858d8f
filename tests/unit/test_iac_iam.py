"""IAM as code: roles, customer managed policies, users, groups and instance profiles, in
CloudFormation and Terraform. Pure builder tests on stored documents (tests/iac_examples.py);
the CloudFormation ones are also rendered and checked with cfn-lint."""

from __future__ import annotations

from typing import Any

import pytest

from gitsnap.iac.aws import iam
from gitsnap.iac.cloudformation import render
from gitsnap.iac.model import Fields, JsonEncode, Link, Resource
from gitsnap.iac.spec import Emitted, LeftOut, Out
from tests.iac_examples import ACCOUNT, cfn_lint_errors, example_resource

TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                 "Action": "sts:AssumeRole"}]}
READ = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
DEPLOY = f"arn:aws:iam::{ACCOUNT}:policy/ops/deploy"
AWS_MANAGED = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def build(r: Resource, fmt: str) -> tuple[Out, list[tuple[str, str]]]:
    f, out = Fields(r.doc), Out()
    iam.SPECS[r.type].builder(fmt)(r, f, out)
    return out, f.unused()


def role() -> Resource:
    return example_resource("iam", "role", raw={
        "RoleName": "app", "Arn": f"arn:aws:iam::{ACCOUNT}:role/svc/app",
        "Role": {"RoleName": "app", "Arn": f"arn:aws:iam::{ACCOUNT}:role/svc/app", "Path": "/svc/",
                 "Description": "runs the app", "MaxSessionDuration": 7200, "AssumeRolePolicyDocument": TRUST,
                 "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": DEPLOY}},
        "AttachedPolicies": [{"PolicyArn": DEPLOY}, {"PolicyArn": AWS_MANAGED}],
        "InlinePolicies": {"logs": READ}, "Tags": [{"Key": "env", "Value": "prod"}]})


def user(**more: Any) -> Resource:
    return example_resource("iam", "user", raw={
        "UserName": "ci", "Arn": f"arn:aws:iam::{ACCOUNT}:user/bots/ci", "Path": "/bots/",
        "AttachedPolicies": [{"PolicyArn": DEPLOY}], "InlinePolicies": {"read": READ},
        "Groups": [{"GroupName": "deployers"}, {"GroupName": "readers"}], "Tags": [{"Key": "team", "Value": "web"}],
        "AccessKeys": [{"AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Status": "Active"}], **more})


def group() -> Resource:
    return example_resource("iam", "group", raw={
        "GroupName": "deployers", "Arn": f"arn:aws:iam::{ACCOUNT}:group/teams/deployers", "Path": "/teams/",
        "AttachedPolicies": [{"PolicyArn": DEPLOY}], "InlinePolicies": {"read": READ},
        "Users": [{"UserName": "ci"}]})


def policy() -> Resource:
    return example_resource("iam", "policy", raw={
        "PolicyName": "deploy", "Arn": DEPLOY, "Path": "/ops/", "DefaultVersionId": "v3",
        "Policy": {"Description": "deploys the site"}, "Version": {"Document": READ},
        "Tags": [{"Key": "owner", "Value": "ops"}]})


def profile(roles: list[str]) -> Resource:
    return example_resource("iam", "instance-profile", raw={
        "InstanceProfileName": "app-hosts", "Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/hosts/app-hosts",
        "Path": "/hosts/", "Roles": [{"RoleName": x} for x in roles]})


def test_policy_address_only_for_the_accounts_own_policies():
    assert iam.policy_address(DEPLOY) == "iam/policy/deploy"
    assert iam.policy_address(AWS_MANAGED) is None


def test_role_cloudformation_inline_and_managed_policies():
    out, unused = build(role(), "cloudformation")
    (r,) = out.cfn
    assert r.type == "AWS::IAM::Role" and r.identifier == {"RoleName": "app"}
    p = r.properties
    assert (p["RoleName"], p["Path"], p["Description"], p["MaxSessionDuration"]) == ("app", "/svc/", "runs the app", 7200)
    assert p["AssumeRolePolicyDocument"] == TRUST
    assert p["Policies"] == [{"PolicyName": "logs", "PolicyDocument": READ}]
    deploy = Link("iam/policy/deploy", None, DEPLOY, tf_attr="arn")
    assert p["ManagedPolicyArns"] == [deploy, AWS_MANAGED]
    assert p["PermissionsBoundary"] == deploy and p["Tags"] == [{"Key": "env", "Value": "prod"}]
    assert unused == []


def test_role_terraform_one_block_per_inline_and_attached_policy():
    out, unused = build(role(), "terraform")
    assert [(b.type, b.import_id) for b in out.tf] == [
        ("aws_iam_role", "app"), ("aws_iam_role_policy", "app:logs"),
        ("aws_iam_role_policy_attachment", f"app/{DEPLOY}"), ("aws_iam_role_policy_attachment", f"app/{AWS_MANAGED}")]
    assert out.tf[0].body["assume_role_policy"] == JsonEncode(TRUST)
    assert out.tf[1].body["role"] == Link("iam/role/app", None, "app", tf_attr="name")
    assert out.tf[2].body["policy_arn"] == Link("iam/policy/deploy", None, DEPLOY, tf_attr="arn")
    assert unused == []


def test_policy_from_its_default_version_document():
    out, unused = build(policy(), "cloudformation")
    (p,) = out.cfn
    assert p.properties == {"ManagedPolicyName": "deploy", "Path": "/ops/", "Description": "deploys the site",
                            "PolicyDocument": READ}
    assert p.identifier == {"PolicyArn": DEPLOY}
    assert [path for path, _ in unused] == ["Tags"]  # AWS::IAM::ManagedPolicy has no Tags
    out, unused = build(policy(), "terraform")
    assert (out.tf[0].type, out.tf[0].import_id) == ("aws_iam_policy", DEPLOY)
    assert out.tf[0].body["tags"] == {"owner": "ops"} and unused == []


def test_user_access_keys_are_listed_never_written():
    for fmt in ("cloudformation", "terraform"):
        out, unused = build(user(), fmt)
        assert "access keys are not written" in dict(unused)["AccessKeys"]
        assert "AKIAIOSFODNN7EXAMPLE" not in repr(out)
        assert not any("AccessKey" in x.type for x in out.cfn) and not any("access_key" in x.type for x in out.tf)


def test_user_groups_and_policies():
    out, _ = build(user(), "cloudformation")
    p = out.cfn[0].properties
    assert p["Groups"] == [Link("iam/group/deployers", None, "deployers", tf_attr="name"),
                           Link("iam/group/readers", None, "readers", tf_attr="name")]
    assert p["Policies"] == [{"PolicyName": "read", "PolicyDocument": READ}] and p["Path"] == "/bots/"
    out, _ = build(user(), "terraform")
    assert [(b.type, b.import_id) for b in out.tf] == [
        ("aws_iam_user", "ci"), ("aws_iam_user_policy", "ci:read"), ("aws_iam_user_policy_attachment", f"ci/{DEPLOY}"),
        ("aws_iam_user_group_membership", "ci/deployers/readers")]


def test_group_membership_is_written_on_the_user_not_twice():
    out, unused = build(group(), "cloudformation")
    assert out.cfn[0].properties == {"GroupName": "deployers", "Path": "/teams/",
                                     "Policies": [{"PolicyName": "read", "PolicyDocument": READ}],
                                     "ManagedPolicyArns": [Link("iam/policy/deploy", None, DEPLOY, tf_attr="arn")]}
    assert unused == []
    out, _ = build(group(), "terraform")
    assert [(b.type, b.import_id) for b in out.tf] == [
        ("aws_iam_group", "deployers"), ("aws_iam_group_policy", "deployers:read"),
        ("aws_iam_group_policy_attachment", f"deployers/{DEPLOY}")]


def test_instance_profile_links_its_role_and_needs_one_in_cloudformation():
    out, _ = build(profile(["app"]), "cloudformation")
    assert out.cfn[0].properties["Roles"] == [Link("iam/role/app", None, "app", tf_attr="name")]
    out, _ = build(profile(["app"]), "terraform")
    assert out.tf[0].import_id == "app-hosts" and out.tf[0].body["role"].address == "iam/role/app"
    with pytest.raises(LeftOut, match="needs a role"):
        build(profile([]), "cloudformation")


def test_iam_template_passes_cfn_lint_and_refers_within_it():
    emitted = []
    for r in (role(), policy(), user(AccessKeys=[]), group(), profile(["app"])):
        out, unused = build(r, "cloudformation")
        emitted.append(Emitted(r, out, unused))
    rendered = render(emitted, "0" * 40)
    (path, body), = [(p, b) for p, b in rendered.files.items() if p.endswith(".yaml")]
    assert path.endswith("/us-east-1/template.yaml")  # global resources deploy there
    assert cfn_lint_errors(body) == []
    text = body.decode()
    assert "!Ref DeployManagedPolicy" in text and "!Ref AppRole" in text
