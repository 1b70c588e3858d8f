"""Lists whose order has meaning (``ResourceType.ordered``): reversing one is a change to diff,
drift, parity and restore, shown so a person can read it, and nothing on the way into a
snapshot (transform, normalization, canonical JSON) reorders it.

Documents are finished by ``engine.finish_document``, the capture's own last step; no AWS, no
repository (snapshots are in memory).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitsnap import canonical, fieldpath
from gitsnap.canonical import plain
from gitsnap.collectors import registry
from gitsnap.collectors.aws import awslambda, cloudfront, route53
from gitsnap.collectors.run import Collected
from gitsnap.collectors.spec import Extras, ResourceType
from gitsnap.config import Config
from gitsnap.diff import diff_documents, diff_snapshots, resource_differs
from gitsnap.engine import finish_document, make_guard
from gitsnap.normalize import sort_unordered
from gitsnap.render import describe
from gitsnap.secrets.fingerprint import Fingerprinter
from gitsnap.store.snapshot import Snapshot

DIST_ID = "E2A1B3C4D5"


def behaviour(pattern: str, origin: str = "site", ttl: int = 0) -> dict[str, Any]:
    return {"PathPattern": pattern, "TargetOriginId": origin, "ViewerProtocolPolicy": "redirect-to-https",
            "MinTTL": 0, "DefaultTTL": ttl, "MaxTTL": 31536000,
            "AllowedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"]}}


def group(gid: str, *members: str) -> dict[str, Any]:
    return {"Id": gid, "FailoverCriteria": {"StatusCodes": {"Quantity": 2, "Items": [502, 503]}},
            "Members": {"Quantity": len(members), "Items": [{"OriginId": m} for m in members]}}


def distribution(behaviours: list[dict[str, Any]], groups: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """get_distribution_config's shape, as the runner hands it to transform."""
    origins = [{"Id": o, "DomainName": f"{o}.s3.amazonaws.com"} for o in ("site", "api", "backup")]
    config: dict[str, Any] = {
        "CallerReference": "r", "Enabled": True, "Comment": "shop",
        "Aliases": {"Quantity": 2, "Items": ["www.shop.com", "shop.com"]},
        "Origins": {"Quantity": len(origins), "Items": origins},
        "DefaultCacheBehavior": {"TargetOriginId": "site", "DefaultTTL": 86400},
        "CacheBehaviors": {"Quantity": len(behaviours), "Items": behaviours},
    }
    if groups is not None:
        config["OriginGroups"] = {"Quantity": len(groups), "Items": groups}
    return {"Id": DIST_ID, "ARN": f"arn:aws:cloudfront::123456789012:distribution/{DIST_ID}",
            "DomainName": "d1.cloudfront.net", "Status": "Deployed", "Tags": {"Items": []}, "DistributionConfig": config}


def layer(name: str, version: int, size: int) -> dict[str, Any]:
    return {"Arn": f"arn:aws:lambda:us-east-1:123456789012:layer:{name}:{version}", "CodeSize": size}


def function(layers: list[dict[str, Any]]) -> dict[str, Any]:
    config = {"FunctionName": "f", "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:f",
              "Role": "arn:aws:iam::123456789012:role/r", "CodeSha256": "abc", "Layers": layers,
              "ImageConfigResponse": {"ImageConfig": {"EntryPoint": ["/bin/sh", "-c"],
                                                      "Command": ["python", "-m", "app"]}}}
    return {"FunctionName": "f", "Function": {"Configuration": config, "Tags": {}}, "Concurrency": {},
            "Policy": None, "Aliases": [], "Versions": [], "EventSourceMappings": []}


CACHE = [behaviour("/api/*", "api"), behaviour("/img/*", ttl=3600), behaviour("*.html", ttl=60)]
GROUPS = [group("failover", "site", "backup"), group("api-failover", "api", "backup")]
LAYERS = [layer("deps", 3, 100), layer("shared", 7, 200), layer("patches", 1, 50)]

# Every type that declares ordered paths: a raw example in which each of them names lists of at
# least two distinct items, and where each declared path is found in that raw input (transform
# moves Lambda's configuration up from Function.Configuration). A new declaration needs one here.
SAMPLES: dict[tuple[str, str], tuple[dict[str, Any], dict[str, str]]] = {
    ("cloudfront", "distribution"): (distribution(CACHE, GROUPS), {}),
    ("lambda", "function"): (function(LAYERS), {
        "Configuration.Layers": "Function.Configuration.Layers",
        "Configuration.ImageConfigResponse.ImageConfig.EntryPoint":
            "Function.Configuration.ImageConfigResponse.ImageConfig.EntryPoint",
        "Configuration.ImageConfigResponse.ImageConfig.Command":
            "Function.Configuration.ImageConfigResponse.ImageConfig.Command"}),
}
ORDERED = [(t, p) for t in registry.all_types() for p in t.ordered]


def finish(spec: ResourceType, raw: dict[str, Any]) -> dict[str, Any]:
    """The stored document: transform, then the engine's normalize, guard and schema check."""
    config = Config(path=None)
    doc, _ = finish_document(Collected(spec, spec.id(raw), plain(spec.transform(copy.deepcopy(raw))), Extras()),
                             config, make_guard(config, Fingerprinter(b"k" * 32)), spec.address(spec.id(raw)))
    return doc


def snapshot(spec: ResourceType, doc: dict[str, Any]) -> Snapshot:
    address = spec.address(DIST_ID if spec is cloudfront.DISTRIBUTION else "f")
    path = f"aws/123456789012/global/{address}.json"
    return Snapshot.in_memory(None, {path: canonical.dumps(doc)},  # type: ignore[arg-type]  # all in memory
                              {address: {"path": path, "service": spec.service, "type": spec.type}})


def lists_at(doc: Any, pattern: str) -> list[tuple[fieldpath.Segments, list[Any]]]:
    return [(path, parent[key]) for path, parent, key in fieldpath.matches(doc, pattern) if isinstance(parent[key], list)]


def reverse_at(doc: Any, path: fieldpath.Segments) -> Any:
    out = copy.deepcopy(doc)
    node = out
    for seg in path[:-1]:
        node = node[seg]
    node[path[-1]] = node[path[-1]][::-1]
    return out


def test_the_lists_whose_order_routes_traffic_are_declared_and_every_declaration_has_a_sample():
    assert {(t.service, t.type) for t, _ in ORDERED} == set(SAMPLES)
    declared = {f"{t.service}/{t.type} {p}" for t, p in ORDERED}
    assert "cloudfront/distribution **.CacheBehaviors.Items" in declared
    assert "cloudfront/distribution **.OriginGroups.Items.*.Members.Items" in declared
    assert "lambda/function Configuration.Layers" in declared
    for t, p in ORDERED:
        assert fieldpath.split(p) and " " not in p and p not in t.unordered


@pytest.mark.parametrize(("spec", "pattern"), ORDERED, ids=lambda x: x if isinstance(x, str) else f"{x.service}/{x.type}")
def test_reversing_an_ordered_list_is_a_change_to_diff_and_to_restore(spec, pattern):
    doc = finish(spec, SAMPLES[(spec.service, spec.type)][0])
    found = lists_at(doc, pattern)
    assert found, f"the sample has nothing at {pattern}"
    for path, items in found:
        assert len(items) >= 2 and items != items[::-1]  # reversing really moves something
        flipped = reverse_at(doc, path)
        address = spec.address(spec.id(SAMPLES[(spec.service, spec.type)][0]))
        changes = diff_documents(address, doc, flipped)
        assert changes, f"{fieldpath.render(path)} reversed is no change"
        a, b = snapshot(spec, doc), snapshot(spec, flipped)
        assert resource_differs(address, a, b) and diff_snapshots(a, b) == changes
        assert diff_documents(address, flipped, flipped) == []


@pytest.mark.parametrize(("spec", "pattern"), ORDERED, ids=lambda x: x if isinstance(x, str) else f"{x.service}/{x.type}")
def test_nothing_on_the_way_into_a_snapshot_reorders_an_ordered_list(spec, pattern):
    """Transform, volatile/status/unordered normalization, the guard and canonical JSON all
    keep the order the API gave: the raw list reversed is the stored list reversed."""
    raw, raw_paths = SAMPLES[(spec.service, spec.type)]
    doc = finish(spec, raw)
    stored = {fieldpath.render(p): items for p, items in lists_at(doc, pattern)}
    for path, _ in lists_at(raw, raw_paths.get(pattern, pattern)):
        again = {fieldpath.render(p): items for p, items in lists_at(finish(spec, reverse_at(raw, path)), pattern)}
        moved = [p for p in stored if again[p] != stored[p]]
        assert len(moved) == 1 and again[moved[0]] == stored[moved[0]][::-1]
    assert canonical.dumps(doc) == canonical.dumps(canonical.plain(doc))


def test_an_unordered_pattern_never_sorts_a_list_declared_ordered():
    doc = {"A": {"L": ["c", "a", "b"]}, "B": {"L": ["z", "y"]}}
    assert sort_unordered(copy.deepcopy(doc), ["**.L"], ordered=["A.L"]) == {"A": {"L": ["c", "a", "b"]},
                                                                            "B": {"L": ["y", "z"]}}
    nested = {"Outer": [{"Id": "b", "L": [2, 1]}, {"Id": "a", "L": [4, 3]}]}  # outer sorted, inner kept
    assert sort_unordered(nested, ["Outer", "**.L"], ordered=["Outer.*.L"]) == {
        "Outer": [{"Id": "a", "L": [4, 3]}, {"Id": "b", "L": [2, 1]}]}


# -- what a person reads ------------------------------------------------------------------------

def cf(behaviours: list[dict[str, Any]], groups: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return finish(cloudfront.DISTRIBUTION, distribution(behaviours, groups))


def lines(changes: list[Any]) -> list[str]:
    return [describe(c) for c in changes]


def test_reversed_cache_behaviours_are_one_readable_change():
    a, b = behaviour("/api/*", "api"), behaviour("/img/*")
    changes = diff_documents(f"cloudfront/{DIST_ID}", cf([a, b]), cf([b, a]))
    assert lines(changes) == ['DistributionConfig.CacheBehaviors.Items: ["/api/*", "/img/*"] -> ["/img/*", "/api/*"]']
    assert changes[0].to_json() == {"address": f"cloudfront/{DIST_ID}", "kind": "changed",
                                    "path": "DistributionConfig.CacheBehaviors.Items", "old": ["/api/*", "/img/*"],
                                    "new": ["/img/*", "/api/*"], "details": {"order": True},
                                    "location": {"field": ["DistributionConfig", "CacheBehaviors", "Items"]}}


def test_an_edit_inside_a_behaviour_still_names_it_by_its_path_pattern_and_is_no_reorder():
    old = cf(CACHE)
    new = cf([CACHE[0], behaviour("/img/*", ttl=60), CACHE[2]])
    assert lines(diff_documents(f"cloudfront/{DIST_ID}", old, new)) == [
        "DistributionConfig.CacheBehaviors.Items['/img/*'].DefaultTTL: 3600 -> 60"]


def test_an_appended_or_removed_behaviour_is_no_reorder_but_an_inserted_one_says_where_it_went():
    new = behaviour("/new/*")
    appended = [c.path for c in diff_documents(f"cloudfront/{DIST_ID}", cf(CACHE), cf([*CACHE, new]))]
    assert appended == ["DistributionConfig.CacheBehaviors.Items['/new/*']", "DistributionConfig.CacheBehaviors.Quantity"]
    removed = [c.path for c in diff_documents(f"cloudfront/{DIST_ID}", cf(CACHE), cf([CACHE[0], CACHE[2]]))]
    assert removed == ["DistributionConfig.CacheBehaviors.Items['/img/*']", "DistributionConfig.CacheBehaviors.Quantity"]
    inserted = diff_documents(f"cloudfront/{DIST_ID}", cf(CACHE), cf([new, *CACHE]))
    assert lines(inserted)[0] == ('DistributionConfig.CacheBehaviors.Items: ["/api/*", "/img/*", "*.html"] -> '
                                  '["/new/*", "/api/*", "/img/*", "*.html"]')
    assert [c.kind for c in inserted] == ["changed", "added", "changed"]


def test_swapped_failover_members_name_the_group_and_the_positions():
    changes = diff_documents(f"cloudfront/{DIST_ID}", cf(CACHE, GROUPS), cf(CACHE, [group("failover", "backup", "site"), GROUPS[1]]))
    assert lines(changes) == [
        'DistributionConfig.OriginGroups.Items.failover.Members.Items[0].OriginId: "site" -> "backup"',
        'DistributionConfig.OriginGroups.Items.failover.Members.Items[1].OriginId: "backup" -> "site"']
    # the groups themselves are referred to by id: their order is no change
    assert diff_documents(f"cloudfront/{DIST_ID}", cf(CACHE, GROUPS), cf(CACHE, GROUPS[::-1])) == []


def test_reordered_layers_show_position_by_position():
    old = finish(awslambda.FUNCTION, function(LAYERS[:2]))
    new = finish(awslambda.FUNCTION, function(LAYERS[:2][::-1]))
    assert lines(diff_documents("lambda/f", old, new)) == [
        'Configuration.Layers[0].Arn: "arn:aws:lambda:us-east-1:123456789012:layer:deps:3" -> '
        '"arn:aws:lambda:us-east-1:123456789012:layer:shared:7"',
        "Configuration.Layers[0].CodeSize: 100 -> 200",
        'Configuration.Layers[1].Arn: "arn:aws:lambda:us-east-1:123456789012:layer:shared:7" -> '
        '"arn:aws:lambda:us-east-1:123456789012:layer:deps:3"',
        "Configuration.Layers[1].CodeSize: 200 -> 100"]


def test_restore_comparing_the_distribution_config_alone_sees_the_order_too():
    """restore/aws.py diffs ``DistributionConfig`` on its own: the declaration reaches into it."""
    old, new = cf(CACHE), cf(CACHE[::-1])
    (c,) = diff_documents(f"cloudfront/{DIST_ID}", old["DistributionConfig"], new["DistributionConfig"])
    assert (c.path, c.old, c.new) == ("CacheBehaviors.Items", ["/api/*", "/img/*", "*.html"], ["*.html", "/img/*", "/api/*"])


def test_parity_reports_environments_whose_behaviours_are_in_another_order():
    from gitsnap.parity import parity

    def env(name: str, behaviours: list[dict[str, Any]]) -> dict[str, Any]:
        raw = distribution(behaviours)
        raw["Id"] = f"E{name.upper()}"
        raw["ARN"] = raw["ARN"].replace(DIST_ID, raw["Id"])
        raw["DistributionConfig"].update(Comment=f"shop-{name}", Aliases={"Quantity": 1, "Items": [f"{name}.shop.com"]})
        raw["DistributionConfig"]["Origins"]["Items"] = [{"Id": "site", "DomainName": f"shop-{name}.s3.amazonaws.com"}]
        return finish(cloudfront.DISTRIBUTION, raw)

    docs = {"cloudfront/EPROD": env("prod", CACHE), "cloudfront/ESTAGING": env("staging", CACHE[::-1])}
    files = {f"aws/1/global/{a}.json": canonical.dumps(d) for a, d in docs.items()}
    resources = {a: {"path": f"aws/1/global/{a}.json", "service": "cloudfront", "type": "distribution"} for a in docs}
    report = parity(Snapshot.in_memory(None, files, resources),  # type: ignore[arg-type]
                    {"prod": ("*-prod",), "staging": ("*-staging",)}, "prod", "staging")
    assert not report.matches
    ((pair_changes),) = [p.changes for p in report.pairs]
    assert [(c.path, c.old, c.new) for c in pair_changes] == [
        ("DistributionConfig.CacheBehaviors.Items", ["/api/*", "/img/*", "*.html"], ["*.html", "/img/*", "/api/*"])]
    assert [f.message for f in report.findings] == [  # routing differs: a finding, listed first
        'cloudfront/EPROD vs cloudfront/ESTAGING: DistributionConfig.CacheBehaviors.Items: '
        'prod ["/api/*", "/img/*", "*.html"], staging ["*.html", "/img/*", "/api/*"]']


def test_unordered_lists_stay_quiet_when_reordered():
    """Aliases and origin groups are referred to by name, a record's values are an RRset."""
    assert diff_documents(f"cloudfront/{DIST_ID}", cf(CACHE), finish(cloudfront.DISTRIBUTION, {
        **distribution(CACHE), "DistributionConfig": {**distribution(CACHE)["DistributionConfig"],
                                                      "Aliases": {"Quantity": 2, "Items": ["shop.com", "www.shop.com"]}}})) == []

    def zone(values: list[str]) -> dict[str, Any]:
        return finish(route53.ZONE, {"Id": "/hostedzone/Z1", "Name": "shop.com.", "Config": {"PrivateZone": False},
                                     "Tags": {"Tags": []}, "RecordSets": [
                                         {"Name": "shop.com.", "Type": "A", "TTL": 300,
                                          "ResourceRecords": [{"Value": v} for v in values]}]})

    assert zone(["192.0.2.2", "192.0.2.1"]) == zone(["192.0.2.1", "192.0.2.2"])


def test_each_address_finds_its_own_type():
    from gitsnap.diff import declared_type, ordered_paths

    assert declared_type(f"cloudfront/{DIST_ID}") is cloudfront.DISTRIBUTION
    assert declared_type("route53/healthcheck/abc") is route53.HEALTH_CHECK
    assert declared_type("route53/healthcheck.shop.com") is route53.ZONE
    assert declared_type("lambda/f@111111111111:us-west-2") is awslambda.FUNCTION
    assert declared_type("nope/x") is None and ordered_paths("nope/x") == ()


@settings(derandomize=True, max_examples=60, deadline=None)
@given(st.permutations(["a", "b", "c", "d"]), st.sets(st.sampled_from("abcd")), st.lists(st.sampled_from("xyz"), unique=True))
def test_a_reorder_is_any_move_of_kept_items_or_an_insertion_before_one(order, dropped, added):
    from gitsnap.diff import reordered

    old = ["a", "b", "c", "d"]
    kept = [k for k in order if k not in dropped]
    assert reordered(old, kept) == (kept != [k for k in old if k in kept])
    assert not reordered(old, [k for k in old if k not in dropped] + added)  # removals and appends only
    if added and [k for k in old if k not in dropped]:
        assert reordered(old, added + [k for k in old if k not in dropped])  # inserted in front
