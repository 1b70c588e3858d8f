"""API Gateway restore, planned by the one runner (``plan_address``) and applied against
botocore's Stubber, which checks every request against the service model and answers in order.

The Stubber stands in where the local endpoint cannot show the behaviour: moto has no
UpdateDomainName and no apigatewayv2 UpdateStage, ignores most PATCH paths, and never refuses
a stale write. The round trip on the local endpoint is tests/e2e/test_registry_restore.py.
These tests import only what old main also had, so on old main they fail on the behaviour
(API Gateway was "not restorable yet"), not on an import.
"""

from __future__ import annotations

import dataclasses
import json

import botocore.session
import pytest
from botocore.stub import Stubber

from gitsnap.restore.ops import RestoreContext
from gitsnap.restore.reveal import Revealer
from gitsnap.restore.run import plan_address
from gitsnap.store import SnapshotStore

try:
    from gitsnap.store.snapshot import Snapshot
except ImportError:  # old main kept the read model in diff.py
    from gitsnap.diff import Snapshot  # type: ignore[no-redef]

ACCOUNT = "123456789012"
REST = "apigateway/a1b2c3"
FP = "redacted:hmac-sha256:" + "ab" * 12  # a stage variable's fingerprint, as a capture stores it


class Stubs:
    """Real botocore clients under Stubbers, handed out as the accounts registry would."""

    def __init__(self, *services: str) -> None:
        session = botocore.session.get_session()
        self.clients = {s: session.create_client(s, region_name="us-east-1", aws_access_key_id="x",
                                                 aws_secret_access_key="y") for s in services}
        self.stubs = {s: Stubber(c) for s, c in self.clients.items()}

    def client(self, service, account=None, region=None):
        return self.clients[service]

    def reaches(self, account):
        return True

    def known(self):
        return [ACCOUNT]


@pytest.fixture
def store(tmp_path):
    return SnapshotStore.init(tmp_path / "r")


def snap(store, docs: dict[str, dict]) -> Snapshot:
    files, resources = {}, {}
    for address, doc in docs.items():
        parts = address.split("/")
        typ, rid = ("rest-api", parts[1]) if len(parts) == 2 else (parts[1], parts[2])
        path = f"aws/{ACCOUNT}/us-east-1/apigateway/{typ}/{rid}.json"
        files[path] = json.dumps(doc, sort_keys=True).encode()
        resources[address] = {"path": path, "service": "apigateway", "type": typ, "account": ACCOUNT,
                              "region": "us-east-1"}
    return Snapshot.in_memory(store, files, resources)


def plan(store, want: dict, have: dict, stubs: Stubs, address: str, delete=False, identity=True):
    want_s, have_s = snap(store, want), snap(store, have)
    values = {"store": store, "snapshot": want_s, "live": have_s, "accounts": stubs, "delete": delete,
              "reveal": Revealer(want_s, object() if identity else None)}
    names = {f.name for f in dataclasses.fields(RestoreContext)}
    return plan_address(RestoreContext(**{k: v for k, v in values.items() if k in names}), address)


def rest(**over) -> dict:
    doc = {"id": "a1b2c3", "name": "jada-bookings-api", "description": "bookings", "apiKeySource": "HEADER",
           "binaryMediaTypes": ["image/png"], "disableExecuteApiEndpoint": False,
           "endpointConfiguration": {"types": ["EDGE"]}, "policy": None, "tags": {"site": "jada"},
           "resources": [{"id": "r0", "path": "/"}], "authorizers": [],
           "stages": [{"stageName": "prod", "deploymentId": "d1", "description": "live", "variables": {"TABLE": FP},
                       "methodSettings": {}, "cacheClusterEnabled": False}],
           "deployments": [{"id": "d1"}]}
    doc.update(over)
    return doc


def stage(**over) -> dict:
    return {**rest()["stages"][0], **over}


def run(ops) -> None:
    for op in ops:
        if op.run:
            op.run()


def test_a_rest_api_edited_by_hand_is_patched_back_with_its_stage_and_tags(store):
    """Every field a PATCH sets comes back in one UpdateRestApi, the stage's in one UpdateStage
    (a changed secret variable is sent as its fingerprint: the restore client's hook opens it),
    and tags with TagResource; a tag added since is kept without --delete."""
    have = rest(description="changed by hand", binaryMediaTypes=["image/gif", "image/png"],
                tags={"site": "x", "extra": "1"}, stages=[stage(description="edited", variables={"TABLE": "other"})])
    stubs = Stubs("apigateway")
    ops = plan(store, {REST: rest()}, {REST: have}, stubs, REST)
    got = {(op.verb, op.target) for op in ops}
    assert {("update", "description"), ("update", "binaryMediaTypes"), ("update", "tags"),
            ("kept", "tags extra"), ("update", "stages.prod.description"),
            ("update", "stages.prod.variables.TABLE")} <= got, got
    assert not [op for op in ops if op.verb in ("cannot-restore", "not-restorable-yet")]
    stub = stubs.stubs["apigateway"]
    stub.add_response("update_rest_api", {}, {"restApiId": "a1b2c3", "patchOperations": [
        {"op": "replace", "path": "/description", "value": "bookings"},
        {"op": "remove", "path": "/binaryMediaTypes/image~1gif", "value": "image/gif"}]})
    stub.add_response("tag_resource", {}, {"resourceArn": "arn:aws:apigateway:us-east-1::/restapis/a1b2c3",
                                           "tags": {"site": "jada"}})
    stub.add_response("update_stage", {}, {"restApiId": "a1b2c3", "stageName": "prod", "patchOperations": [
        {"op": "replace", "path": "/description", "value": "live"},
        {"op": "replace", "path": "/variables/TABLE", "value": FP}]})
    with stub:
        run(ops)
    stub.assert_no_pending_responses()


def test_a_changed_secret_variable_needs_the_identity(store):
    """Without the identity the sealed value cannot be opened: the plan says so (and an apply
    is refused before anything is written)."""
    have = rest(stages=[stage(variables={"TABLE": "other"})])
    ops = plan(store, {REST: rest()}, {REST: have}, Stubs("apigateway"), REST, identity=False)
    assert ("needs-identity", "stages.prod.variables.TABLE") in {(op.verb, op.target) for op in ops}


def test_a_deleted_stage_is_created_again_on_its_deployment_and_a_lost_deployment_is_said(store):
    stubs = Stubs("apigateway")
    ops = plan(store, {REST: rest()}, {REST: rest(stages=[])}, stubs, REST)
    assert [(op.verb, op.target) for op in ops] == [("create", "stages.prod")]
    stubs.stubs["apigateway"].add_response("create_stage", {}, {
        "restApiId": "a1b2c3", "stageName": "prod", "deploymentId": "d1", "description": "live", "cacheClusterEnabled": False,
        "variables": {"TABLE": FP}})
    with stubs.stubs["apigateway"]:
        run(ops)

    gone = plan(store, {REST: rest()}, {REST: rest(stages=[], deployments=[])}, Stubs("apigateway"), REST)
    lines = {(op.verb, op.target): op.detail for op in gone}
    assert "deployment d1" in lines[("cannot-restore", "stages.prod")]
    assert "create-deployment --rest-api-id a1b2c3 --stage-name prod" in lines[("cannot-restore", "stages.prod")]
    assert "cannot be made again under its id" in lines[("cannot-restore", "deployments.d1")]


def test_resources_and_methods_are_listed_with_why_never_silently_skipped(store):
    have = rest(resources=[{"id": "r0", "path": "/", "resourceMethods": {"GET": {"httpMethod": "GET"}}}])
    ops = plan(store, {REST: rest()}, {REST: have}, Stubs("apigateway"), REST)
    assert [(op.verb, op.target) for op in ops] == [("cannot-restore", "resources")]
    assert "does not rebuild them" in ops[0].detail and "then deploy" in ops[0].detail


def test_a_deleted_rest_api_is_not_recreated_and_says_why(store):
    ops = plan(store, {REST: rest()}, {}, Stubs("apigateway"), REST)
    assert len(ops) == 1 and ops[0].verb == "cannot-restore" and ops[0].run is None
    assert "new id" in ops[0].detail and "import-rest-api" in ops[0].detail


def test_a_rest_api_made_since_is_kept_or_deleted_with_delete(store):
    assert plan(store, {}, {REST: rest()}, Stubs("apigateway"), REST)[0].verb == "kept"
    stubs = Stubs("apigateway")
    ops = plan(store, {}, {REST: rest()}, stubs, REST, delete=True)
    assert [(op.verb, op.target) for op in ops] == [("delete", REST)]
    stubs.stubs["apigateway"].add_response("delete_rest_api", {}, {"restApiId": "a1b2c3"})
    with stubs.stubs["apigateway"]:
        run(ops)


DOMAIN = "apigateway/domain/api.sailjada.com"


def domain(**over) -> dict:
    doc = {"domainName": "api.sailjada.com", "regionalCertificateArn": "arn:aws:acm:us-east-1:1:certificate/c",
           "regionalDomainName": "d-old.execute-api.us-east-1.amazonaws.com", "regionalHostedZoneId": "Z1",
           "endpointConfiguration": {"types": ["REGIONAL"]}, "securityPolicy": "TLS_1_2",
           "basePathMappings": [{"basePath": "v1", "restApiId": "a1b2c3", "stage": "prod"}]}
    doc.update(over)
    return doc


def test_a_deleted_domain_is_created_with_its_mappings_and_the_plan_says_dns_must_move(store):
    """CreateDomainName takes only what it accepts (never the names API Gateway assigned), then
    the mapping to the REST API that still exists."""
    stubs = Stubs("apigateway")
    ops = plan(store, {DOMAIN: domain(), REST: rest()}, {REST: rest()}, stubs, DOMAIN)
    assert [(op.verb, op.target) for op in ops] == [("create", DOMAIN), ("create", "basePathMappings.v1")]
    assert "new regionalDomainName" in ops[0].detail and "DNS" in ops[0].detail
    stub = stubs.stubs["apigateway"]
    stub.add_response("create_domain_name", {}, {
        "domainName": "api.sailjada.com", "regionalCertificateArn": "arn:aws:acm:us-east-1:1:certificate/c",
        "endpointConfiguration": {"types": ["REGIONAL"]}, "securityPolicy": "TLS_1_2"})
    stub.add_response("create_base_path_mapping", {}, {"domainName": "api.sailjada.com", "basePath": "v1",
                                                       "restApiId": "a1b2c3", "stage": "prod"})
    with stub:
        run(ops)
    stub.assert_no_pending_responses()


def test_a_recreated_domain_says_its_new_target_is_not_the_snapshot_s(store):
    have = domain(regionalDomainName="d-new.execute-api.us-east-1.amazonaws.com")
    ops = plan(store, {DOMAIN: domain(), REST: rest()}, {DOMAIN: have, REST: rest()}, Stubs("apigateway"), DOMAIN)
    assert [(op.verb, op.target) for op in ops] == [("cannot-restore", "regionalDomainName")]
    assert "point the DNS record at live's value" in ops[0].detail


def test_a_mapping_moved_by_hand_is_patched_back_and_a_certificate_too(store):
    """moto has no UpdateDomainName: the PATCH paths here are the ones API Gateway documents."""
    have = domain(regionalCertificateArn="arn:aws:acm:us-east-1:1:certificate/other",
                  basePathMappings=[{"basePath": "v1", "restApiId": "zzz", "stage": "test"}])
    stubs = Stubs("apigateway")
    ops = plan(store, {DOMAIN: domain(), REST: rest()}, {DOMAIN: have, REST: rest()}, stubs, DOMAIN)
    stub = stubs.stubs["apigateway"]
    stub.add_response("update_domain_name", {}, {"domainName": "api.sailjada.com", "patchOperations": [
        {"op": "replace", "path": "/regionalCertificateArn", "value": "arn:aws:acm:us-east-1:1:certificate/c"}]})
    stub.add_response("update_base_path_mapping", {}, {"domainName": "api.sailjada.com", "basePath": "v1",
                                                       "patchOperations": [
        {"op": "replace", "path": "/restapiId", "value": "a1b2c3"}, {"op": "replace", "path": "/stage", "value": "prod"}]})
    with stub:
        run(ops)
    stub.assert_no_pending_responses()


HTTP = "apigateway/http-api/h1"


def http(**over) -> dict:
    doc = {"ApiId": "h1", "Name": "jada-webhooks", "Description": "webhooks", "ProtocolType": "HTTP",
           "ApiEndpoint": "https://h1.execute-api.us-east-1.amazonaws.com", "Tags": {}, "Routes": [], "Integrations": [],
           "Stages": [{"StageName": "live", "Description": "live", "StageVariables": {"TOKEN": FP, "QUEUE": FP[:-2] + "cd"}}]}
    doc.update(over)
    return doc


def test_an_http_api_stage_gets_its_variables_back_and_unchanged_secrets_are_sent_as_live_has_them(store):
    """UpdateStage takes the whole variable map: the one that changed goes as its fingerprint
    (opened by the client's hook), the unchanged secret as live's value, read at apply time, so
    nothing that did not change needs the identity."""
    have = http(Description="changed", Stages=[{"StageName": "live", "Description": "live",
                                                "StageVariables": {"TOKEN": "other", "QUEUE": FP[:-2] + "cd"}}])
    stubs = Stubs("apigatewayv2")
    ops = plan(store, {HTTP: http()}, {HTTP: have}, stubs, HTTP)
    assert {("update", "Description"), ("update", "Stages.live.StageVariables.TOKEN")} <= {(o.verb, o.target) for o in ops}
    stub = stubs.stubs["apigatewayv2"]
    stub.add_response("update_api", {}, {"ApiId": "h1", "Description": "webhooks"})
    stub.add_response("get_stage", {"StageName": "live", "StageVariables": {"TOKEN": "other", "QUEUE": "q-live"}},
                      {"ApiId": "h1", "StageName": "live"})
    stub.add_response("update_stage", {}, {"ApiId": "h1", "StageName": "live",
                                           "StageVariables": {"TOKEN": FP, "QUEUE": "q-live"}})
    with stub:
        run(ops)
    stub.assert_no_pending_responses()


def test_a_deleted_http_route_is_not_recreated_under_a_new_id(store):
    route = {"RouteId": "r1", "RouteKey": "POST /hook", "Target": "integrations/i1"}
    ops = plan(store, {HTTP: http(Routes=[route])}, {HTTP: http()}, Stubs("apigatewayv2"), HTTP)
    assert [(op.verb, op.target) for op in ops] == [("cannot-restore", "Routes.r1")]
    assert "new id" in ops[0].detail
