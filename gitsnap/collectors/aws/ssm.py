"""ssm: being written (issue 12)."""

from __future__ import annotations

from ..spec import ResourceType

TYPES: tuple[ResourceType, ...] = ()
