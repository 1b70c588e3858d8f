"""Throttling is normal: a capture that AWS keeps telling to slow down is slow, not wrong.

moto never throttles, so the fault proxy (tests/faults.py) does it the way each service
does, with that service's own throttling error in its status and shape: S3, IAM, STS,
CloudFront, Route53, Lambda, DynamoDB, Application Auto Scaling, API Gateway v1 and v2, SES
and SESv2, ACM, RDS, and Lightsail (behind a proxy of its own).

The same estate is captured twice, into two repositories made with the same keys, both
through the proxies: once untouched (the proxies only count each service's requests), once
throttled. Every subtree but the manifest files (which hold times and durations) and
``sealed/`` must be the same git tree; sealed values are age ciphertext, different bytes each
time they are sealed, so they are compared opened.

Where the throttling falls: every EVERY-th request of each service, and the last request
each service made in the untouched capture. Real throttling comes with load, once a client
has been sending for a while; botocore's adaptive mode slows a client that is throttled
before it has measured its own rate to half a request a second, and ramps it up again over
seconds, which would only make this test slow (it is what adaptive mode is for). For the same
reason a call throttled many times in a row (the issue's failure: four attempts, then the
whole capture wrote nothing) is tested in tests/unit/test_throttling.py, where the backoff
sleeps are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gitsnap.sandbox import estate as sample
from gitsnap.secrets.seal import Unsealer

from ..conftest import Gitsnap, base_env
from ..faults import FaultProxy, fsck, throttle_every

pytestmark = pytest.mark.e2e

EVERY = 50
UNCOMPARED = {"manifest.json", "MANIFEST.md", "sealed"}
# every service of the estate, as the proxy tells them apart: signing name / protocol
# (API Gateway v1 and v2 both sign as apigateway; SES v1 and v2 both as ses, in two protocols)
SERVICES = {"s3/rest-xml", "iam/query", "sts/query", "cloudfront/rest-xml", "route53/rest-xml",
            "lambda/rest-json", "dynamodb/json", "application-autoscaling/json", "apigateway/rest-json",
            "ses/query", "ses/rest-json", "acm/json", "rds/query", "lightsail/json"}


def top_level(g: Gitsnap) -> dict[str, str]:
    """The root tree of HEAD as name -> object id, but for the manifests and sealed values."""
    out = {}
    for line in g.git("ls-tree", "HEAD").splitlines():  # type: ignore[union-attr]
        meta, name = line.split("\t", 1)
        if name not in UNCOMPARED:
            out[name] = meta.split()[2]
    return out


def sealed_values(g: Gitsnap, unsealer: Unsealer) -> dict[str, object]:
    """Every sealed value at HEAD, opened: path -> value."""
    paths = g.git("ls-tree", "-r", "--name-only", "HEAD", "sealed").splitlines()  # type: ignore[union-attr]
    return {p: unsealer.open_value(g.show(f"HEAD:{p}"), p) for p in paths}


@pytest.fixture
def proxies(moto_server) -> Iterator[tuple[FaultProxy, FaultProxy]]:  # noqa: ANN001 (conftest's Sandbox)
    aws = FaultProxy(moto_server.endpoint)
    lightsail = FaultProxy(moto_server.lightsail_endpoint)
    aws.start()
    lightsail.start()
    yield aws, lightsail
    aws.stop()
    lightsail.stop()


def test_a_throttled_capture_records_exactly_what_an_untouched_one_does(
        tmp_path: Path, endpoint: str, moto_server, proxies) -> None:  # noqa: ANN001
    sample.seed(endpoint, moto_server.lightsail_endpoint)
    aws, lightsail = proxies
    env = {**base_env(tmp_path, endpoint, moto_server.lightsail_endpoint),
           "AWS_ENDPOINT_URL": aws.url, "AWS_ENDPOINT_URL_LIGHTSAIL": lightsail.url}

    counted = [throttle_every(), throttle_every()]  # nothing picked: counts only
    aws.rules[:], lightsail.rules[:] = [counted[0][0]], [counted[1][0]]
    calm = Gitsnap(tmp_path / "calm", env)
    calm("init")
    calm("capture")
    made = {**counted[0][1].seen, **counted[1][1].seen}
    assert set(made) >= SERVICES, f"the untouched capture never called {sorted(SERVICES - set(made))}"

    last = {key: {n} for key, n in made.items()}
    throttled = [throttle_every(EVERY, last), throttle_every(EVERY, last)]
    aws.rules[:], lightsail.rules[:] = [throttled[0][0]], [throttled[1][0]]
    busy = Gitsnap(tmp_path / "busy", env)
    busy("init")
    r = busy("capture", check=False, timeout=240)  # a hang guard, not a timing assertion

    assert r.code == 0, r.err
    assert "Traceback" not in r.err, r.err
    picked = {**throttled[0][1].picked, **throttled[1][1].picked}
    assert set(picked) >= SERVICES, f"never throttled: {sorted(SERVICES - set(picked))}"
    assert top_level(busy) == top_level(calm), "the throttled capture recorded something else"
    assert busy.manifest()["resources"] == calm.manifest()["resources"]
    assert busy.manifest()["sealed"] == calm.manifest()["sealed"]
    unsealer = Unsealer.load(tmp_path / "home" / ".config" / "gitsnap" / "identity.age")
    assert unsealer is not None
    sealed = sealed_values(calm, unsealer)
    assert sealed and sealed_values(busy, unsealer) == sealed
    fsck(busy.repo)
