"""One generation: a snapshot's resources through their specs, into an output folder.

``generate`` reads the snapshot (no cloud call), runs each selected resource's builder for the
format, and asks the writer for the files; ``write_output`` puts them in the folder all at
once: everything is written into a temporary folder beside it first, so a failure leaves the
folder as it was, and ``--force`` replaces only what gitsnap generates there.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..addresses import check_patterns, matches
from ..errors import UsageError
from ..layout import OBJECT_INDEX, load_index
from ..store.snapshot import Snapshot, is_document
from . import artifacts, registry
from .coverage import Coverage
from .model import Block, Fields, JsonEncode, Link, Named, Resource, name_key
from .spec import CLOUDFORMATION, TERRAFORM, Builtin, Emitted, LeftOut, Out

COVERAGE = "COVERAGE.md"
README = "README.md"
ARTIFACTS = "artifacts"
# what a generation writes at the top of its folder: --force replaces these and nothing else
GENERATED = ("cloudformation", "terraform", ARTIFACTS, COVERAGE, README)


class OutputError(UsageError):
    """The output folder cannot be used (not empty without --force, a file, not writable)."""


@dataclass
class Generation:
    """What one ``gitsnap iac`` produced: its files, the bodies to copy, and its coverage.

    Attributes:
        files: path under the output folder -> bytes.
        blobs: path under the output folder -> git blob id whose bytes go there (bodies).
        coverage: what was emitted, built in or left out, and why.
    """

    files: dict[str, bytes] = field(default_factory=dict)
    blobs: dict[str, str] = field(default_factory=dict)
    coverage: Coverage = field(default_factory=lambda: Coverage("", ""))


def selected(snapshot: Snapshot, only: tuple[str, ...], rev: str) -> list[str]:
    """The addresses ``--only`` selects (every one when empty); a pattern matching nothing is an error."""
    check_patterns(only, snapshot.resources, rev, f"gitsnap show {rev}")
    return sorted(a for a in snapshot.resources if not only or any(matches(a, p) for p in only))


def resource_of(snapshot: Snapshot, address: str) -> Resource | None:
    meta = snapshot.resources[address]
    files = snapshot.resource_files(address)
    doc_blob = next((b for rel, b in files.items() if is_document(rel)), None)
    doc = snapshot.read_json(doc_blob) if doc_blob else None
    if not isinstance(doc, dict):
        return None
    return Resource(address, meta.get("account", ""), meta.get("region", "global"), meta.get("service", ""),
                    meta.get("type", ""), doc, {rel: b for rel, b in files.items() if not is_document(rel)})


def build(resource: Resource, fmt: str) -> Emitted | tuple[str, str]:
    """One resource through its spec: an :class:`Emitted`, or ("left out"|"built in", why)."""
    spec = registry.spec_for(resource.service, resource.type)
    if spec is None:
        return "left out", registry.why_none(resource.service, resource.type)
    builder = spec.builder(fmt)
    if builder is None:
        return "left out", spec.why_not.get(fmt, f"{fmt} has no type for {resource.service} {resource.type}")
    fields, out = Fields(resource.doc), Out()
    try:
        builder(resource, fields, out)
    except LeftOut as exc:
        return "left out", str(exc)
    except Builtin as exc:
        return "built in", str(exc)
    if not out.cfn and not out.tf:
        return "left out", "nothing to emit"
    unused = fields.unused()
    if fmt == TERRAFORM:  # a block terraform cannot adopt: apply would try to create what exists
        unused += [(f"<{b.type}>", f"no import id for {b.type} (the provider cannot import it, or the snapshot "
                                   "lacks its id): `terraform apply` creates it, which fails or duplicates while "
                                   "it exists")
                   for b in out.tf if not b.import_id]
    return Emitted(resource, out, unused)


def link_names(emitted: list[Emitted]) -> None:
    """Every :class:`~.model.Named` value a builder emitted, as a link to the emitted resource
    that provides that name (``IacSpec.provides``), or as the plain value when none does."""
    provided: dict[str, Link] = {}
    for e in emitted:
        spec = registry.spec_for(e.resource.service, e.resource.type)
        for p in spec.provides if spec else ():
            value = p.value(e.resource.doc) if p.value else Fields(e.resource.doc).get_quiet(p.field)
            if isinstance(value, str) and value:
                provided.setdefault(name_key(value), Link(e.resource.address, p.attr, value, p.tf_attr))

    def resolve(value: Any) -> Any:
        if isinstance(value, Named):
            return provided.get(name_key(value.value), value.value)
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [resolve(v) for v in value]
        if isinstance(value, Block):
            return Block(resolve(value.body))
        if isinstance(value, JsonEncode):
            return JsonEncode(resolve(value.value))
        return value

    for e in emitted:
        for r in e.out.cfn:
            r.properties = resolve(r.properties)
        for b in e.out.tf:
            b.body = resolve(b.body)


def generate(snapshot: Snapshot, commit: str, rev: str, fmt: str, only: tuple[str, ...] = ()) -> Generation:
    """Every selected resource of *snapshot* as *fmt* files (pure but for reading the snapshot)."""
    coverage = Coverage(fmt, commit)
    gen = Generation(coverage=coverage)
    bodies = artifacts.Bodies()
    for address in selected(snapshot, only, rev):
        resource = resource_of(snapshot, address)
        if resource is None:  # listed, never skipped: what the output lacks is in COVERAGE.md
            meta = snapshot.resources[address]
            coverage.left_out.append((Resource(address, meta.get("account", ""), meta.get("region", "global"),
                                               meta.get("service", ""), meta.get("type", ""), {}),
                                      "the snapshot holds no document for it"))
            continue
        result = build(resource, fmt)
        if isinstance(result, tuple):
            (coverage.builtin if result[0] == "built in" else coverage.left_out).append((resource, result[1]))
            continue
        coverage.emitted.append(result)
        for art in result.out.artifacts:
            gen.blobs[f"{ARTIFACTS}/{art.path}"] = art.blob
        index = resource.files.get(OBJECT_INDEX)
        if index is not None:
            artifacts.plan_bucket(bodies, resource, load_index(snapshot.read(index)))
    link_names(coverage.emitted)
    if fmt == CLOUDFORMATION:
        from . import cloudformation

        rendered = cloudformation.render(coverage.emitted, commit,
                                         lambda blob: snapshot.read(blob).decode("utf-8", "replace"))
        gen.files.update(rendered.files)
        coverage.secrets = rendered.secrets
    elif fmt == TERRAFORM:
        from . import terraform

        rendered_tf = terraform.render(coverage.emitted, commit)
        gen.files.update(rendered_tf.files)
        coverage.secrets = {v.fingerprint: v.name for v in rendered_tf.variables}
    for path, blob in bodies.files.items():
        gen.blobs[f"{ARTIFACTS}/{path}"] = blob
    if bodies.script:
        gen.files[f"{ARTIFACTS}/{artifacts.UPLOAD_SCRIPT}"] = artifacts.script_text(bodies.script).encode()
    coverage.objects = bodies.objects
    coverage.skipped_objects = bodies.skipped
    gen.files[COVERAGE] = coverage.markdown().encode()
    gen.files[README] = readme(fmt, rev, commit).encode()
    return gen


def readme(fmt: str, rev: str, commit: str) -> str:
    how = {
        CLOUDFORMATION: [
            "1. Deploy: `ARTIFACT_BUCKET=<a bucket of yours> PARAMETERS='SecretX=... ' cloudformation/deploy.sh`",
            "   (`aws cloudformation package` uploads Lambda code from `artifacts/`, then `deploy` creates",
            "   one stack per template, global resources first, in us-east-1).",
            "   To adopt resources that still exist instead, create an IMPORT change set with each",
            "   template's `.import.json`.",
            "2. Put the S3 objects back: `artifacts/upload-s3.sh`.",
        ],
        TERRAFORM: [
            "1. `cd terraform && terraform init`; copy `terraform.tfvars.example` to `terraform.tfvars`",
            "   and fill in the sensitive values (they are sealed in the snapshot, not written here).",
            "2. `terraform plan`: the `import {}` blocks in `imports.tf` adopt the resources that exist",
            "   (Terraform >= 1.5 or OpenTofu); delete `imports.tf` after the first apply.",
            "3. S3 objects: `artifacts/upload-s3.sh` puts them back if a bucket was recreated.",
        ],
    }[fmt]
    return "\n".join([f"# {fmt} from gitsnap snapshot {rev} ({commit[:12]})", "",
                      "Generated by `gitsnap iac`. What could not be expressed is listed in COVERAGE.md.", "",
                      *how, ""])


def check_output(out: Path, force: bool) -> None:
    """Refuse a folder that holds anything unless *force* (then only generated entries are replaced)."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out} is a file: name a folder (new or empty)")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise OutputError(f"--out {out} is not empty: name a new or empty folder, or add --force to replace "
                          f"what gitsnap generated there ({', '.join(GENERATED)})")


def write_output(snapshot: Snapshot, gen: Generation, out: Path, force: bool) -> None:
    """Write *gen* into *out* at once: built in a temporary folder beside it, then moved in."""
    check_output(out, force)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.gitsnap-{os.getpid()}"
    old = out.parent / f".{out.name}.gitsnap-old-{os.getpid()}"
    try:
        tmp.mkdir()
        for rel, data in gen.files.items():
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            if rel.endswith(".sh"):
                target.chmod(0o755)
        for rel, blob in gen.blobs.items():
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as f:
                for chunk in snapshot.store.iter_blob(blob):
                    f.write(chunk)
        out.mkdir(exist_ok=True)
        old.mkdir()
        for name in GENERATED:  # swap each generated entry: the old one aside, the new one in
            if (out / name).exists():
                (out / name).rename(old / name)
            if (tmp / name).exists():
                (tmp / name).rename(out / name)
    except OSError as exc:
        _undo(out, old)
        raise OutputError(f"cannot write {out}: {exc.strerror or exc}; nothing there was changed") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)


def _undo(out: Path, old: Path) -> None:
    """Put the generated entries back as they were before the swap began."""
    if not old.is_dir():
        return
    for name in GENERATED:
        target = out / name
        if target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        elif target.exists():
            target.unlink()
        if (old / name).exists():
            (old / name).rename(target)


def run(snapshot: Snapshot, commit: str, rev: str, fmt: str, out: Path, only: tuple[str, ...], force: bool) -> Coverage:
    """Generate, then write (write_output checks the folder); the coverage says what was left out."""
    gen = generate(snapshot, commit, rev, fmt, only)
    write_output(snapshot, gen, out, force)
    return gen.coverage

