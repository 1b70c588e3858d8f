"""``[notify]``: a message after ``capture`` and ``drift``, sent through apprise.

Two halves. The message builder (:func:`transform_event`, :func:`transform_message`) is pure:
it says what ran, the revision and tag, how many resources were added, changed and removed,
their addresses (the first :data:`MAX_ADDRESSES`) and the failed units' errors. It reads a
change's address and kind only, never its old or new value, so no value can reach a message;
and the finished text still passes the secret detector, whose hits are blanked, as a last check.

The sender (:func:`send`, and the ``after_*`` hooks the commands call) never raises: a
notifier that fails is one warning line on stderr naming the URL's scheme (and its host when
that is a host name), never the URL itself, which may hold a token; the command's exit code
is the same as without ``[notify]``. apprise is imported only when there is a URL to send to,
so a command without ``[notify]`` does not pay its start-up cost.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .changes import Change
from .config import NOTIFY_EVENTS, Config
from .errors import GitsnapError
from .secrets.detect import Detector

log = logging.getLogger("gitsnap.notify")

MAX_ADDRESSES = 50  # addresses listed in one message; the rest are counted ("and N more")
MAX_ERRORS = 10  # failed units' errors listed in one message
REDACTED = "[redacted]"  # what the last check puts where the detector saw a secret

# apprise's notification types (its NotifyType values), by event
_TYPES = {"failure": "failure", "partial": "warning", "drift": "warning", "changes": "info"}


@dataclass(frozen=True)
class Run:
    """What one command did, as much as a message may say.

    Attributes:
        command: ``capture`` or ``drift``.
        where: which estate: the repository folder and the host it ran on.
        revision: the commit a capture made, or the one a drift compared with.
        tag: the tag a capture made.
        against: the revision a drift compared with, as the user named it (``HEAD``, ``v1.0``).
        first: the capture made the repository's first snapshot (nothing to diff it with).
        changes: the changes (only their addresses and kinds are ever read).
        errors: the failed units' errors, or the one-line error the command failed with.
    """

    command: str
    where: str = ""
    revision: str | None = None
    tag: str | None = None
    against: str = "HEAD"
    first: bool = False
    changes: Sequence[Change] = ()
    errors: Sequence[str] = ()


@dataclass(frozen=True)
class Message:
    """One notification: its event, apprise notification type, title and markdown body."""

    event: str
    kind: str
    title: str
    body: str


@dataclass(frozen=True)
class Counts:
    """Resources by what happened to them (a resource with several field changes counts once)."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed)


# -- the message (pure) -----------------------------------------------------------------------

def transform_event(happened: Iterable[str], on: Iterable[str]) -> str | None:
    """The one event a run notifies as: the most severe of *happened* that *on* asks for. Pure."""
    happened, on = set(happened), set(on)
    return next((e for e in NOTIFY_EVENTS if e in happened and e in on), None)


def transform_counts(changes: Iterable[Change]) -> Counts:
    """Each address once, as added, removed (the whole resource) or changed. Pure."""
    whole: dict[str, str] = {}
    touched: list[str] = []
    for ch in changes:
        if ch.address not in whole and ch.address not in touched:
            touched.append(ch.address)
        if not ch.path and ch.kind in ("added", "removed"):
            whole[ch.address] = ch.kind
    counts = Counts()
    for address in sorted(touched):
        {"added": counts.added, "removed": counts.removed}.get(whole.get(address, ""), counts.changed).append(address)
    return counts


def transform_message(event: str, run: Run, detector: Detector | None = None) -> Message:
    """The message for *event* about *run*: a title and a markdown body, no value in either. Pure
    (the detector is the last check: whatever it flags is replaced by ``[redacted]``)."""
    counts = transform_counts(run.changes)
    title = _title(event, run, counts)
    lines = [_what_ran(event, run), ""]
    if counts.total:
        lines += [_tally(event, counts), "", *_addresses(event, counts), ""]
    elif event != "failure":
        lines += ["No resource changed." if run.command == "capture" else "No drift.", ""]
    if run.errors:
        lines += ["**Failed:**" if event == "failure" else "**Failed units** (their previous state was kept):"]
        lines += [f"- {_one_line(e)}" for e in run.errors[:MAX_ERRORS]]
        if len(run.errors) > MAX_ERRORS:
            lines.append(f"- and {len(run.errors) - MAX_ERRORS} more")
        lines.append("")
    lines.append(_next_step(event, run))
    check = detector or Detector()
    return Message(event, _TYPES[event], _scrub(title, check), _scrub("\n".join(lines).strip() + "\n", check))


def _title(event: str, run: Run, counts: Counts) -> str:
    n = counts.total
    resources = f"{n} resource{'' if n == 1 else 's'}"
    rev = f" {run.tag}" if run.tag else f" {run.revision[:12]}" if run.revision else ""
    where = f" ({run.where})" if run.where else ""
    if event == "failure":
        return f"gitsnap {run.command} failed{where}"
    if event == "partial":
        units = len(run.errors)
        return f"gitsnap capture partial: {units} unit{'' if units == 1 else 's'} failed, {resources} changed{where}"
    if event == "drift":
        return f"gitsnap drift: {resources} {'differs' if n == 1 else 'differ'} from {run.against}{where}"
    return f"gitsnap capture: {resources} changed, snapshot{rev}{where}"


def _what_ran(event: str, run: Run) -> str:
    parts = [f"`gitsnap {run.command}`"]
    if run.where:
        parts.append(f"in {run.where}")
    if event == "failure":
        parts.append("failed")
    elif run.command == "drift":
        parts.append(f"compared live state with `{run.against}`" + (f" (commit `{run.revision[:12]}`)" if run.revision else ""))
    elif run.revision:
        parts.append(f"wrote snapshot `{run.revision[:12]}`" + (f", tagged `{run.tag}`" if run.tag else ""))
    return " ".join(parts) + "."


def _labels(event: str) -> tuple[str, str, str]:
    """Added, changed, removed in words: a drift compares live state with the snapshot, so what
    it calls added was created live since, and removed is gone live."""
    return ("new live", "changed", "gone live") if event == "drift" else ("added", "changed", "removed")


def _tally(event: str, counts: Counts) -> str:
    n = counts.total
    verb = ("differs" if n == 1 else "differ") if event == "drift" else "changed"
    parts = [f"{len(v)} {label}" for label, v in zip(_labels(event), (counts.added, counts.changed, counts.removed),
                                                     strict=True) if v]
    if not counts.added and not counts.removed:  # "3 resources changed: 3 changed" says it twice
        return f"**{n} resource{'' if n == 1 else 's'} {verb}.**"
    return f"**{n} resource{'' if n == 1 else 's'} {verb}:** {', '.join(parts)}."


def _addresses(event: str, counts: Counts) -> list[str]:
    added, changed, removed = _labels(event)
    every = [(a, added) for a in counts.added] + [(a, changed) for a in counts.changed] + \
        [(a, removed) for a in counts.removed]
    lines = [f"- `{address}` {kind}" for address, kind in sorted(every)[:MAX_ADDRESSES]]
    if len(every) > MAX_ADDRESSES:
        lines.append(f"- and {len(every) - MAX_ADDRESSES} more")
    return lines


def _next_step(event: str, run: Run) -> str:
    if event == "drift":
        return f"Details: `gitsnap drift {run.against}`; plan putting it back: `gitsnap restore {run.against}`."
    if event == "failure":
        return "Nothing was written; fix the error and run the capture again." if run.command == "capture" \
            else "Nothing was compared; fix the error and run it again."
    if not run.revision or run.first:
        return "Details: `gitsnap log`."
    rev = run.tag or run.revision[:12]
    return f"Details: `gitsnap diff {rev}~1 {rev}`."


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _scrub(text: str, detector: Detector) -> str:
    """Blank whatever the detector calls a secret: nothing above puts a value in, this makes sure."""
    out, pos = [], 0
    for hit in detector.scan_text(text):
        if hit.start < pos:
            continue
        out += [text[pos:hit.start], REDACTED]
        pos = hit.end
    return "".join(out) + text[pos:]


# -- sending (I/O; never raises) --------------------------------------------------------------

def describe_url(url: str) -> str:
    """A URL as a warning may show it: the scheme, and the host only when it is a host name or an
    address (in ``slack://TokenA/…`` or ``tgram://bottoken/…`` the "host" is a token). Pure."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return "(an unparseable URL)"
    scheme = parts.scheme or "?"
    return f"{scheme}://{host}" if _is_host(host) else f"{scheme}://…"


def _is_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return "." in host and all(label and label.replace("-", "").isalnum() for label in host.split("."))


def send(urls: Sequence[str], message: Message, debug: bool = False) -> int:
    """Send *message* to each URL, one at a time so a failure names its URL; returns how many
    failed. Never raises: each failure is one warning line, the URL shown by :func:`describe_url`.
    apprise's own log (which may quote a URL) is silenced unless *debug*."""
    try:
        import apprise
    except Exception as exc:  # not installed (an old environment): say so once, carry on
        log.warning("warning: notify: apprise cannot be imported (%s): no message sent; "
                    "install it (pip install apprise)", type(exc).__name__)
        return len(urls)
    quiet = logging.getLogger("apprise")
    level = quiet.level
    if not debug:
        quiet.setLevel(logging.CRITICAL + 1)
    try:
        return sum(not _send_one(apprise, i, url, message) for i, url in enumerate(urls))
    finally:
        quiet.setLevel(level)


def _send_one(apprise: Any, index: int, url: str, message: Message) -> bool:
    where = f"[notify] urls[{index}] ({describe_url(url)})"
    try:
        target = apprise.Apprise()
        if not target.add(url):
            log.warning("warning: notify: %s is not a URL apprise knows; no message sent there "
                        "(see https://github.com/caronc/apprise/wiki)", where)
            return False
        if not target.notify(body=message.body, title=message.title, notify_type=message.kind,
                             body_format=apprise.NotifyFormat.MARKDOWN):
            log.warning("warning: notify: sending to %s failed (unreachable or refused); "
                        "the command's exit code is unchanged (--debug shows apprise's log)", where)
            return False
        return True
    except Exception as exc:  # a notifier must never fail the command
        log.warning("warning: notify: sending to %s failed (%s); the command's exit code is unchanged",
                    where, type(exc).__name__)
        return False


def notify(config: Config, happened: Iterable[str], run: Run, debug: bool = False) -> None:
    """Send one message about *run* if *config* has URLs and one of *happened* is in ``on``."""
    if not config.notify_urls:
        return
    try:
        event = transform_event(happened, config.notify_on)
        if event is not None:
            send(config.notify_urls, transform_message(event, run), debug)
    except Exception as exc:  # never the command's problem
        log.warning("warning: notify: no message sent (%s; --debug shows the traceback)", type(exc).__name__)
        log.debug("notify failed", exc_info=True)


def get_changes(store: Any, before: str | None, after: str, ignore: Iterable[Any] = ()) -> list[Change]:
    """The changes a capture committed (*before* -> *after*), as ``gitsnap diff`` shows them."""
    from .diff import apply_ignores, diff_snapshots
    from .store.snapshot import Snapshot

    changes = diff_snapshots(Snapshot.load(store, before, lazy=True), Snapshot.load(store, after, lazy=True))
    return apply_ignores(changes, ignore)[0]


def wanted(config: Config, *events: str) -> bool:
    """Whether any of *events* would send a message (so the caller can skip work otherwise)."""
    return bool(config.notify_urls) and transform_event(events, config.notify_on) is not None


# -- the commands' hooks (never raise) --------------------------------------------------------

def get_where(repo: Path) -> str:
    """Which estate a message is about: the repository folder's name and this host's name."""
    try:
        return f"{repo.resolve().name or repo} on {socket.gethostname()}"
    except OSError:
        return str(repo.name)


def after_capture(config: Config, store: Any, result: Any, debug: bool = False) -> None:
    """A capture finished: *partial* (units failed, exit 3) and/or *changes* (a commit was made).
    The changes listed are those of the commit made, against its parent (the snapshot it followed)."""
    happened = (["partial"] if result.failed else []) + (["changes"] if result.created else [])
    if not wanted(config, *happened):
        return
    changes: list[Change] = []
    before: str | None = None
    try:
        if result.created:
            parents = store.log(result.commit, limit=1)[0].parents
            before = parents[0] if parents else None
            changes = get_changes(store, before, result.commit, config.ignore)
    except Exception as exc:  # the message goes out without its list rather than not at all
        log.warning("warning: notify: the changed addresses could not be listed (%s)", type(exc).__name__)
        log.debug("notify: listing changes failed", exc_info=True)
    run = Run("capture", get_where(store.path), revision=result.commit if result.created else None,
              tag=result.tag, first=result.created and before is None, changes=changes,
              errors=[u.error or f"{u.path} failed" for u in result.failed])
    notify(config, happened, run, debug)


def after_drift(config: Config, store: Any, report: Any, against: str, debug: bool = False) -> None:
    """A drift finished: *drift* when live state differs from the snapshot (exit 1)."""
    if report.changes and wanted(config, "drift"):
        run = Run("drift", get_where(store.path), revision=report.commit, against=against, changes=report.changes)
        notify(config, ["drift"], run, debug)


def after_failure(config: Config, command: str, repo: Path, exc: BaseException, debug: bool = False) -> None:
    """*command* failed (exit 2): *failure*, with the one-line error the command prints."""
    if not wanted(config, "failure"):
        return
    error = str(exc) if isinstance(exc, GitsnapError) else f"internal error {type(exc).__name__}: {exc}"
    notify(config, ["failure"], Run(command, get_where(repo), errors=[error]), debug)
