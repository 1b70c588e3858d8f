"""Every supported resource type, by service. One line per service module."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

from ..config import Config
from .spec import ResourceType


class ServiceTypes(MutableMapping[str, tuple[ResourceType, ...]]):
    """Service name -> its resource types, each service module imported when first asked for.

    Importing every collector module costs most of a short command's start-up (0.7 s: botocore,
    the secret detector, twenty modules); ``gitsnap diff`` of one bucket needs one of them.
    Iterating names costs nothing; iterating values imports every module, as before.
    """

    def __init__(self, modules: dict[str, str]) -> None:
        self._modules = dict(modules)
        self._types: dict[str, tuple[ResourceType, ...]] = {}

    def __getitem__(self, service: str) -> tuple[ResourceType, ...]:
        types = self._types.get(service)
        if types is None:
            module = self._modules[service]  # KeyError: not a service
            types = self._types[service] = importlib.import_module(module, __package__).TYPES
        return types

    def __setitem__(self, service: str, types: tuple[ResourceType, ...]) -> None:
        self._modules.setdefault(service, "")
        self._types[service] = types

    def __delitem__(self, service: str) -> None:
        del self._modules[service]
        self._types.pop(service, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)

    def __contains__(self, service: object) -> bool:
        return service in self._modules

    def module_name(self, service: str) -> str:
        """The module that declares *service*'s types, relative to this package (``.aws.s3``)."""
        return self._modules[service]


# One line per service: its name and the module that declares its TYPES.
AWS = ServiceTypes({
    "s3": ".aws.s3",
    "cloudfront": ".aws.cloudfront",
    "lambda": ".aws.awslambda",
    "route53": ".aws.route53",
    "dynamodb": ".aws.dynamodb",
    "iam": ".aws.iam",
    "apigateway": ".aws.apigateway",
    "ses": ".aws.ses",
    "acm": ".aws.acm",
    "rds": ".aws.rds",
    "lightsail": ".aws.lightsail",
    "wafv2": ".aws.wafv2",
    "events": ".aws.eventbridge",
    "scheduler": ".aws.scheduler",
    "ssm": ".aws.ssm",
    "secretsmanager": ".aws.secretsmanager",
    "sns": ".aws.sns",
    "sqs": ".aws.sqs",
    "cloudwatch": ".aws.cloudwatch",
    "logs": ".aws.logs",
})


# Providers outside AWS: one unit each, present when the config names something to read.
OTHER = ServiceTypes({
    "gas": ".gas.projects",
    "local": ".local.files",
})


def aws_services() -> frozenset[str]:
    return frozenset(AWS)


def other_services() -> frozenset[str]:
    return frozenset(OTHER)


def configured(service: str, config: Config) -> bool:
    section = config.raw.get(service, {})
    if service == "local":
        return bool(section.get("paths") or section.get("env_files"))
    return bool(section.get("projects"))


def client_factory(service: str, config: Config) -> Callable[..., Any]:
    if service == "gas":
        from .gas import projects as gas_projects

        return gas_projects.client_factory(config)

    def no_client(*_args: Any) -> Any:
        raise TypeError(f"{service} collectors make no API calls")

    return no_client


def all_types() -> list[ResourceType]:
    return [t for types in (*AWS.values(), *OTHER.values()) for t in types]


def configured_services(config: Config) -> tuple[str, ...]:
    """Every service a capture with no ``--only`` reads: ``[aws] services`` (else every AWS
    service), and each other provider the configuration names something for."""
    aws = config.services or tuple(sorted(AWS))
    return tuple(sorted({*aws, *(s for s in OTHER if configured(s, config))}))


def types_of(service: str) -> tuple[ResourceType, ...]:
    """The registered types of *service* (empty for an unknown one), importing only its module."""
    return AWS.get(service) or OTHER.get(service) or ()


def type_of(service: str, type_: str) -> ResourceType | None:
    """The registered type *service*/*type_* (as a manifest records them), or None."""
    return next((t for t in types_of(service) if t.type == type_), None)
