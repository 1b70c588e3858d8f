"""Talking to a remote repository: its URL, dulwich's client for it, retries, and failures in words.

What :mod:`gitsnap.store.remote` (push, fetch) and :mod:`gitsnap.store.clone` stand on; they
decide which refs move, this module only reaches the remote:

- **URLs.** ``ssh://``, ``user@host:path``, ``https://``, ``git://``, ``file://`` or a path
  (:func:`check_url`), reached with dulwich's clients (``get_transport_and_path``).
- **Retried.** A network failure (refused, reset, timed out, an HTTP 5xx) is tried again a
  few times with a growing pause; then one :class:`RemoteError` line. A retry is safe: a
  push whose answer was lost finds the remote already up to date.
- **No credentials in words.** A URL is shown as :func:`redact_url` makes it (no
  ``user:password@`` of an http(s) URL), and every message and log line passes
  :func:`scrub`.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from dulwich.client import HTTPProxyUnauthorized, HTTPUnauthorized, get_transport_and_path
from dulwich.errors import GitProtocolError, HangupException, NotGitRepository

from ..errors import GitsnapError

log = logging.getLogger(__name__)

_SCHEMES = ("ssh", "git+ssh", "git", "http", "https", "file")
_SCP = re.compile(r"^(?:[A-Za-z0-9._-]+@)?[A-Za-z0-9._-]+:(?!//)")  # [user@]host:path, as git reads it
_T = TypeVar("_T")
SLEEP: Callable[[float], None] = time.sleep  # the pause between attempts when none is given (tests replace it)


class RemoteError(GitsnapError):
    """The remote cannot be reached, read or written (exit 2); the message names its URL, redacted."""


# -- words about a URL (pure) ------------------------------------------------------------------


def redact_url(url: str) -> str:
    """*url* without the user and password of an http(s) URL (``https://tok@host/x`` ->
    ``https://host/x``). An ssh user is a login name, not a secret: kept. Pure."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if parts.scheme in ("http", "https") and "@" in parts.netloc:
        return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
    return url


def secrets_of(url: str) -> list[str]:
    """The parts of *url* that must never be printed: its userinfo and password, raw and
    unquoted, longest first. Pure."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return [url]
    if parts.scheme not in ("http", "https") or "@" not in parts.netloc:
        return []
    from urllib.parse import unquote

    userinfo = parts.netloc.rsplit("@", 1)[0]
    found = {userinfo, unquote(userinfo)}
    if ":" in userinfo:
        password = userinfo.split(":", 1)[1]
        found |= {password, unquote(password)}
    else:
        found |= {unquote(userinfo)}  # a token given as the user name
    return sorted((s for s in found if s), key=len, reverse=True)


def scrub(text: str, url: str) -> str:
    """*text* with *url* shown redacted and every credential in it removed. Pure."""
    text = text.replace(url, redact_url(url))
    for secret in secrets_of(url):
        text = text.replace(secret, "***")
    return text


def check_url(url: str) -> str:
    """*url* as dulwich should be given it: a scheme URL, ``[user@]host:path``, or a local path
    made absolute. Raises :class:`RemoteError` for anything else (the URL is not repeated: it
    may hold a token)."""
    if "://" in url:
        scheme = url.split("://", 1)[0].lower()
        if scheme not in _SCHEMES:
            raise RemoteError(f"{scheme}:// is not a git remote: use ssh://, https://, git://, file://, "
                              "user@host:path or a path")
        return url
    if not url.strip():
        raise RemoteError("no remote URL given: pass URL or set [remote] url in gitsnap.toml")
    if _SCP.match(url) and not Path(url).exists():
        return url
    return str(Path(url).expanduser().absolute())


def _transient(exc: BaseException) -> bool:
    """Whether trying again may help: the network, not the request. Pure."""
    if isinstance(exc, HTTPUnauthorized | HTTPProxyUnauthorized | NotGitRepository):
        return False
    if isinstance(exc, HangupException | ConnectionError | TimeoutError):
        return True
    if isinstance(exc, OSError):
        return not isinstance(exc, FileNotFoundError | NotADirectoryError | PermissionError)
    if isinstance(exc, GitProtocolError):
        cause = exc.__cause__
        if cause is not None and type(cause).__module__.startswith("urllib3"):
            return True  # urllib3's connection errors, wrapped by dulwich
        return bool(re.match(r"unexpected http resp 5\d\d", str(exc)))
    return False


class Transport:
    """How to reach one remote repository, by URL: its client, tried again on a network failure.

    Args:
        url: ssh://, user@host:path, https://, git://, file:// or a path.
        attempts: How many times a network failure is tried in all.
        backoff: The first pause between attempts, in seconds; it doubles each time.
        sleep: How to pause (default :data:`SLEEP`; tests pass one that does not).
        transport: dulwich's ``get_transport_and_path`` (tests wrap it to inject failures).
    """

    def __init__(self, url: str, *, attempts: int = 3, backoff: float = 1.0,
                 sleep: Callable[[float], None] | None = None,
                 transport: Callable[..., tuple[Any, str]] = get_transport_and_path) -> None:
        self.url = check_url(url)
        self.shown = redact_url(self.url)
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.sleep = sleep or SLEEP
        self._transport = transport

    # -- plumbing ------------------------------------------------------------------------------

    def _client(self, operation: str) -> tuple[Any, str]:
        try:
            return self._transport(self.url, operation=operation)
        except ValueError as exc:
            raise RemoteError(f"{self.shown} is not a git URL ({self._scrub(str(exc))}): write ssh://host/path, "
                              "user@host:path, https://host/path, git://host/path or a path") from None

    def _scrub(self, text: str) -> str:
        return scrub(text, self.url)

    def _retrying(self, what: str, action: Callable[[], _T]) -> _T:
        """Run *action*, trying a network failure again; any failure ends as a RemoteError."""
        for attempt in range(1, self.attempts + 1):
            try:
                return action()
            except GitsnapError:
                raise
            except Exception as exc:  # noqa: BLE001 (dulwich and urllib3 raise many types)
                if not _transient(exc) or attempt == self.attempts:
                    raise self._failure(what, exc, attempt) from None  # the cause may name credentials
                delay = self.backoff * 2 ** (attempt - 1)
                log.warning("%s %s failed (%s); trying again in %.0f s", what, self.shown, self._why(exc), delay)
                self.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _why(self, exc: BaseException) -> str:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return self._scrub(text)[:300]

    def _failure(self, what: str, exc: BaseException, attempts: int) -> RemoteError:
        if isinstance(exc, NotGitRepository):
            return RemoteError(f"{what} {self.shown}: no git repository there: check the URL, or create one "
                               "(git init --bare) and push to it")
        if isinstance(exc, HTTPUnauthorized | HTTPProxyUnauthorized):
            return RemoteError(f"{what} {self.shown}: the server refused the credentials (HTTP 401/407): check "
                               "the user and token, or your git credential helper; nothing was changed there")
        unchanged = "; nothing was changed there" if what.startswith("pushing") else ""
        if _transient(exc):
            return RemoteError(f"{what} {self.shown} failed after {attempts} attempts ({self._why(exc)}): check the "
                               f"network and the URL, then run it again{unchanged}")
        return RemoteError(f"{what} {self.shown} failed ({self._why(exc)}){unchanged}")

    def refs(self) -> dict[bytes, bytes]:
        """The remote's refs (peeled ``^{}`` entries and unborn refs left out)."""
        def read() -> dict[bytes, bytes]:
            client, path = self._client("pull")
            found = client.get_refs(path.encode() if isinstance(path, str) else path).refs
            return {k: v for k, v in found.items() if v is not None and not k.endswith(b"^{}")}

        return self._retrying("reading", read)
