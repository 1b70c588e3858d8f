"""Lambda: functions, layers and event source mappings.

A function becomes ``AWS::Lambda::Function`` (its zip written beside the template as an
artifact, ``aws cloudformation package`` style) with one ``AWS::Lambda::Permission`` per
statement of its resource policies (the function's and each alias's), an
``AWS::Lambda::Alias`` per alias, an ``AWS::Lambda::Version`` per published version that holds
the function's current code, and an ``AWS::Lambda::Url`` per URL config; in Terraform the
matching ``aws_lambda_*`` blocks. Its role and layers are :class:`~..model.Link` s to the IAM
role and the layer of the snapshot. Environment values pass through as they are: the writers
turn redaction markers into ``NoEcho`` parameters / sensitive variables.

What cannot come back as it was is said per field: a published version holding older code
(CloudFormation publishes only the current code; Terraform has no version resource), a code
package gitsnap sealed (it holds a secret: ``gitsnap restore`` puts it back), version numbers
(Lambda numbers versions itself: in a fresh account they are 1, 2, ... in publish order).
"""

from __future__ import annotations

from typing import Any

from ..model import Block, Fields, Link, Resource
from ..spec import IacSpec, LeftOut, Out

LATEST = "$LATEST"

# Configuration fields the service sets by itself (or that only name the code the zip holds).
_COMPUTED = ("FunctionArn", "CodeSize", "CodeSha256", "Version", "MasterArn", "RevisionId", "LastModified",
             "State", "StateReason", "StateReasonCode", "LastUpdateStatus", "LastUpdateStatusReason",
             "LastUpdateStatusReasonCode", "SigningProfileVersionArn", "SigningJobArn", "RuntimeVersionConfig",
             "SnapStart.OptimizationStatus", "VpcConfig.VpcId", "Environment.Error", "ImageConfigResponse.Error")
# Configuration fields CloudFormation takes under the same name and shape.
_SAME = ("Handler", "Runtime", "Description", "Timeout", "MemorySize", "PackageType", "Architectures",
         "EphemeralStorage", "TracingConfig", "DeadLetterConfig", "FileSystemConfigs", "LoggingConfig",
         "TenancyConfig", "CapacityProviderConfig", "DurableConfig")


def _tags(tags: dict[str, str] | None) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted((tags or {}).items())]


def _fn_arn(r: Resource) -> Link:
    """The function's ARN: ``!GetAtt Fn.Arn`` / ``aws_lambda_function.x.arn``."""
    return Link(r.address, "Arn", r.doc["Configuration"]["FunctionArn"], tf_attr="arn")


def _fn_name(r: Resource) -> Link:
    return Link(r.address, None, r.doc["Configuration"]["FunctionName"], tf_attr="function_name")


def _role(f: Fields) -> Any:
    arn = f.get("Configuration.Role")
    address = f.get("RoleAddress")
    return Link(address, "Arn", arn, tf_attr="arn") if address else arn


def _layers(f: Fields) -> list[Any]:
    """Each layer ARN, a Link to the snapshot's layer when it is that layer's newest version
    (the layer's primary resource); an older version or another account's layer as recorded."""
    known = f.get("LayerAddresses") or {}
    out: list[Any] = []
    for layer in f.get("Configuration.Layers") or []:
        arn = layer["Arn"]
        out.append(Link(known[arn], None, arn, tf_attr="arn") if arn in known else arn)
    return out


def _code(r: Resource, f: Fields, out: Out) -> Any:
    """The function's code: an Artifact for a zip, the image URI for a container image."""
    image = f.get("ImageUri")
    if image:
        return {"ImageUri": image}
    code = f.get("Code") or {}
    if code.get("sealed"):
        raise LeftOut("its code package is sealed (a file in it holds a secret), so it cannot be written "
                      "beside the code; gitsnap restore puts it back")
    if not code.get("blob"):
        raise LeftOut("the snapshot holds no code package for this function")
    name = f.get("Configuration.FunctionName")
    return out.artifact(code["blob"], f"lambda/{r.account}/{r.region}/{name}.zip", code.get("size"))


def _vpc(config: dict[str, Any]) -> dict[str, Any] | None:
    vpc = config.get("VpcConfig") or {}
    if not (vpc.get("SubnetIds") or vpc.get("SecurityGroupIds")):
        return None
    return {k: vpc[k] for k in ("SubnetIds", "SecurityGroupIds", "Ipv6AllowedForDualStack") if k in vpc}


# -- resource policy statements ------------------------------------------------------------------

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


def _statements(f: Fields) -> list[tuple[str | None, dict[str, Any]]]:
    """(alias or None, statement) of the function's policy and each alias's."""
    found = [(None, st) for st in (f.get("Policy") or {}).get("Statement") or []]
    for alias, policy in sorted((f.get("AliasPolicies") or {}).items()):
        found += [(alias, st) for st in (policy or {}).get("Statement") or []]
    return found


def _odd_statements(f: Fields, odd: list[str]) -> None:
    if odd:
        f.unsupported("Policy", "statements AddPermission cannot make (a Deny, several actions or another "
                                f"condition) are not emitted: {', '.join(odd)}")


# -- CloudFormation ------------------------------------------------------------------------------

def _config_cloudformation(f: Fields) -> dict[str, Any]:
    config = f.get_quiet("Configuration") or {}  # not get(): that would cover every field under it
    f.computed(*(f"Configuration.{k}" for k in _COMPUTED))
    props = {k: f.get(f"Configuration.{k}") for k in _SAME}
    image = f.get("Configuration.ImageConfigResponse.ImageConfig")
    snap = f.get("Configuration.SnapStart.ApplyOn")
    props.update({
        "Environment": {"Variables": f.get("Configuration.Environment.Variables")}
        if f.get("Configuration.Environment.Variables") else None,
        "KmsKeyArn": f.get("Configuration.KMSKeyArn"),
        "VpcConfig": _vpc(config),
        "ImageConfig": image or None,
        "SnapStart": {"ApplyOn": snap} if snap and snap != "None" else None,
    })
    f.get("Configuration.VpcConfig")
    if props.get("Description") == "":
        props["Description"] = None
    return props


def function_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("Configuration.FunctionName")
    f.computed("status", "UrlConfigs.*.FunctionUrl")
    props = {
        "FunctionName": name,
        "Code": _code(r, f, out),
        "Role": _role(f),
        **_config_cloudformation(f),
        "Layers": _layers(f),
        "ReservedConcurrentExecutions": f.get("ReservedConcurrency"),
        "Tags": _tags(f.get("Tags")),
    }
    out.resource("AWS::Lambda::Function", props, name, identifier={"FunctionName": name})
    arn = f.get("Configuration.FunctionArn")
    aliases = [a["Name"] for a in f.get("Aliases") or []]
    emitted_versions = _versions_cloudformation(r, f, out, name)
    for alias in f.get("Aliases") or []:
        weights = ((alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {})
        version = alias.get("FunctionVersion")
        out.resource("AWS::Lambda::Alias", {
            "FunctionName": _fn_name(r), "Name": alias["Name"], "FunctionVersion": version,
            "Description": alias.get("Description") or None,
            "RoutingConfig": {"AdditionalVersionWeights": [{"FunctionVersion": v, "FunctionWeight": w}
                                                           for v, w in sorted(weights.items())]} if weights else None,
        }, f"{name}-{alias['Name']}", identifier={"AliasArn": f"{arn}:{alias['Name']}"},
            depends_on=[emitted_versions[v] for v in [version, *weights] if v in emitted_versions])
    odd = []
    for alias, st in _statements(f):
        perm = permission_of(st)
        if perm is None:
            odd.append(str(st.get("Sid")))
            continue
        target = (_fn_arn(r) if alias is None else {"Fn::Join": [":", [_fn_arn(r), alias]]})
        out.resource("AWS::Lambda::Permission", {"FunctionName": target, **perm},
                     f"{name}-{alias + '-' if alias else ''}{st.get('Sid', 'permission')}",
                     identifier={"FunctionName": arn if alias is None else f"{arn}:{alias}", "Id": st.get("Sid")},
                     depends_on=[f"{name}-{alias}"] if alias in aliases else None)
    _odd_statements(f, odd)
    for qualifier, url in sorted((f.get("UrlConfigs") or {}).items()):
        q = None if qualifier == LATEST else qualifier
        out.resource("AWS::Lambda::Url", {
            "TargetFunctionArn": _fn_arn(r), "Qualifier": q, "AuthType": url.get("AuthType"),
            "InvokeMode": url.get("InvokeMode"), "Cors": url.get("Cors") or None,
        }, f"{name}-url{'-' + q if q else ''}", identifier={"FunctionArn": arn if q is None else f"{arn}:{q}"},
            depends_on=[f"{name}-{q}"] if q in aliases else None)


def _versions_cloudformation(r: Resource, f: Fields, out: Out, name: str) -> dict[str, str]:
    """One AWS::Lambda::Version per published version that holds the function's current code,
    each after the one before (Lambda numbers them in publish order). Returns version -> hint."""
    current = f.get("Configuration.CodeSha256")
    emitted: dict[str, str] = {}
    older = []
    previous: str | None = None
    for v in sorted(f.get("Versions") or [], key=lambda v: int(v["Version"]) if str(v["Version"]).isdigit() else 0):
        number = str(v["Version"])
        if v.get("CodeSha256") != current:
            older.append(number)
            continue
        hint = f"{name}-v{number}"
        out.resource("AWS::Lambda::Version", {"FunctionName": _fn_name(r), "Description": v.get("Description") or None,
                                              "CodeSha256": current},
                     hint, identifier={"FunctionArn": v.get("FunctionArn") or f"{r.doc['Configuration']['FunctionArn']}:{number}"},
                     depends_on=[previous] if previous else None)
        emitted[number] = hint
        previous = hint
    if older:
        f.unsupported("Versions", f"versions {', '.join(older)} hold older code than the function: CloudFormation "
                                  "publishes only the current code")
    return emitted


# -- Terraform -----------------------------------------------------------------------------------

def _tf_config(f: Fields) -> dict[str, Any]:
    c = _config_cloudformation(f)
    vpc, image, logging = c.get("VpcConfig"), c.get("ImageConfig"), c.get("LoggingConfig")
    env = (c.get("Environment") or {}).get("Variables")
    for unsupported in ("TenancyConfig", "CapacityProviderConfig", "DurableConfig"):
        if c.get(unsupported):
            f.unsupported(f"Configuration.{unsupported}", "not translated for Terraform yet")
    return {
        "handler": c.get("Handler"), "runtime": c.get("Runtime"), "description": c.get("Description"),
        "timeout": c.get("Timeout"), "memory_size": c.get("MemorySize"), "package_type": c.get("PackageType"),
        "architectures": c.get("Architectures"), "kms_key_arn": c.get("KmsKeyArn"),
        "environment": Block({"variables": env}) if env else None,
        "vpc_config": Block({"subnet_ids": vpc.get("SubnetIds"), "security_group_ids": vpc.get("SecurityGroupIds"),
                             "ipv6_allowed_for_dual_stack": vpc.get("Ipv6AllowedForDualStack")}) if vpc else None,
        "dead_letter_config": Block({"target_arn": c["DeadLetterConfig"]["TargetArn"]})
        if (c.get("DeadLetterConfig") or {}).get("TargetArn") else None,
        "tracing_config": Block({"mode": c["TracingConfig"]["Mode"]}) if (c.get("TracingConfig") or {}).get("Mode") else None,
        "file_system_config": [Block({"arn": fs["Arn"], "local_mount_path": fs["LocalMountPath"]})
                               for fs in c.get("FileSystemConfigs") or []],
        "image_config": Block({"command": image.get("Command"), "entry_point": image.get("EntryPoint"),
                               "working_directory": image.get("WorkingDirectory")}) if image else None,
        "ephemeral_storage": Block({"size": c["EphemeralStorage"]["Size"]}) if c.get("EphemeralStorage") else None,
        "snap_start": Block({"apply_on": c["SnapStart"]["ApplyOn"]}) if c.get("SnapStart") else None,
        "logging_config": Block({"log_format": logging.get("LogFormat"),
                                 "application_log_level": logging.get("ApplicationLogLevel"),
                                 "system_log_level": logging.get("SystemLogLevel"),
                                 "log_group": logging.get("LogGroup")}) if logging else None,
    }


def function_terraform(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("Configuration.FunctionName")
    f.computed("status", "UrlConfigs.*.FunctionUrl")
    code = _code(r, f, out)
    body = {
        "function_name": name, "role": _role(f),
        "filename": code if not isinstance(code, dict) else None,
        # the hash of the recorded code: an imported function is then not given its code again
        "source_code_hash": f.get("Configuration.CodeSha256") if not isinstance(code, dict) else None,
        "image_uri": code.get("ImageUri") if isinstance(code, dict) else None,
        **_tf_config(f),
        "layers": _layers(f),
        "reserved_concurrent_executions": f.get("ReservedConcurrency"),
        "tags": f.get("Tags") or None,
    }
    out.block("aws_lambda_function", body, name, import_id=name)
    if f.get("Versions"):
        f.unsupported("Versions", "the AWS provider has no resource for a published version (aws_lambda_function "
                                  "publish = true publishes one per change); aliases name the recorded numbers")
    for alias in f.get("Aliases") or []:
        weights = ((alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {})
        out.block("aws_lambda_alias", {
            "name": alias["Name"], "function_name": _fn_name(r), "function_version": alias.get("FunctionVersion"),
            "description": alias.get("Description") or None,
            "routing_config": Block({"additional_version_weights": dict(sorted(weights.items()))}) if weights else None,
        }, f"{name}-{alias['Name']}", import_id=f"{name}/{alias['Name']}")
    odd = []
    for alias, st in _statements(f):
        perm = permission_of(st)
        if perm is None or not st.get("Sid"):
            odd.append(str(st.get("Sid")))
            continue
        sid = st["Sid"]
        out.block("aws_lambda_permission", {
            "statement_id": sid, "action": perm["Action"], "function_name": _fn_name(r), "principal": perm["Principal"],
            "qualifier": alias, "source_arn": perm.get("SourceArn"), "source_account": perm.get("SourceAccount"),
            "principal_org_id": perm.get("PrincipalOrgID"), "event_source_token": perm.get("EventSourceToken"),
            "function_url_auth_type": perm.get("FunctionUrlAuthType"),
        }, f"{name}-{alias + '-' if alias else ''}{sid}",
            import_id=f"{name}{':' + alias if alias else ''}/{sid}")
        if perm.get("InvokedViaFunctionUrl"):
            odd.append(f"{sid} (lambda:InvokedViaFunctionUrl has no aws_lambda_permission argument)")
    _odd_statements(f, odd)
    for qualifier, url in sorted((f.get("UrlConfigs") or {}).items()):
        q = None if qualifier == LATEST else qualifier
        cors = url.get("Cors") or {}
        out.block("aws_lambda_function_url", {
            "function_name": _fn_name(r), "qualifier": q, "authorization_type": url.get("AuthType"),
            "invoke_mode": url.get("InvokeMode"),
            "cors": Block({"allow_credentials": cors.get("AllowCredentials"), "allow_headers": cors.get("AllowHeaders"),
                           "allow_methods": cors.get("AllowMethods"), "allow_origins": cors.get("AllowOrigins"),
                           "expose_headers": cors.get("ExposeHeaders"), "max_age": cors.get("MaxAge")}) if cors else None,
        }, f"{name}-url{'-' + q if q else ''}", import_id=name if q is None else f"{name}/{q}")


# -- layers --------------------------------------------------------------------------------------

def _layer_principal(principal: Any) -> Any:
    """A layer statement's principal as AddLayerVersionPermission takes it: an account id or ``*``."""
    if isinstance(principal, dict):
        principal = principal.get("AWS")
    if isinstance(principal, str) and principal.startswith("arn:") and principal.endswith(":root"):
        return principal.split(":")[4]
    return principal


def _layer_grants(policy: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """(grants, odd statement ids) of a layer version's policy: each grant {Sid, Action,
    Principal, OrganizationId}. Pure."""
    grants, odd = [], []
    for st in (policy or {}).get("Statement") or []:
        principal = _layer_principal(st.get("Principal"))
        cond = st.get("Condition") or {}
        org = (cond.get("StringEquals") or {}).get("aws:PrincipalOrgID")
        other = {k: v for k, v in cond.items() if k != "StringEquals"} or \
            {k for k in (cond.get("StringEquals") or {}) if k != "aws:PrincipalOrgID"}
        if st.get("Effect") != "Allow" or not isinstance(principal, str) or not isinstance(st.get("Action"), str) or other:
            odd.append(str(st.get("Sid")))
            continue
        grants.append({"Sid": st.get("Sid"), "Action": st["Action"], "Principal": principal, "OrganizationId": org})
    return grants, odd


def _layer_versions(r: Resource, f: Fields) -> tuple[list[dict[str, Any]], list[str]]:
    """The versions that can be written (newest first: the newest is the layer's primary
    resource, the one a function's Link refers to) and notes on those that cannot."""
    versions, notes = [], []
    for v in f.get("Versions") or []:
        code = v.get("Code") or {}
        if code.get("blob"):
            versions.append(v)
        else:
            notes.append(f"version {v.get('Version')}: " + ("its content is sealed (a file in it holds a secret)"
                                                           if code.get("sealed") else "the snapshot holds no content"))
    if not versions:
        raise LeftOut("no version of this layer has content the output can carry: " + "; ".join(notes))
    return sorted(versions, key=lambda v: -int(v["Version"])), notes


def layer_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("LayerName")
    f.computed("LayerArn", "status")
    versions, notes = _layer_versions(r, f)
    hints = {v["Version"]: f"{name}-{v['Version']}" for v in versions}
    ordered = sorted(hints)
    odd_all = []
    for v in versions:
        number = v["Version"]
        art = out.artifact(v["Code"]["blob"], f"lambda/{r.account}/{r.region}/layers/{name}/{number}.zip",
                           v["Code"].get("size"))
        before = [hints[n] for n in ordered if n < number][-1:]
        out.resource("AWS::Lambda::LayerVersion", {
            "LayerName": name, "Content": art, "Description": v.get("Description") or None,
            "LicenseInfo": v.get("LicenseInfo"), "CompatibleRuntimes": v.get("CompatibleRuntimes"),
            "CompatibleArchitectures": v.get("CompatibleArchitectures"),
        }, hints[number], identifier={"LayerVersionArn": v.get("LayerVersionArn")}, depends_on=before)
        grants, odd = _layer_grants(v.get("Policy"))
        odd_all += [f"version {number} {s}" for s in odd]
        primary = number == versions[0]["Version"]
        for g in grants:
            arn = Link(r.address, None, v["LayerVersionArn"], tf_attr="arn") if primary else v["LayerVersionArn"]
            out.resource("AWS::Lambda::LayerVersionPermission", {
                "LayerVersionArn": arn, "Action": g["Action"], "Principal": g["Principal"],
                "OrganizationId": g["OrganizationId"]}, f"{name}-{number}-{g['Sid'] or 'grant'}",
                depends_on=None if primary else [hints[number]])
    _layer_notes(f, notes, odd_all)


def _layer_notes(f: Fields, notes: list[str], odd: list[str]) -> None:
    if odd:
        notes.append("permission statements with another shape than AddLayerVersionPermission makes: " + ", ".join(odd))
    f.computed("Versions.*.Version", "Versions.*.LayerVersionArn", "Versions.*.Content", "Versions.*.Code")
    if notes:
        f.unsupported("Versions", "; ".join(notes) + " (numbers are Lambda's: a fresh account numbers them 1, 2, ...)")


def layer_terraform(r: Resource, f: Fields, out: Out) -> None:
    name = f.get("LayerName")
    f.computed("LayerArn", "status")
    versions, notes = _layer_versions(r, f)
    odd_all = []
    for v in versions:
        number = v["Version"]
        art = out.artifact(v["Code"]["blob"], f"lambda/{r.account}/{r.region}/layers/{name}/{number}.zip",
                           v["Code"].get("size"))
        out.block("aws_lambda_layer_version", {
            "layer_name": name, "filename": art, "source_code_hash": (v.get("Content") or {}).get("CodeSha256"),
            "description": v.get("Description") or None, "license_info": v.get("LicenseInfo"),
            "compatible_runtimes": v.get("CompatibleRuntimes"),
            "compatible_architectures": v.get("CompatibleArchitectures"),
        }, f"{name}-{number}", import_id=v.get("LayerVersionArn"))
        grants, odd = _layer_grants(v.get("Policy"))
        odd_all += [f"version {number} {s}" for s in odd]
        # the provider imports a version's permission by layer and version alone: one per version
        odd_all += [f"version {number} {g['Sid']} (Terraform keeps one permission per version)" for g in grants[1:]]
        for g in grants[:1]:
            layer_arn = v["LayerVersionArn"].rsplit(":", 1)[0]
            out.block("aws_lambda_layer_version_permission", {
                "layer_name": layer_arn, "version_number": number, "statement_id": g["Sid"],
                "action": g["Action"], "principal": g["Principal"], "organization_id": g["OrganizationId"],
            }, f"{name}-{number}-{g['Sid'] or 'grant'}", import_id=f"{layer_arn},{number}")
    _layer_notes(f, notes, odd_all)


# -- event source mappings -----------------------------------------------------------------------

# Mapping fields CloudFormation takes under the same name and shape.
_ESM_SAME = ("BatchSize", "BisectBatchOnFunctionError", "Enabled", "EventSourceArn", "FilterCriteria",
             "FunctionResponseTypes", "MaximumBatchingWindowInSeconds", "MaximumRecordAgeInSeconds",
             "MaximumRetryAttempts", "ParallelizationFactor", "Queues", "ScalingConfig", "SelfManagedEventSource",
             "SelfManagedKafkaEventSourceConfig", "AmazonManagedKafkaEventSourceConfig", "SourceAccessConfigurations",
             "StartingPosition", "StartingPositionTimestamp", "Topics", "TumblingWindowInSeconds",
             "DocumentDBEventSourceConfig", "MetricsConfig", "ProvisionedPollerConfig", "LoggingConfig")
_ESM_COMPUTED = ("UUID", "EventSourceMappingArn", "FunctionAddress", "LastModified", "State", "StateTransitionReason",
                 "LastProcessingResult", "FilterCriteriaError", "status")


def _esm_function(f: Fields) -> Any:
    arn = f.get("FunctionArn")
    address = f.get("FunctionAddress")
    qualified = len((arn or "").split(":")) > 7
    return Link(address, "Arn", arn, tf_attr="arn") if address and not qualified else arn


def _on_failure(f: Fields) -> str | None:
    dest = f.get("DestinationConfig") or {}
    if (dest.get("OnSuccess") or {}).get("Destination"):
        f.unsupported("DestinationConfig.OnSuccess", "an on-success destination has no property in "
                                                     "CloudFormation or the AWS provider")
    return (dest.get("OnFailure") or {}).get("Destination")


def mapping_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    f.computed(*_ESM_COMPUTED)
    uuid = r.doc["UUID"]
    props = {"FunctionName": _esm_function(f), **{k: f.get(k) for k in _ESM_SAME}, "KmsKeyArn": f.get("KMSKeyArn")}
    failure = _on_failure(f)
    props["DestinationConfig"] = {"OnFailure": {"Destination": failure}} if failure else None
    out.resource("AWS::Lambda::EventSourceMapping", props, f"mapping-{uuid}", identifier={"Id": uuid})


def mapping_terraform(r: Resource, f: Fields, out: Out) -> None:
    f.computed(*_ESM_COMPUTED)
    uuid = r.doc["UUID"]
    g = f.get
    failure = _on_failure(f)
    filters = (g("FilterCriteria") or {}).get("Filters") or []
    kafka = g("AmazonManagedKafkaEventSourceConfig") or {}
    self_kafka = g("SelfManagedKafkaEventSourceConfig") or {}
    docdb = g("DocumentDBEventSourceConfig") or {}
    poller = g("ProvisionedPollerConfig") or {}
    for unsupported in ("SchemaRegistryConfig", "ConsumptionMode"):
        if kafka.get(unsupported) or self_kafka.get(unsupported):
            f.unsupported("AmazonManagedKafkaEventSourceConfig" if kafka.get(unsupported)
                          else "SelfManagedKafkaEventSourceConfig", f"{unsupported} is not translated for Terraform yet")
    if g("LoggingConfig"):
        f.unsupported("LoggingConfig", "not translated for Terraform yet")
    body = {
        "function_name": _esm_function(f), "event_source_arn": g("EventSourceArn"), "enabled": g("Enabled"),
        "batch_size": g("BatchSize"), "maximum_batching_window_in_seconds": g("MaximumBatchingWindowInSeconds"),
        "starting_position": g("StartingPosition"), "starting_position_timestamp": g("StartingPositionTimestamp"),
        "parallelization_factor": g("ParallelizationFactor"),
        "maximum_record_age_in_seconds": g("MaximumRecordAgeInSeconds"),
        "bisect_batch_on_function_error": g("BisectBatchOnFunctionError"),
        "maximum_retry_attempts": g("MaximumRetryAttempts"), "tumbling_window_in_seconds": g("TumblingWindowInSeconds"),
        "function_response_types": g("FunctionResponseTypes"), "topics": g("Topics"), "queues": g("Queues"),
        "kms_key_arn": g("KMSKeyArn"),
        "filter_criteria": Block({"filter": [Block({"pattern": x.get("Pattern")}) for x in filters]}) if filters else None,
        "destination_config": Block({"on_failure": Block({"destination_arn": failure})}) if failure else None,
        "scaling_config": Block({"maximum_concurrency": g("ScalingConfig")["MaximumConcurrency"]})
        if (g("ScalingConfig") or {}).get("MaximumConcurrency") else None,
        "source_access_configuration": [Block({"type": s["Type"], "uri": s["URI"]})
                                        for s in g("SourceAccessConfigurations") or []],
        "self_managed_event_source": Block({"endpoints": {k: ",".join(v) for k, v in
                                                          (g("SelfManagedEventSource").get("Endpoints") or {}).items()}})
        if g("SelfManagedEventSource") else None,
        "amazon_managed_kafka_event_source_config": Block({"consumer_group_id": kafka.get("ConsumerGroupId")})
        if kafka.get("ConsumerGroupId") else None,
        "self_managed_kafka_event_source_config": Block({"consumer_group_id": self_kafka.get("ConsumerGroupId")})
        if self_kafka.get("ConsumerGroupId") else None,
        "document_db_event_source_config": Block({"collection_name": docdb.get("CollectionName"),
                                                  "database_name": docdb.get("DatabaseName"),
                                                  "full_document": docdb.get("FullDocument")}) if docdb else None,
        "metrics_config": Block({"metrics": g("MetricsConfig")["Metrics"]})
        if (g("MetricsConfig") or {}).get("Metrics") else None,
        "provisioned_poller_config": Block({"minimum_pollers": poller.get("MinimumPollers"),
                                            "maximum_pollers": poller.get("MaximumPollers")}) if poller else None,
    }
    out.block("aws_lambda_event_source_mapping", body, f"mapping-{uuid}", import_id=uuid)


SPECS = {
    "function": IacSpec(
        cloudformation=function_cloudformation, terraform=function_terraform,
        cfn_types=("AWS::Lambda::Function", "AWS::Lambda::Alias", "AWS::Lambda::Version", "AWS::Lambda::Permission",
                   "AWS::Lambda::Url"),
        tf_types=("aws_lambda_function", "aws_lambda_alias", "aws_lambda_permission", "aws_lambda_function_url"),
    ),
    "layer": IacSpec(
        cloudformation=layer_cloudformation, terraform=layer_terraform,
        cfn_types=("AWS::Lambda::LayerVersion", "AWS::Lambda::LayerVersionPermission"),
        tf_types=("aws_lambda_layer_version", "aws_lambda_layer_version_permission"),
    ),
    "event-source-mapping": IacSpec(
        cloudformation=mapping_cloudformation, terraform=mapping_terraform,
        cfn_types=("AWS::Lambda::EventSourceMapping",), tf_types=("aws_lambda_event_source_mapping",),
    ),
}
