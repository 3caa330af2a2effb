# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Virtual network peering: what a side of a peering looks like, and the checks Azure would
otherwise only make in the middle of a two-sided change.

Everything here is pure (models in, plain values out), so it is tested without Azure; the
module vnet_peering does the calls.

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

import ipaddress

from ansible_collections.privnet.azure.plugins.module_utils._ids import parse_resource_id, same_id
from ansible_collections.privnet.azure.plugins.module_utils._sdk import text
from ansible_collections.privnet.azure.plugins.module_utils._sdkcompat import wire

FLAGS = ("allow_virtual_network_access", "allow_forwarded_traffic", "allow_gateway_transit", "use_remote_gateways")
WIRE_FLAGS = {
    "allow_virtual_network_access": "allowVirtualNetworkAccess",
    "allow_forwarded_traffic": "allowForwardedTraffic",
    "allow_gateway_transit": "allowGatewayTransit",
    "use_remote_gateways": "useRemoteGateways",
}
# What a new peering gets for a flag the task does not set (Azure's own defaults).
CREATE_DEFAULTS = {
    "allow_virtual_network_access": True,
    "allow_forwarded_traffic": False,
    "allow_gateway_transit": False,
    "use_remote_gateways": False,
}
# Writable peering properties this collection does not manage: sent back as read, so that a
# flag change never resets subnet peering or the remote-gateway verification setting.
KEPT_PROPERTIES = ("doNotVerifyRemoteGateways", "peerCompleteVnets", "localSubnetNames", "remoteSubnetNames",
                   "enableOnlyIPv6Peering")
OUT_OF_SYNC = ("LocalNotInSync", "RemoteNotInSync", "LocalAndRemoteNotInSync")


def prefixes(address_space) -> list:
    return list(getattr(address_space, "address_prefixes", None) or [])


def vnet_prefixes(vnet) -> list:
    return prefixes(vnet.address_space) if vnet is not None else []


def overlaps(first, second) -> list:
    """Pairs ``(a, b)`` of prefixes of ``first`` and ``second`` that overlap (same IP version)."""
    out = []
    for a in first:
        for b in second:
            net_a, net_b = ipaddress.ip_network(a, strict=False), ipaddress.ip_network(b, strict=False)
            if net_a.version == net_b.version and net_a.overlaps(net_b):
                out.append((a, b))
    return out


def describe_overlaps(pairs) -> str:
    return ", ".join(f"{a} overlaps {b}" for a, b in pairs)


def peerings_of(vnet) -> list:
    return list(getattr(vnet, "virtual_network_peerings", None) or [])


def remote_id(peering):
    remote = getattr(peering, "remote_virtual_network", None)
    return getattr(remote, "id", None)


def find_peering(vnet, name):
    """The peering of ``vnet`` called ``name`` (case-insensitive), or None."""
    return next((p for p in peerings_of(vnet) if (p.name or "").lower() == name.lower()), None)


def peering_to(vnet, remote_vnet_id):
    """The peering of ``vnet`` whose remote virtual network is ``remote_vnet_id``, or None."""
    return next((p for p in peerings_of(vnet) if same_id(remote_id(p), remote_vnet_id)), None)


def flags(peering) -> dict:
    """The four flags of a peering as plain booleans (Azure leaves unset ones out: false)."""
    return {key: bool(getattr(peering, key, None)) for key in FLAGS}


def gateway_ids(vnet) -> list:
    """Ids of the virtual network gateways placed in the VNet's GatewaySubnet, read from the
    subnet's ipConfigurations (a gateway's ipConfiguration id is <gateway id>/ipConfigurations/<n>)."""
    return _owners_in_subnet(vnet, "gatewaysubnet", "virtualnetworkgateways")


def route_server_ids(vnet) -> list:
    """Ids of the Route Servers placed in the VNet's RouteServerSubnet (a Route Server is a virtualHubs resource
    whose ipConfigurations sit in that subnet: Microsoft Learn, route-server quickstart-create-route-server-cli.md).
    A peered virtual network can use it as its remote gateway (Route Server FAQ; route-injection-in-spokes.md)."""
    return _owners_in_subnet(vnet, "routeserversubnet", "virtualhubs")


def _owners_in_subnet(vnet, subnet_name, owner_type) -> list:
    """The resources of ``owner_type`` whose ipConfigurations sit in the VNet's subnet ``subnet_name``."""
    out: list = []
    for subnet in getattr(vnet, "subnets", None) or []:
        if (subnet.name or "").lower() != subnet_name:
            continue
        for config in subnet.ip_configurations or []:
            config_id = config.id or ""
            lowered = config_id.lower()
            if f"/providers/microsoft.network/{owner_type}/" in lowered and "/ipconfigurations/" in lowered:
                owner = config_id[:lowered.index("/ipconfigurations/")]
                if not any(same_id(owner, o) for o in out):
                    out.append(owner)
    return out


def has_gateway_subnet(vnet) -> bool:
    return any((s.name or "").lower() == "gatewaysubnet" for s in getattr(vnet, "subnets", None) or [])


def gateway_uses_vnet(gateway, vnet_id) -> bool:
    """True when one of the gateway's ipConfigurations is in a subnet of ``vnet_id``."""
    for config in getattr(gateway, "ip_configurations", None) or []:
        subnet_id = getattr(getattr(config, "subnet", None), "id", None)
        if not subnet_id:
            continue
        try:
            rid = parse_resource_id(subnet_id)
        except ValueError:
            continue
        if rid.children and same_id(str(rid.parent), vnet_id):
            return True
    return False


def remote_gateways(peering) -> list:
    """Ids of the remote gateways a peering uses: Azure returns ``remoteGateways``, which the SDK
    model does not declare, so it is read from the raw properties."""
    raw = getattr(peering, "remote_gateways", None)
    if raw is None:
        properties = getattr(peering, "properties", None)
        raw = properties.get("remoteGateways") if properties is not None and hasattr(properties, "get") else None
    if raw is None:  # an msrest-style model (older azure-mgmt-network): the JSON kept beside it
        raw = (wire(peering).get("properties") or {}).get("remoteGateways")
    out = []
    for gateway in raw or []:
        gateway_id = gateway.get("id") if isinstance(gateway, dict) else getattr(gateway, "id", None)
        if gateway_id:
            out.append(gateway_id)
    return out


def needs_sync(peering) -> bool:
    """True when a Connected peering has not taken up an address-space change: the spaces it
    peered (local and remote) differ from the two VNets' current spaces. When Azure does not
    return those spaces, the sync level says it."""
    if peering is None or text(peering.peering_state) != "Connected":
        return False
    pairs = ((peering.local_address_space, peering.local_virtual_network_address_space),
             (peering.remote_address_space, peering.remote_virtual_network_address_space))
    known = [(prefixes(a), prefixes(b)) for a, b in pairs if a is not None and b is not None]
    if known:
        return any(sorted(a) != sorted(b) for a, b in known)
    return text(peering.peering_sync_level) in OUT_OF_SYNC


def peering_body(current, wanted_flags, remote_vnet_id) -> dict:
    """The PUT body (wire form) of a peering: ``wanted_flags`` for the four flags, the remote
    VNet, and every other writable property as read from ``current``. Read-only state
    (peeringState, address spaces, guid) is not sent."""
    props: dict = {"remoteVirtualNetwork": {"id": str(remote_vnet_id)}}
    if current is not None:
        props["remoteVirtualNetwork"]["id"] = remote_id(current) or str(remote_vnet_id)
        # wire(), not as_dict(): an msrest-style model's as_dict() has snake_case keys and no
        # "properties", which sent none of these back (azure-mgmt-network 28, issue 14).
        read = wire(current).get("properties") or {}
        for key in KEPT_PROPERTIES:
            if read.get(key) is not None:
                props[key] = read[key]
    for key in FLAGS:
        props[WIRE_FLAGS[key]] = bool(wanted_flags[key])
    return {"properties": props}


def side_result(peering, vnet_id, vnet=None, managed=True):
    """The documented result of one side (``local`` or ``remote``)."""
    result = {
        "exists": peering is not None,
        "managed": managed,
        "virtual_network_id": str(vnet_id),
        "virtual_network": vnet_id.name,
        "resource_group": vnet_id.resource_group,
        "subscription_id": vnet_id.subscription,
        "address_space": vnet_prefixes(vnet) if vnet is not None else None,
    }
    if peering is None:
        result.update({"id": None, "name": None, "peering_state": None, "peering_sync_level": None,
                       "remote_virtual_network_id": None, "remote_address_space": None,
                       "remote_virtual_network_address_space": None, "remote_gateways": [],
                       "provisioning_state": None})
        result.update({key: None for key in FLAGS})
        return result
    if result["address_space"] is None and peering.local_virtual_network_address_space is not None:
        result["address_space"] = prefixes(peering.local_virtual_network_address_space)
    result.update({
        "id": peering.id,
        "name": peering.name,
        "peering_state": text(peering.peering_state),
        "peering_sync_level": text(peering.peering_sync_level),
        "remote_virtual_network_id": remote_id(peering),
        "remote_address_space": prefixes(peering.remote_address_space) if peering.remote_address_space else None,
        "remote_virtual_network_address_space": (prefixes(peering.remote_virtual_network_address_space)
                                                 if peering.remote_virtual_network_address_space else None),
        "remote_gateways": remote_gateways(peering),
        "provisioning_state": text(peering.provisioning_state),
    })
    result.update(flags(peering))
    return result
