"""Which API a unit's declared calls go through: the one place a service is tied to its provider."""

from __future__ import annotations

from . import registry
from .api import Api, NoApi
from .aws.api import AWS_API


def api_for(service: str) -> Api:
    """The :class:`~.api.Api` of *service*'s provider: AWS's for every AWS service; none for
    the others (Apps Script and local files read through their own functions)."""
    return AWS_API if service in registry.AWS else NoApi(service)
