"""AWS as the generic runner calls it: botocore errors as gitsnap errors, checked pages,
policy documents, and :data:`AWS_API` (the :class:`~gitsnap.collectors.api.Api` of every
AWS unit). The runner names no provider itself; sessions and clients are in :mod:`.clients`.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import botocore.exceptions as bx
from botocore.paginate import PageIterator
from botocore.parsers import ResponseParserError

from ..api import UnusableAnswer
from ..errors import (
    AccessDeniedError,
    CollectorError,
    CredentialsError,
    EndpointError,
    VanishedError,
)

if TYPE_CHECKING:
    from ...errors import GitsnapError
    from ..spec import Call


class ThrottledError(CollectorError):
    """A call was still throttled after every attempt the retry policy allows."""


DENIED = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
     "UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken", "SignatureDoesNotMatch"}
)
NOT_ENABLED = frozenset({"OptInRequired", "SubscriptionRequiredException", "InvalidClientTokenId.RegionDisabled",
                         "UnsupportedOperation"})
# "not found": the resource (or a part of it) is gone; which, the runner decides by the call
VANISHED = frozenset({"NoSuchBucket", "NoSuchKey", "ResourceNotFoundException", "NoSuchDistribution",
                      "NoSuchHostedZone", "NoSuchHealthCheck", "NoSuchEntity", "DBParameterGroupNotFound",
                      "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "NotFound",
                      "ParameterNotFound", "NoSuchFunctionExists", "NoSuchCachePolicy", "NoSuchOriginRequestPolicy",
                      "NoSuchResponseHeadersPolicy", "NoSuchOriginAccessControl", "WAFNonexistentItemException"})
# what botocore's retry policy reads as "slow down" (botocore.retries.standard), for the message only
THROTTLED = frozenset({"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
                       "TooManyRequestsException", "ProvisionedThroughputExceededException",
                       "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
                       "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
                       "EC2ThrottledException"})


def error_code(exc: BaseException) -> str | None:
    if isinstance(exc, bx.ClientError):
        return exc.response.get("Error", {}).get("Code")
    return None


def translate(exc: BaseException, what: str) -> Exception:
    """A botocore exception as a one-line gitsnap error about *what*."""
    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
        return CredentialsError(
            "no AWS credentials found: pass --profile NAME, or set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        )
    if isinstance(exc, bx.ProfileNotFound):
        return CredentialsError(f"{exc}: check --profile, AWS_PROFILE or [aws] profile in gitsnap.toml (aws configure list-profiles lists them)")
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
    if code in THROTTLED:
        tries = exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0) + 1  # type: ignore[attr-defined]
        return ThrottledError(
            f"{what}: still throttled after {tries} attempts ({code}): AWS is limiting this account's request "
            "rate; capture again later, or fewer services at once (--only)")
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


# answers that arrived but cannot be used as they are: asked again, then an error (never recorded);
# botocore's ResponseParserError (a cut-off or garbled body) is a plain Exception, not a BotoCoreError
INCOMPLETE_ANSWERS: tuple[type[Exception], ...] = (TruncatedPageError, ResponseParserError)


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


class AwsApi:
    """AWS as the generic runner calls it (see :class:`gitsnap.collectors.api.Api`): botocore
    clients, checked paginators, botocore errors as gitsnap errors, IAM's URL-encoded policies."""

    def call(self, client: Any, call: Call, params: dict[str, Any]) -> Any:
        try:
            if call.paginate:
                resp = pages(client, call.method, **params).build_full_result()
            else:
                resp = getattr(client, call.method)(**params)
        except INCOMPLETE_ANSWERS as exc:
            raise UnusableAnswer(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc
        if isinstance(resp, dict):
            resp.pop("ResponseMetadata", None)  # botocore's, about the request: not the resource
        return resp

    def code(self, exc: BaseException) -> str | None:
        return error_code(exc)

    def translate(self, exc: BaseException, what: str) -> GitsnapError | None:
        if not isinstance(exc, bx.BotoCoreError | bx.ClientError):
            return None  # not an answer from AWS: a bug, let through as it is
        return translate(exc, what)  # type: ignore[return-value]  # a gitsnap error for botocore's

    def document(self, value: Any) -> Any:
        return parse_document(value)


AWS_API = AwsApi()
