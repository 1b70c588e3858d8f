"""parity: compare two environments of one estate (prod and staging) and say what matters.

Environments come from ``[environments]``: resource-name globs per environment. Resources
pair up when their names match with the environment's name swapped (``sailjada-prod`` and
``sailjada-staging``); configuration differences are compared with those names masked, so
``sailjada-prod`` vs ``sailjada-staging`` inside a policy is not a difference. Findings come
first: references across environments, content on one side only, settings that matter.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass, field
from typing import Any

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
    kind: str
    addresses: tuple[str, ...]
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "addresses": list(self.addresses), "message": self.message}


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

    @property
    def matches(self) -> bool:
        return not (self.findings or self.only_a or self.only_b or any(p.changes for p in self.pairs))


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
        pair = Pair(a, b, kept)
        pairs.append(pair)
        findings.extend(pair_findings(pair, env_a, env_b))
    findings.extend(cross_references(docs, env_of, env_a, env_b))
    only_a = [a for a in in_a if a not in paired_a]
    only_b = [b for b in in_b if b not in paired_b]
    return ParityReport(env_a, env_b, findings, pairs, only_a, only_b, list(zip(ignore, totals, strict=True)))


def pair_key(address: str, doc: dict[str, Any] | None, tokens: tuple[str, ...]) -> str:
    """What pairs two resources across environments: the masked name, or for a distribution
    (whose id says nothing) its masked origin buckets and paths."""
    if doc and "DistributionConfig" in doc:
        return "cloudfront:" + json.dumps(mask(origin_buckets(doc), tokens))
    return mask(address, tokens)


def compare(snap: Snapshot, a: str, b: str, docs: dict[str, Any], tokens: tuple[str, ...], content: bool) -> list[Change]:
    changes = [Change(f"{a} ~ {b}", c.kind, c.path, c.old, c.new, redacted=c.redacted)
               for c in diff_documents(a, mask(docs[a], tokens), mask(docs[b], tokens))
               if not any(fnmatch.fnmatchcase(c.path, f) for f in IDENTITY)]
    ia, ib = snap.resource_files(a).get(OBJECT_INDEX), snap.resource_files(b).get(OBJECT_INDEX)
    if ia or ib:
        old = {e.key: e for e in load_index(snap.read(ia))} if ia else {}
        new = {e.key: e for e in load_index(snap.read(ib))} if ib else {}
        changes += [Change(f"{a} ~ {b}", c.kind, c.path, c.old, c.new, c.text_diff, details=c.details, texts=c.texts)
                    for c in diff_objects(a, old, new, snap.store if content else None)]
    return changes


def pair_findings(pair: Pair, env_a: str, env_b: str) -> list[Finding]:
    out = []
    added = [c.path[4:] for c in pair.changes if c.path.startswith("key ") and c.kind == "added" and " " not in c.path[4:].strip("'")]
    removed = [c.path[4:] for c in pair.changes if c.path.startswith("key ") and c.kind == "removed"]
    if added:
        out.append(Finding("content-only-in-one", (pair.b,), f"{pair.b} ({env_b}) serves {len(added)} keys {env_a} does not have: {', '.join(added[:5])}"))
    if removed:
        out.append(Finding("content-only-in-one", (pair.a,), f"{pair.a} ({env_a}) serves {len(removed)} keys {env_b} does not have: {', '.join(removed[:5])}"))
    for c in pair.changes:
        if c.path and not c.path.startswith("key ") and any(fnmatch.fnmatchcase(c.path, g) for g in MATTERS):
            old = "absent" if c.kind == "added" else json.dumps(c.old)
            new = "absent" if c.kind == "removed" else json.dumps(c.new)
            out.append(Finding("setting-differs", (pair.a, pair.b),
                               f"{pair.a} vs {pair.b}: {c.path}: {env_a} {old}, {env_b} {new}"))
    return out


def cross_references(docs: dict[str, Any], env_of: dict[str, str | None], env_a: str, env_b: str) -> list[Finding]:
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
            out.append(Finding("cross-environment", (src, dst), f"{src} ({env}) references {dst} ({other}){via}"))
    return out


def render_text(r: ParityReport) -> str:
    lines = [f"Parity: {r.env_a} vs {r.env_b}"]
    if r.findings:
        lines.append("Findings:")
        lines += [f"  ! {f.message}" for f in r.findings]
    for p in r.pairs:
        lines.append(f"{p.a} <-> {p.b}: {'same' if not p.changes else str(len(p.changes)) + ' differences'}")
        for c in p.changes:
            detail = f"{c.kind}" if c.path.startswith("key ") else f"{json.dumps(c.old)} -> {json.dumps(c.new)}"
            lines.append(f"    {c.path}: {detail}")
            if c.text_diff:
                lines += ["      " + x for x in c.text_diff.rstrip("\n").split("\n")]
    if r.only_a:
        lines.append(f"only in {r.env_a}: " + ", ".join(r.only_a))
    if r.only_b:
        lines.append(f"only in {r.env_b}: " + ", ".join(r.only_b))
    lines.append("The environments match." if r.matches else
                 f"{plural(len(r.findings), 'finding')}, {sum(1 for p in r.pairs if p.changes)} of {len(r.pairs)} pairs differ, "
                 f"{len(r.only_a) + len(r.only_b)} unpaired")
    return "\n".join(lines) + "\n"


def render_json(r: ParityReport) -> str:
    return json.dumps({"environments": [r.env_a, r.env_b], "matches": r.matches,
                       "findings": [f.to_json() for f in r.findings],
                       "pairs": [{"a": p.a, "b": p.b, "changes": [c.to_json() for c in p.changes]} for p in r.pairs],
                       "only": {r.env_a: r.only_a, r.env_b: r.only_b}}, indent=2, sort_keys=True) + "\n"
