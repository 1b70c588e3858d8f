"""Objects whose body cannot be read are recorded with why, not fatal; other denials still are.

moto neither denies a GET for want of kms:Decrypt nor enforces requester-pays (and has no
Intelligent-Tiering archive tiers), so these answers come from botocore's Stubber: each
test queues exactly the calls S3 would answer, and any other call fails the test. The
GLACIER path moto does for real is in tests/e2e/test_estate.py.
"""

from __future__ import annotations

import io

import botocore.session
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from gitsnap.collectors.aws import s3objects
from gitsnap.collectors.aws.api import AWS_API
from gitsnap.collectors.context import Counters, NullReporter, UnitContext
from gitsnap.collectors.errors import AccessDeniedError
from gitsnap.config import Config

BUCKET = "vault"
LISTED = {"Key": "k.bin", "Size": 5, "ETag": '"0123456789abcdef0123456789abcdef"', "StorageClass": "STANDARD"}
HEAD = {"ContentLength": 5, "ETag": '"0123456789abcdef0123456789abcdef"', "ContentType": "application/octet-stream"}


@pytest.fixture
def client():
    c = botocore.session.get_session().create_client(
        "s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(c) as stub:
        c.stub = stub
        yield c
        stub.assert_no_pending_responses()


def reads(client, config: Config | None = None, **options) -> tuple[UnitContext, s3objects.BucketReads]:
    ctx = UnitContext(account="1", region="us-east-1", config=config or Config(path=None), client=lambda *_a: client,
                      blobs=None, previous=lambda _p: None, previous_dir=lambda _p: {}, downloads=None,  # type: ignore[arg-type]
                      counters=Counters(), reporter=NullReporter(), unit_path="aws/1/us-east-1/s3", options=options,
                      api=AWS_API)
    return ctx, s3objects.BucketReads(ctx, BUCKET)


def params(**extra):
    return {"Bucket": BUCKET, "Key": LISTED["Key"], **extra}


def test_a_get_denied_on_a_kms_object_is_recorded_with_the_listing(client):
    ctx, r = reads(client)
    client.stub.add_client_error("get_object", "AccessDenied", http_status_code=403)
    client.stub.add_response("head_object", {**HEAD, "ServerSideEncryption": "aws:kms"}, params())
    entry = s3objects._fetch(ctx, r, dict(LISTED), with_body=True)
    assert entry is not None and entry.unreadable == "kms: access denied"
    assert (entry.key, entry.size, entry.etag, entry.blob, entry.sha256) == (
        "k.bin", 5, "0123456789abcdef0123456789abcdef", None, None)
    assert entry.storage_class is None  # STANDARD, as a GET would leave it


def test_a_kms_error_code_is_recorded_as_such(client):
    ctx, r = reads(client)
    client.stub.add_client_error("get_object", "KMS.DisabledException", http_status_code=400)
    assert s3objects._fetch(ctx, r, dict(LISTED), with_body=True).unreadable == "kms: KMS.DisabledException"


def test_a_requester_pays_bucket_is_recorded_unless_configured_to_pay(client):
    ctx, r = reads(client)
    client.stub.add_client_error("get_object", "AccessDenied", http_status_code=403)
    client.stub.add_client_error("head_object", "403", http_status_code=403)  # HEAD has no body: the status only
    client.stub.add_response("get_bucket_request_payment", {"Payer": "Requester"}, {"Bucket": BUCKET})
    assert s3objects._fetch(ctx, r, dict(LISTED), with_body=True).unreadable == "requester-pays"

    # requester_pays = true: every object read says who pays
    ctx, r = reads(client, Config(path=None, s3_requester_pays=True))
    client.stub.add_response("head_object", HEAD, params(RequestPayer="requester"))
    assert s3objects._fetch(ctx, r, dict(LISTED), with_body=False).unreadable is None
    client.stub.add_response("get_object", {**HEAD, "Body": StreamingBody(io.BytesIO(b"12345"), 5)},
                             params(ChecksumMode="ENABLED", RequestPayer="requester"))
    assert r.get("k.bin")["ContentLength"] == 5


def test_a_denial_of_unknown_cause_stays_an_error(client):
    ctx, r = reads(client)
    client.stub.add_client_error("get_object", "AccessDenied", http_status_code=403)
    client.stub.add_response("head_object", HEAD, params())  # readable metadata, no KMS: a plain denial
    with pytest.raises(AccessDeniedError, match=r"s3/vault: s3:GetObject 'k.bin': access denied"):
        s3objects._fetch(ctx, r, dict(LISTED), with_body=True)
    ctx, r = reads(client)
    client.stub.add_client_error("get_object", "AccessDenied", http_status_code=403)
    client.stub.add_client_error("head_object", "403", http_status_code=403)
    client.stub.add_response("get_bucket_request_payment", {"Payer": "BucketOwner"}, {"Bucket": BUCKET})
    with pytest.raises(AccessDeniedError):
        s3objects._fetch(ctx, r, dict(LISTED), with_body=True)


def test_an_intelligent_tiering_archive_tier_is_named_and_restored_without_days(client):
    ctx, r = reads(client, restore_archived=3)
    listed = {**LISTED, "StorageClass": "INTELLIGENT_TIERING"}
    client.stub.add_client_error("get_object", "InvalidObjectState", http_status_code=403, service_error_meta={
        "StorageClass": "INTELLIGENT_TIERING", "AccessTier": "DEEP_ARCHIVE_ACCESS"})
    client.stub.add_response("restore_object", {}, params(RestoreRequest={"GlacierJobParameters": {"Tier": "Bulk"}}))
    entry = s3objects._fetch(ctx, r, listed, with_body=True)
    assert entry.unreadable == "archived: INTELLIGENT_TIERING DEEP_ARCHIVE_ACCESS (restore requested)"
    assert entry.storage_class == "INTELLIGENT_TIERING" and entry.blob is None


def test_an_archived_object_is_not_fetched_and_restores_are_asked_only_when_none_is_on(client):
    glacier = {**LISTED, "StorageClass": "GLACIER"}
    head = {**HEAD, "StorageClass": "GLACIER"}
    # no restore on, none asked: recorded from HEAD (metadata included), and never a GET
    ctx, r = reads(client)
    client.stub.add_response("head_object", head, params())
    entry = s3objects._fetch(ctx, r, dict(glacier), with_body=True)
    assert (entry.unreadable, entry.content_type) == ("archived: GLACIER", "application/octet-stream")
    # a restore already running is not asked again
    ctx, r = reads(client, restore_archived=7)
    client.stub.add_response("head_object", {**head, "Restore": 'ongoing-request="true"'}, params())
    assert s3objects._fetch(ctx, r, dict(glacier), with_body=True).unreadable == "archived: GLACIER (restore in progress)"
    # asked, with DAYS and the Bulk tier
    client.stub.add_response("head_object", head, params())
    client.stub.add_response("restore_object", {}, params(RestoreRequest={"Days": 7, "GlacierJobParameters": {"Tier": "Bulk"}}))
    assert s3objects._fetch(ctx, r, dict(glacier), with_body=True).unreadable == "archived: GLACIER (restore requested)"
    # S3 says one is on already
    client.stub.add_response("head_object", head, params())
    client.stub.add_client_error("restore_object", "RestoreAlreadyInProgress", http_status_code=409)
    assert s3objects._fetch(ctx, r, dict(glacier), with_body=True).unreadable == "archived: GLACIER (restore in progress)"


def test_a_refused_restore_is_a_warning_and_the_object_stays_recorded(client):
    ctx, r = reads(client, restore_archived=1)
    client.stub.add_response("head_object", {**HEAD, "StorageClass": "DEEP_ARCHIVE"}, params())
    client.stub.add_client_error("restore_object", "AccessDenied", http_status_code=403)
    entry = s3objects._fetch(ctx, r, {**LISTED, "StorageClass": "DEEP_ARCHIVE"}, with_body=True)
    assert entry.unreadable == "archived: DEEP_ARCHIVE"
    assert s3objects.warn_unreadable(ctx, r, [entry]) == 1
    assert ctx.warnings == [
        "s3/vault: 1 object could not be read and is recorded without a body (1 archived: DEEP_ARCHIVE; first 'k.bin')",
        "s3/vault: S3 refused to restore 1 archived objects (first 'k.bin': AccessDenied); "
        "--restore-archived needs s3:RestoreObject",
    ]


def test_restore_state_and_archive_label():
    assert s3objects.restore_state({"Restore": 'ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"'}) == "restored"
    assert s3objects.restore_state({"Restore": 'ongoing-request="true"'}) == "restore in progress"
    assert s3objects.restore_state({}) is None
    assert s3objects.archive_label({}, "GLACIER") == "GLACIER"
    assert s3objects.archive_label({"StorageClass": "INTELLIGENT_TIERING", "AccessTier": "ARCHIVE_ACCESS"}, None) == (
        "INTELLIGENT_TIERING ARCHIVE_ACCESS")
