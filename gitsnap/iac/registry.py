"""Every service's IaC specs, by the collector registry's module names, imported when first asked for."""

from __future__ import annotations

import importlib

from ..collectors import registry as collectors
from .spec import IacSpec

# One module of specs per AWS service, named as the service's collector module is
# (collectors/registry.py: "lambda" -> .aws.awslambda here too), so the collector registry's line
# for a service is the one line both registries read: a new service needs gitsnap/iac/aws/<module>
# and no line here (tests/unit/test_iac_registry.py fails until the module has SPECS).
MODULES = {service: collectors.AWS.module_name(service) for service in collectors.AWS}

# Services that are not AWS resources: no format has a type for them.
NOT_AWS = {
    "gas": "Apps Script projects are not AWS resources: neither CloudFormation nor the AWS provider "
           "has a type for them (gitsnap restore puts their files back)",
    "local": "local files are not cloud resources (gitsnap restore puts them back)",
}

_loaded: dict[str, dict[str, IacSpec]] = {}


def specs_of(service: str) -> dict[str, IacSpec]:
    """A service's specs by type name; empty for a service with no module (yet)."""
    if service not in _loaded:
        module = MODULES.get(service)
        try:
            _loaded[service] = importlib.import_module(module, __package__).SPECS if module else {}
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}{module}":
                raise
            _loaded[service] = {}
    return _loaded[service]


def spec_for(service: str, type_: str) -> IacSpec | None:
    return specs_of(service).get(type_)


def why_none(service: str, type_: str) -> str:
    """Why a type has no spec at all: the line COVERAGE.md gives."""
    return NOT_AWS.get(service) or f"gitsnap cannot yet write {service} {type_} resources as code"
