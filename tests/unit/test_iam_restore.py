"""IAM restore, type by type: a deleted role, policy, user, group or instance profile is
recreated with what it had; what differs is put back field by field; --delete removes what the
snapshot does not have; what cannot be restored (an access key's secret) says so.

In-process moto (``mock_aws``) plays IAM; the plans go through the runner's ``plan_address``.
moto has no user permissions-boundary calls: that one is checked with botocore's Stubber."""

from __future__ import annotations

import dataclasses
import json

import boto3
import botocore.session
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from gitsnap.canonical import dumps
from gitsnap.restore.ops import RestoreContext
from gitsnap.restore.run import plan_address
from gitsnap.store import SnapshotStore

try:
    from gitsnap.store.snapshot import Snapshot
except ImportError:  # the layout before issue 12 (so these tests show how old main behaves)
    from gitsnap.diff import Snapshot

ACCOUNT = "123456789012"
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                 "Action": "sts:AssumeRole"}]}


def statement(action: str) -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}


def arn(kind: str, name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{ACCOUNT}:{kind}{path}{name}"


class Moto:
    """The accounts the restore reaches: one, whose clients go to moto in this process."""

    def __init__(self, iam=None) -> None:
        self.iam = iam

    def client(self, service, account=None, region=None):
        return self.iam or boto3.client(service, region_name="us-east-1")

    def reaches(self, account):
        return account == ACCOUNT

    def known(self):
        return [ACCOUNT]


class Reveal:
    available = True


def snapshot(store, docs: dict[str, dict]):
    files, resources = {}, {}
    for address, doc in docs.items():
        _, kind, name = address.split("/", 2)
        path = f"aws/{ACCOUNT}/global/iam/{kind}/{name}.json"
        files[path] = dumps(doc)
        resources[address] = {"path": path, "service": "iam", "type": kind, "account": ACCOUNT, "region": "global"}
    return Snapshot.in_memory(store, files, resources)


def context(store, want: dict, have: dict, delete: bool = False, accounts=None) -> RestoreContext:
    values = {"store": store, "snapshot": snapshot(store, want), "live": snapshot(store, have),
              "accounts": accounts or Moto(), "delete": delete, "reveal": Reveal()}
    names = {f.name for f in dataclasses.fields(RestoreContext)}
    return RestoreContext(**{k: v for k, v in values.items() if k in names})


def plan(ctx, *addresses: str) -> list:
    return [op for a in addresses for op in plan_address(ctx, a)]


def apply(ops) -> None:
    for op in ops:
        if op.run:
            op.run()


def lines(ops) -> set[tuple[str, str]]:
    return {(op.verb, op.target) for op in ops}


def role_doc(**over) -> dict:
    doc = {"RoleName": "app", "Arn": arn("role", "app", "/svc/"), "Path": "/svc/", "Description": "runs the app",
           "MaxSessionDuration": 7200, "AssumeRolePolicyDocument": TRUST,
           "PermissionsBoundary": {"PermissionsBoundaryType": "Policy",
                                   "PermissionsBoundaryArn": arn("policy", "boundary")},
           "InlinePolicies": {"logs": statement("logs:PutLogEvents")},
           "AttachedPolicies": [arn("policy", "deploy")], "Tags": {"env": "prod"}}
    return {**doc, **over}


def policy_doc(name: str, **over) -> dict:
    return {"PolicyName": name, "Arn": arn("policy", name), "Path": "/", "Description": None, "DefaultVersionId": "v1",
            "Document": statement("s3:PutObject"), "Tags": {}, **over}


@pytest.fixture
def store(tmp_path):
    return SnapshotStore.init(tmp_path / "r")


@pytest.fixture
def iam(fake_aws_env):
    with mock_aws():
        client = boto3.client("iam", region_name="us-east-1")
        for name in ("deploy", "boundary"):
            client.create_policy(PolicyName=name, PolicyDocument=json.dumps(statement("s3:PutObject")))
        yield client


POLICIES = {"iam/policy/deploy": policy_doc("deploy"), "iam/policy/boundary": policy_doc("boundary")}


def test_a_deleted_role_is_recreated_with_everything_it_had(store, iam):
    ctx = context(store, {**POLICIES, "iam/role/app": role_doc()}, POLICIES)
    ops = plan(ctx, "iam/role/app")
    assert lines(ops) == {("create", "iam/role/app"), ("put", "InlinePolicies.logs"),
                          ("put", f"AttachedPolicies {arn('policy', 'deploy')}")}
    apply(ops)
    role = iam.get_role(RoleName="app")["Role"]
    assert (role["Path"], role["Description"], role["MaxSessionDuration"]) == ("/svc/", "runs the app", 7200)
    assert role["AssumeRolePolicyDocument"] == TRUST
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == arn("policy", "boundary")
    assert iam.list_role_tags(RoleName="app")["Tags"] == [{"Key": "env", "Value": "prod"}]
    assert iam.get_role_policy(RoleName="app", PolicyName="logs")["PolicyDocument"] == statement("logs:PutLogEvents")
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName="app")["AttachedPolicies"]] == [
        arn("policy", "deploy")]


def test_a_roles_description_session_tags_and_boundary_are_put_back(store, iam):
    """Before issue 12 these four were "not-restorable-yet"."""
    live = role_doc(Description="edited", MaxSessionDuration=3600, PermissionsBoundary=None, Tags={"env": "test"},
                    InlinePolicies={}, AttachedPolicies=[])
    iam.create_role(RoleName="app", Path="/svc/", AssumeRolePolicyDocument=json.dumps(TRUST), Description="edited",
                    Tags=[{"Key": "env", "Value": "test"}])
    ctx = context(store, {**POLICIES, "iam/role/app": role_doc(InlinePolicies={}, AttachedPolicies=[])},
                  {**POLICIES, "iam/role/app": live})
    ops = plan(ctx, "iam/role/app")
    assert lines(ops) == {("update", "Description"), ("update", "MaxSessionDuration"), ("put", "PermissionsBoundary"),
                          ("update", "Tags.env")}
    apply(ops)
    role = iam.get_role(RoleName="app")["Role"]
    assert (role["Description"], role["MaxSessionDuration"]) == ("runs the app", 7200)
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == arn("policy", "boundary")
    assert iam.list_role_tags(RoleName="app")["Tags"] == [{"Key": "env", "Value": "prod"}]


def test_a_role_path_cannot_change_and_says_so(store, iam):
    ctx = context(store, {"iam/role/app": role_doc()}, {"iam/role/app": role_doc(Path="/other/")})
    (op,) = plan(ctx, "iam/role/app")
    assert (op.verb, op.target, op.run) == ("cannot-restore", "Path", None)
    assert "recreates it" in op.detail


def user_doc(**over) -> dict:
    return {"UserName": "ci", "Arn": arn("user", "ci", "/bots/"), "Path": "/bots/", "PermissionsBoundary": None,
            "InlinePolicies": {"read": statement("s3:GetObject")}, "AttachedPolicies": [arn("policy", "deploy")],
            "Groups": ["deployers"], "AccessKeys": [], "Tags": {"team": "web"}, **over}


def group_doc(**over) -> dict:
    return {"GroupName": "deployers", "Arn": arn("group", "deployers"), "Path": "/", "InlinePolicies": {},
            "AttachedPolicies": [], "Users": ["ci"], **over}


def test_a_deleted_user_is_recreated_but_its_access_key_cannot_be(store, iam):
    """Before issue 12 users were "not restorable yet"; a key's secret is never restorable."""
    iam.create_group(GroupName="deployers")
    key = {"AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Status": "Active"}
    ctx = context(store, {**POLICIES, "iam/user/ci": user_doc(AccessKeys=[key]), "iam/group/deployers": group_doc()},
                  {**POLICIES, "iam/group/deployers": group_doc(Users=[])})
    ops = plan(ctx, "iam/user/ci")
    assert ("create", "iam/user/ci") in lines(ops) and ("put", "Groups.deployers") in lines(ops)
    (refused,) = [op for op in ops if op.verb == "cannot-restore"]
    assert refused.target == "AccessKeys.AKIAIOSFODNN7EXAMPLE" and "secret" in refused.detail
    create = next(op for op in ops if op.verb == "create")
    assert "password" in create.detail and "access keys" in create.detail
    apply(ops)
    user = iam.get_user(UserName="ci")["User"]
    assert user["Path"] == "/bots/"
    assert iam.list_user_tags(UserName="ci")["Tags"] == [{"Key": "team", "Value": "web"}]
    assert iam.get_user_policy(UserName="ci", PolicyName="read")["PolicyDocument"] == statement("s3:GetObject")
    assert [p["PolicyArn"] for p in iam.list_attached_user_policies(UserName="ci")["AttachedPolicies"]] == [
        arn("policy", "deploy")]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="ci")["Groups"]] == ["deployers"]
    assert iam.list_access_keys(UserName="ci")["AccessKeyMetadata"] == []  # never made up


def test_a_users_key_status_goes_back_and_a_new_key_is_kept_without_delete(store, iam):
    iam.create_user(UserName="ci", Path="/bots/")
    old = iam.create_access_key(UserName="ci")["AccessKey"]["AccessKeyId"]
    new = iam.create_access_key(UserName="ci")["AccessKey"]["AccessKeyId"]
    iam.update_access_key(UserName="ci", AccessKeyId=old, Status="Inactive")
    bare = {"InlinePolicies": {}, "AttachedPolicies": [], "Groups": [], "Tags": {}}
    want = user_doc(**bare, AccessKeys=[{"AccessKeyId": old, "Status": "Active"}])
    have = user_doc(**bare, AccessKeys=[{"AccessKeyId": old, "Status": "Inactive"}, {"AccessKeyId": new, "Status": "Active"}])
    ops = plan(context(store, {"iam/user/ci": want}, {"iam/user/ci": have}), "iam/user/ci")
    assert lines(ops) == {("update", f"AccessKeys.{old}.Status"), ("kept", f"AccessKeys.{new}")}
    apply(ops)
    statuses = {k["AccessKeyId"]: k["Status"] for k in iam.list_access_keys(UserName="ci")["AccessKeyMetadata"]}
    assert statuses == {old: "Active", new: "Active"}
    ops = plan(context(store, {"iam/user/ci": want}, {"iam/user/ci": have}, delete=True), "iam/user/ci")
    assert ("delete", f"AccessKeys.{new}") in lines(ops)


def test_a_deleted_group_is_recreated_and_its_members_added_back(store, iam):
    iam.create_user(UserName="ci")
    iam.put_user_policy(UserName="ci", PolicyName="read", PolicyDocument=json.dumps(statement("s3:GetObject")))
    want = group_doc(Path="/teams/", InlinePolicies={"read": statement("s3:GetObject")},
                     AttachedPolicies=[arn("policy", "deploy")])
    ctx = context(store, {**POLICIES, "iam/group/deployers": want, "iam/user/ci": user_doc()},
                  {**POLICIES, "iam/user/ci": user_doc(Groups=[])})
    group_ops, user_ops = plan(ctx, "iam/group/deployers"), plan(ctx, "iam/user/ci")
    assert ("put", "Users.ci") in lines(group_ops) and lines(user_ops) >= {("put", "Groups.deployers")}
    apply(group_ops)
    apply(user_ops)  # the same membership from the user's side: adding it again is harmless
    group = iam.get_group(GroupName="deployers")
    assert group["Group"]["Path"] == "/teams/" and [u["UserName"] for u in group["Users"]] == ["ci"]
    assert iam.list_group_policies(GroupName="deployers")["PolicyNames"] == ["read"]
    assert [p["PolicyArn"] for p in iam.list_attached_group_policies(GroupName="deployers")["AttachedPolicies"]] == [
        arn("policy", "deploy")]


def test_a_membership_removed_from_both_sides_with_delete_is_removed_once(store, iam):
    iam.create_user(UserName="ci")
    iam.create_group(GroupName="deployers")
    iam.add_user_to_group(GroupName="deployers", UserName="ci")
    bare = {"InlinePolicies": {}, "AttachedPolicies": [], "Tags": {}}
    ctx = context(store, {"iam/group/deployers": group_doc(Users=[]), "iam/user/ci": user_doc(**bare, Groups=[])},
                  {"iam/group/deployers": group_doc(), "iam/user/ci": user_doc(**bare)}, delete=True)
    ops = plan(ctx, "iam/group/deployers", "iam/user/ci")
    assert lines(ops) == {("delete", "Users.ci"), ("delete", "Groups.deployers")}
    apply(ops)  # the second removal finds it gone: done, not an error
    assert iam.get_group(GroupName="deployers")["Users"] == []


def test_a_deleted_policy_is_recreated_and_a_changed_one_gets_a_new_default_version(store, iam):
    want = policy_doc("ci", Path="/ops/", Description="ci deploys", Tags={"owner": "ops"}, Arn=arn("policy", "ci", "/ops/"))
    ops = plan(context(store, {"iam/policy/ci": want}, {}), "iam/policy/ci")
    assert lines(ops) == {("create", "iam/policy/ci")}
    apply(ops)
    made = iam.get_policy(PolicyArn=arn("policy", "ci", "/ops/"))["Policy"]
    assert (made["Path"], made["Description"]) == ("/ops/", "ci deploys")
    assert iam.list_policy_tags(PolicyArn=made["Arn"])["Tags"] == [{"Key": "owner", "Value": "ops"}]

    changed = {**want, "Document": statement("*"), "Description": "other", "Tags": {"owner": "me"}}
    ops = plan(context(store, {"iam/policy/ci": want}, {"iam/policy/ci": changed}), "iam/policy/ci")
    assert lines(ops) == {("update", "Document"), ("update", "Tags.owner"), ("cannot-restore", "Description")}
    apply(ops)
    default = iam.get_policy(PolicyArn=made["Arn"])["Policy"]["DefaultVersionId"]
    doc = iam.get_policy_version(PolicyArn=made["Arn"], VersionId=default)["PolicyVersion"]["Document"]
    assert doc == statement("s3:PutObject")


def test_delete_removes_what_the_snapshot_does_not_have(store, iam):
    """Before issue 12 a live-only resource was always kept ("gitsnap never deletes whole resources")."""
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.put_role_policy(RoleName="app", PolicyName="logs", PolicyDocument=json.dumps(statement("logs:*")))
    iam.attach_role_policy(RoleName="app", PolicyArn=arn("policy", "deploy"))
    iam.create_instance_profile(InstanceProfileName="hosts")
    iam.add_role_to_instance_profile(InstanceProfileName="hosts", RoleName="app")
    iam.create_user(UserName="ci")
    iam.create_access_key(UserName="ci")
    iam.create_login_profile(UserName="ci", Password="Secret-Passw0rd!")
    iam.create_group(GroupName="deployers")
    iam.add_user_to_group(GroupName="deployers", UserName="ci")
    live = {"iam/policy/deploy": policy_doc("deploy"), "iam/role/app": role_doc(Path="/", PermissionsBoundary=None),
            "iam/instance-profile/hosts": {"InstanceProfileName": "hosts", "Arn": arn("instance-profile", "hosts"),
                                           "Path": "/", "Roles": ["app"]},
            "iam/user/ci": user_doc(), "iam/group/deployers": group_doc()}
    ctx = context(store, {}, live, delete=True)
    # the order the runner gives deletions: highest rank first (profiles, then principals, then policies)
    order = ["iam/instance-profile/hosts", "iam/role/app", "iam/user/ci", "iam/group/deployers", "iam/policy/deploy"]
    ops = plan(ctx, *order)
    assert [(op.address, op.verb) for op in ops] == [(a, "delete") for a in order]
    apply(ops)
    assert iam.list_roles()["Roles"] == [] and iam.list_users()["Users"] == [] and iam.list_groups()["Groups"] == []
    assert iam.list_instance_profiles()["InstanceProfiles"] == []
    assert [p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]] == ["boundary"]


def test_a_policy_still_attached_is_not_deleted_and_says_where(store, iam):
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.attach_role_policy(RoleName="app", PolicyArn=arn("policy", "deploy"))
    role = role_doc(Path="/", PermissionsBoundary=None, InlinePolicies={})
    # the snapshot's role attaches it too (captured apart from its policy): restore will not detach it
    ctx = context(store, {"iam/role/app": role}, {"iam/role/app": role, "iam/policy/deploy": policy_doc("deploy")},
                  delete=True)
    (op,) = plan(ctx, "iam/policy/deploy")
    assert op.verb == "cannot-restore" and "iam/role/app" in op.detail
    # a role outside what was restored still has it when the deletion runs: refused, naming it
    ctx = context(store, {}, {"iam/policy/deploy": policy_doc("deploy")}, delete=True)
    (op,) = plan(ctx, "iam/policy/deploy")
    with pytest.raises(Exception, match="still attached to role app"):
        op.run()
    assert iam.get_policy(PolicyArn=arn("policy", "deploy"))["Policy"]["PolicyName"] == "deploy"


def test_an_instance_profile_is_recreated_with_its_role(store, iam):
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST))
    profile = {"InstanceProfileName": "hosts", "Arn": arn("instance-profile", "hosts", "/h/"), "Path": "/h/",
               "Roles": ["app"]}
    role = role_doc(Path="/", PermissionsBoundary=None, InlinePolicies={}, AttachedPolicies=[], Tags={},
                    Description=None, MaxSessionDuration=3600)
    ops = plan(context(store, {"iam/instance-profile/hosts": profile, "iam/role/app": role}, {"iam/role/app": role}),
               "iam/instance-profile/hosts")
    assert lines(ops) == {("create", "iam/instance-profile/hosts"), ("put", "Roles.app")}
    apply(ops)
    made = iam.get_instance_profile(InstanceProfileName="hosts")["InstanceProfile"]
    assert made["Path"] == "/h/" and [r["RoleName"] for r in made["Roles"]] == ["app"]


def test_a_reference_to_something_gone_everywhere_cannot_be_restored(store, iam):
    """An attachment or membership naming a policy or group neither live nor in the snapshot."""
    gone = arn("policy", "vanished")
    want = user_doc(AttachedPolicies=[gone], Groups=["nowhere"], InlinePolicies={})
    ops = plan(context(store, {"iam/user/ci": want}, {}), "iam/user/ci")
    refused = {op.target for op in ops if op.verb == "cannot-restore"}
    assert refused == {f"AttachedPolicies {gone}", "Groups.nowhere"}


def test_a_users_permissions_boundary_is_put_back(store):
    """moto has no PutUserPermissionsBoundary: the Stubber checks the call against the model."""
    client = botocore.session.get_session().create_client("iam", region_name="us-east-1", aws_access_key_id="x",
                                                          aws_secret_access_key="y")
    bare = {"InlinePolicies": {}, "AttachedPolicies": [], "Groups": [], "Tags": {}}
    boundary = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn("policy", "boundary")}
    ctx = context(store, {"iam/user/ci": user_doc(**bare, PermissionsBoundary=boundary)},
                  {"iam/user/ci": user_doc(**bare)}, accounts=Moto(client))
    (op,) = plan(ctx, "iam/user/ci")
    assert (op.verb, op.target) == ("put", "PermissionsBoundary")
    with Stubber(client) as stub:
        stub.add_response("put_user_permissions_boundary", {},
                          {"UserName": "ci", "PermissionsBoundary": arn("policy", "boundary")})
        op.run()
        stub.assert_no_pending_responses()


def test_policies_go_first_memberships_after_every_principal_deletions_reversed():
    from gitsnap.collectors.aws.iamrestore.common import JOIN
    from gitsnap.restore.ops import Operation, in_dependency_order
    from gitsnap.restore.run import rank_of

    kinds = {"iam/group/g": ("iam", "group"), "iam/instance-profile/p": ("iam", "instance-profile"),
             "iam/policy/x": ("iam", "policy"), "iam/role/r": ("iam", "role"), "iam/user/u": ("iam", "user")}
    ops = [Operation("iam/group/g", "create", "g"), Operation("iam/group/g", "put", "Users.u", kind=JOIN),
           Operation("iam/instance-profile/p", "create", "p"), Operation("iam/policy/x", "create", "x"),
           Operation("iam/role/r", "create", "r"), Operation("iam/user/u", "create", "u")]
    assert [op.target for op in in_dependency_order(ops, kinds, rank_of)] == ["x", "g", "r", "u", "Users.u", "p"]
    removals = [Operation(a, "delete", a, removes=True) for a in sorted(kinds)]
    assert [op.target for op in in_dependency_order(removals, kinds, rank_of)] == [
        "iam/instance-profile/p", "iam/group/g", "iam/role/r", "iam/user/u", "iam/policy/x"]
