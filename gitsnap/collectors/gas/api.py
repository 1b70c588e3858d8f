"""The Apps Script REST API (script v1) through google-api-python-client: clients and errors.

Credentials: ``[gas] credentials`` (a service account file), else Application Default
Credentials; with ``[gas] api_endpoint`` (a local endpoint for testing) and no credentials
file, anonymous credentials. Each call builds its own client: httplib2 is not thread-safe.
A capture asks for the read-only scopes; a restore for the scopes that write.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from ...config import Config
from ..errors import AccessDeniedError, CollectorError, CredentialsError, EndpointError

SCOPES = ("https://www.googleapis.com/auth/script.projects.readonly",
          "https://www.googleapis.com/auth/script.deployments.readonly")
WRITE_SCOPES = ("https://www.googleapis.com/auth/script.projects",
                "https://www.googleapis.com/auth/script.deployments")
TIMEOUT = 30


def client_factory(config: Config, write: bool = False) -> Callable[..., Any]:
    """A function returning a new script v1 client each call (built offline, static discovery).

    Args:
        write: ask for the scopes that change projects and deployments (a restore), not the
            read-only ones a capture needs.
    """
    section = config.raw.get("gas", {})
    endpoint = section.get("api_endpoint")
    cred_file = section.get("credentials")
    scopes = WRITE_SCOPES if write else SCOPES

    def build(*_args: Any) -> Any:
        import google.auth
        import google.auth.credentials
        import google.auth.exceptions
        import google_auth_httplib2
        import httplib2
        from google.oauth2 import service_account
        from googleapiclient import discovery

        try:
            if cred_file:
                creds = service_account.Credentials.from_service_account_file(os.path.expanduser(cred_file), scopes=scopes)
            elif endpoint:
                creds = google.auth.credentials.AnonymousCredentials()
            else:
                creds, _ = google.auth.default(scopes=scopes)
        except (google.auth.exceptions.DefaultCredentialsError, OSError, ValueError) as exc:
            raise CredentialsError(
                f"no usable Google credentials ({exc}); set [gas] credentials to a service account file "
                "or run 'gcloud auth application-default login'"
            ) from exc
        http = google_auth_httplib2.AuthorizedHttp(creds, http=httplib2.Http(timeout=TIMEOUT))
        options = {"api_endpoint": endpoint} if endpoint else None
        return discovery.build("script", "v1", http=http, static_discovery=True, client_options=options,
                               cache_discovery=False)

    return build


def execute(request: Any, what: str, scope: str = "script.projects.readonly") -> Any:
    """Run a request, turning HTTP and transport failures into gitsnap errors.

    Args:
        scope: the OAuth scope the call needs, named in the access-denied message.
    """
    import httplib2
    from googleapiclient.errors import HttpError

    try:
        return request.execute(num_retries=2)
    except HttpError as exc:
        status = int(exc.resp.status)
        if status in (401, 403):
            raise AccessDeniedError(f"{what}: access denied ({status}); share the project with the "
                                    f"credentials or grant the {scope} scope") from exc
        if status == 404:
            raise CollectorError(f"{what}: not found (404); check script_id in [[gas.projects]]") from exc
        raise CollectorError(f"{what}: Apps Script API error {status}{_reason(exc)}") from exc
    except (httplib2.HttpLib2Error, OSError) as exc:
        raise EndpointError(f"{what}: cannot reach the Apps Script API ({exc}); check [gas] api_endpoint and the network") from exc


def _reason(exc: Any) -> str:
    """The message of an API error's body, if it has one (``: <message>``)."""
    reason = getattr(exc, "reason", None)  # googleapiclient parses the body's "error.message"
    return f": {reason}" if isinstance(reason, str) and reason.strip() else ""
