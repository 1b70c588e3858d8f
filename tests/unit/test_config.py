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


def test_data_service_keys(tmp_path):
    p = tmp_path / "gitsnap.toml"
    p.write_text('[aws.dynamodb]\nitems = ["jada-*"]\nitems_max_bytes = 1024\nitems_segments = 8\n'
                 '[aws.ssm]\ndecrypt = false\n[aws.secretsmanager]\nvalues = ["prod/*"]\n')
    cfg = load(p)
    assert cfg.dynamodb_items == ("jada-*",) and cfg.dynamodb_items_max_bytes == 1024
    assert cfg.dynamodb_items_segments == 8 and cfg.ssm_decrypt is False and cfg.secretsmanager_values == ("prod/*",)
    defaults = load(tmp_path / "none.toml")
    assert defaults.dynamodb_items == () and defaults.dynamodb_items_max_bytes == 64 * 1024 * 1024
    assert defaults.ssm_decrypt is True and defaults.secretsmanager_values == ()


@pytest.mark.parametrize("text, where", [
    ('[aws.dynamodb]\nitems = "jada-*"\n', "aws.dynamodb.items"),
    ("[aws.dynamodb]\nitems_max_bytes = 0\n", "aws.dynamodb.items_max_bytes"),
    ("[aws.ssm]\ndecrypt = 'yes'\n", "aws.ssm.decrypt"),
    ("[aws.secretsmanager]\nvalue = []\n", "aws.secretsmanager"),
])
def test_data_service_keys_are_checked(tmp_path, text, where):
    p = tmp_path / "gitsnap.toml"
    p.write_text(text)
    with pytest.raises(ConfigError) as err:
        load(p)
    assert f"key {where}" in str(err.value)
