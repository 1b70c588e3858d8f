"""Planning a capture: which units, in which regions, and what is seen but not captured.

In-process moto (``mock_aws``) stands in for AWS, except where moto cannot show the
behaviour: it ignores ``AllRegions=False`` in DescribeRegions (every region comes back,
with its OptInStatus) and ListBuckets gives no ``BucketRegion``, so those two answers come
from botocore's Stubber.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import boto3
import botocore.session
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from gitsnap import plan
from gitsnap.collectors import registry
from gitsnap.collectors.aws import s3
from gitsnap.collectors.errors import AccessDeniedError
from gitsnap.collectors.spec import LocateContext
from gitsnap.config import Config, ConfigError, parse

ACCOUNT = "123456789012"  # moto's


@pytest.fixture
def aws(fake_aws_env):
    with mock_aws():
        yield


def bucket(name: str, region: str) -> None:
    c = boto3.client("s3", region_name=region)
    if region == "us-east-1":
        c.create_bucket(Bucket=name)
    else:
        c.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})


def units(p: plan.Plan) -> dict[str, plan.Unit]:
    return {u.path: u for u in p.units}


def test_without_regions_s3_is_planned_wherever_a_bucket_is_from_one_listing(aws, monkeypatch):
    bucket("shop-east", "us-east-1")
    bucket("shop-eu", "eu-west-1")
    bucket("shop-sydney", "ap-southeast-2")
    listings = []
    real_pages = s3.pages
    monkeypatch.setattr(s3, "pages", lambda c, m, **kw: listings.append(m) or real_pages(c, m, **kw))

    p = plan.plan_units(Config(path=None, services=("s3", "lambda")), (), 4)
    got = units(p)
    assert set(got) == {f"aws/{ACCOUNT}/{r}/s3" for r in ("us-east-1", "eu-west-1", "ap-southeast-2")} | {
        f"aws/{ACCOUNT}/us-east-1/lambda"}  # other regional services: the session's region
    assert listings == ["list_buckets"]  # once per account, not once per region unit
    eu = got[f"aws/{ACCOUNT}/eu-west-1/s3"]
    assert eu.located == {"bucket": ({"Name": "shop-eu", "Region": "eu-west-1"},)} and eu.error is None
    assert got[f"aws/{ACCOUNT}/us-east-1/lambda"].located == {}
    assert p.seen == []
    assert p.covered == {"aws": {ACCOUNT: {"regions": ["ap-southeast-2", "eu-west-1", "us-east-1"],
                                           "regions_from": "session", "services": ["lambda", "s3"]}},
                         "services": ["lambda", "s3"]}


def test_explicit_regions_record_buckets_elsewhere_and_excluded_ones_as_seen(aws):
    bucket("shop-east", "us-east-1")
    bucket("shop-eu", "eu-west-1")
    bucket("shop-logs", "us-east-1")
    config = Config(path=None, regions=("us-east-1", "us-west-2"), services=("s3",), s3_exclude=("*-logs",))
    p = plan.plan_units(config, (), 4)
    got = units(p)
    assert set(got) == {f"aws/{ACCOUNT}/us-east-1/s3", f"aws/{ACCOUNT}/us-west-2/s3"}
    assert got[f"aws/{ACCOUNT}/us-east-1/s3"].located["bucket"] == ({"Name": "shop-east", "Region": "us-east-1"},)
    assert got[f"aws/{ACCOUNT}/us-west-2/s3"].located["bucket"] == ()  # read, and truly empty
    assert [(s.address, s.region, s.reason) for s in p.seen] == [
        ("s3/shop-eu", "eu-west-1", "region eu-west-1 is not in this capture's regions ([aws] regions)"),
        ("s3/shop-logs", None, "excluded by [aws.s3] include/exclude"),  # not even located: no call for it
    ]


def test_regions_all_is_every_enabled_region(aws):
    bucket("shop-east", "us-east-1")
    p = plan.plan_units(parse({"aws": {"regions": "all", "services": ["s3"]}}, Path("gitsnap.toml")), (), 4)
    regions = {u.region for u in p.units}
    # moto answers with every region; those not opted in are left out (real AWS leaves them out itself)
    assert {"us-east-1", "eu-west-1", "ap-southeast-2"} <= regions and "ap-east-1" not in regions
    assert p.covered["aws"][ACCOUNT]["regions_from"] == "all"


def test_enabled_regions_are_those_opted_in_or_needing_no_opt_in():
    client = botocore.session.get_session().create_client(
        "ec2", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_response("describe_regions", {"Regions": [
            {"RegionName": "us-east-1", "OptInStatus": "opt-in-not-required"},
            {"RegionName": "me-south-1", "OptInStatus": "opted-in"},
            {"RegionName": "ap-east-1", "OptInStatus": "not-opted-in"},
        ]}, {"AllRegions": False})
        assert plan.get_enabled_regions(client) == ["me-south-1", "us-east-1"]
    with Stubber(client) as stub:
        stub.add_client_error("describe_regions", "UnauthorizedOperation", http_status_code=403)
        with pytest.raises(AccessDeniedError, match="ec2:DescribeRegions"):
            plan.get_enabled_regions(client)


def test_a_bucket_region_from_listbuckets_needs_no_getbucketlocation():
    client = botocore.session.get_session().create_client(
        "s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    ctx = LocateContext(ACCOUNT, Config(path=None), lambda *_a: client, lambda _m: None)
    with Stubber(client) as stub:  # any call not queued here fails the test
        stub.add_response("list_buckets", {"Buckets": [{"Name": "a", "BucketRegion": "eu-central-1"}],
                                           "ContinuationToken": "next"})
        stub.add_response("list_buckets", {"Buckets": [{"Name": "b"}]}, {"ContinuationToken": "next"})
        stub.add_response("get_bucket_location", {"LocationConstraint": "EU"}, {"Bucket": "b"})
        found = s3.locate_buckets(ctx)
    assert sorted((f.region, f.raw["Name"]) for f in found) == [("eu-central-1", "a"), ("eu-west-1", "b")]


def test_a_failed_listing_fails_the_units_and_keeps_what_it_would_locate(aws, monkeypatch):
    def denied(_ctx):
        raise AccessDeniedError("s3: s3:ListAllMyBuckets: access denied")

    monkeypatch.setitem(registry.AWS, "s3", (replace(s3.BUCKET, locate=denied),))
    p = plan.plan_units(Config(path=None, services=("s3",)), (), 4)
    [unit] = p.units
    assert unit.path == f"aws/{ACCOUNT}/us-east-1/s3" and "access denied" in (unit.error or "")
    assert (ACCOUNT, "s3") in p.unsure  # its other regions' units are kept, not dropped


def test_why_a_unit_is_no_longer_planned():
    p = plan.Plan(covered={"aws": {"1": {"regions": ["us-east-1"], "regions_from": "config", "services": ["s3"]},
                                   "2": {"regions": ["us-east-1"], "regions_from": "session",
                                         "services": ["lambda", "s3"]}},
                           "services": ["lambda", "s3"]})
    assert p.why_not("aws/1/eu-west-1/s3") == "region eu-west-1 is not among its regions: us-east-1"
    assert p.why_not("aws/1/us-east-1/lambda") == "service lambda is not in it"
    assert p.why_not("aws/3/us-east-1/s3") == "account 3 is not in it"
    assert p.why_not("aws/2/eu-west-1/s3") == "no s3 resource is in eu-west-1 now, and regions are not configured"
    assert p.why_not("local") == "local is not configured now"
    assert plan.unit_key("aws/1/eu-west-1/s3") == ("1", "s3") and plan.unit_key("gas") == ("gas", "gas")


def test_config_regions_all_and_requester_pays():
    cfg = parse({"aws": {"regions": "all", "s3": {"requester_pays": True},
                         "accounts": [{"name": "a", "regions": "all"}, {"name": "b", "regions": ["eu-west-1"]}]}},
                Path("gitsnap.toml"))
    assert cfg.regions_all and cfg.regions == () and cfg.s3_requester_pays
    assert [(a.regions_all, a.regions) for a in cfg.accounts] == [(True, ()), (False, ("eu-west-1",))]
    assert not parse({}, Path("gitsnap.toml")).s3_requester_pays
    with pytest.raises(ConfigError, match=r'key aws.regions: .* neither a list of regions nor "all"'):
        parse({"aws": {"regions": "us-east-1"}}, Path("gitsnap.toml"))
