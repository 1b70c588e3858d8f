"""Restore's use of the services' own guards, with botocore's Stubber.

moto's CloudFront never changes a distribution's ETag and its Lambda returns no RevisionId,
so a stale version cannot be produced there; the Stubber plays the service's refusal.
"""

from __future__ import annotations

import botocore.session
import pytest
from botocore.stub import ANY, Stubber

from gitsnap.canonical import dumps
from gitsnap.collectors.aws.awslambda import plan_function
from gitsnap.collectors.aws.cloudfront.distribution import plan_distribution
from gitsnap.restore.ops import RestoreContext, RestoreError
from gitsnap.store import SnapshotStore
from gitsnap.store.snapshot import Snapshot

DIST = "E2A1B3C4D5"


class StubAccount:
    def __init__(self) -> None:
        session = botocore.session.get_session()
        self.clients = {name: session.create_client(name, region_name="us-east-1", aws_access_key_id="x",
                                                    aws_secret_access_key="y") for name in ("cloudfront", "lambda")}
        self.stubs = {name: Stubber(c) for name, c in self.clients.items()}

    def client(self, name: str, account: str | None = None, region: str | None = None):
        return self.clients[name]

    def reaches(self, account: str) -> bool:
        return True


def config(ttl: int, header: str) -> dict:
    return {"CallerReference": "r", "Comment": "", "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "b.s3.amazonaws.com",
                                                  "CustomHeaders": {"Quantity": 1, "Items": [{"HeaderName": "X-Key", "HeaderValue": header}]},
                                                  "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all", "DefaultTTL": ttl,
                                     "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                                     "TrustedSigners": {"Enabled": False, "Quantity": 0}, "MinTTL": 0}}


def snapshot(store, path: str, address: str, doc: dict, service: str, typ: str) -> Snapshot:
    return Snapshot.in_memory(store, {path: dumps(doc)}, {address: {"path": path, "service": service, "type": typ,
                                                                     "account": "1", "region": "global"}})


@pytest.fixture
def store(tmp_path):
    return SnapshotStore.init(tmp_path / "r")


def test_cloudfront_sends_fresh_etag_keeps_live_secret_and_refuses_stale(store):
    address, path = f"cloudfront/{DIST}", f"aws/1/global/cloudfront/distribution/{DIST}.json"
    fp = "redacted:hmac-sha256:" + "a" * 24
    want = {"Id": DIST, "ARN": "arn", "DistributionConfig": config(86400, fp), "Tags": {}}
    have = {"Id": DIST, "ARN": "arn", "DistributionConfig": config(60, fp), "Tags": {}}
    acct = StubAccount()
    ctx = RestoreContext(store, snapshot(store, path, address, want, "cloudfront", "distribution"),
                         snapshot(store, path, address, have, "cloudfront", "distribution"), acct)
    ops = plan_distribution(ctx, address)
    (action,) = [op for op in ops if op.run]
    assert action.target == "DistributionConfig.DefaultCacheBehavior.DefaultTTL" and action.detail == "60 -> 86400"
    stub = acct.stubs["cloudfront"]
    live = config(60, "the-live-secret")
    expected = config(86400, "the-live-secret")
    stub.add_response("get_distribution_config", {"DistributionConfig": live, "ETag": "E-FRESH"}, {"Id": DIST})
    stub.add_response("update_distribution", {"ETag": "E-NEW"},
                      {"Id": DIST, "IfMatch": "E-FRESH", "DistributionConfig": expected})
    stub.add_response("get_distribution_config", {"DistributionConfig": live, "ETag": "E-FRESH"}, {"Id": DIST})
    stub.add_client_error("update_distribution", service_error_code="PreconditionFailed", http_status_code=412,
                          expected_params={"Id": DIST, "IfMatch": "E-FRESH", "DistributionConfig": ANY})
    with stub:
        action.run()  # the fresh ETag is sent, and the live secret, never the fingerprint
        with pytest.raises(RestoreError, match="changed after the plan was made"):
            action.run()
        stub.assert_no_pending_responses()


def test_lambda_passes_revision_id_and_refuses_stale(store):
    address, path = "lambda/f", "aws/1/us-east-1/lambda/function/f/function.json"
    base = {"Tags": {}, "ReservedConcurrency": None, "Policy": None, "Aliases": [], "Versions": [],
            "EventSourceMappings": [], "Role": None}
    env = {"Variables": {"KEY": "redacted:hmac-sha256:" + "b" * 24}}
    want = {**base, "Configuration": {"FunctionName": "f", "FunctionArn": "arn", "Role": "r", "Timeout": 10, "Environment": env}}
    have = {**base, "Configuration": {"FunctionName": "f", "FunctionArn": "arn", "Role": "r", "Timeout": 30, "Environment": env}}
    acct = StubAccount()
    ctx = RestoreContext(store, snapshot(store, path, address, want, "lambda", "function"),
                         snapshot(store, path, address, have, "lambda", "function"), acct)
    (action,) = [op for op in plan_function(ctx, address) if op.run]
    stub = acct.stubs["lambda"]
    live = {"FunctionName": "f", "RevisionId": "rev-1", "Environment": {"Variables": {"KEY": "live-secret"}}}
    stub.add_response("get_function_configuration", live, {"FunctionName": "f"})
    stub.add_client_error("update_function_configuration", service_error_code="PreconditionFailedException",
                          http_status_code=412, expected_params={
                              "FunctionName": "f", "RevisionId": "rev-1", "Timeout": 10,
                              "Environment": {"Variables": {"KEY": "live-secret"}}})
    with stub, pytest.raises(RestoreError, match="changed after the plan was made"):
        action.run()
