"""Examples of local resources: the raw API shape each type's transform is given."""

from __future__ import annotations

from . import Example

EXAMPLES = {
    "path": Example(raw={"name": "site", "path": "~/sites/site", "include": ["*.html"]}),
    "env": Example(raw={"Name": "site-env", "Path": "~/sites/site/.env",
                       "Variables": [{"name": "STRIPE_KEY", "set": True}]}),
}
