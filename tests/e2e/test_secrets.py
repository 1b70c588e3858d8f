"""The secret corpus, planted everywhere a secret could hide: none may reach any git object.

Places: Lambda environment values and API Gateway stage variables (declared secrets,
fingerprinted), S3 object metadata, Apps Script source and local files (the second net),
and .env files (reduced to names).
"""

from __future__ import annotations

import pytest

from gitsnap.sandbox import estate as sample
from gitsnap.sandbox.gas import FakeAppsScript

from ..unit.test_redact import CORPUS, SECRET_PART

pytestmark = pytest.mark.e2e
PLACES = ("lambda-env", "stage-variable", "s3-metadata", "apps-script", "local-file", "env-file")


def secret_of(shape: str) -> str:
    if shape == "private-key-block":
        return "MIIEowIBAAKCAQEA7"
    return SECRET_PART.get(shape, CORPUS[shape])


def test_no_planted_secret_reaches_git(gitsnap, endpoint, tmp_path):
    sample.seed(endpoint)
    c = sample.clients(endpoint)
    planted: dict[str, list[str]] = {p: [] for p in PLACES}
    for i, shape in enumerate(sorted(CORPUS)):
        place = PLACES[i % len(PLACES)]
        if place == "s3-metadata" and "\n" in CORPUS[shape]:
            place = "local-file"
        planted[place].append(shape)
    assert sum(len(v) for v in planted.values()) >= 20 and all(planted.values())

    env = {f"V{i}": CORPUS[s] for i, s in enumerate(planted["lambda-env"])}
    c("lambda").update_function_configuration(FunctionName="jada-contact-form", Environment={"Variables": env})
    api = next(a["id"] for a in c("apigateway").get_rest_apis()["items"])
    c("apigateway").update_stage(restApiId=api, stageName="prod", patchOperations=[
        {"op": "replace", "path": f"/variables/S{i}", "value": CORPUS[s]} for i, s in enumerate(planted["stage-variable"])])
    for i, s in enumerate(planted["s3-metadata"]):
        c("s3").put_object(Bucket="sailjada-prod", Key=f"meta/{i}.txt", Body=b"x", Metadata={"note": CORPUS[s]})
    fake = FakeAppsScript()
    url = fake.start()
    fake.add("1Corpus", "corpus", [{"name": "appsscript", "type": "JSON", "source": "{}"}] + [
        {"name": f"F{i}", "type": "SERVER_JS", "source": f"var x = '{CORPUS[s]}';\n"}
        for i, s in enumerate(planted["apps-script"])])
    site = tmp_path / "site"
    site.mkdir()
    for i, s in enumerate(planted["local-file"]):
        (site / f"config{i}.txt").write_text(f"# deploy settings\n{CORPUS[s]}\n")
    (site / ".env").write_text("".join(f"K{i}={CORPUS[s]}\n" for i, s in enumerate(planted["env-file"])))
    (gitsnap.repo / "gitsnap.toml").write_text(
        f'[gas]\napi_endpoint = "{url}"\n[[gas.projects]]\nname = "corpus"\nscript_id = "1Corpus"\n'
        f'[local]\nenv_files = ["{site}/.env"]\n[[local.paths]]\nname = "site"\npath = "{site}"\n')
    try:
        result = gitsnap("capture", "-m", "corpus")
    finally:
        fake.stop()
    objects = gitsnap.all_objects()
    leaked = [s for s in CORPUS if secret_of(s).encode() in objects]
    assert leaked == []
    for text in (result.out, result.err):
        assert not [s for s in CORPUS if secret_of(s) in text]
    # the second net reports what it caught, by place and shape
    for shape in planted["apps-script"] + planted["local-file"] + planted["s3-metadata"]:
        assert f": {shape}" in result.err, shape
