"""restore: plan first, apply on request, live matches the snapshot afterwards."""

from __future__ import annotations

import json
import os

import pytest

from gitsnap.sandbox import estate as sample

from . import estate

pytestmark = pytest.mark.e2e


def client(endpoint: str, service: str):
    return sample.clients(endpoint)(service)


@pytest.fixture
def v1(capture_once, copy_of):
    """(gitsnap, info) after ``estate.build`` and ``capture --tag v1.0 -m "known good"``: this
    test's own copy of one such capture per worker (the same template tests/e2e/test_capture.py
    takes: its repository, and the sandbox's state right after it)."""
    g, info, _ = copy_of(capture_once("e2e", "capture", "--tag", "v1.0", "-m", "known good", setup=estate.configure))
    return g, info


def in_process(g, monkeypatch, *patterns: str):
    """A Restore run in this process (to reach between its steps), with the CLI's environment."""
    from gitsnap.config import load
    from gitsnap.keys import fingerprinter
    from gitsnap.restore.run import Restore
    from gitsnap.store import SnapshotStore

    for k, v in g.env.items():
        monkeypatch.setenv(k, v)
    return Restore(SnapshotStore(g.repo), load(g.repo / "gitsnap.toml"), fingerprinter(SnapshotStore(g.repo)), "v1.0",
                   patterns)


def body(endpoint: str, bucket: str, key: str) -> bytes:
    return client(endpoint, "s3").get_object(Bucket=bucket, Key=key)["Body"].read()


def snapshot_index(g, bucket: str) -> dict[str, dict]:
    path = f"v1.0:aws/{sample.ACCOUNT}/us-east-1/s3/bucket/{bucket}/objects.jsonl"
    return {e["key"]: e for e in (json.loads(line) for line in g.show(path).decode().split("\n") if line)}


def break_things(endpoint: str, info: dict) -> None:
    """The seeds' story and then some: a reverted page, deleted keys, a new key, config drift."""
    sample.change(endpoint)  # event page, DefaultTTL, Lambda timeout + rotated secret
    s3 = client(endpoint, "s3")
    s3.delete_object(Bucket=estate.EDGE_BUCKET, Key="x//y")
    s3.delete_object(Bucket=estate.EDGE_BUCKET, Key="../z")
    s3.put_object(Bucket=estate.EDGE_BUCKET, Key="\u00fcn\u00ef/c\u00f8d\u00e9 \u2713.html", Body=b"<p>overwritten</p>")
    s3.put_object(Bucket=estate.EDGE_BUCKET, Key="added-later.html", Body=b"new")
    lam = client(endpoint, "lambda")
    lam.update_function_code(FunctionName="jada-event-processor",
                             ZipFile=sample.zip_source({"app.py": "def handler(e, c):\n    return 'v2'\n"}))
    r53 = client(endpoint, "route53")
    zone = info["zones"]["sailjada.com"]
    www = next(r for r in r53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"] if r["Type"] == "CNAME")
    r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
        {"Action": "UPSERT", "ResourceRecordSet": {**www, "TTL": 60}},
        {"Action": "CREATE", "ResourceRecordSet": {"Name": "promo.sailjada.com", "Type": "A", "TTL": 300,
                                                   "ResourceRecords": [{"Value": "203.0.113.7"}]}}]})


def test_plan_changes_nothing_then_apply_puts_it_back(v1, endpoint):
    g, info = v1
    break_things(endpoint, info)
    before = body(endpoint, "sailjada-prod", "events/james-taylor.html")
    plan = g("restore", "v1.0", "--format", "json", check=False)
    assert plan.code == 1
    ops = {(op["address"], op["verb"], op["target"]) for op in json.loads(plan.out)["operations"]}
    dist = info["distributions"]["sailjada-prod"]
    expected = {
        ("s3/sailjada-prod", "put", "s3://sailjada-prod/events/james-taylor.html"),
        ("s3/edge-keys", "put", "s3://edge-keys/x//y"),
        ("s3/edge-keys", "put", "s3://edge-keys/../z"),
        ("s3/edge-keys", "put", "s3://edge-keys/\u00fcn\u00ef/c\u00f8d\u00e9 \u2713.html"),
        ("s3/edge-keys", "kept", "s3://edge-keys/added-later.html"),
        (f"cloudfront/{dist}", "update", "DistributionConfig.DefaultCacheBehavior.DefaultTTL"),
        ("lambda/jada-event-processor", "update-code", "lambda/jada-event-processor"),
        ("lambda/jada-event-processor", "update", "Configuration.Timeout"),
        # the rotated secret goes back too: this machine has the identity that opens its sealed value
        ("lambda/jada-event-processor", "update", "Configuration.Environment.Variables.STRIPE_SECRET_KEY"),
        ("route53/sailjada.com", "upsert", "www.sailjada.com. CNAME"),
        ("route53/sailjada.com", "kept", "promo.sailjada.com. A"),
        ("s3/sailjada-prod", "invalidate", f"cloudfront/{dist}"),
    }
    assert expected <= ops
    assert {op for op in ops if op[1] in ("put", "update", "update-code", "upsert", "delete")} == {
        op for op in expected if op[1] in ("put", "update", "update-code", "upsert", "delete")}
    assert body(endpoint, "sailjada-prod", "events/james-taylor.html") == before  # the plan changed nothing

    applied = g("restore", "v1.0", "--apply", "--yes")
    # the outcome comes from re-reading live state: per resource, then one line that says what is left
    assert "Live state now matches v1.0, except 2 live-only items kept (listed above as kept)" in applied.out
    assert "  lambda/jada-event-processor: applied 2 operations; matches" in applied.out
    assert "  route53/sailjada.com: applied 1 operation; kept 1 live-only item" in applied.out
    assert "Recorded the restored live state" in applied.out
    for bucket in ("sailjada-prod", estate.EDGE_BUCKET):
        for key, e in snapshot_index(g, bucket).items():
            assert body(endpoint, bucket, key) == g.git("cat-file", "blob", e["blob"], binary=True), key
    assert body(endpoint, estate.EDGE_BUCKET, "added-later.html") == b"new"  # kept without --delete
    cf = client(endpoint, "cloudfront").get_distribution_config(Id=dist)["DistributionConfig"]
    assert cf["DefaultCacheBehavior"]["DefaultTTL"] == 86400
    assert cf["Origins"]["Items"][0]["CustomHeaders"]["Items"][0]["HeaderValue"] == sample.SECRETS["origin_header"]
    fn = client(endpoint, "lambda").get_function(FunctionName="jada-event-processor")
    assert fn["Configuration"]["Timeout"] == 10
    assert fn["Configuration"]["Environment"]["Variables"]["STRIPE_SECRET_KEY"] == sample.SECRETS["stripe"]
    doc = json.loads(g.show(f"v1.0:aws/{sample.ACCOUNT}/us-east-1/lambda/function/jada-event-processor/function.json"))
    assert fn["Configuration"]["CodeSha256"] == doc["Configuration"]["CodeSha256"]
    assert "restore v1.0" in g("log", "-n", "1").out
    again = g("restore", "v1.0", "--format", "json", check=False)
    assert again.code == 1  # what was kept is still a difference
    assert {(op["verb"], op["target"]) for op in json.loads(again.out)["operations"]} == {
        ("kept", "s3://edge-keys/added-later.html"), ("kept", "promo.sailjada.com. A")}

    g("restore", "v1.0", "--apply", "--yes", "--delete")
    keys = [o["Key"] for o in client(endpoint, "s3").list_objects_v2(Bucket=estate.EDGE_BUCKET)["Contents"]]
    assert "added-later.html" not in keys
    records = client(endpoint, "route53").list_resource_record_sets(HostedZoneId=info["zones"]["sailjada.com"])
    assert "promo.sailjada.com." not in {r["Name"] for r in records["ResourceRecordSets"]}


def test_selection_by_address_and_glob(v1, endpoint):
    g, info = v1
    break_things(endpoint, info)
    out = json.loads(g("restore", "v1.0", "s3/sailjada-*", "--format", "json", check=False).out)
    assert {op["address"] for op in out["operations"]} == {"s3/sailjada-prod"}
    g("restore", "v1.0", "s3/sailjada-prod", "--apply", "--yes")
    assert b"6pm" in body(endpoint, "sailjada-prod", "events/james-taylor.html")
    fn = client(endpoint, "lambda").get_function_configuration(FunctionName="jada-event-processor")
    assert fn["Timeout"] == 30  # not selected: untouched


def test_refusals_change_nothing(v1, endpoint):
    g, info = v1
    break_things(endpoint, info)
    before = body(endpoint, "sailjada-prod", "events/james-taylor.html")
    r = g("restore", "v1.0", "--apply", check=False)  # stdin is not a terminal here
    assert r.code == 2 and "--apply needs --yes when not run from a terminal" in r.err and "Traceback" not in r.err
    r = g("restore", "v1.0", "s3/no-such-bucket", check=False)
    assert r.code == 2 and "no resource matches 's3/no-such-bucket'" in r.err
    r = g("restore", "v9", check=False)
    assert r.code == 2 and "unknown revision 'v9'" in r.err
    # a snapshot whose bodies are gone from the repository (its packs deleted): refused
    # before anything is applied
    for pack in (g.repo / "objects" / "pack").glob("pack-*"):
        os.remove(pack)
    r = g("restore", "v1.0", "--apply", "--yes", check=False)
    assert r.code == 2 and "is missing from the repository" in r.err
    assert body(endpoint, "sailjada-prod", "events/james-taylor.html") == before
    assert client(endpoint, "lambda").get_function_configuration(FunctionName="jada-event-processor")["Timeout"] == 30


def test_live_change_between_plan_and_apply_is_refused(v1, endpoint, monkeypatch):
    from gitsnap.restore.run import RestoreError

    g, info = v1
    break_things(endpoint, info)
    r = in_process(g, monkeypatch, "s3/sailjada-prod")
    plan = r.plan()
    assert plan.actions
    client(endpoint, "s3").put_object(Bucket="sailjada-prod", Key="index.html", Body=b"someone else, just now")
    with pytest.raises(RestoreError, match="changed after the plan was made; nothing was applied"):
        r.apply(plan)
    assert b"5pm" in body(endpoint, "sailjada-prod", "events/james-taylor.html")  # untouched


def test_export_writes_files_and_lists_keys_that_cannot_be_paths(v1, tmp_path):
    g, _ = v1
    out = g("export", "v1.0", f"s3/{estate.EDGE_BUCKET}", str(tmp_path / "export"), check=False)
    assert out.code == 3  # something selected was not done
    assert out.err.splitlines()[-1].startswith(f"gitsnap: error: s3/{estate.EDGE_BUCKET}: 7 of 16 keys were not written")
    assert (tmp_path / "export" / "a" / "b").read_bytes() == estate.EDGE_KEYS["a/b"]
    assert (tmp_path / "export" / "big" / "archive.bin").stat().st_size == estate.BIG_SIZE
    for key in ("a", "dir/", "x//y", "../z", "./dot", "k" * 1000):
        assert repr(key) in out.err
    assert not (tmp_path / "z").exists()


def test_dynamodb_iam_and_apps_script_are_restored(gitsnap, endpoint, sample_estate):
    from gitsnap.sandbox.gas import SAMPLE, FakeAppsScript, seed

    fake = FakeAppsScript()
    url = fake.start()
    seed(fake)
    try:
        (gitsnap.repo / "gitsnap.toml").write_text(
            f'[aws]\nservices = ["dynamodb", "iam"]\n[gas]\napi_endpoint = "{url}"\n'
            '[[gas.projects]]\nname = "jada-main"\nscript_id = "1JadaMainScriptId"\n')
        gitsnap("capture", "--tag", "v1.0")
        ddb, iam = client(endpoint, "dynamodb"), client(endpoint, "iam")
        ddb.update_continuous_backups(TableName="jada-events",
                                      PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})
        ddb.update_time_to_live(TableName="jada-events", TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires"})
        iam.put_role_policy(RoleName="jada-lambda-role", PolicyName="events-table", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        iam.update_assume_role_policy(RoleName="jada-lambda-role", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}))
        files = fake.projects["1JadaMainScriptId"]["files"]
        files[1]["source"] = "function doPost(e) { return 'broken'; }\n"
        files.append({"name": "Scratch", "type": "SERVER_JS", "source": "// someone's experiment\n"})

        plan = json.loads(gitsnap("restore", "v1.0", "--format", "json", check=False).out)["operations"]
        got = {(op["address"], op["verb"], op["target"]) for op in plan}
        assert {("dynamodb/jada-events", "update", "PointInTimeRecovery"), ("dynamodb/jada-events", "update", "TimeToLive"),
                ("iam/role/jada-lambda-role", "update", "AssumeRolePolicyDocument"),
                ("iam/role/jada-lambda-role", "put", "InlinePolicies.events-table"),
                ("gas/jada-main", "update", "source/Code.gs"), ("gas/jada-main", "kept", "source/Scratch.gs")} <= got

        gitsnap("restore", "v1.0", "--apply", "--yes")
        pitr = ddb.describe_continuous_backups(TableName="jada-events")["ContinuousBackupsDescription"]
        assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
        assert ddb.describe_time_to_live(TableName="jada-events")["TimeToLiveDescription"]["TimeToLiveStatus"] == "ENABLED"
        doc = iam.get_role_policy(RoleName="jada-lambda-role", PolicyName="events-table")["PolicyDocument"]
        assert doc["Statement"][0]["Action"] == ["dynamodb:PutItem"]
        trust = iam.get_role(RoleName="jada-lambda-role")["Role"]["AssumeRolePolicyDocument"]
        assert trust["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
        sources = {f["name"]: f["source"] for f in fake.projects["1JadaMainScriptId"]["files"]}
        assert sources["Code"] == SAMPLE["1JadaMainScriptId"][1][1]["source"]
        assert sources["Scratch"] == "// someone's experiment\n"  # kept without --delete
        gitsnap("restore", "v1.0", "gas/jada-main", "--apply", "--yes", "--delete")
        assert "Scratch" not in {f["name"] for f in fake.projects["1JadaMainScriptId"]["files"]}
    finally:
        fake.stop()


def test_lambda_aliases_permissions_and_iam_policy_versions(gitsnap, endpoint, sample_estate):
    lam, iam = client(endpoint, "lambda"), client(endpoint, "iam")
    v1 = lam.publish_version(FunctionName="jada-contact-form")["Version"]
    lam.create_alias(FunctionName="jada-contact-form", Name="live", FunctionVersion=v1)
    lam.add_permission(FunctionName="jada-contact-form", StatementId="apigw", Action="lambda:InvokeFunction",
                       Principal="apigateway.amazonaws.com")
    (gitsnap.repo / "gitsnap.toml").write_text('[aws]\nservices = ["lambda", "iam"]\n')
    gitsnap("capture", "--tag", "v1.0")

    lam.update_function_configuration(FunctionName="jada-contact-form", Timeout=6)
    v2 = lam.publish_version(FunctionName="jada-contact-form")["Version"]
    lam.update_alias(FunctionName="jada-contact-form", Name="live", FunctionVersion=v2)
    lam.remove_permission(FunctionName="jada-contact-form", StatementId="apigw")
    lam.add_permission(FunctionName="jada-contact-form", StatementId="rogue", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com")
    arn = f"arn:aws:iam::{sample.ACCOUNT}:policy/jada-deploy"
    iam.create_policy_version(PolicyArn=arn, SetAsDefault=True, PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))

    plan = json.loads(gitsnap("restore", "v1.0", "--format", "json", check=False).out)["operations"]
    got = {(op["address"], op["verb"], op["target"]) for op in plan}
    assert {("lambda/jada-contact-form", "update", "Aliases.live"), ("lambda/jada-contact-form", "put", "Policy.apigw"),
            ("lambda/jada-contact-form", "kept", "Policy.rogue"), ("iam/policy/jada-deploy", "update", "Document"),
            ("lambda/jada-contact-form", "kept", f"Versions.{v2}")} <= got  # versions are immutable: kept

    gitsnap("restore", "v1.0", "--apply", "--yes")
    assert lam.get_alias(FunctionName="jada-contact-form", Name="live")["FunctionVersion"] == v1
    sids = {s["Sid"] for s in json.loads(lam.get_policy(FunctionName="jada-contact-form")["Policy"])["Statement"]}
    assert sids == {"apigw", "rogue"}  # rogue kept: no --delete
    default = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    doc = iam.get_policy_version(PolicyArn=arn, VersionId=default)["PolicyVersion"]["Document"]
    assert doc["Statement"][0]["Action"] == ["s3:PutObject"]
    gitsnap("restore", "v1.0", "lambda/jada-contact-form", "--apply", "--yes", "--delete")
    sids = {s["Sid"] for s in json.loads(lam.get_policy(FunctionName="jada-contact-form")["Policy"])["Statement"]}
    assert sids == {"apigw"}


def test_large_bodies_are_restored_by_streaming_from_disk(v1, endpoint, monkeypatch):
    import gitsnap.collectors.aws.s3restore.objects as restore_s3

    g, _ = v1
    client(endpoint, "s3").put_object(Bucket=estate.EDGE_BUCKET, Key=estate.BIG_KEY, Body=b"truncated by mistake")
    monkeypatch.setattr(restore_s3, "IN_MEMORY", 1024 * 1024)  # the 6 MiB body takes the streaming path
    r = in_process(g, monkeypatch, f"s3/{estate.EDGE_BUCKET}")
    plan = r.plan()
    assert [op.target for op in plan.actions] == [f"s3://{estate.EDGE_BUCKET}/{estate.BIG_KEY}"]
    r.apply(plan)
    blob = snapshot_index(g, estate.EDGE_BUCKET)[estate.BIG_KEY]["blob"]
    assert body(endpoint, estate.EDGE_BUCKET, estate.BIG_KEY) == g.git("cat-file", "blob", blob, binary=True)
    assert not r.verify().actions


def test_s3_writes_are_conditional_on_the_live_etag(v1, endpoint, monkeypatch):
    """Past the re-read guard, each put still carries If-Match (moto enforces it, like S3)."""
    from gitsnap.restore.run import RestoreError

    g, info = v1
    break_things(endpoint, info)
    r = in_process(g, monkeypatch, "s3/sailjada-prod")
    (put,) = [op for op in r.plan().actions if op.verb == "put"]
    client(endpoint, "s3").put_object(Bucket="sailjada-prod", Key="events/james-taylor.html", Body=b"racing writer")
    with pytest.raises(RestoreError, match="changed after the plan was made"):
        put.run()  # straight to the write, past the re-read guard
    assert body(endpoint, "sailjada-prod", "events/james-taylor.html") == b"racing writer"
