"""How ``restore`` puts an S3 bucket back: the bucket type's :class:`~gitsnap.collectors.spec.Restorer`.

- :mod:`.bucket`: update / create / delete of one bucket, and the CreateBucket and
  emptying calls;
- :mod:`.settings`: the bucket's settings (bucket.json), in the order real S3 accepts them;
- :mod:`.objects`: object puts from the repository's blobs, deletes;
- :mod:`.invalidation`: CloudFront invalidations of the objects written.
"""

from __future__ import annotations

from ...spec import Restorer
from .bucket import (
           create_bucket,
           create_params,
           empty_bucket,
           plan_bucket,
           plan_create,
           plan_delete,
)
from .invalidation import INVALIDATION, plan_invalidation, serves, viewer_paths
from .objects import IN_MEMORY, put_object, same_object
from .settings import CONFIG_CALLS, LINKS, blocks_policy, config_order, create_steps

__all__ = ["CONFIG_CALLS", "IN_MEMORY", "INVALIDATION", "LINKS", "RESTORER", "blocks_policy", "config_order",
           "create_bucket", "create_params", "create_steps", "empty_bucket", "plan_bucket", "plan_create",
           "plan_delete", "plan_invalidation", "put_object", "same_object", "serves", "viewer_paths"]

RESTORER = Restorer(
    update=plan_bucket,
    create=plan_create,
    delete=plan_delete,
    rank=30,
    permissions=(
        # the bucket and its settings (each Delete* of a setting is authorized as its Put*)
        "s3:CreateBucket", "s3:ListBucket", "s3:DeleteBucket",
        "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketVersioning",
        "s3:PutLifecycleConfiguration", "s3:PutReplicationConfiguration", "s3:PutBucketCORS",
        "s3:PutBucketWebsite", "s3:DeleteBucketWebsite", "s3:PutEncryptionConfiguration",
        "s3:PutBucketTagging", "s3:PutBucketPublicAccessBlock", "s3:PutBucketOwnershipControls",
        "s3:PutBucketLogging", "s3:PutBucketNotification",
        "iam:PassRole",  # PutBucketReplication hands S3 the replication role
        # objects: put back, deleted (--delete), and every version of a deleted versioned bucket
        "s3:PutObject", "s3:DeleteObject", "s3:ListBucketVersions", "s3:DeleteObjectVersion",
        # the restored objects' paths, on the distributions serving the bucket
        "cloudfront:CreateInvalidation",
    ),
)
