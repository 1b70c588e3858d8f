"""[notify] end to end: the installed gitsnap against moto, apprise posting to a local HTTP
server (``json://127.0.0.1:PORT/…``, apprise's JSON webhook) that records what it received.

apprise posts before the gitsnap process exits, so once a command has returned, everything
it sent is in the inbox."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from gitsnap.sandbox import estate as sample

from ..faults import Rule

pytestmark = pytest.mark.e2e

BUCKET = "notify-site"
TOKEN = "SECRETTOKEN0123456789"  # in the webhook's path, as a Slack or Teams URL carries its token
OLD_VALUE, NEW_VALUE = "notify-old-value-4711", "notify-new-value-0815"


class Inbox:
    """A tiny webhook receiver: every POST body (apprise's JSON message) is kept, in order."""

    def __init__(self) -> None:
        self.messages: list[dict] = []
        self.paths: list[str] = []
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                inbox.messages.append(json.loads(body))
                inbox.paths.append(self.path)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"json://127.0.0.1:{self.server.server_address[1]}/hook/{TOKEN}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def take(self) -> list[dict]:
        taken, self.messages = self.messages, []
        return taken


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    box = Inbox()
    yield box
    box.server.shutdown()
    box.server.server_close()


@pytest.fixture
def site(gitsnap, endpoint, inbox):
    """One bucket, tagged (the repository's config, from :func:`configure`, captures S3 only: fast)."""
    inbox.take()
    s3 = sample.clients(endpoint)("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="index.html", Body=b"<h1>hello</h1>\n")
    s3.put_bucket_tagging(Bucket=BUCKET, Tagging={"TagSet": [{"Key": "owner", "Value": OLD_VALUE}]})
    return s3


def configure(gitsnap, urls: list[str], on: list[str] | None = None, services: tuple[str, ...] = ("s3",)) -> None:
    text = f"[aws]\nservices = {json.dumps(list(services))}\n[notify]\nurls = {json.dumps(urls)}\n"
    if on is not None:
        text += "on = " + json.dumps(on) + "\n"
    (gitsnap.repo / "gitsnap.toml").write_text(text)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def retag(s3) -> None:
    s3.put_bucket_tagging(Bucket=BUCKET, Tagging={"TagSet": [{"Key": "owner", "Value": NEW_VALUE}]})


def test_a_capture_that_commits_posts_one_message_naming_the_address_never_a_value(gitsnap, site, inbox):
    configure(gitsnap, [inbox.url], on=["changes"])
    gitsnap("capture", "--tag", "v1")
    first = inbox.take()
    assert len(first) == 1 and f"`s3/{BUCKET}` added" in first[0]["message"]
    retag(site)
    r = gitsnap("capture", "--tag", "v2")
    assert r.code == 0 and "notify" not in r.err
    [msg] = inbox.take()
    assert msg["type"] == "info" and msg["title"].startswith("gitsnap capture: 1 resource changed, snapshot v2")
    assert f"`s3/{BUCKET}` changed" in msg["message"] and "`gitsnap diff v2~1 v2`" in msg["message"]
    assert OLD_VALUE not in json.dumps(msg) and NEW_VALUE not in json.dumps(msg)
    assert inbox.paths[-1] == f"/hook/{TOKEN}"
    # nothing changed: no commit, so "changes" has nothing to say
    again = gitsnap("capture")
    assert "No changes since" in again.out and inbox.take() == []


def test_drift_posts_with_the_default_events_and_a_plain_capture_does_not(gitsnap, site, inbox):
    configure(gitsnap, [inbox.url])  # on: the default, drift failure partial
    gitsnap("capture", "--tag", "v1")
    assert inbox.take() == []  # a new snapshot alone is not news by default
    assert gitsnap("drift").code == 0 and inbox.take() == []
    retag(site)
    r = gitsnap("drift", "v1", check=False)
    assert r.code == 1
    [msg] = inbox.take()
    assert msg["type"] == "warning" and msg["title"].startswith("gitsnap drift: 1 resource differs from v1")
    assert f"`s3/{BUCKET}` changed" in msg["message"] and NEW_VALUE not in json.dumps(msg)


def test_failure_and_partial_are_posted_with_the_units_error(gitsnap, site, inbox, proxy):
    """moto allows every call, so the fault proxy denies Lambda's listing as AWS would."""
    p, url = proxy
    configure(gitsnap, [inbox.url], services=("s3", "lambda"))
    gitsnap("capture")
    p.rules.append(Rule("GET", r"^/2015-03-31/functions/?(\?|$)", code="AccessDeniedException", json_protocol=True))
    failed = gitsnap("capture", check=False, env={"AWS_ENDPOINT_URL": url})
    assert failed.code == 2
    [msg] = inbox.take()
    assert msg["type"] == "failure" and msg["title"].startswith("gitsnap capture failed")
    assert "lambda in us-east-1" in msg["message"] and "access denied" in msg["message"]
    partial = gitsnap("capture", "--allow-partial", check=False, env={"AWS_ENDPOINT_URL": url})
    assert partial.code == 3
    [msg] = inbox.take()
    assert msg["type"] == "warning" and msg["title"].startswith("gitsnap capture partial: 1 unit failed")
    assert "lambda in us-east-1" in msg["message"]


def test_a_failing_notifier_warns_in_one_line_and_the_exit_code_stays(gitsnap, site, inbox):
    dead = f"json://127.0.0.1:{closed_port()}/hook/{TOKEN}"
    configure(gitsnap, [dead, inbox.url], on=["changes"])
    r = gitsnap("capture")
    assert r.code == 0
    lines = [line for line in r.err.splitlines() if "notify" in line]
    assert lines == [lines[0]] and lines[0].startswith("gitsnap: warning: notify: ")
    assert "urls[0] (json://127.0.0.1)" in lines[0]
    assert TOKEN not in r.err and "/hook" not in r.err and "Traceback" not in r.err
    assert len(inbox.take()) == 1  # the other URL still got its message
