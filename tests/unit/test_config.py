"""Config loading: defaults, validation, errors that name the file and key."""

from __future__ import annotations

import pytest

from gitsnap.config import ConfigError, load


def test_missing_file_means_defaults(tmp_path):
    cfg = load(tmp_path / "gitsnap.toml")
    assert cfg.path is None and cfg.s3_content and cfg.regions == ()


def test_full_config(tmp_path):
    p = tmp_path / "gitsnap.toml"
    p.write_text('[aws]\nregions = ["us-east-1", "us-west-2"]\nservices = ["s3"]\n'
                 '[aws.s3]\ninclude = ["*jada*"]\ncontent = false\n[aws.lambda]\nkeep_env = ["STAGE"]\n'
                 '[environments]\nprod = ["*-prod"]\n')
    cfg = load(p, known_services=frozenset({"s3", "lambda"}))
    assert cfg.regions == ("us-east-1", "us-west-2") and cfg.s3_include == ("*jada*",)
    assert not cfg.s3_content and cfg.lambda_keep_env == {"STAGE"} and cfg.environments == {"prod": ("*-prod",)}


@pytest.mark.parametrize("text, where", [
    ('[aws]\nregions = ["mars-1"]\n', "aws.regions.0"),
    ("[aws.s3]\ncontent = 'yes'\n", "aws.s3.content"),
    ("[aws]\nregoins = []\n", "(top level)" ),
    ("[typo]\n", "(top level)"),
])
def test_errors_name_file_and_key(tmp_path, text, where):
    p = tmp_path / "gitsnap.toml"
    p.write_text(text)
    with pytest.raises(ConfigError) as err:
        load(p)
    assert str(p) in str(err.value)
    assert f"key {where}" in str(err.value) or where == "(top level)" and "key aws" in str(err.value) or "key (top level)" in str(err.value)
