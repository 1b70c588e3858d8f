"""A function's configuration (GetFunctionConfiguration) as ``AWS::Lambda::Function``'s properties
and as ``aws_lambda_function``'s arguments."""

from __future__ import annotations

from typing import Any

from ...model import Block, Fields

# Configuration fields the service sets by itself (or that only name the code the zip holds).
_COMPUTED = ("FunctionArn", "CodeSize", "CodeSha256", "Version", "MasterArn", "RevisionId", "LastModified",
             "State", "StateReason", "StateReasonCode", "LastUpdateStatus", "LastUpdateStatusReason",
             "LastUpdateStatusReasonCode", "SigningProfileVersionArn", "SigningJobArn", "RuntimeVersionConfig",
             "SnapStart.OptimizationStatus", "VpcConfig.VpcId", "Environment.Error", "ImageConfigResponse.Error")
# Configuration fields CloudFormation takes under the same name and shape.
_SAME = ("Handler", "Runtime", "Description", "Timeout", "MemorySize", "PackageType", "Architectures",
         "EphemeralStorage", "TracingConfig", "DeadLetterConfig", "FileSystemConfigs", "LoggingConfig",
         "TenancyConfig", "CapacityProviderConfig", "DurableConfig")


def _vpc(config: dict[str, Any]) -> dict[str, Any] | None:
    vpc = config.get("VpcConfig") or {}
    if not (vpc.get("SubnetIds") or vpc.get("SecurityGroupIds")):
        return None
    return {k: vpc[k] for k in ("SubnetIds", "SecurityGroupIds", "Ipv6AllowedForDualStack") if k in vpc}


def config_cloudformation(f: Fields) -> dict[str, Any]:
    """The configuration's properties under CloudFormation's names."""
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


def config_terraform(f: Fields) -> dict[str, Any]:
    """The configuration's arguments under the provider's names (what it cannot take, reported)."""
    c = config_cloudformation(f)
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
