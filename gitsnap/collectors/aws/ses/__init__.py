"""SES (regional, v1 and v2): identities (``identity.py``), configuration sets
(``configuration_set.py``), and the sending quota (here). docs/services/mail-and-certs.md says
what is captured and restored."""

from __future__ import annotations

from ...spec import Call, Detail, NotRestorable, ResourceType
from .configuration_set import CONFIGURATION_SET
from .identity import IDENTITY, transform_identity

SENDING = ResourceType(
    service="ses", type="account", scope="regional", client="ses", primary=False,
    enumerate=lambda ctx: [{"Id": "sending"}],
    id=lambda r: r["Id"],
    details=(Detail("Quota", Call("get_send_quota")),),
    transform=lambda r: {"Max24HourSend": (r.get("Quota") or {}).get("Max24HourSend"),
                         "MaxSendRate": (r.get("Quota") or {}).get("MaxSendRate")},
    # quotas AWS sets (and raises as sending grows): no API sets them, nothing to restore
    status=("Max24HourSend", "MaxSendRate"),
    schema="aws.ses.account",
    permissions=("ses:GetSendQuota",),
    restore=NotRestorable("the sending quota is AWS's: no API sets it; ask for an increase in the SES console "
                          "(Account dashboard, Request production access / a sending limit increase)"),
)

TYPES = (IDENTITY, CONFIGURATION_SET, SENDING)

__all__ = ["CONFIGURATION_SET", "IDENTITY", "SENDING", "TYPES", "transform_identity"]
