"""Runs over every registered resource type: each says what it becomes in both formats.

Adding a service means an IacSpec module too (gitsnap/iac/aws/<service>.py, one line in
gitsnap/iac/registry.py); these fail until it exists. For every type and format: a builder, or
the reason the format has none; the builder, given the type's example document, emits only the
types it declares, each a type the format knows (cfn-lint's schemas; Terraform names checked by
shape), and every Terraform block carries its import id.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import cfnlint
import pytest

from gitsnap.collectors import registry as collectors
from gitsnap.iac import registry
from gitsnap.iac.model import Fields
from gitsnap.iac.spec import FORMATS, Builtin, LeftOut, Out
from tests.iac_examples import example_resource

TYPES = [t for t in collectors.all_types() if t.service in collectors.AWS]
# every resource type CloudFormation has in us-east-1, as cfn-lint knows them
CFN_TYPES = set(json.loads((Path(cfnlint.__file__).parent / "data" / "schemas" / "providers" / "us-east-1.json").read_text()))


def _id(t) -> str:
    return f"{t.service}/{t.type}"


def test_every_service_outside_aws_says_why_it_has_no_code():
    assert set(registry.NOT_AWS) == set(collectors.OTHER)


@pytest.mark.parametrize("t", TYPES, ids=_id)
def test_every_type_has_a_spec_with_a_builder_or_a_reason_per_format(t):
    spec = registry.spec_for(t.service, t.type)
    assert spec is not None, f"{_id(t)}: no IacSpec in gitsnap/iac/aws/ (SPECS[{t.type!r}])"
    for fmt in FORMATS:
        assert spec.builder(fmt) is not None or spec.why_not.get(fmt, "").strip(), (
            f"{_id(t)}: no {fmt} builder and no why_not[{fmt!r}]")
    for cfn_type in spec.cfn_types:
        assert cfn_type in CFN_TYPES, f"{_id(t)}: {cfn_type} is not a CloudFormation type cfn-lint knows"
    for tf_type in spec.tf_types:
        assert re.fullmatch(r"aws_[a-z0-9_]+", tf_type), tf_type
    assert set(spec.tf_no_import) <= set(spec.tf_types)


@pytest.mark.parametrize("t", TYPES, ids=_id)
@pytest.mark.parametrize("fmt", FORMATS)
def test_the_example_builds_into_declared_types_only(t, fmt):
    spec = registry.spec_for(t.service, t.type)
    builder = spec and spec.builder(fmt)
    if builder is None:
        pytest.skip(f"{fmt} has no type for {_id(t)}: {spec and spec.why_not.get(fmt)}")
    resource = example_resource(t.service, t.type)
    fields, out = Fields(resource.doc), Out()
    try:
        builder(resource, fields, out)
    except (LeftOut, Builtin) as exc:
        assert str(exc).strip(), "a resource left out or built in says why"
        return
    fields.unused()  # every field accounted for, without raising
    if fmt == "cloudformation":
        assert out.cfn, f"{_id(t)}: nothing emitted and nothing said"
        assert {r.type for r in out.cfn} <= set(spec.cfn_types)
    else:
        assert out.tf, f"{_id(t)}: nothing emitted and nothing said"
        assert {b.type for b in out.tf} <= set(spec.tf_types)
        # every block can be adopted, except types the provider cannot import (declared)
        assert all(b.import_id or b.type in spec.tf_no_import for b in out.tf), \
            [b.type for b in out.tf if not b.import_id]
