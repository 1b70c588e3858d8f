"""What one capture reads: the units (account x region x service, and the other providers),
which regions and services that covers, and what it saw but will not capture.

The plan is the whole truth of a capture's scope. The engine replaces exactly the planned
units' subtrees, and drops the units a full capture no longer plans (a configuration
change, named in the summary): a snapshot says what was read, never less and never more.

Regions: ``[aws] regions`` (or an account's ``regions``) when configured, every enabled
region with ``regions = "all"`` (ec2:DescribeRegions), else the session's region. A type
with a ``locate`` hook (S3: one ListBuckets per account) is also planned in every region
that holds one of its resources when regions are not configured; when they are, its
resources in other regions are recorded as seen, not captured.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import botocore.exceptions as bx

from .addresses import check_services
from .collectors import registry
from .collectors.aws.accounts import HOME_REGION, AwsAccounts, UnreachableAccount
from .collectors.aws.clients import AwsAccount, translate
from .collectors.errors import CredentialsError
from .collectors.spec import LocateContext, Located, Raw, ResourceType
from .config import Config, ConfigError
from .errors import GitsnapError
from .layout import aws_unit

log = logging.getLogger(__name__)

GLOBAL = "global"
ENABLED = frozenset({"opt-in-not-required", "opted-in"})  # DescribeRegions' OptInStatus of a usable region

# how the regions of an account were chosen (manifest "covered", the capture summary)
FROM_CONFIG = "config"  # [aws] regions, or the account's regions
FROM_ALL = "all"  # regions = "all": ec2:DescribeRegions
FROM_SESSION = "session"  # the session's region (and, for located types, where their resources are)


@dataclass(frozen=True)
class Unit:
    """One collector run: a service in one region (or ``global``) of one account, or a
    non-cloud provider (``local``, ``gas``). It owns the subtree at ``path``.

    Attributes:
        located: per type, the resources planning already listed for this unit (``locate``).
        error: why the unit cannot run (its resources could not be located): it fails at once.
    """

    path: str
    service: str
    account: str
    region: str
    types: tuple[ResourceType, ...]
    client: Callable[..., Any]
    located: dict[str, tuple[Raw, ...]] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True)
class Seen:
    """A resource a capture saw (in a listing) but did not capture, and why."""

    address: str
    service: str
    account: str
    region: str | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"address": self.address, "service": self.service, "account": self.account,
                "region": self.region, "reason": self.reason}


@dataclass
class Plan:
    """The units of one capture, and what they cover.

    Attributes:
        units: every unit to read.
        seen: resources listed but not captured (outside the planned regions, excluded).
        covered: per account, the regions read and how they were chosen, and the services.
        unsure: (account, service) pairs whose units could not all be known (a ``locate``
            listing failed): their previous units are kept, never dropped.
        warnings: what planning noticed (a bucket deleted between listing and locating).
    """

    units: list[Unit] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    covered: dict[str, Any] = field(default_factory=lambda: {"aws": {}, "services": []})
    unsure: set[tuple[str, str]] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)

    def why_not(self, path: str) -> str:
        """Why a unit of an earlier snapshot is not in this plan. Pure."""
        parts = path.split("/")
        if parts[0] != "aws" or len(parts) != 4:
            return f"{path} is not configured now"
        account, region, service = parts[1], parts[2], parts[3]
        cov = self.covered["aws"].get(account)
        if cov is None:
            return f"account {account} is not in it"
        if service not in cov["services"]:
            return f"service {service} is not in it"
        if cov["regions_from"] == FROM_SESSION and any(t.locate for t in registry.AWS.get(service, ())):
            return f"no {service} resource is in {region} now, and regions are not configured"
        return f"region {region} is not among its regions: {', '.join(cov['regions'])}"


def unit_key(path: str) -> tuple[str, str]:
    """(account, service) of a unit path: ``aws/<account>/<region>/<service>``, or the
    provider (``local``, ``gas``) twice. Pure."""
    parts = path.split("/")
    return (parts[1], parts[3]) if parts[0] == "aws" and len(parts) == 4 else (path, path)


def get_enabled_regions(client: Any) -> list[str]:
    """Every region enabled for the account (opt-in regions only once opted in), sorted.

    ``AllRegions=False`` asks AWS for the enabled ones only; the ``OptInStatus`` filter keeps
    that true where an endpoint answers with every region anyway (moto does).
    """
    try:
        regions = client.describe_regions(AllRegions=False)["Regions"]
    except (bx.BotoCoreError, bx.ClientError) as exc:
        raise translate(exc, 'ec2:DescribeRegions (for [aws] regions = "all")') from exc
    return sorted(r["RegionName"] for r in regions if r.get("OptInStatus", "opt-in-not-required") in ENABLED)


def _aws_client(account: AwsAccount, region: str) -> Callable[..., Any]:
    return lambda name, r=None: account.client(name, r or (None if region == GLOBAL else region))


def _regions(acct: AwsAccount, acct_regions: tuple[str, ...], acct_all: bool,
             config: Config) -> tuple[list[str], str]:
    """The regions an account's regional services are read in, and where that came from."""
    if acct_regions:
        return list(acct_regions), FROM_CONFIG
    if acct_all or config.regions_all:
        return get_enabled_regions(acct.client("ec2")), FROM_ALL
    if config.regions:
        return list(config.regions), FROM_CONFIG
    if acct.default_region:
        return [acct.default_region], FROM_SESSION
    raise ConfigError('no AWS region: set AWS_REGION or [aws] regions in gitsnap.toml (a list, or "all")')


def _locate(plan: Plan, acct: AwsAccount, account_id: str, svc: str, types: tuple[ResourceType, ...],
            config: Config) -> dict[str, dict[str, list[Raw]]] | str:
    """Per region, per type: the resources a ``locate`` hook found; or the error that stopped it."""
    ctx = LocateContext(account=account_id, config=config, client=acct.client, warn=plan.warnings.append)
    found: dict[str, dict[str, list[Raw]]] = {}
    try:
        for spec in types:
            if spec.locate is None:
                continue
            for item in spec.locate(ctx):
                if item.skip is not None:
                    plan.seen.append(_seen(spec, item, account_id, item.skip))
                elif item.region is not None:
                    found.setdefault(item.region, {}).setdefault(spec.type, []).append(item.raw)
    except CredentialsError:
        raise
    except GitsnapError as exc:
        return str(exc)
    return found


def _seen(spec: ResourceType, item: Located, account: str, reason: str) -> Seen:
    return Seen(spec.address(spec.id(item.raw)), spec.service, account, item.region, reason)


def _plan_service(plan: Plan, acct: AwsAccount, account_id: str, svc: str, regions: list[str],
                  origin: str, config: Config) -> list[str]:
    """Add one service's units for one account; returns the regions it is read in."""
    types = registry.AWS[svc]
    if all(t.scope == GLOBAL for t in types):
        scopes, found, error = [GLOBAL], {}, None
    else:
        scopes = list(regions)
        located = _locate(plan, acct, account_id, svc, types, config) if any(t.locate for t in types) else {}
        found, error = (located, None) if isinstance(located, dict) else ({}, located)
        if error is not None:
            plan.unsure.add((account_id, svc))
        for region in sorted(found):
            if region in scopes:
                continue
            if origin == FROM_SESSION:
                scopes.append(region)
                continue
            why = f"region {region} is not in this capture's regions ({origin_text(origin)})"
            for type_name, raws in found[region].items():
                spec = next(t for t in types if t.type == type_name)
                plan.seen.extend(_seen(spec, Located(region, raw), account_id, why) for raw in raws)
    for region in scopes:
        located_here = {t.type: tuple(found.get(region, {}).get(t.type, ())) for t in types if t.locate}
        plan.units.append(Unit(aws_unit(account_id, region, svc), svc, account_id, region, types,
                               _aws_client(acct, region), located_here, error))
    return scopes


def origin_text(origin: str) -> str:
    return {FROM_CONFIG: "[aws] regions", FROM_ALL: "regions enabled for the account",
            FROM_SESSION: "the session's region"}[origin]


def plan_units(config: Config, only: tuple[str, ...], workers: int) -> Plan:
    """Which units this capture reads: AWS (account x region x service), then the others."""
    check_services(only, registry.aws_services() | registry.other_services())
    aws_services = [s for s in (only or config.services or sorted(registry.aws_services()))
                    if s in registry.aws_services()]
    plan = Plan()
    if aws_services:
        accounts = AwsAccounts(config, workers)  # the same account/role settings restore uses
        for acct, settings in accounts.configured():
            account_id = accounts.account_id(acct)
            if isinstance(acct, UnreachableAccount):
                # its role was refused: no region can be asked of it, so each of its units fails
                # with why, and every earlier unit of the account is kept ("unsure"), never dropped
                plan.unsure.update((account_id, svc) for svc in aws_services)
                regions = list(settings.regions or config.regions or (acct.default_region or HOME_REGION,))
                origin = FROM_CONFIG
            else:
                regions, origin = _regions(acct, settings.regions, settings.regions_all, config)
            read: set[str] = set()
            for svc in aws_services:
                read.update(_plan_service(plan, acct, account_id, svc, regions, origin, config))
            plan.covered["aws"][account_id] = {
                "regions": sorted(read - {GLOBAL}), "regions_from": origin, "services": sorted(aws_services)}
    others = [svc for svc in registry.OTHER if (not only or svc in only) and registry.configured(svc, config)]
    for svc in others:
        plan.units.append(Unit(svc, svc, svc, svc, registry.OTHER[svc], registry.client_factory(svc, config)))
    plan.covered["services"] = sorted(set(aws_services) | set(others))
    plan.seen.sort(key=lambda s: (s.address, s.account))
    return plan
