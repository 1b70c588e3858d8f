"""Apps Script projects through google-api-python-client, against a local fake of the REST API.

moto has no Google APIs: gitsnap.sandbox.gas.FakeAppsScript serves script v1 over HTTP
(get, getContent, versions.list paged, deployments.list), and gitsnap reaches it through
[gas] api_endpoint with anonymous credentials, as a user testing locally would.
"""

from __future__ import annotations

import json

import pytest

from gitsnap.sandbox.gas import SAMPLE, FakeAppsScript, seed

pytestmark = pytest.mark.e2e

GOOGLE_KEY = "AIzaSyFAKEFAKEFAKEFAKEFAKEFAKEFAKE12345"


@pytest.fixture
def gas():
    fake = FakeAppsScript()
    url = fake.start()
    seed(fake)
    fake.add("1SecretScriptId", "EYD GAS Project", [
        {"name": "appsscript", "type": "JSON", "source": "{}"},
        {"name": "Config", "type": "SERVER_JS", "source": f"const MAPS_KEY = '{GOOGLE_KEY}';\n"}])
    yield fake, url
    fake.stop()


def config(url: str, projects: dict[str, str]) -> str:
    lines = [f'[gas]\napi_endpoint = "{url}"']
    for name, sid in projects.items():
        lines.append(f'[[gas.projects]]\nname = "{name}"\nscript_id = "{sid}"')
    return "\n".join(lines) + "\n"


def test_projects_are_captured_as_readable_files(gitsnap, gas):
    fake, url = gas
    (gitsnap.repo / "gitsnap.toml").write_text(config(url, {
        "jada-main": "1JadaMainScriptId", "rady-shell": "1RadyShellScriptId", "eyd": "1SecretScriptId"}))
    result = gitsnap("capture", "--only", "gas", "--tag", "v1.0")
    for name, sid in (("jada-main", "1JadaMainScriptId"), ("rady-shell", "1RadyShellScriptId")):
        for f in SAMPLE[sid][1]:
            ext = {"SERVER_JS": ".gs", "HTML": ".html", "JSON": ".json"}[f["type"]]
            assert gitsnap.show(f"v1.0:gas/{name}/source/{f['name']}{ext}").decode() == f["source"]
    doc = json.loads(gitsnap.show("v1.0:gas/jada-main/project.json"))
    assert doc["Title"] == "JADA Main Project" and doc["ScriptId"] == "1JadaMainScriptId"
    assert [v["versionNumber"] for v in doc["Versions"]] == [1, 2, 3]  # followed nextPageToken
    assert doc["Deployments"][0]["deploymentConfig"]["versionNumber"] == 3
    assert GOOGLE_KEY.encode() not in gitsnap.all_objects()
    assert "google-api-key" in result.err
    assert {"gas/jada-main", "gas/rady-shell", "gas/eyd"} <= set(gitsnap.manifest("v1.0")["resources"])
    # an edit in the editor shows up as a code diff
    fake.projects["1JadaMainScriptId"]["files"][1]["source"] = "function doPost(e) {\n  return 'changed';\n}\n"
    gitsnap("capture", "--only", "gas")
    out = gitsnap("diff", "v1.0", "HEAD", "--content").out
    assert "gas/jada-main  file source/Code.gs: changed" in out and "+  return 'changed';" in out


def test_denied_and_unknown_projects_are_clear_errors(gitsnap, gas):
    fake, url = gas
    fake.deny.add("1RadyShellScriptId")
    (gitsnap.repo / "gitsnap.toml").write_text(config(url, {"rady-shell": "1RadyShellScriptId"}))
    r = gitsnap("capture", "--only", "gas", check=False)
    assert r.code == 2 and "gas/rady-shell: projects.get: access denied (403)" in r.err and "Traceback" not in r.err
    (gitsnap.repo / "gitsnap.toml").write_text(config(url, {"typo": "1NoSuchScript"}))
    r = gitsnap("capture", "--only", "gas", check=False)
    assert r.code == 2 and "gas/typo: projects.get: not found (404); check script_id" in r.err
    assert gitsnap.head() is None
