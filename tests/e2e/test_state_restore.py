"""The seeded-once estate (tests/e2e/_state.py): each test gets the estate as seeded, whatever
an earlier test did to it, and the saved copy survives moto's resets.

Most e2e tests start from ``sample_estate``, ``e2e_estate`` or a ``capture_once`` template
instead of seeding; if a restore leaked one test's changes into the next, or lost S3 bodies
to a reset, those tests would test the wrong estate. These tests change the restored estate
the ways tests do (a body rewritten, a key and a bucket deleted, a Lambda updated, a reset)
and check that the next restore is the seeded estate again, bodies included.
"""

from __future__ import annotations

import pytest

from gitsnap.sandbox import estate as sample

from ..conftest import Gitsnap, base_env
from . import estate

pytestmark = pytest.mark.e2e

PAGE = ("sailjada-prod", "index.html")


def live(endpoint: str) -> dict:
    """What a test would see: buckets, every key's body, and a function's timeout."""
    c = sample.clients(endpoint)
    s3 = c("s3")
    bodies = {}
    for bucket in (b["Name"] for b in s3.list_buckets()["Buckets"]):
        for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
            bodies[(bucket, obj["Key"])] = s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
    timeout = c("lambda").get_function_configuration(FunctionName="jada-event-processor")["Timeout"]
    return {"bodies": bodies, "timeout": timeout}


def spoil(endpoint: str) -> None:
    """What tests do to an estate: a body rewritten, a key and a bucket gone, a function changed."""
    c = sample.clients(endpoint)
    s3 = c("s3")
    s3.put_object(Bucket=PAGE[0], Key=PAGE[1], Body=b"<p>spoiled</p>")
    s3.delete_object(Bucket="sailjada-backups", Key="db/2024-01-01.json")
    s3.delete_bucket(Bucket="sailjada-backups")
    c("lambda").update_function_configuration(FunctionName="jada-event-processor", Timeout=59)


def test_a_restored_estate_is_the_seeded_one_whatever_the_last_test_did(endpoint, moto_server, states):
    """Seeded directly on a reset server, then restored after spoiling it, twice, with a reset
    (what the ``endpoint`` fixture does before every test) in between: the same buckets,
    keys, bodies and function settings each time."""
    moto_server.reset()
    sample.seed(endpoint)
    seeded = live(endpoint)
    assert seeded["bodies"][PAGE] != b"<p>spoiled</p>" and ("sailjada-backups", "db/2024-01-01.json") in seeded["bodies"]
    for _ in range(2):
        states.restore("sample", lambda: sample.seed(endpoint))
        assert live(endpoint) == seeded
        spoil(endpoint)
        assert live(endpoint) != seeded
        moto_server.reset()  # disposes every tracked S3 body: the saved copy's are not tracked
    states.restore("sample", lambda: pytest.fail("already saved: must not seed again"))
    assert live(endpoint) == seeded


def test_a_template_copy_is_the_capture_and_its_state_whatever_the_last_copy_did(
        capture_once, copy_of, endpoint, moto_server, tmp_path):
    """Two copies of one capture template in a row (as two tests take them), the first spoiled
    and captured again: the second sees the capture's repository and the live state right
    after that capture, not the first copy's changes."""
    template = capture_once("e2e", "capture", "--tag", "v1.0", "-m", "known good", setup=estate.configure)
    info, result = template.copy_to(moto_server, tmp_path / "first")  # what copy_of does, elsewhere
    first = Gitsnap(tmp_path / "first" / "snap", base_env(tmp_path / "first", endpoint, moto_server.lightsail_endpoint))
    assert result.code == 0 and "tagged v1.0" in result.out
    after_capture = live(endpoint)
    assert after_capture["bodies"][(estate.EDGE_BUCKET, estate.BIG_KEY)] == info["big"]
    spoil(endpoint)
    first("capture", "-m", "spoiled")
    assert first.git("log", "--format=%s").split() == ["spoiled", "known", "good"]

    second, _, _ = copy_of(template)
    assert live(endpoint) == after_capture
    assert second.head() == second.git("rev-parse", "v1.0^{commit}").strip()
    assert second.git("log", "--format=%s").strip() == "known good"
    head = second.head()
    assert "No changes since" in second("capture", "--tag", "nightly").out and second.head() == head
