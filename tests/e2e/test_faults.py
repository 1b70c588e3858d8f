"""An exact record under faults: a read that fails, a body cut short or altered, an answer
half sent, a page throttled, a sub-resource gone between list and get.

moto cannot do any of this on cue, so every test here puts the fault proxy
(tests/faults.py) between gitsnap and a local AWS and says which request it spoils.
Whatever the fault, a user must get one of two things: an error (exit 2, one line naming
what failed, nothing written) or, with --allow-partial, a snapshot (exit 3) in which what
failed keeps its previous state and is named. Never a snapshot that records unknown state
as deleted, nor a body that differs from what was stored in the cloud.

One estate is seeded and captured (v1.0) per module, in a sandbox process of its own that
no other test resets; each test captures a private copy of that repository. After v1.0 the
fixture adds four objects and changes both functions' code, so every capture must download
them again: a fault on a body needs a GET that would otherwise be skipped (bodies whose
ETag and size are unchanged are reused).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import botocore.exceptions as bx
import pytest

from gitsnap.sandbox import estate as sample

from ..conftest import GITSNAP, Gitsnap, Result, base_env
from ..faults import (
    LAMBDA_CODE,
    FaultProxy,
    IsolatedSandbox,
    Request,
    Rule,
    copy_repo,
    edit_json,
    error_line,
    fsck,
    truncate_body,
)

pytestmark = pytest.mark.e2e

REGION = "us-east-1"
BUCKET = "sailjada-prod"
DATA_KEY = "fresh/data.bin"  # has an x-amz-checksum-crc32 (boto3 sends one on upload)
DATA_KEY_2 = "fresh/data-2.bin"
LEGACY_KEY = "fresh/legacy.bin"  # uploaded without one, as older tools do: only the ETag vouches for it
LEGACY_KEY_2 = "fresh/legacy-2.bin"
CODE_FUNCTION = "jada-contact-form"  # the code of both functions changes after v1.0
FUNCTION = "jada-event-processor"
ROLE = "jada-lambda-role"
ROLE_POLICY = "events-table"
TABLE = "jada-events"
ZONE = "sailjada.com"


def unit(service: str, region: str = REGION) -> str:
    return f"aws/{sample.ACCOUNT}/{region}/{service}"


@dataclass
class Estate:
    """The module's sandbox, its captured template repository, and what changed since."""

    sandbox: IsolatedSandbox
    env: dict[str, str]
    template: Path
    bodies: dict[str, bytes]  # keys put after v1.0 -> their bytes
    codes: dict[str, bytes]  # function -> its package, changed after v1.0
    distribution: str  # the sailjada-prod distribution's id
    zone: str  # sailjada.com's hosted zone id

    def client(self, service: str):  # noqa: ANN201 (a boto3 client)
        return sample.clients(self.sandbox.endpoint, REGION)(service)


def put_without_checksum(endpoint: str, bucket: str, key: str, body: bytes) -> None:
    """PUT with no x-amz-checksum-* header (boto3 always adds one), as an older uploader would."""
    target = urlsplit(endpoint)
    conn = http.client.HTTPConnection(target.hostname, target.port)
    conn.request("PUT", f"/{bucket}/{key}", body=body, headers={"Content-Length": str(len(body))})
    assert conn.getresponse().status == 200
    conn.close()


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Estate]:
    work = tmp_path_factory.mktemp("faults")
    sandbox = IsolatedSandbox(work / "sandbox", GITSNAP, base_env(work, "http://127.0.0.1:9"))
    try:
        env = base_env(work, sandbox.endpoint, sandbox.env["AWS_ENDPOINT_URL_LIGHTSAIL"])
        template = Gitsnap(work / "template", env)
        template("init")
        template("capture", "--tag", "v1.0")
        c = sample.clients(sandbox.endpoint, REGION)
        bodies = {k: os.urandom(200_000 + n) for n, k in enumerate((DATA_KEY, DATA_KEY_2, LEGACY_KEY, LEGACY_KEY_2))}
        for key in (DATA_KEY, DATA_KEY_2):
            c("s3").put_object(Bucket=BUCKET, Key=key, Body=bodies[key])
        for key in (LEGACY_KEY, LEGACY_KEY_2):
            put_without_checksum(sandbox.endpoint, BUCKET, key, bodies[key])
        codes = {  # the same file names as before: only their contents change
            CODE_FUNCTION: sample.zip_source({"form.py": "def handler(event, context):\n    return {'statusCode': 202}\n"}),
            FUNCTION: sample.zip_source({"app.py": sample.HANDLER_V1.replace("booking", "reservation"),
                                         "README.md": "Event bookings.\n"}),
        }
        for function, code in codes.items():
            c("lambda").update_function_code(FunctionName=function, ZipFile=code)
        dist = next(d["Id"] for d in c("cloudfront").list_distributions()["DistributionList"]["Items"]
                    if d["Origins"]["Items"][0]["DomainName"].startswith(f"{BUCKET}."))
        zone = next(z["Id"].rsplit("/", 1)[-1] for z in c("route53").list_hosted_zones()["HostedZones"]
                    if z["Name"] == f"{ZONE}.")
        yield Estate(sandbox, env, template.repo, bodies, codes, dist, zone)
    finally:
        sandbox.stop()


@dataclass
class Snap:
    """A private copy of the template, a fault proxy in front of the sandbox, and the state
    before anything ran."""

    g: Gitsnap
    proxy: FaultProxy
    estate: Estate
    refs: str = ""
    manifest: dict = field(default_factory=dict)

    def capture(self, *args: str) -> Result:
        # timeout= is a hang guard for the test run, not a timing assertion
        return self.g("capture", *args, check=False, timeout=240)

    def rule(self, rule: Rule) -> Rule:
        self.proxy.rules.append(rule)
        return rule


@pytest.fixture
def snap(estate: Estate, tmp_path: Path) -> Iterator[Snap]:
    repo = copy_repo(estate.template, tmp_path / "snap")
    proxy = FaultProxy(estate.sandbox.endpoint)
    url = proxy.start()
    g = Gitsnap(repo, {**estate.env, "AWS_ENDPOINT_URL": url})
    s = Snap(g, proxy, estate)
    s.refs, s.manifest = g.refs(), g.manifest()
    yield s
    proxy.stop()


def only(*services: str) -> list[str]:
    return [a for s in services for a in ("--only", s)]


def assert_nothing_written(s: Snap) -> None:
    assert s.g.refs() == s.refs, "a failed capture moved a ref"
    fsck(s.g.repo)


def assert_nothing_deleted(s: Snap, removable: Callable[[dict], bool] = lambda _c: False) -> None:
    """No resource of v1.0 is missing at HEAD, and ``gitsnap diff`` reports no removal at all
    (but those *removable* says are the truth)."""
    after = s.g.manifest()
    missing = sorted(set(s.manifest["resources"]) - set(after["resources"]))
    assert not missing, f"recorded as deleted: {missing}"
    changes = json.loads(s.g("diff", "v1.0", "HEAD", "--format", "json").out)["changes"]
    removed = [c for c in changes if c["kind"] == "removed" and not removable(c)]
    assert not removed, f"gitsnap diff v1.0 HEAD shows removals: {removed}"
    fsck(s.g.repo)


def table(name: str) -> Callable[[Request], bool]:
    return lambda req: req.json().get("TableName") == name


def mentions_call(line: str, call: str) -> bool:
    """The line names an API call, as ``GetFunction`` or ``get_function``."""
    return call.lower() in line.lower().replace("_", "")


def blob_of(s: Snap, key: str) -> bytes:
    path = f"HEAD:{unit('s3')}/bucket/{BUCKET}/objects.jsonl"
    entry = next(e for e in map(json.loads, s.g.show(path).decode().splitlines()) if e["key"] == key)
    return s.g.git("cat-file", "blob", entry["blob"], binary=True)  # type: ignore[return-value]


def code_of(s: Snap, function: str) -> bytes:
    doc = json.loads(s.g.show(f"HEAD:{unit('lambda')}/function/{function}/function.json"))
    return s.g.git("cat-file", "blob", doc["Code"]["blob"], binary=True)  # type: ignore[return-value]


# -- one read of one existing resource fails -------------------------------------------------------


@dataclass(frozen=True)
class Read:
    """A fault on one read: which --only to capture, the rule, what the error must name."""

    id: str
    services: tuple[str, ...]
    rule: Callable[[Estate], Rule]
    names: Callable[[Estate], tuple[str, ...]]


DENIED = {"code": "AccessDenied"}
FAILING = {"status": 500, "code": "InternalError"}  # on every retry: the rule is not `once`

READS = (
    Read("s3-bucket-policy-denied", ("s3",),
         lambda e: Rule("GET", rf"^/{BUCKET}/?\?policy", **DENIED), lambda e: (f"s3/{BUCKET}",)),
    Read("s3-object-get-500", ("s3",),
         lambda e: Rule("GET", rf"^/{BUCKET}/{DATA_KEY}", **FAILING), lambda e: (f"s3/{BUCKET}", DATA_KEY)),
    Read("lambda-get-function-denied", ("lambda",),
         lambda e: Rule("GET", rf"^/2015-03-31/functions/{FUNCTION}/?(\?|$)", code="AccessDeniedException",
                        json_protocol=True),
         lambda e: (f"lambda/{FUNCTION}",)),
    Read("iam-get-role-500", ("iam",),
         lambda e: Rule(action="GetRole", status=500, code="ServiceFailure"), lambda e: (f"iam/role/{ROLE}",)),
    Read("iam-get-role-policy-denied", ("iam",),
         lambda e: Rule(action="GetRolePolicy", **DENIED), lambda e: (f"iam/role/{ROLE}",)),
    Read("cloudfront-get-distribution-config-500", ("cloudfront",),
         lambda e: Rule("GET", rf"^/2020-05-31/distribution/{e.distribution}/config", **FAILING),
         lambda e: (f"cloudfront/{e.distribution}",)),
    Read("route53-list-resource-record-sets-denied", ("route53",),
         lambda e: Rule("GET", rf"/hostedzone/{e.zone}/rrset", **DENIED), lambda e: (f"route53/{ZONE}",)),
    Read("dynamodb-describe-table-500", ("dynamodb",),
         lambda e: Rule(action="DescribeTable", when=table(TABLE), status=500, code="InternalServerError"),
         lambda e: (f"dynamodb/{TABLE}",)),
)


def assert_fails_naming_it(snap: Snap, fault: Read, *args: str) -> None:
    """The capture exits 2 with one line naming the resource, the fault was served, and
    nothing was written."""
    rule = snap.rule(fault.rule(snap.estate))
    r = snap.capture(*args, *only(*fault.services))
    line = error_line(r.err)
    assert r.code == 2, r.err
    assert rule.hits, "the fault was never served: the test no longer reaches that read"
    for name in fault.names(snap.estate):
        assert name in line, f"{name!r} not named in: {line}"
    assert_nothing_written(snap)


@pytest.mark.parametrize("read", READS, ids=[r.id for r in READS])
def test_a_failed_read_fails_the_capture_and_writes_nothing(snap: Snap, read: Read) -> None:
    assert_fails_naming_it(snap, read, "--tag", "v2")


def test_allow_partial_keeps_each_failed_unit_as_it_was(snap: Snap) -> None:
    """One read fails in each of six units at once (denied, or 500 on every retry); the
    other units are captured, and each failed one keeps its v1.0 subtree, byte for byte."""
    e = snap.estate
    failing = {
        unit("s3"): Rule("GET", rf"^/{BUCKET}/?\?policy", **DENIED),
        unit("lambda"): Rule("GET", rf"^/2015-03-31/functions/{FUNCTION}/?(\?|$)", status=500,
                             code="ServiceException", json_protocol=True),
        unit("iam", "global"): Rule(action="GetRolePolicy", **DENIED),
        unit("cloudfront", "global"): Rule("GET", rf"^/2020-05-31/distribution/{e.distribution}/config", **FAILING),
        unit("route53", "global"): Rule("GET", rf"/hostedzone/{e.zone}/rrset", **DENIED),
        unit("dynamodb"): Rule(action="DescribeTable", when=table(TABLE), status=500, code="InternalServerError"),
    }
    for rule in failing.values():
        snap.rule(rule)
    r = snap.capture("--allow-partial")
    assert r.code == 3, r.err
    assert "Traceback" not in r.err and "internal error" not in r.err, r.err
    failed_lines = [line for line in r.err.splitlines() if line.startswith("gitsnap: failed: ")]
    assert len(failed_lines) == len(failing), r.err
    after = snap.g.manifest()
    message = snap.g.git("log", "-1", "--format=%B")
    for path, rule in failing.items():
        assert rule.hits, f"{path}: the fault was never served"
        assert after["units"][path]["status"] == "failed", path
        assert snap.g.git("rev-parse", f"HEAD:{path}") == snap.g.git("rev-parse", f"v1.0:{path}"), \
            f"{path} did not keep its previous subtree"
        assert any(path in line and "failed" in line for line in message.splitlines()), \
            f"{path} is not named as failed in the commit message:\n{message}"
    assert any(f"s3/{BUCKET}" in line for line in failed_lines), failed_lines
    assert any(f"lambda/{FUNCTION}" in line for line in failed_lines), failed_lines
    assert any(f"dynamodb/{TABLE}" in line for line in failed_lines), failed_lines
    ok = {p for p, u in after["units"].items() if u["status"] == "ok"}
    assert ok and not ok & set(failing), after["units"]
    assert_nothing_deleted(snap)


# -- bodies: cut short, altered, or spoiled once ---------------------------------------------------


BODY_FAULTS = (
    Read("s3-object-cut-short", ("s3",),
         lambda e: Rule("GET", rf"^/{BUCKET}/{DATA_KEY}", cut=0.5), lambda e: (f"s3/{BUCKET}", DATA_KEY)),
    Read("s3-object-bytes-flipped", ("s3",),
         lambda e: Rule("GET", rf"^/{BUCKET}/{DATA_KEY}", corrupt=True),
         lambda e: (f"s3/{BUCKET}", DATA_KEY, "checksum")),
    Read("s3-object-without-checksum-header-bytes-flipped", ("s3",),
         lambda e: Rule("GET", rf"^/{BUCKET}/{LEGACY_KEY}", corrupt=True),
         lambda e: (f"s3/{BUCKET}", LEGACY_KEY, "checksum")),
    Read("lambda-code-cut-short", ("lambda",),
         lambda e: Rule("GET", LAMBDA_CODE + CODE_FUNCTION, cut=0.5), lambda e: (f"lambda/{CODE_FUNCTION}",)),
    Read("lambda-code-bytes-flipped", ("lambda",),
         lambda e: Rule("GET", LAMBDA_CODE + CODE_FUNCTION, corrupt=True),
         lambda e: (f"lambda/{CODE_FUNCTION}", "checksum")),
)


@pytest.mark.parametrize("fault", BODY_FAULTS, ids=[f.id for f in BODY_FAULTS])
def test_a_spoiled_body_fails_the_capture_and_writes_nothing(snap: Snap, fault: Read) -> None:
    """Every try spoiled: the full Content-Length then half the bytes and a closed connection,
    or the right length with flipped bytes (ETag and x-amz-checksum-* headers untouched)."""
    assert_fails_naming_it(snap, fault)


def test_a_body_spoiled_once_is_read_again_and_stored_exactly(snap: Snap) -> None:
    """The first download of each new body is spoiled (cut short, or bytes flipped), the
    retry is not: the capture succeeds and every stored body is byte for byte what is in the
    cloud, whether or not S3 sent an x-amz-checksum-* for it."""
    spoiled = {
        DATA_KEY: {"cut": 0.5}, LEGACY_KEY_2: {"cut": 0.5},
        DATA_KEY_2: {"corrupt": True}, LEGACY_KEY: {"corrupt": True},
    }
    rules = [snap.rule(Rule("GET", rf"^/{BUCKET}/{key}$", once=True, **spoil)) for key, spoil in spoiled.items()]
    rules.append(snap.rule(Rule("GET", LAMBDA_CODE + CODE_FUNCTION, once=True, cut=0.5)))
    rules.append(snap.rule(Rule("GET", LAMBDA_CODE + FUNCTION, once=True, corrupt=True)))
    r = snap.capture(*only("s3", "lambda"))
    assert r.code == 0, r.err
    assert "Traceback" not in r.err
    assert all(rule.hits == 1 for rule in rules), [rule.hits for rule in rules]
    for key, body in snap.estate.bodies.items():
        stored = blob_of(snap, key)
        assert stored == body, f"{key}: stored {len(stored)} bytes, sha256 {hashlib.sha256(stored).hexdigest()[:12]}"
    for function, code in snap.estate.codes.items():
        assert code_of(snap, function) == code, f"lambda/{function}: the stored package differs"
    assert_nothing_deleted(snap)


# -- answers that arrive whole but say less than they should --------------------------------------


def without_configuration(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "Configuration"}


TRUNCATED = (
    Read("bucket-policy-json-cut-in-half", ("s3",),
         lambda e: Rule("GET", rf"^/{BUCKET}/?\?policy", rewrite=truncate_body(0.5)),
         lambda e: (f"s3/{BUCKET}", "policy")),
    Read("get-function-without-configuration", ("lambda",),
         lambda e: Rule("GET", rf"^/2015-03-31/functions/{FUNCTION}/?(\?|$)", rewrite=edit_json(without_configuration)),
         lambda e: (f"lambda/{FUNCTION}", "getfunction")),
)


@pytest.mark.parametrize("answer", TRUNCATED, ids=[t.id for t in TRUNCATED])
def test_an_incomplete_answer_is_an_error_naming_the_call(snap: Snap, answer: Read) -> None:
    """The HTTP response is complete (its length matches); its content is not."""
    rule = snap.rule(answer.rule(snap.estate))
    r = snap.capture(*only(*answer.services))
    line = error_line(r.err)
    assert r.code == 2, r.err
    assert rule.hits, "the fault was never served"
    address, call = answer.names(snap.estate)
    assert address in line, line
    assert mentions_call(line, call), f"the call ({call}) is not named in: {line}"
    assert_nothing_written(snap)


# -- pages throttled on every try ------------------------------------------------------------------


# A page throttled on every try fails either way; 4 tries instead of the default 10 keeps the
# test from spending a minute in backoff (AWS_MAX_ATTEMPTS is the user's own override too).
FEWER_TRIES = {"AWS_MAX_ATTEMPTS": "4"}


def small_pages(req: Request) -> None:
    req.path += "&max-keys=2"  # so the bucket's 7 objects come in 4 pages


def test_a_throttled_page_of_objects_fails_the_capture(snap: Snap) -> None:
    """S3 answers the bucket listing in pages of 2; every later page is 503 SlowDown."""
    throttled = snap.rule(Rule("GET", rf"^/{BUCKET}/?\?.*continuation-token=", status=503, code="SlowDown"))
    snap.rule(Rule("GET", rf"^/{BUCKET}/?\?list-type=2", edit_request=small_pages))
    r = snap.g("capture", *only("s3"), check=False, timeout=240, env=FEWER_TRIES)
    line = error_line(r.err)
    assert r.code == 2, r.err
    assert throttled.hits >= 2, "the page was not retried"
    assert f"s3/{BUCKET}" in line, line
    assert_nothing_written(snap)


def first_page_only(doc: dict) -> dict:
    return {**doc, "Functions": doc["Functions"][:1], "NextMarker": "page-2"}


def test_a_throttled_page_of_functions_keeps_the_previous_functions(snap: Snap) -> None:
    """ListFunctions answers one function and a marker; the second page is ThrottlingException
    on every try. With --allow-partial the Lambda unit keeps v1.0: both functions are there."""
    throttled = snap.rule(Rule("GET", r"^/2015-03-31/functions/?\?.*Marker=page-2", status=400,
                               code="ThrottlingException", json_protocol=True))
    snap.rule(Rule("GET", r"^/2015-03-31/functions/?$", rewrite=edit_json(first_page_only)))
    r = snap.g("capture", "--allow-partial", *only("lambda"), check=False, timeout=240, env=FEWER_TRIES)
    assert r.code in (2, 3), r.err
    assert throttled.hits >= 2, "the page was not retried"
    assert "Traceback" not in r.err and "internal error" not in r.err, r.err
    if r.code == 2:
        assert "lambda" in error_line(r.err)
        assert_nothing_written(snap)
        return
    assert snap.g.manifest()["units"][unit("lambda")]["status"] == "failed"
    assert {f"lambda/{FUNCTION}", f"lambda/{CODE_FUNCTION}"} <= set(snap.g.manifest()["resources"])
    assert_nothing_deleted(snap)


# -- a sub-resource gone between list and get --------------------------------------------------------


def role_document(s: Snap) -> dict:
    return json.loads(s.g.show(f"HEAD:{unit('iam', 'global')}/role/{ROLE}.json"))


def test_a_policy_that_seems_gone_once_is_not_recorded_as_deleted(snap: Snap) -> None:
    """ListRolePolicies lists events-table, then GetRolePolicy answers NoSuchEntity once; the
    policy is in fact still there. Either the capture reads again and records the role as it
    is (with its policy), or it fails; it never leaves the role or a function out."""
    gone = snap.rule(Rule(action="GetRolePolicy", status=404, code="NoSuchEntity", once=True))
    r = snap.capture(*only("iam", "lambda"))
    assert gone.hits == 1
    assert r.code in (0, 2), r.err
    assert "Traceback" not in r.err and "internal error" not in r.err, r.err
    if r.code == 2:
        assert ROLE in error_line(r.err)
        assert_nothing_written(snap)
        return
    assert "deleted while" not in r.err, r.err
    assert ROLE_POLICY in role_document(snap)["InlinePolicies"], "the policy was recorded as deleted"
    assert_nothing_deleted(snap)


def test_a_policy_deleted_between_list_and_get_is_recorded_truly(snap: Snap) -> None:
    """The policy is listed, then deleted for real just before GetRolePolicy. The role and
    both functions still exist: they must stay in the snapshot, the role without the policy
    (the true current state), or the capture fails."""
    iam = snap.estate.client("iam")
    document = iam.get_role_policy(RoleName=ROLE, PolicyName=ROLE_POLICY)["PolicyDocument"]

    def delete_policy() -> None:
        iam.delete_role_policy(RoleName=ROLE, PolicyName=ROLE_POLICY)

    snap.rule(Rule(action="GetRolePolicy", before=delete_policy, once=True))
    try:
        r = snap.capture(*only("iam", "lambda"))
    finally:  # the sandbox is shared by the module's tests: put the policy back
        iam.put_role_policy(RoleName=ROLE, PolicyName=ROLE_POLICY, PolicyDocument=json.dumps(document))
    assert r.code in (0, 2), r.err
    assert "Traceback" not in r.err and "internal error" not in r.err, r.err
    if r.code == 2:
        assert ROLE in error_line(r.err)
        assert_nothing_written(snap)
        return
    assert ROLE_POLICY not in role_document(snap)["InlinePolicies"], "the deleted policy is still recorded"

    def the_policy(change: dict) -> bool:
        return ROLE_POLICY in change["path"] and change["address"] in (f"iam/role/{ROLE}", f"lambda/{FUNCTION}",
                                                                        f"lambda/{CODE_FUNCTION}")

    assert_nothing_deleted(snap, removable=the_policy)


# -- the proxy itself ---------------------------------------------------------------------------------


def test_the_proxy_serves_each_fault_as_aws_would(snap: Snap) -> None:
    """The tests above are only as good as their faults: botocore itself must read each
    injected error as the code AWS sends, see a cut body as cut, and count uses exactly."""
    def client(service: str):  # noqa: ANN202 (a boto3 client)
        return sample.clients(snap.proxy.url, REGION)(service)

    s3, iam, ddb, lam = client("s3"), client("iam"), client("dynamodb"), client("lambda")
    assert s3.head_object(Bucket=BUCKET, Key=DATA_KEY)["ContentLength"] == len(snap.estate.bodies[DATA_KEY])
    twice = snap.rule(Rule("GET", rf"^/{BUCKET}/?\?policy", times=2, code="AccessDenied"))
    for _ in range(2):
        with pytest.raises(bx.ClientError, match="AccessDenied"):
            s3.get_bucket_policy(Bucket=BUCKET)
    assert s3.get_bucket_policy(Bucket=BUCKET)["Policy"] and twice.hits == 2
    snap.rule(Rule(action="GetRolePolicy", status=404, code="NoSuchEntity", once=True))
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role_policy(RoleName=ROLE, PolicyName=ROLE_POLICY)
    assert iam.get_role_policy(RoleName=ROLE, PolicyName=ROLE_POLICY)["PolicyDocument"]
    snap.rule(Rule(action="DescribeTable", when=table(TABLE), code="AccessDeniedException", once=True))
    with pytest.raises(bx.ClientError, match="AccessDeniedException"):
        ddb.describe_table(TableName=TABLE)
    snap.rule(Rule("GET", rf"^/2015-03-31/functions/{FUNCTION}/?$", code="ResourceNotFoundException",
                   status=404, json_protocol=True, once=True))
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function(FunctionName=FUNCTION)
    location = lam.get_function(FunctionName=FUNCTION)["Code"]["Location"]
    assert location.startswith(snap.proxy.url), "Code.Location does not go through the proxy"
    snap.rule(Rule("GET", rf"^/{BUCKET}/{DATA_KEY}$", cut=0.5, once=True))
    with pytest.raises(bx.ResponseStreamingError):
        s3.get_object(Bucket=BUCKET, Key=DATA_KEY)["Body"].read()
    snap.rule(Rule("GET", rf"^/{BUCKET}/{LEGACY_KEY}$", corrupt=True, once=True))
    got = s3.get_object(Bucket=BUCKET, Key=LEGACY_KEY)  # no checksum header: botocore cannot tell
    body = got["Body"].read()
    assert len(body) == len(snap.estate.bodies[LEGACY_KEY]) and body != snap.estate.bodies[LEGACY_KEY]
    assert got["ETag"].strip('"') == hashlib.md5(snap.estate.bodies[LEGACY_KEY]).hexdigest()  # noqa: S324
