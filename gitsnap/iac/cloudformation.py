"""CloudFormation templates (YAML) from emitted resources: one set per account and region.

Templates go to ``cloudformation/<account>/<region>/template.yaml`` (``template-2.yaml``, ... when
one would pass a limit); ``global`` resources (IAM, Route 53, CloudFront) go with the account's
us-east-1 resources, where they are deployed anyway, so a distribution's origin bucket or a
function's role there is a ``!GetAtt``, not a copied value. A template stays within the service's limits: 500 resources, 200
parameters and 1,000,000 bytes of body (uploaded through S3 by ``aws cloudformation package``;
51,200 bytes is the inline limit, which ``package`` avoids). A snapshot resource's
CloudFormation resources are never split across templates.

Placeholders become CloudFormation: a :class:`~.model.Link` to an address emitted in the same
template is ``!Ref``/``!GetAtt``, else its recorded value; every redaction marker becomes a
``NoEcho`` parameter (``!Sub`` when it sits inside a longer string); an
:class:`~.spec.Artifact` is its path relative to the template, as ``aws cloudformation
package`` expects. Beside each template, ``<template>.import.json`` lists the resources to
adopt with an IMPORT change set. Pure: returns files, writes nothing.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

from .model import JsonEncode, Link, Named, Secret, camel, secret_hint, split_markers
from .spec import Artifact, Emitted

MAX_RESOURCES = 500
MAX_PARAMETERS = 200
MAX_BYTES = 1_000_000
GLOBAL_REGION = "us-east-1"  # where stacks of global resources are deployed
ROOT = "cloudformation"


@dataclass(frozen=True)
class Tagged:
    """A short-form intrinsic function: ``!Ref X``, ``!GetAtt X.Y``, ``!Sub '...'``."""

    tag: str
    value: str


class _Dumper(yaml.SafeDumper):
    """Block-style YAML with CloudFormation's short-form tags; keys in the order given."""

    def choose_scalar_style(self) -> str:
        # PyYAML quotes every scalar with an explicit tag ("!Ref 'Bucket'"); a logical id or
        # a plain attribute path reads as CloudFormation's own examples do, unquoted
        if self.event.tag in _SHORT_FORMS and not self.event.style:
            if self.analysis is None:
                self.analysis = self.analyze_scalar(self.event.value)
            if not self.analysis.multiline and self.analysis.allow_block_plain:
                return ""
        return super().choose_scalar_style()


_SHORT_FORMS = ("!Ref", "!GetAtt", "!Sub")
_Dumper.add_representer(Tagged, lambda d, t: d.represent_scalar(t.tag, t.value))
_Dumper.add_representer(dict, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items()))


def _str(dumper: yaml.SafeDumper, value: str) -> Any:
    # a multi-line string (inline code, a document) as a literal block; PyYAML falls back to a
    # quoted style by itself where a block cannot hold the value exactly
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


@dataclass
class Template:
    """One template being built: where it goes and what it holds."""

    account: str
    region: str  # where it is deployed (global resources are in us-east-1's)
    number: int
    items: list[Emitted] = field(default_factory=list)

    @property
    def path(self) -> str:
        name = "template.yaml" if self.number == 1 else f"template-{self.number}.yaml"
        return f"{ROOT}/{self.account}/{self.region}/{name}"

    @property
    def stack_name(self) -> str:
        suffix = "" if self.number == 1 else f"-{self.number}"
        return f"gitsnap-{self.account}-{self.region}{suffix}"


@dataclass
class Rendered:
    """The files of one generation, and what became parameters.

    Attributes:
        files: path under the output folder -> bytes.
        secrets: fingerprint -> the parameter name it became (the same in every template).
        templates: the templates, in deploy order (us-east-1, holding the global resources, first).
    """

    files: dict[str, bytes]
    secrets: dict[str, str]
    templates: list[Template]


def render(emitted: list[Emitted], revision: str, text_of: Callable[[str], str] | None = None) -> Rendered:
    """Every emitted resource as templates, a deploy script and import lists.

    Args:
        text_of: a blob id -> its text, for inline artifacts (a CloudFront function's code);
            without it they are written as paths.
    """
    names = _SecretNames()
    templates = _split(emitted)
    files: dict[str, bytes] = {}
    for t in templates:
        body, imports = _template(t, revision, names, text_of,
                                  len([x for x in templates if (x.account, x.region) == (t.account, t.region)]))
        files[t.path] = body
        if imports:
            files[t.path[: -len(".yaml")] + ".import.json"] = (json.dumps(imports, indent=2) + "\n").encode()
    files[f"{ROOT}/deploy.sh"] = _deploy_script(templates, names).encode()
    return Rendered(files, dict(names.by_fingerprint), templates)


# -- splitting ---------------------------------------------------------------------------------


def _groups(emitted: Iterable[Emitted]) -> dict[tuple[str, str], list[Emitted]]:
    groups: dict[tuple[str, str], list[Emitted]] = {}
    for e in emitted:
        if e.out.cfn:
            region = GLOBAL_REGION if e.resource.region == "global" else e.resource.region
            groups.setdefault((e.resource.account, region), []).append(e)
    for items in groups.values():  # global resources first: what the regional ones refer to
        items.sort(key=lambda e: e.resource.region != "global")
    # us-east-1 first: its stacks hold the global resources other regions refer to (roles, zones)
    return dict(sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] != GLOBAL_REGION, kv[0][1])))


def _weight(e: Emitted) -> tuple[int, set[str], int]:
    """(resources, parameter fingerprints, approximate bytes) one emitted resource adds to a template."""
    fingerprints: set[str] = set()
    size = 0
    for r in e.out.cfn:
        _collect_secrets(r.properties, fingerprints)
        size += len(json.dumps(r.properties, default=repr)) * 2 + 200  # YAML is wordier than JSON
    return len(e.out.cfn), fingerprints, size


def _split(emitted: list[Emitted]) -> list[Template]:
    """Templates per (account, region), each filled until the next resource would pass a limit.
    The byte estimate keeps a fifth in reserve; a test renders the biggest case and checks it."""
    templates: list[Template] = []
    for (account, region), items in _groups(emitted).items():
        current = Template(account, region, 1)
        count, fingerprints, size = 0, set[str](), 0
        for e in items:
            n, fps, b = _weight(e)
            if current.items and (count + n > MAX_RESOURCES or len(fingerprints | fps) > MAX_PARAMETERS
                                  or size + b > MAX_BYTES * 0.8):
                templates.append(current)
                current = Template(account, region, current.number + 1)
                count, fingerprints, size = 0, set(), 0
            current.items.append(e)
            count, size = count + n, size + b
            fingerprints |= fps
        templates.append(current)
    return templates


# -- one template ------------------------------------------------------------------------------


class _SecretNames:
    """Fingerprint -> parameter name, one name per value across every template."""

    def __init__(self) -> None:
        self.by_fingerprint: dict[str, str] = {}
        self._taken: set[str] = set()

    def name(self, fingerprint: str, hint: str) -> str:
        name = self.by_fingerprint.get(fingerprint)
        if name is None:
            base = camel("Secret", hint)[:240]
            name, n = base, 2
            while name in self._taken:
                name, n = f"{base}{n}", n + 1
            self._taken.add(name)
            self.by_fingerprint[fingerprint] = name
        return name


def _collect_secrets(value: Any, into: set[str]) -> None:
    if isinstance(value, str):
        into.update(p.fingerprint for p in split_markers(value) if isinstance(p, Secret))
    elif isinstance(value, Secret):
        into.add(value.fingerprint)
    elif isinstance(value, dict):
        for v in value.values():
            _collect_secrets(v, into)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _collect_secrets(v, into)
    elif isinstance(value, JsonEncode):
        _collect_secrets(value.value, into)


class _Resolver:
    """Placeholders of one template -> CloudFormation values."""

    def __init__(self, template: Template, logical: dict[str, str], names: _SecretNames,
                 text_of: Callable[[str], str] | None = None) -> None:
        self.template = template
        self.text_of = text_of
        self.logical = logical  # address -> logical id of its primary resource, in this template
        self.names = names
        self.parameters: dict[str, str] = {}  # parameter name -> fingerprint

    def value(self, value: Any, owner: str, path: tuple[str | int, ...] = ()) -> Any:
        if isinstance(value, Link):
            logical = self.logical.get(value.address)
            if logical is None:
                return self.value(value.literal, owner, path)
            return Tagged("!Ref", logical) if value.attr is None else Tagged("!GetAtt", f"{logical}.{value.attr}")
        if isinstance(value, Secret):
            return Tagged("!Ref", self._parameter(value.fingerprint, owner, path))
        if isinstance(value, JsonEncode):
            return self.value(value.value, owner, path)
        if isinstance(value, Named):  # not linked by the engine (rendered on its own): the name
            return self.value(value.value, owner, path)
        if isinstance(value, Artifact):
            if value.inline and self.text_of is not None:
                return self.value(self.text_of(value.blob), owner, path)
            return posixpath.relpath(f"artifacts/{value.path}", posixpath.dirname(self.template.path))
        if isinstance(value, str):
            pieces = split_markers(value)
            if len(pieces) == 1 and isinstance(pieces[0], str):
                return value
            if len(pieces) == 1:
                return Tagged("!Ref", self._parameter(pieces[0].fingerprint, owner, path))
            text = "".join(p.replace("${", "${!") if isinstance(p, str)
                           else "${" + self._parameter(p.fingerprint, owner, path) + "}" for p in pieces)
            return Tagged("!Sub", text)
        if isinstance(value, dict):
            return {k: self.value(v, owner, (*path, k)) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.value(v, owner, (*path, i)) for i, v in enumerate(value)]
        return value

    def _parameter(self, fingerprint: str, owner: str, path: tuple[str | int, ...]) -> str:
        name = self.names.name(fingerprint, secret_hint(owner, path))
        self.parameters[name] = fingerprint
        return name


def _logical_ids(template: Template) -> tuple[dict[int, list[str]], dict[str, str]]:
    """Unique logical ids per emitted resource (by index), and address -> its primary's id."""
    taken: set[str] = set()
    by_item: dict[int, list[str]] = {}
    primary: dict[str, str] = {}
    for i, e in enumerate(template.items):
        ids = []
        for r in e.out.cfn:
            base = camel(r.name or e.resource.address.rsplit("/", 1)[-1], r.type.rsplit("::", 1)[-1])[:200]
            logical, n = base, 2
            while logical in taken:
                logical, n = f"{base}{n}", n + 1
            taken.add(logical)
            ids.append(logical)
        by_item[i] = ids
        primary.setdefault(e.resource.address, ids[0])
    return by_item, primary


def _template(t: Template, revision: str, names: _SecretNames,
              text_of: Callable[[str], str] | None, parts: int) -> tuple[bytes, list[dict[str, Any]]]:
    by_item, logical = _logical_ids(t)
    resolver = _Resolver(t, logical, names, text_of)
    resources: dict[str, Any] = {}
    imports: list[dict[str, Any]] = []
    for i, e in enumerate(t.items):
        ids = by_item[i]
        hint_to_id = {r.name: ids[j] for j, r in enumerate(e.out.cfn) if r.name}
        for j, r in enumerate(e.out.cfn):
            owner = r.name or e.resource.address.rsplit("/", 1)[-1]
            entry: dict[str, Any] = {"Type": r.type}
            depends = [hint_to_id[d] for d in r.depends_on if d in hint_to_id]
            if depends:
                entry["DependsOn"] = depends
            entry["Metadata"] = {"gitsnap": {"address": e.resource.address}}
            if r.properties:
                entry["Properties"] = resolver.value(r.properties, owner)
            # what the stack would delete if it went away: keep it instead, as the estate did
            entry["DeletionPolicy"] = "Retain"
            entry["UpdateReplacePolicy"] = "Retain"
            resources[ids[j]] = entry
            if r.identifier:
                imports.append({"ResourceType": r.type, "LogicalResourceId": ids[j],
                                "ResourceIdentifier": r.identifier})
    part = "" if parts == 1 else f" (part {t.number} of {parts})"
    doc: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"gitsnap {revision[:12]}: account {t.account}, {t.region}{part}",
    }
    if resolver.parameters:
        doc["Parameters"] = {
            name: {"Type": "String", "NoEcho": True,
                   "Description": f"sealed value {fp} (gitsnap keeps it sealed; pass it with --parameter-overrides)"}
            for name, fp in sorted(resolver.parameters.items())}
    doc["Resources"] = resources
    text = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=120)
    header = (f"# Generated by gitsnap iac from snapshot {revision}.\n"
              f"# Deploy: ../../deploy.sh (aws cloudformation package + deploy), {t.region}.\n")
    return (header + text).encode(), imports


def _deploy_script(templates: list[Template], names: _SecretNames) -> str:
    lines = [
        "#!/bin/sh",
        "# Deploys every template in order (us-east-1 first: it holds the global resources), each",
        "# after `aws cloudformation package` uploaded its Lambda code. Set ARTIFACT_BUCKET to a bucket",
        "# you own (in each region you deploy to), and pass every NoEcho parameter:",
        "# PARAMETERS='Name=value ...'. Run it once per account, with that account's credentials.",
        "# To adopt resources that exist instead of creating them, use each template's",
        "# .import.json with `aws cloudformation create-change-set --change-set-type IMPORT`.",
        "set -eu",
        'cd "$(dirname "$0")"',
        ': "${ARTIFACT_BUCKET:?set ARTIFACT_BUCKET to a bucket for the packaged artifacts}"',
    ]
    for t in templates:
        rel = t.path[len(ROOT) + 1:]
        packaged = rel[: -len(".yaml")] + ".packaged.yaml"
        lines += [
            f"aws cloudformation package --region {t.region} --template-file {rel} "
            f'--s3-bucket "$ARTIFACT_BUCKET" --output-template-file {packaged}',
            f"aws cloudformation deploy --region {t.region} --template-file {packaged} "
            f"--stack-name {t.stack_name} --capabilities CAPABILITY_NAMED_IAM "
            "${PARAMETERS:+--parameter-overrides $PARAMETERS}",
        ]
    lines.append("echo 'Stacks deployed. Upload S3 objects with ../artifacts/upload-s3.sh'")
    return "\n".join(lines) + "\n"
