"""CloudFormation from a snapshot, deployed to a fresh local AWS and captured again.

The round trip the issue asks for: seed one resource of every type moto's CloudFormation can
deploy (the registry's examples), ``gitsnap capture --tag v1``, ``gitsnap iac v1 --format
cloudformation``, then reset the moto server (a fresh local AWS, nothing left of the estate) and
run the generated ``deploy.sh`` with the real AWS CLI (``aws cloudformation package`` uploads
the Lambda code, ``aws cloudformation deploy`` creates each stack, global first) and
``artifacts/upload-s3.sh``. ``gitsnap capture`` of that account into the same repository, and
``gitsnap diff v1 HEAD`` must show nothing except:

- what COVERAGE.md lists (a resource left out is "removed"; a field not emitted differs);
- the properties moto's CloudFormation accepts and does not apply (``MOTO_IGNORES``, each
  checked to be in the template, so a template that forgot the property still fails).

moto cannot deploy CloudFront, ACM, SES, WAFv2, Scheduler, Secrets Manager or Lightsail through
CloudFormation, so those types are not seeded here: their templates are checked by cfn-lint
(tests/e2e/test_iac.py and the unit tests per service) instead.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from gitsnap.keys import fingerprinter
from gitsnap.store import SnapshotStore
from tests.examples import ALL, Aws

pytestmark = pytest.mark.e2e

# The types seeded: every one whose CloudFormation type moto's CloudFormation can create.
DEPLOYABLE = [
    ("s3", "bucket"), ("lambda", "function"), ("dynamodb", "table"), ("route53", "zone"),
    ("iam", "role"), ("iam", "policy"), ("iam", "user"), ("iam", "group"), ("iam", "instance-profile"),
    ("sqs", "queue"), ("sns", "topic"), ("ssm", "parameter"), ("logs", "group"), ("events", "rule"),
]

# Values the seeds plant that gitsnap seals (every Lambda environment value, by default): the
# round trip passes them as the NoEcho parameters a user would supply at deploy time.
PLANTED = ["prod", "orders"]

# What moto's CloudFormation (5.x) accepts and does not apply, by (address glob, changed field);
# each with its evidence that the template does carry it, checked: "prop:X" (the resource has
# property X), "type:AWS::..." (the template has a resource of that type for the address), or
# "unset:X" (the template leaves X unset and moto fills in a value of its own).
MOTO_IGNORES: dict[tuple[str, str], str] = {
    ("s3/*", "Cors"): "prop:CorsConfiguration",  # its AWS::S3::Bucket applies BucketName, encryption, tags
    ("s3/*", "Website"): "prop:WebsiteConfiguration",
    ("s3/*", "Lifecycle"): "prop:LifecycleConfiguration",
    ("s3/*", "Versioning"): "prop:VersioningConfiguration",
    ("s3/*", "Policy"): "type:AWS::S3::BucketPolicy",  # no model for the type: skipped
    ("dynamodb/*", "TimeToLive"): "prop:TimeToLiveSpecification",
    ("dynamodb/*", "ContinuousBackups"): "prop:PointInTimeRecoverySpecification",
    ("iam/role/*", "AttachedPolicies"): "prop:ManagedPolicyArns",
    ("iam/role/*", "Description"): "unset:Description",  # moto's role gets "" where AWS has none
    ("lambda/*", "Configuration.Layers"): "prop:Layers",  # its function reads six properties
    ("lambda/*", "LayerAddresses"): "prop:Layers",
    ("lambda/*", "Tags"): "prop:Tags",
    ("logs/*", "MetricFilters"): "type:AWS::Logs::MetricFilter",
    ("route53/*", "Config.Comment"): "prop:HostedZoneConfig",
    ("route53/*", "Tags"): "prop:HostedZoneTags",
    ("sns/*", "Attributes.Policy"): "type:AWS::SNS::TopicPolicy",
    ("sns/*", "Subscriptions"): "type:AWS::SNS::Subscription",
    ("sns/*", "Tags"): "prop:Tags",
    ("sqs/*", "Attributes.Policy"): "type:AWS::SQS::QueuePolicy",
}

# moto names a layer version after its logical id (gitsnap-<stack>-<LogicalId>-<suffix>), not its
# LayerName, as CloudFormation names what a template leaves unnamed: mapped back, not ignored.
# ... and of the renamed layer version, moto applies Description, CompatibleRuntimes and LicenseInfo
RENAMED_MOTO_IGNORES = {"lambda/layer/*": ("CompatibleArchitectures", "prop:CompatibleArchitectures")}
GENERATED_NAME = re.compile(r"gitsnap-\d{12}-[a-z0-9-]+-(?P<logical>[A-Z][A-Za-z0-9]*)-[A-Z0-9]{8,}$")


def _function_without_alias(aws: Aws) -> None:
    """The lambda example's function, layer, concurrency and policy, without its alias: moto's
    CloudFormation has no AWS::Lambda::Alias (it skips the type), so a permission on the alias
    could not be deployed. The alias's template is checked by cfn-lint (test_iac_lambda.py)."""
    from tests.examples import awslambda

    awslambda._function(aws, layers=[awslambda._layer(aws)])
    lam = aws.client("lambda")
    lam.put_function_concurrency(FunctionName="orders", ReservedConcurrentExecutions=5)
    lam.add_permission(FunctionName="orders", StatementId="s3-invoke", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::orders-inbox",
                       SourceAccount=awslambda.ACCOUNT)


SEEDS = {("lambda", "function"): _function_without_alias}


def _seed(endpoint: str) -> None:
    """Every deployable type's example. The IAM examples share what they create (a role's
    example makes the managed policy the policy's example makes): a second create of the same
    thing is skipped, the rest of that seed is not needed then."""
    from botocore.exceptions import ClientError

    aws = Aws(endpoint)
    for key in DEPLOYABLE:
        try:
            SEEDS.get(key, ALL[key].seed)(aws)
        except ClientError as exc:
            if "AlreadyExists" not in exc.response["Error"]["Code"]:
                raise


def _repair_moto_inline_policies(aws: Aws) -> list[str]:
    """moto's CloudFormation stores an inline policy of AWS::IAM::Role/User/Group as the Python
    repr of the template's document (single quotes), which no IAM API ever returns: gitsnap's
    capture then refuses the answer. The document itself is the template's; this puts it back
    through the IAM API as JSON, as CloudFormation does. Returns what it repaired."""
    import ast

    iam = aws.client("iam")
    repaired = []
    kinds = (("role", "list_roles", "Roles", "RoleName"), ("user", "list_users", "Users", "UserName"),
             ("group", "list_groups", "Groups", "GroupName"))
    for kind, lister, key, name_key in kinds:
        for entity in getattr(iam, lister)()[key]:
            name = entity[name_key]
            for policy in getattr(iam, f"list_{kind}_policies")(**{name_key: name})["PolicyNames"]:
                doc = getattr(iam, f"get_{kind}_policy")(**{name_key: name, "PolicyName": policy})["PolicyDocument"]
                if isinstance(doc, str):
                    getattr(iam, f"put_{kind}_policy")(**{name_key: name, "PolicyName": policy,
                                                          "PolicyDocument": json.dumps(ast.literal_eval(doc))})
                    repaired.append(f"{kind}/{name}/{policy}")
    return repaired


def _fingerprints(repo: Path, env: dict[str, str]) -> dict[str, str]:
    """Fingerprint id -> planted value, with the repository's own key."""
    old = dict(os.environ)
    os.environ.update(env)
    try:
        fp = fingerprinter(SnapshotStore(repo))
        return {fp(v).rsplit(":", 1)[1]: v for v in PLANTED}
    finally:
        os.environ.clear()
        os.environ.update(old)


class _Loader(yaml.SafeLoader):
    """Reads the short-form tags as plain values: enough to look properties up."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: loader.construct_scalar(node)
                              if isinstance(node, yaml.ScalarNode) else loader.construct_sequence(node))


def _templates(out: Path) -> list[dict]:
    return [yaml.load(p.read_text(), Loader=_Loader) for p in sorted(out.glob("cloudformation/*/*/template*.yaml"))
            if ".packaged." not in p.name]


def _parameters(out: Path, fingerprints: dict[str, str]) -> str:
    pairs = []
    for t in _templates(out):
        for name, p in (t.get("Parameters") or {}).items():
            fp = re.search(r"sealed value ([0-9a-f]{24})", p["Description"]).group(1)
            assert fp in fingerprints, f"parameter {name} is a value the test did not plant"
            pairs.append(f"{name}={fingerprints[fp]}")
    return " ".join(sorted(set(pairs)))


def _template_has(out: Path, address: str, prop: str) -> bool:
    return any(r.get("Metadata", {}).get("gitsnap", {}).get("address") == address and prop in r.get("Properties", {})
               for t in _templates(out) for r in t["Resources"].values())


def _section(coverage: str, title: str) -> str:
    m = re.search(rf"^## {title}\n(.*?)(?=^## |\Z)", coverage, re.M | re.S)
    return m.group(1) if m else ""


def _covered(coverage: str, address: str, path: str) -> bool:
    """Whether COVERAGE.md lists *address* as left out, or *path* (or a parent) as not emitted."""
    if f"| `{address}` |" in _section(coverage, "Left out"):
        return True
    fields = re.search(rf"^- `{re.escape(address)}`\n((?:  - .*\n)+)", _section(coverage, "Fields not emitted"), re.M)
    return bool(fields) and any(_under(path, f) for f in re.findall(r"^  - `([^`]+)`", fields.group(1), re.M))


def _under(path: str, field: str) -> bool:
    return path == field or path.startswith(field + ".") or path.startswith(field + "[")


def _resources_of(out: Path, address: str) -> list[dict]:
    return [r for t in _templates(out) for r in t["Resources"].values()
            if r.get("Metadata", {}).get("gitsnap", {}).get("address") == address]


def _without(value: object, key: str) -> object:
    if isinstance(value, dict):
        return {k: _without(v, key) for k, v in value.items() if k != key}
    if isinstance(value, list):
        return [_without(v, key) for v in value]
    return value


def _moto_gap(out: Path, change: dict, ignores: dict[tuple[str, str], str] = MOTO_IGNORES) -> bool:
    """Whether *change* is a property moto's CloudFormation skips, with the template's evidence."""
    for (glob, field), evidence in ignores.items():
        if not (re.fullmatch(glob.replace("*", ".*"), change["address"]) and _under(change["path"], field)):
            continue
        kind, name = evidence.split(":", 1)
        resources = _resources_of(out, change["address"])
        if kind == "prop":
            assert any(name in r.get("Properties", {}) for r in resources), f"{change['address']}: template lacks {name}"
        elif kind == "type":
            assert any(r["Type"] == name for r in resources), f"{change['address']}: template has no {name}"
        else:
            assert not any(name in r.get("Properties", {}) for r in resources), f"{change['address']}: sets {name}"
        return True
    return False


def _renamed(out: Path, changes: list[dict]) -> dict[str, str]:
    """Generated name -> the name the snapshot had, for resources moto named after a logical id."""
    logical_to_address = {logical: r["Metadata"]["gitsnap"]["address"] for t in _templates(out)
                          for logical, r in t["Resources"].items()}
    names = {}
    for c in changes:
        m = GENERATED_NAME.search(c["address"]) if c["kind"] == "added" else None
        if m and m.group("logical") in logical_to_address:
            old = logical_to_address[m.group("logical")]
            names[m.group(0)] = old.rsplit("/", 1)[-1]
    return names


def _same_but_for(old: object, new: object, names: dict[str, str]) -> bool:
    text = json.dumps(new, sort_keys=True)
    for generated, original in names.items():
        text = text.replace(generated, original)
    return json.loads(text) == old


def _statements_equal_but_sids(change: dict) -> bool:
    """A Lambda permission's statement id is CloudFormation's to choose (AWS::Lambda::Permission
    has no Sid property): the statements must be equal but for their ids. (moto's permission also
    keeps the template's FunctionName in its statement, which no AWS statement has: dropped.)"""
    if not change["path"].endswith("Policy.Statement"):
        return False

    def bodies(statements: dict | None) -> list[str]:
        return sorted(json.dumps({k: v for k, v in s.items() if k not in ("Sid", "FunctionName")}, sort_keys=True)
                      for s in (statements or {}).values())

    return bodies(change["old"]) == bodies(change["new"])


def test_cloudformation_round_trip_recreates_the_estate(gitsnap, endpoint, moto_server, tmp_path):
    _seed(endpoint)
    gitsnap("capture", "--tag", "v1")
    out = tmp_path / "iac"
    made = gitsnap("iac", "v1", "--format", "cloudformation", "--out", str(out), check=False)
    assert made.code in (0, 3), made.err
    coverage = (out / "COVERAGE.md").read_text()
    parameters = _parameters(out, _fingerprints(gitsnap.repo, gitsnap.env))

    moto_server.reset()  # a fresh local AWS: nothing of the estate is left
    env = {**gitsnap.env, "ARTIFACT_BUCKET": "gitsnap-roundtrip-artifacts", "PARAMETERS": parameters}
    Aws(endpoint).client("s3").create_bucket(Bucket=env["ARTIFACT_BUCKET"])
    deploy = subprocess.run(["sh", str(out / "cloudformation" / "deploy.sh")], env=env, capture_output=True, text=True)
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    # the artifact bucket is the deployer's, not the estate's: emptied and removed, as a user would
    s3 = Aws(endpoint).client("s3")
    for obj in s3.list_objects_v2(Bucket=env["ARTIFACT_BUCKET"]).get("Contents", []):
        s3.delete_object(Bucket=env["ARTIFACT_BUCKET"], Key=obj["Key"])
    s3.delete_bucket(Bucket=env["ARTIFACT_BUCKET"])
    upload = out / "artifacts" / "upload-s3.sh"
    if upload.exists():
        put = subprocess.run(["sh", str(upload)], env=env, capture_output=True, text=True)
        assert put.returncode == 0, put.stdout + put.stderr

    _repair_moto_inline_policies(Aws(endpoint))
    gitsnap("capture", "-m", "round trip")
    changes = json.loads(gitsnap("diff", "v1", "HEAD", "--format", "json").out)["changes"]
    names = _renamed(out, changes)  # generated -> original (resource names)
    pairs = {}  # an original address -> the address moto's generated name gave it
    for generated, original in names.items():
        added = next(c["address"] for c in changes if c["kind"] == "added" and generated in c["address"])
        pairs[added.replace(generated, original)] = added
        old_doc = json.loads(gitsnap("show", "v1", added.replace(generated, original)).out)
        new_doc = json.loads(gitsnap("show", "HEAD", added).out)
        for glob, (key, evidence) in RENAMED_MOTO_IGNORES.items():
            if re.fullmatch(glob.replace("*", ".*"), added):
                assert _moto_gap(out, {"address": added.replace(generated, original), "path": key},
                                 {(glob, key): evidence})
                old_doc, new_doc = _without(old_doc, key), _without(new_doc, key)
        assert _same_but_for(old_doc, new_doc, {generated: original}), (added, old_doc, new_doc)
    # a hosted zone's id is the service's to choose: the old id maps to the new one
    names.update({c["old"]: c["new"] for c in changes if c["address"].startswith("route53/") and c["path"] == "Id"})
    unexplained = []
    for c in changes:
        if c["address"] in pairs or c["address"] in pairs.values():
            continue  # a renamed resource, compared whole above
        if _covered(coverage, c["address"], c["path"]) or _moto_gap(out, c) or _statements_equal_but_sids(c):
            continue
        if c["path"] and (_same_but_for(c["old"], c["new"], names) or _same_but_for(c["new"], c["old"], names)):
            continue  # differs only by a generated name or id
        unexplained.append(c)
    assert not unexplained, json.dumps(unexplained, indent=1)[:6000]
    # and something was really recreated: no emitted resource is missing (a renamed one is there)
    emitted = re.findall(r"^\| `([^`]+)` \| AWS::", _section(coverage, "Emitted"), re.M)
    assert len(emitted) >= 12, emitted
    missing = {c["address"] for c in changes if c["kind"] == "removed" and not c["path"]} - set(pairs)
    assert not missing & set(emitted), sorted(missing & set(emitted))
