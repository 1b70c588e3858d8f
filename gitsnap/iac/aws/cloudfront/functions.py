"""CloudFront Functions and KeyValueStores (``AWS::CloudFront::Function``/``KeyValueStore``,
``aws_cloudfront_function``/``aws_cloudfront_key_value_store``), imported by name."""

from __future__ import annotations

from typing import Any

from ...model import Fields, Resource
from ...spec import LeftOut, Out
from ..common import tag_list as tags
from .common import blank, items, linked, no_tags_argument, references

_CODE_FILE = "code.js"


def _function_code(r: Resource, f: Fields, out: Out) -> Any:
    """The function's code as an artifact beside the output (never a sealed copy)."""
    code = f.get("Code") or {}
    blob = r.files.get(code.get("File") or _CODE_FILE)
    if not blob:
        raise LeftOut("its code is not in the snapshot in the clear (sealed or missing): "
                      "a function cannot be created without it")
    return out.artifact(blob, f"cloudfront/{r.account}/functions/{r.doc['Name']}.js", code.get("Size"), inline=True)


def _function_common(r: Resource, f: Fields, out: Out) -> dict[str, Any]:
    """What both formats write of a function: its name, configuration, whether it is published,
    the KeyValueStores it uses (links) and its code (an artifact)."""
    f.computed("FunctionARN", "Status", "status", "References")
    config = f.get("FunctionConfig") or {}
    name = f.get("Name")
    # LIVE: the code was published; only the DEVELOPMENT stage is recreated unless published again
    live = f.get("Stage") == "LIVE"
    refs = references(f)
    return {"name": name, "config": config, "live": live, "code": _function_code(r, f, out),
            "stores": [linked(a["KeyValueStoreARN"], refs) for a in items(config.get("KeyValueStoreAssociations"))]}


def function_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    c = _function_common(r, f, out)
    config = c["config"]
    props = {"Name": c["name"], "AutoPublish": c["live"], "FunctionCode": c["code"],
             "FunctionConfig": {"Comment": config.get("Comment", ""), "Runtime": config["Runtime"],
                                "KeyValueStoreAssociations": [{"KeyValueStoreARN": s} for s in c["stores"]]},
             "Tags": tags(f.get("Tags"))}
    out.resource("AWS::CloudFront::Function", props, c["name"],
                 identifier={"FunctionARN": r.doc.get("FunctionARN")} if r.doc.get("FunctionARN") else None)


def function_terraform(r: Resource, f: Fields, out: Out) -> None:
    c = _function_common(r, f, out)
    no_tags_argument(f, "aws_cloudfront_function")
    out.block("aws_cloudfront_function", {
        "name": c["name"], "runtime": c["config"]["Runtime"], "comment": c["config"].get("Comment"),
        "code": c["code"], "publish": c["live"], "key_value_store_associations": c["stores"]},
        c["name"], import_id=c["name"])


def _store_common(f: Fields) -> tuple[str, Any]:
    """A KeyValueStore's name and comment; its id, ARN and status are AWS's."""
    f.computed("Id", "ARN", "Status", "status")
    return f.get("Name"), blank(f.get("Comment"))


def key_value_store_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    name, comment = _store_common(f)
    out.resource("AWS::CloudFront::KeyValueStore", {"Name": name, "Comment": comment, "Tags": tags(f.get("Tags"))},
                 name, identifier={"Name": name})


def key_value_store_terraform(r: Resource, f: Fields, out: Out) -> None:
    name, comment = _store_common(f)
    no_tags_argument(f, "aws_cloudfront_key_value_store")
    out.block("aws_cloudfront_key_value_store", {"name": name, "comment": comment}, name, import_id=name)
