"""Azure Route Server as Azure's API has it: Microsoft.Network/virtualHubs without a virtual WAN, and its
ipConfigurations child placed in the VNet's RouteServerSubnet (Network 2026-03-01).

Sources (facts only):
* The calls: a virtualHubs PUT with `sku: Standard`, then a virtualHubs/{hub}/ipConfigurations/{name} PUT whose
  `subnet.id` is the RouteServerSubnet (and optionally `publicIPAddress.id`): `az network routeserver create
  --hosted-subnet --public-ip-address` (MicrosoftDocs/azure-docs articles/route-server/
  quickstart-create-route-server-cli.md), the same two resources in public Bicep/azurerm templates
  (azurerm_virtual_hub_ip: "also known as a Route Server", Standard hub without Virtual WAN).
* What `az network routeserver show` answers once created (same quickstart): kind "RouteServer", sku "Standard",
  hubRoutingPreference "ExpressRoute", allowBranchToBranchTraffic false, virtualRouterAsn 65515, two
  virtualRouterIps (the first free addresses of RouteServerSubnet: 10.0.1.4 and 10.0.1.5 in 10.0.1.0/26),
  virtualRouterAutoScaleConfiguration.minCapacity 2, routingState "Provisioned", routeTable.routes [],
  virtualHubRouteTableV2s []. Fields and enums (HubRoutingPreference ExpressRoute/VpnGateway/ASPath, RoutingState
  None/Provisioned/Provisioning/Failed, HubIPConfigurationPropertiesFormat): azure-mgmt-network 33.1.0 models.
* "The deployment of the Route Server can take up to 30 minutes" (azure-docs includes/
  route-server-note-creation-time.md): the ipConfiguration's operation takes 1800 s in realistic mode.
* Peering: "if you peer a virtual network hosting the Azure Route Server to another virtual network and you enable
  Use Remote Gateway on the second virtual network, Azure Route Server will learn the address spaces..." (azure-docs
  articles/route-server/route-server-faq.md, "Does Azure Route Server support virtual network peering?"); the
  portal names the peering option "Use the remote virtual network's gateway or Route Server" (azure-docs
  articles/route-server/route-injection-in-spokes.md). So a Route Server counts as a remote gateway for
  useRemoteGateways (peering.py).

Emulator convention: routingState is "None" before the hub has an ipConfiguration, "Provisioning" while that
  ipConfiguration's operation runs, "Provisioned" after; virtualRouterIps is [] until then.
Emulator convention: the 30 minutes are spent on the ipConfiguration PUT; the hub PUT itself takes 3 s.
Not modelled (Azure's errors undocumented): the FAQ's rules that a VNet has at most one Route Server, that it must
sit in a subnet named RouteServerSubnet (/26 or larger per the quickstart), and that RouteServerSubnet takes no UDR or
NSG; BGP peerings (virtualHubs/bgpConnections); a hub in a Virtual WAN (there is no virtualWans type here, so a
`virtualWan` reference is an unresolvable reference: InvalidResourceReference).
"""

import copy

from ..arm import ResourceType
from ..errors import invalid_reference
from ..ids import ResourceId
from .network import allocate_ip, canonical_enum, vnet_key_of

HUB_TYPE = ("virtualHubs",)
HUB_IPCONFIG_TYPE = ("virtualHubs", "ipConfigurations")
ROUTING_PREFERENCES = ("ExpressRoute", "VpnGateway", "ASPath")
ROUTER_ASN = 65515


def ip_configurations(emu, hub_res):
    return emu.store.children(hub_res.key, "ipConfigurations")


def route_servers_of_vnet(emu, vnet_key):
    """Route Servers (hubs without a virtual WAN) with an ipConfiguration in a subnet of this VNet."""
    out = []
    for cfg in emu.store.of_type("Microsoft.Network", HUB_IPCONFIG_TYPE):
        sid = ResourceId.parse((cfg.properties.get("subnet") or {}).get("id") or "")
        if sid is not None and vnet_key_of(sid) == (vnet_key or "").lower():
            hub = emu.store.get(cfg.rid.parent().key)
            if hub is not None and hub not in out:
                out.append(hub)
    return out


class VirtualHub(ResourceType):
    types = HUB_TYPE
    duration = 3.0
    retry_after = 10

    def validate(self, req, rid, body, existing):
        new = self.default_body(rid, body)
        props = new["properties"]
        for key in ("provisioningState", "routingState", "bgpConnections", "ipConfigurations", "routeMaps",
                    "virtualRouterIps", "virtualRouterAsn"):
            props.pop(key, None)
        wan = (props.get("virtualWan") or {}).get("id")
        if wan:
            raise invalid_reference(wan, str(rid))
        props["sku"] = props.get("sku") or "Standard"
        props["hubRoutingPreference"] = canonical_enum(props.get("hubRoutingPreference") or "ExpressRoute",
                                                       ROUTING_PREFERENCES, "hubRoutingPreference")
        props["allowBranchToBranchTraffic"] = bool(props.get("allowBranchToBranchTraffic", False))
        props.setdefault("virtualRouterAutoScaleConfiguration", {"minCapacity": 2})
        return new

    def render(self, res):
        out = super().render(res)
        out["kind"] = "RouteServer"
        return out

    def render_properties(self, res):
        props = copy.deepcopy(res.properties)
        configs = ip_configurations(self.emu, res)
        ips, state = [], "None"
        for cfg in configs:
            ips.extend(cfg.body.get("internal", {}).get("routerIps") or [])
            state = "Provisioning" if cfg.pending_op else "Provisioned"
        props["virtualRouterAsn"] = ROUTER_ASN
        props["virtualRouterIps"] = ips if state == "Provisioned" else []
        props["routingState"] = state
        props["routeTable"] = {"routes": []}
        props["virtualHubRouteTableV2s"] = []
        props["ipConfigurations"] = [{"id": str(c.rid)} for c in configs]
        return props


class VirtualHubIpConfiguration(ResourceType):
    types = HUB_IPCONFIG_TYPE
    inherit_parent_etag = True
    has_location = False
    duration = 1800.0
    retry_after = 10

    def locks(self, rid):
        return [rid.parent().key]

    def validate(self, req, rid, body, existing):
        hub = self.store.get(rid.parent().key)
        sent = body.get("properties") or {}
        subnet_id = (sent.get("subnet") or {}).get("id")
        sid = ResourceId.parse(subnet_id or "")
        subnet = self.store.get(sid.key) if sid is not None else None
        if subnet is None or [t.lower() for t in subnet.rid.types] != ["virtualnetworks", "subnets"]:
            raise invalid_reference(subnet_id, str(rid))
        vnet = self.store.get(vnet_key_of(subnet.rid))
        if vnet.body.get("location") != hub.body.get("location"):
            raise invalid_reference(subnet_id, str(rid))
        old = existing.body.get("internal", {}) if existing is not None else {}
        if existing is not None and old.get("subnetKey") == subnet.key:
            router_ips = list(old.get("routerIps") or [])
        else:
            first = allocate_ip(self.emu, subnet)
            router_ips = [first, allocate_ip(self.emu, subnet, taken=[first])]
        props = {"privateIPAllocationMethod": "Dynamic", "subnet": {"id": str(subnet.rid)},
                 "privateIPAddress": router_ips[0]}
        if (sent.get("publicIPAddress") or {}).get("id"):
            props["publicIPAddress"] = {"id": sent["publicIPAddress"]["id"]}
        return {"properties": props, "internal": {"subnetKey": subnet.key, "routerIps": router_ips}}

    def render_properties(self, res):
        return copy.deepcopy(res.properties)


def register(engine):
    for cls in (VirtualHub, VirtualHubIpConfiguration):
        engine.register(cls)
