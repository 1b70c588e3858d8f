"""The run log (gitsnap-runs.jsonl): what a line may hold (never a value, never an error's text),
appends that never raise, and reads that survive a run killed mid-line."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from gitsnap.runlog import RUN_LOG, RunEntry, error_name, read_runs, record_run

C = "ab" * 20


def test_a_run_is_one_json_line_in_the_repository_folder_and_reads_back(tmp_path: Path):
    assert record_run(tmp_path, RunEntry("capture", "changes", 0, "2026-11-30T02:30:00Z", C, {"changes": 3}))
    assert record_run(tmp_path, {"command": "drift", "outcome": "no-drift", "exit_code": 0})
    lines = (tmp_path / RUN_LOG).read_text().splitlines()
    assert len(lines) == 2
    assert json.loads(lines[0]) == {"time": "2026-11-30T02:30:00Z", "command": "capture", "outcome": "changes",
                                    "exit_code": 0, "commit": C, "counts": {"changes": 3}}
    runs = read_runs(tmp_path)
    assert [(r.command, r.outcome, r.exit_code, r.commit) for r in runs] == [
        ("capture", "changes", 0, C), ("drift", "no-drift", 0, None)]
    assert runs[1].time.endswith("Z") and runs[1].when.tzinfo is not None


def test_no_value_and_no_error_text_reaches_the_log(tmp_path: Path):
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
    record_run(tmp_path, {"command": "capture", "outcome": "failed", "exit_code": 2,
                          "error": PermissionError(f"denied reading {secret}"), "message": secret,
                          "counts": {"changes": 1, "value": secret, f"{secret}": 2},
                          "units": ["aws/123456789012/us-east-1/s3"]})
    record_run(tmp_path, {"command": "capture", "outcome": "failed", "exit_code": 2, "error": f"oops {secret}"})
    text = (tmp_path / RUN_LOG).read_text()
    assert secret not in text and "denied" not in text and "oops" not in text
    first, second = read_runs(tmp_path)
    assert first.error == "PermissionError" and first.counts == {"changes": 1}
    assert first.units == ("aws/123456789012/us-east-1/s3",) and second.error is None


def test_error_name_keeps_a_class_name_only():
    assert error_name(ValueError("x=1")) == "ValueError" and error_name(KeyError) == "KeyError"
    assert error_name("botocore.exceptions.ClientError") == "botocore.exceptions.ClientError"
    assert error_name("An error occurred (AccessDenied)") is None and error_name(None) is None


def test_a_truncated_last_line_is_skipped_and_the_next_run_starts_its_own_line(tmp_path: Path):
    record_run(tmp_path, {"command": "capture", "outcome": "ok", "exit_code": 0})
    with open(tmp_path / RUN_LOG, "a") as fh:  # a run killed while writing its line
        fh.write('{"command":"capture","exit_code":0,"outc')
    assert [r.outcome for r in read_runs(tmp_path)] == ["ok"]
    assert record_run(tmp_path, {"command": "drift", "outcome": "drift", "exit_code": 1})
    assert [r.outcome for r in read_runs(tmp_path)] == ["ok", "drift"]


def test_a_failed_append_is_a_warning_never_an_exception(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    (tmp_path / "file").write_text("not a folder")
    with caplog.at_level(logging.WARNING, logger="gitsnap.runlog"):
        assert record_run(tmp_path / "file", {"command": "capture", "outcome": "ok", "exit_code": 0}) is False
        assert record_run(tmp_path, {"command": "capture", "outcome": "maybe", "exit_code": 0}) is False
        assert record_run(tmp_path, {"command": "restore", "outcome": "ok", "exit_code": 0}) is False
        assert record_run(tmp_path, {"command": "capture", "outcome": "ok", "exit_code": "0"}) is False
        assert record_run(tmp_path, {"command": "capture", "outcome": "ok", "exit_code": 0, "time": "yesterday"}) is False
        assert record_run(tmp_path, {"command": "capture", "outcome": "ok", "exit_code": 0, "commit": "HEAD"}) is False
    assert len([r for r in caplog.records if "could not add this run" in r.getMessage()]) == 6
    assert "outcome 'maybe'" in caplog.text
    assert not (tmp_path / RUN_LOG).exists()


def test_no_run_log_reads_as_no_runs(tmp_path: Path):
    assert read_runs(tmp_path) == []
    (tmp_path / RUN_LOG).write_bytes(b"\xff\xfe garbage\n[1,2]\n\n")
    assert read_runs(tmp_path) == []
