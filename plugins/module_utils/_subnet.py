# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Subnets: address one, read it, change some of its properties, describe it.

A subnet PUT replaces the whole subnet, so a module that sends a freshly built Subnet drops
whatever it did not model (NSG, route table, NAT gateway, delegations, service endpoints,
policies...). update_subnet() therefore sends back the very subnet it read, changed only
where the module said so. Subnets are Azure's JSON (as Microsoft's OpenAPI files spell it: camelCase,
settings under ``properties``), read and written through AzureModule.arm() at _armjson.NETWORK_API.

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ansible_collections.privnet.azure.plugins.module_utils._armjson import NETWORK_API, properties, ref, writable
from ansible_collections.privnet.azure.plugins.module_utils._ids import (
    ResourceId,
    parse_resource_id,
    resolve_resource_id,
)
from ansible_collections.privnet.azure.plugins.module_utils._validate import name as valid_name

if TYPE_CHECKING:
    from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule

NETWORK = "Microsoft.Network"
# What Azure sets and a PUT ignores: the readOnly members of Subnet and SubnetPropertiesFormat (Network 2026-03-01,
# virtualNetwork.json), and of the service endpoints and delegations in it. Left out of the subnet sent back, as an
# SDK model left them out (a subnet's ipConfigurations lists every NIC in it).
READ_ONLY = ("etag", "type")
READ_ONLY_PROPERTIES = ("privateEndpoints", "ipConfigurations", "ipConfigurationProfiles", "resourceNavigationLinks",
                        "serviceAssociationLinks", "purpose", "provisioningState")


def resolve_subnet(module: AzureModule, id_option: str = "subnet_id", vnet_option: str = "virtual_network",
                   name_option: str = "name") -> ResourceId:
    """The subnet's ResourceId, from ``subnet_id`` or from ``virtual_network`` (a name in
    ``resource_group``, checked against Azure's naming rule, or a VNet id) plus ``name``.
    Raises ValueError, before any call, if malformed (``module.validated(resolve_subnet, module)``)."""
    params = module.params
    if params.get(id_option):
        rid = parse_resource_id(params[id_option], id_option)
        if rid.full_type.lower() != f"{NETWORK}/virtualNetworks/subnets".lower():
            raise ValueError(f"{id_option}: {params[id_option]!r} is a {rid.full_type} id; expected "
                             f"/subscriptions/.../resourceGroups/.../providers/{NETWORK}/virtualNetworks/"
                             "<vnet>/subnets/<subnet>")
        return rid
    vnet = resolve_resource_id(params.get(vnet_option), option=vnet_option, subscription=lambda: module.subscription_id,
                               resource_group=params.get("resource_group"), provider=NETWORK,
                               type_="virtualNetworks", name_kind="virtual_network")
    return vnet.child("subnets", params.get(name_option))


def resolve_named_subnet(module: AzureModule) -> ResourceId:
    """resolve_subnet() with its defaults, the ``name`` option checked first against the subnet naming rule and
    ``resource_group`` after (``module.validated(resolve_named_subnet, module)``)."""
    params = module.params
    if params["name"]:
        valid_name("subnet", params["name"], "name")
    rid = resolve_subnet(module)  # virtual_network: a name (checked) or an id
    if params["resource_group"]:
        valid_name("resource_group", params["resource_group"], "resource_group")
    return rid


def subnet_constraints(*changes: str) -> dict[str, list]:
    """The AzureModule keyword arguments of a module that addresses one subnet by ``subnet_id`` or by
    ``virtual_network`` and ``name`` (resolve_subnet's defaults) and needs one of the options ``changes``."""
    return dict(mutually_exclusive=[("subnet_id", "name"), ("subnet_id", "virtual_network")],
                required_one_of=[("subnet_id", "name"), changes],
                required_together=[("name", "virtual_network")])


def describe(rid: ResourceId) -> str:
    return (f"subnet '{rid.leaf_name}' of virtual network '{rid.name}' "
            f"(resource group '{rid.resource_group}', subscription '{rid.subscription}')")


def get_subnet(module: AzureModule, rid: ResourceId) -> Any:
    """The subnet (Azure's JSON), or None if the subnet (or its VNet or resource group) does not exist."""
    return module.arm(rid.subscription).get(str(rid), NETWORK_API, what=f"reading {describe(rid)}")


def require_subnet(module: AzureModule, rid: ResourceId) -> Any:
    """The subnet (Azure's JSON). Raises ValueError naming the subnet and the VNet when it does not exist
    (``module.validated(require_subnet, module, rid)``)."""
    subnet = get_subnet(module, rid)
    if subnet is None:
        absence = module.last_absence or {}
        if absence.get("code") == "ResourceGroupNotFound":
            raise ValueError(f"resource group '{rid.resource_group}' of virtual network '{rid.name}' was not found "
                             f"in subscription '{rid.subscription}'; fix the resource group (or the subscription)")
        said = f" (Azure: {absence['message']})" if absence.get("message") else ""
        raise ValueError(f"{describe(rid)} was not found{said}; create the virtual network and the subnet "
                         "first, or fix the names")
    return subnet


def update_subnet(module: AzureModule, rid: ResourceId, subnet: Any, changes: dict[str, Any]) -> Any:
    """Read-modify-write: set ``changes`` (members of the subnet's ``properties``, e.g.
    ``privateEndpointNetworkPolicies``) on ``subnet``, the subnet just read, and PUT that same subnet back
    so every other property survives. Returns the subnet as Azure answers it.

    In check mode nothing is sent; the locally changed subnet is returned so the result shows
    what would be. With wait=false the PUT is sent and the local subnet is returned.
    """
    subnet = dict(subnet, properties=dict(properties(subnet), **changes))
    if module.check_mode:
        return subnet
    updated = module.arm(rid.subscription).put(str(rid), NETWORK_API, sendable(subnet),
                                               what=f"updating {describe(rid)}")
    return updated if updated is not None else subnet


def sendable(subnet: Any) -> dict[str, Any]:
    """The subnet to PUT back: as read, without what Azure sets (READ_ONLY, READ_ONLY_PROPERTIES, a service
    endpoint's provisioningState, a delegation's etag, actions and provisioningState)."""
    body = writable(subnet, READ_ONLY, READ_ONLY_PROPERTIES)
    props = properties(body)
    if props.get("serviceEndpoints"):
        props["serviceEndpoints"] = [writable(e, ("provisioningState",)) for e in props["serviceEndpoints"]]
    if props.get("delegations"):
        props["delegations"] = [writable(d, ("etag",), ("actions", "provisioningState")) for d in props["delegations"]]
    return body


def subnet_result(subnet: Any) -> dict[str, Any]:
    """The documented ``subnet`` return value."""
    rid = parse_resource_id(subnet["id"]) if subnet.get("id") else None
    props = properties(subnet)
    return {
        "id": subnet.get("id"),
        "name": subnet.get("name"),
        "resource_group": rid.resource_group if rid else None,
        "virtual_network": rid.name if rid else None,
        "address_prefix": props.get("addressPrefix"),
        "address_prefixes": list(props.get("addressPrefixes") or []),
        "private_endpoint_network_policies": props.get("privateEndpointNetworkPolicies"),
        "private_link_service_network_policies": props.get("privateLinkServiceNetworkPolicies"),
        "service_endpoints": [
            {"service": se.get("service"), "locations": list(se.get("locations") or [])}
            for se in props.get("serviceEndpoints") or []
        ],
        "network_security_group_id": ref(props.get("networkSecurityGroup")),
        "route_table_id": ref(props.get("routeTable")),
        "nat_gateway_id": ref(props.get("natGateway")),
        "delegations": [{"name": d.get("name"), "service_name": properties(d).get("serviceName")}
                        for d in props.get("delegations") or []],
        "provisioning_state": props.get("provisioningState"),
    }
