# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private endpoints: read one, read its members from its network interface, shape results.

A private endpoint's network interface is the source of truth for the DNS records the
Private Link procedures ask for: each of its IP configurations carries
``privateLinkConnectionProperties`` (``groupId``, ``requiredMemberName``, ``fqdns``) and the
private IP given to that member. For a container registry there is one member for the
registry itself (``registry`` -> ``<reg>.azurecr.io``) and one per geo-replica region
(``registry_data_<region>`` -> ``<reg>.<region>.data.azurecr.io``).

Used by private_endpoint, private_endpoint_info and any module that verifies an endpoint.

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations


from ansible_collections.privnet.azure.plugins.module_utils._ids import parse_resource_id
from ansible_collections.privnet.azure.plugins.module_utils._diff import text
from ansible_collections.privnet.azure.plugins.module_utils._privatelink import KNOWN_AFTER_APPLY, predicted_fqdns

NETWORK = "Microsoft.Network"
REGISTRY_TYPE = "Microsoft.ContainerRegistry/registries"
PRIVATE_LINK_SERVICE_TYPE = "Microsoft.Network/privateLinkServices"


def describe(resource_group, name) -> str:
    return f"private endpoint '{name}' (resource group '{resource_group}')"


def location_key(value):
    """Azure accepts "West Europe" and "westeurope" alike; compare them so."""
    return str(value or "").replace(" ", "").lower() or None


def connection_of(endpoint):
    """``(connection, manual)``: the endpoint's private link service connection, auto-approved
    or manual. An endpoint has exactly one (Azure allows a single connection)."""
    auto = list(endpoint.private_link_service_connections or [])
    manual = list(endpoint.manual_private_link_service_connections or [])
    if auto:
        return auto[0], False
    if manual:
        return manual[0], True
    return None, False


def network_interface_id(endpoint):
    nics = list(endpoint.network_interfaces or [])
    return nics[0].id if nics and nics[0].id else None


def read_network_interface(module, endpoint):
    """The endpoint's network interface model, or None (not created yet, or already gone).
    One GET."""
    nic_id = network_interface_id(endpoint)
    if not nic_id:
        return None
    rid = parse_resource_id(nic_id, "network interface id")
    client = module.client("network", subscription_id=rid.subscription)
    return module.get_or_none(client.network_interfaces.get, rid.resource_group, rid.name,
                              what=f"reading network interface '{rid.name}' of private endpoint '{endpoint.name}'")


def members(nic):
    """The endpoint's members, from its network interface: for each IP configuration that
    serves a private link member, ``{group_id, required_member_name, private_ip, fqdns}``."""
    result = []
    for config in (nic.ip_configurations or []) if nic is not None else []:
        link = config.private_link_connection_properties
        if link is None:
            continue
        result.append({
            "group_id": link.group_id,
            "required_member_name": link.required_member_name,
            "private_ip": config.private_ip_address,
            "fqdns": [f.rstrip(".").lower() for f in link.fqdns or []],
        })
    return result


def read_members(module, endpoint):
    """One GET of the endpoint's network interface; its members ([] when it has none yet)."""
    return members(read_network_interface(module, endpoint))


def predicted_members(module, target, group_ids, static_ips):
    """The members an endpoint to ``target`` (a ResourceId) will have once created, for check mode:
    for a registry, from its private link resources (one read: the registry and one data member per
    replica region), with the static address asked for or KNOWN_AFTER_APPLY. [] for other targets,
    whose member names are not known before the endpoint exists."""
    if target.full_type.lower() != REGISTRY_TYPE.lower():
        return []
    client = module.client("containerregistry", subscription_id=target.subscription)
    resources = module.get_or_none(
        lambda: list(client.registries.list_private_link_resources(target.resource_group, target.name)),
        what=f"listing the private link resources of registry '{target.name}'") or []
    addresses = {(c["group_id"].lower(), c["member_name"].lower()): c["private_ip_address"] for c in static_ips or []}
    result = []
    for resource in resources:
        # azure-mgmt-containerregistry 15 nests these under .properties; older versions flatten them.
        link = getattr(resource, "properties", None) or resource
        group_id = link.group_id or ""
        if group_id.lower() not in [g.lower() for g in group_ids]:
            continue
        for member in link.required_members or []:
            result.append({
                "group_id": group_id,
                "required_member_name": member,
                "private_ip": addresses.get((group_id.lower(), member.lower()), KNOWN_AFTER_APPLY),
                "fqdns": predicted_fqdns(target.name, member, link.required_zone_names),
            })
    return result


def zone_group_result(group):
    """``{name, zones: [zone ids], records: [...]}`` of a private DNS zone group model."""
    if group is None:
        return None
    zones, records = [], []
    for config in group.private_dns_zone_configs or []:
        zones.append(config.private_dns_zone_id)
        for record in config.record_sets or []:
            records.append({"name": record.record_set_name, "type": text(record.record_type), "ttl": record.ttl,
                            "fqdn": record.fqdn, "values": list(record.ip_addresses or [])})
    return {"name": group.name, "zones": zones, "records": records}


def endpoint_result(endpoint, endpoint_members, zone_group=None) -> dict:
    """The documented shape of one private endpoint, shared by private_endpoint and
    private_endpoint_info. ``endpoint_members`` comes from members()/read_members();
    ``zone_group`` (a PrivateDnsZoneGroup model) is added when the caller read it."""
    connection, manual = connection_of(endpoint)
    state = connection.private_link_service_connection_state if connection is not None else None
    rid = parse_resource_id(endpoint.id) if endpoint.id else None
    nic_id = network_interface_id(endpoint)
    result = {
        "id": endpoint.id,
        "name": endpoint.name,
        "resource_group": rid.resource_group if rid else None,
        "location": endpoint.location,
        "subnet_id": endpoint.subnet.id if endpoint.subnet is not None else None,
        "target_id": connection.private_link_service_id if connection is not None else None,
        "group_ids": list(connection.group_ids or []) if connection is not None else [],
        "connection": {
            "name": connection.name if connection is not None else None,
            "status": text(state.status) if state is not None else None,
            "description": state.description if state is not None else None,
            "actions_required": state.actions_required if state is not None else None,
            "manual": manual,
            "request_message": connection.request_message if connection is not None else None,
        },
        "connection_state": text(state.status) if state is not None else None,
        "network_interface_id": nic_id,
        "network_interface_name": nic_id.rstrip("/").rsplit("/", 1)[-1] if nic_id else None,
        "ip_configurations": [
            {"name": c.name, "group_id": c.group_id, "member_name": c.member_name,
             "private_ip_address": c.private_ip_address}
            for c in endpoint.ip_configurations or []
        ],
        "members": endpoint_members,
        "tags": dict(endpoint.tags or {}),
        "provisioning_state": text(endpoint.provisioning_state),
    }
    if zone_group is not None:
        result["dns_zone_group"] = zone_group_result(zone_group)
    return result
