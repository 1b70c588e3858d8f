"""Order that matters, live: CloudFront matches cache behaviours in list order, so a distribution
whose behaviours were reversed routes requests differently. diff, drift and restore must all
see that, and restore must put the order back."""

from __future__ import annotations

import json

import pytest

from gitsnap.sandbox import estate as sample

pytestmark = pytest.mark.e2e

ORDER = ["/api/*", "/img/*"]


def behaviour(pattern: str, origin: str, ttl: int) -> dict:
    return {"PathPattern": pattern, "TargetOriginId": origin, "ViewerProtocolPolicy": "redirect-to-https",
            "MinTTL": 0, "DefaultTTL": ttl, "MaxTTL": 31536000,
            "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
            "TrustedSigners": {"Enabled": False, "Quantity": 0}}


def set_behaviours(cf, dist: str, order: list[str] | None = None) -> list[str]:
    """Give the distribution two cache behaviours (the sample estate has none), or reverse them."""
    got = cf.get_distribution_config(Id=dist)
    config = got["DistributionConfig"]
    if order is None:
        origin = config["Origins"]["Items"][0]["Id"]
        items = [behaviour("/api/*", origin, 0), behaviour("/img/*", origin, 3600)]
    else:
        by_pattern = {b["PathPattern"]: b for b in config["CacheBehaviors"]["Items"]}
        items = [by_pattern[p] for p in order]
    config["CacheBehaviors"] = {"Quantity": len(items), "Items": items}
    cf.update_distribution(Id=dist, IfMatch=got["ETag"], DistributionConfig=config)
    return [b["PathPattern"] for b in cf.get_distribution_config(Id=dist)["DistributionConfig"]["CacheBehaviors"]["Items"]]


def test_reversed_cache_behaviours_are_seen_by_diff_drift_and_restore(gitsnap, endpoint):
    """Two of the sample estate's distributions (``estate.distribution_config``; seeding all of
    it would only add S3 and Lambda work to a CloudFront-only test): one is changed, one is not."""
    cf = sample.clients(endpoint)("cloudfront")
    dist, _unchanged = (cf.create_distribution(DistributionConfig=sample.distribution_config(bucket))["Distribution"]["Id"]
                   for bucket in ("sailjada-prod", "sailjada-staging"))
    address = f"cloudfront/{dist}"
    (gitsnap.repo / "gitsnap.toml").write_text('[aws]\nservices = ["cloudfront"]\n')
    assert set_behaviours(cf, dist) == ORDER
    gitsnap("capture", "--tag", "v1.0")

    assert set_behaviours(cf, dist, ORDER[::-1]) == ORDER[::-1]  # nothing else about them changed
    expected = [{"address": address, "kind": "changed", "path": "DistributionConfig.CacheBehaviors.Items",
                 "old": ORDER, "new": ORDER[::-1], "details": {"order": True}, "label": "www.sailjada-prod.example",
                 "location": {"field": ["DistributionConfig", "CacheBehaviors", "Items"]}}]
    drift = gitsnap("drift", "v1.0", "--format", "json", check=False)
    assert drift.code == 1 and json.loads(drift.out)["changes"] == expected

    gitsnap("capture", "--tag", "v2.0")  # the reversed order makes a commit...
    diff = gitsnap("diff", "v1.0", "v2.0", "--exit-code", check=False)  # ...and diff says what it was
    assert diff.code == 1
    assert diff.out.splitlines()[0].startswith(f"{address} (www.sailjada-prod.example)  DistributionConfig.CacheBehaviors.Items: ")
    assert diff.out.splitlines()[0].endswith('["/api/*", "/img/*"] -> ["/img/*", "/api/*"]')
    assert diff.out.splitlines()[1] == "1 change in 1 resource (0 added, 0 removed, 1 changed)"

    plan = gitsnap("restore", "v1.0", address, "--format", "json", check=False)
    assert plan.code == 1
    ops = [(op["address"], op["verb"], op["target"]) for op in json.loads(plan.out)["operations"]]
    assert ops == [(address, "update", "DistributionConfig.CacheBehaviors.Items")]
    applied = gitsnap("restore", "v1.0", address, "--apply", "--yes")
    got = cf.get_distribution_config(Id=dist)["DistributionConfig"]["CacheBehaviors"]["Items"]
    assert [b["PathPattern"] for b in got] == ORDER
    assert "Live state now matches v1.0" in applied.out  # restore's own re-read of live state
