"""Progress on a terminal (rich), nothing otherwise; the capture summary table."""

from __future__ import annotations

import threading

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from .engine import CaptureResult
from .manifest import human_bytes
from .words import plural

OVERALL = "capture"  # the first row: the whole capture's elapsed time, and its steps done of started


class RichReporter:
    """Per-service and per-bucket progress bars under one row for the whole capture, drawn only
    when stderr is a terminal.

    Each service's or bucket's bar lives only while it is read, and most take under a second,
    so their elapsed column alone would read 0:00:00 all along: the first row's is the capture's
    own, started on entry and running until the end."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.enabled = console.is_terminal
        self._progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=console, transient=True,
        )
        self._tasks: dict[str, TaskID] = {}
        self._lock = threading.Lock()
        self._overall: TaskID | None = None
        self._started = 0

    def __enter__(self) -> RichReporter:
        if self.enabled:
            self._overall = self._progress.add_task(OVERALL, total=None)
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self._progress.stop()

    def start(self, key: str, label: str, total: int | None = None) -> None:
        if self.enabled:
            with self._lock:
                self._tasks[key] = self._progress.add_task(label, total=total)
                if self._overall is not None:
                    self._started += 1
                    self._progress.update(self._overall, total=self._started)

    def advance(self, key: str, n: int = 1, total: int | None = None) -> None:
        if self.enabled and key in self._tasks:
            self._progress.advance(self._tasks[key], n)

    def finish(self, key: str) -> None:
        if self.enabled and key in self._tasks:
            with self._lock:
                self._progress.remove_task(self._tasks.pop(key))
                if self._overall is not None:
                    self._progress.advance(self._overall)

    def warn(self, message: str) -> None:
        # the message is text, not markup ("[aws] regions" must print as typed), and one line
        # even when stderr is not a terminal: scripts grep it
        self.console.print(Text.assemble(("warning:", "yellow"), " ", message), highlight=False, soft_wrap=True)


def summary_table(result: CaptureResult) -> Table:
    table = Table(title="capture summary", show_header=True, header_style="bold")
    for col in ("unit", "status", "resources", "seconds"):
        table.add_column(col, justify="right" if col in ("resources", "seconds") else "left")
    for u in sorted(result.units, key=lambda u: u.path):
        table.add_row(u.path, u.status, str(len(u.resources)), f"{u.seconds:.1f}")
    table.caption = transform_caption(result)
    return table


def transform_caption(result: CaptureResult) -> str:
    """The line under the summary table. Pure.

    Two counts that differ, each said for what it is. *Bodies* are distinct contents, each
    stored once however many keys, buckets or functions hold it, as MANIFEST.md counts them
    ("14 bodies"): here, those the units read reference (a capture of every unit: the same
    number). *Downloaded* and *reused* count reads, per object or package: the same bytes under
    two keys are two downloads and one body."""
    c = result.counters
    bodies = len({blob for u in result.units for blob in u.blobs})
    return (f"{plural(c.resources, 'resource')}, {plural(c.objects, 'object')} ({human_bytes(c.bytes)}), "
            f"{plural(bodies, 'body', 'bodies')}; per object or package read: {c.new_blobs} downloaded "
            f"({human_bytes(c.downloaded_bytes)}), {c.reused_blobs} reused; {result.seconds:.1f} s")
