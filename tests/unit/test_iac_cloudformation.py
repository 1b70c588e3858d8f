"""The CloudFormation writer: references, secrets, artifacts, limits, and cfn-lint on the result."""

from __future__ import annotations

import yaml

from gitsnap.iac import cloudformation
from gitsnap.iac.model import Link, Resource
from gitsnap.iac.spec import Emitted, Out
from gitsnap.secrets.fingerprint import PREFIX
from tests.iac_examples import cfn_lint_errors

FP1, FP2 = "a" * 24, "b" * 24
ROLE = "arn:aws:iam::123456789012:role/app"
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                  "Action": "sts:AssumeRole"}]}


class _Loader(yaml.SafeLoader):
    pass


_Loader.add_multi_constructor("!", lambda loader, suffix, node: {suffix: loader.construct_scalar(node)})


def _load(data: bytes) -> dict:
    return yaml.load(data, Loader=_Loader)


def _role(region: str = "global") -> Emitted:
    out = Out()
    out.resource("AWS::IAM::Role", {"RoleName": "app", "AssumeRolePolicyDocument": TRUST}, "app")
    return Emitted(Resource("iam/role/app", "123456789012", region, "iam", "role", {}), out, [])


def _queue(name: str, region: str = "us-east-1", **props) -> Emitted:
    out = Out()
    out.resource("AWS::SQS::Queue", {"QueueName": name, **props}, name)
    return Emitted(Resource(f"sqs/{name}", "123456789012", region, "sqs", "queue", {}), out, [])


def test_a_link_within_a_template_is_a_ref_or_getatt_and_across_templates_the_recorded_value():
    out = Out()
    out.resource("AWS::SNS::Topic", {"TopicName": "alerts", "Subscription": [
        {"Protocol": "sqs", "Endpoint": Link("sqs/jobs", "Arn", "arn:aws:sqs:us-east-1:123456789012:jobs")}]}, "alerts")
    publish = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
                                                       "Action": "sns:Publish", "Resource": "*"}]}
    out.resource("AWS::SNS::TopicPolicy", {"Topics": [Link("sns/alerts", None, "arn:topic")], "PolicyDocument": publish},
                 "alerts-policy")
    topic = Emitted(Resource("sns/alerts", "123456789012", "us-east-1", "sns", "topic", {}), out, [])
    fn = Out()
    fn.resource("AWS::Lambda::Function", {"FunctionName": "f", "Role": Link("iam/role/app", "Arn", ROLE),
                                          "Runtime": "python3.12", "Handler": "a.b", "Code": {"ZipFile": "x"}}, "f")
    func = Emitted(Resource("lambda/f", "123456789012", "us-east-1", "lambda", "function", {}), fn, [])
    west = Emitted(Resource("lambda/f", "123456789012", "us-west-2", "lambda", "function", {}), fn, [])
    rendered = cloudformation.render([_queue("jobs"), topic, func, _role(), west], "c" * 40)
    regional = _load(rendered.files["cloudformation/123456789012/us-east-1/template.yaml"])["Resources"]
    assert regional["AlertsTopic"]["Properties"]["Subscription"][0]["Endpoint"] == {"GetAtt": "JobsQueue.Arn"}
    assert regional["AlertsPolicyTopicPolicy"]["Properties"]["Topics"] == [{"Ref": "AlertsTopic"}]
    # the role is global: deployed with us-east-1's resources, so a function there refers to it...
    assert regional["FFunction"]["Properties"]["Role"] == {"GetAtt": "AppRole.Arn"}
    assert list(regional)[0] == "AppRole"  # global resources first
    # ...and one in another region's template names it by its recorded ARN
    west_doc = _load(rendered.files["cloudformation/123456789012/us-west-2/template.yaml"])["Resources"]
    assert west_doc["FFunction"]["Properties"]["Role"] == ROLE
    assert [t.path for t in rendered.templates] == ["cloudformation/123456789012/us-east-1/template.yaml",
                                                    "cloudformation/123456789012/us-west-2/template.yaml"]
    deploy = rendered.files["cloudformation/deploy.sh"].decode()
    assert deploy.index("us-east-1/template.yaml") < deploy.index("us-west-2/template.yaml")
    for path, body in rendered.files.items():
        if path.endswith("template.yaml"):
            assert cfn_lint_errors(body) == [], path


def test_every_redacted_value_is_a_noecho_parameter_and_never_a_value():
    marker1, marker2 = PREFIX + FP1, PREFIX + FP2
    fn = Out()
    fn.resource("AWS::Lambda::Function", {
        "FunctionName": "f", "Role": ROLE, "Runtime": "python3.12", "Handler": "a.b", "Code": {"ZipFile": "x"},
        "Environment": {"Variables": {"TOKEN": marker1, "DSN": f"postgres://app:{marker2}@db:5432/${{x}}",
                                      "AGAIN": marker1}}}, "f")
    rendered = cloudformation.render([Emitted(Resource("lambda/f", "123456789012", "us-east-1", "lambda", "function", {}),
                                              fn, [])], "c" * 40)
    text = rendered.files["cloudformation/123456789012/us-east-1/template.yaml"]
    doc = _load(text)
    env = doc["Resources"]["FFunction"]["Properties"]["Environment"]["Variables"]
    assert env["TOKEN"] == env["AGAIN"] == {"Ref": "SecretFTOKEN"}  # one value, one parameter
    assert env["DSN"] == {"Sub": "postgres://app:${SecretFDSN}@db:5432/${!x}"}  # literal ${x} kept literal
    assert doc["Parameters"]["SecretFTOKEN"]["NoEcho"] is True
    assert rendered.secrets == {FP1: "SecretFTOKEN", FP2: "SecretFDSN"}
    assert b"redacted:" not in text
    assert cfn_lint_errors(text) == []


def test_templates_split_at_500_resources_and_each_passes_the_limits():
    queues = [_queue(f"q{i:04d}") for i in range(1203)]
    rendered = cloudformation.render(queues, "c" * 40)
    paths = [t.path for t in rendered.templates]
    assert paths == [f"cloudformation/123456789012/us-east-1/{n}" for n in
                     ("template.yaml", "template-2.yaml", "template-3.yaml")]
    counts = [len(_load(rendered.files[p])["Resources"]) for p in paths]
    assert counts == [500, 500, 203]
    assert all(len(rendered.files[p]) <= cloudformation.MAX_BYTES for p in paths)
    assert "(part 2 of 3)" in _load(rendered.files[paths[1]])["Description"]


def test_templates_split_before_a_megabyte():
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": f"S{i}", "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",
         "Resource": "arn:aws:sqs:us-east-1:123456789012:" + "x" * 60} for i in range(60)]}
    big = [_queue(f"q{i:03d}", Tags=[{"Key": "policy", "Value": str(policy)}]) for i in range(200)]
    rendered = cloudformation.render(big, "c" * 40)
    sizes = [len(rendered.files[t.path]) for t in rendered.templates]
    assert len(sizes) > 1 and all(s <= cloudformation.MAX_BYTES for s in sizes)


def test_templates_split_before_200_parameters():
    emitted = []
    for i in range(150):
        out = Out()
        out.resource("AWS::SSM::Parameter", {"Name": f"p{i}", "Type": "String",
                                             "Value": PREFIX + f"{i:024x}", "Description": PREFIX + f"{i + 1000:024x}"},
                     f"p{i}")
        emitted.append(Emitted(Resource(f"ssm/p{i}", "123456789012", "us-east-1", "ssm", "parameter", {}), out, []))
    rendered = cloudformation.render(emitted, "c" * 40)
    params = [len(_load(rendered.files[t.path]).get("Parameters", {})) for t in rendered.templates]
    assert len(params) == 2 and max(params) <= 200 and sum(params) == 300


def test_an_artifact_is_a_path_relative_to_its_template_as_package_expects():
    from gitsnap.iac.spec import Artifact

    fn = Out()
    fn.resource("AWS::Lambda::Function", {"FunctionName": "f", "Role": ROLE, "Runtime": "python3.12",
                                          "Handler": "a.b", "Code": Artifact("d" * 40, "lambda/f.zip")}, "f")
    rendered = cloudformation.render([Emitted(Resource("lambda/f", "123456789012", "us-east-1", "lambda", "function", {}),
                                              fn, [])], "c" * 40)
    doc = _load(rendered.files["cloudformation/123456789012/us-east-1/template.yaml"])
    assert doc["Resources"]["FFunction"]["Properties"]["Code"] == "../../../artifacts/lambda/f.zip"


def test_import_list_names_each_resource_by_its_identifier():
    out = Out()
    out.resource("AWS::SQS::Queue", {"QueueName": "jobs"}, "jobs", identifier={"QueueUrl": "https://q/jobs"})
    rendered = cloudformation.render([Emitted(Resource("sqs/jobs", "123456789012", "us-east-1", "sqs", "queue", {}),
                                              out, [])], "c" * 40)
    assert yaml.safe_load(rendered.files["cloudformation/123456789012/us-east-1/template.import.json"]) == [
        {"ResourceType": "AWS::SQS::Queue", "LogicalResourceId": "JobsQueue",
         "ResourceIdentifier": {"QueueUrl": "https://q/jobs"}}]
