"""``gitsnap iac`` driven as a user runs it, on the sample estate (with its planted secrets).

One capture of the e2e estate (the sample shops, Lightsail, every service) is shared by the
module; each test generates into its own folder. What a user checks:

- every CloudFormation template passes cfn-lint with no errors, and every Terraform file parses
  (python-hcl2); each ``import`` block's id has the AWS provider's import format for its type;
- no secret value the estate holds appears in any generated file, in any of the forms the
  secret-plant test searches (raw, JSON-escaped, URL-encoded, base64, UTF-16, hex), and the
  detector of issue 6 finds nothing in them either;
- COVERAGE.md accounts for every resource of the snapshot, and the exit code is 3 when
  something was left out, with the summary line on stdout;
- bad input (a revision that does not exist, a folder that is not empty, an address matching
  nothing) exits 2 with one line and writes nothing.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from gitsnap.sandbox.estate import SECRETS
from gitsnap.secrets.detect import Detector
from tests.e2e.test_secret_plant import Finder, needle_forms
from tests.iac_examples import cfn_lint_errors
from tests.unit.test_iac_terraform import parse as parse_hcl

pytestmark = pytest.mark.e2e

# The AWS provider's import id formats (its docs' "Import" sections) for the types whose id is
# not simply a name; a block of a type listed here must match.
IMPORT_FORMATS = {
    "aws_route53_record": r"[A-Z0-9]+_[^_]+_[A-Z]+(_.+)?",
    "aws_lambda_permission": r"[^/]+/[^/]+",
    "aws_iam_role_policy": r"[^:]+:[^:]+",
    "aws_iam_role_policy_attachment": r"[^/]+/arn:aws:iam::[^ ]+",
    "aws_iam_user_policy_attachment": r"[^/]+/arn:aws:iam::[^ ]+",
    "aws_iam_group_policy_attachment": r"[^/]+/arn:aws:iam::[^ ]+",
    "aws_iam_policy": r"arn:aws:iam::\d{12}:policy/.+",
    "aws_wafv2_web_acl": r"[^/]+/[^/]+/(REGIONAL|CLOUDFRONT)",
    "aws_sns_topic": r"arn:aws:sns:[a-z0-9-]+:\d{12}:.+",
    "aws_sqs_queue": r"https?://.+",
    "aws_cloudwatch_event_target": r"[^/]+/[^/]+/[^/]+",
    "aws_route53_zone": r"[A-Z0-9]+",
    "aws_dynamodb_table": r"[A-Za-z0-9_.-]+",
    "aws_s3_bucket": r"[a-z0-9.-]+",
}


@pytest.fixture(scope="module")
def estate(tmp_path_factory, moto_server, states):
    """The e2e estate captured once: (runner, tmp dir); tests generate into their own folders."""
    from tests.conftest import Gitsnap, _restore, base_env

    tmp = tmp_path_factory.mktemp("iac")
    moto_server.reset()
    info = _restore(states, "e2e")
    g = Gitsnap(repo=tmp / "snap", env=base_env(tmp, moto_server.endpoint, moto_server.lightsail_endpoint))
    g("init")
    g("capture", "--tag", "v1.0")
    secrets = dict(SECRETS)
    if isinstance(info, dict) and info.get("iam_secret_access_key"):
        secrets["iam_secret_access_key"] = info["iam_secret_access_key"]
    return g, tmp, secrets


def _run(estate, fmt: str, name: str, *extra: str):
    g, tmp, _ = estate
    out = tmp / name
    shutil.rmtree(out, ignore_errors=True)
    return g("iac", "v1.0", "--format", fmt, "--out", str(out), *extra, check=False), out


def test_cloudformation_for_the_estate_passes_cfn_lint_and_accounts_for_every_resource(estate):
    made, out = _run(estate, "cloudformation", "cfn")
    assert made.code == 3, made.err  # Lightsail domains, RDS snapshots, ... are left out, so: 3
    assert re.fullmatch(r"cloudformation: \d+ of \d+ resources emitted.*\(COVERAGE.md\)", made.out.splitlines()[-1])
    assert made.err.count("\n") == 1 and "COVERAGE.md" in made.err
    templates = sorted(out.glob("cloudformation/*/*/template*.yaml"))
    assert templates
    for t in templates:
        assert cfn_lint_errors(t.read_bytes()) == [], t
    coverage = (out / "COVERAGE.md").read_text()
    manifest = estate[0].manifest("v1.0")
    for address in manifest["resources"]:
        assert f"`{address}`" in coverage, f"{address} is neither emitted nor listed in COVERAGE.md"
    total = int(re.search(r"of (\d+) resources", made.out).group(1))
    assert total == len(manifest["resources"])
    # references where both ends are emitted: a distribution's origin bucket, a function's role,
    # a record's zone, and the www CNAME naming a distribution by its d123.cloudfront.net
    text = "\n".join(t.read_text() for t in templates)
    assert re.search(r"DomainName: !GetAtt \w+Bucket\.(Regional)?DomainName", text)
    assert re.search(r"Role: !GetAtt JadaLambdaRoleRole\.Arn", text)
    assert re.search(r"HostedZoneId: !Ref SailjadaComHostedZone", text)
    assert re.search(r"Name: www\.sailjada\.com\.\n(?:  .*\n)*?\s+ResourceRecords:\n\s+- !GetAtt \w+Distribution\.DomainName",
                     text)


def test_terraform_for_the_estate_parses_and_every_import_id_has_its_format(estate):
    made, out = _run(estate, "terraform", "tf")
    assert made.code == 3, made.err
    files = sorted((out / "terraform").glob("*.tf"))
    assert {"versions.tf", "providers.tf", "imports.tf"} <= {f.name for f in files}
    blocks: dict[str, set[str]] = {}
    for f in files:
        parsed = parse_hcl(f.read_text())
        for resource in parsed.get("resource", []):
            for type_, named in resource.items():
                blocks.setdefault(type_, set()).update(named)
    imports = parse_hcl((out / "terraform" / "imports.tf").read_text()).get("import", [])
    assert imports
    for block in imports:
        to = block["to"].strip("${}")
        type_, name = to.split(".", 1)
        assert name in blocks.get(type_, set()), f"import to {to}: no such resource block"
        pattern = IMPORT_FORMATS.get(type_)
        if pattern:
            assert re.fullmatch(pattern, block["id"]), f"{to}: import id {block['id']!r} is not {pattern}"


@pytest.mark.parametrize("fmt", ["cloudformation", "terraform"])
def test_no_secret_value_reaches_any_generated_file(estate, fmt):
    made, out = _run(estate, fmt, f"secrets-{fmt}")
    assert made.code in (0, 3), made.err
    needles = [(n, (name, form)) for name, value in estate[2].items() for n, form in needle_forms(value).items()]
    finder = Finder(needles)
    detector = Detector()
    leaks, detected = [], []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        data = path.read_bytes()
        leaks += [f"{needles[i][1]} in {path.relative_to(out)}" for i in finder.find(data)]
        if "artifacts" not in path.parts:  # bodies are the estate's own files, kept as captured
            detected += [f"{h.rule} in {path.relative_to(out)}" for h in detector.scan_text(data.decode())]
    assert not leaks
    assert not detected
    assert "redacted:hmac-sha256:" not in "".join(p.read_text() for p in out.rglob("*.yaml")) + \
        "".join(p.read_text() for p in out.rglob("*.tf"))
    kind = "NoEcho" if fmt == "cloudformation" else "sensitive"
    assert kind in made.out  # the summary names the secrets made parameters or variables


def test_bad_input_exits_2_with_one_line_and_writes_nothing(estate):
    g, tmp, _ = estate
    out = tmp / "bad"
    for args, says in [
        (("iac", "v9.9", "--format", "cloudformation", "--out", str(out)), "v9.9"),
        (("iac", "v1.0", "--format", "terraform", "--out", str(out), "--only", "s3/no-such-bucket"), "s3/no-such-bucket"),
    ]:
        r = g(*args, check=False)
        assert r.code == 2 and says in r.err and r.err.count("\n") == 1 and "Traceback" not in r.err, r.err
        assert not out.exists()
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    r = g("iac", "v1.0", "--format", "cloudformation", "--out", str(out), check=False)
    assert r.code == 2 and "--force" in r.err and r.err.count("\n") == 1
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_force_replaces_what_gitsnap_generated_and_keeps_the_rest(estate):
    g, tmp, _ = estate
    made, out = _run(estate, "terraform", "forced")
    assert made.code in (0, 3), made.err
    (out / "notes.txt").write_text("mine")
    (out / "terraform" / "stale.tf").write_text("# from an older run\n")
    again = g("iac", "v1.0", "--format", "cloudformation", "--out", str(out), "--force", check=False)
    assert again.code in (0, 3), again.err
    assert (out / "notes.txt").read_text() == "mine"
    assert not (out / "terraform").exists()  # generated by the older run: replaced as a whole
    assert (out / "cloudformation" / "deploy.sh").exists()


def test_only_selects_resources_and_the_summary_counts_only_them(estate):
    made, out = _run(estate, "cloudformation", "only", "--only", "s3/*")
    assert made.code == 0, made.out + made.err  # every bucket field has a property
    assert re.search(r"cloudformation: (\d+) of \1 resources emitted, 0 left out; 0 fields not emitted", made.out)
    text = "".join(p.read_text() for p in out.glob("cloudformation/*/*/template*.yaml"))
    assert "AWS::S3::Bucket" in text and "AWS::Lambda" not in text
    assert (out / "artifacts" / "upload-s3.sh").exists()


def test_a_lambda_zip_is_written_byte_for_byte_beside_the_template(estate):
    g = estate[0]
    made, out = _run(estate, "cloudformation", "zip", "--only", "lambda/jada-contact-form")
    assert made.code in (0, 3), made.err
    zips = list((out / "artifacts").rglob("*.zip"))
    assert len(zips) == 1
    doc = g.show("v1.0:aws/123456789012/us-east-1/lambda/function/jada-contact-form/function.json")
    import hashlib
    import json

    assert hashlib.sha256(zips[0].read_bytes()).hexdigest() == json.loads(doc)["Code"]["sha256"]
    template = next(out.glob("cloudformation/*/us-east-1/template.yaml")).read_text()
    assert re.search(r"Code: \.\./\.\./\.\./artifacts/.+\.zip", template)
    assert Path(out / "cloudformation" / "123456789012" / "us-east-1").exists()
