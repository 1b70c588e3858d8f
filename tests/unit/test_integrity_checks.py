"""An exact record: unknown is never absent, answers are complete, every body is checked.

moto cannot delete an inline policy between ListRolePolicies and GetRolePolicy, truncate a
page, cut a body short or damage its bytes on cue, so these tests answer with botocore's
Stubber (and, for a Lambda package, a local HTTP server that announces the full
Content-Length and sends half the bytes, as a cut connection does). Calls run inline, one
at a time in the runner's order, so the stubbed answers are consumed in a known order.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import threading
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import botocore.session
import pytest
from botocore.httpchecksum import Crc32Checksum
from botocore.response import StreamingBody
from botocore.stub import Stubber

from gitsnap.collectors import run
from gitsnap.collectors.aws import awslambda, iam, s3, s3listing, s3objects
from gitsnap.collectors.context import UnitContext
from gitsnap.collectors.errors import (
    BodyIntegrityError,
    CollectorError,
    IncompleteAnswerError,
    UnsettledError,
)
from gitsnap.layout import OBJECT_INDEX, ObjectEntry, dump_index, load_index
from gitsnap.store.loose import git_blob_id

from ..memory import ACCOUNT, Inline, MemoryBlobs, context

WHEN = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/jada-lambda-role"


SESSION = botocore.session.Session()  # one: it caches the service models (a client costs ~1 s without)


def stubbed(service: str) -> tuple[Any, Stubber]:
    client = SESSION.create_client(
        service, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
    stub = Stubber(client)
    stub.activate()
    return client, stub


@pytest.fixture
def inline(monkeypatch):
    monkeypatch.setattr(run, "ThreadPoolExecutor", lambda *_a, **_k: Inline())


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


# -- unknown is never absent -----------------------------------------------------------------

def role(name: str) -> dict[str, Any]:
    return {"Path": "/", "RoleName": name, "RoleId": "AROA" + name.upper().ljust(17, "X"),
            "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}", "CreateDate": WHEN,
            "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%7D"}


def answer_role(stub: Stubber, name: str, policies: list[str]) -> None:
    """One reading of a role: the declared calls (identity first), then its inline policies."""
    stub.add_response("get_role", {"Role": role(name)}, {"RoleName": name})
    stub.add_response("list_attached_role_policies", {"AttachedPolicies": [], "IsTruncated": False})
    stub.add_response("list_role_tags", {"Tags": [], "IsTruncated": False})
    stub.add_response("list_role_policies", {"PolicyNames": policies, "IsTruncated": False})


def no_such_entity(stub: Stubber, method: str) -> None:
    stub.add_client_error(method, "NoSuchEntity", "The role cannot be found.", 404)


def answer_lambda(stub: Stubber) -> None:
    """Two functions sharing one role, read without any IAM call."""
    fns = [{"FunctionName": n, "Role": ROLE_ARN} for n in ("jada-a", "jada-b")]
    stub.add_response("list_functions", {"Functions": fns})
    for fn in fns:
        config = {"FunctionName": fn["FunctionName"], "Role": ROLE_ARN, "CodeSha256": "x", "CodeSize": 1,
                  "FunctionArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{fn['FunctionName']}"}
        stub.add_response("get_function", {"Configuration": config})  # an image: no Code.Location
        stub.add_response("get_function_concurrency", {})
        stub.add_client_error("get_policy", "ResourceNotFoundException", http_status_code=404)
        stub.add_response("list_aliases", {"Aliases": []})
        stub.add_response("list_versions_by_function", {"Versions": []})
        stub.add_client_error("get_function_url_config", "ResourceNotFoundException", http_status_code=404)


def test_an_inline_policy_that_vanishes_rereads_the_role_and_drops_neither_it_nor_its_functions(inline):
    iam_client, iam_stub = stubbed("iam")
    lam_client, lam_stub = stubbed("lambda")
    iam_stub.add_response("list_roles", {"Roles": [role("jada-lambda-role")], "IsTruncated": False})
    answer_role(iam_stub, "jada-lambda-role", ["events-table"])
    no_such_entity(iam_stub, "get_role_policy")  # deleted between ListRolePolicies and GetRolePolicy
    answer_role(iam_stub, "jada-lambda-role", [])  # read again: consistent, without it
    answer_lambda(lam_stub)
    ctx = context({"iam": iam_client, "lambda": lam_client}, unit=f"aws/{ACCOUNT}/global/iam")

    roles = list(run.collect(ctx, iam.ROLE))
    functions = list(run.collect(ctx, awslambda.FUNCTION))

    assert [r.id for r in roles] == ["jada-lambda-role"]
    assert roles[0].document["InlinePolicies"] == {}
    assert roles[0].document["AssumeRolePolicyDocument"] == {"Version": "2012-10-17"}
    assert [f.id for f in functions] == ["jada-a", "jada-b"]
    assert {f.document["RoleAddress"] for f in functions} == {"iam/role/jada-lambda-role"}
    assert not ctx.warnings
    iam_stub.assert_no_pending_responses()
    lam_stub.assert_no_pending_responses()


def test_a_role_deleted_for_real_is_left_out_and_the_functions_using_it_are_not(inline):
    iam_client, iam_stub = stubbed("iam")
    lam_client, lam_stub = stubbed("lambda")
    iam_stub.add_response("list_roles", {"Roles": [role("gone-role"), role("jada-lambda-role")],
                                         "IsTruncated": False})
    for method in ("get_role", "list_attached_role_policies", "list_role_tags"):
        no_such_entity(iam_stub, method)
    answer_role(iam_stub, "jada-lambda-role", [])
    answer_lambda(lam_stub)
    ctx = context({"iam": iam_client, "lambda": lam_client}, unit=f"aws/{ACCOUNT}/global/iam")

    assert [r.id for r in run.collect(ctx, iam.ROLE)] == ["jada-lambda-role"]
    assert [f.id for f in run.collect(ctx, awslambda.FUNCTION)] == ["jada-a", "jada-b"]
    assert ctx.warnings == ["iam/role/gone-role: deleted while it was being captured "
                            "(iam/role/gone-role: iam:get_role: NoSuchEntity); left out of this snapshot"]
    iam_stub.assert_no_pending_responses()


def test_a_part_that_keeps_vanishing_while_the_role_stays_fails_the_read(inline):
    iam_client, iam_stub = stubbed("iam")
    iam_stub.add_response("list_roles", {"Roles": [role("r")], "IsTruncated": False})
    for _ in range(run.READ_TRIES):
        answer_role(iam_stub, "r", ["p"])
        no_such_entity(iam_stub, "get_role_policy")
    ctx = context({"iam": iam_client}, unit=f"aws/{ACCOUNT}/global/iam")
    with pytest.raises(UnsettledError, match=r"^iam/role/r: a part of it vanished each of 3 times"):
        list(run.collect(ctx, iam.ROLE))
    assert not ctx.warnings  # not "deleted"
    iam_stub.assert_no_pending_responses()


# -- complete answers ------------------------------------------------------------------------

def test_a_function_answer_without_its_configuration_is_an_error_not_a_document(inline):
    lam_client, stub = stubbed("lambda")
    stub.add_response("list_functions", {"Functions": [{"FunctionName": "f", "Role": ROLE_ARN, "Timeout": 3}]})
    stub.add_response("get_function", {"Code": {"Location": "https://x"}})
    stub.add_response("get_function", {"Code": {"Location": "https://x"}})  # asked again: still none
    stub.add_response("get_function_concurrency", {})
    stub.add_client_error("get_policy", "ResourceNotFoundException", http_status_code=404)
    stub.add_response("list_aliases", {"Aliases": []})
    stub.add_response("list_versions_by_function", {"Versions": []})
    ctx = context({"lambda": lam_client})
    with pytest.raises(IncompleteAnswerError, match=r"^lambda/f: lambda:get_function answered incompletely "
                                                    r"twice \(no Configuration\)"):
        list(run.collect(ctx, awslambda.FUNCTION))
    stub.assert_no_pending_responses()


def detail(spec: Any, into: str) -> Any:
    return next(d.call for d in spec.details if d.into == into)


CUT = '{"Version": "2012-10-17", "Statement": [{"Effect": "Al'


@pytest.mark.parametrize("case", [
    ("s3", s3.BUCKET, "Policy", "get_bucket_policy", {"Name": "b"}, {"Policy": CUT}),
    ("lambda", awslambda.FUNCTION, "Policy", "get_policy", {"FunctionName": "f"}, {"Policy": CUT}),
    ("iam", iam.ROLE, "Role", "get_role", {"RoleName": "r"},
     {"Role": {**role("r"), "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10"}}),
], ids=["bucket policy", "function policy", "trust policy"])
def test_a_policy_that_is_not_json_is_asked_again_then_an_error_never_a_string(case):
    service, spec, into, method, raw, bad = case
    client, stub = stubbed(service)
    stub.add_response(method, bad)
    stub.add_response(method, bad)
    with pytest.raises(IncompleteAnswerError, match="is not a JSON document"):
        run.call(context({service: client}), spec, detail(spec, into), raw, "here")
    stub.assert_no_pending_responses()


def test_a_policy_cut_once_is_read_whole_on_the_second_asking():
    client, stub = stubbed("s3")
    stub.add_response("get_bucket_policy", {"Policy": CUT})
    stub.add_response("get_bucket_policy", {"Policy": '{"Version": "2012-10-17", "Statement": []}'})
    got = run.call(context({"s3": client}), s3.BUCKET, detail(s3.BUCKET, "Policy"), {"Name": "b"}, "s3/b")
    assert got == {"Version": "2012-10-17", "Statement": []}


def test_an_inline_policy_that_is_not_json_fails_the_role(inline):
    iam_client, stub = stubbed("iam")
    stub.add_response("list_roles", {"Roles": [role("r")], "IsTruncated": False})
    answer_role(stub, "r", ["p"])
    for _ in range(2):
        stub.add_response("get_role_policy", {"RoleName": "r", "PolicyName": "p", "PolicyDocument": "%7B%22Ver"})
    with pytest.raises(IncompleteAnswerError, match=r"^iam/role/r: iam:get_role_policy .*PolicyDocument is not"):
        list(run.collect(context({"iam": iam_client}), iam.ROLE))


def obj(key: str, body: bytes) -> dict[str, Any]:
    return {"Key": key, "Size": len(body), "ETag": f'"{hashlib.md5(body).hexdigest()}"', "LastModified": WHEN}


def test_a_page_that_says_truncated_without_a_token_is_an_error_not_the_end():
    client, stub = stubbed("s3")
    page = {"IsTruncated": True, "Contents": [obj("a", b"x")], "KeyCount": 1}  # no NextContinuationToken
    stub.add_response("list_objects_v2", page)
    stub.add_response("list_objects_v2", page)
    with pytest.raises(IncompleteAnswerError, match="IsTruncated but gives no NextContinuationToken"):
        s3listing.get_objects(context({"s3": client}), {"Name": "b"})  # the Objects detail's fetch


def test_a_truncated_role_listing_without_a_marker_fails_the_listing():
    client, stub = stubbed("iam")
    for _ in range(2):
        stub.add_response("list_roles", {"Roles": [role("r")], "IsTruncated": True})
    with pytest.raises(IncompleteAnswerError, match=r"^iam in us-east-1: iam:list_roles .*no Marker"):
        run.list_resources(context({"iam": client}), iam.ROLE)


def test_a_throttled_second_page_is_an_error_not_a_shorter_listing():
    client, stub = stubbed("s3")
    stub.add_response("list_objects_v2", {"IsTruncated": True, "NextContinuationToken": "t",
                                          "Contents": [obj("a", b"x")]})
    stub.add_client_error("list_objects_v2", "SlowDown", "Please reduce your request rate.", 503)
    with pytest.raises(CollectorError, match="SlowDown"):
        s3listing.get_objects(context({"s3": client}), {"Name": "b"})  # the Objects detail's fetch


# -- every byte checked: S3 ------------------------------------------------------------------

BODY = b"<html>James Taylor at the Rady Shell, 6pm</html>\n" * 3
OTHER = BODY.replace(b"6pm", b"5pm")


def crc32(data: bytes) -> str:
    c = Crc32Checksum()  # botocore's own, to hold ours to S3's encoding
    c.update(data)
    return c.b64digest()


def get_answer(body: bytes, length: int | None = None, **headers: Any) -> dict[str, Any]:
    """A GetObject answer. ``length`` None: a transport that ends short without complaint."""
    headers.setdefault("ETag", f'"{hashlib.md5(BODY).hexdigest()}"')
    return {"Body": StreamingBody(io.BytesIO(body), length), "ContentLength": len(BODY), **headers}


def bucket(stub: Stubber, *answers: dict[str, Any]) -> None:
    for a in answers:
        stub.add_response("get_object", a, {"Bucket": "b", "Key": "k", "ChecksumMode": "ENABLED"})


def capture(ctx: UnitContext) -> list[ObjectEntry]:
    extras = s3objects.capture_objects(ctx, {"Name": "b", "Objects": [obj("k", BODY)]}, {}, "b")
    return load_index(extras.files[OBJECT_INDEX])


BAD: dict[str, tuple[Callable[[], dict[str, Any]], str]] = {  # a fresh answer (and stream) per try
    "short": (lambda: get_answer(BODY[:70]), f"length: 70 of {len(BODY)} bytes"),
    "short, as botocore sees it": (lambda: get_answer(BODY[:70], len(BODY)),
                                   f"70 read, but total bytes expected is {len(BODY)}."),
    "sha256": (lambda: get_answer(BODY, ChecksumSHA256=b64(hashlib.sha256(OTHER).digest())),
               f"sha256: expected {b64(hashlib.sha256(OTHER).digest())}, got {b64(hashlib.sha256(BODY).digest())}"),
    "crc32": (lambda: get_answer(BODY, ChecksumCRC32=crc32(OTHER)), f"crc32: expected {crc32(OTHER)}, got {crc32(BODY)}"),
    "md5 etag": (lambda: get_answer(BODY, ETag=f'"{hashlib.md5(OTHER).hexdigest()}"'),
                 f"md5 (ETag): expected {hashlib.md5(OTHER).hexdigest()}, got {hashlib.md5(BODY).hexdigest()}"),
}


@pytest.mark.parametrize("name", BAD)
def test_a_body_that_fails_every_time_is_an_error_and_nothing_is_written(name):
    answer, why = BAD[name]
    client, stub = stubbed("s3")
    bucket(stub, answer(), answer(), answer())
    blobs = MemoryBlobs()
    with pytest.raises(BodyIntegrityError) as err:
        capture(context({"s3": client}, blobs))
    assert str(err.value) == f"s3/b: key 'k': body failed its checksum ({why}) after 3 tries; nothing was written"
    assert blobs.objects == {}
    stub.assert_no_pending_responses()


def test_a_body_damaged_once_is_fetched_again_and_stored_whole():
    client, stub = stubbed("s3")
    good_sum = b64(hashlib.sha256(BODY).digest())
    bucket(stub, get_answer(OTHER, ChecksumSHA256=good_sum), get_answer(BODY, ChecksumSHA256=good_sum))
    blobs = MemoryBlobs()
    [entry] = capture(context({"s3": client}, blobs))
    assert blobs.objects == {entry.blob: BODY}
    assert entry.sha256 == hashlib.sha256(BODY).hexdigest()


@pytest.mark.parametrize("headers", [
    {"ETag": '"' + "a" * 32 + '-3"'},  # multipart: not an MD5
    {"ETag": '"' + "b" * 32 + '"', "ServerSideEncryption": "aws:kms"},  # SSE-KMS: not the MD5
    {"ETag": '"' + "c" * 32 + '"', "SSECustomerAlgorithm": "AES256"},
    {"ETag": '"' + "d" * 32 + '-2"', "ChecksumCRC32": crc32(OTHER) + "-2"},  # composite: of the parts
    {"ETag": '"' + "e" * 32 + '-2"', "ChecksumSHA256": b64(hashlib.sha256(BODY).digest())},
    {"ChecksumCRC32": crc32(BODY)},
    {"ServerSideEncryption": "AES256"},  # SSE-S3: the ETag is the MD5, and it matches
], ids=["multipart", "sse-kms", "sse-c", "composite", "sha256", "crc32", "sse-s3"])
def test_a_sound_body_is_never_flagged(headers):
    client, stub = stubbed("s3")
    bucket(stub, get_answer(BODY, **headers))
    blobs = MemoryBlobs()
    [entry] = capture(context({"s3": client}, blobs))
    assert list(blobs.objects.values()) == [BODY]
    stub.assert_no_pending_responses()


def test_a_streamed_body_that_fails_leaves_no_object_in_the_store(tmp_path):
    from gitsnap.store import SnapshotStore

    store = SnapshotStore.init(tmp_path / "repo")
    objects = tmp_path / "repo" / "objects"
    before = sorted(p for p in objects.rglob("*") if p.is_file())
    client, stub = stubbed("s3")
    bad = b64(hashlib.sha256(OTHER).digest())
    bucket(stub, *(get_answer(BODY, ChecksumSHA256=bad) for _ in range(3)))
    # scan_max 1: the body streams into the loose-object writer, past the in-memory scan
    with pytest.raises(BodyIntegrityError):
        capture(context({"s3": client}, store, scan_max=1))
    assert sorted(p for p in objects.rglob("*") if p.is_file()) == before
    assert not store.has(git_blob_id(BODY))


def test_a_previous_body_is_reused_only_if_it_is_sound():
    old = ObjectEntry(key="k", size=len(BODY), etag=hashlib.md5(BODY).hexdigest(),
                      sha256=hashlib.sha256(BODY).hexdigest(), blob=git_blob_id(BODY))
    unit = f"aws/{ACCOUNT}/us-east-1/s3"
    previous = {f"{unit}/bucket/b/{OBJECT_INDEX}": dump_index([old])}
    blobs = MemoryBlobs(damaged={old.blob})
    blobs.objects[old.blob] = b"rotten bytes on disk"  # it exists; it is not sound
    client, stub = stubbed("s3")
    bucket(stub, get_answer(BODY))
    [entry] = capture(context({"s3": client}, blobs, previous, unit=unit))
    stub.assert_no_pending_responses()  # fetched again, not reused
    assert entry.blob == old.blob and blobs.objects[old.blob] == BODY


# -- every byte checked: Lambda packages -----------------------------------------------------

PACKAGE = zlib.compress(b"PK fake zip " * 500, 0)  # the bytes only need to be checked, not unzipped


@pytest.fixture
def package_server() -> Iterator[str]:
    """/whole serves the package; /half announces its full length and sends half."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            self.send_response(200)
            self.send_header("Content-Length", str(len(PACKAGE)))
            self.end_headers()
            self.wfile.write(PACKAGE if self.path == "/whole" else PACKAGE[: len(PACKAGE) // 2])

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def function(location: str) -> tuple[dict[str, Any], dict[str, Any]]:
    config = {"FunctionName": "f", "Role": ROLE_ARN, "CodeSize": len(PACKAGE),
              "CodeSha256": b64(hashlib.sha256(PACKAGE).digest()),
              "FunctionArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f"}
    return {"FunctionName": "f", "Function": {"Configuration": config, "Code": {"Location": location}}}, config


def test_a_package_cut_in_half_every_time_is_an_error_and_nothing_is_written(package_server):
    raw, config = function(f"{package_server}/half")
    client, stub = stubbed("lambda")
    for _ in range(2):  # each retry asks GetFunction for a fresh Code.Location
        stub.add_response("get_function", {"Configuration": config, "Code": {"Location": f"{package_server}/half"}},
                          {"FunctionName": "f"})
    blobs = MemoryBlobs()
    ctx = context({"lambda": client}, blobs, unit=f"aws/{ACCOUNT}/us-east-1/lambda")
    with pytest.raises(BodyIntegrityError, match=rf"^lambda/f: code package failed its checksum \(length: "
                                                 rf"{len(PACKAGE) // 2} of {len(PACKAGE)} bytes\) after 3 tries"):
        awslambda.capture_code(ctx, raw, {"Configuration": config}, "f")
    assert blobs.objects == {}
    stub.assert_no_pending_responses()


def test_a_package_cut_once_is_fetched_again_from_a_fresh_location(package_server):
    raw, config = function(f"{package_server}/half")
    client, stub = stubbed("lambda")
    stub.add_response("get_function", {"Configuration": config, "Code": {"Location": f"{package_server}/whole"}})
    blobs = MemoryBlobs()
    ctx = context({"lambda": client}, blobs, unit=f"aws/{ACCOUNT}/us-east-1/lambda")
    extras = awslambda.capture_code(ctx, raw, {"Configuration": config}, "f")
    assert blobs.objects == {git_blob_id(PACKAGE): PACKAGE}
    assert extras.doc_updates["Code"]["sha256"] == hashlib.sha256(PACKAGE).hexdigest()


def test_code_that_changes_during_the_capture_is_an_error_not_a_mismatched_record(package_server):
    raw, config = function(f"{package_server}/half")
    client, stub = stubbed("lambda")
    stub.add_response("get_function", {"Configuration": {**config, "CodeSha256": "bmV3"},
                                       "Code": {"Location": f"{package_server}/whole"}})
    ctx = context({"lambda": client}, unit=f"aws/{ACCOUNT}/us-east-1/lambda")
    with pytest.raises(CollectorError, match=r"^lambda/f: its code changed while it was being captured"):
        awslambda.capture_code(ctx, raw, {"Configuration": config}, "f")


def garbled(client: Any, times: int = 1) -> list[int]:
    """The client's next *times* answers are a cut-off body botocore cannot parse (as a proxy
    dropping the connection mid-body gives), then the stubbed answers. botocore's Stubber skips parsing,
    so the failure is raised where the parser would raise it."""
    from botocore.parsers import ResponseParserError

    seen = [0]

    def before_parse(**_: Any) -> None:
        seen[0] += 1
        if seen[0] <= times:
            raise ResponseParserError("Unable to parse response, invalid XML received:\nb'<Policy>sk_live_cut")

    client.meta.events.register_first("before-call.*.*", before_parse)  # before the Stubber answers
    return seen


def test_an_answer_that_does_not_parse_is_asked_again_not_a_crash():
    client, stub = stubbed("s3")
    stub.add_response("get_bucket_policy", {"Policy": '{"Version": "2012-10-17", "Statement": []}'})
    stub.add_response("get_bucket_policy", {"Policy": '{"Version": "2012-10-17", "Statement": []}'})
    asked = garbled(client)
    got = run.call(context({"s3": client}), s3.BUCKET, detail(s3.BUCKET, "Policy"), {"Name": "b"}, "s3/b")
    assert got == {"Version": "2012-10-17", "Statement": []}
    assert asked[0] == 2, "the garbled answer was not asked again"


def test_an_answer_that_never_parses_is_one_error_without_the_body():
    client, stub = stubbed("s3")
    for _ in range(2):  # the Stubber checks a call is expected before the garbling hook runs
        stub.add_response("get_bucket_policy", {"Policy": "{}"})
    garbled(client, times=2)
    with pytest.raises(IncompleteAnswerError) as err:
        run.call(context({"s3": client}), s3.BUCKET, detail(s3.BUCKET, "Policy"), {"Name": "b"}, "s3/b")
    assert "answered incompletely twice" in str(err.value)
    assert "sk_live" not in str(err.value)  # the body is never quoted into an error line
