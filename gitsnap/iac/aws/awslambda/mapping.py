"""Event source mappings: ``AWS::Lambda::EventSourceMapping``; ``aws_lambda_event_source_mapping``."""

from __future__ import annotations

from typing import Any

from ...model import Block, Fields, Link, Resource
from ...spec import Out

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
