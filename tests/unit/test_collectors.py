"""Runs over every registered resource type: adding a type without these pieces fails here."""

from __future__ import annotations

import re

import pytest

from gitsnap import fieldpath, schemas
from gitsnap.canonical import plain
from gitsnap.collectors import registry
from gitsnap.collectors.aws import awslambda, s3, s3objects
from gitsnap.collectors.run import Collected
from gitsnap.collectors.spec import Extras
from gitsnap.config import Config
from gitsnap.engine import finish_document, make_guard
from gitsnap.secrets.fingerprint import Fingerprinter, is_redacted
from tests import examples

EXAMPLES = {key: example.raw for key, example in examples.ALL.items()}
TYPES = registry.all_types()


def test_every_type_has_an_example():
    assert {(t.service, t.type) for t in TYPES} == set(EXAMPLES)


@pytest.mark.parametrize("spec", TYPES, ids=lambda t: f"{t.service}/{t.type}")
def test_type_is_fully_declared(spec):
    schemas.validator(spec.schema)  # exists and is a valid JSON Schema
    assert spec.list is not None or spec.enumerate is not None
    if spec.service in registry.AWS:  # every AWS read is declared, for `gitsnap permissions`
        assert spec.permissions and all(re.fullmatch(r"[a-z0-9-]+:[A-Za-z0-9]+", p) for p in spec.permissions)
    for path in (*spec.volatile, *spec.secrets, *spec.public, *spec.unordered):
        assert fieldpath.split(path) and " " not in path
    assert re.fullmatch(r"[a-z0-9]+(/[a-z-]+)?/x", spec.address("x"))


@pytest.mark.parametrize("spec", TYPES, ids=lambda t: f"{t.service}/{t.type}")
def test_example_becomes_a_schema_valid_secret_free_document(spec):
    raw = EXAMPLES[(spec.service, spec.type)]
    first = plain(spec.transform(raw))  # as the runner does
    assert plain(spec.transform(raw)) == first  # pure
    config = Config(path=None)
    doc, _ = finish_document(Collected(spec, spec.id(raw), first, Extras()), config,
                             make_guard(config, Fingerprinter(b"k" * 32)), spec.address(spec.id(raw)))
    assert "topsecret" not in repr(doc)
    for path in spec.volatile:
        assert not list(fieldpath.matches(doc, path)), path
    for path in spec.secrets:
        assert all(is_redacted(parent[key]) for _, parent, key in fieldpath.matches(doc, path))


# Their services answer "not found" with codes gitsnap does not read as "gone" (API Gateway's
# NotFoundException, SES's ConfigurationSetDoesNotExist), so a deletion mid-read fails the unit:
# unknown, never absent. A new type must either declare its identity read or be listed here.
NO_IDENTITY_READ = {("apigateway", "rest-api"), ("apigateway", "domain"), ("apigateway", "http-api"),
                    ("ses", "identity"), ("ses", "configuration-set"), ("ses", "account")}


@pytest.mark.parametrize("spec", [t for t in TYPES if t.service in registry.AWS and t.details],
                         ids=lambda t: f"{t.service}/{t.type}")
def test_a_type_that_reads_details_names_the_read_that_says_it_is_gone(spec):
    identity = [d.call.method for d in spec.details if d.call is not None and d.call.identity]
    assert len(identity) <= 1
    assert bool(identity) != ((spec.service, spec.type) in NO_IDENTITY_READ)


def test_keep_env_leaves_named_values_in_clear():
    spec = awslambda.FUNCTION
    raw = EXAMPLES[("lambda", "function")]
    config = Config(path=None, lambda_keep_env=frozenset({"STAGE"}))
    doc, _ = finish_document(Collected(spec, "f", plain(spec.transform(raw)), Extras()),
                             config, make_guard(config, Fingerprinter(b"k" * 32)), "lambda/f")
    env = doc["Configuration"]["Environment"]["Variables"]
    assert env["STAGE"] == "prod" and is_redacted(env["API_KEY"])
    assert [v["Version"] for v in doc["Versions"]] == ["1"]


def test_a_function_refers_to_its_role_by_the_iam_collectors_address():
    from gitsnap.collectors.aws import iam

    raw = EXAMPLES[("lambda", "function")]
    doc = awslambda.FUNCTION.transform(raw)
    assert doc["RoleAddress"] == "iam/role/r" == iam.ROLE.address("r")
    assert doc["Configuration"]["Role"] == "arn:aws:iam::1:role/r"  # the ARN stays, as AWS gives it
    assert "Role" not in doc  # the role's facts are the role's document, not every function's
    assert awslambda.role_address("arn:aws:iam::1:role/service-role/jada-lambda") == "iam/role/jada-lambda"
    assert not any(p.startswith("iam:") for p in awslambda.FUNCTION.permissions)


def test_bucket_selection_and_location():
    assert s3.selected("shop-prod", ("*-prod",), ())
    assert not s3.selected("shop-prod", ("*-prod",), ("shop-*",))
    assert s3.bucket_region(None) == "us-east-1" and s3.bucket_region("EU") == "eu-west-1"
    assert s3objects.header_text("caf\xe9") == {"base64": "Y2Fm6Q=="}
    assert s3objects.header_text("S\xc3\xa3o") == "S\u00e3o"


def test_zip_members_cannot_escape_source():
    assert awslambda.safe_member("src/app.py") == "src/app.py"
    assert awslambda.safe_member("../etc/passwd") == "etc/passwd"  # clamped inside source/
    assert awslambda.safe_member("/abs/../../x") == "x"
    assert awslambda.safe_member(".git/config") is None
    assert awslambda.safe_member("dir/") is None


def test_env_files_keep_names_and_whether_set_never_values():
    from gitsnap.collectors.local.files import env_names

    text = "# comment\nexport STRIPE_KEY=sk_live_abc\nEMPTY=\nQUOTED='x y'\n  SPACED = v # note\nnot a line\n"
    assert env_names(text) == [{"name": "EMPTY", "set": False}, {"name": "QUOTED", "set": True},
                               {"name": "SPACED", "set": True}, {"name": "STRIPE_KEY", "set": True}]
    assert "sk_live" not in repr(env_names(text))


def test_local_walk_records_nested_repos_without_entering_them(tmp_path):
    import subprocess

    from gitsnap.collectors.local.files import walk

    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("b")
    nested = tmp_path / "vendor" / "lib"
    nested.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(nested)], check=True)
    (nested / "inside.txt").write_text("not copied")
    files, repos = walk(tmp_path)
    assert files == ["a.txt", "sub/b.txt"] and repos == ["vendor/lib"]


def test_docs_carry_the_generated_policy_exactly():
    import json
    from pathlib import Path

    from gitsnap.collectors.permissions import read_only_policy

    doc = (Path(__file__).resolve().parents[2] / "docs" / "aws.md").read_text()
    assert json.dumps(read_only_policy(), indent=2) in doc, "run the snippet in docs/aws.md's history to refresh it"
