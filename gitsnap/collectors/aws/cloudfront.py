"""CloudFront: full distribution configurations; custom origin header values are secrets.

Order: cache behaviours are matched against a request in list order, the first match wins,
and an origin group fails over from its first member to its second. Both lists are declared
``ordered`` (reversing them reroutes traffic). Not ordered: origins and origin groups
(referred to by id), Lambda@Edge and CloudFront Functions associations (one per event type),
custom error responses (one per error code), aliases (sorted).
"""

from __future__ import annotations

from ..spec import Call, Detail, Raw, ResourceType
from .shapes import tag_map


def transform_distribution(raw: Raw) -> Raw:
    tags = raw.get("Tags") or {}
    return {
        "Id": raw["Id"],
        "ARN": raw["ARN"],
        "DomainName": raw.get("DomainName"),
        "Status": raw.get("Status"),
        "DistributionConfig": raw["DistributionConfig"],
        "Tags": tag_map(tags.get("Items")),
    }


DISTRIBUTION = ResourceType(
    service="cloudfront",
    type="distribution",
    scope="global",
    client="cloudfront",
    list=Call("list_distributions", result="DistributionList.Items", paginate=True),
    id=lambda r: r["Id"],
    details=(
        Detail("DistributionConfig", Call("get_distribution_config", params=lambda r: {"Id": r["Id"]}, result="DistributionConfig",
                                          identity=True, required=("DistributionConfig",))),
        Detail("Tags", Call("list_tags_for_resource", params=lambda r: {"Resource": r["ARN"]}, result="Tags")),
    ),
    transform=transform_distribution,
    volatile=("LastModifiedTime", "InProgressInvalidationBatches", "ETag"),
    status=("Status",),  # InProgress while a change propagates, then Deployed
    secrets=("**.CustomHeaders.Items.*.HeaderValue",),
    unordered=("DistributionConfig.Aliases.Items",),
    # "**": restore compares DistributionConfig on its own, and these lists live only there
    ordered=("**.CacheBehaviors.Items", "**.OriginGroups.Items.*.Members.Items"),
    schema="aws.cloudfront.distribution",
    permissions=("cloudfront:ListDistributions", "cloudfront:GetDistributionConfig", "cloudfront:ListTagsForResource"),
)

TYPES = (DISTRIBUTION,)
