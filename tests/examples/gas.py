"""Examples of gas resources: the raw API shape each type's transform is given."""

from __future__ import annotations

from . import Example

EXAMPLES = {
    "project": Example(raw={"name": "jada-main", "script_id": "1Abc", "Project": {"title": "JADA"},
                         "Content": [{"name": "Code", "type": "SERVER_JS", "source": "function f() {}"}],
                         "Versions": [{"versionNumber": 1}], "Deployments": [{"deploymentId": "d", "updateTime": "x"}]}),
}
