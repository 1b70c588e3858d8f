"""Every AWS account gitsnap may use, from the configuration, and a client for any of them.

``[aws] accounts`` names each account (a ``profile``, a ``role_arn`` or both, and optional
``regions``); without it gitsnap uses the default session (``[aws] profile`` or the standard
credential chain). Capture and restore reach accounts the same way through :class:`AwsAccounts`:
capture walks :meth:`AwsAccounts.configured`, restore asks for a client by the account id and
region that the snapshot recorded for a resource (:meth:`AwsAccounts.client`).

With ``[aws] organization = true`` the Organization's accounts join them (:mod:`.organization`:
one ``organizations:ListAccounts`` from the default session): the caller's own account with
the default session, every other one by assuming ``organization_role`` in it. An account that
``[aws] accounts`` also names is reached as configured there (its profile, role and regions
win), once. The snapshot's paths use account ids (``aws/<id>/...``) whichever way an account
was found; an Organization account's path-safe Name is its ``name``, for messages.

Sessions are made, and account ids resolved (one ``sts:GetCallerIdentity`` each), only when
first needed, then cached: a restore that touches one account never assumes a role in another.
Capture assumes the Organization's roles concurrently (``ORG_WORKERS`` at a time); one that
cannot be assumed makes its account a stand-in (:class:`UnreachableAccount`) whose every client
fails with why, so that account's units fail (a partial capture) and the others are captured.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ...config import Account, Config
from ...errors import GitsnapError
from ..errors import CredentialsError
from .clients import AwsAccount
from .organization import (
    Member,
    UnreachableAccountError,
    get_accounts,
    get_caller,
    role_arn,
    unreachable,
)

GLOBAL = "global"
ORG_WORKERS = 8  # Organization roles assumed at once (STS answers in well under a second each)
# where the global services (IAM, CloudFront, Route53) are called, in the aws partition
HOME_REGION = "us-east-1"


class _RaisedRefreshFailure(logging.Filter):
    """Drops botocore's WARNING, with a traceback, that a *mandatory* credential refresh failed.

    botocore logs it and then raises the same error (an assume-role refused, at once or when
    a long capture's role session is renewed), which gitsnap reports in one line: the log
    record would only put a traceback on the user's terminal. An *advisory* refresh that
    fails is still logged (botocore goes on with the credentials it has).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not (str(record.msg).startswith("Refreshing temporary credentials failed")
                    and record.args == ("mandatory",))


logging.getLogger("botocore.credentials").addFilter(_RaisedRefreshFailure())


class UnknownAccountError(GitsnapError):
    """A resource is in an account that no configured credentials reach."""


RECORD_CALLS = "GITSNAP_RECORD_CALLS"  # a file: every AWS call made is appended to it


class CallRecorder:
    """Appends ``<client service> <OperationName>`` for each AWS request a client is about to
    make, one line each, to a file: the calls a real run makes, to check a policy against
    (``gitsnap.collectors.permissions.actions_for`` turns each line into IAM actions)."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._lock = threading.Lock()

    def install(self, client: Any) -> None:
        service = client.meta.service_model.service_name
        client.meta.events.register("before-call", lambda model, **_: self._record(service, model.name))

    def _record(self, service: str, operation: str) -> None:
        with self._lock, open(self._path, "a", encoding="utf-8") as out:
            out.write(f"{service} {operation}\n")


def home_region(region: str | None) -> str | None:
    """The region to call a resource's service in: its own, or us-east-1 for ``global``. Pure."""
    return HOME_REGION if region == GLOBAL else region


def unknown_account_hint(account_id: str, known: Sequence[str]) -> str:
    """Why a resource in *account_id* cannot be reached, and what to do. Pure."""
    have = ", ".join(known) or "none"
    return (f"it is in account {account_id}, which gitsnap has no credentials for (these reach: {have}); "
            "add it under [aws] accounts in gitsnap.toml (a profile or role_arn, see docs/config.md)")


class UnreachableAccount:
    """Stands in for the session of an Organization account whose role could not be assumed.

    Every client asked of it raises :attr:`error` (an ``UnreachableAccountError``, which fails
    the unit asking, not the capture), so planning and the units of every other account go on
    and this account's units each fail with one line saying what to do.
    """

    def __init__(self, account_id: str, error: UnreachableAccountError, default_region: str | None) -> None:
        self.error = error
        self.default_region = default_region
        self.client_hooks: list[Callable[[Any], None]] = []
        self._account_id = account_id

    def client(self, service: str, region: str | None = None) -> Any:
        raise UnreachableAccountError(str(self.error))  # a new one each time: units raise it in threads

    def account_id(self) -> str:
        return self._account_id


@dataclass
class _Slot:
    """One account: its settings, and its session and id once needed.

    Attributes:
        member: listed by the Organization (not configured): its id is known from the
            listing, and a role that cannot be assumed fails only this account.
    """

    settings: Account
    session: AwsAccount | UnreachableAccount | None = None
    account_id: str | None = None
    member: Member | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)  # one session made per slot


class AwsAccounts:
    """The configured accounts (and the Organization's), each one :class:`AwsAccount`
    (session, clients), made lazily.

    Args:
        config: the loaded configuration (``accounts``, else ``profile``; ``organization``,
            ``organization_role``, ``organization_exclude``).
        workers: passed to each :class:`AwsAccount` (sizes its connection pools).
        hooks: called with every client any account makes (restore's reveal hook).
        make: builds a session from ``(profile, role_arn, workers)``; tests pass a stub.
    """

    def __init__(self, config: Config, workers: int = 16, hooks: Sequence[Callable[[Any], None]] = (),
                 make: Callable[[str | None, str | None, int], AwsAccount] = AwsAccount) -> None:
        # with organization = true the default session's account is one of the Organization's
        default = () if config.organization else (Account(name="default", profile=config.profile),)
        self._slots = [_Slot(s) for s in config.accounts or default]
        self._config = config
        self._listed = not config.organization  # the Organization's accounts are in _slots
        self._base: AwsAccount | None = None  # the default session, which lists the Organization
        self._workers = workers
        self._make = make
        self.client_hooks: list[Callable[[Any], None]] = list(hooks)
        if os.environ.get(RECORD_CALLS):
            self.client_hooks.append(CallRecorder(os.environ[RECORD_CALLS]).install)
        self._lock = threading.RLock()

    def _new(self, profile: str | None, role: str | None) -> AwsAccount:
        session = self._make(profile, role, self._workers)
        session.client_hooks.extend(self.client_hooks)
        return session

    def _session(self, slot: _Slot) -> AwsAccount | UnreachableAccount:
        # a lock per slot, not the registry's: the Organization's roles are assumed concurrently
        with slot.lock:
            if slot.session is None:
                profile, role = slot.settings.profile, slot.settings.role_arn
                slot.session = (self._member_session(slot.member, profile, role) if slot.member and role
                                else self._new(profile, role))
            return slot.session

    def _member_session(self, member: Member, profile: str | None, role: str) -> AwsAccount | UnreachableAccount:
        """An Organization account's session; a stand-in when its role cannot be assumed."""
        try:
            return self._new(profile, role)
        except CredentialsError:
            raise  # no credentials at all: every account would fail the same way
        except GitsnapError as exc:
            error = unreachable(member, role, self._config.organization_role, exc)
            base = self._base
            return UnreachableAccount(member.account_id, error, base.default_region if base else None)

    def _resolve(self, slot: _Slot) -> str:
        with self._lock:
            if slot.account_id is None:
                slot.account_id = self._session(slot).account_id()
            return slot.account_id

    def _all(self) -> list[_Slot]:
        """Every account's slot: the configured ones, then (listed once) the Organization's."""
        with self._lock:
            if not self._listed:
                self._slots.extend(self._organization())
                self._listed = True
            return list(self._slots)

    def _organization(self) -> list[_Slot]:
        """A slot per Organization account to capture that no configured account already is
        (resolving the configured ones), sorted by id; sessions are made later, when needed."""
        config = self._config
        base = self._base = self._new(config.profile, None)
        caller = get_caller(base.client("sts"))
        members = get_accounts(base.client("organizations"), config.organization_exclude)
        taken = {self._resolve(slot) for slot in self._slots}
        slots = []
        for member in members:
            if member.account_id in taken:
                continue  # configured under [aws] accounts: reached as configured there
            own = member.account_id == caller.account_id
            arn = None if own else role_arn(caller.partition, member.account_id, config.organization_role)
            slots.append(_Slot(Account(name=member.name, profile=config.profile, role_arn=arn),
                               session=base if own else None, account_id=member.account_id, member=member))
        return slots

    def configured(self) -> Iterator[tuple[AwsAccount, Account]]:
        """Each account's session and its settings (``regions`` empty: the caller's default;
        ``regions_all``; ``name``), as capture plans its units: the configured accounts in
        configuration order, then the Organization's by id. Without ``[aws] accounts`` (and
        without ``organization``) that is the default session, named ``default``.

        The Organization's roles are assumed concurrently, before the first is yielded; an
        account whose role cannot be assumed is yielded as an :class:`UnreachableAccount`.
        """
        slots = self._all()
        members = [s for s in slots if s.member and s.session is None]
        if members:
            with ThreadPoolExecutor(min(ORG_WORKERS, len(members)), thread_name_prefix="gitsnap-assume") as pool:
                list(pool.map(self._session, members))
        for slot in slots:
            yield self._session(slot), slot.settings  # type: ignore[misc]  # a stand-in acts as a session

    def unreachable(self) -> list[UnreachableAccountError]:
        """Why each Organization account whose role could not be assumed is not captured
        (after :meth:`configured`), in its order."""
        return [s.session.error for s in self._all() if isinstance(s.session, UnreachableAccount)]

    def account_id(self, session: AwsAccount) -> str:
        """The id of a session this registry made (resolved once)."""
        slot = next(s for s in self._all() if s.session is session)
        return self._resolve(slot)

    def known(self) -> list[str]:
        """The ids of every account (resolves the configured ones; lists the Organization)."""
        return [self._resolve(slot) for slot in self._all()]

    def find(self, account_id: str) -> AwsAccount | None:
        """The session for *account_id*, or None if no account gitsnap reaches is that one.

        Configured accounts are resolved in configuration order, and only until the one asked
        for is found; then the Organization is listed, and only that account's role assumed.
        """
        with self._lock:
            for slot in self._slots:
                if slot.account_id == account_id:
                    return self._session(slot)  # type: ignore[return-value]
            for slot in self._slots:
                if slot.account_id is None and self._resolve(slot) == account_id:
                    return self._session(slot)  # type: ignore[return-value]
            for slot in self._all():
                if slot.account_id == account_id:
                    return self._session(slot)  # type: ignore[return-value]
        return None

    def reaches(self, account_id: str) -> bool:
        return self.find(account_id) is not None

    def client(self, service: str, account_id: str, region: str | None) -> Any:
        """A client for *service* in *account_id* and *region* (``global`` means us-east-1).

        Raises:
            UnknownAccountError: no configured credentials reach that account.
        """
        session = self.find(account_id)
        if session is None:
            raise UnknownAccountError(f"{service} in {account_id}: " + unknown_account_hint(account_id, self.known()))
        return session.client(service, home_region(region))
