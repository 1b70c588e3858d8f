"""IAM: roles, customer managed policies, users, groups and instance profiles.

CloudFormation: ``AWS::IAM::Role`` / ``User`` / ``Group`` with their inline policies
(``Policies``) and attached managed policies (``ManagedPolicyArns``) as properties;
``AWS::IAM::ManagedPolicy`` from the policy's default version document;
``AWS::IAM::InstanceProfile``. Terraform: the resource plus one ``aws_iam_*_policy`` per inline
policy and one ``aws_iam_*_policy_attachment`` per attached policy (the provider's recommended
form, each importable on its own), and ``aws_iam_user_group_membership`` for a user's groups.

A customer managed policy (one of the account's own, captured as ``iam/policy/NAME``) is a
:class:`~..model.Link`; an AWS managed one (``arn:aws:iam::aws:policy/...``) its ARN. Group
membership is written once, on each user (the group's ``Users`` are the same facts).
A user's access keys are never written: a key's secret is made when the key is created and
is nowhere in a snapshot, so a new key would be a different credential.
"""

from __future__ import annotations

from typing import Any

from ..model import Fields, JsonEncode, Link, Resource
from ..spec import IacSpec, LeftOut, Out
from .common import name_link, tag_list


def policy_address(arn: str) -> str | None:
    """``iam/policy/NAME`` for a customer managed policy's ARN; None for an AWS managed one
    (``arn:aws:iam::aws:policy/...``), which the snapshot does not hold. Pure."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or not parts[4].isdigit() or not parts[5].startswith("policy/"):
        return None
    return f"iam/policy/{parts[5].rsplit('/', 1)[-1]}"


def policy_ref(arn: str) -> Any:
    """A managed policy's ARN: a Link to the snapshot's policy when it is the account's own."""
    address = policy_address(arn)
    return Link(address, None, arn, tf_attr="arn") if address else arn


def _boundary(f: Fields) -> Any:
    boundary = f.get("PermissionsBoundary") or {}
    arn = boundary.get("PermissionsBoundaryArn")
    return policy_ref(arn) if arn else None


def _inline(f: Fields) -> list[dict[str, Any]]:
    return [{"PolicyName": name, "PolicyDocument": doc} for name, doc in sorted((f.get("InlinePolicies") or {}).items())]


def _managed(f: Fields) -> list[Any]:
    return [policy_ref(arn) for arn in f.get("AttachedPolicies") or []]


# -- roles ---------------------------------------------------------------------------------------

def role_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("RoleName")
    f.computed("Arn", "RoleId", "CreateDate", "RoleLastUsed")
    out.resource("AWS::IAM::Role", {
        "RoleName": name, "Path": f.get("Path"), "Description": f.get("Description") or None,
        "AssumeRolePolicyDocument": f.get("AssumeRolePolicyDocument") or {},
        "MaxSessionDuration": f.get("MaxSessionDuration"), "PermissionsBoundary": _boundary(f),
        "Policies": _inline(f), "ManagedPolicyArns": _managed(f), "Tags": tag_list(f.get("Tags")),
    }, name, identifier={"RoleName": name})


def _policy_types(kind: str) -> tuple[str, str]:
    """The Terraform types :func:`_attachments_terraform` writes for a role, user or group."""
    return f"aws_iam_{kind}_policy", f"aws_iam_{kind}_policy_attachment"


def _attachments_terraform(kind: str, r: Resource, owner: str, f: Fields, out: Out) -> Link:
    """The inline policies and attached managed policies of a role, user or group (*kind*) named
    *owner*, each its own block; returns the reference to the owner they use."""
    owner_ref = name_link(r, owner)
    inline_type, attachment_type = _policy_types(kind)
    for policy, doc in sorted((f.get("InlinePolicies") or {}).items()):
        out.block(inline_type, {"name": policy, kind: owner_ref, "policy": JsonEncode(doc)},
                  f"{owner}-{policy}", import_id=f"{owner}:{policy}")
    for arn in f.get("AttachedPolicies") or []:
        out.block(attachment_type, {kind: owner_ref, "policy_arn": policy_ref(arn)},
                  f"{owner}-{arn.rsplit('/', 1)[-1]}", import_id=f"{owner}/{arn}")
    return owner_ref


def role_terraform(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("RoleName")
    f.computed("Arn", "RoleId", "CreateDate", "RoleLastUsed")
    out.block("aws_iam_role", {
        "name": name, "path": f.get("Path"), "description": f.get("Description") or None,
        "assume_role_policy": JsonEncode(f.get("AssumeRolePolicyDocument") or {}),
        "max_session_duration": f.get("MaxSessionDuration"), "permissions_boundary": _boundary(f),
        "tags": f.get("Tags") or None,
    }, name, import_id=name)
    _attachments_terraform("role", r, name, f, out)


# -- customer managed policies ------------------------------------------------------------------

def policy_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("PolicyName")
    f.computed("Arn", "DefaultVersionId", "PolicyId", "AttachmentCount", "CreateDate", "UpdateDate")
    if f.get_quiet("Tags"):
        f.unsupported("Tags", "AWS::IAM::ManagedPolicy has no Tags property; tag the policy after deploying")
    out.resource("AWS::IAM::ManagedPolicy", {
        "ManagedPolicyName": name, "Path": f.get("Path"), "Description": f.get("Description") or None,
        "PolicyDocument": f.get("Document") or {},
    }, name, identifier={"PolicyArn": f.get("Arn")})


def policy_terraform(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("PolicyName")
    f.computed("DefaultVersionId", "PolicyId", "AttachmentCount", "CreateDate", "UpdateDate")
    out.block("aws_iam_policy", {
        "name": name, "path": f.get("Path"), "description": f.get("Description") or None,
        "policy": JsonEncode(f.get("Document") or {}), "tags": f.get("Tags") or None,
    }, name, import_id=f.get("Arn"))


# -- users ---------------------------------------------------------------------------------------

_NO_KEYS = ("access keys are not written: a key's secret exists only when the key is created and is in no "
            "snapshot, so a new key would be a new credential; create keys by hand and hand them out again")


def _groups(f: Fields) -> list[Link]:
    return [Link(f"iam/group/{g}", None, g, tf_attr="name") for g in f.get("Groups") or []]


def user_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("UserName")
    f.computed("Arn", "UserId", "CreateDate", "PasswordLastUsed")
    f.unsupported("AccessKeys", _NO_KEYS)
    out.resource("AWS::IAM::User", {
        "UserName": name, "Path": f.get("Path"), "PermissionsBoundary": _boundary(f),
        "Policies": _inline(f), "ManagedPolicyArns": _managed(f), "Groups": _groups(f), "Tags": tag_list(f.get("Tags")),
    }, name, identifier={"UserName": name})


def user_terraform(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("UserName")
    f.computed("Arn", "UserId", "CreateDate", "PasswordLastUsed")
    f.unsupported("AccessKeys", _NO_KEYS)
    out.block("aws_iam_user", {"name": name, "path": f.get("Path"), "permissions_boundary": _boundary(f),
                               "tags": f.get("Tags") or None}, name, import_id=name)
    me = _attachments_terraform("user", r, name, f, out)
    groups = f.get("Groups") or []
    if groups:
        out.block("aws_iam_user_group_membership", {"user": me, "groups": _groups(f)}, f"{name}-groups",
                  import_id="/".join([name, *groups]))


# -- groups --------------------------------------------------------------------------------------

def group_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("GroupName")
    f.computed("Arn", "GroupId", "CreateDate", "Users")  # membership is written on each user (Groups)
    out.resource("AWS::IAM::Group", {
        "GroupName": name, "Path": f.get("Path"), "Policies": _inline(f), "ManagedPolicyArns": _managed(f),
    }, name, identifier={"GroupName": name})


def group_terraform(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("GroupName")
    f.computed("Arn", "GroupId", "CreateDate", "Users")  # aws_iam_user_group_membership, on each user
    out.block("aws_iam_group", {"name": name, "path": f.get("Path")}, name, import_id=name)
    _attachments_terraform("group", r, name, f, out)


# -- instance profiles ---------------------------------------------------------------------------

def _roles(f: Fields) -> list[Link]:
    return [Link(f"iam/role/{x}", None, x, tf_attr="name") for x in f.get("Roles") or []]


def profile_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("InstanceProfileName")
    f.computed("Arn", "InstanceProfileId", "CreateDate")
    roles = _roles(f)
    if not roles:
        raise LeftOut("AWS::IAM::InstanceProfile needs a role and this profile has none")
    out.resource("AWS::IAM::InstanceProfile", {"InstanceProfileName": name, "Path": f.get("Path"), "Roles": roles},
                 name, identifier={"InstanceProfileName": name})


def profile_terraform(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("InstanceProfileName")
    f.computed("Arn", "InstanceProfileId", "CreateDate")
    roles = _roles(f)
    out.block("aws_iam_instance_profile", {"name": name, "path": f.get("Path"), "role": roles[0] if roles else None},
              name, import_id=name)


SPECS = {
    "role": IacSpec(
        cloudformation=role_cloudformation, terraform=role_terraform, cfn_types=("AWS::IAM::Role",),
        tf_types=("aws_iam_role", *_policy_types("role")),
    ),
    "policy": IacSpec(
        cloudformation=policy_cloudformation, terraform=policy_terraform,
        cfn_types=("AWS::IAM::ManagedPolicy",), tf_types=("aws_iam_policy",),
    ),
    "user": IacSpec(
        cloudformation=user_cloudformation, terraform=user_terraform, cfn_types=("AWS::IAM::User",),
        tf_types=("aws_iam_user", *_policy_types("user"), "aws_iam_user_group_membership"),
    ),
    "group": IacSpec(
        cloudformation=group_cloudformation, terraform=group_terraform, cfn_types=("AWS::IAM::Group",),
        tf_types=("aws_iam_group", *_policy_types("group")),
    ),
    "instance-profile": IacSpec(
        cloudformation=profile_cloudformation, terraform=profile_terraform,
        cfn_types=("AWS::IAM::InstanceProfile",), tf_types=("aws_iam_instance_profile",),
    ),
}
