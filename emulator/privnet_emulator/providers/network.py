"""Microsoft.Network: virtual networks and subnets, plus helpers the other network handlers share.

Peerings, gateways, NICs, private endpoints and DNS zone groups live in sibling modules, registered by
providers/__init__.py; the ones that must check or react to VNet and subnet changes (peering.py, gateways.py)
register callbacks in hooks.py, which this module fires, so it imports none of them.

Wire shape (recordings): a VNet shows `tags` and `dhcpOptions` only when they were sent; a subnet always lists
`delegations` ([] when none); enum values (network policies, ipVersionType, privateIPAllocationMethod) are read
case-insensitively and answered in NRP's casing; the ETag header comes with GETs only (arm.py).
"""

import copy
import ipaddress

from .. import clouds
from ..arm import NETWORK, ResourceType
from ..errors import ArmError, bad_request, invalid_reference
from ..ids import ResourceId, new_guid, same_id
from ..store import Resource
from . import hooks

# Service names Azure accepts for subnet service endpoints, and where they reach.
SERVICE_ENDPOINTS = {
    "Microsoft.Storage": "regional-pair",
    "Microsoft.Storage.Global": "*",
    "Microsoft.Sql": "region",
    "Microsoft.AzureCosmosDB": "*",
    "Microsoft.KeyVault": "*",
    "Microsoft.ServiceBus": "*",
    "Microsoft.EventHub": "*",
    "Microsoft.AzureActiveDirectory": "*",
    "Microsoft.Web": "*",
    "Microsoft.CognitiveServices": "*",
    "Microsoft.ContainerRegistry": "*",
}
REGION_PAIRS = {"westeurope": "northeurope", "northeurope": "westeurope", "eastus": "westus",
                "westus": "eastus", "eastus2": "centralus", "centralus": "eastus2"}
PE_POLICIES = ("Disabled", "Enabled", "NetworkSecurityGroupEnabled", "RouteTableEnabled")
PLS_POLICIES = ("Disabled", "Enabled")


# ---- address helpers (shared) -----------------------------------------------------------
def parse_prefix(prefix, resource_id):
    """A network from 'a.b.c.d/n'; ARM's errors for malformed and non-canonical prefixes."""
    try:
        net = ipaddress.ip_network(prefix, strict=False)
        if "/" not in str(prefix):
            raise ValueError(prefix)
    except (ValueError, TypeError):
        raise bad_request("InvalidAddressPrefixFormat",
                          f"Address prefix {prefix} of resource {resource_id} is not formatted correctly. It should "
                          "follow CIDR notation, for example 10.0.0.0/24.")
    if str(net) != str(prefix):
        raise bad_request("InvalidCIDRNotation",
                          f"The address prefix {prefix} in resource {resource_id} has an invalid CIDR notation. For "
                          f"the given prefix length, the address prefix should be {net}.")
    return net


def subnet_prefixes(props):
    prefixes = props.get("addressPrefixes") or ([props["addressPrefix"]] if props.get("addressPrefix") else [])
    return list(prefixes)


def vnet_prefixes(vnet_res):
    return list((vnet_res.properties.get("addressSpace") or {}).get("addressPrefixes") or [])


def references(value, target_id):
    """True when a body holds {"id": target_id} anywhere under a key named 'subnet'."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "subnet" and isinstance(inner, dict) and same_id(inner.get("id"), target_id):
                return True
            if references(inner, target_id):
                return True
    elif isinstance(value, list):
        return any(references(v, target_id) for v in value)
    return False


def subnet_users(emu, subnet_id):
    """Resources (NICs, private endpoints, gateways) placed in a subnet."""
    return [r for r in emu.store.resources.values()
            if not same_id(str(r.rid), subnet_id) and references(r.properties, subnet_id)]


def used_ips(emu, subnet_id):
    ips = set()
    for res in emu.store.resources.values():
        for cfg in res.properties.get("ipConfigurations") or []:
            props = cfg.get("properties") or {}
            if same_id((props.get("subnet") or {}).get("id"), subnet_id) and props.get("privateIPAddress"):
                ips.add(props["privateIPAddress"])
        # An IP configuration stored as its own resource (a Route Server's virtualHubs/ipConfigurations), with the
        # addresses it holds besides privateIPAddress (the router's second address, routeserver.py).
        if same_id((res.properties.get("subnet") or {}).get("id"), subnet_id):
            if res.properties.get("privateIPAddress"):
                ips.add(res.properties["privateIPAddress"])
            ips.update((res.body.get("internal") or {}).get("routerIps") or [])
    return ips


def allocate_ip(emu, subnet_res, wanted=None, taken=()):
    """Next free address of a subnet; Azure reserves the first four and the last one."""
    net = ipaddress.ip_network(subnet_prefixes(subnet_res.properties)[0])
    used = used_ips(emu, str(subnet_res.rid)) | set(taken)
    first, last = net.network_address + 4, net.broadcast_address - 1
    if wanted:
        ip = ipaddress.ip_address(wanted)
        if ip not in net or not first <= ip <= last:
            raise bad_request("PrivateIPAddressNotInSubnet" if ip not in net else "PrivateIPAddressIsReserved",
                              f"Private static IP address {wanted} does not belong to the range of subnet prefix "
                              f"{net}." if ip not in net else
                              f"Private static IP address {wanted} is reserved by Azure in subnet {net}.")
        if wanted in used:
            raise bad_request("PrivateIPAddressInUse",
                              f"IP configuration is using the private IP address {wanted} which is already "
                              "allocated to another resource.")
        return wanted
    ip = first
    while ip <= last:
        if str(ip) not in used:
            return str(ip)
        ip += 1
    raise bad_request("SubnetIsFull", f"Subnet {subnet_res.rid.name} with address prefix {net} does not have "
                                      "enough capacity for 1 IP addresses.")


def canonical_enum(value, allowed, field):
    """NRP reads enum values case-insensitively and answers with its own casing (SDK recording: a subnet PUT
    with privateLinkServiceNetworkPolicies "disabled" answers "Disabled")."""
    found = next((a for a in allowed if a.lower() == str(value).lower()), None)
    if found is None:
        raise bad_request("InvalidRequestFormat",
                          f"Cannot parse the request. The value '{value}' is not valid for {field}; expected one "
                          f"of {', '.join(allowed)}.")
    return found


def vnet_key_of(rid):
    """The key of the virtual network a Microsoft.Network id lives under (or None)."""
    if rid.types and rid.types[0].lower() == "virtualnetworks":
        return ResourceId(rid.subscription, rid.resource_group, rid.namespace, rid.pairs[:1]).key
    return None


def lookup(emu, resource_id):
    return emu.store.get(resource_id) if resource_id else None


# A subnet's references to its network security group and route table. Each must resolve to a resource of that type
# in the VNet's region, or the PUT gets 400 InvalidResourceReference (errors.invalid_reference; azure-cli #9354 and
# terraform-provider-azurerm #14344 quote it for a subnet naming a missing NSG, #14344 with the details entry
# {code NotFound, message "Resource {id} not found."}). The reference is kept as {id} in the resource's casing.
SUBNET_REFERENCES = (("networkSecurityGroup", "networksecuritygroups"), ("routeTable", "routetables"))


def check_subnet_references(emu, sid, location, props):
    for key, type_low in SUBNET_REFERENCES:
        ref = props.get(key)
        ref_id = (ref or {}).get("id") if isinstance(ref, dict) else None
        if not ref_id:
            props.pop(key, None)
            continue
        target = lookup(emu, ref_id)
        if target is None or [t.lower() for t in target.rid.types] != [type_low]:
            raise invalid_reference(ref_id, str(sid), details=[{"code": "NotFound",
                                                                "message": f"Resource {ref_id} not found."}])
        if target.body.get("location") != location:
            raise invalid_reference(ref_id, str(sid))
        props[key] = {"id": str(target.rid)}


# ---- virtual networks ------------------------------------------------------------------
class VirtualNetwork(ResourceType):
    types = ("virtualNetworks",)
    duration = 3.0
    retry_after = 3

    def locks(self, rid):
        return [rid.key]

    def validate(self, req, rid, body, existing):
        new = self.default_body(rid, body)
        props = new["properties"]
        prefixes = (props.get("addressSpace") or {}).get("addressPrefixes") or []
        if not prefixes:
            raise bad_request("InvalidAddressSpace",
                              f"Virtual network {rid} must have at least one address prefix in its address space.")
        nets = [parse_prefix(p, str(rid)) for p in prefixes]
        for i, a in enumerate(nets):
            for b in nets[i + 1:]:
                if a.overlaps(b):
                    raise bad_request("NetcfgInvalidAddressSpace",
                                      f"Address space {a} overlaps with address space {b} in virtual network "
                                      f"{rid.name}.")
        props.setdefault("enableDdosProtection", False)   # dhcpOptions only when sent (recordings)
        if isinstance(props.get("dhcpOptions"), dict):
            # Recorded (azure-cli test_network_vnet_peering.yaml): a PUT with "dhcpOptions": {} answers
            # "dhcpOptions": {"dnsServers": []}. The servers a VM uses, in order (dnsserver.py).
            props["dhcpOptions"] = {"dnsServers": [str(s) for s in props["dhcpOptions"].get("dnsServers") or []]}
        props.setdefault("privateEndpointVNetPolicies", "Disabled")
        subnets = props.pop("subnets", None) or []
        props.pop("virtualNetworkPeerings", None)  # peerings are managed through their own path
        # Validate every subnet against the new space and each other before anything is stored.
        names = set()
        planned = []
        for entry in subnets:
            name = entry.get("name")
            if not name:
                raise bad_request("InvalidRequestFormat", "Cannot parse the request: a subnet has no name.")
            if name.lower() in names:
                raise bad_request("DuplicateResourceName",
                                  f"Resource {rid} has two child resources with the same name ({name}).")
            names.add(name.lower())
            sid = rid.child("subnets", name)
            planned.append((sid, Subnet.normalise(sid, entry.get("properties") or {}, self.store.get(sid.key))))
        check_subnet_layout(rid, nets, planned)
        for sid, subnet_props in planned:
            hooks.fire(self.emu.engine, "check_subnet", self.emu, sid, subnet_props, new["location"])
            check_subnet_references(self.emu, sid, new["location"], subnet_props)
        hooks.fire(self.emu.engine, "check_address_space", self.emu, rid, prefixes)
        if existing is not None:
            for child in self.store.children(existing.key, "subnets"):
                if child.rid.name.lower() not in names and subnet_users(self.emu, str(child.rid)):
                    raise in_use_subnet(child)
        self._planned_subnets = planned
        return new

    def after_write(self, req, res, before):
        planned = getattr(self, "_planned_subnets", None)
        self._planned_subnets = None
        if planned is None:  # a PATCH (tags only) did not run validate: keep the subnets as they are
            planned = [(s.rid, s.properties) for s in self.store.children(res.key, "subnets")]
        keep = {sid.key for sid, _ in planned}
        for child in self.store.children(res.key, "subnets"):
            if child.key not in keep:
                self.store.remove(child.key)
        handler = self.emu.engine.handler_for("Microsoft.Network", ("virtualNetworks", "subnets"))
        for sid, props in planned:
            child = self.store.get(sid.key) or Resource(sid, handler, {})
            child.body = {"properties": props}
            self.store.put(child)
        if before is not None:
            old = (before.get("properties", {}).get("addressSpace") or {}).get("addressPrefixes") or []
            if sorted(old) != sorted(vnet_prefixes(res)):
                hooks.fire(self.emu.engine, "address_space_changed", self.emu, res)

    def check_delete(self, req, res):
        for child in self.store.children(res.key, "subnets"):
            if subnet_users(self.emu, str(child.rid)):
                raise in_use_subnet(child)

    def on_deleted(self, res):
        hooks.fire(self.emu.engine, "vnet_deleted", self.emu, res)

    def render_properties(self, res):
        props = copy.deepcopy(res.properties)
        props["resourceGuid"] = res.guid
        subnet_handler = self.emu.engine.handler_for("Microsoft.Network", ("virtualNetworks", "subnets"))
        props["subnets"] = [subnet_handler.render(s) for s in self.store.children(res.key, "subnets")]
        peering_handler = self.emu.engine.handler_for("Microsoft.Network", ("virtualNetworks", "virtualNetworkPeerings"))
        props["virtualNetworkPeerings"] = [peering_handler.render(p) for p in
                                           self.store.children(res.key, "virtualNetworkPeerings")] if peering_handler else []
        return props


def check_subnet_layout(vnet_rid, vnet_nets, planned):
    """Every subnet inside the VNet's space, and no two overlapping (ARM's Netcfg errors)."""
    placed = []
    for sid, props in planned:
        for prefix in subnet_prefixes(props):
            net = parse_prefix(prefix, str(sid))
            if not any(net.subnet_of(v) for v in vnet_nets if v.version == net.version):
                raise bad_request("NetcfgSubnetRangeOutsideVnet",
                                  f"Subnet '{sid.name}' is not valid because its IP address range is outside the "
                                  f"IP address range of virtual network '{vnet_rid.name}'.")
            for other_name, other in placed:
                if net.overlaps(other):
                    raise bad_request("NetcfgSubnetRangesOverlap",
                                      f"Subnet '{sid.name}' is not valid because its IP address range overlaps with "
                                      f"that of an existing subnet in virtual network '{vnet_rid.name}'.")
        placed.extend((sid.name, parse_prefix(p, str(sid))) for p in subnet_prefixes(props))


def in_use_subnet(subnet_res):
    users = subnet_users(subnet_res.handler.emu, str(subnet_res.rid))
    user = str(users[0].rid) if users else "another resource"
    return bad_request("InUseSubnetCannotBeDeleted",
                       f"Subnet {subnet_res.rid.name} is in use by {user} and cannot be deleted. In order to delete "
                       "the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet.")


# ---- subnets -------------------------------------------------------------------------------
class Subnet(ResourceType):
    types = ("virtualNetworks", "subnets")
    inherit_parent_etag = True
    has_location = False
    duration = 2.0
    retry_after = 3

    def locks(self, rid):
        return [vnet_key_of(rid)]

    @staticmethod
    def normalise(sid, props, existing):
        """Server-side defaults and read-only fields of a subnet, from what the client sent."""
        props = copy.deepcopy(props)
        for key in ("provisioningState", "privateEndpoints", "ipConfigurations", "purpose",
                    "ipConfigurationProfiles", "resourceNavigationLinks", "serviceAssociationLinks"):
            props.pop(key, None)
        if not subnet_prefixes(props):
            raise bad_request("InvalidRequestFormat",
                              f"Cannot parse the request: subnet {sid.name} has no addressPrefix.")
        props["privateEndpointNetworkPolicies"] = canonical_enum(
            props.get("privateEndpointNetworkPolicies") or "Disabled", PE_POLICIES, "privateEndpointNetworkPolicies")
        props["privateLinkServiceNetworkPolicies"] = canonical_enum(
            props.get("privateLinkServiceNetworkPolicies") or "Enabled", PLS_POLICIES,
            "privateLinkServiceNetworkPolicies")
        endpoints = []
        for entry in props.get("serviceEndpoints") or []:
            service = entry.get("service")
            canonical = next((s for s in SERVICE_ENDPOINTS if s.lower() == (service or "").lower()), None)
            if canonical is None:
                raise bad_request("InvalidServiceNameOnSubnet",
                                  f"Service name {service} is not valid on subnet {sid.name}. Valid service names: "
                                  f"{', '.join(SERVICE_ENDPOINTS)}.")
            endpoints.append({"service": canonical, "locations": list(entry.get("locations") or []),
                              "provisioningState": "Succeeded"})
        if endpoints:
            props["serviceEndpoints"] = endpoints
        elif "serviceEndpoints" in props:
            props["serviceEndpoints"] = []
        delegations = []
        for entry in props.get("delegations") or []:
            d = copy.deepcopy(entry)
            d["id"] = f"{sid}/delegations/{d.get('name')}"
            d["type"] = "Microsoft.Network/virtualNetworks/subnets/delegations"
            d.setdefault("properties", {})["provisioningState"] = "Succeeded"
            d["properties"].setdefault("actions", [])
            delegations.append(d)
        props["delegations"] = delegations   # always listed, [] when none (recordings)
        return props

    def validate(self, req, rid, body, existing):
        props = self.normalise(rid, body.get("properties") or {}, existing)
        vnet = self.store.get(vnet_key_of(rid))
        nets = [parse_prefix(p, str(vnet.rid)) for p in vnet_prefixes(vnet)]
        siblings = [(s.rid, s.properties) for s in self.store.children(vnet.key, "subnets")
                    if s.key != rid.key]
        check_subnet_layout(vnet.rid, nets, siblings + [(rid, props)])
        hooks.fire(self.emu.engine, "check_subnet", self.emu, rid, props, vnet.body.get("location"))
        check_subnet_references(self.emu, rid, vnet.body.get("location"), props)
        return {"properties": props}

    def check_delete(self, req, res):
        if subnet_users(self.emu, str(res.rid)):
            raise in_use_subnet(res)

    def render_properties(self, res):
        props = copy.deepcopy(res.properties)
        vnet = self.store.get(vnet_key_of(res.rid))
        cloud = clouds.of(self.emu)
        region = (vnet.body.get("location") if vnet else None) or cloud.home_region
        pairs = dict(REGION_PAIRS, **cloud.region_pairs)   # a sovereign cloud's pairs: clouds.py
        for entry in props.get("serviceEndpoints") or []:
            if not entry.get("locations"):
                reach = SERVICE_ENDPOINTS.get(entry["service"], "*")
                if reach == "regional-pair":
                    entry["locations"] = [region] + ([pairs[region]] if region in pairs else [])
                elif reach == "region":
                    entry["locations"] = [region]
                else:
                    entry["locations"] = ["*"]
        users = subnet_users(self.emu, str(res.rid))
        pes = [{"id": str(u.rid)} for u in users if u.rid.types[-1].lower() == "privateendpoints"]
        if pes:
            props["privateEndpoints"] = pes
        ipcfgs = []
        for user in users:
            for cfg in user.properties.get("ipConfigurations") or []:
                if references(cfg, str(res.rid)) and user.rid.types[-1].lower() in ("networkinterfaces",
                                                                                     "virtualnetworkgateways"):
                    ipcfgs.append({"id": f"{user.rid}/ipConfigurations/{cfg.get('name')}"})
        if ipcfgs:
            props["ipConfigurations"] = ipcfgs
        return props


def register(engine):
    engine.register(VirtualNetwork)
    engine.register(Subnet)


__all__ = ["ArmError", "new_guid", "NETWORK"]
