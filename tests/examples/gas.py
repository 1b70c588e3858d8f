"""Examples of gas resources: the raw API shape each type's transform is given.

No round trip on the local AWS: Apps Script is Google's API, served in tests by
gitsnap.sandbox.gas.FakeAppsScript; its restore round trip runs through the command in
tests/e2e/test_gas.py.
"""

from __future__ import annotations

from . import Example

EXAMPLES = {
    "project": Example(raw={"name": "jada-main", "script_id": "1Abc", "Project": {"title": "JADA"},
                            "Content": [{"name": "Code", "type": "SERVER_JS", "source": "function f() {}"}],
                            "Versions": [{"versionNumber": 1}],
                            "Deployments": [{"deploymentId": "d", "updateTime": "x",
                                             "deploymentConfig": {"scriptId": "1Abc", "versionNumber": 1}}]},
                       no_round_trip="Google's API, not AWS: the Apps Script fake round trip is tests/e2e/test_gas.py::"
                                     "test_files_and_deployments_are_restored_and_versions_listed"),
}
