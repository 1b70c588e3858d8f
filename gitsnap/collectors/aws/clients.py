"""botocore sessions and clients for one account (botocore errors as gitsnap errors, pages
and :data:`AWS_API`, the runner's view of AWS, are in :mod:`.api`).

Throttling is normal on a real account, so every client is made to live with it:

- **Retries**: botocore's ``adaptive`` mode, i.e. the standard retry policy (jittered
  exponential backoff, ``x-amz-retry-after`` honoured) plus a client-side rate limiter
  that slows the client down after each throttled answer. A throttled call is tried up to
  ``THROTTLED_ATTEMPTS`` times; any other retryable failure (a 5xx, a reset connection, a
  timeout) only ``OTHER_ATTEMPTS`` times, so an endpoint that does not answer is reported
  within about a minute (see :class:`RetryBudget` for the arithmetic).
- **Calls in flight**: a :class:`Gate` per service bounds how many calls are on the wire at
  once (``LIMITS``: the low-rate control planes get a few, per account or per region), and
  ``TOTAL`` bounds all of them together. A permit is held for one HTTP exchange, not during
  a backoff sleep, nor while an S3 body streams in.

botocore's retry quota stays as it is: 500 tokens per client; a throttled retry costs 5, a
call that then succeeds gives back 5 and one that needed no retry 1. So only calls throttled
again and again, faster than successes refill it, run it dry (calls then fail at once, naming
the throttling). The gates and the rate limiter keep a capture well away from that.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import botocore.config
import botocore.exceptions as bx
import botocore.loaders
import botocore.session
from botocore.credentials import AssumeRoleCredentialFetcher, DeferredRefreshableCredentials
from botocore.retries.standard import RetryEventAdapter, ThrottlingErrorDetector

# the error mapping lives in .api; its names stay importable from here, where they always were
from .api import (  # noqa: F401
    AWS_API,
    DENIED,
    INCOMPLETE_ANSWERS,
    NOT_ENABLED,
    THROTTLED,
    VANISHED,
    AwsApi,
    CheckedPageIterator,
    ThrottledError,
    TruncatedPageError,
    error_code,
    pages,
    parse_document,
    translate,
)

# -- retries ------------------------------------------------------------------------------------

THROTTLED_ATTEMPTS = 10  # tries of a call AWS keeps throttling, the first included (AWS_MAX_ATTEMPTS wins)
OTHER_ATTEMPTS = 4  # tries of a call that keeps failing otherwise (5xx, reset, timeout)
CONNECT_TIMEOUT = 5  # seconds to open a connection
READ_TIMEOUT = 15  # seconds per socket read: long body downloads are unaffected


class RetryBudget:
    """Caps retries of everything but throttling at ``OTHER_ATTEMPTS`` (a ``needs-retry`` veto).

    botocore has one attempt count for every retryable failure; gitsnap wants two. Throttling
    says "slow down", not "broken": it is worth waiting out. botocore (1.44) backs a throttled
    call off ``rand(0, 1) * min(2 ** (attempt - 1), 20)`` seconds, so ten tries wait at most
    1 + 2 + 4 + 8 + 16 + 4 * 20 = 111 s (about 55 s on average) on top of the tries themselves,
    plus whatever the adaptive rate limiter holds a request back. A 5xx, a reset connection or a
    timeout is backed off from 50 ms instead, and retrying it ten times would only make a dead
    endpoint slower to report: 10 x 15 s read timeouts plus up to 25.6 s of backoff is about
    three minutes. Four tries keep that at 4 x 15 s + 0.35 s, about a minute, as before.

    Registered first on ``needs-retry.<service>``, it answers ``False`` (do not retry) for a
    non-throttling failure after ``OTHER_ATTEMPTS`` tries and ``None`` (no opinion) otherwise,
    so botocore's own policy decides every other case, backoff included.
    """

    def __init__(self, other_attempts: int = OTHER_ATTEMPTS) -> None:
        self._other_attempts = other_attempts
        self._throttling = ThrottlingErrorDetector(RetryEventAdapter())

    def __call__(self, attempts: int, **kwargs: Any) -> bool | None:
        if attempts < self._other_attempts:
            return None
        if self._throttling.is_throttling_error(attempts=attempts, **kwargs):
            return None
        return False


# -- calls in flight ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    """How many calls of one service may be in flight at once, and over what.

    Attributes:
        calls: the number of calls on the wire at once.
        per_region: one gate per (account, service, region); else one per (account, service),
            for global services whose quota is the account's whatever region a client names.
    """

    calls: int
    per_region: bool = True


# Low-rate control planes get a few calls at a time; AWS's own figures (docs/aws.md) are rates,
# which the adaptive retry mode finds, while these bound the bursts that trip them.
LIMITS: dict[str, Limit] = {
    "iam": Limit(4, per_region=False),  # global; read rates unpublished and low, shared account-wide
    "cloudfront": Limit(4, per_region=False),  # global control plane
    "route53": Limit(4, per_region=False),  # 10 requests/s (burst 50) per account, all operations
    "organizations": Limit(2, per_region=False),  # management-account API, a few requests/s
    "lambda": Limit(8),  # control plane 15 requests/s per region (GetFunction 100)
    "apigateway": Limit(4),  # control plane 10 requests/s (burst 40) per account
    "apigatewayv2": Limit(4),
    # S3's control calls (bucket configuration, listings); object GETs and HEADs go through
    # s3http.FastS3, bounded by the download threads ([aws.s3] workers, up to 128), not by gates
    "s3": Limit(32),
}
DEFAULT_LIMIT = Limit(16)  # every other service, per region
MAX_IN_FLIGHT = 64  # all AWS calls of this process together


class Gate:
    """At most *size* holders at once (a bounded semaphore that counts, for tests and logs).

    A gate that is released more often than it was entered raises ``ValueError``: a permit
    given back twice would silently raise the limit.
    """

    def __init__(self, name: str, size: int) -> None:
        self.name = name
        self.size = size
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self.in_flight = 0
        self.peak = 0

    def enter(self) -> None:
        self._slots.acquire()
        with self._lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1
        self._slots.release()


TOTAL = Gate("all AWS calls", MAX_IN_FLIGHT)
_GATES: dict[tuple[Any, ...], Gate] = {}
_GATES_LOCK = threading.Lock()


def gate_for(account: tuple[str | None, str | None], service: str, region: str) -> Gate:
    """The gate of *service* for an account (named by its profile and role) and region."""
    limit = LIMITS.get(service, DEFAULT_LIMIT)
    key = (*account, service, region) if limit.per_region else (*account, service)
    with _GATES_LOCK:
        if key not in _GATES:
            where = f" in {region}" if limit.per_region else ""
            _GATES[key] = Gate(f"{service}{where}", limit.calls)
        return _GATES[key]


_PERMIT = "gitsnap_permit"  # request-context key: this request holds a permit of both gates


class Permits:
    """botocore event handlers that hold one permit of a service gate (and of ``TOTAL``) for
    each HTTP exchange of a client.

    Taken on ``before-send`` (each attempt, after the adaptive rate limiter's own wait),
    given back on ``response-received``, which botocore emits after every attempt, whether it
    got an answer or an exception, and before any backoff sleep. ``after-call`` and
    ``after-call-error`` give back a permit still held: an answer that fails to parse raises
    between the two, and one of those events ends every call. Which request holds a permit is
    recorded in its context, so a permit is never given back twice, nor kept.
    """

    def __init__(self, gate: Gate, total: Gate | None = None) -> None:
        self.gate = gate
        self.total = TOTAL if total is None else total

    def take(self, request: Any, **_: Any) -> None:
        context = request.context
        if context.get(_PERMIT):
            return
        self.gate.enter()
        try:
            self.total.enter()
        except BaseException:
            self.gate.leave()
            raise
        context[_PERMIT] = True

    def give_back(self, context: dict[str, Any] | None = None, **_: Any) -> None:
        if context is not None and context.pop(_PERMIT, False):
            self.total.leave()
            self.gate.leave()

    def register(self, client: Any) -> None:
        events = client.meta.events  # one emitter per client: generic names reach only it
        events.register("before-send", self.take)  # after adaptive mode's own before-send wait
        for name in ("response-received", "after-call", "after-call-error"):
            events.register(name, self.give_back)


_LOADERS: dict[str, botocore.loaders.Loader] = {}
_LOADERS_LOCK = threading.Lock()


def shared_models(session: botocore.session.Session) -> botocore.session.Session:
    """*session*, reading botocore's model files through one loader per process.

    Each botocore session parses its own copy of the JSON models it uses (endpoints, one
    per service: megabytes, ~0.1 s each); a process with several sessions (accounts, a
    role assumed again, restore after capture, the tests' in-process runs) parsed them
    again for each. The models are read-only data, so one loader's cache serves all.
    """
    path = session.get_config_variable("data_path") or ""
    with _LOADERS_LOCK:
        loader = _LOADERS.get(path)
        if loader is None:
            loader = _LOADERS[path] = botocore.loaders.create_loader(path or None)
    session.register_component("data_loader", loader)
    return session


# Per-service set-up of each new client, registered by the service module that needs it
# (s3http.py gives S3 clients their lean object reader): clients.py sits below the service
# modules and names none of them. Called with the client and a way to get the same
# service's client in another region (redirects).
CLIENT_SETUP: dict[str, Callable[[Any, Callable[[str | None], Any]], None]] = {}


class AwsAccount:
    """A botocore session for one account, with a cache of thread-safe clients."""

    def __init__(self, profile: str | None = None, role_arn: str | None = None, workers: int = 16) -> None:
        # botocore directly: boto3 adds nothing here but ~80 ms of imports (s3transfer)
        try:
            self._session = shared_models(botocore.session.Session(profile=profile))
            self._session.get_scoped_config()  # raises ProfileNotFound now, not mid-capture
        except bx.BotoCoreError as exc:
            raise translate(exc, "AWS session") from exc
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str | None], Any] = {}
        self._who = (profile, role_arn)  # names the account for its gates, before its id is known
        self.client_hooks: list[Any] = []  # called with each new client (restore's reveal hook)
        # the AWS SDKs' own setting (AWS_MAX_ATTEMPTS, or max_attempts in the profile) wins
        attempts = self._session.get_config_variable("max_attempts") or THROTTLED_ATTEMPTS
        self._botocfg = botocore.config.Config(
            # adaptive: standard retries (jittered exponential backoff) plus a client-side rate
            # limiter; RetryBudget caps everything but throttling at OTHER_ATTEMPTS
            retries={"total_max_attempts": attempts, "mode": "adaptive"},
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=READ_TIMEOUT,
            # body downloads + concurrent detail calls share one client per service and region
            max_pool_connections=workers + 24,
        )
        if role_arn:
            self._assume(role_arn)

    def _assume(self, role_arn: str) -> None:
        """Use *role_arn*'s credentials, assumed now and again shortly before they expire.

        A capture of a large or throttled estate can outlast the role session (one hour by
        default): botocore's refreshable credentials assume the role again when needed, so a
        long capture never fails half-way with ExpiredToken.
        """
        base, region = self._session, self.default_region
        source = base.get_credentials()
        if source is None:
            raise translate(bx.NoCredentialsError(), f"assume role {role_arn}")

        def sts_client(name: str, **creds: Any) -> Any:
            return base.create_client(name, region_name=region or "us-east-1", config=self._botocfg, **creds)

        fetcher = AssumeRoleCredentialFetcher(sts_client, source, role_arn,
                                              extra_args={"RoleSessionName": "gitsnap"})
        creds = DeferredRefreshableCredentials(fetcher.fetch_credentials, "assume-role")
        try:
            creds.get_frozen_credentials()  # assume now: a refused role is reported before any read
        except (bx.BotoCoreError, bx.ClientError) as exc:
            raise translate(exc, f"assume role {role_arn}") from exc
        self._session = shared_models(botocore.session.Session())
        # botocore has no public setter for refreshable credentials on a session
        self._session._credentials = creds  # noqa: SLF001
        if region:
            self._session.set_config_variable("region", region)
        self._clients.clear()

    @property
    def default_region(self) -> str | None:
        # boto3 reads AWS_DEFAULT_REGION and the profile; AWS_REGION is the newer SDK convention.
        return self._session.get_config_variable("region") or os.environ.get("AWS_REGION") or None

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region)
        with self._lock:  # sessions are not thread-safe; clients are
            if key not in self._clients:
                where = region or self.default_region or "us-east-1"
                client = self._session.create_client(service, region_name=where, config=self._botocfg)
                service_id = client.meta.service_model.service_id.hyphenize()
                client.meta.events.register_first(f"needs-retry.{service_id}", RetryBudget())
                Permits(self.gate(service, where)).register(client)
                for hook in self.client_hooks:
                    hook(client)
                setup = CLIENT_SETUP.get(service)
                if setup is not None and not self.client_hooks:
                    # not when hooks watch the client's calls (call recording, restore's reveal
                    # hook, tests' fake wires): those must see every call as a botocore call
                    setup(client, lambda r, s=service: self.client(s, r))
                self._clients[key] = client
            return self._clients[key]

    def gate(self, service: str, region: str | None = None) -> Gate:
        """The gate bounding this account's calls to *service* in *region* (see ``LIMITS``)."""
        return gate_for(self._who, service, region or self.default_region or "us-east-1")

    def account_id(self) -> str:
        try:
            return self.client("sts").get_caller_identity()["Account"]
        except (bx.BotoCoreError, bx.ClientError) as exc:
            raise translate(exc, "sts:GetCallerIdentity") from exc
