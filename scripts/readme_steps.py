"""Run the README's "try it by hand" steps exactly as written, the way a new user would.

The README tells a new user to type two blocks of commands into two terminals: the first ends
in ``gitsnap sandbox serve``, which keeps its terminal and prints ``export`` lines; the second
starts by pasting those lines (the README's ``export AWS_ENDPOINT_URL=...`` placeholder). This
script reads both blocks out of README.md (so an edit to the README is what gets tested), runs
the first in the background as terminal one, waits for the export lines, puts them where the
placeholder is, and runs the second block with ``bash -e`` as terminal two, in the repository
directory the README says to use. A fresh ``HOME`` stands in for a new user's (keys and
identities are made there). Any failing line fails the run; Ctrl-C stops the sandbox at the end,
as the user would.

Usage (CI calls it from .ci/run, in a clean clone): ``python3 scripts/readme_steps.py``
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST, SECOND = "In a first terminal", "In a second terminal"
PLACEHOLDER = re.compile(r"^export AWS_ENDPOINT_URL=\.\.\.(\s.*)?$")
EXPORT = re.compile(r"^\s*(export [A-Z_]+=\S*)\s*$")
READY_WITHIN = 120  # seconds for `sandbox serve` to print its export lines


class StepsError(Exception):
    """The README's steps could not be found or did not run as written."""


def blocks(readme: str) -> tuple[list[str], list[str]]:
    """The command lines of the first and second terminal's blocks (comments kept: bash drops them).

    Raises:
        StepsError: either block is missing, or the second has no placeholder to paste into.
    """
    def block_after(marker: str) -> list[str]:
        at = readme.find(marker)
        if at < 0:
            raise StepsError(f"README.md has no {marker!r} paragraph: the by-hand steps moved; update {__file__}")
        match = re.search(r"^```[^\n]*\n(.*?)^```", readme[at:], re.S | re.M)
        if not match:
            raise StepsError(f"README.md: no fenced block after {marker!r}")
        return [line for line in match.group(1).splitlines() if line.strip()]

    first, second = block_after(FIRST), block_after(SECOND)
    if not any(PLACEHOLDER.match(line) for line in second):
        raise StepsError("README.md: the second terminal's block has no 'export AWS_ENDPOINT_URL=...' line to paste into")
    return first, second


def pasted(second: list[str], exports: list[str]) -> list[str]:
    """The second block with the placeholder replaced by what the user pastes."""
    out: list[str] = []
    for line in second:
        out.extend(exports if PLACEHOLDER.match(line) else [line])
    return out


def run(root: Path = ROOT) -> None:
    first, second = blocks((root / "README.md").read_text("utf-8"))
    made = [p for p in ("snap",) if (root / p).exists()]
    if made:
        raise StepsError(f"{root / made[0]} already exists: the steps create it; move it away first")
    home = Path(tempfile.mkdtemp(prefix="readme-home-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GITSNAP_", "VIRTUAL_ENV"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    log = home / "terminal-1.log"
    print("terminal 1:\n  " + "\n  ".join(first), flush=True)
    with log.open("w") as out:
        serve = subprocess.Popen(["bash", "-e", "-c", "\n".join(first)], cwd=root, env=env, stdout=out,
                                 stderr=subprocess.STDOUT, start_new_session=True)
    try:
        exports = _wait_for_exports(log, serve)
        steps = pasted(second, exports)
        print("terminal 2:\n  " + "\n  ".join(steps), flush=True)
        done = subprocess.run(["bash", "-e", "-x", "-c", "\n".join(steps)], cwd=root, env=env)
        if done.returncode:
            raise StepsError(f"the second terminal's steps failed (exit {done.returncode}); see the output above")
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGINT)  # Ctrl-C in terminal one
            try:
                serve.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(serve.pid, signal.SIGKILL)
        shutil.rmtree(root / "snap", ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)
    print("README steps: every command ran as written.")


def _wait_for_exports(log: Path, serve: subprocess.Popen[bytes]) -> list[str]:
    deadline = time.monotonic() + READY_WITHIN
    while time.monotonic() < deadline:
        text = log.read_text("utf-8", "replace")
        exports = [m.group(1) for line in text.splitlines() if (m := EXPORT.match(line))]
        if exports and "AWS_ENDPOINT_URL" in text:
            return exports
        if serve.poll() is not None:
            raise StepsError(f"the first terminal's steps ended (exit {serve.returncode}) before serving:\n{text}")
        time.sleep(0.5)
    raise StepsError(f"`sandbox serve` printed no export lines within {READY_WITHIN} s:\n{log.read_text('utf-8', 'replace')}")


if __name__ == "__main__":
    try:
        run()
    except StepsError as exc:
        print(f"readme_steps: {exc}", file=sys.stderr)
        sys.exit(1)
