"""Examples of apigateway resources: the raw API shape each type's transform is given."""

from __future__ import annotations

from . import Example

EXAMPLES = {
    "rest-api": Example(raw={"id": "abc", "name": "api", "createdDate": "x", "Resources": [{"id": "r1", "path": "/"}],
                                 "Authorizers": [], "Deployments": [],
                                 "Stages": [{"stageName": "prod", "variables": {"API_KEY": "topsecret"}, "createdDate": "x"}]}),
    "domain": Example(raw={"domainName": "api.x.com", "BasePathMappings": [], "certificateUploadDate": "x"}),
    "http-api": Example(raw={"ApiId": "h1", "Name": "h", "ProtocolType": "HTTP", "CreatedDate": "x", "Routes": [],
                                 "Integrations": [], "Stages": [{"StageName": "$default", "StageVariables": {"k": "topsecret"}}]}),
}
