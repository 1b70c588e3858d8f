"""EventBridge: event buses (AWS::Events::EventBus / EventBusPolicy; aws_cloudwatch_event_bus /
_bus_policy) and rules with their targets (AWS::Events::Rule; aws_cloudwatch_event_rule +
aws_cloudwatch_event_target).

The ``default`` bus exists in every account: it is built in, unless it has a resource policy,
which is then emitted alone. A target naming a captured function, queue, topic or bus is a
Link to it (:func:`.common.arn_link`).
"""

from __future__ import annotations

from typing import Any

from ...collectors.aws.eventbridge.common import DEFAULT_BUS
from ..model import Block, Fields, JsonEncode, Link, Resource
from ..spec import Builtin, IacSpec, LeftOut, Out
from .common import arn_link, name_link, tag_list, tf_retry_and_dlq


def bus_link(bus: str | None) -> Any:
    """A rule's (or target's) bus: a Link to ``events/bus/NAME`` unless it is the default bus."""
    if not bus or bus == DEFAULT_BUS:
        return None
    if bus.startswith("arn:"):
        return arn_link(bus)
    # GetAtt Name rather than Ref (the same value): moto's CloudFormation resolves a bus's Ref to an object
    return Link(f"events/bus/{bus}", "Name", bus, tf_attr="name")


# -- buses ---------------------------------------------------------------------------------------

def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    statements = policy.get("Statement") or []
    return [statements] if isinstance(statements, dict) else list(statements)


def _default_bus_leftovers(f: Fields) -> None:
    for path in ("Description", "KmsKeyIdentifier", "DeadLetterConfig", "Tags", "LogConfig"):
        f.unsupported(path, "the default event bus is not created by CloudFormation or Terraform: set this on it "
                            "with aws events update-event-bus / tag-resource")


def _bus(f: Fields) -> tuple[str, Any]:
    """(name, resource policy) of a bus either format writes; the default bus with no policy is
    built in, a partner bus is left out."""
    name = f.get("Name")
    f.computed("Arn", "status")
    policy = f.get("Policy")
    if name == DEFAULT_BUS:
        _default_bus_leftovers(f)
        if not policy:
            raise Builtin("the default event bus exists in every account")
    elif name.startswith("aws.partner/"):
        raise LeftOut("a partner event bus is made from its partner event source: accept the source again in "
                      "the partner's console")
    return name, policy


def bus_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name, policy = _bus(f)
    if name == DEFAULT_BUS:
        for n, statement in enumerate(_statements(policy)):
            sid = statement.get("Sid") or f"statement-{n + 1}"
            out.resource("AWS::Events::EventBusPolicy", {
                "EventBusName": DEFAULT_BUS, "StatementId": sid,
                "Statement": {k: v for k, v in statement.items() if k != "Sid"}}, f"default-bus-{sid}",
                identifier={"EventBusName": DEFAULT_BUS, "StatementId": sid})
        return
    out.resource("AWS::Events::EventBus", {
        "Name": name,
        "Description": f.get("Description"),
        "KmsKeyIdentifier": f.get("KmsKeyIdentifier"),
        "DeadLetterConfig": f.get("DeadLetterConfig"),
        "LogConfig": f.get("LogConfig"),
        "Policy": policy,
        "Tags": tag_list(f.get("Tags")),
    }, name, identifier={"Name": name})


def bus_terraform(r: Resource, f: Fields, out: Out) -> None:
    name, policy = _bus(f)
    if name == DEFAULT_BUS:
        out.block("aws_cloudwatch_event_bus_policy", {"event_bus_name": DEFAULT_BUS, "policy": JsonEncode(policy)},
                  "default-bus", import_id=DEFAULT_BUS)
        return
    dlq = f.get("DeadLetterConfig")
    if f.get_quiet("LogConfig"):
        f.unsupported("LogConfig", "the bus's log configuration is not translated for Terraform yet")
    out.block("aws_cloudwatch_event_bus", {
        "name": name,
        "description": f.get("Description"),
        "kms_key_identifier": f.get("KmsKeyIdentifier"),
        "dead_letter_config": Block({"arn": dlq.get("Arn")}) if dlq else None,
        "tags": f.get("Tags") or None,
    }, name, import_id=name)
    if policy:
        out.block("aws_cloudwatch_event_bus_policy", {"event_bus_name": name_link(r, name), "policy": JsonEncode(policy)},
                  name, import_id=name)


# -- rules ---------------------------------------------------------------------------------------

def _cfn_target(target: dict[str, Any]) -> dict[str, Any]:
    """An API target as CloudFormation's: the same names but for the ECS network block."""
    t = {k: v for k, v in target.items() if k != "ArnAddress"}
    t["Arn"] = arn_link(target.get("Arn"))
    ecs = t.get("EcsParameters")
    if ecs and "NetworkConfiguration" in ecs:
        net = ecs["NetworkConfiguration"]
        t["EcsParameters"] = {**ecs, "NetworkConfiguration": {"AwsVpcConfiguration": net.get("awsvpcConfiguration")}}
    if t.get("DeadLetterConfig"):
        t["DeadLetterConfig"] = {"Arn": arn_link(t["DeadLetterConfig"].get("Arn"))}
    return t


def _rule(f: Fields) -> tuple[str, str, str]:
    """(name, bus, name hint) of a rule either format writes; one another service manages is
    left out (that service creates it)."""
    if f.get("ManagedBy"):
        raise LeftOut(f"managed by {f.get('ManagedBy')}: that service creates it")
    name = f.get("Name")
    f.computed("Arn", "status")
    bus = f.get("EventBusName") or DEFAULT_BUS
    return name, bus, name if bus == DEFAULT_BUS else f"{bus}-{name}"


def rule_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name, bus, hint = _rule(f)
    targets = f.get("Targets") or []
    out.resource("AWS::Events::Rule", {
        "Name": name,
        "EventBusName": bus_link(bus),
        "Description": f.get("Description"),
        "EventPattern": f.get("EventPattern"),
        "ScheduleExpression": f.get("ScheduleExpression"),
        "State": f.get("State"),
        "RoleArn": f.get("RoleArn"),
        "Targets": [_cfn_target(t) for t in targets],
        "Tags": tag_list(f.get("Tags")),
    }, hint, identifier={"Arn": r.doc.get("Arn")} if r.doc.get("Arn") else None)


def _tf_target(target: dict[str, Any], f: Fields) -> dict[str, Any]:
    """A target's attributes as aws_cloudwatch_event_target takes them; the parameter blocks this
    does not translate are reported, not dropped."""
    transformer = target.get("InputTransformer")
    sqs = target.get("SqsParameters")
    kinesis = target.get("KinesisParameters")
    http = target.get("HttpParameters")
    run = target.get("RunCommandParameters")
    body = {
        "target_id": target["Id"],
        "arn": arn_link(target.get("Arn")),
        "role_arn": target.get("RoleArn"),
        "input": target.get("Input"),
        "input_path": target.get("InputPath"),
        "input_transformer": Block({"input_paths": transformer.get("InputPathsMap"),
                                    "input_template": transformer.get("InputTemplate")}) if transformer else None,
        **tf_retry_and_dlq(target),
        "sqs_target": Block({"message_group_id": sqs.get("MessageGroupId")}) if sqs else None,
        "kinesis_target": Block({"partition_key_path": kinesis.get("PartitionKeyPath")}) if kinesis else None,
        "http_target": Block({"path_parameter_values": http.get("PathParameterValues"),
                              "header_parameters": http.get("HeaderParameters"),
                              "query_string_parameters": http.get("QueryStringParameters")}) if http else None,
        "run_command_targets": [Block({"key": t["Key"], "values": t["Values"]})
                                for t in (run or {}).get("RunCommandTargets") or []],
    }
    other = sorted(k for k in target if k.endswith("Parameters") and k not in
                   ("SqsParameters", "KinesisParameters", "HttpParameters", "RunCommandParameters"))
    for key in other:
        f.unsupported("Targets", f"target {target['Id']}: {key} is not translated for Terraform yet")
    return body


def rule_terraform(r: Resource, f: Fields, out: Out) -> None:
    name, bus, hint = _rule(f)
    pattern = f.get("EventPattern")
    out.block("aws_cloudwatch_event_rule", {
        "name": name,
        "event_bus_name": bus_link(bus),
        "description": f.get("Description"),
        "event_pattern": JsonEncode(pattern) if pattern else None,
        "schedule_expression": f.get("ScheduleExpression"),
        "state": f.get("State"),
        "role_arn": f.get("RoleArn"),
        "tags": f.get("Tags") or None,
    }, hint, import_id=name if bus == DEFAULT_BUS else f"{bus}/{name}")
    rule = name_link(r, name)
    for target in f.get("Targets") or []:
        body = {"rule": rule, "event_bus_name": bus_link(bus), **_tf_target(target, f)}
        out.block("aws_cloudwatch_event_target", body, f"{hint}-{target['Id']}",
                  import_id=f"{bus}/{name}/{target['Id']}")


SPECS = {
    "bus": IacSpec(
        cloudformation=bus_cloudformation, terraform=bus_terraform,
        cfn_types=("AWS::Events::EventBus", "AWS::Events::EventBusPolicy"),
        tf_types=("aws_cloudwatch_event_bus", "aws_cloudwatch_event_bus_policy"),
    ),
    "rule": IacSpec(
        cloudformation=rule_cloudformation, terraform=rule_terraform,
        cfn_types=("AWS::Events::Rule",),
        tf_types=("aws_cloudwatch_event_rule", "aws_cloudwatch_event_target"),
    ),
}
