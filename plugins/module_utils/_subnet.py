# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Subnets: address one, read it, change some of its properties, describe it.

A subnet PUT replaces the whole subnet, so a module that sends a freshly built Subnet drops
whatever it did not model (NSG, route table, NAT gateway, delegations, service endpoints,
policies...). update_subnet() therefore sends back the very model it read, changed only
where the module said so.

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ansible_collections.privnet.azure.plugins.module_utils._ids import (
    ResourceId,
    parse_resource_id,
    resolve_resource_id,
)
from ansible_collections.privnet.azure.plugins.module_utils._sdk import text
from ansible_collections.privnet.azure.plugins.module_utils._validate import name as valid_name

if TYPE_CHECKING:
    from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule

NETWORK = "Microsoft.Network"


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
    """The subnet model, or None if the subnet (or its VNet or resource group) does not exist."""
    client = module.client("network", subscription_id=rid.subscription)
    return module.get_or_none(client.subnets.get, rid.resource_group, rid.name, rid.leaf_name,
                              what=f"reading {describe(rid)}")


def require_subnet(module: AzureModule, rid: ResourceId) -> Any:
    """The subnet model. Raises ValueError naming the subnet and the VNet when it does not exist
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
    """Read-modify-write: set ``changes`` (SDK attribute name -> value) on ``subnet``, the
    model just read, and PUT that same model back so every other property survives.

    In check mode nothing is sent; the locally changed model is returned so the result shows
    what would be. With wait=false the PUT is sent and the local model is returned.
    """
    for attribute, value in changes.items():
        setattr(subnet, attribute, value)
    if module.check_mode:
        return subnet
    client = module.client("network", subscription_id=rid.subscription)
    updated = module.begin(client.subnets.begin_create_or_update, rid.resource_group, rid.name, rid.leaf_name,
                           subnet, what=f"updating {describe(rid)}")
    return updated if updated is not None else subnet


def subnet_result(subnet: Any) -> dict[str, Any]:
    """The documented ``subnet`` return value."""
    rid = parse_resource_id(subnet.id) if subnet.id else None
    return {
        "id": subnet.id,
        "name": subnet.name,
        "resource_group": rid.resource_group if rid else None,
        "virtual_network": rid.name if rid else None,
        "address_prefix": subnet.address_prefix,
        "address_prefixes": list(subnet.address_prefixes or []),
        "private_endpoint_network_policies": text(subnet.private_endpoint_network_policies),
        "private_link_service_network_policies": text(subnet.private_link_service_network_policies),
        "service_endpoints": [
            {"service": se.service, "locations": list(se.locations or [])}
            for se in subnet.service_endpoints or []
        ],
        "network_security_group_id": _ref(subnet.network_security_group),
        "route_table_id": _ref(subnet.route_table),
        "nat_gateway_id": _ref(subnet.nat_gateway),
        "delegations": [{"name": d.name, "service_name": d.service_name} for d in subnet.delegations or []],
        "provisioning_state": text(subnet.provisioning_state),
    }


def _ref(sub_resource: Any) -> Optional[str]:
    return sub_resource.id if sub_resource is not None else None
