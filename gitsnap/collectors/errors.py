"""Errors raised while reading live state."""

from ..errors import GitsnapError


class CollectorError(GitsnapError):
    """A read failed; the state of what it was reading is unknown (never "deleted")."""


class AccessDeniedError(CollectorError):
    """The credentials may not make a call the capture needs."""


class CredentialsError(GitsnapError):
    """No usable credentials were found."""


class EndpointError(GitsnapError):
    """The API endpoint cannot be reached."""


class VanishedError(CollectorError):
    """Something was deleted between being listed and being read.

    Attributes:
        of_resource: the resource itself is gone (its identity read said so, e.g. GetFunction
            for that function). Otherwise only a part of it vanished (an inline policy just
            listed), which says nothing about the resource: the runner reads it again.
    """

    def __init__(self, message: str, of_resource: bool = False) -> None:
        super().__init__(message)
        self.of_resource = of_resource


class UnsettledError(CollectorError):
    """Part of a resource kept vanishing while the resource itself was not shown gone."""


class IncompleteAnswerError(CollectorError):
    """A service answered without what it always sends (a key, a parsable policy, a
    continuation token), even when asked again: the answer cannot be recorded as complete."""


class BodyIntegrityError(CollectorError):
    """A downloaded body (an S3 object, a code package) failed its length or checksum, even
    when fetched again; nothing of it was written."""
