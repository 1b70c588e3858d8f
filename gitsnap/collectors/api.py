"""How the generic runner calls a provider's API without knowing the provider.

The runner (:mod:`gitsnap.collectors.run`) decides what a failure means: an ``absent``
error code is "not configured", an unusable answer is asked again, "not found" is a vanished
resource or a vanished part of one. Which exceptions those are, how a paginated call is
read whole, and how a document embedded in an answer is parsed, only the provider knows: it
says so through an :class:`Api`. AWS's is :data:`gitsnap.collectors.aws.clients.AWS_API`;
providers whose collectors make no declared calls (Apps Script, local files) have
:class:`NoApi`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..errors import GitsnapError
    from .spec import Call


class UnusableAnswer(Exception):  # noqa: N818 (not an error for the user: the runner asks again)
    """An answer arrived but cannot be used as it is (cut off, garbled, a page that says more
    follow without saying from where). The message says what was wrong, in one line."""


class Api(Protocol):
    """One provider's API, as the runner sees it."""

    def call(self, client: Any, call: Call, params: dict[str, Any]) -> Any:
        """The answer of one declared call (every page of it when ``call.paginate``), as the
        provider's client returns it.

        Raises:
            UnusableAnswer: the answer arrived but cannot be used as it is.
            Exception: the provider's own failure, for :meth:`code` and :meth:`translate`.
        """
        ...

    def code(self, exc: BaseException) -> str | None:
        """The provider's error code of a failed call (what ``Call.absent`` lists), or None."""
        ...

    def translate(self, exc: BaseException, what: str) -> GitsnapError | None:
        """A failed call as a one-line gitsnap error about *what* (a "not found" one as a
        :class:`~gitsnap.collectors.errors.VanishedError`); None when *exc* is not the
        provider's failure (a bug, which the runner lets through as it is)."""
        ...

    def document(self, value: Any) -> Any:
        """A document embedded in an answer (a policy), parsed; ValueError if it is not one."""
        ...


class NoApi:
    """The API of a provider whose collectors make no declared calls: they read through
    their own functions (``enumerate``, ``fetch``) and raise gitsnap errors themselves."""

    def __init__(self, provider: str) -> None:
        self.provider = provider

    def call(self, client: Any, call: Call, params: dict[str, Any]) -> Any:
        raise TypeError(f"{self.provider} collectors declare no calls (asked for {call.method})")

    def code(self, exc: BaseException) -> str | None:
        return None

    def translate(self, exc: BaseException, what: str) -> GitsnapError | None:
        return None

    def document(self, value: Any) -> Any:
        return value
