"""The Terraform writer: emitted blocks -> a folder of ``.tf`` files that adopts the estate.

Output, under ``terraform/`` (paths relative to the generation's output folder):

- ``versions.tf``: Terraform >= 1.5 (``import`` blocks) and the AWS provider >= 5 (or the newer
  version a value needs, ``NEWER_PROVIDER``: a 1 MiB SQS message size needs 6.8.0).
- ``providers.tf``: one ``provider "aws"`` per (account, region) used (``global`` resources
  live in us-east-1). The most used one is the default; the others get an alias (the region,
  or ``a<account>_<region>`` when there are several accounts) that their resources and imports
  name. Every provider pins ``allowed_account_ids`` so a plan cannot run against the wrong account.
- ``<service>.tf``: the ``resource`` blocks of one service, each after a ``# <address>`` comment.
- ``imports.tf``: one ``import`` block per resource block that has an import id, apart from
  the resources so it can be deleted after the first apply.
- ``variables.tf`` + ``terraform.tfvars.example``: one ``sensitive`` variable per sealed value
  (redaction marker) found anywhere in a body; the files name it and its resource, never a value.

Placeholders are resolved here: a :class:`~.model.Link` becomes a reference to the linked
address's primary block when it is emitted (else its literal), a redaction marker becomes
``var.<name>`` (interpolated inside a longer string), :class:`~.model.JsonEncode` becomes
``jsonencode(...)`` and an :class:`~.spec.Artifact` a path under ``../artifacts/``. Resources
are laid out by address, their blocks in emission order, so the output is deterministic. Pure.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from . import hcl
from .model import Block, JsonEncode, Link, Secret, has_marker, secret_hint, snake, split_markers
from .spec import Artifact, Emitted, TfBlock

FOLDER = "terraform"
GLOBAL_REGION = "us-east-1"  # where `global` resources (IAM, CloudFront, Route 53) are managed
REQUIRED_VERSION = ">= 1.5.0"  # import blocks
AWS_PROVIDER = {"source": "hashicorp/aws", "version": ">= 5.0"}
# Values only a newer AWS provider accepts, as (block type, argument, largest value the oldest
# accepts, the version that accepts more). An older provider refuses the whole configuration at
# plan time, so versions.tf asks for the newer one when an estate holds such a value: SQS's
# maximum message size went from 256 KiB to 1 MiB (AWS, 2025-08; the provider from 6.8.0 on,
# hashicorp/terraform-provider-aws#43710), and a queue created since has 1 MiB by default.
NEWER_PROVIDER = (("aws_sqs_queue", "max_message_size", 262144, "6.8.0"),)
_FIXED_FILES = {"versions", "providers", "imports", "variables"}


@dataclass(frozen=True)
class Variable:
    """A sensitive variable standing for one sealed value.

    Attributes:
        name: the variable's name (``var.<name>``).
        fingerprint: the sealed value's id (the 24 hex digits of its redaction marker).
        addresses: the gitsnap addresses whose bodies use it, sorted.
    """

    name: str
    fingerprint: str
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class Rendered:
    """One Terraform generation.

    Attributes:
        files: path relative to the output folder (``terraform/s3.tf``) -> file bytes.
        variables: the sensitive variables made of sealed values, in the order they appear.
        blocks: gitsnap address -> the Terraform addresses emitted for it
            (``["aws_s3_bucket.shop_prod", ...]``), primary first.
    """

    files: dict[str, bytes]
    variables: list[Variable]
    blocks: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class _Placed:
    """A block with its place in the output: its Terraform address and its provider alias."""

    emitted: Emitted
    block: TfBlock
    ref: str
    alias: str | None


@dataclass
class _Var:
    name: str
    addresses: list[str]


def render(emitted: list[Emitted], revision: str) -> Rendered:
    """The Terraform files for *emitted* (each resource's builder output), generated from *revision*.

    Args:
        emitted: what the Terraform builders emitted, one entry per resource (entries with no
            block are skipped).
        revision: the revision the snapshot was read at, named in the files' headers and in
            the variables' descriptions.

    Returns:
        The files (relative to the output folder) and the variables made of sealed values.
    """
    return _Writer(emitted, revision).render()


def _unset_dropped(body: dict[str, Any]) -> dict[str, Any]:
    """A block body without the arguments left unset (None, {} or []): ``Out.block`` prunes its
    top level only, not a nested :class:`~.model.Block`, and a Link's literal may be None."""
    return {k: v for k, v in body.items() if v is not None and v != {} and v != []}


def _above(value: Any, largest: int) -> bool:
    """Whether an argument's value is a number above *largest* (a reference or text is not)."""
    try:
        return not isinstance(value, bool) and int(value) > largest
    except (TypeError, ValueError):
        return False


def region_of(region: str) -> str:
    """The provider region a resource is managed in: ``global`` ones in us-east-1."""
    return GLOBAL_REGION if region in ("", "global") else region


class _Writer:
    def __init__(self, emitted: list[Emitted], revision: str) -> None:
        self.revision = revision
        self.items = sorted((e for e in emitted if e.out.tf), key=lambda e: e.resource.address)
        self.aliases = self._providers()
        self.placed = self._place()
        self.primary: dict[str, str] = {}
        for p in self.placed:
            self.primary.setdefault(p.emitted.resource.address, p.ref)
        self.edges: dict[str, set[str]] = {}
        self.vars: dict[str, _Var] = {}

    # -- layout ------------------------------------------------------------------------------

    def _providers(self) -> dict[tuple[str, str], str | None]:
        """(account, region) -> provider alias; None for the default (the most used) one."""
        counts = Counter((e.resource.account, region_of(e.resource.region)) for e in self.items for _ in e.out.tf)
        if not counts:
            return {}
        default = min(counts, key=lambda k: (-counts[k], k))
        several = len({account for account, _ in counts}) > 1
        return {key: None if key == default else snake(f"a{key[0]}_{key[1]}" if several else key[1])
                for key in sorted(counts)}

    def _place(self) -> list[_Placed]:
        """Every block with a name unique for its type (``_2``, ``_3`` after a collision)."""
        used: dict[str, set[str]] = {}
        placed = []
        for e in self.items:
            r = e.resource
            alias = self.aliases[(r.account, region_of(r.region))]
            for b in e.out.tf:
                taken = used.setdefault(b.type, set())
                base = snake(b.name or r.address.rsplit("/", 1)[-1])
                name, n = base, 1
                while name in taken:
                    n += 1
                    name = f"{base}_{n}"
                taken.add(name)
                placed.append(_Placed(e, b, f"{b.type}.{name}", alias))
        return placed

    # -- placeholders ------------------------------------------------------------------------

    def _reaches(self, start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            at = todo.pop()
            if at == goal:
                return True
            if at not in seen:
                seen.add(at)
                todo.extend(self.edges.get(at, ()))
        return False

    def _link(self, link: Link, p: _Placed, path: tuple[str | int, ...]) -> Any:
        """A reference to the linked primary block; its literal when it is not emitted or when a
        reference would close a cycle (Terraform refuses those)."""
        target = self.primary.get(link.address)
        if target is None or self._reaches(target, p.ref):
            return self._resolve(link.literal, p, path)
        self.edges.setdefault(p.ref, set()).add(target)
        return hcl.Expr(f"{target}.{link.tf_attr}" if link.tf_attr else target)

    def _secret(self, secret: Secret, p: _Placed, path: tuple[str | int, ...]) -> hcl.Expr:
        address = p.emitted.resource.address
        var = self.vars.get(secret.fingerprint)
        if var is None:
            owner = p.block.name or address.rsplit("/", 1)[-1]
            base = snake(secret.name or secret_hint(owner, path))
            taken = {v.name for v in self.vars.values()}
            name, n = base, 1
            while name in taken:
                n += 1
                name = f"{base}_{n}"
            var = self.vars[secret.fingerprint] = _Var(name, [])
        if address not in var.addresses:
            var.addresses.append(address)
        return hcl.Expr(f"var.{var.name}")

    def _string(self, text: str, p: _Placed, path: tuple[str | int, ...]) -> Any:
        if not has_marker(text):
            return text
        return hcl.template(self._secret(piece, p, path) if isinstance(piece, Secret) else piece
                            for piece in split_markers(text))

    def _resolve(self, value: Any, p: _Placed, path: tuple[str | int, ...]) -> Any:
        """*value* with every placeholder made HCL (references, variables, calls, paths)."""
        if isinstance(value, Link):
            return self._link(value, p, path)
        if isinstance(value, Secret):
            return self._secret(value, p, path)
        if isinstance(value, str):
            return self._string(value, p, path)
        if isinstance(value, JsonEncode):
            return hcl.Call("jsonencode", self._resolve(value.value, p, path))
        if isinstance(value, Artifact):
            path = hcl.template([hcl.Expr("path.module"), f"/../artifacts/{value.path}"])
            return hcl.Call("file", path) if value.inline else path
        if isinstance(value, Block):
            return Block(_unset_dropped(self._resolve(value.body, p, path)))
        if isinstance(value, dict):
            return {k: self._resolve(v, p, (*path, k)) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self._resolve(v, p, (*path, i)) for i, v in enumerate(value)]
        return value

    # -- files -------------------------------------------------------------------------------

    def render(self) -> Rendered:
        services: dict[str, list[str]] = {}
        imports: list[str] = []
        blocks: dict[str, list[str]] = {}
        for p in self.placed:
            r = p.emitted.resource
            body = _unset_dropped(self._resolve(p.block.body, p, ()))
            if p.alias:
                body = {"provider": hcl.Expr(f"aws.{p.alias}"), **body}
            type_, name = p.ref.split(".", 1)
            services.setdefault(r.service, []).append(hcl.block("resource", (type_, name), body, comment_text=r.address))
            blocks.setdefault(r.address, []).append(p.ref)
            if p.block.import_id is not None:
                imp = {"to": hcl.Expr(p.ref), "id": self._resolve(p.block.import_id, p, ("id",))}
                if p.alias:
                    imp["provider"] = hcl.Expr(f"aws.{p.alias}")
                imports.append(hcl.block("import", (), imp, comment_text=r.address))

        files = {"versions.tf": self._versions()}
        if self.aliases:
            files["providers.tf"] = self._providers_tf()
        for service in sorted(services):
            stem = f"{service}_resources" if service in _FIXED_FILES else service
            files[f"{stem}.tf"] = hcl.document(services[service], header=self._header(
                f"{service} resources as they were at that revision."))
        if imports:
            files["imports.tf"] = hcl.document(imports, header=self._header(
                "Import blocks (Terraform >= 1.5): the first plan/apply adopts the existing resources instead "
                "of creating them. Delete this file after the first apply."))
        variables = [Variable(v.name, fp, tuple(sorted(v.addresses))) for fp, v in self.vars.items()]
        if variables:
            files["variables.tf"] = self._variables_tf(variables)
            files["terraform.tfvars.example"] = hcl.comment(self._header(
                "Copy to terraform.tfvars and fill in the sealed values (or set TF_VAR_<name>); "
                "never commit the filled-in file.")) + "\n" + hcl.attributes({v.name: "" for v in variables})
        return Rendered({f"{FOLDER}/{path}": text.encode("utf-8") for path, text in files.items()},
                        variables, blocks)

    def _header(self, what: str) -> str:
        revision = " ".join(self.revision.split())
        return f"Generated by gitsnap from revision {revision}.\n" + "\n".join(textwrap.wrap(what, 96))

    def _provider_version(self) -> str:
        """AWS_PROVIDER's version, or a newer minimum when a block holds a value only that accepts."""
        newer = [version for p in self.placed for type_, argument, largest, version in NEWER_PROVIDER
                 if p.block.type == type_ and _above(p.block.body.get(argument), largest)]
        if not newer:
            return AWS_PROVIDER["version"]
        return ">= " + max(newer, key=lambda v: tuple(int(n) for n in v.split(".")))

    def _versions(self) -> str:
        aws = {**AWS_PROVIDER, "version": self._provider_version()}
        body = {"required_version": REQUIRED_VERSION, "required_providers": Block({"aws": aws})}
        return hcl.document([hcl.block("terraform", (), body)], header=self._header("Terraform and provider versions."))

    def _providers_tf(self) -> str:
        parts = []
        for (account, region), alias in sorted(self.aliases.items(), key=lambda kv: (kv[1] is not None, kv[0])):
            body: dict[str, Any] = {"alias": alias} if alias else {}
            body["region"] = region
            if account:
                body["allowed_account_ids"] = [account]
            parts.append(hcl.block("provider", ("aws",), body))
        several = len({account for account, _ in self.aliases}) > 1
        note = ("Each provider needs credentials for its own account (a profile or assume_role); "
                "allowed_account_ids stops a plan against the wrong one."
                if several else "allowed_account_ids stops a plan against the wrong account.")
        return hcl.document(parts, header=self._header(note))

    def _variables_tf(self, variables: list[Variable]) -> str:
        parts = []
        for v in variables:
            where = ", ".join(v.addresses)
            description = (f"Sealed value {v.fingerprint} of {where} "
                           f"(gitsnap show {' '.join(self.revision.split())} {v.addresses[0]} --reveal prints it)")
            parts.append(hcl.block("variable", (v.name,), {
                "description": description, "type": hcl.Expr("string"), "sensitive": True}))
        return hcl.document(parts, header=self._header(
            "Values the snapshot sealed: set them in terraform.tfvars (see terraform.tfvars.example) or "
            "TF_VAR_<name>."))
