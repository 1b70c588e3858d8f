"""Complete lists (issue #11): no resource, and no recorded field, hidden by a list call's
defaults; every call a capture makes that can page, paged.

Most of this is what AWS does and moto does not: moto's ListCertificates returns every
certificate when no ``Includes`` is given (AWS returns only RSA-1024/2048 ones, and never ACME
or Amazon N2 ones), its DescribeDBSnapshots need not leave AWS Backup's snapshots out, and its
IAM listings may send fields AWS leaves out. So those tests answer through :class:`Fake`, a
real botocore client whose calls are answered by functions that apply AWS's documented
defaults. The paging audit, which needs every collector to run for real, runs against moto.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Iterator
from typing import Any

import botocore.session
import pytest
from botocore.awsrequest import AWSResponse
from botocore.paginate import PageIterator

from gitsnap.collectors import registry, run
from gitsnap.collectors.aws import acm, dynamodb, iam, rds
from gitsnap.collectors.aws.clients import AwsAccount
from gitsnap.sandbox import estate as sample

from ..memory import context

ACCOUNT = "123456789012"
WHEN = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
SESSION = botocore.session.Session()  # one: it caches the service models


class Fake:
    """A real botocore client whose calls are answered by ``answers[operation](params)``, in
    any order and from any thread (the runner makes detail calls concurrently); ``calls``
    records every ``(operation, params)``. An operation without an answer fails the test."""

    def __init__(self, service: str, answers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]]) -> None:
        self.client = SESSION.create_client(service, region_name="us-east-1", aws_access_key_id="test",
                                            aws_secret_access_key="test")
        self.answers = answers
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()
        events = self.client.meta.events
        events.register_first("before-parameter-build.*.*", self._remember)
        events.register("before-call.*.*", self._answer)

    def _remember(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["fake_params"] = dict(params)

    def _answer(self, model: Any, context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        params = context["fake_params"]
        with self._lock:
            self.calls.append((model.name, params))
        assert model.name in self.answers, f"unexpected call {model.name}({params})"
        parsed = self.answers[model.name](params)
        return AWSResponse(None, 200, {}, None), {**parsed, "ResponseMetadata": {"HTTPStatusCode": 200}}

    def called(self, operation: str) -> list[dict[str, Any]]:
        return [p for op, p in self.calls if op == operation]


def documents(spec: Any, clients: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c.id: c.document for c in run.collect(context(clients), spec)}


def empty(key: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda _params: {key: [], "IsTruncated": False}


# -- fields a list call leaves out ----------------------------------------------------------------

BOUNDARY = {"PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": f"arn:aws:iam::{ACCOUNT}:policy/ci-boundary"}


def listed_user(name: str) -> dict[str, Any]:
    """A user as ListUsers sends it: no PermissionsBoundary, no Tags, even when set."""
    return {"Path": "/", "UserName": name, "UserId": "AIDA" + name.upper().ljust(17, "X"),
            "Arn": f"arn:aws:iam::{ACCOUNT}:user/{name}", "CreateDate": WHEN}


def test_a_users_permissions_boundary_is_recorded() -> None:
    """ListUsers never sends PermissionsBoundary (IAM's docs: "does not return ... even though
    they are an attribute of the returned object"): only GetUser does. Read from the listing,
    every user's boundary was recorded as none."""
    fake = Fake("iam", {
        "ListUsers": lambda _p: {"Users": [listed_user("jada-ci")], "IsTruncated": False},
        "GetUser": lambda p: {"User": {**listed_user(p["UserName"]), "PermissionsBoundary": BOUNDARY}},
        "ListAttachedUserPolicies": empty("AttachedPolicies"),
        "ListGroupsForUser": empty("Groups"),
        "ListAccessKeys": empty("AccessKeyMetadata"),
        "ListUserTags": empty("Tags"),
        "ListUserPolicies": empty("PolicyNames"),
    })
    docs = documents(iam.USER, {"iam": fake.client})
    assert docs["jada-ci"]["PermissionsBoundary"] == BOUNDARY


def test_a_customer_managed_policys_description_is_recorded() -> None:
    """ListPolicies never sends Description (IAM's Policy shape: "not included in the response
    to the ListPolicies operation"): only GetPolicy does."""
    arn = f"arn:aws:iam::{ACCOUNT}:policy/jada-deploy"
    listed = {"PolicyName": "jada-deploy", "PolicyId": "ANPAXXXXXXXXXXXXXXXXX", "Arn": arn, "Path": "/",
              "DefaultVersionId": "v2", "AttachmentCount": 1, "IsAttachable": True, "CreateDate": WHEN}
    fake = Fake("iam", {
        "ListPolicies": lambda _p: {"Policies": [listed], "IsTruncated": False},
        "GetPolicy": lambda _p: {"Policy": {**listed, "Description": "deploys the shop sites"}},
        "ListPolicyTags": empty("Tags"),
        "GetPolicyVersion": lambda p: {"PolicyVersion": {
            "Document": '{"Version": "2012-10-17", "Statement": []}', "VersionId": p["VersionId"],
            "IsDefaultVersion": True}},
    })
    docs = documents(iam.POLICY, {"iam": fake.client})
    assert docs["jada-deploy"]["Description"] == "deploys the shop sites"
    assert fake.called("GetPolicyVersion") == [{"PolicyArn": arn, "VersionId": "v2"}]


# -- resources a list call hides by default -----------------------------------------------------


def certificate(name: str, key: str, origin: str = "AWS_MANAGED", root: str | None = None) -> dict[str, Any]:
    out = {"CertificateArn": f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/{name}", "DomainName": f"{name}.example",
           "KeyAlgorithm": key, "CertificateKeyPairOrigin": origin, "Status": "ISSUED", "Type": "AMAZON_ISSUED"}
    if root:
        out["RootHierarchyType"] = root
    return out


KEY_NAMES = {"RSA_1024": "RSA-1024", "RSA_2048": "RSA-2048", "RSA_3072": "RSA-3072", "RSA_4096": "RSA-4096",
             "EC_prime256v1": "EC-prime256v1", "EC_secp384r1": "EC-secp384r1", "EC_secp521r1": "EC-secp521r1"}


def list_certificates_as_aws_does(certs: list[dict[str, Any]]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """ListCertificates with AWS's documented defaults (botocore's model): only RSA-1024/2048
    keys unless ``Includes.keyTypes`` says otherwise, only AWS_MANAGED and CUSTOMER_PROVIDED
    key pairs unless ``CertificateKeyPairOrigins`` does, and Amazon N2 roots only, and then
    only them, when ``RootHierarchyTypes`` names them."""

    def answer(params: dict[str, Any]) -> dict[str, Any]:
        keys = {KEY_NAMES[k] for k in (params.get("Includes") or {}).get("keyTypes", ["RSA_1024", "RSA_2048"])}
        origins = set(params.get("CertificateKeyPairOrigins", ["AWS_MANAGED", "CUSTOMER_PROVIDED"]))
        roots = set(params.get("RootHierarchyTypes", []))
        return {"CertificateSummaryList": [
            c for c in certs
            if c["KeyAlgorithm"] in keys and c["CertificateKeyPairOrigin"] in origins
            and (c.get("RootHierarchyType") in roots if roots else "RootHierarchyType" not in c)]}

    return answer


def test_certificates_of_every_key_type_origin_and_root_are_listed() -> None:
    """Five certificates, of which AWS's ListCertificates defaults show one: an ECDSA one, an
    RSA-4096 one, an ACME one and one under an Amazon N2 root must be listed too, each once.
    moto applies none of these defaults, so a capture against moto cannot tell."""
    certs = [certificate("plain", "RSA-2048"), certificate("ecdsa", "EC-prime256v1"),
             certificate("big", "RSA-4096"), certificate("acme", "RSA-2048", origin="ACME"),
             certificate("n2", "RSA-2048", root="N2_AMAZON_MANAGED")]
    fake = Fake("acm", {"ListCertificates": list_certificates_as_aws_does(certs)})
    listed = run.list_resources(context({"acm": fake.client}), acm.CERTIFICATE)
    assert sorted(c["CertificateArn"].rsplit("/", 1)[1] for c in listed) == ["acme", "big", "ecdsa", "n2", "plain"]


def test_aws_backup_snapshots_are_listed() -> None:
    """DescribeDBSnapshots without a SnapshotType lists automated and manual snapshots only
    (RDS's docs); those AWS Backup made are listed when asked for by type."""
    snaps = [{"DBSnapshotIdentifier": f"jada-{kind}", "SnapshotType": kind,
              "DBSnapshotArn": f"arn:aws:rds:us-east-1:{ACCOUNT}:snapshot:jada-{kind}"}
             for kind in ("manual", "automated", "awsbackup")]

    def describe(params: dict[str, Any]) -> dict[str, Any]:
        kinds = [params["SnapshotType"]] if "SnapshotType" in params else ["automated", "manual"]
        return {"DBSnapshots": [s for s in snaps if s["SnapshotType"] in kinds]}

    fake = Fake("rds", {"DescribeDBSnapshots": describe})
    listed = run.list_resources(context({"rds": fake.client}), rds.SNAPSHOT)
    assert sorted(s["DBSnapshotIdentifier"] for s in listed) == ["jada-automated", "jada-awsbackup", "jada-manual"]


def test_the_auto_scaling_of_a_tables_indexes_is_recorded() -> None:
    """DescribeScalableTargets answers only for the resources it is asked about, and each global
    secondary index is one of its own (``table/NAME/index/INDEX``): asked about the table
    alone, it left every index's scaling out."""
    table = {"TableName": "jada-events", "TableArn": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/jada-events",
             "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
             "GlobalSecondaryIndexes": [{"IndexName": "by-email", "KeySchema": [
                 {"AttributeName": "email", "KeyType": "HASH"}]}]}
    targets = [{"ServiceNamespace": "dynamodb", "ResourceId": rid, "ScalableDimension": f"dynamodb:{kind}:ReadCapacityUnits",
                "MinCapacity": 5, "MaxCapacity": 50, "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/scaling",
                "CreationTime": WHEN}
               for rid, kind in (("table/jada-events", "table"), ("table/jada-events/index/by-email", "index"))]
    ddb = Fake("dynamodb", {
        "ListTables": lambda _p: {"TableNames": ["jada-events"]},
        "DescribeTable": lambda _p: {"Table": table},
        "DescribeTimeToLive": lambda _p: {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}},
        "DescribeContinuousBackups": lambda _p: {"ContinuousBackupsDescription": {"ContinuousBackupsStatus": "ENABLED"}},
        "ListTagsOfResource": lambda _p: {"Tags": []},
    })
    scaling = Fake("application-autoscaling", {
        "DescribeScalableTargets": lambda p: {"ScalableTargets": [t for t in targets if t["ResourceId"] in p["ResourceIds"]]},
    })
    docs = documents(dynamodb.TABLE, {"dynamodb": ddb.client, "application-autoscaling": scaling.client})
    assert [t["ResourceId"] for t in docs["jada-events"]["ScalableTargets"]] == [
        "table/jada-events", "table/jada-events/index/by-email"]


# -- every call that can page, paged ------------------------------------------------------------------


class Calls:
    """Records every call every client makes, and through what: ``CheckedPageIterator`` (gitsnap's
    checked pages), ``PageIterator`` (botocore's, unchecked) or ``None`` (a single call)."""

    def __init__(self) -> None:
        self.seen: set[tuple[str, str, str | None]] = set()
        self._local = threading.local()
        self._lock = threading.Lock()

    def pager(self, original: Callable[..., Any]) -> Callable[..., Any]:
        def make_request(page_iterator: PageIterator, *args: Any, **kwargs: Any) -> Any:
            self._local.via = type(page_iterator).__name__
            try:
                return original(page_iterator, *args, **kwargs)
            finally:
                self._local.via = None
        return make_request

    def attach(self, client: Any) -> None:
        def record(model: Any, **_: Any) -> None:
            with self._lock:
                self.seen.add((client.meta.service_model.service_name, model.name, getattr(self._local, "via", None)))
        client.meta.events.register("before-call", record)


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch, endpoint: str, moto_server: Any) -> Iterator[tuple[AwsAccount, Calls]]:
    sample.seed(endpoint, moto_server.lightsail_endpoint)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    env = {"AWS_ENDPOINT_URL": endpoint, "AWS_ENDPOINT_URL_LIGHTSAIL": moto_server.lightsail_endpoint,
           "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    calls = Calls()
    monkeypatch.setattr(PageIterator, "_make_request", calls.pager(PageIterator._make_request))
    account = AwsAccount()
    account.client_hooks.append(calls.attach)
    yield account, calls


def units() -> list[tuple[str, str]]:
    return [(svc, region) for svc, types in registry.AWS.items()
            for region in (("global",) if all(t.scope == "global" for t in types) else ("us-east-1", "us-west-2"))]


def can_page(service: str, operation: str) -> bool:
    client = SESSION.create_client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    method = {v: k for k, v in client.meta.method_to_api_mapping.items()}[operation]
    return client.can_paginate(method)


def test_every_call_a_capture_makes_that_can_page_goes_through_checked_pages(recorded) -> None:  # noqa: ANN001
    """Every registered AWS type is collected from the sample estate (lists, declared calls,
    ``enumerate``, ``fetch`` and ``extras`` alike: whatever calls a client) and every call made
    is checked against botocore's paginator models. test_complete_lists.py checks declared
    calls; this also sees the calls collector code makes by hand."""
    account, calls = recorded
    for svc, region in units():
        ctx = context({})
        ctx = dataclasses.replace(
            ctx, region=region, unit_path=f"aws/{ACCOUNT}/{region}/{svc}",
            client=lambda name, r=None, region=region: account.client(name, r or (None if region == "global" else region)))
        for spec in registry.AWS[svc]:
            list(run.collect(ctx, spec))
    services = {s for s, _, _ in calls.seen}
    assert {"s3", "iam", "cloudfront", "route53", "lambda", "dynamodb", "apigateway", "apigatewayv2", "ses", "sesv2",
            "acm", "rds", "lightsail", "application-autoscaling"} <= services, "a collector made no call: the audit is blind"
    unpaged = sorted(f"{s}:{op} ({via or 'one call'})" for s, op, via in calls.seen
                     if via != "CheckedPageIterator" and can_page(s, op))
    assert not unpaged, f"calls botocore can page, not read through clients.pages(): {unpaged}"
