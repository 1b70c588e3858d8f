"""The IAM policies are derived from the declarations, and every declaration is checked against
botocore's service models (the operation exists; the action is one IAM knows for it)."""

from __future__ import annotations

import dataclasses

from gitsnap.collectors import registry
from gitsnap.collectors.aws import dynamodb
from gitsnap.collectors.permissions import (
    ACCOUNT_READS,
    actions_for,
    capture_actions,
    check_declarations,
    declared_calls,
    read_only_policy,
    restore_policy,
)
from gitsnap.collectors.spec import Call, Detail, Restorer

TYPES = registry.all_types()


def _actions(policy):
    return set(policy["Statement"][0]["Action"])


def test_every_declared_call_and_action_exists_in_botocore():
    assert check_declarations(TYPES) == []


def test_a_misspelt_call_or_action_is_caught():
    table = dynamodb.TABLE
    wrong_call = dataclasses.replace(table, details=(*table.details, Detail("X", Call("describe_tabel"))))
    wrong_action = dataclasses.replace(table, permissions=("dynamodb:DescribeTabel",))
    operation_not_action = dataclasses.replace(registry.AWS["s3"][0], permissions=("s3:ListBuckets",))
    wrong_write = dataclasses.replace(table, restore=Restorer(permissions=("dynamodb:UpdateTabel",)))
    problems = check_declarations([wrong_call, wrong_action, operation_not_action, wrong_write])
    assert len(problems) == 4, problems
    assert "describe_tabel" in problems[0]
    assert "dynamodb:DescribeTabel" in problems[1]
    assert "s3:ListBuckets" in problems[2]  # the IAM action is s3:ListAllMyBuckets
    assert "dynamodb:UpdateTabel" in problems[3]


def test_iam_names_that_differ_from_operation_names():
    assert actions_for("s3", "list_buckets") == ("s3:ListAllMyBuckets",)
    assert actions_for("s3", "list_objects_v2") == ("s3:ListBucket",)
    assert actions_for("s3", "head_object") == ("s3:GetObject",)
    assert actions_for("cloudwatch", "describe_alarms") == ("cloudwatch:DescribeAlarms",)  # endpoint "monitoring"
    assert actions_for("apigateway", "get_rest_apis") == ("apigateway:GET",)
    assert actions_for("apigateway", "update_rest_api") == ("apigateway:PATCH",)


def test_the_read_only_policy_is_derived_from_the_declared_calls():
    policy = _actions(read_only_policy())
    for spec in TYPES:
        for service, method in declared_calls(spec):
            assert set(actions_for(service, method)) <= policy, f"{spec.service}/{spec.type} {method}"
    # a call declared is a permission granted, without a hand-written list
    table = dynamodb.TABLE
    bare = dataclasses.replace(table, permissions=())
    assert "dynamodb:DescribeTable" in capture_actions(bare)
    assert "dynamodb:DescribeTimeToLive" in capture_actions(bare)
    assert "dynamodb:DescribeTimeToLive" not in capture_actions(
        dataclasses.replace(bare, details=tuple(d for d in table.details if d.into != "TimeToLive")))


def test_the_read_only_policy_only_reads():
    actions = _actions(read_only_policy())
    assert set(ACCOUNT_READS) <= actions
    assert all(a.split(":")[1].startswith(("Get", "List", "Describe", "Scan")) or a == "apigateway:GET"
               for a in actions), sorted(a for a in actions if not a.split(":")[1].startswith(("Get", "List", "Describe")))


def test_the_restore_policy_is_every_declared_write():
    writes = _actions(restore_policy())
    for spec in TYPES:
        if isinstance(spec.restore, Restorer):
            assert set(spec.restore.permissions) <= writes
    assert not writes & {a for a in _actions(read_only_policy()) if a.split(":")[1].startswith("Put")}


def test_the_policy_needs_no_aws_profile(tmp_path):
    """`gitsnap permissions` (and `schedule --kind eventbridge`, which embeds its policy) is what
    a user runs before the profile exists: with AWS_PROFILE naming none, the policy still prints.
    It read botocore's models through a session, which fails with ProfileNotFound."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "AWS_PROFILE": "no-such-profile", "AWS_CONFIG_FILE": str(tmp_path / "none"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}
    gitsnap = os.path.join(os.path.dirname(sys.executable), "gitsnap")
    out = subprocess.run([gitsnap, "permissions", "--only", "s3"], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert "s3:GetBucketVersioning" in out.stdout


def test_with_an_organization_the_policy_lets_the_caller_list_accounts_and_assume_the_role(tmp_path):
    """`gitsnap permissions` reads the config: [aws] organization = true adds exactly the two
    calls capture makes before any service read (ListAccounts, AssumeRole of the named role)."""
    import json

    from click.testing import CliRunner

    from gitsnap.cli import cli

    (tmp_path / "gitsnap.toml").write_text('[aws]\norganization = true\norganization_role = "GitsnapRead"\n')
    plain = json.loads(CliRunner().invoke(cli, ["--repo", str(tmp_path / "none"), "permissions"]).output)
    result = CliRunner().invoke(cli, ["--repo", str(tmp_path), "permissions", "--only", "s3"])
    assert result.exit_code == 0, result.output
    statements = {s["Sid"]: s for s in json.loads(result.output)["Statement"]}
    assert statements["GitsnapListOrganizationAccounts"]["Action"] == ["organizations:ListAccounts"]
    assert statements["GitsnapAssumeOrganizationRole"]["Resource"] == "arn:aws:iam::*:role/GitsnapRead"
    assert [s["Sid"] for s in plain["Statement"]] == ["GitsnapReadOnlyCapture"]
