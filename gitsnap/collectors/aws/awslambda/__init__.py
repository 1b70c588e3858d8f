"""Lambda: functions (``lambda/NAME``), layers (``lambda/layer/NAME``) and event source mappings
(``lambda/event-source-mapping/UUID``), each captured and restored by its own module:

- ``function.py``: a function's capture (configuration, code, policies, aliases, versions, URL
  configs); ``update.py`` and ``urls.py`` restore one that differs, ``create.py`` recreates one
  deleted live (and deletes one live only);
- ``layer.py``: a layer's versions and their content; ``layer_restore.py`` restores them;
- ``esm.py``: event source mappings, captured and restored;
- ``package.py``: code packages downloaded, checked and stored; ``common.py``: what the restore
  steps share (guards, the wait for a function to settle, layer references).
"""

from __future__ import annotations

from .common import FunctionUpdateError, revision, settled
from .esm import EVENT_SOURCE_MAPPING
from .function import FUNCTION, capture_code, role_address, transform_function
from .layer import LAYER
from .package import extract_source, get_package, package_problem, safe_member
from .update import (
    CONFIG_FIELDS,
    permission_params,
    plan_aliases,
    plan_function,
    plan_policy,
    plan_versions,
)

TYPES = (FUNCTION, LAYER, EVENT_SOURCE_MAPPING)

__all__ = [
    "CONFIG_FIELDS", "EVENT_SOURCE_MAPPING", "FUNCTION", "LAYER", "TYPES", "FunctionUpdateError", "capture_code",
    "extract_source", "get_package", "package_problem", "permission_params", "plan_aliases", "plan_function",
    "plan_policy", "plan_versions", "revision", "role_address", "safe_member", "settled", "transform_function",
]
