"""The IaC tests' inputs: each registered type's example as the document a snapshot stores.

``example_resource(service, type)`` runs the example's raw API shape (tests/examples) through
the type's transform and the capture's normalize step (secrets fingerprinted, as in a real
snapshot), and wraps it as the :class:`gitsnap.iac.model.Resource` a builder is given.
"""

from __future__ import annotations

from typing import Any

from gitsnap.canonical import plain
from gitsnap.collectors import registry
from gitsnap.collectors.run import Collected
from gitsnap.collectors.spec import Extras
from gitsnap.config import Config
from gitsnap.engine import finish_document, make_guard
from gitsnap.iac.model import Resource
from gitsnap.secrets.fingerprint import Fingerprinter
from tests import examples

ACCOUNT = "123456789012"


def example_document(service: str, type_: str, raw: dict[str, Any] | None = None) -> dict[str, Any]:
    """The stored document of the type's example (or of *raw*, in the same API shape)."""
    spec = next(t for t in registry.types_of(service) if t.type == type_)
    raw = raw if raw is not None else examples.ALL[(service, type_)].raw
    config = Config(path=None)
    doc, _ = finish_document(Collected(spec, spec.id(raw), plain(spec.transform(raw)), Extras()), config,
                             make_guard(config, Fingerprinter(b"k" * 32)), spec.address(spec.id(raw)))
    return doc


def example_resource(service: str, type_: str, raw: dict[str, Any] | None = None,
                     region: str = "us-east-1", files: dict[str, str] | None = None) -> Resource:
    spec = next(t for t in registry.types_of(service) if t.type == type_)
    raw = raw if raw is not None else examples.ALL[(service, type_)].raw
    doc = example_document(service, type_, raw)
    return Resource(spec.address(spec.id(raw)), ACCOUNT, "global" if spec.scope == "global" else region,
                    service, type_, doc, files or {})


def emitted(service: str, type_: str, fmt: str = "cloudformation", **kwargs: Any) -> Any:
    """The type's example through its builder for *fmt*: an :class:`gitsnap.iac.spec.Emitted`."""
    from gitsnap.iac import registry
    from gitsnap.iac.model import Fields
    from gitsnap.iac.spec import Emitted, Out

    resource = example_resource(service, type_, **kwargs)
    builder = registry.spec_for(service, type_).builder(fmt)
    fields, out = Fields(resource.doc), Out()
    builder(resource, fields, out)
    return Emitted(resource, out, fields.unused())


def cfn_lint_errors(template: bytes | str, region: str = "us-east-1") -> list[str]:
    """cfn-lint's errors (not warnings) for one template, as 'rule: message' lines."""
    from cfnlint.api import ManualArgs, lint

    text = template.decode() if isinstance(template, bytes) else template
    matches = lint(text, config=ManualArgs(regions=[region]))
    return [f"{m.rule.id}: {m.message} ({m.path_string})" for m in matches if m.rule.id.startswith("E")]
