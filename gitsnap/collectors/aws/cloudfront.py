"""CloudFront: full distribution configurations; custom origin header values are secrets."""

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
    schema="aws.cloudfront.distribution",
    permissions=("cloudfront:ListDistributions", "cloudfront:GetDistributionConfig", "cloudfront:ListTagsForResource"),
)

TYPES = (DISTRIBUTION,)
