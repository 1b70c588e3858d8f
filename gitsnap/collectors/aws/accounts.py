"""Every AWS account gitsnap may use, from the configuration, and a client for any of them.

``[aws] accounts`` names each account (a ``profile``, a ``role_arn`` or both, and optional
``regions``); without it gitsnap uses the default session (``[aws] profile`` or the standard
credential chain). Capture and restore reach accounts the same way through :class:`AwsAccounts`:
capture walks :meth:`AwsAccounts.configured`, restore asks for a client by the account id and
region that the snapshot recorded for a resource (:meth:`AwsAccounts.client`).

Sessions are made, and account ids resolved (one ``sts:GetCallerIdentity`` each), only when
first needed, then cached: a restore that touches one account never assumes a role in another.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ...config import Account, Config
from ...errors import GitsnapError
from .clients import AwsAccount

GLOBAL = "global"
# where the global services (IAM, CloudFront, Route53) are called, in the aws partition
HOME_REGION = "us-east-1"


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


@dataclass
class _Slot:
    """One configured account: its settings, and its session and id once needed."""

    settings: Account
    session: AwsAccount | None = None
    account_id: str | None = None


class AwsAccounts:
    """The configured accounts, each one :class:`AwsAccount` (session, clients), made lazily.

    Args:
        config: the loaded configuration (``accounts``, else ``profile``).
        workers: passed to each :class:`AwsAccount` (sizes its connection pools).
        hooks: called with every client any account makes (restore's reveal hook).
        make: builds a session from ``(profile, role_arn, workers)``; tests pass a stub.
    """

    def __init__(self, config: Config, workers: int = 16, hooks: Sequence[Callable[[Any], None]] = (),
                 make: Callable[[str | None, str | None, int], AwsAccount] = AwsAccount) -> None:
        settings = config.accounts or (Account(name="default", profile=config.profile),)
        self._slots = [_Slot(s) for s in settings]
        self._workers = workers
        self._make = make
        self.client_hooks: list[Callable[[Any], None]] = list(hooks)
        if os.environ.get(RECORD_CALLS):
            self.client_hooks.append(CallRecorder(os.environ[RECORD_CALLS]).install)
        self._lock = threading.RLock()

    def _session(self, slot: _Slot) -> AwsAccount:
        with self._lock:
            if slot.session is None:
                session = self._make(slot.settings.profile, slot.settings.role_arn, self._workers)
                session.client_hooks.extend(self.client_hooks)
                slot.session = session
            return slot.session

    def _resolve(self, slot: _Slot) -> str:
        with self._lock:
            if slot.account_id is None:
                slot.account_id = self._session(slot).account_id()
            return slot.account_id

    def configured(self) -> Iterator[tuple[AwsAccount, Account]]:
        """Each configured account's session and its settings (``regions`` empty: the caller's
        default; ``regions_all``; ``name``), in configuration order, as capture plans its units.
        Without ``[aws] accounts`` that is the default session, named ``default``."""
        for slot in self._slots:
            yield self._session(slot), slot.settings

    def account_id(self, session: AwsAccount) -> str:
        """The id of a session this registry made (resolved once)."""
        slot = next(s for s in self._slots if s.session is session)
        return self._resolve(slot)

    def known(self) -> list[str]:
        """The ids of every configured account (resolves them all)."""
        return [self._resolve(slot) for slot in self._slots]

    def find(self, account_id: str) -> AwsAccount | None:
        """The session for *account_id*, or None if no configured account is that one.

        Accounts are resolved in configuration order, and only until the one asked for is found.
        """
        with self._lock:
            for slot in self._slots:
                if slot.account_id == account_id:
                    return self._session(slot)
            for slot in self._slots:
                if slot.account_id is None and self._resolve(slot) == account_id:
                    return self._session(slot)
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
