"""The Terraform writer (gitsnap/iac/terraform.py, hcl.py): files that parse, references that
stay references, secrets as sensitive variables, providers per account and region, import
blocks, ``terraform fmt`` layout.

Inputs are the real S3 builder over example documents run through the capture's normalize step
(tests/iac_examples.py: secrets fingerprinted as in a snapshot) plus synthetic emitted blocks.
Parsing uses python-hcl2; the ``terraform`` binary, when installed, checks ``fmt`` and (when
``terraform init`` can fetch the AWS provider) ``validate``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gitsnap.iac import hcl, terraform
from gitsnap.iac.aws import s3
from gitsnap.iac.model import Block, Fields, JsonEncode, Link, Resource, Secret
from gitsnap.iac.spec import Emitted, Out
from gitsnap.secrets.detect import Detector
from gitsnap.secrets.fingerprint import PREFIX
from tests.iac_examples import ACCOUNT, example_resource

hcl2 = pytest.importorskip("hcl2", reason="python-hcl2 is in the test extra")

OTHER_ACCOUNT = "210987654321"
SLACK = "xoxb-1234567890-abcdefghijABCDEFGHIJklmn"
DB_PASSWORD = "S3cr3tPassw0rd99"

# A bucket in the API shape with most of what the S3 builder translates.
RICH = {
    "Name": "shop-prod", "Region": "us-east-1",
    "Policy": '{"Version": "2012-10-17", "Statement": [{"Sid": "PublicRead", "Effect": "Allow", '
              '"Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shop-prod/*"}]}',
    "Versioning": {"Status": "Enabled"},
    "Tagging": [{"Key": "env", "Value": "prod"}, {"Key": "aws:cloudformation:stack-name", "Value": "shop"}],
    "Cors": [{"AllowedMethods": ["GET", "HEAD"], "AllowedOrigins": ["https://shop.example"], "MaxAgeSeconds": 3000}],
    "Website": {"IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "404.html"}},
    "Lifecycle": [{"ID": "old-versions", "Status": "Enabled", "Filter": {"Prefix": ""},
                   "NoncurrentVersionExpiration": {"NoncurrentDays": 30}}],
    "Encryption": {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                              "BucketKeyEnabled": True}]},
    "PublicAccessBlock": {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False,
                          "RestrictPublicBuckets": False},
    "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
    "Logging": {"TargetBucket": "shop-logs", "TargetPrefix": "s3/"},
    "Notifications": {},
}


def bucket(name: str, region: str = "us-east-1", account: str = ACCOUNT, **extra: Any) -> Emitted:
    """The S3 Terraform builder's output for a bucket *name* (in RICH's shape, plus *extra*)."""
    raw = {**RICH, "Name": name, "Region": region,
           "Policy": RICH["Policy"].replace("shop-prod", name), **extra}
    r = example_resource("s3", "bucket", raw=raw, region=region)
    if account != ACCOUNT:
        r = Resource(r.address, account, r.region, r.service, r.type, r.doc, r.files)
    f, out = Fields(r.doc), Out()
    s3.bucket_terraform(r, f, out)
    return Emitted(r, out, f.unused())


def synthetic(address: str, blocks: list[tuple[str, dict[str, Any], str, str | None]],
              region: str = "us-east-1", account: str = ACCOUNT, service: str = "") -> Emitted:
    """An Emitted with the given (type, body, name hint, import id) blocks."""
    out = Out()
    for type_, body, name, import_id in blocks:
        out.block(type_, body, name, import_id=import_id)
    r = Resource(address, account, region, service or address.split("/")[0], "thing", {})
    return Emitted(r, out, [])


def parse(text: str | bytes) -> dict[str, Any]:
    """*text* parsed by python-hcl2, strings as values (quotes off, escapes resolved)."""
    text = text.decode() if isinstance(text, bytes) else text
    try:
        from hcl2.utils import SerializationOptions
    except ImportError:  # python-hcl2 < 8 already gives plain strings
        return hcl2.loads(text)
    return hcl2.loads(text, serialization_options=SerializationOptions(
        strip_string_quotes=True, explicit_blocks=False, with_comments=False))


def unescape_templates(value: str) -> str:
    """python-hcl2 leaves HCL's template escapes as written: ``$${`` is the literal ``${``."""
    return value.replace("$${", "${").replace("%%{", "%{")


def resources(files: dict[str, bytes], name: str) -> dict[tuple[str, str], dict[str, Any]]:
    """(type, name) -> body for every resource block of one file."""
    found = {}
    for entry in parse(files[f"terraform/{name}"])["resource"]:
        for type_, named in entry.items():
            for label, body in named.items():
                found[(type_, label)] = body
    return found


def imports(files: dict[str, bytes]) -> list[dict[str, Any]]:
    return parse(files["terraform/imports.tf"])["import"]


# -- hcl.py --------------------------------------------------------------------------------------

TRICKY = [
    'say "hi"', "back\\slash", "two\nlines\r\n", "tab\there", "${var.not_me}", "%{ if true }x%{ endif }",
    "$${already}", "$$${three}", "100% {ok}", "dollar $ {x}", "café ☕", "bell\x07", "", "a\\${b}",
]


def test_strings_round_trip_through_hcl2_unchanged() -> None:
    """Every value a snapshot may hold comes back from the parser as it went in: quotes,
    backslashes, newlines and template sequences are escaped, never interpolated."""
    body = {f"v{i}": text for i, text in enumerate(TRICKY)}
    body["in_map"] = {"k": TRICKY[4], "quoted key": TRICKY[0]}
    body["in_list"] = TRICKY[:6]
    parsed = parse(hcl.block("locals", (), body))["locals"][0]
    for i, text in enumerate(TRICKY):
        assert unescape_templates(parsed[f"v{i}"]) == text
    assert unescape_templates(parsed["in_map"]["k"]) == TRICKY[4]
    assert parsed["in_map"]["quoted key"] == TRICKY[0]
    assert [unescape_templates(x) for x in parsed["in_list"]] == TRICKY[:6]


def test_template_sequences_are_escaped_in_the_text() -> None:
    """What makes them literal in Terraform: ``$${`` and ``%%{`` (checked against
    ``terraform console`` while writing this)."""
    assert hcl.string("${a} %{b} $${c}") == '"$${a} %%{b} $$${c}"'
    assert hcl.template(["x/", hcl.Expr("var.a"), "/${lit}"]).text == '"x/${var.a}/$${lit}"'
    assert hcl.template([hcl.Expr("var.a")]) == hcl.Expr("var.a")  # fmt unwraps "${var.a}"


def test_values_of_every_kind_parse_back() -> None:
    body = {"n": 3, "f": 1.5, "t": True, "no": False, "nothing": None, "ref": hcl.Expr("aws_s3_bucket.x.id"),
            "empty_map": {}, "empty_list": [], "nested": {"a": {"b": [1, 2]}, "null": 1, "1x": 2},
            "objects": [{"a": 1}, {"b": "c"}],
            "doc": hcl.Call("jsonencode", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]}),
            "one": Block({"x": 1}), "many": [Block({"y": 1}), Block({"y": 2})], "bare": Block({})}
    parsed = parse(hcl.block("resource", ("t", "n"), body))["resource"][0]["t"]["n"]
    assert parsed["n"] == 3 and parsed["f"] == 1.5 and parsed["t"] is True and parsed["no"] is False
    assert parsed["nothing"] is None
    assert parsed["ref"] == "${aws_s3_bucket.x.id}"
    assert parsed["nested"]["a"] == {"b": [1, 2]}
    assert parsed["objects"] == [{"a": 1}, {"b": "c"}]
    assert parsed["doc"].startswith("${jsonencode(")
    assert [b["y"] for b in parsed["many"]] == [1, 2] and parsed["one"] == [{"x": 1}]


def test_layout_matches_terraform_fmt() -> None:
    """2-space indent; ``=`` aligned within each run of single-line attributes (a multi-line
    value or a blank line ends the run); attributes before nested blocks, a blank line between."""
    body = {"bucket": "b", "expected_bucket_owner": "1", "tags": {"Name": "x", "aws:stack": "y"},
            "policy": hcl.Call("jsonencode", {"Version": "1", "Statement": [{"Effect": "Allow", "Sid": "a"}]}),
            "id": "z", "rule": [Block({"id": "r", "status": "Enabled"}), Block({"status": "Disabled"})],
            "list": ["a", "b"]}
    assert hcl.block("resource", ("t", "n"), body, comment_text="s3/b") == '''\
# s3/b
resource "t" "n" {
  bucket                = "b"
  expected_bucket_owner = "1"
  tags = {
    Name        = "x"
    "aws:stack" = "y"
  }
  policy = jsonencode({
    Version = "1"
    Statement = [
      {
        Effect = "Allow"
        Sid    = "a"
      },
    ]
  })
  id   = "z"
  list = ["a", "b"]

  rule {
    id     = "r"
    status = "Enabled"
  }

  rule {
    status = "Disabled"
  }
}
'''


def test_long_lists_go_one_item_a_line() -> None:
    items = [f"arn:aws:s3:::bucket-number-{i}/*" for i in range(4)]
    text = hcl.attributes({"resources": items})
    assert text.splitlines()[0] == "resources = [" and text.splitlines()[1] == '  "arn:aws:s3:::bucket-number-0/*",'
    assert parse(text)["resources"] == items


@pytest.mark.parametrize("body, error", [
    ({"bad name": 1}, ValueError),
    ({"x": float("nan")}, ValueError),
    ({"x": [Block({}), 1]}, TypeError),
    ({"x": {"y": Block({})}}, TypeError),
    ({"x": Link("a/b", None, "v")}, TypeError),  # placeholders are the writer's to resolve
])
def test_what_hcl_cannot_say_is_an_error(body: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        hcl.block("locals", (), body)


# -- terraform.py --------------------------------------------------------------------------------


def test_s3_example_renders_resources_and_one_import_per_block() -> None:
    """The registered S3 example: one file per service, references to the bucket, one import
    block per resource block with the provider's import id (the bucket name)."""
    e = bucket("shop-prod")
    rendered = terraform.render([e], "v1.0")
    files = rendered.files
    assert set(files) == {"terraform/versions.tf", "terraform/providers.tf", "terraform/s3.tf",
                          "terraform/imports.tf"}
    found = resources(files, "s3.tf")
    assert [f"{t}.{n}" for t, n in found] == rendered.blocks["s3/shop-prod"]
    assert found[("aws_s3_bucket", "shop_prod")]["bucket"] == "shop-prod"
    assert found[("aws_s3_bucket", "shop_prod")]["tags"] == {"env": "prod", "aws:cloudformation:stack-name": "shop"}
    for (type_, _), body in found.items():
        if type_ != "aws_s3_bucket":
            assert body["bucket"] == "${aws_s3_bucket.shop_prod.id}", type_
    assert found[("aws_s3_bucket_versioning", "shop_prod")]["versioning_configuration"] == [{"status": "Enabled"}]
    policy = found[("aws_s3_bucket_policy", "shop_prod")]["policy"]
    assert policy.startswith("${jsonencode(") and "arn:aws:s3:::shop-prod/*" in policy
    # Unset arguments of nested blocks are left out (an empty `transition = []` is not a block).
    assert found[("aws_s3_bucket_lifecycle_configuration", "shop_prod")]["rule"] == [{
        "id": "old-versions", "status": "Enabled", "filter": [{"prefix": ""}],
        "noncurrent_version_expiration": [{"noncurrent_days": 30}]}]
    assert found[("aws_s3_bucket_cors_configuration", "shop_prod")]["cors_rule"] == [{
        "allowed_methods": ["GET", "HEAD"], "allowed_origins": ["https://shop.example"], "max_age_seconds": 3000}]
    # The logging target bucket is not in this generation: its name, not a dangling reference.
    assert found[("aws_s3_bucket_logging", "shop_prod")]["target_bucket"] == "shop-logs"

    imported = imports(files)
    assert [i["to"] for i in imported] == ["${" + ref + "}" for ref in rendered.blocks["s3/shop-prod"]]
    assert {i["id"] for i in imported} == {"shop-prod"}  # every aws_s3_bucket_* imports by bucket name
    assert all(len(b.import_id or "") for b in e.out.tf) and len(imported) == len(e.out.tf)
    assert "# s3/shop-prod\nresource \"aws_s3_bucket\" \"shop_prod\" {" in files["terraform/s3.tf"].decode()


def test_the_registered_example_renders_too() -> None:
    r = example_resource("s3", "bucket")
    f, out = Fields(r.doc), Out()
    s3.bucket_terraform(r, f, out)
    files = terraform.render([Emitted(r, out, f.unused())], "HEAD").files
    assert ("aws_s3_bucket_versioning", "shop_prod") in resources(files, "s3.tf")
    assert len(imports(files)) == len(out.tf)


def test_links_become_references_when_the_target_is_emitted() -> None:
    """The logging bucket emitted beside: a reference to it; blocks without import id get no import."""
    logs = bucket("shop-logs", Logging=None)
    prod = bucket("shop-prod")
    other = synthetic("lambda/fn", [("aws_lambda_function", {
        "function_name": "fn", "role": Link("iam/role/gone", "Arn", "arn:aws:iam::1:role/gone", tf_attr="arn"),
        "environment": Block({"variables": {"BUCKET": Link("s3/shop-logs", None, "shop-logs", tf_attr="bucket")}}),
        "filename": terraform_artifact("lambda/123/us-east-1/fn.zip")}, "fn", None)])
    rendered = terraform.render([prod, other, logs], "v1")
    found = resources(rendered.files, "s3.tf")
    assert found[("aws_s3_bucket_logging", "shop_prod")]["target_bucket"] == "${aws_s3_bucket.shop_logs.id}"
    fn = resources(rendered.files, "lambda.tf")[("aws_lambda_function", "fn")]
    assert fn["role"] == "arn:aws:iam::1:role/gone"
    assert fn["environment"] == [{"variables": {"BUCKET": "${aws_s3_bucket.shop_logs.bucket}"}}]
    assert fn["filename"] == "${path.module}/../artifacts/lambda/123/us-east-1/fn.zip"
    assert "aws_lambda_function" not in rendered.files["terraform/imports.tf"].decode()


def terraform_artifact(path: str) -> Any:
    out = Out()
    return out.artifact("0" * 40, path, 10)


def test_a_reference_that_would_close_a_cycle_is_written_as_its_literal() -> None:
    """Terraform refuses reference cycles: the second link of a loop keeps its recorded value."""
    a = synthetic("sns/a", [("aws_sns_topic", {"name": "a", "x": Link("sns/b", None, "lit-b", tf_attr="arn")},
                             "a", "arn:a")])
    b = synthetic("sns/b", [("aws_sns_topic", {"name": "b", "x": Link("sns/a", None, "lit-a", tf_attr="arn")},
                             "b", "arn:b")])
    selfish = synthetic("sns/c", [("aws_sns_topic", {"name": Link("sns/c", None, "c", tf_attr="name")}, "c", None)])
    found = resources(terraform.render([a, b, selfish], "v1").files, "sns.tf")
    assert found[("aws_sns_topic", "a")]["x"] == "${aws_sns_topic.b.arn}"
    assert found[("aws_sns_topic", "b")]["x"] == "lit-a"
    assert found[("aws_sns_topic", "c")]["name"] == "c"


def test_names_are_unique_per_type() -> None:
    """Same name hint twice (and a hint that looks like a suffixed one): _2, _3, never a clash."""
    emitted = [synthetic(f"sqs/{n}", [("aws_sqs_queue", {"name": n}, hint, None),
                                      ("aws_sqs_queue_policy", {"queue_url": n}, hint, None)])
               for n, hint in (("q-a", "jobs"), ("q-b", "jobs"), ("q-c", "jobs_2"), ("q-d", "9 lives"))]
    rendered = terraform.render(emitted, "v1")
    found = resources(rendered.files, "sqs.tf")
    names = [n for t, n in found if t == "aws_sqs_queue"]
    assert names == ["jobs", "jobs_2", "jobs_2_2", "r_9_lives"]
    assert [n for t, n in found if t == "aws_sqs_queue_policy"] == names
    assert rendered.blocks["sqs/q-b"] == ["aws_sqs_queue.jobs_2", "aws_sqs_queue_policy.jobs_2"]


def all_text(files: dict[str, bytes]) -> str:
    return "\n".join(v.decode() for v in files.values())


def test_secrets_become_sensitive_variables_and_never_values() -> None:
    """A tag the capture fingerprinted (whole value) and one with a credential inside a URL:
    both become ``sensitive`` variables; no marker, no value, nothing the secret detector
    flags in any file; the same sealed value in two buckets is one variable."""
    tags = [{"Key": "api_token", "Value": SLACK},
            {"Key": "note", "Value": f"db postgres://app:{DB_PASSWORD}@db.example:5432/app"}]
    one, two = bucket("shop-prod", Tagging=tags), bucket("shop-stage", Tagging=tags[:1])
    assert PREFIX in str(one.resource.doc["Tags"]["note"])  # the capture did seal them
    rendered = terraform.render([two, one], "v1.0")
    files, text = rendered.files, all_text(rendered.files)

    assert PREFIX not in text and "hmac-sha256" not in text
    assert SLACK not in text and DB_PASSWORD not in text
    detector = Detector()
    assert [(path, detector.scan_text(data.decode())) for path, data in files.items()
            if detector.scan_text(data.decode())] == []

    names = [v.name for v in rendered.variables]
    assert len(names) == 2 == len(set(names))
    token = next(v for v in rendered.variables if v.addresses == ("s3/shop-prod", "s3/shop-stage"))
    note = next(v for v in rendered.variables if v is not token)
    assert re.fullmatch(r"[0-9a-f]{24}", token.fingerprint)
    tags_of = {n: b["tags"] for (t, n), b in resources(files, "s3.tf").items() if t == "aws_s3_bucket"}
    assert tags_of["shop_prod"]["api_token"] == tags_of["shop_stage"]["api_token"] == f"${{var.{token.name}}}"
    assert tags_of["shop_prod"]["note"] == f"db postgres://app:${{var.{note.name}}}@db.example:5432/app"

    declared = parse(files["terraform/variables.tf"])["variable"]
    by_name = {name: body for entry in declared for name, body in entry.items()}
    assert set(by_name) == set(names)
    for v in rendered.variables:
        body = by_name[v.name]
        assert body["sensitive"] is True
        assert f'variable "{v.name}" {{\n  description = ' in text and "  type        = string\n" in text
        assert v.fingerprint in body["description"] and v.addresses[0] in body["description"]
    assert parse(files["terraform/terraform.tfvars.example"]) == {n: "" for n in names}


def test_placeholders_inside_json_and_links_resolve_too() -> None:
    """A Secret placeholder and a marker inside a jsonencode'd document, and a Link literal that
    is itself sealed: variables everywhere, jsonencode kept as a call."""
    marker = f"{PREFIX}{'a' * 24}"
    e = synthetic("ssm/p", [("aws_ssm_parameter", {
        "name": "p", "value": Secret("b" * 24, "p db password"),
        "description": Link("ssm/missing", None, f"pw={marker}", tf_attr="name"),
        "policies": JsonEncode({"k": marker, "list": [f"x{marker}y"]})}, "p", "p")])
    rendered = terraform.render([e], "v1")
    body = resources(rendered.files, "ssm.tf")[("aws_ssm_parameter", "p")]
    names = {v.fingerprint: v.name for v in rendered.variables}
    assert body["value"] == "${var.p_db_password}" and names["b" * 24] == "p_db_password"
    assert body["description"] == f"pw=${{var.{names['a' * 24]}}}"
    assert body["policies"].startswith("${jsonencode(") and f"var.{names['a' * 24]}" in body["policies"]
    assert PREFIX not in all_text(rendered.files)


def provider_blocks(files: dict[str, bytes]) -> list[dict[str, Any]]:
    return [entry["aws"] for entry in parse(files["terraform/providers.tf"])["provider"]]


def test_providers_per_region_the_most_used_unaliased() -> None:
    """Two buckets in us-east-1, one global resource (us-east-1 too), one bucket in eu-west-1:
    us-east-1 is the default provider; eu-west-1's resources and imports name their alias."""
    role = synthetic("iam/role/r", [("aws_iam_role", {"name": "r"}, "r", "r")], region="global")
    emitted = [bucket("east-a"), bucket("east-b"), bucket("west-a", region="eu-west-1"), role]
    files = terraform.render(emitted, "v1").files
    assert provider_blocks(files) == [
        {"region": "us-east-1", "allowed_account_ids": [ACCOUNT]},
        {"alias": "eu_west_1", "region": "eu-west-1", "allowed_account_ids": [ACCOUNT]}]
    for (_, name), body in resources(files, "s3.tf").items():
        assert body.get("provider") == ("${aws.eu_west_1}" if name == "west_a" else None), name
    assert "provider" not in resources(files, "iam.tf")[("aws_iam_role", "r")]
    for imp in imports(files):
        assert imp.get("provider") == ("${aws.eu_west_1}" if imp["id"] == "west-a" else None), imp


def test_providers_per_account_pin_the_account() -> None:
    """Two accounts: every provider pins its account; the alias names account and region."""
    emitted = [bucket("mine"), bucket("theirs", account=OTHER_ACCOUNT), bucket("theirs-too", account=OTHER_ACCOUNT),
               bucket("theirs-west", region="eu-west-1", account=OTHER_ACCOUNT)]
    files = terraform.render(emitted, "v1").files
    assert provider_blocks(files) == [
        {"region": "us-east-1", "allowed_account_ids": [OTHER_ACCOUNT]},
        {"alias": f"a{ACCOUNT}_us_east_1", "region": "us-east-1", "allowed_account_ids": [ACCOUNT]},
        {"alias": f"a{OTHER_ACCOUNT}_eu_west_1", "region": "eu-west-1", "allowed_account_ids": [OTHER_ACCOUNT]}]
    found = resources(files, "s3.tf")
    assert found[("aws_s3_bucket", "mine")]["provider"] == f"${{aws.a{ACCOUNT}_us_east_1}}"
    assert "provider" not in found[("aws_s3_bucket", "theirs")]
    assert found[("aws_s3_bucket", "theirs_west")]["provider"] == f"${{aws.a{OTHER_ACCOUNT}_eu_west_1}}"


def test_output_is_deterministic() -> None:
    """The same resources in another order give the same bytes."""
    emitted = [bucket("bucket-b"), bucket("bucket-a", region="eu-west-1", Tagging=[{"Key": "t", "Value": SLACK}]),
               synthetic("sqs/q", [("aws_sqs_queue", {"name": "q"}, "q", "https://q")])]
    first = terraform.render(emitted, "v1")
    again = terraform.render(list(reversed(emitted)), "v1")
    assert first.files == again.files and first.variables == again.variables


def test_a_value_only_a_newer_provider_accepts_raises_the_required_version() -> None:
    """A queue at SQS's 1 MiB message size (the default since 2025-08): provider versions before
    6.8.0 refuse max_message_size above 256 KiB at plan time, so versions.tf asks for 6.8.0."""
    def queue(name: str, size: object) -> Emitted:
        return synthetic(f"sqs/{name}", [("aws_sqs_queue", {"name": name, "max_message_size": size}, name, name)])

    def required(*emitted: Emitted) -> str:
        versions = parse(terraform.render(list(emitted), "v1").files["terraform/versions.tf"])
        return versions["terraform"][0]["required_providers"][0]["aws"]["version"]

    assert required(queue("big", 1048576), queue("small", 262144)) == ">= 6.8.0"
    assert required(queue("small", 262144)) == ">= 5.0"
    assert required(queue("linked", Link("sqs/x", None, None, tf_attr="max_message_size"))) == ">= 5.0"


def test_nothing_emitted_gives_only_versions() -> None:
    empty = synthetic("sqs/q", [])
    assert set(terraform.render([empty], "v1").files) == {"terraform/versions.tf"}


# -- the terraform binary ------------------------------------------------------------------------

TERRAFORM = shutil.which("terraform") or shutil.which("tofu") or (
    "/usr/local/bin/terraform" if os.access("/usr/local/bin/terraform", os.X_OK) else None)
needs_terraform = pytest.mark.skipif(TERRAFORM is None, reason="no terraform or tofu binary on PATH")


def estate() -> list[Emitted]:
    """Real S3 builder output in two accounts and regions, with sealed tags: only real types."""
    tags = [{"Key": "api_token", "Value": SLACK}, {"Key": "note", "Value": f"postgres://app:{DB_PASSWORD}@db/app"}]
    return [bucket("shop-prod", Tagging=tags), bucket("shop-logs", Logging=None),
            bucket("shop-eu", region="eu-west-1"), bucket("shop-other", account=OTHER_ACCOUNT)]


def write(tmp_path: Path) -> Path:
    for path, data in terraform.render(estate(), "v1.0").files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    # fmt checks .tfvars files too: the example is in that syntax.
    shutil.copy(tmp_path / "terraform/terraform.tfvars.example", tmp_path / "terraform/example.auto.tfvars")
    return tmp_path / "terraform"


def run(*args: str, cwd: Path, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
    return subprocess.run([str(TERRAFORM), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


@needs_terraform
def test_terraform_fmt_changes_nothing(tmp_path: Path) -> None:
    folder = write(tmp_path)
    done = run("fmt", "-check", "-diff", "-no-color", "-recursive", ".", cwd=folder)
    assert done.returncode == 0, done.stdout + done.stderr


def init_error(output: str) -> str:
    """The paragraph after ``Error:`` in terraform's output, on one line."""
    m = re.search(r"Error: (.*?\n\s*\n.*?)(?:\n\s*\n|$)", output, re.S)
    return " ".join((m.group(1) if m else output.strip()[-300:]).split())


@needs_terraform
def test_terraform_validate(tmp_path: Path) -> None:
    folder = write(tmp_path)
    # A local provider mirror (TF_PLUGIN_DIR, or this project's CI image's) avoids the network.
    mirror = os.environ.get("TF_PLUGIN_DIR") or "/opt/tf-plugins"
    local = [f"-plugin-dir={mirror}"] if Path(mirror, "registry.terraform.io/hashicorp/aws").is_dir() else []
    init = run("init", "-backend=false", "-input=false", "-no-color", *local, cwd=folder)
    if init.returncode != 0:
        pytest.skip(f"terraform init could not install the AWS provider (no network or provider cache): "
                    f"{init_error(init.stdout + init.stderr)}")
    done = run("validate", "-no-color", cwd=folder)
    assert done.returncode == 0, done.stdout + done.stderr
