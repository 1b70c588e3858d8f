"""A function's resource policy statements as AddPermission's settings (``AWS::Lambda::Permission``,
``aws_lambda_permission``): the statements of the function's policy and of each alias's."""

from __future__ import annotations

from typing import Any

from ...model import Fields

# Condition keys AddPermission sets, and the parameter each comes from.
_CONDITIONS = {
    ("ArnLike", "AWS:SourceArn"): "SourceArn",
    ("ArnEquals", "AWS:SourceArn"): "SourceArn",
    ("StringEquals", "AWS:SourceAccount"): "SourceAccount",
    ("StringEquals", "aws:PrincipalOrgID"): "PrincipalOrgID",
    ("StringEquals", "lambda:EventSourceToken"): "EventSourceToken",
    ("StringEquals", "lambda:FunctionUrlAuthType"): "FunctionUrlAuthType",
    ("Bool", "lambda:InvokedViaFunctionUrl"): "InvokedViaFunctionUrl",
}


def permission_of(statement: dict[str, Any]) -> dict[str, Any] | None:
    """AddPermission's settings (CloudFormation's names) for one policy statement, or None when
    the statement has a shape AddPermission cannot make (a Deny, several actions, another
    condition). Pure."""
    principal = statement.get("Principal")
    if isinstance(principal, dict) and len(principal) == 1:
        principal = principal.get("Service") or principal.get("AWS")
    action = statement.get("Action")
    if statement.get("Effect") != "Allow" or not isinstance(principal, str) or not isinstance(action, str):
        return None
    out: dict[str, Any] = {"Action": action, "Principal": principal}
    for op, pairs in (statement.get("Condition") or {}).items():
        for key, value in pairs.items():
            name = _CONDITIONS.get((op, key))
            if name is None or not isinstance(value, str):
                return None
            out[name] = value if name != "InvokedViaFunctionUrl" else value.lower() == "true"
    return out


def statements(f: Fields) -> list[tuple[str | None, dict[str, Any]]]:
    """(alias or None, statement) of the function's policy and each alias's."""
    found = [(None, st) for st in (f.get("Policy") or {}).get("Statement") or []]
    for alias, policy in sorted((f.get("AliasPolicies") or {}).items()):
        found += [(alias, st) for st in (policy or {}).get("Statement") or []]
    return found


def odd_statements(f: Fields, odd: list[str]) -> None:
    """Report the statements (by Sid) no permission resource is written for."""
    if odd:
        f.unsupported("Policy", "statements AddPermission cannot make (a Deny, several actions or another "
                                f"condition) are not emitted: {', '.join(odd)}")
