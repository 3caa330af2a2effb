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

Used by private_endpoint, private_endpoint_info and any module that verifies an endpoint. Endpoints, network
interfaces and zone groups are Azure's JSON (camelCase, settings under ``properties``), read through
AzureModule.arm() at _armjson.NETWORK_API.

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any, Optional

from ansible_collections.privnet.azure.plugins.module_utils._armjson import (
    CONTAINER_REGISTRY_API,
    NETWORK_API,
    properties,
    ref,
)
from ansible_collections.privnet.azure.plugins.module_utils._ids import ResourceId, parse_resource_id
from ansible_collections.privnet.azure.plugins.module_utils._privatelink import KNOWN_AFTER_APPLY, predicted_fqdns
from ansible_collections.privnet.azure.plugins.module_utils._validate import is_private_link_service_alias

if TYPE_CHECKING:
    from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule

NETWORK = "Microsoft.Network"
REGISTRY_TYPE = "Microsoft.ContainerRegistry/registries"
PRIVATE_LINK_SERVICE_TYPE = "Microsoft.Network/privateLinkServices"


def describe(resource_group: str, name: str) -> str:
    return f"private endpoint '{name}' (resource group '{resource_group}')"


def location_key(value: Any) -> Optional[str]:
    """Azure accepts "West Europe" and "westeurope" alike; compare them so."""
    return str(value or "").replace(" ", "").lower() or None


def get_endpoint(module: AzureModule, resource_group: str, name: str) -> Any:
    """The private endpoint in the module's subscription (Azure's JSON), or None when it does not exist."""
    return module.arm().get(endpoint_id(module.subscription_id, resource_group, name), NETWORK_API,
                            what=f"reading {describe(resource_group, name)}")


def endpoint_id(subscription: str, resource_group: str, name: str) -> str:
    return str(ResourceId(subscription, resource_group, NETWORK, "privateEndpoints", name))


def connection_of(endpoint: Any) -> tuple[Any, bool]:
    """``(connection, manual)``: the endpoint's private link service connection, auto-approved
    or manual. An endpoint has exactly one (Azure allows a single connection)."""
    props = properties(endpoint)
    auto = list(props.get("privateLinkServiceConnections") or [])
    manual = list(props.get("manualPrivateLinkServiceConnections") or [])
    if auto:
        return auto[0], False
    if manual:
        return manual[0], True
    return None, False


def network_interface_id(endpoint: Any) -> Optional[str]:
    nics = list(properties(endpoint).get("networkInterfaces") or [])
    return ref(nics[0]) if nics else None


def read_network_interface(module: AzureModule, endpoint: Any) -> Any:
    """The endpoint's network interface (Azure's JSON), or None (not created yet, or already gone).
    One GET."""
    nic_id = network_interface_id(endpoint)
    if not nic_id:
        return None
    rid = parse_resource_id(nic_id, "network interface id")
    return module.arm(rid.subscription).get(
        str(rid), NETWORK_API,
        what=f"reading network interface '{rid.name}' of private endpoint '{endpoint.get('name')}'")


def members(nic: Any) -> list[dict[str, Any]]:
    """The endpoint's members, from its network interface: for each IP configuration that
    serves a private link member, ``{group_id, required_member_name, private_ip, fqdns}``."""
    result = []
    for config in properties(nic).get("ipConfigurations") or []:
        config_properties = properties(config)
        link = config_properties.get("privateLinkConnectionProperties")
        if not isinstance(link, dict):
            continue
        result.append({
            "group_id": link.get("groupId"),
            "required_member_name": link.get("requiredMemberName"),
            "private_ip": config_properties.get("privateIPAddress"),
            "fqdns": [f.rstrip(".").lower() for f in link.get("fqdns") or []],
        })
    return result


def read_members(module: AzureModule, endpoint: Any) -> list[dict[str, Any]]:
    """One GET of the endpoint's network interface; its members ([] when it has none yet)."""
    return members(read_network_interface(module, endpoint))


def predicted_members(module: AzureModule, target: ResourceId, group_ids: list[str],
                      static_ips: Optional[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The members an endpoint to ``target`` (a ResourceId) will have once created, for check mode:
    for a registry, from its private link resources (one read: the registry and one data member per
    replica region), with the static address asked for or KNOWN_AFTER_APPLY. [] for other targets,
    whose member names are not known before the endpoint exists."""
    if target.full_type.lower() != REGISTRY_TYPE.lower():
        return []
    resources = module.arm(target.subscription).list_or_none(
        f"{target}/privateLinkResources", CONTAINER_REGISTRY_API,
        what=f"listing the private link resources of registry '{target.name}'") or []
    addresses = {(c["group_id"].lower(), c["member_name"].lower()): c["private_ip_address"] for c in static_ips or []}
    result = []
    for resource in resources:
        link = properties(resource)
        group_id = link.get("groupId") or ""
        if group_id.lower() not in [g.lower() for g in group_ids]:
            continue
        for member in link.get("requiredMembers") or []:
            result.append({
                "group_id": group_id,
                "required_member_name": member,
                "private_ip": addresses.get((group_id.lower(), member.lower()), KNOWN_AFTER_APPLY),
                "fqdns": predicted_fqdns(target.name, member, link.get("requiredZoneNames")),
            })
    return result


def zone_group_result(group: Any) -> Optional[dict[str, Any]]:
    """``{name, zones: [zone ids], records: [...]}`` of a private DNS zone group (Azure's JSON)."""
    if group is None:
        return None
    zones, records = [], []
    for config in properties(group).get("privateDnsZoneConfigs") or []:
        config_properties = properties(config)
        zones.append(config_properties.get("privateDnsZoneId"))
        for record in config_properties.get("recordSets") or []:
            records.append({"name": record.get("recordSetName"), "type": record.get("recordType"),
                            "ttl": record.get("ttl"), "fqdn": record.get("fqdn"),
                            "values": list(record.get("ipAddresses") or [])})
    return {"name": group.get("name"), "zones": zones, "records": records}


def endpoint_result(endpoint: Any, endpoint_members: list[dict[str, Any]], zone_group: Any = None) -> dict[str, Any]:
    """The documented shape of one private endpoint (Azure's JSON), shared by private_endpoint and
    private_endpoint_info. ``endpoint_members`` comes from members()/read_members();
    ``zone_group`` (a private DNS zone group) is added when the caller read it."""
    props = properties(endpoint)
    connection, manual = connection_of(endpoint)
    link = properties(connection)
    state = link.get("privateLinkServiceConnectionState") if connection is not None else None
    state = state if isinstance(state, dict) else None
    rid = parse_resource_id(endpoint["id"]) if endpoint.get("id") else None
    nic_id = network_interface_id(endpoint)
    # privateLinkServiceId holds a resource id, or the alias of a private link service when the endpoint named its
    # target so (private-link-service-overview.md, "Share your service": consumers connect with either).
    target = link.get("privateLinkServiceId") if connection is not None else None
    alias = target if is_private_link_service_alias(target) else None
    result = {
        "id": endpoint.get("id"),
        "name": endpoint.get("name"),
        "resource_group": rid.resource_group if rid else None,
        "location": endpoint.get("location"),
        "subnet_id": ref(props.get("subnet")),
        "target_id": None if alias else target,
        "target_alias": alias,
        "group_ids": list(link.get("groupIds") or []) if connection is not None else [],
        "connection": {
            "name": connection.get("name") if connection is not None else None,
            "status": state.get("status") if state is not None else None,
            "description": state.get("description") if state is not None else None,
            "actions_required": state.get("actionsRequired") if state is not None else None,
            "manual": manual,
            "request_message": link.get("requestMessage") if connection is not None else None,
        },
        "connection_state": state.get("status") if state is not None else None,
        "network_interface_id": nic_id,
        "network_interface_name": nic_id.rstrip("/").rsplit("/", 1)[-1] if nic_id else None,
        "ip_configurations": [
            {"name": c.get("name"), "group_id": properties(c).get("groupId"),
             "member_name": properties(c).get("memberName"),
             "private_ip_address": properties(c).get("privateIPAddress")}
            for c in props.get("ipConfigurations") or []
        ],
        "members": endpoint_members,
        "tags": dict(endpoint.get("tags") or {}),
        "provisioning_state": props.get("provisioningState"),
    }
    if zone_group is not None:
        result["dns_zone_group"] = zone_group_result(zone_group)
    return result


# ---- checks of what a task asks for (they raise ValueError naming the option and the fix) ----------------------

def group_ids_for(target_type: str, group_ids: Optional[list]) -> list:
    """The endpoint's group ids for a target of ``target_type`` (e.g. Microsoft.ContainerRegistry/registries): the
    one given, or the default of a registry ([registry]) or a Private Link service ([]). Azure permits one group id
    per private endpoint (OnlyOneGroupIdPermitted)."""
    full_type = target_type.lower()
    if group_ids is None:
        if full_type == REGISTRY_TYPE.lower():
            return ["registry"]
        if full_type == PRIVATE_LINK_SERVICE_TYPE.lower():
            return []
        raise ValueError(f"group_ids: required for a {target_type} target; give the sub-resource to "
                         "connect to, e.g. [blob] for a storage account or [vault] for a key vault")
    if len(group_ids) > 1:
        raise ValueError(f"group_ids: {group_ids} names {len(group_ids)} group ids; Azure permits one per "
                         "private endpoint (OnlyOneGroupIdPermitted): create one endpoint per group id")
    if not group_ids and full_type != PRIVATE_LINK_SERVICE_TYPE.lower():
        raise ValueError(f"group_ids: a {target_type} target needs at least one group id, "
                         "e.g. [registry] for a container registry")
    return list(group_ids)


def static_ip_configurations(configs: Optional[list], target_type: str, group_ids: list) -> Optional[list]:
    """The static IP configurations asked for (to a target of ``target_type``), checked for what needs no subnet;
    None when none is given."""
    if configs is None:
        return None
    seen_members: set = set()
    seen_ips: set = set()
    seen_names: set = set()
    result = []
    for index, config in enumerate(configs):
        option = f"ip_configurations[{index}]"
        address = config["private_ip_address"].strip()
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            raise ValueError(f"{option}.private_ip_address: {address!r} is not an IP address") from None
        if ip.version != 4:
            raise ValueError(f"{option}.private_ip_address: {address} is not an IPv4 address; private "
                             "endpoints take static IPv4 addresses")
        if not any(config["group_id"].lower() == g.lower() for g in group_ids):
            raise ValueError(f"{option}.group_id: {config['group_id']!r} is not one of group_ids {group_ids}; "
                             "use one of those")
        member = (config["group_id"].lower(), config["member_name"].lower())
        if member in seen_members:
            raise ValueError(f"{option}.member_name: {config['member_name']!r} is listed twice; give each member "
                             "one address")
        if str(ip) in seen_ips:
            raise ValueError(f"{option}.private_ip_address: {ip} is given to two members; give each member its "
                             "own address")
        if config["name"]:
            if config["name"].lower() in seen_names:
                raise ValueError(f"{option}.name: {config['name']!r} is used twice; names must be unique")
            seen_names.add(config["name"].lower())
        seen_members.add(member)
        seen_ips.add(str(ip))
        result.append({"name": config["name"], "group_id": config["group_id"], "member_name": config["member_name"],
                       "private_ip_address": str(ip)})
    if target_type.lower() == REGISTRY_TYPE.lower() and result:
        names = [c["member_name"].lower() for c in result]
        if "registry" not in names or not any(n.startswith("registry_data_") for n in names):
            raise ValueError("ip_configurations: a registry endpoint needs an address for every member: "
                             "'registry' and 'registry_data_<region>' for the registry's home region and each "
                             "geo-replica region (e.g. registry_data_westeurope); Azure refuses the endpoint with "
                             "missing member names")
    return result


def check_members_given(target: ResourceId, predicted: list, static_ips: list) -> None:
    """Static addresses must cover exactly the members the registry requires (its home region and each
    replica region), as its private link resources list them: Azure refuses an incomplete list."""
    if not predicted:
        return  # the registry lists none (it is missing, or not Premium): Azure's answer will say why
    required = [m["required_member_name"] for m in predicted]
    given = [c["member_name"] for c in static_ips]
    missing = [m for m in required if m.lower() not in {g.lower() for g in given}]
    unknown = [g for g in given if g.lower() not in {m.lower() for m in required}]
    if missing or unknown:
        parts = ([f"no address for {', '.join(missing)}"] if missing else []) + \
                ([f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not a member of it"] if unknown else [])
        raise ValueError(f"ip_configurations: {'; '.join(parts)} (registry '{target.name}' requires "
                         f"{', '.join(required)}: one address each)")


def check_subnet(subnet_label: str, subnet: Any, static_ips: Optional[list]) -> None:
    """Checks that need the subnet (Azure's JSON): no delegation, and static addresses inside its range."""
    props = properties(subnet)
    delegations = props.get("delegations") or []
    if delegations:
        services = ", ".join(properties(d).get("serviceName") or d.get("name") for d in delegations)
        raise ValueError(f"subnet: {subnet_label} is delegated to {services}; a private endpoint cannot go in a "
                         "delegated subnet: pick another subnet")
    prefixes = [p for p in [props.get("addressPrefix")] + list(props.get("addressPrefixes") or []) if p]
    for index, config in enumerate(static_ips or []):
        option = f"ip_configurations[{index}].private_ip_address"
        ip = ipaddress.ip_address(config["private_ip_address"])
        network = next((n for n in (ipaddress.ip_network(p, strict=False) for p in prefixes)
                        if n.version == ip.version and ip in n), None)
        if network is None:
            raise ValueError(f"{option}: {ip} is outside {subnet_label}, whose range is {', '.join(prefixes)}; "
                             "pick an address inside it")
        reserved = [network.network_address + i for i in range(4)] + [network.broadcast_address]
        if ip in reserved:
            raise ValueError(f"{option}: {ip} is reserved by Azure in {network} (the first four addresses and the "
                             "last one of every subnet); pick another address inside it")
