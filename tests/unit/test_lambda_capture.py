"""Capturing Lambda's parts: layers (every version's content checked and kept as a blob), each
alias's policy and URL under its own qualifier, functions pointing at their layers' addresses.

The calls are answered by botocore's Stubber on real clients (it checks each request against the
service model); the content is served over HTTP by a small local server, as the pre-signed
``Location`` would be, so a download cut short can be shown (the local AWS never cuts one).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import botocore.session
import pytest
from botocore.stub import Stubber

from gitsnap.collectors import run
from gitsnap.collectors.aws.awslambda import FUNCTION, LAYER
from gitsnap.collectors.aws.awslambda.function import fetch_url_configs, split_policies
from gitsnap.store.loose import git_blob_id
from tests.examples.awslambda import zipped
from tests.memory import ACCOUNT, Inline, MemoryBlobs, context

SESSION = botocore.session.Session()
LAYER_ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:layer:deps"
FN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f"
V1, V2 = zipped({"python/a.py": "A = 1\n"}), zipped({"python/a.py": "A = 2\n"})


def b64sha(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


@pytest.fixture
def content_server() -> Iterator[str]:
    """Serves /1 and /2 whole, and /2-half cut to half its length (the connection dropped)."""
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = {"/1": V1, "/2": V2, "/2-half": V2[: len(V2) // 2]}.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def inline(monkeypatch):
    monkeypatch.setattr(run, "ThreadPoolExecutor", lambda *_a, **_k: Inline())


def stubbed() -> tuple[Any, Stubber]:
    client = SESSION.create_client("lambda", region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t")
    stub = Stubber(client)
    stub.activate()
    return client, stub


def version(n: int, data: bytes, location: str) -> dict[str, Any]:
    return {"Version": n, "LayerVersionArn": f"{LAYER_ARN}:{n}", "LayerArn": LAYER_ARN, "Description": f"v{n}",
            "CreatedDate": "2024-01-01T00:00:00.000+0000", "CompatibleRuntimes": ["python3.12"],
            "Content": {"Location": location, "CodeSha256": b64sha(data), "CodeSize": len(data)}}


def answer_layer(stub: Stubber, first: str, second: str) -> None:
    stub.add_response("list_layers", {"Layers": [{"LayerName": "deps", "LayerArn": LAYER_ARN}]})
    stub.add_response("list_layer_versions", {"LayerVersions": [{"Version": 2}, {"Version": 1}]}, {"LayerName": "deps"})
    stub.add_response("get_layer_version", version(1, V1, first), {"LayerName": "deps", "VersionNumber": 1})
    stub.add_client_error("get_layer_version_policy", "ResourceNotFoundException", http_status_code=404)
    stub.add_response("get_layer_version", version(2, V2, second), {"LayerName": "deps", "VersionNumber": 2})
    policy = {"Version": "2012-10-17", "Statement": [{"Sid": "all", "Effect": "Allow", "Principal": "*",
                                                      "Action": "lambda:GetLayerVersion", "Resource": f"{LAYER_ARN}:2"}]}
    stub.add_response("get_layer_version_policy", {"Policy": json.dumps(policy), "RevisionId": "r"},
                      {"LayerName": "deps", "VersionNumber": 2})


def test_a_layer_is_every_version_with_its_content_checked_and_kept(inline, content_server):
    """Version 2's first download is cut short: it is fetched again from a fresh Location (a
    second GetLayerVersion), and only the whole content is stored."""
    client, stub = stubbed()
    answer_layer(stub, f"{content_server}/1", f"{content_server}/2-half")
    stub.add_response("get_layer_version", version(2, V2, f"{content_server}/2"), {"LayerName": "deps", "VersionNumber": 2})
    stub.add_client_error("get_layer_version_policy", "ResourceNotFoundException", http_status_code=404)
    blobs = MemoryBlobs()
    ctx = context({"lambda": client}, blobs, unit=f"aws/{ACCOUNT}/us-east-1/lambda")
    (got,) = list(run.collect(ctx, LAYER))
    doc = {**got.document, **got.extras.doc_updates}
    assert got.id == "deps" and LAYER.address(got.id) == "lambda/layer/deps"
    assert [v["Version"] for v in doc["Versions"]] == [1, 2]
    assert [v["Code"]["blob"] for v in doc["Versions"]] == [git_blob_id(V1), git_blob_id(V2)]
    assert blobs.objects == {git_blob_id(V1): V1, git_blob_id(V2): V2}
    assert all("Location" not in v["Content"] for v in doc["Versions"])  # pre-signed: never stored
    assert doc["Versions"][0]["Policy"] is None
    assert doc["Versions"][1]["Policy"]["Statement"][0]["Sid"] == "all"
    assert doc["Versions"][1]["CompatibleRuntimes"] == ["python3.12"] and doc["Versions"][1]["Description"] == "v2"
    stub.assert_no_pending_responses()


def test_a_previous_layer_content_is_reused_only_when_unchanged_and_sound(inline, content_server):
    """The previous snapshot has version 1's blob (sound) and a version 2 whose blob is damaged:
    version 1 is not downloaded (its Location would 404), version 2 is."""
    client, stub = stubbed()
    answer_layer(stub, f"{content_server}/gone", f"{content_server}/2")  # version 1's would 404: never fetched
    blobs = MemoryBlobs(damaged={git_blob_id(V2)})
    blobs.objects = {git_blob_id(V1): V1, git_blob_id(V2): b"damaged"}
    prev = {"Versions": [{"Version": n, "Content": {"CodeSha256": b64sha(d)},
                          "Code": {"blob": git_blob_id(d), "sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}}
                         for n, d in ((1, V1), (2, V2))]}
    unit = f"aws/{ACCOUNT}/us-east-1/lambda"
    ctx = context({"lambda": client}, blobs, previous={f"{unit}/layer/deps/layer.json": json.dumps(prev).encode()}, unit=unit)
    (got,) = list(run.collect(ctx, LAYER))
    assert [v["Code"]["blob"] for v in got.extras.doc_updates["Versions"]] == [git_blob_id(V1), git_blob_id(V2)]
    assert blobs.objects[git_blob_id(V2)] == V2 and ctx.counters.reused_blobs == 1 and ctx.counters.new_blobs == 1


def test_a_layer_without_versions_left_is_gone_not_an_empty_layer(inline):
    client, stub = stubbed()
    stub.add_response("list_layers", {"Layers": [{"LayerName": "deps", "LayerArn": LAYER_ARN}]})
    stub.add_response("list_layer_versions", {"LayerVersions": []}, {"LayerName": "deps"})
    ctx = context({"lambda": client}, unit=f"aws/{ACCOUNT}/us-east-1/lambda")
    assert list(run.collect(ctx, LAYER)) == []
    assert ctx.warnings and ctx.warnings[0].startswith("lambda/layer/deps: deleted while it was being captured")


def test_each_statement_lands_in_the_policy_its_resource_names():
    """The local endpoint answers an alias's GetPolicy with the function's whole policy; AWS with
    the alias's own. Either way each statement is kept once, where it applies."""
    own = {"Sid": "s3", "Resource": FN, "Action": "lambda:InvokeFunction"}
    alias = {"Sid": "apigw", "Resource": f"{FN}:live", "Action": "lambda:InvokeFunction"}
    whole = {"Version": "2012-10-17", "Id": "default", "Statement": [own, alias]}
    assert split_policies(whole, {"live": whole}, FN) == (
        {"Version": "2012-10-17", "Id": "default", "Statement": [own]},
        {"live": {"Version": "2012-10-17", "Id": "default", "Statement": [alias]}})
    assert split_policies({"Statement": [own]}, {"live": {"Statement": [alias]}}, FN) == (
        {"Statement": [own]}, {"live": {"Statement": [alias]}})
    assert split_policies(None, {}, FN) == (None, {})


def test_an_alias_url_answer_for_another_qualifier_is_not_the_alias_url():
    client, stub = stubbed()
    url = "https://abcdefghijklmnopqrstuvwxyz0123.lambda-url.us-east-1.on.aws/"
    own = {"FunctionUrl": url, "FunctionArn": FN, "AuthType": "NONE", "CreationTime": "t", "LastModifiedTime": "t",
           "InvokeMode": "BUFFERED", "Cors": {"AllowOrigins": ["*"]}}
    stub.add_response("get_function_url_config", own, {"FunctionName": "f"})
    stub.add_response("get_function_url_config", own, {"FunctionName": "f", "Qualifier": "beta"})  # ignored qualifier
    stub.add_response("get_function_url_config", {**own, "FunctionArn": f"{FN}:live", "AuthType": "AWS_IAM"},
                      {"FunctionName": "f", "Qualifier": "live"})
    ctx = context({"lambda": client}, unit=f"aws/{ACCOUNT}/us-east-1/lambda")
    raw = {"FunctionName": "f", "Function": {"Configuration": {"FunctionArn": FN}},
           "Aliases": [{"Name": "beta"}, {"Name": "live"}]}
    assert fetch_url_configs(ctx, raw) == {
        "$LATEST": {"AuthType": "NONE", "Cors": {"AllowOrigins": ["*"]}, "InvokeMode": "BUFFERED", "FunctionUrl": url},
        "live": {"AuthType": "AWS_IAM", "Cors": {"AllowOrigins": ["*"]}, "InvokeMode": "BUFFERED", "FunctionUrl": url}}
    stub.assert_no_pending_responses()


def test_a_function_points_at_its_own_layers_addresses_not_at_others():
    config = {"FunctionName": "f", "FunctionArn": FN, "Role": f"arn:aws:iam::{ACCOUNT}:role/r",
              "Layers": [{"Arn": f"{LAYER_ARN}:3"}, {"Arn": "arn:aws:lambda:us-east-1:580247275435:layer:Insights:14"},
                         {"Arn": f"arn:aws:lambda:eu-west-1:{ACCOUNT}:layer:deps:1"}]}
    doc = FUNCTION.transform({"FunctionName": "f", "Function": {"Configuration": config}})
    assert doc["LayerAddresses"] == {f"{LAYER_ARN}:3": "lambda/layer/deps"}
    assert [la["Arn"] for la in doc["Configuration"]["Layers"]] == [la["Arn"] for la in config["Layers"]]
