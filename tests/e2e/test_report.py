"""The HTML report, rendered in headless Chromium and checked for what a person would see."""

from __future__ import annotations

import os
import re

import pytest

from gitsnap.sandbox import estate as sample

pytestmark = pytest.mark.e2e
CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser():
    if not (os.path.exists(CHROMIUM) and os.path.exists(DRIVER)):
        pytest.skip("Debian's chromium and chromium-driver are not installed (scripts/ensure-chromium.sh)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1280,1000"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    yield driver
    driver.quit()


def visible_text(driver, css: str) -> list[str]:
    from selenium.webdriver.common.by import By

    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()]


def test_diff_and_parity_reports_render_with_the_changes_visible(gitsnap, endpoint, browser, tmp_path, sample_estate):
    ids = sample_estate
    (gitsnap.repo / "gitsnap.toml").write_text(
        '[aws]\nservices = ["s3", "cloudfront", "lambda"]\n[environments]\nprod = ["*-prod"]\nstaging = ["*-staging"]\n')
    gitsnap("capture", "--tag", "v1.0")
    sample.change(endpoint)
    gitsnap("capture")
    out = tmp_path / "report.html"
    gitsnap("report", "v1.0", "HEAD", "-o", str(out))
    page = out.read_text()
    assert "src=" not in page and "<link" not in page and "<script" not in page  # self-contained

    browser.get(out.as_uri())
    assert visible_text(browser, "h1") == ["Changes v1.0 -> HEAD"]
    rows = visible_text(browser, "table.summary tr")
    assert any(r.startswith("cloudfront 1 0 0 1") for r in rows) and any(r.startswith("lambda 1 0 0 2") for r in rows)
    dist = ids["distributions"]["sailjada-prod"]
    cards = {t.split("\n")[0]: t for t in visible_text(browser, "section.resource")}
    # each card names its resource the way people know it (issue 15): the distribution by its
    # alias, the bucket by its website; the function has no description, so its name alone
    website = "sailjada-prod.s3-website-us-east-1.amazonaws.com"
    assert set(cards) == {f"cloudfront/{dist} (www.sailjada-prod.example)", "lambda/jada-event-processor",
                          f"s3/sailjada-prod ({website})"}
    assert ("DistributionConfig.DefaultCacheBehavior.DefaultTTL: 86400 -> 60"
            in cards[f"cloudfront/{dist} (www.sailjada-prod.example)"])
    assert visible_text(browser, "li.redacted") == [
        "Configuration.Environment.Variables.STRIPE_SECRET_KEY: changed (redacted)"]
    diff = cards[f"s3/sailjada-prod ({website})"]
    assert "Sunset sail, 6pm, $89." in diff and "Sunset sail, 5pm, $99." in diff  # side by side
    assert visible_text(browser, "table.diff .diff_chg")  # the changed characters are highlighted
    browser.save_screenshot(str(tmp_path / "report.png"))
    assert (tmp_path / "report.png").stat().st_size > 10_000
    for secret in sample.SECRETS.values():
        assert secret not in page
    # with no revisions named (the last two snapshots), the title names them as people know them:
    # a tag, else the capture's date; the subtitle adds each one's date and id (issue 15)
    last = tmp_path / "last.html"
    gitsnap("report", "-o", str(last))
    text = last.read_text()
    assert re.search(r"Changes v1\.0 -(&gt;|>) the capture of \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", text), text[:2000]
    assert re.search(r"v1\.0, \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC, [0-9a-f]{12}", text)

    s3 = sample.clients(endpoint)("s3")
    s3.put_object(Bucket="sailjada-staging", Key="events/preview.html", Body=b"<p>soon</p>")
    gitsnap("capture")
    par = tmp_path / "parity.html"
    wrote = gitsnap("report", "--parity", "prod", "staging", "-o", str(par)).out
    browser.get(par.as_uri())
    findings = visible_text(browser, ".finding")
    assert any("s3/sailjada-staging (sailjada-staging.s3-website-us-east-1.amazonaws.com, staging) serves 1 key "
               "prod does not have" in f for f in findings)
    assert any(f.startswith(f"cloudfront/{dist} (www.sailjada-prod.example) vs cloudfront/")
               and "DefaultTTL: prod 60, staging 86400" in f for f in findings)
    # the page, the command's own line and 'gitsnap parity' say the same: counts and words (issue 15)
    text = gitsnap("parity", "prod", "staging", check=False).out
    last = text.splitlines()[-1]
    assert last == "2 findings, 2 of 6 pairs differ, 0 unpaired resources"
    page_text = " ".join(visible_text(browser, "body"))
    assert last in page_text and "No differences." not in page_text
    assert visible_text(browser, "h2")[0] == "2 findings" and len(findings) == 2
    assert wrote.strip().endswith(f"({last}).")
    assert "Sunset sail, 6pm, $89." in " ".join(visible_text(browser, "table.diff"))  # staging's page, side by side
    browser.save_screenshot(str(tmp_path / "parity.png"))
