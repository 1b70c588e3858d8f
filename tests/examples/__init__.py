"""One example per registered resource type, one module per service (``<service>.py``).

Each module has ``EXAMPLES``: type name -> :class:`Example`. The registry-wide tests
(``tests/unit/test_collectors.py``, ``tests/e2e/test_registry_restore.py``) run over every
registered type and fail for one without an example. Adding a service = one collector module,
one schema, one registry line, one module here.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class Aws:
    """boto3 clients to the local AWS a round trip runs against (``client(service, region)``)."""

    def __init__(self, endpoint: str, region: str = "us-east-1") -> None:
        self.endpoint = endpoint
        self.region = region

    def client(self, service: str, region: str | None = None) -> Any:
        import boto3

        return boto3.client(service, region_name=region or self.region, endpoint_url=self.endpoint,
                            aws_access_key_id="testing", aws_secret_access_key="testing")


@dataclass(frozen=True)
class Example:
    """One type's example.

    Attributes:
        raw: what the runner hands to the type's ``transform`` (the listed and detail fields).
        seed: creates one resource of the type (and what it needs) on the local AWS; the
            registry-wide round trip captures it.
        damage: the disaster the round trip undoes: by default, deleting the seeded resource
            live. It must leave the resource different from the capture (deleted or changed).
        no_round_trip: why there is no local-AWS round trip for the type (moto lacks the API,
            the type is not restorable), and which test covers it instead. Exactly one of
            ``seed`` and ``no_round_trip`` is given.
    """

    raw: dict[str, Any]
    seed: Callable[[Aws], None] | None = None
    damage: Callable[[Aws], None] | None = None
    no_round_trip: str | None = None


def _load() -> dict[tuple[str, str], Example]:
    found: dict[tuple[str, str], Example] = {}
    for mod in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{mod.name}")
        service = getattr(module, "SERVICE", mod.name)
        for type_, example in module.EXAMPLES.items():
            found[(service, type_)] = example
    return found


ALL = _load()
