"""API Gateway (regional): REST APIs (``rest.py``), custom domains with base path mappings
(``domain.py``), and HTTP/WebSocket APIs (``http.py``), each captured and restored in its own
module. docs/services/apis.md says what is captured and what restore can and cannot do."""

from __future__ import annotations

from .domain import DOMAIN
from .http import HTTP_API
from .rest import REST_API, transform_rest_api

TYPES = (REST_API, DOMAIN, HTTP_API)

__all__ = ["DOMAIN", "HTTP_API", "REST_API", "TYPES", "transform_rest_api"]
