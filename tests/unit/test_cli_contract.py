"""The contract users script against: exit codes, address checks, restore outcomes.

Pure and in-process; the end-to-end behaviour is in tests/e2e (test_failures, test_restore).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gitsnap.addresses import check_patterns, check_services, nearest
from gitsnap.cli import EXIT_FOR, Exit, code_for
from gitsnap.collectors.errors import AccessDeniedError
from gitsnap.errors import (
    DeclinedError,
    GitsnapError,
    IncompleteError,
    UnknownAddressError,
    UsageError,
)
from gitsnap.restore.ops import Operation, Plan
from gitsnap.restore.outcome import outcomes

ROOT = Path(__file__).resolve().parents[2]


def readme_exit_table() -> dict[int, str]:
    text = (ROOT / "README.md").read_text("utf-8")
    section = text.split("### Exit codes", 1)[1].split("\n## ", 1)[0]
    return {int(m.group(1)): m.group(2) for m in re.finditer(r"^\| (\d+) \| (.+) \|$", section, re.M)}


def test_the_readme_exit_table_is_the_cli_table():
    assert sorted(readme_exit_table()) == sorted(int(code) for code in Exit)


def test_the_design_codes_keep_their_meaning():
    # DESIGN.md's contract: scripts already branch on these numbers
    assert (Exit.OK, Exit.DIFFERENCES, Exit.ERROR, Exit.PARTIAL, Exit.INTERRUPTED) == (0, 1, 2, 3, 130)
    assert Exit.DECLINED not in (0, 1, 2, 3, 130)  # a declined confirmation is not "changes pending"


@pytest.mark.parametrize(("error", "code"), [
    (DeclinedError("no"), Exit.DECLINED),
    (IncompleteError("3 keys left"), Exit.PARTIAL),
    (UsageError("bad"), Exit.ERROR),
    (UnknownAddressError("x"), Exit.ERROR),
    (AccessDeniedError("denied"), Exit.ERROR),
    (GitsnapError("any"), Exit.ERROR),
])
def test_each_typed_error_has_one_exit_code(error, code):
    assert code_for(error) == code


def test_the_error_table_lists_specific_errors_before_their_bases():
    kinds = [kind for kind, _ in EXIT_FOR]
    for i, kind in enumerate(kinds):
        assert not any(issubclass(kind, earlier) for earlier in kinds[:i]), kind


KNOWN = ["lambda/jada-event-processor", "lambda/jada-mailer", "s3/sailjada-prod", "s3/sailjada-staging",
         "iam/role/jada-lambda-role"]


def test_an_address_that_matches_nothing_names_the_nearest():
    with pytest.raises(UnknownAddressError) as err:
        check_patterns(["lamda/jada-mailer"], KNOWN, "v1.0", "gitsnap show v1.0")
    msg = str(err.value)
    assert "'lamda/jada-mailer'" in msg and "lambda/jada-mailer" in msg and "lambda/*" in msg
    assert "\n" not in msg
    with pytest.raises(UnknownAddressError, match="'s3/no-such-bucket'"):
        check_patterns(["s3/no-such-bucket"], KNOWN, "v1.0", "gitsnap show v1.0")
    with pytest.raises(UnknownAddressError, match="'sqs/\\*'"):
        check_patterns(["sqs/*"], KNOWN, "v1.0", "gitsnap show v1.0")


def test_patterns_that_match_pass():
    check_patterns(["s3/*", "lambda/jada-mailer", "iam/role/*"], KNOWN, "v1.0", "gitsnap show v1.0")


def test_nearest_offers_the_service_glob():
    assert "s3/*" in nearest("s3/sailjada", KNOWN)
    assert nearest("zzzzzz/qqq", KNOWN) == []


def test_unknown_only_service_is_refused_with_a_suggestion():
    with pytest.raises(UnknownAddressError, match="did you mean lambda"):
        check_services(["lamda"], ["lambda", "s3"])
    check_services(["s3"], ["lambda", "s3"])


def _op(address: str, verb: str, target: str, runs: bool, detail: str = "") -> Operation:
    return Operation(address, verb, target, detail, (lambda: None) if runs else None)


def test_outcome_says_matches_only_when_the_re_read_agrees():
    applied = Plan("v1.0", "c" * 40, [_op("s3/a", "put", "s3://a/k", True), _op("lambda/f", "update", "Timeout", True),
                                      _op("apigateway/x", "not-restorable-yet", "Policy", False, "differs")])
    after = Plan("v1.0", "c" * 40, [_op("lambda/f", "update", "Timeout", True),
                                    _op("apigateway/x", "not-restorable-yet", "Policy", False, "differs"),
                                    _op("s3/a", "kept", "s3://a/new", False)])
    rows = {r.address: r for r in outcomes(applied, after)}
    assert rows["s3/a"].done and rows["s3/a"].text() == "applied 1 operation; kept 1 live-only item"
    assert not rows["lambda/f"].done and "still different (update Timeout)" in rows["lambda/f"].text()
    assert not rows["apigateway/x"].done
    assert rows["apigateway/x"].text() == "skipped: not-restorable-yet Policy differs"
    clean = outcomes(Plan("v1.0", "c" * 40, [_op("s3/a", "put", "s3://a/k", True)]), Plan("v1.0", "c" * 40, []))
    assert [r.text() for r in clean] == ["applied 1 operation; matches"]


# -- what a newcomer reads: the apply lines, counts, the progress rows, sandbox serve's hint ---


def test_each_apply_line_names_its_resource():
    from gitsnap.restore.run import applied_line

    assert applied_line(_op("lambda/jada-mailer", "update", "Timeout", True)) == "lambda/jada-mailer: applied update Timeout"
    assert applied_line(_op("s3/shop", "put", "s3://shop/index.html", True)) == "s3/shop: applied put s3://shop/index.html"
    # the target is the resource itself: not said twice
    assert applied_line(_op("iam/role/r", "create", "iam/role/r", True)) == "iam/role/r: applied create"


def test_the_capture_summary_says_one_resource_not_one_resources():
    from types import SimpleNamespace

    from gitsnap.collectors.context import Counters
    from gitsnap.progress import summary_table

    one = SimpleNamespace(counters=Counters(resources=1, objects=1, bytes=5, new_blobs=1, downloaded_bytes=5),
                          units=[], seconds=0.5)
    assert summary_table(one).caption.startswith("1 resource, 1 object (")
    many = SimpleNamespace(counters=Counters(resources=2, objects=0), units=[], seconds=0.5)
    assert summary_table(many).caption.startswith("2 resources, 0 objects (")


def test_the_progress_shows_the_whole_captures_elapsed_time():
    """Each service's bar lives a second or less; the capture's own row counts the whole run.
    A fake clock (rich's Console takes one), so nothing here waits."""
    import io

    from rich.console import Console

    from gitsnap.progress import RichReporter

    now = [1000.0]
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120, get_time=lambda: now[0])
    reporter = RichReporter(console)
    with reporter:
        for i in range(3):  # three short units, 0.2 s each, 30 s apart
            reporter.start(f"u{i}", f"s3/bucket-{i}", total=1)
            now[0] += 0.2
            reporter.advance(f"u{i}")
            reporter.finish(f"u{i}")
            now[0] += 30
        reporter.start("last", "lambda/function us-east-1", total=2)
        reporter._progress.refresh()  # noqa: SLF001 (draw now, not on the refresh thread's schedule)
        drawn = out.getvalue().rsplit("\r", 1)[-1]
    assert "0:01:30" in drawn  # the capture so far: 3 x (0.2 + 30) s
    assert "3/4" in drawn  # steps done of started


def test_sandbox_serve_says_it_keeps_the_terminal():
    from gitsnap.cli.sandbox import transform_serve_text

    lines = transform_serve_text({"AWS_ENDPOINT_URL": "http://127.0.0.1:4566"}, ".venv/bin/gitsnap")
    assert "second terminal" in " ".join(lines) and "Ctrl-C" in " ".join(lines)
    assert "  export AWS_ENDPOINT_URL=http://127.0.0.1:4566" in lines
    assert "  .venv/bin/gitsnap init --repo snap" in lines
