"""The generated policies cover every AWS call a real run makes.

``GITSNAP_RECORD_CALLS`` makes the command append each call it makes (client service and
operation) to a file; each is turned into its IAM actions through botocore's service model and
must be in ``gitsnap permissions`` (capture) or ``gitsnap permissions --restore`` (restore's
writes). The local AWS does not enforce IAM, so this is how a missing action is caught before a
real account refuses it.
"""

from __future__ import annotations

import json

import pytest

from gitsnap.collectors.permissions import operation_actions

from . import estate
from .test_restore import break_things

pytestmark = pytest.mark.e2e


def _recorded(path) -> set[tuple[str, str]]:
    return {tuple(line.split(" ", 1)) for line in path.read_text().splitlines() if line}  # type: ignore[misc]


def _uncovered(calls: set[tuple[str, str]], allowed: set[str]) -> list[str]:
    return sorted(f"{service} {op} -> {action}" for service, op in calls
                  for action in operation_actions(service, op) if action not in allowed)


def test_capture_and_restore_make_only_calls_their_policies_allow(gitsnap, endpoint, e2e_estate, tmp_path):
    info = e2e_estate
    estate.write_config(gitsnap.repo)
    reads = set(json.loads(gitsnap("permissions").out)["Statement"][0]["Action"])
    writes = set(json.loads(gitsnap("permissions", "--restore").out)["Statement"][0]["Action"])

    capture_log = tmp_path / "capture-calls"
    gitsnap("capture", "--tag", "v1.0", env={"GITSNAP_RECORD_CALLS": str(capture_log)})
    calls = _recorded(capture_log)
    assert ("s3", "ListBuckets") in calls and ("lambda", "GetFunction") in calls  # it did record the run
    assert _uncovered(calls, reads) == []

    break_things(endpoint, info)
    restore_log = tmp_path / "restore-calls"
    gitsnap("restore", "v1.0", "--apply", "--yes", "--no-capture", check=False,
            env={"GITSNAP_RECORD_CALLS": str(restore_log)})
    calls = _recorded(restore_log)
    assert any(op.startswith(("Put", "Update")) for _, op in calls)  # it did write
    assert _uncovered(calls, reads | writes) == []
