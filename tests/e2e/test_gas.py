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


def test_a_checkout_of_the_snapshot_is_a_clasp_project(gitsnap, gas):
    """``source/.clasp.json`` names the script, so ``clasp push`` run in ``gas/<name>/source`` of a
    checkout pushes exactly the project's files (clasp's default ignore pushes appsscript.json,
    *.gs, *.js and *.html from the folder holding .clasp.json)."""
    _, url = gas
    (gitsnap.repo / "gitsnap.toml").write_text(config(url, {"jada-main": "1JadaMainScriptId"}))
    gitsnap("capture", "--only", "gas", "--tag", "v1.0")
    assert json.loads(gitsnap.show("v1.0:gas/jada-main/source/.clasp.json")) == {"scriptId": "1JadaMainScriptId"}
    listed = gitsnap.git("ls-tree", "--name-only", "v1.0:gas/jada-main/source").split()
    pushed = sorted(n for n in listed if n == "appsscript.json" or n.endswith((".gs", ".js", ".html")))
    assert pushed == ["Code.gs", "Email.html", "appsscript.json"]
    assert sorted(listed) == sorted([*pushed, ".clasp.json"])
    # the project's document is still project.json, and .clasp.json is not sent as a script file
    assert json.loads(gitsnap.show("v1.0:gas/jada-main/project.json"))["ScriptId"] == "1JadaMainScriptId"


def test_files_and_deployments_are_restored_and_versions_listed(gitsnap, gas):
    """A deployment moved to another version by hand goes back (deployments.update); a version
    made since is kept (versions cannot be deleted); a deleted deployment cannot be recreated
    under its id, and the restore says so and exits 3."""
    fake, url = gas
    (gitsnap.repo / "gitsnap.toml").write_text(config(url, {"jada-main": "1JadaMainScriptId"}))
    gitsnap("capture", "--only", "gas", "--tag", "v1.0")
    proj = fake.projects["1JadaMainScriptId"]
    before = dict(proj["deployments"][0]["deploymentConfig"])
    proj["versions"].append({"scriptId": "1JadaMainScriptId", "versionNumber": 4, "description": "hotfix",
                             "createTime": "2024-07-01T00:00:00Z"})  # as versions.create makes it
    proj["deployments"][0]["deploymentConfig"].update(versionNumber=4, description="hotfix by hand")
    proj["files"][1]["source"] = "function doPost(e) { return 'broken'; }\n"

    plan = json.loads(gitsnap("restore", "v1.0", "gas/jada-main", "--format", "json", check=False).out)["operations"]
    got = {(op["verb"], op["target"]) for op in plan}
    assert {("update", "source/Code.gs"), ("update", "Deployments.AKfy-1JadaM"), ("kept", "Versions.4")} <= got, got
    r = gitsnap("restore", "v1.0", "gas/jada-main", "--apply", "--yes", "--no-capture")
    assert "Live state now matches v1.0, except 1 live-only item kept" in r.out, r.out
    assert proj["deployments"][0]["deploymentConfig"] == before
    assert {f["name"]: f["source"] for f in proj["files"]}["Code"] == SAMPLE["1JadaMainScriptId"][1][1]["source"]

    proj["deployments"].clear()
    r = gitsnap("restore", "v1.0", "gas/jada-main", "--apply", "--yes", "--no-capture", check=False)
    assert r.code == 3, r.out + r.err
    line = next(x for x in r.out.splitlines() if x.startswith("  gas/jada-main:"))
    assert "cannot-restore Deployments.AKfy-1JadaM" in line and "cannot be recreated under its id" in line
