"""The commonest Lambda disaster, undone by the command: a function deleted live comes back.

``gitsnap restore v1.0 --apply`` recreates it from the snapshot (its package from the blob, its
configuration, its sealed environment value opened with the identity, tags, concurrency, an
alias, its resource policies), and a capture afterwards records the same function as v1.0.
"""

from __future__ import annotations

import json

import pytest

from gitsnap.sandbox import estate as sample

pytestmark = pytest.mark.e2e

SECRET = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
CODE = sample.zip_source({"app.py": "def handler(event, context):\n    return 'orders'\n"})


def test_a_function_deleted_live_is_recreated_by_restore_and_captures_as_before(gitsnap, endpoint):
    clients = sample.clients(endpoint)
    lam, iam = clients("lambda"), clients("iam")
    iam.create_role(RoleName="orders-role", AssumeRolePolicyDocument=json.dumps(sample.ROLE_TRUST))
    lam.create_function(
        FunctionName="orders", Runtime="python3.12", Role=f"arn:aws:iam::{sample.ACCOUNT}:role/orders-role",
        Handler="app.handler", Code={"ZipFile": CODE}, Timeout=12, MemorySize=256, Description="takes orders",
        Environment={"Variables": {"STAGE": "prod", "STRIPE_SECRET_KEY": SECRET}}, Tags={"team": "shop"})
    lam.put_function_concurrency(FunctionName="orders", ReservedConcurrentExecutions=3)
    lam.create_alias(FunctionName="orders", Name="live", FunctionVersion="$LATEST")
    lam.add_permission(FunctionName="orders", StatementId="apigw", Action="lambda:InvokeFunction",
                       Principal="apigateway.amazonaws.com")
    (gitsnap.repo / "gitsnap.toml").write_text('[aws]\nservices = ["lambda"]\n')
    gitsnap("capture", "--tag", "v1.0")
    before = lam.get_function(FunctionName="orders")["Configuration"]

    lam.delete_function(FunctionName="orders")
    plan = gitsnap("restore", "v1.0", check=False)
    assert plan.code == 1 and "create             lambda/orders" in plan.out, plan.out

    applied = gitsnap("restore", "v1.0", "--apply", "--yes")
    assert "Live state now matches v1.0." in applied.out, applied.out
    fn = lam.get_function(FunctionName="orders")
    config = fn["Configuration"]
    for field in ("CodeSha256", "CodeSize", "Timeout", "MemorySize", "Runtime", "Handler", "Description", "Role"):
        assert config[field] == before[field], field
    assert config["Environment"]["Variables"] == {"STAGE": "prod", "STRIPE_SECRET_KEY": SECRET}  # never a fingerprint
    assert fn["Tags"] == {"team": "shop"} and fn["Concurrency"]["ReservedConcurrentExecutions"] == 3
    assert lam.get_alias(FunctionName="orders", Name="live")["FunctionVersion"] == "$LATEST"
    assert [s["Sid"] for s in json.loads(lam.get_policy(FunctionName="orders")["Policy"])["Statement"]] == ["apigw"]

    gitsnap("capture", "-m", "after the restore")
    assert gitsnap("diff", "v1.0", "HEAD", "--exit-code").code == 0
