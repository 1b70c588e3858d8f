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

from ...spec import IacSpec, Provides
from .function import function_cloudformation, function_terraform
from .layer import layer_cloudformation, layer_terraform, newest_version_arn
from .mapping import mapping_cloudformation, mapping_terraform
from .permissions import permission_of

__all__ = ["SPECS", "permission_of"]

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
        # a function names its layer by a version ARN: only the newest is the primary resource
        # (Ref and .arn give that version's ARN), so only it becomes a reference
        provides=(Provides("Versions", None, "arn", value=newest_version_arn),),
    ),
    "event-source-mapping": IacSpec(
        cloudformation=mapping_cloudformation, terraform=mapping_terraform,
        cfn_types=("AWS::Lambda::EventSourceMapping",), tf_types=("aws_lambda_event_source_mapping",),
    ),
}
