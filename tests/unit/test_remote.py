"""gitsnap push / clone and the store's Remote, against local bare repositories (file paths).

Snapshot repositories are built in-process with the store's own API (a commit is a few small
files); remotes are made by ``git init --bare`` and read back with the git CLI, as a user
would check them. Network failures are injected by wrapping dulwich's transport, and the
pauses between attempts by a ``sleep`` that records instead of sleeping.
"""

from __future__ import annotations

import http.server
import logging
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from gitsnap.cli import cli
from gitsnap.store import SnapshotStore

RECIPIENT = "age1lxvu7ta2qzvx3cmq9yzd4z7a6l0p3l3qjx2a4t4z0h9k4h8ym5qsz8d3y0"
KEY_ID = "0123456789abcdef"


# -- helpers -----------------------------------------------------------------------------------


def new_store(path: Path) -> SnapshotStore:
    store = SnapshotStore.init(path)
    store.set_setting("recipient", [RECIPIENT])
    store.set_setting("fingerprintkeyid", [KEY_ID])
    return store


def snap(store: SnapshotStore, text: str, tag: str | None = None) -> str:
    """One more snapshot on main holding one document and one body; its commit id."""
    with store.lock():
        head = store.head()
        body, _ = store.add_stream(len(text), [text.encode()])
        tree = store.write_tree({"manifest.json": store.add_bytes(f'{{"n": "{text}"}}\n'.encode()),
                                 "blobs/ab/cdef": body})
        commit = store.commit(tree, head, f"capture {text}\n")
        store.advance(head, commit)
        if tag:
            store.tag(tag, commit, tag)
    return commit


def bare(path: Path) -> Path:
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(path)], check=True)
    return path


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def remote_refs(repo: Path) -> str:
    return git(repo, "for-each-ref", "--format=%(refname) %(objectname)")


def fsck(repo: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(repo), "fsck", "--strict"], capture_output=True, text=True)


def run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SnapshotStore]:
    s = new_store(tmp_path / "snap")
    yield s
    s.close()


@pytest.fixture
def keys_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """This machine's key paths point into the test's folder (nothing there yet)."""
    monkeypatch.setenv("GITSNAP_KEY_FILE", str(tmp_path / "keys" / "fingerprint.key"))
    monkeypatch.setenv("GITSNAP_IDENTITY", str(tmp_path / "keys" / "identity.age"))


class Flaky:
    """dulwich's transport, whose client fails its first *failures* calls with *error*."""

    def __init__(self, failures: int, error: BaseException) -> None:
        from dulwich.client import get_transport_and_path

        self.left, self.error, self.real, self.calls = failures, error, get_transport_and_path, 0

    def __call__(self, url: str, **kwargs: object) -> tuple[object, str]:
        client, path = self.real(url, **kwargs)
        outer = self

        class Client:
            def __getattr__(self, name: str) -> object:
                real = getattr(client, name)
                if name not in ("send_pack", "get_refs", "fetch"):
                    return real

                def call(*args: object, **kw: object) -> object:
                    outer.calls += 1
                    if outer.left > 0:
                        outer.left -= 1
                        raise outer.error
                    return real(*args, **kw)
                return call

        return Client(), path


# -- push --------------------------------------------------------------------------------------


def test_push_to_an_empty_remote_sends_main_tags_and_settings(store: SnapshotStore, tmp_path: Path) -> None:
    from gitsnap.store.remote import push

    first = snap(store, "one", tag="v1.0")
    remote = bare(tmp_path / "remote.git")
    result = push(store, str(remote))
    assert result.summary() == f"pushed main and 1 tag to {remote}"
    assert git(remote, "rev-parse", "main").strip() == first
    assert git(remote, "rev-parse", "v1.0^{commit}").strip() == first
    assert '"recipient": [' in git(remote, "show", "refs/gitsnap/settings:settings.json")
    assert fsck(remote).returncode == 0, fsck(remote).stderr
    assert push(store, str(remote)).summary() == f"{remote} is up to date (nothing to push)"


def test_push_fast_forwards_main_and_adds_only_new_tags(store: SnapshotStore, tmp_path: Path) -> None:
    from gitsnap.store.remote import push

    snap(store, "one", tag="v1.0")
    remote = bare(tmp_path / "remote.git")
    push(store, str(remote))
    second = snap(store, "two", tag="nightly-2026-11-30")
    result = push(store, f"file://{remote}")
    assert result.summary() == f"pushed main and 1 tag to file://{remote}"
    assert git(remote, "rev-parse", "main").strip() == second
    assert git(remote, "tag").split() == ["nightly-2026-11-30", "v1.0"]
    assert fsck(remote).returncode == 0


def test_a_push_after_someone_else_pushed_is_exit_2_and_moves_nothing(store: SnapshotStore, tmp_path: Path) -> None:
    """Two machines share a remote; the second captures and pushes first. The first's push is
    refused with what to do, and the remote keeps exactly what it had."""
    from gitsnap.store.clone import clone

    snap(store, "one")
    remote = bare(tmp_path / "remote.git")
    assert run("--repo", str(store.path), "push", "--to", str(remote)).exit_code == 0
    other = clone(str(remote), tmp_path / "other")
    snap(other, "theirs", tag="theirs")
    assert run("--repo", str(other.path), "push", "--to", str(remote)).exit_code == 0
    other.close()
    before = remote_refs(remote)
    snap(store, "ours", tag="ours")
    result = run("--repo", str(store.path), "push", "--to", str(remote))
    assert result.exit_code == 2
    assert "someone else pushed" in result.output and "nothing was pushed" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert remote_refs(remote) == before  # not main, and not the new tag either


def test_a_tag_that_points_elsewhere_on_the_remote_is_refused_not_moved(store: SnapshotStore, tmp_path: Path) -> None:
    from gitsnap.store.remote import RemoteRejectedError, push

    remote = bare(tmp_path / "remote.git")
    elsewhere = new_store(tmp_path / "elsewhere")
    snap(elsewhere, "theirs", tag="v1.0")
    push(elsewhere, str(remote))
    elsewhere.close()
    git(remote, "update-ref", "-d", "refs/heads/main")  # only their tag is left there
    before = remote_refs(remote)
    snap(store, "ours", tag="v1.0")
    with pytest.raises(RemoteRejectedError, match=r"tag v1\.0 there is .*rename or delete the tag here"):
        push(store, str(remote))
    assert remote_refs(remote) == before


def test_a_network_failure_is_tried_again_after_a_pause(store: SnapshotStore, tmp_path: Path) -> None:
    from gitsnap.store.remote import push

    snap(store, "one")
    remote = bare(tmp_path / "remote.git")
    pauses: list[float] = []
    flaky = Flaky(2, ConnectionResetError("connection reset by peer"))
    result = push(store, str(remote), sleep=pauses.append, transport=flaky)
    assert result.summary() == f"pushed main to {remote}"
    assert pauses == [1.0, 2.0]
    assert git(remote, "rev-parse", "main").strip() == store.head()


def test_a_network_failure_that_lasts_ends_in_one_line_naming_the_url(store: SnapshotStore, tmp_path: Path) -> None:
    from gitsnap.store.remote import RemoteError, push

    snap(store, "one")
    remote = bare(tmp_path / "remote.git")
    pauses: list[float] = []
    flaky = Flaky(99, TimeoutError("timed out"))
    with pytest.raises(RemoteError) as failed:
        push(store, str(remote), sleep=pauses.append, transport=flaky)
    assert str(failed.value) == (f"pushing to {remote} failed after 3 attempts (timed out): check the network "
                                 "and the URL, then run it again; nothing was changed there")
    assert flaky.calls == 3 and pauses == [1.0, 2.0]
    assert remote_refs(remote) == ""


def test_a_missing_repository_is_not_tried_again(store: SnapshotStore, tmp_path: Path) -> None:
    from gitsnap.store.remote import RemoteError, push

    snap(store, "one")
    pauses: list[float] = []
    with pytest.raises(RemoteError, match="no git repository there"):
        push(store, str(tmp_path / "nowhere.git"), sleep=pauses.append)
    assert pauses == []


@pytest.fixture
def refusing_server() -> Iterator[str]:
    """An HTTP server that answers every request 401 (a git host refusing a token)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_credentials_in_a_url_are_never_in_a_message_or_a_log_line(store: SnapshotStore, refusing_server: str,
                                                                   caplog: pytest.LogCaptureFixture,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A refused token (401) and an unreachable host (tried again, logged): neither the user
    nor the token of the URL appears in the error, the log, or the CLI's output."""
    from gitsnap.store import transport
    from gitsnap.store.remote import RemoteError, push

    snap(store, "one")
    caplog.set_level(logging.DEBUG)
    with pytest.raises(RemoteError) as refused:
        push(store, f"http://alice:s3cr3t-t0ken@{refusing_server}/snap.git", sleep=lambda _: None)
    assert "refused the credentials" in str(refused.value)
    assert f"http://{refusing_server}/snap.git" in str(refused.value)
    port = _closed_port()
    with pytest.raises(RemoteError) as unreachable:
        push(store, f"https://alice:s3cr3t-t0ken@127.0.0.1:{port}/snap.git", sleep=lambda _: None)
    assert f"https://127.0.0.1:{port}/snap.git failed after 3 attempts" in str(unreachable.value)
    monkeypatch.setattr(transport, "SLEEP", lambda _: None)
    cli_run = run("--repo", str(store.path), "push", "--to", f"http://ghp_T0KEN1234@127.0.0.1:{port}/x.git")
    assert cli_run.exit_code == 2
    said = [str(refused.value), str(unreachable.value), caplog.text, cli_run.output]
    assert "trying again" in caplog.text
    for text in said:
        assert "s3cr3t" not in text and "alice" not in text and "T0KEN1234" not in text


def test_redact_and_scrub_remove_user_and_password_of_http_urls() -> None:
    from gitsnap.store.transport import redact_url, scrub

    assert redact_url("https://u:p%40ss@git.example.com:8443/r.git") == "https://git.example.com:8443/r.git"
    assert redact_url("https://ghp_abc@github.com/o/r.git") == "https://github.com/o/r.git"
    assert redact_url("ssh://git@host/r.git") == "ssh://git@host/r.git"  # a login, not a secret
    assert redact_url("git@github.com:o/r.git") == "git@github.com:o/r.git"
    url = "https://u:p%40ss@h/r"
    assert scrub(f"GET {url} failed; auth u:p@ss; p@ss", url) == "GET https://h/r failed; auth ***; ***"


def test_push_with_lease_moves_the_ref_only_from_the_expected_value(store: SnapshotStore, tmp_path: Path) -> None:
    """What forget needs: a rewritten main (not a descendant) goes up only if the remote's main
    is still what was read; if someone pushed since, nothing changes there."""
    from gitsnap.store.remote import RemoteRejectedError, push, push_with_lease

    first = snap(store, "one")
    second = snap(store, "two")
    remote = bare(tmp_path / "remote.git")
    push(store, str(remote))
    with store.lock():  # a rewritten history: "two" again, without "one"
        rewritten = store.commit(store.root_tree(second), None, "capture two (rewritten)\n")
        store.advance(second, rewritten)
    with pytest.raises(RemoteRejectedError, match="is " + second[:12] + " there, not " + first[:12]):
        push_with_lease(store, str(remote), b"refs/heads/main", first, rewritten)
    assert git(remote, "rev-parse", "main").strip() == second
    result = push_with_lease(store, str(remote), b"refs/heads/main", second, rewritten)
    assert result.updated == {b"refs/heads/main": (second, rewritten)}
    assert git(remote, "rev-parse", "main").strip() == rewritten
    assert fsck(remote).returncode == 0


def test_a_shard_ref_is_pushed_when_given_and_never_forced(store: SnapshotStore, tmp_path: Path) -> None:
    from gitsnap.store.remote import RemoteRejectedError, push

    remote = bare(tmp_path / "remote.git")
    with store.lock():
        tree = store.write_tree({"aws/x.json": store.add_bytes(b"{}\n")})
        shard = store.commit(tree, None, "shard eu\n")
        store._swap(b"refs/gitsnap/shards/eu", None, shard.encode())
    result = push(store, str(remote), [b"refs/gitsnap/shards/eu"])  # no main here yet: a shard machine
    assert result.summary() == f"pushed 1 shard to {remote}"
    git(remote, "update-ref", "refs/gitsnap/shards/eu", git(remote, "commit-tree", "-m", "x",
                                                             f"{store.root_tree(shard)}").strip())
    with pytest.raises(RemoteRejectedError, match="shard eu has snapshots this repository lacks"):
        push(store, str(remote), [b"refs/gitsnap/shards/eu"])


# -- fetch and clone ---------------------------------------------------------------------------


def test_fetch_brings_shards_and_fast_forwards_main_but_never_rewinds_it(store: SnapshotStore, tmp_path: Path) -> None:
    from gitsnap.store.clone import clone
    from gitsnap.store.remote import fetch, push

    snap(store, "one")
    remote = bare(tmp_path / "remote.git")
    push(store, str(remote))
    other = clone(str(remote), tmp_path / "other")
    ahead = snap(other, "two")
    with other.lock():
        shard = other.commit(other.root_tree(ahead), None, "shard us\n")
        other._swap(b"refs/gitsnap/shards/us", None, shard.encode())
    push(other, str(remote), [b"refs/gitsnap/shards/us"])
    other.close()
    result = fetch(store, str(remote))
    assert store.head() == ahead
    assert dict(store.refs())["refs/gitsnap/shards/us"] == shard
    assert set(result.updated) == {b"refs/heads/main", b"refs/gitsnap/shards/us"}
    mine = snap(store, "three")  # ahead of the remote now: a fetch does not move it back
    assert fetch(store, str(remote)).updated == {}
    assert store.head() == mine


def test_clone_carries_history_tags_shards_and_the_settings(store: SnapshotStore, tmp_path: Path) -> None:
    from gitsnap.store.clone import clone
    from gitsnap.store.remote import push

    snap(store, "one", tag="v1.0")
    head = snap(store, "two")
    remote = bare(tmp_path / "remote.git")
    push(store, str(remote))
    copy = clone(f"file://{remote}", tmp_path / "copy")
    try:
        assert copy.head() == head
        assert copy.tags().keys() == {"v1.0"}
        assert copy.setting("recipient") == [RECIPIENT]
        assert copy.setting("fingerprintkeyid") == [KEY_ID]
        assert copy.setting("format") == ["1"]
        assert (tmp_path / "copy" / "gitsnap.repository").is_file()
        assert [c.message.strip() for c in copy.log()] == ["capture two", "capture one"]
    finally:
        copy.close()
    assert fsck(tmp_path / "copy").returncode == 0
    assert git(tmp_path / "copy", "symbolic-ref", "HEAD").strip() == "refs/heads/main"


def test_the_carried_settings_are_the_ones_keys_py_records() -> None:
    from gitsnap import keys
    from gitsnap.store.settings import CARRIED

    assert set(CARRIED) == {keys.KEY_ID, keys.RECIPIENT}


def test_gitsnap_clone_prints_what_to_copy_by_hand_and_never_a_key(store: SnapshotStore, tmp_path: Path,
                                                                   keys_here: None) -> None:
    snap(store, "one", tag="v1.0")
    remote = bare(tmp_path / "remote.git")
    assert run("--repo", str(store.path), "push", "--to", str(remote)).exit_code == 0
    result = run("clone", str(remote), str(tmp_path / "copy"))
    assert result.exit_code == 0, result.output
    assert f"Cloned 1 snapshot and 1 tag from {remote}" in result.output
    assert f"Copy the fingerprint key {KEY_ID} by hand" in result.output
    assert str(tmp_path / "keys" / "identity.age") in result.output
    assert "AGE-SECRET-KEY" not in result.output
    assert run("--repo", str(tmp_path / "copy"), "log").exit_code == 0
    assert (tmp_path / "copy" / "gitsnap.toml").is_file()


@pytest.mark.parametrize("case", ["not-empty", "nowhere", "bad-scheme", "unreachable", "empty-remote"])
def test_gitsnap_clone_refuses_with_one_line_and_leaves_nothing_behind(tmp_path: Path, keys_here: None,
                                                                       case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from gitsnap.store import transport

    monkeypatch.setattr(transport, "SLEEP", lambda _: None)
    dest = tmp_path / "copy"
    url = {"nowhere": str(tmp_path / "nowhere.git"), "bad-scheme": "ftp://example.com/x.git",
           "unreachable": f"git://127.0.0.1:{_closed_port()}/x.git"}.get(case, "")
    if case == "not-empty":
        dest.mkdir()
        (dest / "notes.txt").write_text("mine")
        url = str(bare(tmp_path / "remote.git"))
    if case == "empty-remote":
        url = str(bare(tmp_path / "remote.git"))
    result = CliRunner().invoke(cli, ["clone", url, str(dest)])
    assert result.exit_code == 2, result.output
    assert len(result.output.strip().splitlines()) == 1 or "trying again" in result.output
    assert result.output.strip().splitlines()[-1].startswith("gitsnap: error: ")
    if case == "not-empty":
        assert sorted(p.name for p in dest.iterdir()) == ["notes.txt"]
    else:
        assert not dest.exists()
