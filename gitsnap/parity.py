"""parity: compare two environments of one estate (prod and staging) and say what matters.

Environments come from ``[environments]``: resource-name globs per environment. Resources
pair up when their names match with the environment's name swapped (``sailjada-prod`` and
``sailjada-staging``); configuration differences are compared with those names masked, so
``sailjada-prod`` vs ``sailjada-staging`` inside a policy is not a difference. Findings come
first: references across environments, content on one side only, settings that matter.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import labels as names
from .diff import Change, apply_ignores, diff_documents, diff_objects
from .errors import UsageError
from .layout import OBJECT_INDEX, load_index
from .store.snapshot import Snapshot
from .words import plural

# Field paths whose differences between environments usually matter (glob on the diff path).
# "*CacheBehaviors.Items" is the behaviours' order alone (diff reports it at the list's path):
# the two environments route the same request to different behaviours.
MATTERS = ("*ViewerProtocolPolicy", "*DefaultTTL", "*MinTTL", "*MaxTTL", "*PointInTimeRecoveryStatus",
           "Versioning*", "PublicAccessBlock*", "Policy*", "*Encryption*", "*DeletionProtectionEnabled",
           "*CacheBehaviors.Items")


# Fields that name a resource rather than configure it: they always differ between a pair.
IDENTITY = ("Id", "ARN", "Arn", "DomainName", "DistributionConfig.CallerReference", "Table.TableId",
            "Table.LatestStreamArn", "Table.LatestStreamLabel", "Table.CreationDateTime", "ScriptId",
            "Configuration.FunctionArn", "Configuration.RevisionId")


@dataclass
class Finding:
    """One thing to act on. ``message`` names resources by address (the JSON's, stable for
    scripts); ``text`` says the same with their labels, for people (text output, report)."""

    kind: str
    addresses: tuple[str, ...]
    message: str
    text: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "addresses": list(self.addresses), "message": self.message}

    @property
    def shown(self) -> str:
        return self.text or self.message


Who = Callable[..., str]  # who(address, env=None): the address, with its label and env when said


def finding(kind: str, addresses: tuple[str, ...], say: Callable[[Who], str], labels: dict[str, str]) -> Finding:
    """A finding whose message names resources by address and whose text adds their labels."""
    def bare(address: str, env: str | None = None) -> str:
        return f"{address} ({env})" if env else address

    def known(address: str, env: str | None = None) -> str:
        return names.named(address, labels.get(address), env)

    return Finding(kind, addresses, say(bare), say(known))


@dataclass
class Pair:
    a: str
    b: str
    changes: list[Change] = field(default_factory=list)


@dataclass
class ParityReport:
    env_a: str
    env_b: str
    findings: list[Finding]
    pairs: list[Pair]
    only_a: list[str]
    only_b: list[str]
    silenced: list[tuple[Any, int]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # address -> label, of every address named

    @property
    def matches(self) -> bool:
        return not (self.findings or self.only_a or self.only_b or any(p.changes for p in self.pairs))

    def counts(self) -> dict[str, int]:
        """The figures every output of this comparison gives (text, JSON, report): findings,
        pairs, pairs that differ, resources with no counterpart."""
        return {"findings": len(self.findings), "pairs": len(self.pairs),
                "pairs_differ": sum(1 for p in self.pairs if p.changes),
                "unpaired": len(self.only_a) + len(self.only_b)}

    def summary_line(self) -> str:
        """The last line of the text output, and the report's summary: the same words in both."""
        if self.matches:
            return "The environments match."
        n = self.counts()
        differ = "differs" if n["pairs_differ"] == 1 else "differ"
        return (f"{plural(n['findings'], 'finding')}, {n['pairs_differ']} of {plural(n['pairs'], 'pair')} {differ}, "
                f"{plural(n['unpaired'], 'unpaired resource')}")

    def named(self, address: str, env: str | None = None) -> str:
        return names.named(address, self.labels.get(address), env)

    def unpaired(self) -> list[str]:
        """One line per resource with no counterpart: ``only in staging: dynamodb/x``."""
        return ([f"only in {self.env_a}: {self.named(a)}" for a in self.only_a]
                + [f"only in {self.env_b}: {self.named(b)}" for b in self.only_b])

    def changes(self) -> list[Change]:
        """Every pair's changes, each labelled with both sides' labels."""
        return [c for p in self.pairs for c in p.changes]


def resource_name(address: str) -> str:
    return address.rsplit("/", 1)[-1]


def names_of(snap: Snapshot, address: str, doc: dict[str, Any] | None) -> list[str]:
    """What a resource is called: its id, plus aliases and comment for a distribution."""
    names = [resource_name(address)]
    if doc and "DistributionConfig" in doc:
        cfg = doc["DistributionConfig"]
        names += list((cfg.get("Aliases") or {}).get("Items", [])) + [cfg.get("Comment") or ""]
    return names


def environment(names: list[str], envs: dict[str, tuple[str, ...]]) -> str | None:
    for env, globs in envs.items():
        if any(fnmatch.fnmatchcase(n, g) for n in names for g in globs):
            return env
    return None


def mask(value: Any, tokens: tuple[str, ...]) -> Any:
    """Every string with the environment names replaced by ``{env}``. Pure."""
    if isinstance(value, dict):
        return {mask(k, tokens): mask(v, tokens) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask(v, tokens) for v in value]
    if isinstance(value, str):
        return re.sub("|".join(re.escape(t) for t in tokens), "{env}", value)
    return value


def origin_buckets(doc: dict[str, Any]) -> list[tuple[str, str]]:
    origins = doc.get("DistributionConfig", {}).get("Origins", {}).get("Items", [])
    return [(o["DomainName"].split(".s3")[0], o.get("OriginPath") or "") for o in origins if ".s3" in o.get("DomainName", "")]


def parity(snap: Snapshot, envs: dict[str, tuple[str, ...]], env_a: str, env_b: str, content: bool = False,
           ignore: tuple[Any, ...] = ()) -> ParityReport:
    for env in (env_a, env_b):
        if env not in envs:
            known = ", ".join(sorted(envs)) or "none"
            raise UsageError(f"unknown environment {env!r}: define it in [environments] in gitsnap.toml (defined: {known})")
    docs = {a: snap.document(a) for a in snap.resources}
    labels = {a: text for a, d in docs.items()
              if (text := names.label(a, d, snap.resources[a].get("type", ""))) is not None}
    env_of = {a: environment(names_of(snap, a, d), envs) for a, d in docs.items()}
    # a distribution without a name of its own belongs to its origin bucket's environment
    for a, d in docs.items():
        if env_of[a] is None and d and "DistributionConfig" in d:
            for bucket, _ in origin_buckets(d):
                env_of[a] = env_of.get(f"s3/{bucket}") or env_of[a]
    in_a = sorted(a for a, e in env_of.items() if e == env_a)
    in_b = sorted(a for a, e in env_of.items() if e == env_b)
    tokens = (env_a, env_b)
    keys_b: dict[str, str] = {}
    for b in in_b:
        keys_b.setdefault(pair_key(b, docs[b], tokens), b)
    findings: list[Finding] = []
    pairs, paired_a, paired_b = [], set(), set()
    totals = [0] * len(ignore)
    for a in in_a:
        b = keys_b.get(pair_key(a, docs[a], tokens))
        if b is None or b in paired_b:
            continue
        paired_a.add(a)
        paired_b.add(b)
        kept, silenced = apply_ignores(compare(snap, a, b, docs, tokens, content), ignore)
        for i, (_rule, n) in enumerate(silenced):
            totals[i] += n
        both = " ~ ".join(x or "-" for x in (labels.get(a), labels.get(b))) if (labels.get(a) or labels.get(b)) else None
        pair = Pair(a, b, [dataclasses.replace(c, label=both) for c in kept])
        pairs.append(pair)
        findings.extend(pair_findings(pair, env_a, env_b, labels))
    findings.extend(cross_references(docs, env_of, env_a, env_b, labels))
    only_a = [a for a in in_a if a not in paired_a]
    only_b = [b for b in in_b if b not in paired_b]
    named = set(only_a) | set(only_b) | {x for p in pairs for x in (p.a, p.b)} | {x for f in findings for x in f.addresses}
    return ParityReport(env_a, env_b, findings, pairs, only_a, only_b, list(zip(ignore, totals, strict=True)),
                        {a: t for a, t in labels.items() if a in named})


def pair_key(address: str, doc: dict[str, Any] | None, tokens: tuple[str, ...]) -> str:
    """What pairs two resources across environments: the masked name, or for a distribution
    (whose id says nothing) its masked origin buckets and paths."""
    if doc and "DistributionConfig" in doc:
        return "cloudfront:" + json.dumps(mask(origin_buckets(doc), tokens))
    return mask(address, tokens)


def compare(snap: Snapshot, a: str, b: str, docs: dict[str, Any], tokens: tuple[str, ...], content: bool) -> list[Change]:
    changes = [Change(f"{a} ~ {b}", c.kind, c.path, c.old, c.new, redacted=c.redacted, location=c.location)
               for c in diff_documents(a, mask(docs[a], tokens), mask(docs[b], tokens))
               if not any(fnmatch.fnmatchcase(c.path, f) for f in IDENTITY)]
    ia, ib = snap.resource_files(a).get(OBJECT_INDEX), snap.resource_files(b).get(OBJECT_INDEX)
    if ia or ib:
        old = {e.key: e for e in load_index(snap.read(ia))} if ia else {}
        new = {e.key: e for e in load_index(snap.read(ib))} if ib else {}
        changes += [Change(f"{a} ~ {b}", c.kind, c.path, c.old, c.new, c.text_diff, details=c.details, texts=c.texts,
                           location=c.location)
                    for c in diff_objects(a, old, new, snap.store if content else None)]
    return changes


def pair_findings(pair: Pair, env_a: str, env_b: str, labels: dict[str, str] | None = None) -> list[Finding]:
    labels = labels or {}
    out = []
    added = [c.path[4:] for c in pair.changes if c.path.startswith("key ") and c.kind == "added" and " " not in c.path[4:].strip("'")]
    removed = [c.path[4:] for c in pair.changes if c.path.startswith("key ") and c.kind == "removed"]
    for keys, (here, env), other in ((added, (pair.b, env_b), env_a), (removed, (pair.a, env_a), env_b)):
        if keys:
            out.append(finding("content-only-in-one", (here,), lambda who, keys=keys, here=here, env=env, other=other:
                               f"{who(here, env)} serves {plural(len(keys), 'key')} {other} does not have: "
                               f"{', '.join(keys[:5])}", labels))
    for c in pair.changes:
        if c.path and not c.path.startswith("key ") and any(fnmatch.fnmatchcase(c.path, g) for g in MATTERS):
            old = "absent" if c.kind == "added" else json.dumps(c.old)
            new = "absent" if c.kind == "removed" else json.dumps(c.new)
            out.append(finding("setting-differs", (pair.a, pair.b), lambda who, path=c.path, old=old, new=new:
                               f"{who(pair.a)} vs {who(pair.b)}: {path}: {env_a} {old}, {env_b} {new}", labels))
    return out


def cross_references(docs: dict[str, Any], env_of: dict[str, str | None], env_a: str, env_b: str,
                     labels: dict[str, str] | None = None) -> list[Finding]:
    """A resource of one environment whose document names a resource of the other."""
    out = []
    for src, env in sorted(env_of.items()):
        if env not in (env_a, env_b) or docs[src] is None:
            continue
        other = env_b if env == env_a else env_a
        text = json.dumps(docs[src])
        # a function's permissions live in its role's own document (each fact in one place)
        role_address = docs[src].get("RoleAddress") if isinstance(docs[src], dict) else None
        role_text = json.dumps(docs.get(role_address)) if role_address and docs.get(role_address) else ""
        for dst, dst_env in sorted(env_of.items()):
            name = resource_name(dst)
            if dst_env != other or dst == src or len(name) < 4 or (name not in text and name not in role_text):
                continue
            via = "" if name in text else f" (via its role {role_address})"
            for bucket, path in origin_buckets(docs[src]) if docs[src] else []:
                if bucket == name:
                    via = f" (origin {bucket}{' path ' + path if path else ''})"
            out.append(finding("cross-environment", (src, dst), lambda who, src=src, env=env, dst=dst, via=via, other=other:
                               f"{who(src, env)} references {who(dst, other)}{via}", labels or {}))
    return out


def render_text(r: ParityReport) -> str:
    lines = [f"Parity: {r.env_a} vs {r.env_b}"]
    if r.findings:
        lines.append("Findings:")
        lines += [f"  ! {f.shown}" for f in r.findings]
    for p in r.pairs:
        lines.append(f"{r.named(p.a)} <-> {r.named(p.b)}: {'same' if not p.changes else plural(len(p.changes), 'difference')}")
        for c in p.changes:
            detail = f"{c.kind}" if c.path.startswith("key ") else f"{json.dumps(c.old)} -> {json.dumps(c.new)}"
            lines.append(f"    {c.path}: {detail}")
            if c.text_diff:
                lines += ["      " + x for x in c.text_diff.rstrip("\n").split("\n")]
    if r.only_a:
        lines.append(f"only in {r.env_a}: " + ", ".join(r.named(a) for a in r.only_a))
    if r.only_b:
        lines.append(f"only in {r.env_b}: " + ", ".join(r.named(b) for b in r.only_b))
    lines.append(r.summary_line())
    return "\n".join(lines) + "\n"


def render_json(r: ParityReport) -> str:
    """The report for scripts: ``summary`` holds the figures the text's last line and the HTML
    report give, ``labels`` the label of each address named (addresses themselves unchanged)."""
    return json.dumps({"environments": [r.env_a, r.env_b], "matches": r.matches,
                       "summary": {**r.counts(), "line": r.summary_line()},
                       "findings": [f.to_json() for f in r.findings],
                       "pairs": [{"a": p.a, "b": p.b, "changes": [c.to_json() for c in p.changes]} for p in r.pairs],
                       "only": {r.env_a: r.only_a, r.env_b: r.only_b}, "labels": r.labels},
                      indent=2, sort_keys=True) + "\n"
