"""Examples of s3 resources: the raw API shape each type's transform is given."""

from __future__ import annotations

from . import Example

EXAMPLES = {
    "bucket": Example(raw={"Name": "shop-prod", "Region": "us-east-1", "Policy": '{"Version": "2012-10-17"}',
                       "Versioning": {"Status": "Enabled"}, "Tagging": [{"Key": "env", "Value": "prod"}],
                       "Cors": None, "Notifications": {}}),
}
