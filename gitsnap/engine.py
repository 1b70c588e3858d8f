"""Capture's public names, for the command line, restore, drift and tests.

The work is done in :mod:`gitsnap.capture`: planning (``gitsnap.plan``), running units
(``capture.units``), normalizing (``capture.finish``), the pipeline into a sink
(``capture.pipeline``) and writing the commit (``capture.write``), or a shard commit and
their combination into one snapshot (``capture.shards``, ``capture.combine``).
"""

from __future__ import annotations

from .capture.combine import Combined, combine
from .capture.finish import DocumentError, finish_document, make_guard, unique_addresses
from .capture.pipeline import HashingSink
from .capture.run import Capture, CaptureFailedError, CaptureResult
from .capture.shards import SHARD_REFS, TRAILER, check_shard_name, shard_ref
from .capture.units import UnitResult
from .capture.write import CaptureRequest

__all__ = [
    "Capture",
    "CaptureFailedError",
    "CaptureRequest",
    "CaptureResult",
    "Combined",
    "DocumentError",
    "HashingSink",
    "SHARD_REFS",
    "TRAILER",
    "UnitResult",
    "check_shard_name",
    "combine",
    "finish_document",
    "make_guard",
    "shard_ref",
    "unique_addresses",
]
