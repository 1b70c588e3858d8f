"""CloudFront: distributions, CloudFront Functions (with their code), the account's own cache,
origin request and response headers policies, origin access controls and KeyValueStores.

One module per part: :mod:`.distribution`, :mod:`.functions`, :mod:`.policies` (the three
policy types and origin access controls, which share one shape), :mod:`.kvs`; what they share
is in :mod:`.common` (listings, the ETag guard, tags), :mod:`.references` (a configuration's
references, by address) and :mod:`.relink` (restore: the ids referenced resources have live).
See docs/services/cloudfront.md.
"""

from __future__ import annotations

from .distribution import DISTRIBUTION, transform_distribution
from .functions import FUNCTION
from .kvs import KEY_VALUE_STORE
from .policies import (
         CACHE_POLICY,
         ORIGIN_ACCESS_CONTROL,
         ORIGIN_REQUEST_POLICY,
         RESPONSE_HEADERS_POLICY,
)

TYPES = (DISTRIBUTION, FUNCTION, CACHE_POLICY, ORIGIN_REQUEST_POLICY, RESPONSE_HEADERS_POLICY,
         ORIGIN_ACCESS_CONTROL, KEY_VALUE_STORE)

__all__ = ["CACHE_POLICY", "DISTRIBUTION", "FUNCTION", "KEY_VALUE_STORE", "ORIGIN_ACCESS_CONTROL",
           "ORIGIN_REQUEST_POLICY", "RESPONSE_HEADERS_POLICY", "TYPES", "transform_distribution"]
