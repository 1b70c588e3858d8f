"""Capture's public names, for the command line, restore, drift and tests.

The work is done in :mod:`gitsnap.capture`: planning (``gitsnap.plan``), running units
(``capture.units``), normalizing (``capture.finish``), the pipeline into a sink
(``capture.pipeline``) and writing the commit (``capture.write``).
"""

from __future__ import annotations

from .capture.finish import DocumentError, finish_document, make_guard, unique_addresses
from .capture.pipeline import HashingSink
from .capture.run import Capture, CaptureFailedError, CaptureResult
from .capture.units import UnitResult
from .capture.write import CaptureRequest

__all__ = [
    "Capture",
    "CaptureFailedError",
    "CaptureRequest",
    "CaptureResult",
    "DocumentError",
    "HashingSink",
    "UnitResult",
    "finish_document",
    "make_guard",
    "unique_addresses",
]
