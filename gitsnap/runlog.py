"""The run log: one JSON line per capture or drift check, appended in the repository folder.

A failed capture and a drift check leave no commit, so the history of snapshots alone cannot
say that a night's capture failed or that drift was found. ``gitsnap-runs.jsonl`` sits at the
root of the repository folder, beside ``HEAD``, ``gitsnap.lock`` and ``gitsnap.toml``: like them
it is never part of a snapshot, and git ignores it. One line per run::

    {"command":"capture","commit":"1a2b...","counts":{"changes":3},"exit_code":0,"outcome":"changes",
     "time":"2026-11-30T02:30:00Z"}

What a line may hold is fixed here, so no caller can put a value in it: the time (UTC, ISO
8601), the command (``capture`` or ``drift``), the outcome, the exit code, the snapshot commit
if any, counts (name -> integer), the error's class name (never its message) and the failing
units' addresses. Anything else is dropped before writing.

Writing never raises: a run log that cannot be written is a warning, and the command's exit code
stays what it was. Reading skips lines that are not whole entries (a run killed mid-write).
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

RUN_LOG = "gitsnap-runs.jsonl"
COMMANDS = frozenset({"capture", "drift"})
OUTCOMES = frozenset({"ok", "changes", "partial", "failed", "drift", "no-drift"})
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,99}")  # a class name or a count's name: no free text
_COMMIT = re.compile(r"[0-9a-f]{40}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z")
MAX_UNITS = 100  # failing units kept per line: a whole account failing stays one short line
MAX_UNIT = 300  # characters of one unit address


class RunLogError(ValueError):
    """An entry that cannot be a run log line (its field and why); record_run logs it."""


def now_iso() -> str:
    """The current UTC time as the run log writes it: ``2026-11-30T02:30:00Z``."""
    return _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class RunEntry:
    """One run: what ran, how it ended, counts. Never a value, never an error's message."""

    command: str
    outcome: str
    exit_code: int
    time: str = field(default_factory=now_iso)
    commit: str | None = None
    counts: Mapping[str, int] = field(default_factory=dict)
    error: str | None = None  # the error's class name only
    units: tuple[str, ...] = ()  # the failing units' addresses (aws/<account>/<region>/<service>, gas, local)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"time": self.time, "command": self.command, "outcome": self.outcome,
                               "exit_code": self.exit_code}
        if self.commit:
            out["commit"] = self.commit
        if self.counts:
            out["counts"] = dict(sorted(self.counts.items()))
        if self.error:
            out["error"] = self.error
        if self.units:
            out["units"] = list(self.units)
        return out

    @property
    def when(self) -> _dt.datetime:
        """The run's time as an aware UTC datetime."""
        return _dt.datetime.strptime(self.time[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=_dt.UTC)


def error_name(error: BaseException | type | str | None) -> str | None:
    """An error as the run log keeps it: its class name, nothing of its message. Pure.

    A string is kept only if it looks like a class name (``ConcurrentUpdateError``,
    ``botocore.exceptions.ClientError``); any other text could hold a value and becomes None.
    """
    if error is None:
        return None
    if isinstance(error, BaseException):
        return type(error).__name__
    if isinstance(error, type):
        return error.__name__
    return error if isinstance(error, str) and _NAME.fullmatch(error) else None


def transform_entry(data: Mapping[str, Any] | RunEntry) -> RunEntry:
    """A run log entry checked and reduced to what a line may hold. Pure.

    Raises:
        RunLogError: the command, outcome, exit code, time or commit is not one a line can hold.
    """
    if isinstance(data, RunEntry):
        data = {**data.to_json(), "error": data.error, "counts": data.counts, "units": data.units}
    command, outcome, code = data.get("command"), data.get("outcome"), data.get("exit_code")
    if command not in COMMANDS:
        raise RunLogError(f"command {command!r} is not one of {sorted(COMMANDS)}")
    if outcome not in OUTCOMES:
        raise RunLogError(f"outcome {outcome!r} is not one of {sorted(OUTCOMES)}")
    if type(code) is not int:
        raise RunLogError(f"exit_code {code!r} is not an integer")
    time = data.get("time") or now_iso()
    if not isinstance(time, str) or not _TIME.fullmatch(time):
        raise RunLogError(f"time {time!r} is not UTC ISO 8601 (2026-11-30T02:30:00Z)")
    commit = data.get("commit")
    if commit is not None and not (isinstance(commit, str) and _COMMIT.fullmatch(commit)):
        raise RunLogError("commit is not a 40-digit commit id")
    counts = data.get("counts") or {}
    kept = {k: v for k, v in counts.items() if isinstance(k, str) and _NAME.fullmatch(k) and type(v) is int} \
        if isinstance(counts, Mapping) else {}
    units = data.get("units") or ()
    units = tuple(u for u in units if isinstance(u, str) and 0 < len(u) <= MAX_UNIT)[:MAX_UNITS] \
        if isinstance(units, list | tuple) else ()
    return RunEntry(command=command, outcome=outcome, exit_code=code, time=time, commit=commit, counts=kept,
                    error=error_name(data.get("error")), units=units)


def record_run(repo_path: Path | str, entry: Mapping[str, Any] | RunEntry) -> bool:
    """Append one run to the repository's run log. Never raises: whether it was written.

    A failed append (a bad entry, a read-only disk) is logged as a warning; the command that
    ran keeps its exit code. A line a killed run left unfinished is closed first, so the new
    line starts on its own.
    """
    try:
        line = json.dumps(transform_entry(entry).to_json(), sort_keys=True, ensure_ascii=True,
                          separators=(",", ":")) + "\n"
        path = Path(repo_path) / RUN_LOG
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = "\n" + line
            os.write(fd, line.encode("ascii"))  # one write: appends from two runs never interleave
        finally:
            os.close(fd)
    except Exception as exc:  # noqa: BLE001 (the run's own outcome matters more than its log line)
        log.warning("could not add this run to %s (%s): the run itself is unaffected",
                    Path(repo_path) / RUN_LOG, type(exc).__name__ if not isinstance(exc, RunLogError) else exc)
        return False
    return True


def transform_runs(text: str) -> list[RunEntry]:
    """The entries of a run log's text, in order; lines that are not whole entries skipped. Pure."""
    out = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            out.append(transform_entry(data) if isinstance(data, dict) else None)
        except (ValueError, RunLogError):
            log.debug("skipped a run log line that is not a whole entry: %.60r", line)
            continue
    return [e for e in out if e is not None]


def read_runs(repo_path: Path | str) -> list[RunEntry]:
    """Every run in the repository's run log, oldest first ([] when there is none).

    A truncated last line (a run killed while writing it) and any other malformed line are
    skipped; a run log that cannot be read at all is a warning and [].
    """
    path = Path(repo_path) / RUN_LOG
    try:
        text = path.read_bytes().decode("utf-8", "replace")
    except FileNotFoundError:
        return []
    except OSError as exc:
        log.warning("cannot read %s (%s): runs without a snapshot are not shown", path, exc.strerror)
        return []
    return transform_runs(text)
