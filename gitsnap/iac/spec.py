"""What one resource type becomes in each format: :class:`IacSpec`, and what a builder emits.

A service module (``aws/<service>.py``) declares ``SPECS``: one :class:`IacSpec` per type it
can say anything about. Each spec has a builder per format: a pure function given the
:class:`~.model.Resource`, a :class:`~.model.Fields` over its document and an :class:`Out`,
which it fills with CloudFormation resources or Terraform blocks. A builder that finds a
resource it cannot emit raises :class:`LeftOut` with the reason; one with nothing to create
(a default event bus) raises :class:`Builtin`. Fields it does not read are listed for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .model import Fields, Resource

CLOUDFORMATION = "cloudformation"
TERRAFORM = "terraform"
FORMATS = (CLOUDFORMATION, TERRAFORM)


class LeftOut(Exception):
    """This resource cannot be emitted in this format; the message says why."""


class Builtin(Exception):
    """This resource exists in every account (a default bus, the default group): nothing to
    create, so it is listed as built in, not as left out."""


@dataclass(frozen=True)
class Artifact:
    """A body written beside the code: ``path`` under the output's ``artifacts/`` folder.

    ``inline``: the property takes the text itself (a CloudFront function's code), not a path
    ``aws cloudformation package`` uploads: CloudFormation gets the text, Terraform ``file(...)``.
    """

    blob: str
    path: str
    size: int | None = None
    inline: bool = False


@dataclass
class CfnResource:
    """One CloudFormation resource. ``name`` is a hint the writer makes a unique logical id of
    (the resource's own name by default); ``identifier`` is its ``ResourceIdentifier`` for an
    IMPORT change set, when the type can be imported."""

    type: str
    properties: dict[str, Any]
    name: str = ""
    identifier: dict[str, Any] | None = None
    depends_on: list[str] = field(default_factory=list)  # names (hints) of this resource's others


@dataclass
class TfBlock:
    """One Terraform ``resource`` block and the id ``terraform import`` adopts it by."""

    type: str
    body: dict[str, Any]
    name: str = ""
    import_id: str | None = None


@dataclass
class Out:
    """What a builder emits for one resource: resources/blocks and artifacts, in order.
    The first CloudFormation resource (or Terraform block) is the resource's primary one:
    the one a :class:`~.model.Link` to its address refers to."""

    cfn: list[CfnResource] = field(default_factory=list)
    tf: list[TfBlock] = field(default_factory=list)
    artifacts: list[Artifact] = field(default_factory=list)

    def resource(self, type_: str, properties: dict[str, Any], name: str = "", *,
                 identifier: dict[str, Any] | None = None, depends_on: list[str] | None = None) -> None:
        """Add a CloudFormation resource; properties whose value is None, {} or [] are left out."""
        self.cfn.append(CfnResource(type_, prune(properties), name, identifier, list(depends_on or [])))

    def block(self, type_: str, body: dict[str, Any], name: str = "", *, import_id: str | None = None) -> None:
        """Add a Terraform resource block; attributes whose value is None, {} or [] are left out."""
        self.tf.append(TfBlock(type_, prune(body), name, import_id))

    def artifact(self, blob: str, path: str, size: int | None = None, *, inline: bool = False) -> Artifact:
        """A body the output must carry (a Lambda zip): written under ``artifacts/<path>``;
        *inline* when the property takes its text rather than its path."""
        art = Artifact(blob, path, size, inline)
        self.artifacts.append(art)
        return art


def prune(value: Any) -> Any:
    """Drop None, empty maps and empty lists from dicts, recursively (a property left unset)."""
    if isinstance(value, dict):
        pruned = {k: prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v is not None and v != {} and v != []}
    if isinstance(value, list):
        return [prune(v) for v in value]
    return value


Builder = Callable[[Resource, Fields, Out], None]


@dataclass(frozen=True)
class Provides:
    """A value of a type's documents that other resources name it by: ``field`` (a dotted path
    in the document), and the link that replaces the name (``attr`` for CloudFormation,
    ``tf_attr`` for Terraform). A distribution provides ``DomainName``: a record that names
    ``d123.cloudfront.net`` gets ``!GetAtt Distribution.DomainName``."""

    field: str
    attr: str | None
    tf_attr: str
    value: Callable[[dict[str, Any]], str | None] | None = None  # instead of field, when a path cannot say it


@dataclass(frozen=True)
class IacSpec:
    """One resource type in both formats.

    Attributes:
        cloudformation / terraform: the builders; None when the format has no such type.
        why_not: the reason per format when its builder is None (shown in COVERAGE.md).
        cfn_types / tf_types: the types the builders can emit (checked by the registry test).
        tf_no_import: Terraform types with no import id to give: the AWS provider cannot import
            them, or the id is not in a snapshot (a subscription's ARN, a secret's version id).
        provides: values other resources name this one by (:class:`Provides`).
    """

    cloudformation: Builder | None = None
    terraform: Builder | None = None
    why_not: dict[str, str] = field(default_factory=dict)
    cfn_types: tuple[str, ...] = ()
    tf_types: tuple[str, ...] = ()
    tf_no_import: tuple[str, ...] = ()
    provides: tuple[Provides, ...] = ()

    def builder(self, fmt: str) -> Builder | None:
        return self.cloudformation if fmt == CLOUDFORMATION else self.terraform


@dataclass
class Emitted:
    """One resource and what its builder emitted in one format, with the fields it did not use."""

    resource: Resource
    out: Out
    unused: list[tuple[str, str]]  # (field path, why it was not emitted)
