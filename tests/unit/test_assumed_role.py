"""An assumed role's credentials are assumed again when they expire, not used until they fail.

moto (in-process) answers AssumeRole; the expiry is moved into the past by hand, because a
real role session lasts an hour and a test cannot wait for it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from moto import mock_aws

from gitsnap.collectors.aws.clients import AwsAccount
from gitsnap.errors import GitsnapError

ROLE = "arn:aws:iam::222222222222:role/gitsnap-read"


@pytest.fixture
def aws(fake_aws_env):
    with mock_aws():
        yield


def test_an_expired_role_session_is_assumed_again(aws):
    account = AwsAccount(None, ROLE)
    assert account.account_id() == "222222222222"
    creds = account._session.get_credentials()
    creds.get_frozen_credentials()
    creds._expiry_time = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)  # the hour has passed
    assert creds.refresh_needed()
    creds.get_frozen_credentials()  # what every signed request asks for
    assert not creds.refresh_needed(), "the role was not assumed again"
    assert creds._expiry_time > dt.datetime.now(dt.UTC)
    assert account.account_id() == "222222222222"  # and the account's calls still work


def test_a_role_that_cannot_be_assumed_is_one_line_at_the_start(aws, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(GitsnapError, match="credentials"):
        AwsAccount(None, ROLE)
