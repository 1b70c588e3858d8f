"""The README's by-hand steps, as CI runs them (scripts/readme_steps.py): extracted from README.md.

CI (.ci/run) executes the steps for real in a clean clone; these tests keep the extraction honest so a
README edit that moves or breaks the steps fails `make test` instead of silently testing nothing.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("readme_steps", ROOT / "scripts" / "readme_steps.py")
assert _spec and _spec.loader
steps = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(steps)


def test_the_readme_has_both_terminals_steps_and_the_first_ends_serving() -> None:
    first, second = steps.blocks((ROOT / "README.md").read_text("utf-8"))
    assert first[-1].split("#")[0].strip() == "gitsnap sandbox serve"
    assert "make install" in first[0]
    assert any(line.startswith("gitsnap init") for line in second)
    assert any(line.startswith("gitsnap capture") for line in second)


def test_the_placeholder_is_replaced_by_the_exports_sandbox_serve_prints() -> None:
    from gitsnap.cli.sandbox import transform_serve_text

    _, second = steps.blocks((ROOT / "README.md").read_text("utf-8"))
    printed = transform_serve_text({"AWS_ENDPOINT_URL": "http://127.0.0.1:4566", "AWS_REGION": "us-east-1"}, "gitsnap")
    exports = [m.group(1) for line in printed if (m := steps.EXPORT.match(line))]
    assert exports == ["export AWS_ENDPOINT_URL=http://127.0.0.1:4566", "export AWS_REGION=us-east-1"]
    lines = steps.pasted(second, exports)
    assert exports[0] in lines and not any(steps.PLACEHOLDER.match(line) for line in lines)


@pytest.mark.parametrize("readme, missing", [
    ("# x\nIn a second terminal:\n```\nexport AWS_ENDPOINT_URL=...\n```\n", "first terminal"),
    ("In a first terminal:\n```\nmake install\n```\nIn a second terminal:\n```\ngitsnap init\n```\n", "paste"),
])
def test_a_readme_without_the_steps_is_an_error_not_nothing_tested(readme: str, missing: str) -> None:
    with pytest.raises(steps.StepsError, match=missing):
        steps.blocks(readme)
