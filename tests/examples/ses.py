"""Examples of ses resources: the raw API shape each type's transform is given, and a round
trip on the local AWS where one shows something.

The configuration set's round trip has no event destination: moto keeps a destination's name
registered after its set is deleted and refuses to create it again, which real SES does not
(event destinations are covered by tests/unit/test_ses_restore.py with botocore's Stubber).
"""

from __future__ import annotations

from . import Aws, Example


def seed_identity(aws: Aws) -> None:
    ses = aws.client("ses")
    ses.verify_email_identity(EmailAddress="bookings@sailjada.com")
    ses.set_identity_feedback_forwarding_enabled(Identity="bookings@sailjada.com", ForwardingEnabled=True)


def damage_identity(aws: Aws) -> None:
    aws.client("ses").delete_identity(Identity="bookings@sailjada.com")


def seed_configuration_set(aws: Aws) -> None:
    aws.client("ses").create_configuration_set(ConfigurationSet={"Name": "jada-transactional"})


def damage_configuration_set(aws: Aws) -> None:
    aws.client("ses").delete_configuration_set(ConfigurationSetName="jada-transactional")


EXAMPLES = {
    "identity": Example(raw={"Identity": "x.com", "Verification": {"x.com": {"VerificationStatus": "Success"}},
                             "Dkim": {"x.com": {"DkimEnabled": True, "DkimTokens": ["b", "a"]}},
                             "Notifications": {}, "MailFrom": {}, "V2": None},
                        seed=seed_identity, damage=damage_identity),
    "configuration-set": Example(raw={"Name": "cs", "Set": {"ConfigurationSet": {"Name": "cs"}, "EventDestinations": []}},
                                 seed=seed_configuration_set, damage=damage_configuration_set),
    "account": Example(raw={"Id": "sending", "Quota": {"Max24HourSend": 200.0, "MaxSendRate": 1.0, "SentLast24Hours": 5.0}},
                       no_round_trip="the sending quota is AWS's (NotRestorable) and no API changes it, so there is "
                                     "no damage to undo; its plan line: tests/unit/test_ses_restore.py::"
                                     "test_the_sending_quota_says_it_is_aws_s"),
}
