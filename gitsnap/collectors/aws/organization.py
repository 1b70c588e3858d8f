"""The accounts of an AWS Organization, for ``[aws] organization = true``.

One ``organizations:ListAccounts`` listing (paginated) from the session's own account: the
Organization's management account or a delegated administrator. Every ``ACTIVE`` account
not in ``[aws] organization_exclude`` is captured: the caller's own account with the
session's credentials, every other one through ``sts:AssumeRole`` of
``arn:<partition>:iam::<id>:role/<organization_role>``. ``SUSPENDED`` (closed) and
``PENDING_CLOSURE`` accounts are left out: no role can be assumed in them.

A listing that fails is an error (:class:`OrganizationError`), never "no accounts": a
snapshot must not record an estate as empty because the question could not be asked. An
account whose role cannot be assumed fails only itself (:class:`UnreachableAccountError`).

``get_*`` functions do I/O, ``transform_*`` and the rest are pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import botocore.exceptions as bx

from ...errors import GitsnapError
from ..errors import CollectorError
from .api import DENIED, INCOMPLETE_ANSWERS, error_code, pages, translate

ACTIVE = "ACTIVE"
LIST_ACCOUNTS = "organizations:ListAccounts"
NOT_IN_USE = "AWSOrganizationsNotInUseException"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class OrganizationError(GitsnapError):
    """The Organization's accounts could not be listed: nothing is captured (exit 2)."""


class UnreachableAccountError(CollectorError):
    """An Organization account's role could not be assumed: that account's units fail (a
    partial capture, its previous state kept); the other accounts are captured."""


@dataclass(frozen=True)
class Member:
    """One account of the Organization that is captured.

    Attributes:
        account_id: the 12-digit id (what the snapshot's paths use: ``aws/<id>/...``).
        name: the account's Name made path-safe, or its id when it has none.
    """

    account_id: str
    name: str


@dataclass(frozen=True)
class Caller:
    """Who the session is: its account id, and the partition roles are assumed in."""

    account_id: str
    partition: str


def safe_name(name: str | None, account_id: str) -> str:
    """An account's Name as a path- and label-safe word (``Prod Shop!`` -> ``Prod-Shop``),
    or *account_id* when nothing is left. Pure."""
    cleaned = _UNSAFE.sub("-", name or "").strip("-.")
    return cleaned or account_id


def role_arn(partition: str, account_id: str, role: str) -> str:
    """The ARN of the role assumed in a member account. Pure."""
    return f"arn:{partition}:iam::{account_id}:role/{role}"


def transform_accounts(listing: Iterable[dict[str, Any]], exclude: frozenset[str]) -> list[Member]:
    """The accounts to capture from ``ListAccounts`` pages: ``ACTIVE`` only, the excluded
    ids left out, sorted by id so every capture plans them in the same order. Pure."""
    found: dict[str, Member] = {}
    for page in listing:
        for acct in page.get("Accounts", ()):
            account_id = acct["Id"]
            if acct.get("Status") != ACTIVE or account_id in exclude:
                continue
            found[account_id] = Member(account_id, safe_name(acct.get("Name"), account_id))
    return [found[k] for k in sorted(found)]


def transform_caller(identity: dict[str, Any]) -> Caller:
    """The caller's account and partition from ``GetCallerIdentity`` (``arn:<partition>:...``). Pure."""
    arn = identity.get("Arn") or "arn:aws:"
    return Caller(identity["Account"], arn.split(":")[1] or "aws")


def listing_error(exc: BaseException) -> GitsnapError:
    """Why the Organization's accounts could not be listed, and what to do, in one line. Pure."""
    code = error_code(exc)
    if code == NOT_IN_USE:
        return OrganizationError(
            f"{LIST_ACCOUNTS}: this account is not in an AWS Organization ({code}); run with the "
            "management account's credentials, or set [aws] organization = false and name the "
            "accounts under [[aws.accounts]]")
    if code in DENIED:
        return OrganizationError(
            f"{LIST_ACCOUNTS}: access denied ({code}); run with credentials of the Organization's "
            f"management account (or a delegated administrator) allowed {LIST_ACCOUNTS}, or set "
            "[aws] organization = false")
    if isinstance(exc, INCOMPLETE_ANSWERS):
        return OrganizationError(f"{LIST_ACCOUNTS}: an incomplete answer ({exc}); capture again")
    translated = translate(exc, f"{LIST_ACCOUNTS} (for [aws] organization = true)")
    if isinstance(translated, GitsnapError):
        return translated  # no credentials, an endpoint that does not answer, throttled: as elsewhere
    return OrganizationError(f"{LIST_ACCOUNTS}: {exc}")


def get_accounts(client: Any, exclude: frozenset[str]) -> list[Member]:
    """Every account to capture, from all pages of ``ListAccounts`` (*client*: organizations).

    Raises:
        OrganizationError: not in an Organization, access denied, or an unusable (or empty) answer.
        GitsnapError: no credentials, no endpoint, throttled (as any other call).
    """
    try:
        listing = list(pages(client, "list_accounts"))
    except (bx.BotoCoreError, bx.ClientError, *INCOMPLETE_ANSWERS) as exc:
        raise listing_error(exc) from exc
    if not any(page.get("Accounts") for page in listing):
        # AWS always lists at least the management account: an empty answer is not an estate
        # with no accounts, and must not be recorded as one
        raise OrganizationError(f"{LIST_ACCOUNTS} listed no account at all, not even the management "
                                "account; check the endpoint (AWS_ENDPOINT_URL) and capture again")
    return transform_accounts(listing, exclude)


def get_caller(sts: Any) -> Caller:
    """The session's own account and partition (one ``sts:GetCallerIdentity``)."""
    try:
        return transform_caller(sts.get_caller_identity())
    except (bx.BotoCoreError, bx.ClientError) as exc:
        raise translate(exc, "sts:GetCallerIdentity (for [aws] organization = true)") from exc


def unreachable(member: Member, arn: str, role: str, exc: BaseException) -> UnreachableAccountError:
    """Why *member* cannot be captured (its role was not assumed), and what to do, in one
    line. *exc* is the error assuming the role raised; its botocore cause gives the code. Pure."""
    cause = exc.__cause__ if exc.__cause__ is not None else exc
    code = error_code(cause)
    if code is not None:
        text = getattr(cause, "response", {}).get("Error", {}).get("Message", "")
        why = f"{code}{': ' + text if text else ''}"
    else:
        why = str(exc)
    label = member.account_id if member.name == member.account_id else f"{member.account_id} ({member.name})"
    return UnreachableAccountError(
        f"account {label}: cannot assume {arn} ({why}); create the role {role} in that account, "
        f"trusted by this one, or add \"{member.account_id}\" to [aws] organization_exclude")
