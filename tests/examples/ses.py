"""Examples of ses resources: the raw API shape each type's transform is given."""

from __future__ import annotations

from . import Example

EXAMPLES = {
    "identity": Example(raw={"Identity": "x.com", "Verification": {"x.com": {"VerificationStatus": "Success"}},
                          "Dkim": {"x.com": {"DkimEnabled": True, "DkimTokens": ["b", "a"]}},
                          "Notifications": {}, "MailFrom": {}, "V2": None}),
    "configuration-set": Example(raw={"Name": "cs", "Set": {"ConfigurationSet": {"Name": "cs"}, "EventDestinations": []}}),
    "account": Example(raw={"Id": "sending", "Quota": {"Max24HourSend": 200.0, "MaxSendRate": 1.0, "SentLast24Hours": 5.0}}),
}
