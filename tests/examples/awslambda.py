"""Examples of lambda resources: the raw API shape each type's transform is given."""

from __future__ import annotations

from . import Example

SERVICE = "lambda"

EXAMPLES = {
    "function": Example(raw={
        "FunctionName": "f",
        "Function": {"Configuration": {"FunctionName": "f", "FunctionArn": "arn:aws:lambda:us-east-1:1:function:f",
                                       "Role": "arn:aws:iam::1:role/r", "LastModified": "now", "RevisionId": "x",
                                       "Environment": {"Variables": {"STAGE": "prod", "API_KEY": "topsecret"}}},
                     "Tags": {"a": "b"}},
        "Concurrency": {}, "Policy": None, "Aliases": [], "EventSourceMappings": [],
        "Versions": [{"Version": "$LATEST"}, {"Version": "1", "RevisionId": "y", "Environment": {"Variables": {"API_KEY": "topsecret"}}}]}),
}
