"""DynamoDB: tables (``table.py``), their items when asked (``items.py``), and how restore
creates, updates and deletes them (``restore.py``, ``writes.py``)."""

from __future__ import annotations

from .table import TABLE, fetch_sample, fetch_scalable_targets, fetch_tags, transform_table

TYPES = (TABLE,)

__all__ = ["TABLE", "TYPES", "fetch_sample", "fetch_scalable_targets", "fetch_tags", "transform_table"]
