"""COVERAGE.md and the summary line: every selected resource emitted or listed with why not.

Nothing is dropped silently: a resource is *emitted*, *built in* (it exists in every account,
nothing to create) or *left out* with the reason; every document field an emitted resource's
builder did not use is listed with it; every S3 object whose body was not written is listed;
every secret that became a parameter or variable is named (by its sealed value id, never the
value). Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..words import plural
from .model import Resource
from .spec import Emitted


@dataclass
class Coverage:
    """The outcome of one generation, resource by resource."""

    fmt: str
    revision: str
    emitted: list[Emitted] = field(default_factory=list)
    builtin: list[tuple[Resource, str]] = field(default_factory=list)
    left_out: list[tuple[Resource, str]] = field(default_factory=list)
    objects: dict[str, int] = field(default_factory=dict)  # bucket address -> objects written
    skipped_objects: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)  # fingerprint -> parameter/variable name

    @property
    def fields_left_out(self) -> int:
        return sum(len(e.unused) for e in self.emitted)

    @property
    def objects_left_out(self) -> int:
        return sum(len(v) for v in self.skipped_objects.values())

    @property
    def complete(self) -> bool:
        """Whether everything selected is in the output (built-in resources need nothing)."""
        return not self.left_out and not self.fields_left_out and not self.objects_left_out

    def summary(self) -> str:
        """One line: ``cloudformation: 41 of 44 resources emitted, 1 built in, 2 left out; ...``."""
        total = len(self.emitted) + len(self.builtin) + len(self.left_out)
        parts = [f"{self.fmt}: {len(self.emitted)} of {total} resources emitted"]
        if self.builtin:
            parts.append(f"{len(self.builtin)} built in")
        parts.append(f"{len(self.left_out)} left out")
        text = ", ".join(parts)
        text += f"; {plural(self.fields_left_out, 'field')} not emitted"
        written = sum(self.objects.values())
        if written or self.objects_left_out:
            text += f"; {plural(written, 'object')} as artifacts"
            if self.objects_left_out:
                text += f", {self.objects_left_out} not"
        if self.secrets:
            kind = ("NoEcho parameter", "NoEcho parameters") if self.fmt == "cloudformation" else \
                ("sensitive variable", "sensitive variables")
            text += f"; {plural(len(self.secrets), 'secret')} as {kind[len(self.secrets) != 1]}"
        return text + " (COVERAGE.md)"

    def markdown(self) -> str:
        lines = [f"# Coverage: `gitsnap iac {self.revision[:12]} --format {self.fmt}`", "", self.summary(), ""]
        if self.left_out:
            lines += ["## Left out", "", "| resource | type | why |", "|---|---|---|"]
            lines += [f"| `{r.address}` | {r.service} {r.type} | {_cell(why)} |" for r, why in self.left_out]
            lines.append("")
        with_fields = [e for e in self.emitted if e.unused]
        if with_fields:
            lines += ["## Fields not emitted", "",
                      "Emitted resources whose document holds fields the output does not carry.", ""]
            for e in with_fields:
                lines.append(f"- `{e.resource.address}`")
                lines += [f"  - `{path}`: {why}" for path, why in e.unused]
            lines.append("")
        if self.skipped_objects:
            lines += ["## Objects not written", ""]
            for address, keys in sorted(self.skipped_objects.items()):
                lines.append(f"- `{address}`")
                lines += [f"  - `{key}`: {why}" for key, why in keys]
            lines.append("")
        if self.secrets:
            kind = "NoEcho parameter" if self.fmt == "cloudformation" else "sensitive variable"
            lines += ["## Secrets", "",
                      f"Each redacted value is a {kind}; its value is not here. The snapshot keeps it sealed "
                      "(`sealed/values/<id>.age`): supply it at deploy time.", "",
                      f"| {kind} | sealed value id |", "|---|---|"]
            lines += [f"| `{name}` | `{fp}` |" for fp, name in sorted(self.secrets.items(), key=lambda kv: kv[1])]
            lines.append("")
        if self.builtin:
            lines += ["## Built in (nothing to create)", ""]
            lines += [f"- `{r.address}`: {why}" for r, why in self.builtin]
            lines.append("")
        lines += ["## Emitted", "", "| resource | as |", "|---|---|"]
        for e in self.emitted:
            kinds = [r.type for r in e.out.cfn] if self.fmt == "cloudformation" else [b.type for b in e.out.tf]
            lines.append(f"| `{e.resource.address}` | {', '.join(dict.fromkeys(kinds))} |")
        return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
