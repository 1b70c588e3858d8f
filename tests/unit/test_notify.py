"""[notify]: the message builder (pure: addresses and counts, never a value), the event choice,
the URL shown in a warning, the sender's never-raise contract, and the [notify] config keys."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from gitsnap import notify
from gitsnap.changes import Change
from gitsnap.config import NOTIFY_ON, Config, ConfigError, load
from gitsnap.errors import GitsnapError
from gitsnap.notify import MAX_ADDRESSES, Message, Run, transform_event, transform_message

# Values a change may carry: an AWS key pair, a password and a plain value. None may reach a message.
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
ACCESS_KEY = "AKIAQWERTYUIOPASDFGH"
PLAIN_OLD, PLAIN_NEW = "old-plain-value-4711", "new-plain-value-0815"


def planted() -> list[Change]:
    return [
        Change("lambda/jada-contact-form", "changed", "Configuration.Environment.Variables.API_KEY",
               old=SECRET_KEY, new=ACCESS_KEY),
        Change("lambda/jada-contact-form", "changed", "Configuration.Timeout", old=PLAIN_OLD, new=PLAIN_NEW),
        Change("s3/sailjada-prod", "changed", "key 'index.html'", old={"etag": PLAIN_OLD}, new={"etag": PLAIN_NEW},
               text_diff=f"-{PLAIN_OLD}\n+password={SECRET_KEY}\n"),
        Change("ssm/parameter/db-password", "added", details={"Value": SECRET_KEY}),
        Change("sqs/queue/old-jobs", "removed", details={"Attributes": {"Policy": PLAIN_OLD}}),
    ]


@pytest.mark.parametrize("event", ["changes", "drift", "partial"])
def test_a_message_names_addresses_and_counts_but_never_a_value(event):
    run = Run("drift" if event == "drift" else "capture", "snap on host-1", revision="a" * 40, tag="nightly-2026-12-01",
              changes=planted(), errors=["lambda in us-east-1: access denied"] if event == "partial" else ())
    msg = transform_message(event, run)
    text = msg.title + "\n" + msg.body
    for value in (SECRET_KEY, ACCESS_KEY, PLAIN_OLD, PLAIN_NEW, "password="):
        assert value not in text
    assert "`lambda/jada-contact-form` changed" in msg.body and "`s3/sailjada-prod` changed" in msg.body
    added, removed = ("new live", "gone live") if event == "drift" else ("added", "removed")
    assert f"`ssm/parameter/db-password` {added}" in msg.body and f"`sqs/queue/old-jobs` {removed}" in msg.body
    assert "4 resources" in msg.title  # lambda counted once for its two field changes


def test_each_event_has_its_title_type_and_next_step():
    changes = [Change("s3/site", "changed", "key 'a.html'", old=1, new=2)]
    cap = transform_message("changes", Run("capture", "snap on h", revision="c0ffee" * 7, tag="v2", changes=changes))
    assert cap.title == "gitsnap capture: 1 resource changed, snapshot v2 (snap on h)" and cap.kind == "info"
    assert "wrote snapshot `c0ffeec0ffee`, tagged `v2`" in cap.body and "`gitsnap diff v2~1 v2`" in cap.body
    drift = transform_message("drift", Run("drift", "snap on h", revision="d" * 40, against="v1.0", changes=changes))
    assert drift.title == "gitsnap drift: 1 resource differs from v1.0 (snap on h)"
    assert drift.kind == "warning" and "compared live state with `v1.0`" in drift.body
    assert "`gitsnap drift v1.0`" in drift.body
    part = transform_message("partial", Run("capture", "", errors=["lambda in us-east-1: access denied", "sqs: boom"]))
    assert part.title.startswith("gitsnap capture partial: 2 units failed") and part.kind == "warning"
    assert "- lambda in us-east-1: access denied" in part.body and "No resource changed." in part.body
    fail = transform_message("failure", Run("capture", "snap on h",
                                            errors=["cannot reach the endpoint\nhttp://x: refused"]))
    assert fail.title == "gitsnap capture failed (snap on h)" and fail.kind == "failure"
    assert fail.body.startswith("`gitsnap capture` in snap on h failed.")
    assert "- cannot reach the endpoint http://x: refused" in fail.body  # one line per error
    first = transform_message("changes", Run("capture", revision="e" * 40, first=True, changes=changes))
    assert "`gitsnap log`" in first.body and "~1" not in first.body  # nothing before the first snapshot


def test_addresses_are_capped_with_the_rest_counted():
    changes = [Change(f"s3/bucket-{i:03d}", "added") for i in range(MAX_ADDRESSES + 7)]
    body = transform_message("changes", Run("capture", revision="f" * 40, changes=changes)).body
    listed = [line for line in body.splitlines() if line.startswith("- `s3/")]
    assert len(listed) == MAX_ADDRESSES and listed[0] == "- `s3/bucket-000` added"
    assert "- and 7 more" in body and f"**{MAX_ADDRESSES + 7} resources changed:**" in body
    assert "s3/bucket-056" not in body


def test_the_detector_is_the_last_check():
    """An error text is the one place a message quotes what it was given; a secret in it (an
    endpoint's answer echoing a key) is blanked by the detector, not passed on."""
    msg = transform_message("failure", Run("capture", errors=[f"refused: aws_secret_access_key={SECRET_KEY}"]))
    assert SECRET_KEY not in msg.body and notify.REDACTED in msg.body


@pytest.mark.parametrize("happened, on, event", [
    (["partial", "changes"], NOTIFY_ON, "partial"),  # the most severe one that is asked for
    (["changes"], NOTIFY_ON, None),  # the default does not send a word for every new snapshot
    (["changes"], ("changes",), "changes"),
    (["partial", "changes"], ("changes",), "changes"),
    (["drift"], (), None),
    ([], NOTIFY_ON, None),
])
def test_one_event_per_run(happened, on, event):
    assert transform_event(happened, on) == event


@pytest.mark.parametrize("url, shown", [
    ("slack://T1ABCDEFG/B2HIJKLMN/abcdefghijklmnop123456/#ops", "slack://…"),  # the host is a token
    ("mailto://user:app-password@gmail.com?to=ops@example.com", "mailto://gmail.com"),
    ("json://127.0.0.1:8123/hook/SECRETTOKEN", "json://127.0.0.1"),
    ("msteams://team.webhook.office.com/abc/def", "msteams://team.webhook.office.com"),
    ("nonsense", "?://…"),
])
def test_a_warning_shows_the_scheme_and_host_only(url, shown):
    assert notify.describe_url(url) == shown


class Raising:
    """A stand-in for apprise whose notify raises: the sender must still not raise."""

    NotifyFormat = SimpleNamespace(MARKDOWN="markdown")

    class Apprise:
        def add(self, url):
            return True

        def notify(self, **kw):
            raise RuntimeError("boom at https://hooks.example.com/services/T0/B0/SECRET")


def test_the_sender_never_raises_and_warns_without_the_url(monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "apprise", Raising)
    msg = Message("changes", "info", "t", "b")
    with caplog.at_level(logging.WARNING, logger="gitsnap"):
        failed = notify.send(["slack://T1ABCDEFG/B2HIJKLMN/SECRETTOKEN"], msg)
    assert failed == 1
    assert len(caplog.records) == 1
    line = caplog.records[0].getMessage()
    assert "slack://…" in line and "SECRET" not in line and "T1ABCDEFG" not in line and "\n" not in line


def test_notify_without_urls_does_nothing_and_never_imports_apprise(monkeypatch):
    monkeypatch.setitem(sys.modules, "apprise", None)  # importing it would raise ImportError
    notify.notify(Config(path=None), ["failure"], Run("capture", errors=["x"]))
    notify.after_failure(Config(path=None), "capture", Path("."), RuntimeError("x"))


def test_a_broken_builder_is_a_warning_not_an_exception(monkeypatch, caplog):
    def broken(*_a, **_k):
        raise ValueError("bug")

    monkeypatch.setattr(notify, "transform_message", broken)
    config = Config(path=None, notify_urls=("json://127.0.0.1:9/x",), notify_on=("failure",))
    with caplog.at_level(logging.WARNING, logger="gitsnap"):
        notify.notify(config, ["failure"], Run("capture"))
    assert "no message sent (ValueError" in caplog.text


# -- config ------------------------------------------------------------------------------------

def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "gitsnap.toml"
    p.write_text(text)
    return p


def test_notify_keys_and_their_defaults(tmp_path):
    cfg = load(write(tmp_path, '[notify]\nurls = ["slack://a/b/c", "json://127.0.0.1:9/x"]\non = ["changes"]\n'))
    assert cfg.notify_urls == ("slack://a/b/c", "json://127.0.0.1:9/x") and cfg.notify_on == ("changes",)
    defaults = load(tmp_path / "none.toml")
    assert defaults.notify_urls == () and defaults.notify_on == ("drift", "failure", "partial")
    assert load(write(tmp_path, '[notify]\nurls = ["slack://a/b/c"]\n')).notify_on == ("drift", "failure", "partial")


@pytest.mark.parametrize("text, where, says", [
    ('[notify]\non = ["drifts"]\n', "notify.on.0", "'drifts' is not an event: use 'failure', 'partial', 'drift', 'changes'"),
    ('[notify]\non = "drift"\n', "notify.on", "is not of type 'array'"),
    ('[notify]\nurls = ["hooks.slack.com/services/T0/B0/SECRETTOKEN"]\n', "notify.urls.0", "not an apprise URL"),
    ('[notify]\nurls = "slack://T0/B0/SECRETTOKEN"\n', "notify.urls", "not a list of apprise URLs"),
    ('[notify]\nurls = ["slack://T0/B0/SECRETTOKEN", "slack://T0/B0/SECRETTOKEN"]\n', "notify.urls", "listed twice"),
    ('[notify]\nurl = ["slack://a/b/c"]\n', "notify", "'url' was unexpected"),
])
def test_notify_errors_are_one_line_name_the_key_and_never_repeat_a_url(tmp_path, text, where, says):
    with pytest.raises(ConfigError) as err:
        load(write(tmp_path, text))
    message = str(err.value)
    assert f"key {where}: " in message and says in message and "\n" not in message
    assert "SECRETTOKEN" not in message


def test_a_failed_command_sends_its_one_line_error(monkeypatch):
    sent: list[Message] = []
    monkeypatch.setattr(notify, "send", lambda urls, message, debug=False: sent.append(message) or 0)
    config = Config(path=None, notify_urls=("json://127.0.0.1:9/x",))  # on: the default
    notify.after_failure(config, "drift", Path("snap"), GitsnapError("cannot reach http://127.0.0.1:1: refused"))
    notify.after_failure(config, "capture", Path("snap"), ValueError("a bug"))
    assert [m.event for m in sent] == ["failure", "failure"]
    assert sent[0].title.startswith("gitsnap drift failed (snap on ")
    assert "- cannot reach http://127.0.0.1:1: refused" in sent[0].body
    assert "- internal error ValueError: a bug" in sent[1].body
    notify.after_failure(Config(path=None, notify_urls=("json://h/x",), notify_on=("changes",)), "capture",
                         Path("snap"), ValueError("x"))
    assert len(sent) == 2  # "failure" not asked for: nothing sent


def test_the_cli_does_not_import_apprise_at_start():
    """apprise costs ~0.2 s to import; a command without [notify] must not pay it."""
    code = "import sys, gitsnap.cli; sys.exit('apprise' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
