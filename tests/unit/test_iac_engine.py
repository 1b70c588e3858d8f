"""The generation engine: the field tracker, names linked across resources, coverage, and the
output folder written all at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitsnap.iac import registry, run
from gitsnap.iac.coverage import Coverage
from gitsnap.iac.model import Fields, Link, Named, Resource
from gitsnap.iac.spec import Emitted, IacSpec, Out, Provides


def test_fields_lists_what_a_builder_did_not_read_at_the_shallowest_untaken_path():
    f = Fields({"Name": "a", "Config": {"Timeout": 3, "Layers": ["x"], "Empty": []}, "Arn": "arn:x",
                "Website": {"Index": {"Suffix": "i.html"}}, "Unset": None})
    f.get("Name")
    f.get("Config.Timeout")
    f.computed("Arn")
    f.unsupported("Password", "never in a snapshot")  # noted though absent
    assert f.unused() == [("Config.Layers", "no property for this field"), ("Password", "never in a snapshot"),
                          ("Website", "no property for this field")]


def test_a_named_value_becomes_a_link_to_the_resource_that_provides_it(monkeypatch):
    monkeypatch.setitem(registry._loaded, "fake", {
        "dist": IacSpec(provides=(Provides("DomainName", "DomainName", "domain_name"),)), "zone": IacSpec()})
    dist = Resource("fake/d1", "1", "global", "fake", "dist", {"DomainName": "d1.cloudfront.net"})
    zone = Resource("fake/z", "1", "global", "fake", "zone", {})
    out = Out()
    out.resource("AWS::Route53::RecordSet", {"AliasTarget": {"DNSName": Named("D1.cloudfront.net.")},
                                             "ResourceRecords": [Named("elsewhere.example.")]})
    out.block("aws_route53_record", {"records": [Named("d1.cloudfront.net")]})
    emitted = [Emitted(dist, Out(), []), Emitted(zone, out, [])]
    run.link_names(emitted)
    link = Link("fake/d1", "DomainName", "d1.cloudfront.net", "domain_name")
    assert out.cfn[0].properties == {"AliasTarget": {"DNSName": link}, "ResourceRecords": ["elsewhere.example."]}
    assert out.tf[0].body == {"records": [link]}


def test_the_summary_counts_every_resource_once_and_says_where_the_rest_is():
    r = Resource("s3/a", "1", "us-east-1", "s3", "bucket", {})
    cov = Coverage("cloudformation", "c" * 40, emitted=[Emitted(r, Out(), [("Replication", "why")])],
                   builtin=[(r, "default")], left_out=[(r, "no type")], objects={"s3/a": 4},
                   skipped_objects={"s3/a": [("k", "sealed")]}, secrets={"f" * 24: "SecretA"})
    assert cov.summary() == ("cloudformation: 1 of 3 resources emitted, 1 built in, 1 left out; 1 field not "
                             "emitted; 4 objects as artifacts, 1 not; 1 secret as NoEcho parameter (COVERAGE.md)")
    assert not cov.complete
    text = cov.markdown()
    for needle in ("## Left out", "| `s3/a` | s3 bucket | no type |", "  - `Replication`: why", "  - `k`: sealed",
                   "| `SecretA` | `ffffffffffffffffffffffff` |", "- `s3/a`: default"):
        assert needle in text


class _Store:
    def __init__(self, fail_at: str | None = None) -> None:
        self.fail_at = fail_at

    def iter_blob(self, blob: str):
        if blob == self.fail_at:
            raise OSError(28, "No space left on device")
        yield blob.encode()


class _Snap:
    def __init__(self, store: _Store) -> None:
        self.store = store


def test_a_failed_write_leaves_the_folder_as_it_was(tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    (out / "COVERAGE.md").write_text("old")
    gen = run.Generation(files={"COVERAGE.md": b"new", "cloudformation/t.yaml": b"x"},
                         blobs={"artifacts/bodies/aa/1": "one", "artifacts/bodies/bb/2": "two"})
    with pytest.raises(run.OutputError, match="nothing there was changed"):
        run.write_output(_Snap(_Store(fail_at="two")), gen, out, force=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary folder left
    assert sorted(p.name for p in out.iterdir()) == ["COVERAGE.md", "mine.txt"]
    assert (out / "COVERAGE.md").read_text() == "old"
    run.write_output(_Snap(_Store()), gen, out, force=True)
    assert (out / "COVERAGE.md").read_text() == "new" and (out / "mine.txt").read_text() == "keep"
    assert (out / "artifacts" / "bodies" / "bb" / "2").read_bytes() == b"two"


def test_a_folder_that_is_not_empty_is_refused_without_force(tmp_path: Path):
    (tmp_path / "x").write_text("")
    with pytest.raises(run.OutputError, match="--force"):
        run.check_output(tmp_path, force=False)
    with pytest.raises(run.OutputError, match="is a file"):
        run.check_output(tmp_path / "x", force=True)
    run.check_output(tmp_path / "new", force=False)


def test_a_function_links_only_the_newest_version_of_a_layer():
    """A layer's primary resource is its newest version: a function on an older version keeps
    the recorded ARN (a reference would move it to the newest: terraform plan showed it)."""
    arn = "arn:aws:lambda:us-east-1:1:layer:deps"
    layer = Resource("lambda/layer/deps", "1", "us-east-1", "lambda", "layer", {"Versions": [
        {"Version": v, "LayerVersionArn": f"{arn}:{v}", "Code": {"blob": "b" * 40}} for v in (1, 2)]})
    fn = Resource("lambda/f", "1", "us-east-1", "lambda", "function", {})
    out = Out()
    out.block("aws_lambda_function", {"layers": [Named(f"{arn}:1"), Named(f"{arn}:2")]})
    run.link_names([Emitted(layer, Out(), []), Emitted(fn, out, [])])
    assert out.tf[0].body["layers"] == [f"{arn}:1", Link("lambda/layer/deps", None, f"{arn}:2", "arn")]
