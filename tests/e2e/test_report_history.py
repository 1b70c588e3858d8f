"""gitsnap report --history: a small history captured from the local AWS, rendered, and looked at
in headless Chromium as a person would: one column per snapshot or run, the bars, the tag, and a
column's link landing on that night's changed addresses.

Every run is a real one: the failed capture (a tag that already exists) and the drift check
(the versioning turned off again) are what the installed command wrote to its run log.
"""

from __future__ import annotations

import subprocess

import pytest

from gitsnap.runlog import read_runs
from gitsnap.sandbox import estate as sample

from . import test_report

browser = test_report.browser  # the same headless Chromium fixture (module scope) as the HTML report's test
visible_text = test_report.visible_text

pytestmark = pytest.mark.e2e


def test_history_page_shows_each_snapshot_its_tag_and_links_to_its_changes(gitsnap, endpoint, browser, tmp_path):
    from selenium.webdriver.common.by import By

    clients = sample.clients(endpoint)
    s3, sqs = clients("s3"), clients("sqs")
    (gitsnap.repo / "gitsnap.toml").write_text('[aws]\nservices = ["s3", "sqs"]\n[aws.s3]\ncontent = false\n')
    s3.create_bucket(Bucket="shop-site")
    gitsnap("capture", "--tag", "v1.0")
    s3.put_bucket_versioning(Bucket="shop-site", VersioningConfiguration={"Status": "Enabled"})
    gitsnap("capture")
    s3.create_bucket(Bucket="shop-logs")
    sqs.create_queue(QueueName="orders")
    gitsnap("capture")
    heads = subprocess.run(["git", "-C", str(gitsnap.repo), "rev-list", "main"], capture_output=True, text=True,
                           check=True).stdout.split()
    assert len(heads) == 3
    assert gitsnap("capture", "--tag", "v1.0", check=False).code == 2  # a failed run: the tag exists
    s3.put_bucket_versioning(Bucket="shop-site", VersioningConfiguration={"Status": "Suspended"})
    assert gitsnap("drift", check=False).code == 1
    assert [(r.command, r.outcome) for r in read_runs(gitsnap.repo)] == [
        ("capture", "changes"), ("capture", "changes"), ("capture", "changes"), ("capture", "failed"), ("drift", "drift")]

    out = tmp_path / "history.html"
    gitsnap("report", "--history", "--since", "90d", "-o", str(out))
    page = out.read_text()
    assert "://" not in page and "<script" not in page and "src=" not in page  # nothing fetched, no address

    browser.get(out.as_uri())
    columns = browser.find_elements(By.CSS_SELECTOR, "svg.timeline a.col")
    nights = browser.find_elements(By.CSS_SELECTOR, "svg.timeline a.col.night")
    assert (len(columns), len(nights)) == (5, 3)  # three snapshots, the failed capture, the drift check
    bars = [(b.get_attribute("data-service"), b.get_attribute("data-count"))
            for b in browser.find_elements(By.CSS_SELECTOR, "svg.timeline rect.bar")]
    assert sorted(bars) == [("s3", "1"), ("s3", "1"), ("sqs", "1")]  # the first snapshot has no change to show
    assert all(b.size["height"] > 10 for b in browser.find_elements(By.CSS_SELECTOR, "svg.timeline rect.bar"))
    assert visible_text(browser, "svg.timeline text.tag") == ["v1.0"]
    assert browser.find_elements(By.CSS_SELECTOR, "svg.timeline rect.mk.failed")
    assert browser.find_elements(By.CSS_SELECTOR, "svg.timeline rect.mk.drift")

    last = nights[-1]
    assert last.get_dom_attribute("href") == f"#n-{heads[0][:12]}"
    last.click()
    assert browser.execute_script("return location.hash") == f"#n-{heads[0][:12]}"
    target = browser.find_element(By.CSS_SELECTOR, "section.night:target")
    assert target.is_displayed()
    top = browser.execute_script("return arguments[0].getBoundingClientRect().top", target)
    assert 0 <= top < browser.execute_script("return window.innerHeight")  # scrolled to it
    text = target.text
    assert "s3 (1)" in text and "+ s3/shop-logs" in text and "sqs (1)" in text
    assert "+ sqs/" in text and "orders" in text and "shop-site" not in text
    browser.save_screenshot(str(tmp_path / "history.png"))
