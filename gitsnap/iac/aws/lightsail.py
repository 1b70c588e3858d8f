"""Lightsail: instances (``AWS::Lightsail::Instance`` / ``aws_lightsail_instance``), static
IPs, DNS domains (Terraform only: CloudFormation has no Lightsail domain type) and instance
snapshots (left out: their disk data lives only in Lightsail).

An instance written as code comes up fresh from its blueprint: its disk (a WordPress site's
files and database) is not in the snapshot. To bring the disk back, create the instance from
an instance snapshot instead (``gitsnap capture --lightsail-snapshot`` takes one).
"""

from __future__ import annotations

from typing import Any

from ..model import Block, Fields, Link, Resource
from ..spec import IacSpec, LeftOut, Out, prune

# what Lightsail sets on an instance by itself (its bundle's hardware, its addresses, its state)
_INSTANCE_SET = ("arn", "createdAt", "publicIpAddress", "privateIpAddress", "ipv6Addresses", "isStaticIp",
                 "hardware", "state", "status", "location.regionName", "networking.monthlyTransfer",
                 "supportCode", "resourceType", "username")
_PORT_KEYS = {"fromPort": "FromPort", "toPort": "ToPort", "protocol": "Protocol", "cidrs": "Cidrs",
              "ipv6Cidrs": "Ipv6Cidrs", "cidrListAliases": "CidrListAliases"}
# answers about a port that follow from the others (the direction, a label for the CIDRs)
_PORT_DERIVED = ("networking.ports.*.accessFrom", "networking.ports.*.accessType", "networking.ports.*.commonName",
                 "networking.ports.*.accessDirection")


def _blk(body: dict[str, Any]) -> Block:
    return Block(prune(body))


def _instance(f: Fields) -> dict[str, Any]:
    f.computed(*_INSTANCE_SET, *_PORT_DERIVED)
    ports = [{cfn: p.get(api) for api, cfn in _PORT_KEYS.items()} for p in f.get("networking.ports") or []]
    addons = [{"AddOnType": a.get("name") or a.get("addOnType"),
               "AutoSnapshotAddOnRequest": {"SnapshotTimeOfDay": a["snapshotTimeOfDay"]}
               if a.get("snapshotTimeOfDay") else None}
              for a in f.get("addOns") or []]
    return {"name": f.get("name"), "blueprint": f.get("blueprintId"), "bundle": f.get("bundleId"),
            "zone": f.get("location.availabilityZone"), "key": f.get("sshKeyName"), "ports": ports,
            "addons": addons, "tags": f.get("tags") or {}}


def instance_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    i = _instance(f)
    out.resource("AWS::Lightsail::Instance", {
        "InstanceName": i["name"], "BlueprintId": i["blueprint"], "BundleId": i["bundle"],
        "AvailabilityZone": i["zone"], "KeyPairName": i["key"],
        "Networking": {"Ports": i["ports"]} if i["ports"] else None,
        "AddOns": i["addons"],
        "Tags": [{"Key": k, "Value": v} for k, v in sorted(i["tags"].items())],
    }, i["name"], identifier={"InstanceName": i["name"]})


def instance_terraform(r: Resource, f: Fields, out: Out) -> None:
    i = _instance(f)
    name = i["name"]
    addon = i["addons"][0] if i["addons"] else None
    out.block("aws_lightsail_instance", {
        "name": name, "availability_zone": i["zone"], "blueprint_id": i["blueprint"], "bundle_id": i["bundle"],
        "key_pair_name": i["key"],
        "add_on": _blk({"type": addon["AddOnType"], "status": "Enabled",
                        "snapshot_time": (addon["AutoSnapshotAddOnRequest"] or {}).get("SnapshotTimeOfDay")})
        if addon else None,
        "tags": i["tags"] or None}, name, import_id=name)
    if i["ports"]:
        # no import: the provider reads the ports of the instance it is given
        out.block("aws_lightsail_instance_public_ports", {
            "instance_name": Link(r.address, None, name, tf_attr="name"),
            "port_info": [_blk({"from_port": p["FromPort"], "to_port": p["ToPort"], "protocol": p["Protocol"],
                                "cidrs": p.get("Cidrs"), "ipv6_cidrs": p.get("Ipv6Cidrs"),
                                "cidr_list_aliases": p.get("CidrListAliases")}) for p in i["ports"]]}, name)


def _attached(f: Fields) -> str | None:
    attached = f.get("attachedTo")
    return attached if f.get("isAttached") and attached else None


def static_ip_cloudformation(r: Resource, f: Fields, out: Out) -> None:
    f.computed("arn", "ipAddress", "status")  # Lightsail allocates the address
    name = f.get("name")
    attached = _attached(f)
    out.resource("AWS::Lightsail::StaticIp", {
        "StaticIpName": name,
        "AttachedTo": Link(f"lightsail/{attached}", None, attached, tf_attr="name") if attached else None,
    }, name, identifier={"StaticIpName": name})


def static_ip_terraform(r: Resource, f: Fields, out: Out) -> None:
    f.computed("arn", "ipAddress", "status")
    name = f.get("name")
    attached = _attached(f)
    out.block("aws_lightsail_static_ip", {"name": name}, name, import_id=name)
    if attached:
        out.block("aws_lightsail_static_ip_attachment", {
            "static_ip_name": Link(r.address, None, name, tf_attr="name"),
            "instance_name": Link(f"lightsail/{attached}", None, attached, tf_attr="name")}, name, import_id=name)


def _relative(entry: str, domain: str) -> str:
    """A full entry name as the provider takes it: relative to the domain (``""`` for the apex)."""
    entry, domain = entry.rstrip(".").lower(), domain.rstrip(".").lower()
    if entry == domain:
        return ""
    return entry[: -len(domain) - 1] if entry.endswith("." + domain) else entry


def domain_terraform(r: Resource, f: Fields, out: Out) -> None:
    f.computed("arn", "status", "domainEntries.*.id", "domainEntries.*.options")
    domain = f.get("name")
    out.block("aws_lightsail_domain", {"domain_name": domain}, domain)  # the provider cannot import one
    this = Link(r.address, None, domain, tf_attr="domain_name")
    for e in f.get("domainEntries") or []:
        if e.get("type") in ("NS", "SOA") and _relative(e.get("name", ""), domain) == "":
            continue  # Lightsail makes the zone's own delegation records
        name = _relative(e["name"], domain)
        out.block("aws_lightsail_domain_entry", {
            "domain_name": this, "name": name, "type": e["type"], "target": e.get("target"),
            "is_alias": e.get("isAlias") or None}, f"{domain}-{name or 'apex'}-{e['type']}",
            import_id=f"{name},{domain},{e['type']},{e.get('target')}")


def snapshot_left_out(r: Resource, f: Fields, out: Out) -> None:
    f.computed("arn", "createdAt", "sizeInGb", "status", "state")
    raise LeftOut("an instance snapshot's disk data lives only in Lightsail: it cannot be written as code "
                  "(create an instance from it with aws lightsail create-instances-from-snapshot)")


SPECS = {
    "instance": IacSpec(
        cloudformation=instance_cloudformation, terraform=instance_terraform,
        cfn_types=("AWS::Lightsail::Instance",),
        tf_types=("aws_lightsail_instance", "aws_lightsail_instance_public_ports"),
        tf_no_import=("aws_lightsail_instance_public_ports",)),
    "static-ip": IacSpec(
        cloudformation=static_ip_cloudformation, terraform=static_ip_terraform,
        cfn_types=("AWS::Lightsail::StaticIp",), tf_types=("aws_lightsail_static_ip", "aws_lightsail_static_ip_attachment")),
    "domain": IacSpec(
        terraform=domain_terraform,
        why_not={"cloudformation": "CloudFormation has no type for a Lightsail DNS domain (AWS::Lightsail has no "
                                   "Domain resource): gitsnap restore recreates its entries, or use Terraform"},
        tf_types=("aws_lightsail_domain", "aws_lightsail_domain_entry"), tf_no_import=("aws_lightsail_domain",)),
    "snapshot": IacSpec(cloudformation=snapshot_left_out, terraform=snapshot_left_out),
}
