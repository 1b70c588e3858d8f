"""How API Gateway's fields are spelled in each format: the API's ``camelCase`` (REST) or
``PascalCase`` (HTTP) names as CloudFormation's ``PascalCase`` and the provider's ``snake_case``."""

from __future__ import annotations

from typing import Any

from ..common import snake


def pascal(name: str) -> str:
    """``destinationArn`` -> ``DestinationArn``: an API field's CloudFormation name."""
    return name[:1].upper() + name[1:]


def cfn_props(src: dict[str, Any], *keys: str) -> dict[str, Any]:
    """*src*'s *keys* (API names), each under its CloudFormation name (None when absent)."""
    return {pascal(k): src.get(k) for k in keys}


def tf_args(src: dict[str, Any], *keys: str) -> dict[str, Any]:
    """*src*'s *keys* (API names), each under its provider name (None when absent)."""
    return {snake(k): src.get(k) for k in keys}
