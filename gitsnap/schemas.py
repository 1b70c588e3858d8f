"""JSON Schemas: the config schema and one schema per normalized resource type.

Schemas live in the top-level ``schemas/`` folder of the source tree, and are
shipped inside the wheel as ``gitsnap/_schemas``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from .errors import GitsnapError


class SchemaError(GitsnapError):
    """A document does not match its declared schema."""


def schema_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "_schemas", here.parent / "schemas"):
        if candidate.is_dir():
            return candidate
    raise SchemaError("gitsnap's schemas folder is missing: reinstall gitsnap")


@cache
def load(name: str) -> dict[str, Any]:
    path = schema_dir() / f"{name}.json"
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise SchemaError(f"no schema named {name!r} in {path.parent}") from exc


@cache
def validator(name: str) -> jsonschema.protocols.Validator:
    schema = load(name)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def errors(name: str, doc: Any) -> list[jsonschema.ValidationError]:
    return sorted(validator(name).iter_errors(doc), key=lambda e: list(e.absolute_path))


def where(error: jsonschema.ValidationError) -> str:
    return ".".join(str(p) for p in error.absolute_path) or "(top level)"
