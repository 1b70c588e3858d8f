"""``[aws] organization = true``: the Organization's accounts listed (paginated, ACTIVE only,
exclusions left out), each reached by its role, a refused role failing only its account.

The listing and the caller's identity are real botocore clients answered by a Stubber. Member
sessions come from a stand-in session factory (``Sessions``): a role it is told to refuse raises
exactly what :class:`~gitsnap.collectors.aws.clients.AwsAccount` raises when STS answers
``AccessDenied`` (the botocore error, translated, as its cause). The real AssumeRole over HTTP,
refused by a fault proxy, is tests/e2e/test_organization.py.
"""

from __future__ import annotations

import threading

import botocore.exceptions as bx
import pytest
from botocore.stub import Stubber

from gitsnap.collectors.aws.accounts import AwsAccounts, UnreachableAccount
from gitsnap.collectors.aws.api import translate
from gitsnap.collectors.aws.clients import AwsAccount
from gitsnap.collectors.aws.organization import (
    OrganizationError,
    UnreachableAccountError,
    get_accounts,
    safe_name,
    transform_accounts,
)
from gitsnap.collectors.errors import CollectorError
from gitsnap.config import Account, Config

MGMT, DEV, PROD, SHUT, GONE = "111111111111", "222222222222", "333333333333", "444444444444", "555555555555"
ROLE = "OrganizationAccountAccessRole"


def account(account_id: str, name: str, status: str = "ACTIVE") -> dict:
    return {"Id": account_id, "Name": name, "Status": status, "Arn": f"arn:aws:organizations::{MGMT}:account/o-x/{account_id}",
            "Email": f"{account_id}@example.com"}


# two pages, out of id order; a closed account and one being closed on the second page
PAGE_1 = {"Accounts": [account(PROD, "Shop Prod!"), account(MGMT, "management")], "NextToken": "page-2"}
PAGE_2 = {"Accounts": [account(DEV, "shop-dev"), account(SHUT, "old", "SUSPENDED"),
                       account(GONE, "leaving", "PENDING_CLOSURE")]}


class Sessions:
    """The session factory AwsAccounts is given: the default session (real botocore clients, to
    stub), and one per assumed role; roles in *refuse* raise as AwsAccount does on AccessDenied."""

    def __init__(self, refuse: tuple[str, ...] = (), identities: dict[str, str] | None = None) -> None:
        self.base = AwsAccount()
        self.refuse = refuse
        self.identities = identities or {}  # role -> the account id its session's STS answers
        self.roles: list[str | None] = []
        self.threads: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, profile: str | None, role_arn: str | None, workers: int) -> AwsAccount:
        with self._lock:
            self.roles.append(role_arn)
            self.threads.add(threading.current_thread().name)
        if role_arn is None:
            return self.base
        if any(f"::{a}:" in role_arn for a in self.refuse):
            cause = bx.ClientError({"Error": {"Code": "AccessDenied", "Message": "not authorized to perform: sts:AssumeRole"}},
                                   "AssumeRole")
            raise translate(cause, f"assume role {role_arn}") from cause
        session = AwsAccount()
        if role_arn in self.identities:  # a configured account: its id is asked of its own STS
            sts = Stubber(session.client("sts"))
            account_id = self.identities[role_arn]
            sts.add_response("get_caller_identity", {"Account": account_id, "Arn": f"arn:aws:sts::{account_id}:x", "UserId": "u"})
            sts.activate()
        return session

    def stub(self, pages: list[dict] | None = None, error: str | None = None,
             arn: str = f"arn:aws:iam::{MGMT}:user/gitsnap") -> tuple[Stubber, Stubber]:
        sts = Stubber(self.base.client("sts"))
        sts.add_response("get_caller_identity", {"Account": MGMT, "Arn": arn, "UserId": "u"})
        org = Stubber(self.base.client("organizations"))
        if error:
            org.add_client_error("list_accounts", error, "denied or not in use", 400)
        for i, page in enumerate(pages or ()):
            org.add_response("list_accounts", page, {"NextToken": pages[i - 1]["NextToken"]} if i else {})
        sts.activate()
        org.activate()
        return sts, org


def org_config(**kw) -> Config:
    return Config(path=None, organization=True, **kw)


@pytest.fixture(autouse=True)
def aws_env(fake_aws_env):
    """Test keys and us-east-1, nothing from this machine's AWS settings."""


def test_every_page_is_read_and_only_active_accounts_are_kept():
    sessions = Sessions()
    _, org = sessions.stub([PAGE_1, PAGE_2])
    members = get_accounts(sessions.base.client("organizations"), frozenset())
    assert [(m.account_id, m.name) for m in members] == [(MGMT, "management"), (DEV, "shop-dev"), (PROD, "Shop-Prod")]
    org.assert_no_pending_responses()  # the second page was asked for with the first page's NextToken


def test_excluded_ids_are_left_out():
    kept = transform_accounts([PAGE_1, PAGE_2], frozenset({PROD, "999999999999"}))
    assert [m.account_id for m in kept] == [MGMT, DEV]


def test_names_are_made_path_safe_or_replaced_by_the_id():
    assert safe_name("Prod Shop / EU", PROD) == "Prod-Shop-EU"
    assert safe_name("..", PROD) == PROD and safe_name("", PROD) == PROD and safe_name(None, PROD) == PROD
    assert safe_name("shop.dev_2", PROD) == "shop.dev_2"


@pytest.mark.parametrize(("code", "words"), [
    ("AWSOrganizationsNotInUseException", "not in an AWS Organization"),
    ("AccessDeniedException", "access denied"),
])
def test_a_listing_that_fails_is_an_error_never_no_accounts(code, words):
    sessions = Sessions()
    sessions.stub(error=code)
    accounts = AwsAccounts(org_config(), make=sessions)
    with pytest.raises(OrganizationError) as err:
        list(accounts.configured())
    text = str(err.value)
    assert "\n" not in text and text.startswith("organizations:ListAccounts") and code in text and words in text
    assert "[aws] organization = false" in text  # what to do


def test_an_empty_listing_is_an_error_too():
    """AWS lists at least the management account; nothing at all is not an empty estate."""
    sessions = Sessions()
    sessions.stub([{"Accounts": []}])
    with pytest.raises(OrganizationError, match="listed no account"):
        list(AwsAccounts(org_config(), make=sessions).configured())


def test_the_caller_uses_its_own_credentials_and_each_member_its_role():
    sessions = Sessions()
    sessions.stub([PAGE_1, PAGE_2], arn=f"arn:aws-us-gov:sts::{MGMT}:assumed-role/ci/run")
    accounts = AwsAccounts(org_config(organization_role="audit/GitsnapRead"), make=sessions)
    got = list(accounts.configured())
    assert [accounts.account_id(s) for s, _ in got] == [MGMT, DEV, PROD]  # by id, whatever the listing order
    assert [a.name for _, a in got] == ["management", "shop-dev", "Shop-Prod"]
    assert got[0][0] is sessions.base and got[0][1].role_arn is None
    assert sorted(r for r in sessions.roles if r) == [f"arn:aws-us-gov:iam::{DEV}:role/audit/GitsnapRead",
                                                       f"arn:aws-us-gov:iam::{PROD}:role/audit/GitsnapRead"]
    assert all(isinstance(s, AwsAccount) for s, _ in got) and accounts.unreachable() == []
    assert sessions.threads - {threading.current_thread().name}  # roles assumed in the pool's threads


def test_a_refused_role_fails_only_that_account():
    sessions = Sessions(refuse=(DEV,))
    sessions.stub([PAGE_1, PAGE_2])
    accounts = AwsAccounts(org_config(organization_exclude=frozenset({SHUT})), make=sessions)
    got = {accounts.account_id(s): s for s, _ in accounts.configured()}
    assert list(got) == [MGMT, DEV, PROD]
    assert isinstance(got[PROD], AwsAccount) and isinstance(got[MGMT], AwsAccount)
    dev = got[DEV]
    assert isinstance(dev, UnreachableAccount) and dev.default_region == "us-east-1"
    with pytest.raises(UnreachableAccountError) as err:
        dev.client("s3", "us-east-1")
    assert isinstance(err.value, CollectorError)  # fails the unit asking, not the capture
    text = str(err.value)
    assert "\n" not in text
    assert text.startswith(f"account {DEV} (shop-dev): cannot assume arn:aws:iam::{DEV}:role/{ROLE} (AccessDenied")
    assert f"create the role {ROLE}" in text and f'add "{DEV}" to [aws] organization_exclude' in text
    assert [str(e) for e in accounts.unreachable()] == [text]
    with pytest.raises(UnreachableAccountError):  # restore asking for that account is told the same
        accounts.client("s3", DEV, "us-east-1")


def test_configured_accounts_are_kept_and_win_for_their_own_id():
    """Union: [[aws.accounts]] first (its settings for an account the Organization also lists),
    then the Organization's other accounts."""
    prod = Account("prod-by-hand", role_arn=f"arn:aws:iam::{PROD}:role/Custom", regions=("eu-west-1",))
    sessions = Sessions(identities={prod.role_arn: PROD})
    sessions.stub([PAGE_1, PAGE_2])
    accounts = AwsAccounts(org_config(accounts=(prod,)), make=sessions)
    got = [(accounts.account_id(s), a) for s, a in accounts.configured()]
    assert [(i, a.name) for i, a in got] == [(PROD, "prod-by-hand"), (MGMT, "management"), (DEV, "shop-dev")]
    assert got[0][1].regions == ("eu-west-1",)
    assert [r for r in sessions.roles if r].count(prod.role_arn) == 1
    assert f"arn:aws:iam::{PROD}:role/{ROLE}" not in sessions.roles  # reached as configured, once


def test_restore_assumes_only_the_role_of_the_account_it_needs():
    sessions = Sessions()
    sessions.stub([PAGE_1, PAGE_2])
    accounts = AwsAccounts(org_config(), make=sessions)
    assert accounts.client("s3", PROD, "us-west-2").meta.region_name == "us-west-2"
    assert [r for r in sessions.roles if r] == [f"arn:aws:iam::{PROD}:role/{ROLE}"]
    assert accounts.find("999999999999") is None
