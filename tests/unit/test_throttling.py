"""Throttling is normal (issue #11, item 6): how many times a call is tried, and how many
calls of one service are in flight at once.

Real botocore clients made by :class:`AwsAccount`, with their real retry handlers, adaptive
rate limiter and events; only the network is fake. A ``before-send`` handler (:class:`Wire`)
answers each HTTP request, as AWS would, or raises as a broken connection does. botocore's
Stubber cannot show any of this: it answers on ``before-call``, ahead of the retry loop, so
nothing is ever retried or sent. botocore's backoff sleeps and the rate limiter's waits are
patched out (and counted), so no test waits; nothing here measures time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import botocore.endpoint
import botocore.exceptions as bx
import botocore.retries.bucket
import pytest
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber

from gitsnap.collectors.aws import clients
from gitsnap.collectors.aws.clients import AwsAccount

from .. import faults

IAM_OK = (b'<ListRolesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListRolesResult>'
          b"<IsTruncated>false</IsTruncated><Roles/></ListRolesResult>"
          b"<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ListRolesResponse>")
LAMBDA_OK = b'{"Functions": []}'


def xml_error(code: str) -> bytes:
    return (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>Rate exceeded</Message>"
            f"</Error><RequestId>r</RequestId></ErrorResponse>").encode()


class Body:
    """What botocore reads an HTTP body from."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


def answer(status: int, body: bytes, **headers: str) -> Callable[[Any], AWSResponse]:
    return lambda request: AWSResponse(request.url, status, headers, Body(body))


THROTTLED = answer(400, xml_error("Throttling"))  # IAM's throttling answer
FAILED = answer(500, xml_error("ServiceFailure"))
IAM = answer(200, IAM_OK)


def broken(_request: Any) -> AWSResponse:
    raise bx.ConnectionClosedError(endpoint_url="https://iam.amazonaws.com/")


@dataclass
class Wire:
    """The network behind the clients: *script* answers the n-th request (0-based) with
    ``script[n]`` (the last entry for every later one). ``peak`` is the most requests ever on
    the wire at once.

    With ``hold`` set, each request stays on the wire until ``hold`` requests are on it at
    once (or all of ``expected`` not yet answered are), so the peak reaches whatever the gates
    allow whatever the threads' timing; then for up to ``grace`` seconds more, so that calls a
    broken gate would let through arrive while it is full. The grace only makes the test
    sensitive; nothing asserts on time (10 s guards against a hang)."""

    script: list[Callable[[Any], AWSResponse]]
    hold: int = 0
    expected: int = 0
    grace: float = 0.25
    sent: int = 0
    on_wire: int = 0
    done: int = 0
    peak: int = 0
    in_flight_seen: list[int] = field(default_factory=list)
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-send", self.send)  # after gitsnap's own handlers

    def send(self, request: Any, **_: Any) -> AWSResponse:
        with self._cond:
            n = self.sent
            self.sent += 1
            self.on_wire += 1
            self.peak = max(self.peak, self.on_wire)
            self._cond.notify_all()
            if self.hold:
                self._cond.wait_for(lambda: self.on_wire >= min(self.hold, self.expected - self.done), 10)
                self._cond.wait_for(lambda: self.on_wire > self.hold or self.on_wire >= self.expected - self.done,
                                    self.grace)
        try:
            return self.script[min(n, len(self.script) - 1)](request)
        finally:
            with self._cond:
                self.on_wire -= 1
                self.done += 1
                self._cond.notify_all()


@dataclass
class Waits:
    """botocore's backoff sleeps and rate-limiter token takes, counted instead of waited."""

    sleeps: list[float] = field(default_factory=list)
    tokens: int = 0
    during_sleep: list[int] = field(default_factory=list)  # the IAM gate's holders while asleep
    gate: Any = None


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> Waits:
    w = Waits()

    class Time:
        @staticmethod
        def sleep(seconds: float) -> None:
            w.sleeps.append(seconds)
            if w.gate is not None:
                w.during_sleep.append(w.gate.in_flight)

    def take_token(_self: Any, amount: int = 1, block: bool = True) -> bool:
        w.tokens += 1
        return True

    monkeypatch.setattr(botocore.endpoint, "time", Time)  # the retry loop's sleep
    monkeypatch.setattr(botocore.retries.bucket.TokenBucket, "acquire", take_token)  # adaptive mode's wait
    return w


@pytest.fixture
def account(fake_aws_env: None, monkeypatch: pytest.MonkeyPatch) -> AwsAccount:
    if hasattr(clients, "_GATES"):
        monkeypatch.setattr(clients, "_GATES", {})  # fresh gates: no other test's counts
    return AwsAccount()


def wired(account: AwsAccount, wire: Wire) -> AwsAccount:
    account.client_hooks.append(wire.attach)
    return account


def rewire(account: AwsAccount, wire: Wire) -> Wire:
    """Put *wire* behind the account's clients from now on (its gates stay as they are)."""
    account.client_hooks[:] = [wire.attach]
    account._clients.clear()  # new clients, made with the new wire
    return wire


# -- how many times a call is tried -----------------------------------------------------------------


def test_a_call_throttled_nine_times_in_a_row_is_answered_on_the_tenth(account: AwsAccount, waits: Waits) -> None:
    """The issue's failure: a throttled call gave up after four attempts, and with it the
    whole capture. Now a throttled call is tried ten times, backing off between tries, and the
    adaptive rate limiter meters the client once it has been throttled."""
    wire = Wire([THROTTLED] * 9 + [IAM])
    iam = wired(account, wire).client("iam")
    assert iam.list_roles()["Roles"] == []
    assert wire.sent == 10
    assert len(waits.sleeps) == 9, "each retry backs off first"
    assert waits.tokens >= 9, "the adaptive rate limiter was not consulted after the throttling"


def test_a_call_throttled_on_every_attempt_fails_after_ten_naming_the_throttling(
        account: AwsAccount, waits: Waits) -> None:
    wire = Wire([THROTTLED])
    iam = wired(account, wire).client("iam")
    with pytest.raises(bx.ClientError) as caught:
        iam.list_roles()
    assert wire.sent == 10
    err = clients.translate(caught.value, "iam/role list: iam:ListRoles")
    assert isinstance(err, clients.ThrottledError)
    assert str(err).startswith("iam/role list: iam:ListRoles: still throttled after 10 attempts (Throttling)")


def test_the_sdks_own_max_attempts_setting_wins(monkeypatch: pytest.MonkeyPatch, account: AwsAccount,
                                                waits: Waits) -> None:
    """AWS_MAX_ATTEMPTS (or max_attempts in the AWS profile) is how a user tells every AWS SDK
    how patient to be; gitsnap's ten is only the default."""
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "3")
    wire = Wire([THROTTLED])
    iam = wired(AwsAccount(), wire).client("iam")
    with pytest.raises(bx.ClientError):
        iam.list_roles()
    assert wire.sent == 3


@pytest.mark.parametrize("failure", [FAILED, broken], ids=["500", "connection-closed"])
def test_any_other_failure_is_tried_four_times(account: AwsAccount, waits: Waits, failure: Callable) -> None:
    """A 5xx or a dropped connection is not worth ten tries: a dead endpoint must be reported
    within about a minute (4 x the 15 s read timeout), not three."""
    wire = Wire([failure])
    iam = wired(account, wire).client("iam")
    with pytest.raises((bx.ClientError, bx.ConnectionClosedError)):
        iam.list_roles()
    assert wire.sent == 4


def test_throttling_after_other_failures_still_gets_its_ten_tries(account: AwsAccount, waits: Waits) -> None:
    """The cap on other failures counts attempts, not kinds: three 500s, then throttling, are
    retried until the tenth attempt answers."""
    wire = Wire([FAILED] * 3 + [THROTTLED] * 6 + [IAM])
    iam = wired(account, wire).client("iam")
    assert iam.list_roles()["Roles"] == []
    assert wire.sent == 10


# the fault proxy's throttling answers (tests/faults.py), one per service and protocol, and
# the call each is tried on; botocore must read each as throttling (ten tries, not four)
PROXY_THROTTLING = [
    ("iam", "list_roles", {}, "Throttling"), ("sts", "get_caller_identity", {}, "Throttling"),
    ("s3", "list_buckets", {}, "SlowDown"), ("cloudfront", "list_distributions", {}, "Throttling"),
    ("route53", "list_hosted_zones", {}, "Throttling"), ("dynamodb", "list_tables", {}, "ThrottlingException"),
    ("acm", "list_certificates", {}, "ThrottlingException"), ("lightsail", "get_instances", {}, "ThrottlingException"),
    ("application-autoscaling", "describe_scalable_targets", {"ServiceNamespace": "dynamodb"}, "ThrottlingException"),
    ("lambda", "list_functions", {}, "TooManyRequestsException"),
    ("apigateway", "get_rest_apis", {}, "TooManyRequestsException"),
    ("apigatewayv2", "get_apis", {}, "TooManyRequestsException"),
    ("sesv2", "list_email_identities", {}, "TooManyRequestsException"), ("ses", "list_identities", {}, "Throttling"),
    ("rds", "describe_db_instances", {}, "Throttling"), ("ec2", "describe_regions", {}, "RequestLimitExceeded"),
]


def proxy_throttling(request: Any) -> AWSResponse:
    """What the fault proxy answers a throttled request with."""
    req = faults.Request(request.method, request.url.split("://", 1)[1].partition("/")[2],
                         {k.lower(): v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()},
                         request.body if isinstance(request.body, bytes) else (request.body or "").encode())
    err = faults.throttling(req)
    body, ctype = faults.error_document(err.code, err.json, "Rate exceeded", ec2=faults.signing_service(req) == "ec2")
    return AWSResponse(request.url, err.status, {"Content-Type": ctype, "x-amzn-ErrorType": err.code}, Body(body))


@pytest.mark.parametrize(("service", "method", "params", "code"), PROXY_THROTTLING, ids=[t[0] for t in PROXY_THROTTLING])
def test_the_fault_proxys_throttling_reads_as_throttling(account: AwsAccount, waits: Waits, service: str,
                                                         method: str, params: dict, code: str) -> None:
    """tests/e2e/test_throttling.py is only as good as its throttling: each service's answer
    must be what botocore reads as that service throttling (so it is tried ten times, where any
    other failure would be tried four)."""
    wire = Wire([proxy_throttling])
    client = wired(account, wire).client(service)
    with pytest.raises(bx.ClientError) as caught:
        getattr(client, method)(**params)
    assert caught.value.response["Error"]["Code"] == code
    assert wire.sent == 10


# -- calls in flight ----------------------------------------------------------------------------------


def run_at_once(n: int, call: Callable[[int], Any]) -> list[Any]:
    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(call, range(n)))


def test_iam_calls_in_flight_never_exceed_its_limit_across_regions(account: AwsAccount, waits: Waits) -> None:
    """IAM is one account-wide quota whichever region a client names: 24 calls at once from
    three regions' clients put exactly the limit on the wire at a time, never more."""
    limit = clients.LIMITS["iam"].calls
    calls = 24
    wire = Wire([IAM], hold=limit, expected=calls)
    wired(account, wire)
    regions = ("us-east-1", "eu-west-1", "ap-southeast-2")
    run_at_once(calls, lambda i: account.client("iam", regions[i % 3]).list_roles())
    assert wire.sent == calls
    assert wire.peak == limit
    assert account.gate("iam", "us-east-1").in_flight == 0


def test_regional_services_have_a_gate_per_region_and_global_ones_one_per_account(account: AwsAccount) -> None:
    assert account.gate("lambda", "us-east-1") is not account.gate("lambda", "eu-west-1")
    assert account.gate("iam", "us-east-1") is account.gate("iam", "eu-west-1")
    assert account.gate("route53", "us-east-1").size == clients.LIMITS["route53"].calls
    assert account.gate("dynamodb", "us-east-1").size == clients.DEFAULT_LIMIT.calls


def test_the_total_in_flight_is_bounded_across_services(monkeypatch: pytest.MonkeyPatch, account: AwsAccount,
                                                         waits: Waits) -> None:
    """Two services, each allowed more than the total: the total holds."""
    monkeypatch.setattr(clients, "TOTAL", clients.Gate("all AWS calls", 3))
    monkeypatch.setitem(clients.LIMITS, "iam", clients.Limit(8, per_region=False))
    monkeypatch.setitem(clients.LIMITS, "lambda", clients.Limit(8))
    body = {"iam": IAM_OK, "lambda": LAMBDA_OK}
    calls = 16

    def respond(request: Any) -> AWSResponse:
        return answer(200, body["lambda" if "lambda" in request.url else "iam"])(request)

    wire = Wire([respond], hold=3, expected=calls)
    wired(account, wire)
    run_at_once(calls, lambda i: account.client("iam").list_roles() if i % 2 else
                account.client("lambda").list_functions())
    assert wire.peak == 3


def test_no_permit_is_held_while_a_retry_backs_off(account: AwsAccount, waits: Waits) -> None:
    """A call sleeping before its retry holds no permit: others may use the service meanwhile."""
    waits.gate = account.gate("iam")
    wire = Wire([THROTTLED, FAILED, IAM])
    wired(account, wire).client("iam").list_roles()
    assert waits.during_sleep == [0, 0]


def test_errors_and_retries_leave_every_permit_free(account: AwsAccount, waits: Waits) -> None:
    """Calls that are throttled then answered, fail on every try, lose their connection, get
    an answer that does not parse (botocore raises between taking and giving back a permit:
    ``after-call-error`` gives it back), or are answered by a Stubber (no request is sent):
    afterwards every permit is free, and the full limit of calls gets on the wire at once."""
    limit = clients.LIMITS["iam"].calls
    scripts = {
        "throttled-then-ok": [THROTTLED, IAM],
        "always-500": [FAILED],
        "connection-closed": [broken],
        "unparsable": [answer(200, b"<ListRolesResponse><ListRolesResult><Roles>")],
    }
    outcomes = {}
    for name, script in scripts.items():  # one account (so one gate), a client per script
        rewire(account, Wire(script))
        try:
            account.client("iam").list_roles()
            outcomes[name] = "answered"
        except bx.ClientError:
            outcomes[name] = "ClientError"
        except Exception as exc:  # noqa: BLE001 (ResponseParserError is not a BotoCoreError)
            outcomes[name] = type(exc).__name__
    assert outcomes == {"throttled-then-ok": "answered", "always-500": "ClientError",
                        "connection-closed": "ConnectionClosedError", "unparsable": "ResponseParserError"}

    stubbed = account.client("iam")
    with Stubber(stubbed) as stub:
        stub.add_response("list_roles", {"Roles": [], "IsTruncated": False})
        stubbed.list_roles()

    gate = account.gate("iam")
    assert gate.in_flight == 0 and clients.TOTAL.in_flight == 0
    wire = rewire(account, Wire([IAM], hold=limit, expected=limit))  # every permit, taken at once
    run_at_once(limit, lambda _i: account.client("iam").list_roles())
    assert wire.peak == limit
    assert gate.in_flight == 0
