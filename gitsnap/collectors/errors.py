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
    """The resource was deleted between being listed and being read."""
