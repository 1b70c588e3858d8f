"""The gitsnap command line: thin click commands over the library.

``app.py`` holds the command group, its global options and the one table of exit codes
(:class:`Exit`, :data:`EXIT_FOR`); each other module adds one family of commands to it.
"""

from __future__ import annotations

from . import audit, compare, iac, maintain, putback, remote, sandbox, schedule, shards, snapshots  # noqa: F401 (each registers its commands)
from .app import EXIT_FOR, Exit, cli, code_for, main

__all__ = ["EXIT_FOR", "Exit", "cli", "code_for", "main"]
