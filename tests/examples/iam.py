"""Examples of iam resources: the raw API shape each type's transform is given, and on the
local AWS one resource of each type, with what it depends on, deleted live (the disaster) and
recreated by restore."""

from __future__ import annotations

import json

from . import Example

ACCOUNT = "123456789012"  # moto's
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                 "Action": "sts:AssumeRole"}]}


def _statement(action: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})


def _arn(name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{ACCOUNT}:policy{path}{name}"


def _policy(iam, name: str = "deploy", path: str = "/ops/") -> str:
    return iam.create_policy(PolicyName=name, Path=path, PolicyDocument=_statement("s3:PutObject"),
                             Description="deploys the site", Tags=[{"Key": "owner", "Value": "ops"}])["Policy"]["Arn"]


def _role(iam, name: str = "app") -> None:
    iam.create_role(RoleName=name, Path="/svc/", AssumeRolePolicyDocument=json.dumps(TRUST), Description="runs the app",
                    MaxSessionDuration=7200, Tags=[{"Key": "env", "Value": "prod"}])


# -- role: with a boundary, inline and attached policies, in an instance profile ------------------

def _seed_role(aws):
    iam = aws.client("iam")
    arn = _policy(iam)
    iam.create_role(RoleName="app", Path="/svc/", AssumeRolePolicyDocument=json.dumps(TRUST), Description="runs the app",
                    MaxSessionDuration=7200, PermissionsBoundary=arn, Tags=[{"Key": "env", "Value": "prod"}])
    iam.put_role_policy(RoleName="app", PolicyName="logs", PolicyDocument=_statement("logs:PutLogEvents"))
    iam.attach_role_policy(RoleName="app", PolicyArn=arn)
    iam.create_instance_profile(InstanceProfileName="app-hosts")
    iam.add_role_to_instance_profile(InstanceProfileName="app-hosts", RoleName="app")


def _damage_role(aws):
    iam = aws.client("iam")
    iam.remove_role_from_instance_profile(InstanceProfileName="app-hosts", RoleName="app")
    iam.detach_role_policy(RoleName="app", PolicyArn=_arn("deploy", "/ops/"))
    iam.delete_role_policy(RoleName="app", PolicyName="logs")
    iam.delete_role(RoleName="app")


# -- policy: attached to a role, which restore attaches it to again -------------------------------

def _seed_policy(aws):
    iam = aws.client("iam")
    arn = _policy(iam)
    _role(iam)
    iam.attach_role_policy(RoleName="app", PolicyArn=arn)


def _damage_policy(aws):
    iam = aws.client("iam")
    iam.detach_role_policy(RoleName="app", PolicyArn=_arn("deploy", "/ops/"))
    iam.delete_policy(PolicyArn=_arn("deploy", "/ops/"))


# -- instance profile: with its role -------------------------------------------------------------

def _seed_profile(aws):
    iam = aws.client("iam")
    _role(iam)
    iam.create_instance_profile(InstanceProfileName="app-hosts", Path="/hosts/")
    iam.add_role_to_instance_profile(InstanceProfileName="app-hosts", RoleName="app")


def _damage_profile(aws):
    iam = aws.client("iam")
    iam.remove_role_from_instance_profile(InstanceProfileName="app-hosts", RoleName="app")
    iam.delete_instance_profile(InstanceProfileName="app-hosts")


# -- user: path, tags, inline and attached policies, in a group (no access key: it cannot be) -----

def _seed_user(aws):
    iam = aws.client("iam")
    arn = _policy(iam)
    iam.create_group(GroupName="deployers")
    iam.create_user(UserName="ci", Path="/bots/", Tags=[{"Key": "team", "Value": "web"}])
    iam.put_user_policy(UserName="ci", PolicyName="read", PolicyDocument=_statement("s3:GetObject"))
    iam.attach_user_policy(UserName="ci", PolicyArn=arn)
    iam.add_user_to_group(GroupName="deployers", UserName="ci")


def _damage_user(aws):
    iam = aws.client("iam")
    iam.remove_user_from_group(GroupName="deployers", UserName="ci")
    iam.detach_user_policy(UserName="ci", PolicyArn=_arn("deploy", "/ops/"))
    iam.delete_user_policy(UserName="ci", PolicyName="read")
    iam.delete_user(UserName="ci")


# -- group: path, inline and attached policies, two members ---------------------------------------

def _seed_group(aws):
    iam = aws.client("iam")
    arn = _policy(iam)
    iam.create_group(GroupName="deployers", Path="/teams/")
    iam.put_group_policy(GroupName="deployers", PolicyName="read", PolicyDocument=_statement("s3:GetObject"))
    iam.attach_group_policy(GroupName="deployers", PolicyArn=arn)
    for user in ("ana", "bo"):
        iam.create_user(UserName=user)
        iam.add_user_to_group(GroupName="deployers", UserName=user)


def _damage_group(aws):
    iam = aws.client("iam")
    for user in ("ana", "bo"):
        iam.remove_user_from_group(GroupName="deployers", UserName=user)
    iam.detach_group_policy(GroupName="deployers", PolicyArn=_arn("deploy", "/ops/"))
    iam.delete_group_policy(GroupName="deployers", PolicyName="read")
    iam.delete_group(GroupName="deployers")


EXAMPLES = {
    "role": Example(raw={"RoleName": "r", "Arn": "arn:aws:iam::1:role/r", "RoleLastUsed": {"LastUsedDate": "x"},
                      "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%7D",
                      "AttachedPolicies": [{"PolicyArn": "arn:aws:iam::aws:policy/x"}], "Tags": [],
                      "InlinePolicies": {"p": {"Version": "2012-10-17"}}},
                    seed=_seed_role, damage=_damage_role),
    "policy": Example(raw={"PolicyName": "p", "Arn": "arn:aws:iam::1:policy/p", "DefaultVersionId": "v1",
                        "Version": {"Document": '{"Version": "2012-10-17"}'}, "Tags": []},
                      seed=_seed_policy, damage=_damage_policy),
    "instance-profile": Example(raw={"InstanceProfileName": "ip", "Arn": "arn:aws:iam::1:instance-profile/ip",
                                  "Roles": [{"RoleName": "r"}]},
                                seed=_seed_profile, damage=_damage_profile),
    "user": Example(raw={"UserName": "u", "Arn": "arn:aws:iam::1:user/u", "AttachedPolicies": [], "Tags": [],
                      "Groups": [{"GroupName": "g"}], "InlinePolicies": {}, "PasswordLastUsed": "x",
                      "AccessKeys": [{"AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Status": "Active", "CreateDate": "x"}]},
                    seed=_seed_user, damage=_damage_user),
    "group": Example(raw={"GroupName": "g", "Arn": "arn:aws:iam::1:group/g", "AttachedPolicies": [],
                       "Users": [{"UserName": "u"}], "InlinePolicies": {}},
                     seed=_seed_group, damage=_damage_group),
}
