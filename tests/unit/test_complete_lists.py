"""Every declared call that botocore can paginate is paginated (issue #11, item 5).

A list call read as one page silently drops what is on the next ones: the registry is
checked against botocore's own paginator models, so a new collector cannot forget.
"""

from __future__ import annotations

import botocore.session
import pytest

from gitsnap.collectors import registry
from gitsnap.collectors.spec import Call, ResourceType

_SESSION = botocore.session.Session()
_CLIENTS: dict[str, object] = {}


def client(service: str):
    if service not in _CLIENTS:
        _CLIENTS[service] = _SESSION.create_client(service, region_name="us-east-1", aws_access_key_id="x",
                                                   aws_secret_access_key="x")
    return _CLIENTS[service]


def declared_calls() -> list[tuple[str, ResourceType, Call]]:
    out = []
    for svc, types in registry.AWS.items():
        for spec in types:
            calls = ([spec.list] if spec.list else []) + [d.call for d in spec.details if d.call is not None]
            for c in calls:
                out.append((f"{svc}/{spec.type}:{c.method}", spec, c))
    return out


CALLS = declared_calls()


def test_the_registry_declares_calls_to_check():
    assert len(CALLS) > 40  # every AWS service module is seen


@pytest.mark.parametrize(("name", "spec", "call"), CALLS, ids=[n for n, _, _ in CALLS])
def test_a_call_botocore_can_paginate_is_paginated(name, spec, call):
    service = call.client or spec.client
    if client(service).can_paginate(call.method):
        assert call.paginate, f"{name}: botocore has a paginator for {service}:{call.method}; declare paginate=True"


def test_certificates_of_every_key_type_are_listed():
    """ListCertificates returns only RSA-1024/2048 unless asked: every key type botocore knows
    must be asked for, or ECDSA and RSA-4096 certificates vanish from the snapshot. (Origins and
    root hierarchies: tests/unit/test_list_audit.py.)"""
    from gitsnap.collectors.aws.acm import listings

    model = client("acm").meta.service_model.operation_model("ListCertificates")
    known = model.input_shape.members["Includes"].members["keyTypes"].member.enum
    for params in listings(client("acm")):
        assert sorted(params["Includes"]["keyTypes"]) == sorted(known)
