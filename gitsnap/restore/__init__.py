"""Restore: put live state back to a snapshot, plan first.

``plan`` compares live state (read into memory) with the snapshot and turns the differences
into operations, one module per service that can be restored. ``run`` re-checks that live
state has not moved since the plan, applies, verifies by planning again (an applied restore
leaves nothing to do), and records the result as a capture.
"""
