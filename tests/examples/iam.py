"""Examples of iam resources: the raw API shape each type's transform is given."""

from __future__ import annotations

from . import Example

EXAMPLES = {
    "role": Example(raw={"RoleName": "r", "Arn": "arn:aws:iam::1:role/r", "RoleLastUsed": {"LastUsedDate": "x"},
                      "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%7D",
                      "AttachedPolicies": [{"PolicyArn": "arn:aws:iam::aws:policy/x"}], "Tags": [],
                      "InlinePolicies": {"p": {"Version": "2012-10-17"}}}),
    "policy": Example(raw={"PolicyName": "p", "Arn": "arn:aws:iam::1:policy/p", "DefaultVersionId": "v1",
                        "Version": {"Document": '{"Version": "2012-10-17"}'}, "Tags": []}),
    "instance-profile": Example(raw={"InstanceProfileName": "ip", "Arn": "arn:aws:iam::1:instance-profile/ip",
                                  "Roles": [{"RoleName": "r"}]}),
    "user": Example(raw={"UserName": "u", "Arn": "arn:aws:iam::1:user/u", "AttachedPolicies": [], "Tags": [],
                      "Groups": [{"GroupName": "g"}], "InlinePolicies": {}, "PasswordLastUsed": "x",
                      "AccessKeys": [{"AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Status": "Active", "CreateDate": "x"}]}),
    "group": Example(raw={"GroupName": "g", "Arn": "arn:aws:iam::1:group/g", "AttachedPolicies": [],
                       "Users": [{"UserName": "u"}], "InlinePolicies": {}}),
}
