"""Diffs that name exactly what changed: lifecycle states live in a ``status`` section that
diff, drift and restore leave out unless asked.

Documents are finished here as ``engine.finish_document`` does (transform, drop volatile,
split status, sort unordered), with the pure functions called directly; no AWS, no repository.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from gitsnap import canonical, fieldpath, schemas
from gitsnap.canonical import plain
from gitsnap.collectors import registry
from gitsnap.collectors.aws import acm, cloudfront, dynamodb, lightsail, rds, ses
from gitsnap.collectors.spec import ResourceType
from gitsnap.diff import diff_documents, diff_snapshots, resource_differs
from gitsnap.normalize import (
    STATUS,
    StatusFieldError,
    drop_volatile,
    join_status,
    sort_unordered,
    split_status,
    without_status,
)
from gitsnap.render import describe
from gitsnap.store.snapshot import Snapshot

CERT_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c"
DIST_ARN = "arn:aws:cloudfront::123456789012:distribution/E2A1B3C4D5"


def certificate(issued: bool) -> dict[str, Any]:
    """describe_certificate for a DNS-validated certificate, before and after ACM issues it."""
    state = "SUCCESS" if issued else "PENDING_VALIDATION"
    cert: dict[str, Any] = {
        "CertificateArn": CERT_ARN, "DomainName": "sailjada.com", "Type": "AMAZON_ISSUED",
        "SubjectAlternativeNames": ["www.sailjada.com", "sailjada.com"], "KeyAlgorithm": "RSA_2048",
        "Options": {"CertificateTransparencyLoggingPreference": "ENABLED"}, "CreatedAt": "2024-05-01T10:00:00Z",
        "Status": "ISSUED" if issued else "PENDING_VALIDATION",
        "RenewalEligibility": "ELIGIBLE" if issued else "INELIGIBLE",
        "InUseBy": [DIST_ARN] if issued else [],
        "DomainValidationOptions": [
            {"DomainName": d, "ValidationMethod": "DNS", "ValidationDomain": d, "ValidationStatus": state,
             "ResourceRecord": {"Name": f"_x1.{d}.", "Type": "CNAME", "Value": "_y1.acm-validations.aws."}}
            for d in ("sailjada.com", "www.sailjada.com")],
    }
    if issued:
        cert.update(Serial="0a:1b", Issuer="Amazon", IssuedAt="2024-05-01T10:05:00Z",
                    NotBefore="2024-05-01T00:00:00Z", NotAfter="2025-05-30T23:59:59Z")
    return {"CertificateArn": CERT_ARN, "Certificate": cert, "Tags": [{"Key": "site", "Value": "sailjada"}]}


def distribution(status: str, ttl: int = 86400) -> dict[str, Any]:
    return {
        "Id": "E2A1B3C4D5", "ARN": DIST_ARN, "DomainName": "d1.cloudfront.net", "Status": status,
        "LastModifiedTime": "2024-05-01T10:00:00Z" if status == "Deployed" else "2024-05-02T08:00:00Z",
        "Tags": {"Items": [{"Key": "site", "Value": "sailjada"}]},
        "DistributionConfig": {
            "CallerReference": "r", "Enabled": True, "Aliases": {"Quantity": 2, "Items": ["www.sailjada.com", "sailjada.com"]},
            "DefaultCacheBehavior": {"TargetOriginId": "s3", "DefaultTTL": ttl},
            "Origins": {"Quantity": 1, "Items": [{"Id": "s3", "DomainName": "sailjada-prod.s3.amazonaws.com"}]}},
    }


TABLE = {
    "TableName": "jada-events", "Tags": [{"Key": "env", "Value": "prod"}], "ScalableTargets": [], "SampleItems": None,
    "Table": {"TableName": "jada-events", "TableStatus": "ACTIVE", "ItemCount": 41, "TableSizeBytes": 9000,
              "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
              "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                       {"AttributeName": "email", "AttributeType": "S"}],
              "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
              "GlobalSecondaryIndexes": [
                  {"IndexName": "by-email", "IndexStatus": "ACTIVE", "Backfilling": False, "ItemCount": 40,
                   "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}},
                  {"IndexName": "by-date", "IndexStatus": "CREATING", "Backfilling": True, "ItemCount": 0,
                   "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}]},
    "TimeToLive": {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"},
    "ContinuousBackups": {"ContinuousBackupsStatus": "ENABLED",
                          "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "ENABLED"}},
}

DB = {
    "DBInstanceIdentifier": "jada-legacy-db", "Engine": "postgres", "DBInstanceClass": "db.t3.micro",
    "DBInstanceStatus": "available", "AllocatedStorage": 20, "MultiAZ": False,
    "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-2", "Status": "active"},
                          {"VpcSecurityGroupId": "sg-1", "Status": "adding"}],
    "DBParameterGroups": [{"DBParameterGroupName": "jada-pg", "ParameterApplyStatus": "in-sync"}],
    "PendingModifiedValues": {}, "TagList": [{"Key": "env", "Value": "prod"}],
}

INSTANCE = {"name": "jada-legacy-wp", "blueprintId": "wordpress", "bundleId": "small_3_0",
            "state": {"name": "running", "code": 16}, "isStaticIp": False, "publicIpAddress": "203.0.113.10",
            "networking": {"ports": [{"fromPort": 80, "toPort": 80, "protocol": "tcp"},
                                     {"fromPort": 22, "toPort": 22, "protocol": "tcp"}]},
            "tags": [{"key": "site", "value": "queenofsandiego"}]}

IDENTITY = {"Identity": "sailjada.com",
            "Verification": {"sailjada.com": {"VerificationStatus": "Pending", "VerificationToken": "tok"}},
            "Dkim": {"sailjada.com": {"DkimEnabled": True, "DkimVerificationStatus": "Pending",
                                      "DkimTokens": ["b", "a"]}},
            "Notifications": {"sailjada.com": {"ForwardingEnabled": True}}, "MailFrom": {}, "V2": None}

QUOTA = {"Id": "sending", "Quota": {"Max24HourSend": 200.0, "MaxSendRate": 1.0, "SentLast24Hours": 3.0}}

# address -> (type, raw API shape): several registered types, each with status fields
ESTATE: dict[str, tuple[ResourceType, dict[str, Any]]] = {
    "acm/0f1e2d3c": (acm.CERTIFICATE, certificate(issued=False)),
    "cloudfront/E2A1B3C4D5": (cloudfront.DISTRIBUTION, distribution("InProgress")),
    "dynamodb/jada-events": (dynamodb.TABLE, TABLE),
    "rds/jada-legacy-db": (rds.INSTANCE, DB),
    "lightsail/jada-legacy-wp": (lightsail.INSTANCE, INSTANCE),
    "ses/sailjada.com": (ses.IDENTITY, IDENTITY),
    "ses/account/sending": (ses.SENDING, QUOTA),
}


def finish_steps(spec: ResourceType, doc: dict[str, Any]) -> dict[str, Any]:
    """engine.finish_document's normalization, in its order (no guard: nothing secret here)."""
    drop_volatile(doc, spec.volatile)
    split_status(doc, spec.status, "test")
    return sort_unordered(doc, spec.unordered)


def finish(spec: ResourceType, raw: dict[str, Any]) -> dict[str, Any]:
    return finish_steps(spec, plain(spec.transform(copy.deepcopy(raw))))


def snapshot(docs: dict[str, dict[str, Any]]) -> Snapshot:
    files, resources = {}, {}
    for address, doc in docs.items():
        spec = ESTATE[address][0]
        path = f"aws/123456789012/us-east-1/{address}.json"
        files[path] = canonical.dumps(doc)
        resources[address] = {"path": path, "service": spec.service, "type": spec.type}
    return Snapshot.in_memory(None, files, resources)  # type: ignore[arg-type]  # every blob is in memory


# -- the status section ----------------------------------------------------------------------

def test_status_moves_out_of_the_configuration_in_the_same_nesting():
    doc = finish(acm.CERTIFICATE, certificate(issued=False))
    assert "Status" not in doc["Certificate"] and "InUseBy" not in doc["Certificate"]
    assert [o.get("ValidationStatus") for o in doc["Certificate"]["DomainValidationOptions"]] == [None, None]
    assert doc[STATUS] == {"Certificate": {
        "Status": "PENDING_VALIDATION", "RenewalEligibility": "INELIGIBLE", "InUseBy": [],
        "DomainValidationOptions": [{"ValidationStatus": "PENDING_VALIDATION"}] * 2}}
    assert join_status(doc)["Certificate"]["DomainValidationOptions"][1]["ValidationStatus"] == "PENDING_VALIDATION"


def test_items_without_status_are_null_so_positions_line_up():
    doc = {"Items": [{"Id": "a", "State": "on"}, {"Id": "b"}, "plain", {"Id": "c", "State": "off"}]}
    split_status(doc, ["Items.*.State"])
    assert doc == {"Items": [{"Id": "a"}, {"Id": "b"}, "plain", {"Id": "c"}],
                   STATUS: {"Items": [{"State": "on"}, None, None, {"State": "off"}]}}


def test_nothing_matched_adds_no_section_and_a_value_moved_whole_takes_its_insides():
    assert split_status({"A": 1}, ["B", "A.*.S"]) == {"A": 1}
    doc = split_status({"R": {"S": {"S": 1}, "T": 2}}, ["R.S.S", "R.S", "**.S"])
    assert doc == {"R": {"T": 2}, STATUS: {"R": {"S": {"S": 1}}}}


def test_a_document_with_its_own_status_field_is_refused():
    with pytest.raises(StatusFieldError, match="ses/x: has its own top-level field 'status'"):
        split_status({"status": "Success"}, (), "ses/x")


keys = st.sampled_from(["A", "B", "S"])
tree = st.recursive(st.none() | st.booleans() | st.integers(0, 3) | st.sampled_from(["x", "y"]),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
                    max_leaves=12)
patterns = st.lists(st.sampled_from(["A", "B", "S", "*", "**"]), min_size=1, max_size=3).map(".".join).filter(
    lambda p: not p.endswith("**"))


# recursive documents: heavy to generate on a loaded machine
@settings(derandomize=True, max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, tree, max_size=3), st.lists(patterns, max_size=3))
def test_split_then_join_gives_back_the_document(doc, paths):
    split = split_status(copy.deepcopy(doc), paths)
    assert join_status(split) == doc
    for p in paths:  # nothing the paths name is left in the configuration, except list items
        assert all(isinstance(parent, list) for _, parent, _ in fieldpath.matches(without_status(split), p))
    assert canonical.dumps(split_status(copy.deepcopy(doc), paths)) == canonical.dumps(split)


@settings(derandomize=True, max_examples=30, deadline=None)
@given(st.permutations([0, 1, 2]), st.lists(st.sampled_from(["ACTIVE", "CREATING", "UPDATING"]), min_size=3, max_size=3))
def test_status_never_reorders_an_unordered_list_and_rides_along_with_its_item(order, states):
    items = [{"VpcSecurityGroupId": f"sg-{i}", "Status": s} for i, s in enumerate(states)]
    doc = finish_steps(rds.INSTANCE, {"DBInstanceIdentifier": "d", "Engine": "postgres",
                                      "VpcSecurityGroups": [items[i] for i in order]})
    assert doc["VpcSecurityGroups"] == [{"VpcSecurityGroupId": f"sg-{i}"} for i in range(3)]
    assert doc[STATUS]["VpcSecurityGroups"] == [{"Status": s} for s in states]


# -- diff ------------------------------------------------------------------------------------

def test_a_certificate_being_issued_is_no_change_unless_status_is_asked_for():
    old, new = finish(acm.CERTIFICATE, certificate(False)), finish(acm.CERTIFICATE, certificate(True))
    assert diff_documents("acm/0f1e2d3c", old, new) == []
    changes = diff_documents("acm/0f1e2d3c", old, new, include_status=True)
    assert describe(changes[0]) == 'status.Certificate.DomainValidationOptions[0].ValidationStatus: "PENDING_VALIDATION" -> "SUCCESS"'
    assert [(c.kind, c.path) for c in changes] == [
        ("changed", "status.Certificate.DomainValidationOptions[0].ValidationStatus"),
        ("changed", "status.Certificate.DomainValidationOptions[1].ValidationStatus"),
        ("added", "status.Certificate.InUseBy[0]"),
        ("added", "status.Certificate.IssuedAt"), ("added", "status.Certificate.Issuer"),
        ("added", "status.Certificate.NotAfter"), ("added", "status.Certificate.NotBefore"),
        ("changed", "status.Certificate.RenewalEligibility"), ("added", "status.Certificate.Serial"),
        ("changed", "status.Certificate.Status")]


def test_a_distribution_deploying_is_no_change_but_its_ttl_is():
    a = snapshot({"cloudfront/E2A1B3C4D5": finish(cloudfront.DISTRIBUTION, distribution("InProgress"))})
    b = snapshot({"cloudfront/E2A1B3C4D5": finish(cloudfront.DISTRIBUTION, distribution("Deployed"))})
    assert a.files != b.files  # the snapshot records the new state...
    assert diff_snapshots(a, b) == [] and not resource_differs("cloudfront/E2A1B3C4D5", a, b)  # ...diff is quiet
    (c,) = diff_snapshots(a, b, include_status=True)
    assert (c.path, c.old, c.new) == ("status.Status", "InProgress", "Deployed")
    assert resource_differs("cloudfront/E2A1B3C4D5", a, b, include_status=True)
    c2 = snapshot({"cloudfront/E2A1B3C4D5": finish(cloudfront.DISTRIBUTION, distribution("Deployed", ttl=60))})
    assert [describe(c) for c in diff_snapshots(a, c2)] == ["DistributionConfig.DefaultCacheBehavior.DefaultTTL: 86400 -> 60"]


def test_resource_differs_counts_a_resource_on_one_side_only():
    a = snapshot({"ses/account/sending": finish(ses.SENDING, QUOTA)})
    empty = Snapshot.in_memory(None, {}, {})  # type: ignore[arg-type]
    assert resource_differs("ses/account/sending", a, empty) and resource_differs("ses/account/sending", empty, a)
    assert not resource_differs("ses/account/sending", a, a) and not resource_differs("nope/x", a, empty)


# -- one change in, one resource out ----------------------------------------------------------

def leaves(node: Any, path: fieldpath.Segments = ()) -> list[fieldpath.Segments]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in leaves(v, (*path, k))]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in leaves(v, (*path, i))]
    return [path]


def under(path: fieldpath.Segments, patterns: tuple[str, ...], doc: Any) -> bool:
    return any(path[:len(hit)] == hit for p in patterns for hit, _, _ in fieldpath.matches(doc, p))


def configured_leaves(spec: ResourceType, staged: dict[str, Any]) -> list[fieldpath.Segments]:
    return [p for p in leaves(staged) if not under(p, (*spec.status, *spec.volatile), staged)]


def set_at(doc: Any, path: fieldpath.Segments, value: Any) -> None:
    for seg in path[:-1]:
        doc = doc[seg]
    doc[path[-1]] = value


def fieldpath_get(doc: Any, path: fieldpath.Segments) -> Any:
    for seg in path:
        doc = doc[seg]
    return doc


def changed(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    return f"{value}-changed" if isinstance(value, str) else "set"


STAGED = {a: plain(spec.transform(copy.deepcopy(raw))) for a, (spec, raw) in ESTATE.items()}
TARGETS = sorted(a for a, (spec, _) in ESTATE.items() if configured_leaves(spec, STAGED[a]))
STATES = st.sampled_from(["ACTIVE", "UPDATING", "ISSUED", "SUCCESS", "stopped", None, True, 7])


def test_the_estate_covers_several_types_and_config_everywhere_but_the_quota():
    assert len({spec for spec, _ in ESTATE.values()}) == 7
    assert set(ESTATE) - set(TARGETS) == {"ses/account/sending"}  # quotas: all status


@settings(derandomize=True, max_examples=25, deadline=None)
@given(st.data())
def test_one_configured_change_lists_exactly_one_resource(data):
    target = data.draw(st.sampled_from(TARGETS), label="target")
    before = {a: finish_steps(ESTATE[a][0], copy.deepcopy(doc)) for a, doc in STAGED.items()}
    after, status_changed = {}, set()
    for address, staged in STAGED.items():
        spec, doc = ESTATE[address][0], copy.deepcopy(staged)
        if address == target:
            leaf = data.draw(st.sampled_from(configured_leaves(spec, doc)), label="configured leaf")
            set_at(doc, leaf, changed(fieldpath_get(doc, leaf)))
        for pattern in spec.status:  # the service moves states of every resource, the target's too
            fieldpath.replace(doc, pattern, lambda _p, _v: data.draw(STATES, label="state"))
        after[address] = finish_steps(spec, doc)
        if after[address].get(STATUS) != before[address].get(STATUS):
            status_changed.add(address)
    a, b = snapshot(before), snapshot(after)
    changes = diff_snapshots(a, b)
    assert {c.address for c in changes} == {target}
    assert changes and not any(c.path.startswith("status") for c in changes)
    assert [x for x in ESTATE if resource_differs(x, a, b)] == [target]
    assert {c.address for c in diff_snapshots(a, b, include_status=True)} == {target} | status_changed


# -- schemas ---------------------------------------------------------------------------------

def filled(patterns: tuple[str, ...]) -> dict[str, Any]:
    """A document in which every pattern names something (two items wherever one says ``*``)."""
    def build(parts: list[str]) -> Any:
        if not parts:
            return None
        head, rest = parts[0], parts[1:]
        return [build(rest), build(rest)] if head == "*" else {head: build(rest)}

    def merge(a: Any, b: Any) -> Any:
        if isinstance(a, dict) and isinstance(b, dict):
            return {**b, **{k: merge(v, b[k]) if k in b else v for k, v in a.items()}}
        if isinstance(a, list) and isinstance(b, list):
            return [merge(x, y) for x, y in zip(a, b, strict=True)]
        return a if a is not None else b

    doc: dict[str, Any] = {}
    for p in patterns:
        doc = merge(doc, build(fieldpath.split(p)))
    return doc


@pytest.mark.parametrize("spec", [t for t in registry.all_types() if t.status], ids=lambda t: f"{t.service}/{t.type}")
def test_every_status_path_fits_its_schema(spec):
    doc = split_status(filled(spec.status), spec.status)
    section = Draft202012Validator(schemas.load(spec.schema)["properties"][STATUS])
    assert not [e.message for e in section.iter_errors(doc[STATUS])]
    assert set(fieldpath.split(p)[0] for p in spec.status) == set(doc[STATUS])  # every path moved something
