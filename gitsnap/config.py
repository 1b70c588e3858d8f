"""Configuration: ``gitsnap.toml`` loaded, validated against ``schemas/config.json``.

Every error names the file and the key. A missing file is not an error: every
key has a default (all supported services, the session's region, all buckets, each in its
own region).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import schemas
from .errors import GitsnapError

CONFIG_NAME = "gitsnap.toml"


class ConfigError(GitsnapError):
    """The configuration file is malformed or names something unknown."""


ALL_REGIONS = "all"  # [aws] regions = "all": every region enabled for the account
DYNAMODB_ITEMS_MAX_BYTES = 64 * 1024 * 1024  # [aws.dynamodb] items_max_bytes default: per table
NOTIFY_EVENTS = ("failure", "partial", "drift", "changes")  # [notify] on: every event, most severe first
NOTIFY_ON = ("drift", "failure", "partial")  # [notify] on default: a word when something needs a look
ORGANIZATION_ROLE = "OrganizationAccountAccessRole"  # the role AWS Organizations creates in new accounts


@dataclass(frozen=True)
class Account:
    name: str
    profile: str | None = None
    role_arn: str | None = None
    regions: tuple[str, ...] = ()
    regions_all: bool = False  # regions = "all" for this account


@dataclass(frozen=True)
class IgnoreRule:
    """``[[ignore]]``: changes to fields matching *path* on resources matching *address* are noise."""

    address: str
    path: str
    reason: str


@dataclass(frozen=True)
class Config:
    path: Path | None
    regions: tuple[str, ...] = ()
    regions_all: bool = False  # [aws] regions = "all": enabled regions, from ec2:DescribeRegions
    services: tuple[str, ...] = ()
    profile: str | None = None
    accounts: tuple[Account, ...] = ()
    organization: bool = False  # [aws] organization = true: every ACTIVE account of the Organization
    organization_role: str = ORGANIZATION_ROLE  # the role name assumed in each member account
    organization_exclude: frozenset[str] = frozenset()  # account ids left out
    s3_include: tuple[str, ...] = ()
    s3_exclude: tuple[str, ...] = ()
    s3_content: bool = True
    s3_workers: int = 16
    s3_requester_pays: bool = False
    lambda_keep_env: frozenset[str] = frozenset()
    lambda_extract_source: bool = True
    apigateway_keep_variables: frozenset[str] = frozenset()
    dynamodb_sample_items: int = 0  # deprecated: [aws.dynamodb] items captures whole tables
    dynamodb_items: tuple[str, ...] = ()  # table-name globs whose items are captured (items.jsonl)
    dynamodb_items_max_bytes: int = DYNAMODB_ITEMS_MAX_BYTES
    dynamodb_items_segments: int = 4  # parallel Scan segments per table
    ssm_decrypt: bool = True  # SecureString values read WithDecryption, then fingerprinted and sealed
    secretsmanager_values: tuple[str, ...] = ()  # secret-name globs whose values are captured (sealed)
    environments: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ignore: tuple[IgnoreRule, ...] = ()
    recipients: tuple[str, ...] = ()
    secrets_allow_paths: tuple[str, ...] = ()
    secrets_allow_rules: tuple[str, ...] = ()
    secrets_allow_fingerprints: frozenset[str] = frozenset()
    secrets_seal_paths: tuple[str, ...] = ()
    secrets_scan_max_bytes: int = 8 * 1024 * 1024
    notify_urls: tuple[str, ...] = ()  # apprise URLs; none: nothing is sent (and apprise is not imported)
    notify_on: tuple[str, ...] = NOTIFY_ON  # which events send a message
    remote_url: str | None = None  # [remote] url: pushed after each capture (docs/operations.md)
    raw: dict[str, Any] = field(default_factory=dict)


def resolve_path(explicit: str | None, repo: Path) -> tuple[Path, bool]:
    """The config path and whether the user named it (a named file must exist)."""
    if explicit:
        return Path(explicit).expanduser(), True
    env = os.environ.get("GITSNAP_CONFIG")
    if env:
        return Path(env).expanduser(), True
    return repo / CONFIG_NAME, False


def load(path: Path, required: bool = False, known_services: frozenset[str] | None = None) -> Config:
    if not path.exists():
        if required:
            raise ConfigError(f"{path}: config file not found; create it or drop --config")
        return Config(path=None)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config ({exc})") from exc
    return parse(data, path, known_services)


def parse(data: dict[str, Any], path: Path, known_services: frozenset[str] | None = None) -> Config:
    problems = schemas.errors("config", data)
    if problems:
        err = problems[0]
        raise ConfigError(f"{path}: key {schemas.where(err)}: {_explain(err)}")
    aws = data.get("aws", {})
    services = tuple(aws.get("services", ()))
    if known_services is not None:
        for svc in services:
            if svc not in known_services:
                raise ConfigError(
                    f"{path}: key aws.services: unknown service {svc!r}; "
                    f"known: {', '.join(sorted(known_services))}"
                )
    s3 = aws.get("s3", {})
    lam = aws.get("lambda", {})
    ddb = aws.get("dynamodb", {})
    sec = data.get("secrets", {})
    return Config(
        path=path,
        regions=_regions(aws.get("regions", ())),
        regions_all=aws.get("regions") == ALL_REGIONS,
        services=services,
        profile=aws.get("profile"),
        accounts=tuple(
            Account(
                name=a["name"],
                profile=a.get("profile"),
                role_arn=a.get("role_arn"),
                regions=_regions(a.get("regions", ())),
                regions_all=a.get("regions") == ALL_REGIONS,
            )
            for a in aws.get("accounts", ())
        ),
        organization=aws.get("organization", False),
        organization_role=aws.get("organization_role", ORGANIZATION_ROLE),
        organization_exclude=frozenset(aws.get("organization_exclude", ())),
        s3_include=tuple(s3.get("include", ())),
        s3_exclude=tuple(s3.get("exclude", ())),
        s3_content=s3.get("content", True),
        s3_workers=s3.get("workers", 16),
        s3_requester_pays=s3.get("requester_pays", False),
        lambda_keep_env=frozenset(lam.get("keep_env", ())),
        lambda_extract_source=lam.get("extract_source", True),
        apigateway_keep_variables=frozenset(aws.get("apigateway", {}).get("keep_variables", ())),
        dynamodb_sample_items=ddb.get("sample_items", 0),
        dynamodb_items=tuple(ddb.get("items", ())),
        dynamodb_items_max_bytes=ddb.get("items_max_bytes", DYNAMODB_ITEMS_MAX_BYTES),
        dynamodb_items_segments=ddb.get("items_segments", 4),
        ssm_decrypt=aws.get("ssm", {}).get("decrypt", True),
        secretsmanager_values=tuple(aws.get("secretsmanager", {}).get("values", ())),
        environments={k: tuple(v) for k, v in data.get("environments", {}).items()},
        ignore=tuple(IgnoreRule(r["address"], r["path"], r["reason"]) for r in data.get("ignore", ())),
        recipients=tuple(sec.get("recipients", ())),
        secrets_allow_paths=tuple(sec.get("allow_paths", ())),
        secrets_allow_rules=tuple(sec.get("allow_rules", ())),
        secrets_allow_fingerprints=frozenset(sec.get("allow_fingerprints", ())),
        secrets_seal_paths=tuple(sec.get("seal_paths", ())),
        secrets_scan_max_bytes=sec.get("scan_max_bytes", 8 * 1024 * 1024),
        notify_urls=tuple(data.get("notify", {}).get("urls", ())),
        notify_on=tuple(data.get("notify", {}).get("on", NOTIFY_ON)),
        remote_url=data.get("remote", {}).get("url"),
        raw=data,
    )


def _explain(err: Any) -> str:
    """A schema error in words, for the keys whose validator's message says too little (or too
    much: a notify or remote URL may hold a token, so it is never repeated back)."""
    where = schemas.where(err)
    if err.validator == "const" and where.endswith("regions"):
        return f'{err.instance!r} is neither a list of regions nor "all" (e.g. regions = ["us-east-1"])'
    if where.startswith("notify.urls"):
        if err.validator == "uniqueItems":
            return "a URL is listed twice: list each once"
        if where == "notify.urls":
            return 'not a list of apprise URLs: write urls = ["slack://…", "mailto://…"]'
        return "not an apprise URL: write scheme://… (e.g. slack://…, mailto://…, json://host/path)"
    if where == "remote.url":  # an https URL may carry a token: never repeated back either
        return ("not a git remote: write ssh://host/path, user@host:path, https://host/path, "
                "git://host/path or an absolute path")
    if where.startswith("notify.on.") and err.validator == "enum":
        return f"{err.instance!r} is not an event: use {', '.join(repr(e) for e in NOTIFY_EVENTS)}"
    return err.message


def _regions(value: list[str] | str) -> tuple[str, ...]:
    """A regions list as a tuple; ``"all"`` is kept apart (``regions_all``), so it is empty here."""
    return () if value == ALL_REGIONS else tuple(value)


STARTER = """\
# gitsnap configuration. Every key is optional; see docs/config.md.

[aws]
# regions = ["us-east-1", "us-west-2"]       # or "all"; default: the session's region (S3: every bucket's)
# services = ["s3", "cloudfront", "lambda", "route53"]   # default: every supported service
# profile = "jada"                           # default: the standard AWS credential chain
# organization = true                        # every account of the AWS Organization (docs/operations.md)
# organization_role = "OrganizationAccountAccessRole"   # assumed in each member account

[aws.s3]
# include = ["*jada*"]                       # bucket globs; default: all buckets
# exclude = []
# content = true                             # capture object bodies
# requester_pays = false                     # true: read objects of requester-pays buckets, paying for it

[aws.lambda]
# keep_env = ["STAGE"]                       # env names whose values may be stored in clear

[aws.dynamodb]
# items = ["jada-*"]                         # tables whose items are captured (items.jsonl); default none

[aws.secretsmanager]
# values = ["prod/*"]                        # secrets whose values are captured, sealed; default none

[environments]                               # for `gitsnap parity prod staging`: resource-name globs
prod = ["*-prod", "prod.*"]                  # names like sailjada-prod, and domains like prod.example.com
staging = ["*-staging", "staging.*"]

# [notify]                                   # a message after capture and drift (docs/operations.md)
# urls = ["slack://TokenA/TokenB/TokenC/#ops", "mailto://user:app-password@gmail.com"]   # apprise URLs
# on = ["drift", "failure", "partial"]       # the default; add "changes" for every new snapshot

# [remote]                                   # pushed after each capture, never forced (docs/operations.md)
# url = "git@github.com:you/estate-snapshots.git"

[secrets]
# Secrets found in what is captured are sealed (age-encrypted) to the recipients `gitsnap init`
# recorded (`gitsnap keys show`); capture needs only public keys, restore needs the identity.
# See docs/secrets.md.
# recipients = ["age1…"]                     # added to those `gitsnap init` recorded
# allow_paths = ["local/site/files/vendor/*"]   # files not scanned
# allow_rules = []                             # detector rules switched off
# allow_fingerprints = []                      # redacted:hmac-sha256:… values kept in clear
# seal_paths = []                              # files always sealed whole
"""
