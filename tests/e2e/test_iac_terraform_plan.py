"""Terraform from a snapshot adopts the estate: ``terraform plan`` imports, it does not recreate.

The issue's promise for ``--format terraform``: HCL for the AWS provider plus ``import {}``
blocks so that ``terraform plan`` adopts the existing resources instead of recreating them. This
runs it for real: seed the registry's examples on the moto server, ``gitsnap capture --tag v1``,
``gitsnap iac v1 --format terraform``, then ``terraform init`` (offline, with the local provider
copy in ``$TF_PLUGIN_DIR`` or /opt/tf-plugins) and ``terraform plan`` with the AWS provider
pointed at moto. Only one file is added to the generated folder, ``providers_override.tf``
(endpoints, test credentials, path-style S3); every generated file is used as written, and the
sealed values are supplied as ``TF_VAR_<name>``, as a user would.

What a user checks in the plan: every import block is an import, nothing is created, changed or
destroyed. Where the provider or moto cannot agree, the change is named below with its reason,
and its evidence is checked in the plan itself (``EXCEPTIONS``); a change not named fails:

- ``provider``: an argument the AWS provider never reads back on import (the same against real
  AWS: the first apply makes a one-time update that changes nothing, e.g. re-uploads the same zip);
- ``moto``: moto answers differently from AWS (a default, a JSON layout, a principal's shape,
  empty strings where AWS leaves a field out);
- ``snapshot``: what the snapshot cannot know (reported as a gap, not a moto quirk).

A resource with no import block (COVERAGE.md says why) may be created; nothing else.

Not seeded (``NOT_SEEDED``): types moto cannot serve to the provider. The whole module is skipped
when no ``terraform``/``tofu`` binary is on PATH or ``terraform init`` cannot install the provider.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gitsnap.keys import fingerprinter
from gitsnap.store import SnapshotStore
from tests.examples import ALL, Aws

pytestmark = pytest.mark.e2e

TERRAFORM = shutil.which("terraform") or shutil.which("tofu")
if TERRAFORM is None:
    pytest.skip("no terraform or tofu binary on PATH: the plan cannot be run", allow_module_level=True)

MIRROR = Path(os.environ.get("TF_PLUGIN_DIR") or "/opt/tf-plugins")

SEEDED = [
    ("s3", "bucket"), ("sqs", "queue"), ("sns", "topic"), ("dynamodb", "table"), ("ssm", "parameter"),
    ("iam", "role"), ("iam", "policy"), ("iam", "user"), ("iam", "group"), ("iam", "instance-profile"),
    ("lambda", "function"), ("lambda", "layer"), ("lambda", "event-source-mapping"),
    ("route53", "zone"), ("route53", "healthcheck"), ("logs", "group"), ("cloudwatch", "alarm"),
    ("events", "rule"), ("events", "bus"), ("scheduler", "group"), ("scheduler", "schedule"),
    ("secretsmanager", "secret"), ("acm", "certificate"), ("ses", "identity"), ("wafv2", "web-acl"),
    ("apigateway", "rest-api"), ("apigateway", "http-api"), ("apigateway", "domain"),
    ("rds", "parameter-group"), ("rds", "subnet-group"),
    ("cloudfront", "distribution"), ("cloudfront", "cache-policy"), ("cloudfront", "function"),
    ("cloudfront", "origin-access-control"), ("cloudfront", "origin-request-policy"),
    ("cloudfront", "response-headers-policy"), ("cloudfront", "key-value-store"),
]

NOT_SEEDED = {
    ("ses", "configuration-set"): "moto's SESv2 GetConfigurationSet answers SendingOptions.Enabled as an "
                                  "object; the provider's SDK refuses the body (expected *bool), so the read fails",
    ("rds", "instance"): "moto reports KmsKeyId as the placeholder 'default_kms_key_id', not an ARN; the "
                         "provider rejects kms_key_id at plan time",
    ("rds", "cluster"): "as rds/instance: moto's KmsKeyId 'default_kms_key_id' is not an ARN",
    ("rds", "snapshot"): "left out by both formats (COVERAGE.md): nothing to import",
}

# Values the seeds plant that gitsnap seals: Lambda environments and API Gateway stage variables
# (every value, by default) and the SecureString parameter. Supplied as the sensitive variables.
PLANTED = ["prod", "orders", "jada-events", "jada-hooks", "s3cr3t-Value-8d7f6e"]

# AWS raised SQS's maximum message size to 1 MiB (2025-08) and moto's default follows; the AWS
# provider accepts it for max_message_size from 6.8.0 on (hashicorp/terraform-provider-aws#43710).
SQS_1MIB = 1048576
SQS_1MIB_PROVIDER = (6, 8, 0)

ENDPOINTS = ["acm", "apigateway", "apigatewayv2", "cloudfront", "cloudfrontkeyvaluestore", "cloudwatch",
             "cloudwatchlogs", "dynamodb", "events", "iam", "lambda", "rds", "route53", "s3", "scheduler",
             "secretsmanager", "ses", "sesv2", "sns", "sqs", "ssm", "sts", "wafv2"]


# -- the named exceptions ------------------------------------------------------------------------

def _code_hash(folder: Path, path: str) -> str:
    return base64.b64encode(hashlib.sha256((folder / path).read_bytes()).digest()).decode()


def _same_code_file(before: Any, after: Any, rc: dict, folder: Path) -> bool:
    """The provider leaves ``filename`` unset on import: the file is the code that is deployed."""
    return before is None and isinstance(after, str) and _code_hash(folder, after) == rc["change"]["before"]["code_sha256"]


def _same_code_hash(before: Any, after: Any, rc: dict, folder: Path) -> bool:
    return not before and after == rc["change"]["before"]["code_sha256"]


def _unread(default: Any) -> Callable[[Any, Any, dict, Path], bool]:
    """An argument the provider keeps only in its state (never read on import) set to *default*."""
    return lambda before, after, rc, folder: before is None and after == default


def _openapi_of(before: Any, after: Any, rc: dict, folder: Path) -> bool:
    """The provider never reads ``body`` back: the config's is the API's own exported definition."""
    return before is None and json.loads(after)["info"]["title"] == rc["change"]["before"]["name"]


def _unit_only(before: Any, after: Any, rc: dict, folder: Path) -> bool:
    """AWS reports an unset metric unit as "None" (the provider's default); moto reports nothing."""
    return ([{**t, "unit": "None"} for t in before] == after
            and all(t["unit"] == "" for t in before))


def _json_equal(before: Any, after: Any, rc: dict, folder: Path) -> bool:
    """moto returns the JSON text as its caller wrote it (json.dumps's spaces); AWS returns it
    compact: the documents are equal."""
    return before != after and json.loads(before) == json.loads(after)


def _apply_method_only(before: Any, after: Any, rc: dict, folder: Path) -> bool:
    """The snapshot records a parameter's value, not the ApplyMethod it was set with; unset, the
    provider's default is "immediate". Names and values agree."""
    def values(params: list) -> set:
        return {(p["name"], p["value"]) for p in params}

    return values(before) == values(after) and all(p["apply_method"] == "immediate" for p in after)


def _ssl_method_of_empty_arns(before: Any, after: Any, rc: dict, folder: Path) -> bool:
    """With the default certificate moto answers ACMCertificateArn and IAMCertificateId as ""
    where CloudFront leaves them out; the provider reads ssl_support_method whenever either is
    present, so it gets moto's "sni-only" where the config (rightly) has none."""
    return ([{**c, "ssl_support_method": "sni-only"} for c in after] == before
            and all(c["cloudfront_default_certificate"] and c["acm_certificate_arn"] == c["iam_certificate_id"] == ""
                    for c in before))


def _principal_in_policy(before: Any, after: Any, rc: dict, folder: Path) -> bool:
    """moto's layer policy names the principal as a bare account id, where AWS writes
    {"AWS": "arn:aws:iam::<id>:root"}; the provider reads only the latter and says "*"."""
    statements = json.loads(rc["change"]["before"]["policy"])["Statement"]
    return before == "*" and any(s.get("Principal") == after for s in statements)


# (resource type, attribute) -> (whose gap: provider/moto/snapshot, the evidence check(before, after,
# resource change, folder) whose docstring says why); an exception that never matches fails as stale.
EXCEPTIONS: dict[tuple[str, str], tuple[str, Callable[[Any, Any, dict, Path], bool]]] = {
    ("aws_lambda_function", "filename"): ("provider", _same_code_file),
    ("aws_lambda_function", "source_code_hash"): ("provider", _same_code_hash),
    ("aws_lambda_function", "publish"): ("provider", _unread(False)),
    # not read back on import; ignore_changes in the generated block keeps it from forcing a
    # replacement, but the plan still shows null -> false as an in-place update
    ("aws_lambda_layer_version_permission", "skip_destroy"): ("provider", _unread(False)),
    ("aws_lambda_layer_version_permission", "principal"): ("moto", _principal_in_policy),
    ("aws_api_gateway_rest_api", "body"): ("provider", _openapi_of),
    ("aws_cloudfront_function", "publish"): ("provider", _unread(True)),
    ("aws_secretsmanager_secret", "recovery_window_in_days"): ("provider", _unread(30)),
    ("aws_secretsmanager_secret", "force_overwrite_replica_secret"): ("provider", _unread(False)),
    ("aws_cloudwatch_log_metric_filter", "metric_transformation"): ("moto", _unit_only),
    ("aws_sqs_queue", "redrive_policy"): ("moto", _json_equal),
    ("aws_db_parameter_group", "parameter"): ("snapshot", _apply_method_only),
    ("aws_cloudfront_distribution", "viewer_certificate"): ("moto", _ssl_method_of_empty_arns),
}


EXCEPTIONS_FOUND_ON = (5, 100, 0)  # the AWS provider version of the local mirror they were found with


# -- seeding, variables, running terraform ----------------------------------------------------------

def _provider_version() -> tuple[int, ...] | None:
    """The newest AWS provider version in the local mirror (None without one: init downloads)."""
    versions = [tuple(int(n) for n in p.name.split(".")) for p in (MIRROR / "registry.terraform.io/hashicorp/aws").glob("*")
                if re.fullmatch(r"\d+\.\d+\.\d+", p.name)]
    return max(versions) if versions else None


def _seed(aws: Aws) -> list[str]:
    """Every SEEDED type's example (a second create of something an earlier example made is
    skipped, as in test_iac_roundtrip). Returns the queues whose size was lowered (see below)."""
    from botocore.exceptions import ClientError

    for key in SEEDED:
        try:
            ALL[key].seed(aws)
        except ClientError as exc:
            if "AlreadyExists" not in exc.response["Error"]["Code"]:
                raise
    version = _provider_version()
    if version is None or version >= SQS_1MIB_PROVIDER:
        return []
    # The local provider predates 1 MiB messages: for a queue at moto's (and AWS's) 1 MiB default
    # the generated versions.tf asks for the AWS provider >= 6.8.0, which the local copy cannot
    # satisfy offline. Such a queue (only one with exactly that default) is set to the old maximum
    # before the capture; test_iac_terraform.py checks the version the writer asks for.
    sqs, lowered = aws.client("sqs"), []
    for url in sqs.list_queues().get("QueueUrls", []):
        size = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["MaximumMessageSize"])["Attributes"]
        if int(size["MaximumMessageSize"]) == SQS_1MIB:
            sqs.set_queue_attributes(QueueUrl=url, Attributes={"MaximumMessageSize": "262144"})
            lowered.append(url)
    return lowered


def _variables(folder: Path, repo: Path, env: dict[str, str]) -> dict[str, str]:
    """TF_VAR_<name> -> the planted value, for every sensitive variable (each must be planted)."""
    old = dict(os.environ)
    os.environ.update(env)
    try:
        fp = fingerprinter(SnapshotStore(repo))
        planted = {fp(v).rsplit(":", 1)[1]: v for v in PLANTED}
    finally:
        os.environ.clear()
        os.environ.update(old)
    text = (folder / "variables.tf").read_text() if (folder / "variables.tf").exists() else ""
    found = re.findall(r'variable "(\w+)" \{\n\s+description = "Sealed value ([0-9a-f]{24}) ', text)
    assert all(fingerprint in planted for _, fingerprint in found), (found, PLANTED)
    return {f"TF_VAR_{name}": planted[fingerprint] for name, fingerprint in found}


def _override(endpoint: str) -> str:
    """The one added file: the provider pointed at moto. Account id lookups stay on (moto's STS
    answers 123456789012), so the generated allowed_account_ids is checked too."""
    endpoints = "\n".join(f'    {name} = "{endpoint}"' for name in ENDPOINTS)
    return (f'provider "aws" {{\n  access_key = "testing"\n  secret_key = "testing"\n'
            f"  skip_credentials_validation = true\n  skip_metadata_api_check = true\n"
            f"  s3_use_path_style = true\n  endpoints {{\n{endpoints}\n  }}\n}}\n")


def _terraform(folder: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", **(env or {})}
    return subprocess.run([str(TERRAFORM), *args], cwd=folder, env=full, capture_output=True, text=True,
                          timeout=180, check=False)


def _addresses(folder: Path) -> dict[str, str]:
    """Terraform address -> the gitsnap address in the comment above its resource block."""
    found = {}
    for tf in folder.glob("*.tf"):
        for address, type_, name in re.findall(r'^# (\S+)\nresource "(\w+)" "(\w+)"', tf.read_text(), re.M):
            found[f"{type_}.{name}"] = address
    return found


def _changed(rc: dict) -> list[str]:
    """The attributes whose planned value differs (known after apply is a consequence, not a change)."""
    before, after = rc["change"]["before"] or {}, rc["change"]["after"] or {}
    unknown = rc["change"].get("after_unknown") or {}
    return sorted(k for k in set(before) | set(after)
                  if before.get(k) != after.get(k) and unknown.get(k) is not True)


def _sensitivity_only(rc: dict) -> bool:
    """An update that only marks a value sensitive (it now comes from a sensitive variable):
    Terraform plans it, the value is unchanged."""
    change = rc["change"]
    return change["before"] == change["after"] and change.get("before_sensitive") != change.get("after_sensitive")


def _unexplained(rc: dict, folder: Path, seen: dict[tuple[str, str], int]) -> list[str]:
    """The changed attributes of *rc* no exception explains, with its evidence."""
    if _sensitivity_only(rc):
        return []
    left = []
    for attr in _changed(rc):
        named = EXCEPTIONS.get((rc["type"], attr))
        before, after = rc["change"]["before"].get(attr), rc["change"]["after"].get(attr)
        if named and named[1](before, after, rc, folder):
            seen[(rc["type"], attr)] = seen.get((rc["type"], attr), 0) + 1
        else:
            left.append(f"{rc['address']}.{attr}: {json.dumps(before)[:300]} -> {json.dumps(after)[:300]}")
    if not _changed(rc):
        left.append(f"{rc['address']}: {rc['change']['actions']} with no changed attribute")
    return left


# -- the test ---------------------------------------------------------------------------------------

def test_terraform_plan_adopts_the_estate(gitsnap, endpoint, tmp_path):
    aws = Aws(endpoint)
    _seed(aws)
    gitsnap("capture", "--tag", "v1")
    out = tmp_path / "iac"
    made = gitsnap("iac", "v1", "--format", "terraform", "--out", str(out), check=False)
    assert made.code in (0, 3), made.err
    folder = out / "terraform"
    coverage = (out / "COVERAGE.md").read_text()
    (folder / "providers_override.tf").write_text(_override(endpoint))

    local = [f"-plugin-dir={MIRROR}"] if (MIRROR / "registry.terraform.io/hashicorp/aws").is_dir() else []
    init = _terraform(folder, "init", "-input=false", "-no-color", *local)
    if init.returncode != 0:
        pytest.skip(f"terraform init could not install the AWS provider: {(init.stdout + init.stderr)[-300:]}")
    env = _variables(folder, gitsnap.repo, gitsnap.env)
    plan = _terraform(folder, "plan", "-input=false", "-no-color", "-lock=false", "-out=plan.bin", env=env)
    assert plan.returncode == 0, plan.stdout[-3000:] + plan.stderr
    changes = json.loads(_terraform(folder, "show", "-json", "plan.bin").stdout)["resource_changes"]

    # every import block is an import of an existing resource
    import_to = set(re.findall(r"^  to = (\S+)$", (folder / "imports.tf").read_text(), re.M))
    importing = {rc["address"] for rc in changes if "importing" in rc["change"]}
    assert importing == import_to, sorted(import_to ^ importing)
    assert len(importing) >= 70, len(importing)  # the estate is really there (77 import blocks on moto 5)

    # nothing is created but what has no import block, with COVERAGE.md's reason
    addresses = _addresses(folder)
    for rc in changes:
        if rc["change"]["actions"] == ["create"]:
            address = addresses[rc["address"]]
            assert rc["address"] not in import_to
            assert re.search(rf"^- `{re.escape(address)}`\n(?:  - .*\n)*?  - `<{rc['type']}>`: no import id for "
                             rf"{rc['type']}", coverage, re.M), f"{rc['address']} ({address}) is created"

    # nothing imported changes, but the named exceptions, each with its evidence
    seen: dict[tuple[str, str], int] = {}
    unexplained = [line for rc in changes if rc["address"] in import_to and rc["change"]["actions"] != ["no-op"]
                   for line in _unexplained(rc, folder, seen)]
    assert not unexplained, "\n".join(unexplained)
    for rc in changes:  # a replacement only for arguments the provider does not read back
        if "delete" in rc["change"]["actions"]:
            paths = {p[0] for p in rc["change"].get("replace_paths") or []}
            assert paths and all((rc["type"], p) in EXCEPTIONS for p in paths), (rc["address"], paths)
    # ... and every exception is still needed: one that never matched is stale. Only with the
    # provider the exceptions were found on: another may read back what this one does not.
    if _provider_version() == EXCEPTIONS_FOUND_ON:
        assert set(seen) == set(EXCEPTIONS), sorted(set(EXCEPTIONS) - set(seen))
