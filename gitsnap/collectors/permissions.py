"""IAM policies derived from the declarations: what a capture reads, what a restore writes.

A capture's policy is made of the account reads, every declared :class:`~.spec.Call` of every
type (each turned into its IAM action through botocore's service model), and each type's
``permissions`` (the reads its ``fetch``/``enumerate``/``extras`` code makes, which no
declaration shows). A restore's policy is every ``Restorer.permissions``. ``check_declarations``
proves each declared call and action against botocore's models; an e2e test records the calls a
real capture makes and proves the policy covers them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import Any

import botocore.loaders
import botocore.model
from botocore import xform_name

from .registry import AWS
from .spec import ResourceType, Restorer

# every capture: the account id; and with regions = "all", the account's enabled regions (in the
# policy always, so a copied policy does not break when "all" is set later)
ACCOUNT_READS = ("sts:GetCallerIdentity", "ec2:DescribeRegions")

# Where an IAM action is not named like its operation (the Service Authorization Reference,
# "Actions defined by Amazon S3" etc.). Keys are (IAM prefix, operation).
RENAMED: dict[tuple[str, str], tuple[str, ...]] = {
    ("s3", "ListBuckets"): ("ListAllMyBuckets",),
    ("s3", "ListObjectsV2"): ("ListBucket",),
    ("s3", "ListObjects"): ("ListBucket",),
    ("s3", "HeadBucket"): ("ListBucket",),
    ("s3", "ListObjectVersions"): ("ListBucketVersions",),
    ("s3", "HeadObject"): ("GetObject",),
    ("s3", "GetObjectAttributes"): ("GetObject", "GetObjectAttributes"),
    ("s3", "CopyObject"): ("GetObject", "PutObject"),
    ("s3", "CreateMultipartUpload"): ("PutObject",),
    ("s3", "UploadPart"): ("PutObject",),
    ("s3", "CompleteMultipartUpload"): ("PutObject",),
    ("s3", "DeleteObjects"): ("DeleteObject",),
    ("s3", "GetBucketLifecycleConfiguration"): ("GetLifecycleConfiguration",),
    ("s3", "PutBucketLifecycleConfiguration"): ("PutLifecycleConfiguration",),
    ("s3", "DeleteBucketLifecycle"): ("PutLifecycleConfiguration",),
    ("s3", "GetBucketNotificationConfiguration"): ("GetBucketNotification",),
    ("s3", "PutBucketNotificationConfiguration"): ("PutBucketNotification",),
    ("s3", "GetBucketEncryption"): ("GetEncryptionConfiguration",),
    ("s3", "PutBucketEncryption"): ("PutEncryptionConfiguration",),
    ("s3", "DeleteBucketEncryption"): ("PutEncryptionConfiguration",),
    ("s3", "GetBucketAccelerateConfiguration"): ("GetAccelerateConfiguration",),
    ("s3", "GetBucketReplication"): ("GetReplicationConfiguration",),
    ("s3", "PutBucketReplication"): ("PutReplicationConfiguration",),
    ("s3", "GetPublicAccessBlock"): ("GetBucketPublicAccessBlock",),
    ("s3", "PutPublicAccessBlock"): ("PutBucketPublicAccessBlock",),
    ("s3", "DeletePublicAccessBlock"): ("PutBucketPublicAccessBlock",),
    ("s3", "DeleteBucketOwnershipControls"): ("PutBucketOwnershipControls",),
    ("s3", "GetBucketCors"): ("GetBucketCORS",),
    ("s3", "PutBucketCors"): ("PutBucketCORS",),
    ("s3", "DeleteBucketCors"): ("PutBucketCORS",),
    ("s3", "DeleteBucketTagging"): ("PutBucketTagging",),
    ("s3", "GetObjectLockConfiguration"): ("GetBucketObjectLockConfiguration",),
    ("s3", "GetBucketIntelligentTieringConfiguration"): ("GetIntelligentTieringConfiguration",),
    ("s3", "ListBucketIntelligentTieringConfigurations"): ("GetIntelligentTieringConfiguration",),
    ("s3", "GetBucketAnalyticsConfiguration"): ("GetAnalyticsConfiguration",),
    ("s3", "ListBucketAnalyticsConfigurations"): ("GetAnalyticsConfiguration",),
    ("s3", "GetBucketMetricsConfiguration"): ("GetMetricsConfiguration",),
    ("s3", "ListBucketMetricsConfigurations"): ("GetMetricsConfiguration",),
    ("s3", "GetBucketInventoryConfiguration"): ("GetInventoryConfiguration",),
    ("s3", "ListBucketInventoryConfigurations"): ("GetInventoryConfiguration",),
    ("lambda", "GetLayerVersionByArn"): ("GetLayerVersion",),
    ("lambda", "ListVersionsByFunction"): ("ListVersionsByFunction",),
    ("sts", "GetCallerIdentity"): ("GetCallerIdentity",),
}

# Real IAM actions no operation is named after: passing a role to a service (CreateFunction,
# PutTargets, CreateSchedule), and S3's version-qualified forms of an object call (a DeleteObject
# or GetObject with a VersionId is authorized by ...ObjectVersion).
NON_OPERATION_ACTIONS = frozenset({
    "iam:PassRole", "s3:GetObjectVersion", "s3:DeleteObjectVersion", "s3:GetObjectVersionTagging",
    "s3:PutObjectVersionTagging", "s3:GetObjectVersionAcl", "s3:PutObjectVersionAcl",
})

# IAM prefixes that are neither the signing name nor the endpoint prefix
PREFIXES = {"cloudwatch": "cloudwatch", "apigatewayv2": "apigateway", "sesv2": "ses"}


class UnknownCallError(ValueError):
    """A declared call or action that botocore's models do not have."""


@functools.cache
def _model(service: str) -> Any:
    # from botocore's data files alone: a session would read AWS_PROFILE's config, and a profile
    # that does not exist (yet) must not keep `gitsnap permissions` from printing the policy
    loader = botocore.loaders.create_loader()
    return botocore.model.ServiceModel(loader.load_service_model(service, "service-2"), service_name=service)


@functools.cache
def _methods(service: str) -> dict[str, str]:
    """boto3 method name -> operation name, for one client service."""
    return {xform_name(op): op for op in _model(service).operation_names}


def iam_prefix(service: str) -> str:
    """The IAM action prefix of a boto3 client service ("cloudwatch" for "monitoring")."""
    if service in PREFIXES:
        return PREFIXES[service]
    meta = _model(service).metadata
    return meta.get("signingName") or meta["endpointPrefix"]


def actions_for(service: str, method: str) -> tuple[str, ...]:
    """The IAM actions a call of client *service*'s *method* needs.

    Raises:
        UnknownCallError: the service has no such operation.
    """
    try:
        operation = _methods(service)[method]
    except KeyError:
        raise UnknownCallError(f"{service} has no operation for method {method!r}") from None
    return operation_actions(service, operation)


def operation_actions(service: str, operation: str) -> tuple[str, ...]:
    """The IAM actions one operation (``"ListBuckets"``) of client *service* needs."""
    prefix = iam_prefix(service)
    if prefix == "apigateway":  # API Gateway authorizes by HTTP method on the resource
        return (f"apigateway:{_model(service).operation_model(operation).http['method']}",)
    return tuple(f"{prefix}:{name}" for name in RENAMED.get((prefix, operation), (operation,)))


@functools.cache
def known_actions(prefix: str) -> frozenset[str]:
    """Every action name some operation of a client service with this IAM prefix maps to."""
    available = set(botocore.session.get_session().get_available_services())
    # the client services that can have this prefix: its own name, a renamed one, and the ones
    # the collectors call (loading all ~400 service models would take seconds)
    candidates = {prefix, *(s for s, p in PREFIXES.items() if p == prefix), *_called_services()} & available
    found: set[str] = set()
    for service in sorted(candidates):
        if iam_prefix(service) == prefix:
            for method in _methods(service):
                found.update(actions_for(service, method))
    return frozenset(found)


@functools.cache
def _called_services() -> frozenset[str]:
    services = {"sts", "ec2"}
    for types in AWS.values():
        for spec in types:
            services.add(spec.client)
            services.update(service for service, _ in declared_calls(spec))
    return frozenset(services)


def declared_calls(spec: ResourceType) -> Iterator[tuple[str, str]]:
    """(client service, method) of every call the type declares (its list and detail calls)."""
    if spec.list is not None:
        yield spec.list.client or spec.client, spec.list.method
    for detail in spec.details:
        if detail.call is not None:
            yield detail.call.client or spec.client, detail.call.method


def capture_actions(spec: ResourceType) -> set[str]:
    """The IAM actions capturing *spec* needs: its declared calls' and its ``permissions``."""
    actions = set(spec.permissions)
    for service, method in declared_calls(spec):
        actions.update(actions_for(service, method))
    return actions


def check_declarations(types: Iterable[ResourceType]) -> list[str]:
    """What is wrong with the declared calls and actions, one line each (empty: all real).

    Each declared call must be an operation of its client's botocore model; each action in
    ``permissions`` and ``Restorer.permissions`` must be one that some operation maps to."""
    problems = []
    for spec in types:
        where = f"{spec.service}/{spec.type}"
        for service, method in declared_calls(spec):
            try:
                actions_for(service, method)
            except UnknownCallError as exc:
                problems.append(f"{where}: {exc}")
        writes = spec.restore.permissions if isinstance(spec.restore, Restorer) else ()
        for action in (*spec.permissions, *writes):
            prefix, _, name = action.partition(":")
            if not name or (action not in known_actions(prefix) and action not in NON_OPERATION_ACTIONS):
                problems.append(f"{where}: {action!r} is not an IAM action of any {prefix} operation")
    return problems


def _aws_types(services: tuple[str, ...]) -> Iterator[ResourceType]:
    for service, types in AWS.items():
        if not services or service in services:
            yield from types


def read_only_policy(services: tuple[str, ...] = (), organization_role: str | None = None) -> dict[str, Any]:
    """The IAM policy a capture of the chosen services (all when empty) needs. Pure.

    With *organization_role* (``[aws] organization = true``) the caller also lists the
    Organization's accounts and assumes that role in each; the role in every member account
    needs this same policy without that statement.
    """
    actions = set(ACCOUNT_READS)
    for spec in _aws_types(services):
        actions |= capture_actions(spec)
    policy = _policy("GitsnapReadOnlyCapture", actions)
    if organization_role:
        policy["Statement"] += [
            {"Sid": "GitsnapListOrganizationAccounts", "Effect": "Allow", "Action": ["organizations:ListAccounts"],
             "Resource": "*"},
            {"Sid": "GitsnapAssumeOrganizationRole", "Effect": "Allow", "Action": ["sts:AssumeRole"],
             "Resource": f"arn:aws:iam::*:role/{organization_role}"}]
    return policy


def restore_policy(services: tuple[str, ...] = ()) -> dict[str, Any]:
    """The IAM policy the writes of a restore of the chosen services need, to attach beside the
    read-only one (a restore reads live state first). Pure."""
    actions: set[str] = set()
    for spec in _aws_types(services):
        if isinstance(spec.restore, Restorer):
            actions.update(spec.restore.permissions)
    return _policy("GitsnapRestore", actions)


def _policy(sid: str, actions: set[str]) -> dict[str, Any]:
    return {"Version": "2012-10-17",
            "Statement": [{"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": "*"}]}
