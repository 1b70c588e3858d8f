"""botocore sessions and clients for one account, and botocore errors as gitsnap errors."""

from __future__ import annotations

import json
import os
import threading
from typing import Any
from urllib.parse import unquote

import botocore.config
import botocore.exceptions as bx
import botocore.session
from botocore.paginate import PageIterator

from ..errors import (
    AccessDeniedError,
    CollectorError,
    CredentialsError,
    EndpointError,
    VanishedError,
)

DENIED = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
     "UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken", "SignatureDoesNotMatch"}
)
NOT_ENABLED = frozenset({"OptInRequired", "SubscriptionRequiredException", "InvalidClientTokenId.RegionDisabled",
                         "UnsupportedOperation"})
# "not found": the resource (or a part of it) is gone; which, the runner decides by the call
VANISHED = frozenset({"NoSuchBucket", "NoSuchKey", "ResourceNotFoundException", "NoSuchDistribution",
                      "NoSuchHostedZone", "NoSuchHealthCheck", "NoSuchEntity", "DBParameterGroupNotFound"})


def error_code(exc: BaseException) -> str | None:
    if isinstance(exc, bx.ClientError):
        return exc.response.get("Error", {}).get("Code")
    return None


def translate(exc: BaseException, what: str) -> Exception:
    """A botocore exception as a one-line gitsnap error about *what*."""
    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
        return CredentialsError(
            "no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        )
    if isinstance(exc, bx.ProfileNotFound):
        return CredentialsError(f"{exc}: check AWS_PROFILE or [aws] profile in gitsnap.toml")
    if isinstance(exc, bx.EndpointConnectionError | bx.ConnectTimeoutError | bx.ReadTimeoutError | bx.ConnectionClosedError):
        url = getattr(exc, "kwargs", {}).get("endpoint_url") or os.environ.get("AWS_ENDPOINT_URL", "AWS")
        return EndpointError(f"cannot reach {url} ({what}): check AWS_ENDPOINT_URL and the network")
    code = error_code(exc)
    if code in DENIED:
        msg = exc.response.get("Error", {}).get("Message", "")  # type: ignore[attr-defined]
        return AccessDeniedError(f"{what}: access denied ({code}{': ' + msg if msg else ''}); grant the read permission or leave the service out with --only / [aws] services")
    if code in NOT_ENABLED:
        return AccessDeniedError(f"{what}: not enabled here ({code}); enable it, or leave this region or service out of [aws]")
    if code in VANISHED:
        return VanishedError(f"{what}: {code}")
    if isinstance(exc, bx.BotoCoreError | bx.ClientError):
        return CollectorError(f"{what}: {exc}")
    return exc if isinstance(exc, Exception) else CollectorError(f"{what}: {exc!r}")


class TruncatedPageError(Exception):
    """A page said more results follow but gave no token to ask for them (no context yet:
    the caller names the call and the resource)."""


class CheckedPageIterator(PageIterator):
    """botocore's page iterator, except that a truncated page without a token raises.

    botocore ends the iteration silently when a page says ``IsTruncated`` but carries no
    ``NextContinuationToken`` / ``Marker``: a short listing would pass for the whole one.
    """

    def _get_next_token(self, parsed: dict[str, Any]) -> dict[str, Any]:
        tokens = super()._get_next_token(parsed)
        # with a ``more_results`` flag, an empty dict means "done"; tokens all None mean
        # "more, but from where?" (without the flag, all None is how a listing ends)
        if self._more_results is not None and tokens and all(t is None for t in tokens.values()):
            flag = self._more_results.expression
            wanted = ", ".join(t.expression for t in self._output_token)
            raise TruncatedPageError(f"a page says {flag} but gives no {wanted}")
        return tokens


def pages(client: Any, method: str, **params: Any) -> Any:
    """The pages of a paginated call, checked (see :class:`CheckedPageIterator`)."""
    paginator = client.get_paginator(method)
    paginator.PAGE_ITERATOR_CLS = CheckedPageIterator  # this instance only
    return paginator.paginate(**params)


def parse_document(value: Any) -> Any:
    """A policy document as AWS sends it: JSON, or URL-encoded JSON (IAM), or already
    parsed (botocore decodes IAM's). Raises ValueError for a string that is neither."""
    if not isinstance(value, str):
        return value
    for text in (value, unquote(value)):
        try:
            doc = json.loads(text)
        except ValueError:
            continue
        if isinstance(doc, dict):  # a policy is an object; a bare JSON string or number is not
            return doc
    raise ValueError("not a JSON document")


class AwsAccount:
    """A botocore session for one account, with a cache of thread-safe clients."""

    def __init__(self, profile: str | None = None, role_arn: str | None = None, workers: int = 16) -> None:
        # botocore directly: boto3 adds nothing here but ~80 ms of imports (s3transfer)
        try:
            self._session = botocore.session.Session(profile=profile)
            self._session.get_scoped_config()  # raises ProfileNotFound now, not mid-capture
        except bx.BotoCoreError as exc:
            raise translate(exc, "AWS session") from exc
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str | None], Any] = {}
        self.client_hooks: list[Any] = []  # called with each new client (restore's reveal hook)
        self._botocfg = botocore.config.Config(
            retries={"max_attempts": 3, "mode": "standard"},
            # worst case for an endpoint that accepts and never answers: 3 x 15 s plus backoff,
            # inside a minute; 15 s is per socket read, so long body downloads are unaffected
            connect_timeout=5,
            read_timeout=15,
            # body downloads + concurrent detail calls share one client per service and region
            max_pool_connections=workers + 24,
        )
        if role_arn:
            self._assume(role_arn)

    def _assume(self, role_arn: str) -> None:
        sts = self.client("sts")
        try:
            creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="gitsnap")["Credentials"]
        except (bx.BotoCoreError, bx.ClientError) as exc:
            raise translate(exc, f"assume role {role_arn}") from exc
        region = self.default_region
        self._session = botocore.session.Session()
        self._session.set_credentials(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
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
                client = self._session.create_client(
                    service, region_name=region or self.default_region or "us-east-1",
                    config=self._botocfg,
                )
                for hook in self.client_hooks:
                    hook(client)
                self._clients[key] = client
            return self._clients[key]

    def account_id(self) -> str:
        try:
            return self.client("sts").get_caller_identity()["Account"]
        except (bx.BotoCoreError, bx.ClientError) as exc:
            raise translate(exc, "sts:GetCallerIdentity") from exc
