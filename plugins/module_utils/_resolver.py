# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Azure DNS Private Resolver (resolvers, inbound and outbound endpoints), DNS forwarding rulesets (forwarding rules,
virtual network links) and a virtual network's DNS servers: the rules Microsoft documents, checked before any write
(each check raises ValueError naming the option and the fix), the members Azure sets (left out of a body sent back),
and the documented return shapes.

Sources (facts only):
- Wire shapes: Azure/azure-rest-api-specs, specification/dnsresolver/resource-manager/Microsoft.Network/stable/
  2025-05-01/dnsresolver.json (the newest stable api-version; 2025-10-01-preview and 2026-07-01-preview are previews).
  Resolver: properties.virtualNetwork {id} (create only); dnsResolverState, provisioningState, resourceGuid read-only.
  Inbound endpoint (tracked): properties.ipConfigurations[] {subnet {id}, privateIpAddress, privateIpAllocationMethod
  Static|Dynamic, default Dynamic}. Outbound endpoint (tracked): properties.subnet {id}. Their PATCH takes tags only.
  Ruleset (tracked): properties.dnsResolverOutboundEndpoints[] {id}. Forwarding rule (proxy): domainName,
  targetDnsServers[] {ipAddress, port default 53}, metadata, forwardingRuleState Enabled|Disabled; its PATCH has no
  domainName. Virtual network link (proxy): virtualNetwork {id} (cannot change after creation), metadata.
- Microsoft Learn, dns/dns-private-resolver-overview.md ("Restrictions"): an endpoint's subnet is delegated to
  Microsoft.Network/dnsResolvers and dedicated to it; /28 to /24; one endpoint per subnet; an inbound endpoint's subnet
  lies in the resolver's virtual network; the resolver is in its virtual network's region; IPv6 subnets are not
  supported. includes/dns-limits-private-resolver.md: 5 inbound and 5 outbound endpoints per resolver, 1000 rules and
  500 virtual network links per ruleset, 2 outbound endpoints per ruleset, 6 target DNS servers per rule.
- Microsoft Learn, dns/private-resolver-endpoints-rulesets.md ("Rules"): a rule's name begins with a letter and has
  letters, digits, underscores and dashes; its domain name is dot-terminated, with zero labels (the wildcard ".") or 1
  to 34 labels; 168.63.129.16 cannot be a rule's target; a ruleset links only virtual networks of its region.
- Microsoft Learn, azure-resource-manager/management/resource-name-rules.md: resolvers, endpoints and rulesets take 1-80
  alphanumerics, underscores and hyphens, starting and ending with an alphanumeric (_validate.NAME_RULES).
- Microsoft Learn, virtual-network/virtual-networks-faq.md: Azure reserves the first four and the last address of
  every subnet.
- A virtual network's read-only members: specification/network/.../stable/2026-03-01/virtualNetwork.json
  (_armjson.NETWORK_API), VirtualNetworkPropertiesFormat and VirtualNetworkPeeringPropertiesFormat.

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Optional

from ansible_collections.privnet.azure.plugins.module_utils._armjson import properties, ref, writable
from ansible_collections.privnet.azure.plugins.module_utils._ids import ResourceId, parse_resource_id, same_id
from ansible_collections.privnet.azure.plugins.module_utils._subnet import sendable as subnet_sendable, subnet_result

# Microsoft.Network/dnsResolvers and dnsForwardingRulesets, newest stable api-version of
# specification/dnsresolver/resource-manager/Microsoft.Network/stable/2025-05-01/dnsresolver.json.
DNS_RESOLVER_API = "2025-05-01"

NETWORK = "Microsoft.Network"
RESOLVER_TYPE = "dnsResolvers"
INBOUND = "inboundEndpoints"
OUTBOUND = "outboundEndpoints"
RULESET_TYPE = "dnsForwardingRulesets"
RULES = "forwardingRules"
LINKS = "virtualNetworkLinks"
DELEGATION = "Microsoft.Network/dnsResolvers"
AZURE_DNS = "168.63.129.16"

SUBNET_LARGEST_PREFIX = 24
SUBNET_SMALLEST_PREFIX = 28
MAX_INBOUND = 5
MAX_OUTBOUND = 5
MAX_RULES = 1000
MAX_LINKS = 500
MAX_RULESET_OUTBOUND = 2
MAX_TARGETS = 6
MAX_LABELS = 34

# Azure sets these; a body sent back leaves them out (the readOnly members of dnsresolver.json, and of
# virtualNetwork.json for a virtual network, its subnets and peerings).
READ_ONLY = ("etag", "type", "systemData")
RESOLVER_READ_ONLY_PROPERTIES = ("dnsResolverState", "provisioningState", "resourceGuid")
ENDPOINT_READ_ONLY_PROPERTIES = ("provisioningState", "resourceGuid")
RULESET_READ_ONLY_PROPERTIES = ("provisioningState", "resourceGuid")
CHILD_READ_ONLY_PROPERTIES = ("provisioningState",)
VNET_READ_ONLY_PROPERTIES = ("resourceGuid", "provisioningState", "flowLogs", "defaultPublicNatGateway")
PEERING_READ_ONLY_PROPERTIES = ("provisioningState", "resourceGuid", "remoteVirtualNetworkEncryption")

_RULE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,79}$")
_DNS_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")


# ---- checks of what a task asks for (no call to Azure) --------------------------------------------------------

def rule_name(value: Any, option: str) -> str:
    text = str(value or "")
    if not _RULE_NAME.match(text):
        raise ValueError(f"{option}: {text!r} is not a valid forwarding rule name; use 1 to 80 letters, digits, "
                         "underscores and hyphens, starting with a letter")
    return text


def domain_name(value: Any, option: str) -> str:
    """A rule's domain name: dot-terminated, "." (every name) or 1 to 34 labels. Returned lower-cased."""
    text = str(value or "").strip()
    if not text.endswith("."):
        raise ValueError(f"{option}: {text!r} has no trailing dot; a forwarding rule's domain name is dot-terminated: "
                         f"write '{text}.'")
    if text == ".":
        return text
    labels = text[:-1].split(".")
    if len(labels) > MAX_LABELS or len(text) > 254 or not all(_DNS_LABEL.match(label) for label in labels):
        raise ValueError(f"{option}: {text!r} is not a valid domain name; give 1 to {MAX_LABELS} labels of 1-63 "
                         "letters, digits, underscores or hyphens (not at either end) and the trailing dot, e.g. "
                         "'corp.contoso.com.', or '.' for every name")
    return text.lower()


def target_servers(values: Any, option: str) -> list[dict[str, Any]]:
    """A rule's target DNS servers, as [{"ip_address", "port"}]: 1 to 6, IPv4, not Azure DNS, ports 1-65535."""
    if not values:
        raise ValueError(f"{option}: is empty; a forwarding rule needs 1 to {MAX_TARGETS} target DNS servers "
                         "(ip_address, port)")
    if len(values) > MAX_TARGETS:
        raise ValueError(f"{option}: {len(values)} given; Azure allows at most {MAX_TARGETS} target DNS servers per "
                         "forwarding rule")
    servers = []
    for index, item in enumerate(values):
        where = f"{option}[{index}]"
        try:
            ip = ipaddress.ip_address(str(item.get("ip_address") or "").strip())
        except ValueError:
            raise ValueError(f"{where}.ip_address: {item.get('ip_address')!r} is not an IP address") from None
        if ip.version != 4:
            raise ValueError(f"{where}.ip_address: {ip} is an IPv6 address; DNS Private Resolver forwards to IPv4 "
                             "addresses")
        if str(ip) == AZURE_DNS:
            raise ValueError(f"{where}.ip_address: {AZURE_DNS} (Azure DNS) cannot be a forwarding target; Azure "
                             "answers names that match no rule itself, so leave such names out of the ruleset (or "
                             "target a resolver's inbound endpoint)")
        port = item.get("port")
        port = 53 if port is None else port
        if not 1 <= int(port) <= 65535:
            raise ValueError(f"{where}.port: {port} is not a port; give 1 to 65535 (DNS uses 53)")
        servers.append({"ip_address": str(ip), "port": int(port)})
    return servers


def dns_servers(values: Any, option: str) -> list[str]:
    """A virtual network's DNS servers: IP addresses, each once, in the order given (the first is preferred)."""
    servers: list[str] = []
    for index, value in enumerate(values):
        try:
            address = str(ipaddress.ip_address(str(value).strip()))
        except ValueError:
            raise ValueError(f"{option}[{index}]: {value!r} is not an IP address; give the DNS servers' IP addresses "
                             "(an empty list means Azure-provided DNS)") from None
        if address in servers:
            raise ValueError(f"{option}[{index}]: {address} is given twice; list each DNS server once")
        servers.append(address)
    return servers


def static_address(value: Any, option: str) -> str:
    try:
        ip = ipaddress.ip_address(str(value).strip())
    except ValueError:
        raise ValueError(f"{option}: {value!r} is not an IP address") from None
    if ip.version != 4:
        raise ValueError(f"{option}: {ip} is an IPv6 address; DNS Private Resolver endpoints are IPv4 only")
    return str(ip)


def endpoint_subnet(value: Any, vnet: ResourceId, option: str) -> ResourceId:
    """An endpoint's subnet: a name of a subnet of the resolver's virtual network ``vnet``, or a subnet id, which must
    be in that virtual network."""
    text = str(value or "").strip()
    if not text.startswith("/"):
        return vnet.child("subnets", text)
    rid = parse_resource_id(text, option)
    if rid.full_type.lower() != f"{NETWORK}/virtualNetworks/subnets".lower():
        raise ValueError(f"{option}: {text!r} is a {rid.full_type} id; expected a subnet id (/subscriptions/.../"
                         f"providers/{NETWORK}/virtualNetworks/<vnet>/subnets/<subnet>) or the name of a subnet of "
                         f"virtual network '{vnet.name}'")
    if not same_id(str(rid.parent), str(vnet)):
        raise ValueError(f"{option}: subnet '{rid.leaf_name}' is in virtual network '{rid.name}' (resource group "
                         f"'{rid.resource_group}'); a DNS resolver's endpoints use subnets of the resolver's own "
                         f"virtual network '{vnet.name}' (resource group '{vnet.resource_group}'): give one of its "
                         "subnets")
    return rid


def check_endpoint_subnet(subnet: Any, rid: ResourceId, option: str, address: Optional[str] = None) -> None:
    """An endpoint's subnet as read: delegated to Microsoft.Network/dnsResolvers (and nothing else), IPv4 only, /28 to
    /24; a static address inside it and not one Azure reserves."""
    props = properties(subnet)
    where = f"{option}: subnet '{rid.leaf_name}' of virtual network '{rid.name}'"
    services = [str(properties(d).get("serviceName") or "") for d in props.get("delegations") or []]
    if not any(s.lower() == DELEGATION.lower() for s in services):
        had = f"is delegated to {', '.join(services)}" if services else "is not delegated"
        raise ValueError(f"{where} {had}; a DNS resolver endpoint needs a dedicated subnet delegated to {DELEGATION}: "
                         f"add that delegation to the subnet (az network vnet subnet update --delegations {DELEGATION})"
                         " or give another subnet")
    others = [s for s in services if s.lower() != DELEGATION.lower()]
    if others:
        raise ValueError(f"{where} is also delegated to {', '.join(others)}; a DNS resolver endpoint's subnet is "
                         f"delegated to {DELEGATION} only: remove the other delegations or give another subnet")
    prefixes = [p for p in [props.get("addressPrefix")] + list(props.get("addressPrefixes") or []) if p]
    networks = [ipaddress.ip_network(str(p), strict=False) for p in dict.fromkeys(prefixes)]
    if any(n.version == 6 for n in networks):
        raise ValueError(f"{where} has an IPv6 prefix; DNS Private Resolver does not support IPv6 enabled subnets: "
                         "give an IPv4-only subnet")
    for network in networks:
        if network.prefixlen > SUBNET_SMALLEST_PREFIX:
            raise ValueError(f"{where} is {network}, smaller than /{SUBNET_SMALLEST_PREFIX}; a DNS resolver endpoint's "
                             f"subnet is /{SUBNET_SMALLEST_PREFIX} to /{SUBNET_LARGEST_PREFIX}: give a larger subnet")
        if network.prefixlen < SUBNET_LARGEST_PREFIX:
            raise ValueError(f"{where} is {network}, larger than /{SUBNET_LARGEST_PREFIX}; a DNS resolver endpoint's "
                             f"subnet is /{SUBNET_SMALLEST_PREFIX} to /{SUBNET_LARGEST_PREFIX}: give a smaller subnet")
    if address is not None and networks:
        ip = ipaddress.ip_address(address)
        inside = [n for n in networks if ip in n]
        if not inside:
            raise ValueError(f"{option}.private_ip_address: {address} is outside subnet '{rid.leaf_name}' "
                             f"({', '.join(str(n) for n in networks)}); pick an address inside it")
        network = inside[0]
        reserved = [network.network_address + i for i in range(4)] + [network.broadcast_address]
        if ip in reserved:
            raise ValueError(f"{option}.private_ip_address: {address} is one of the five addresses Azure reserves in "
                             f"{network} (the first four and the last); pick another address")


# ---- return shapes ----------------------------------------------------------------------------------------------

def _group(resource_id: Optional[str]) -> Optional[str]:
    return parse_resource_id(resource_id).resource_group if resource_id else None


def inbound_result(endpoint: Any) -> dict[str, Any]:
    configs = properties(endpoint).get("ipConfigurations") or [{}]
    first = configs[0] or {}
    return {"id": endpoint.get("id"), "name": endpoint.get("name"), "subnet_id": ref(first.get("subnet")),
            "private_ip_address": first.get("privateIpAddress"),
            "private_ip_allocation_method": first.get("privateIpAllocationMethod") or "Dynamic",
            "provisioning_state": properties(endpoint).get("provisioningState")}


def outbound_result(endpoint: Any) -> dict[str, Any]:
    return {"id": endpoint.get("id"), "name": endpoint.get("name"),
            "subnet_id": ref(properties(endpoint).get("subnet")),
            "provisioning_state": properties(endpoint).get("provisioningState")}


def resolver_result(resolver: Any, inbound: list, outbound: list) -> dict[str, Any]:
    """The documented ``dns_resolver`` return value ({} for none)."""
    if not resolver:
        return {}
    props = properties(resolver)
    inbound_views = sorted((inbound_result(e) for e in inbound), key=lambda v: str(v["name"]).lower())
    return {"id": resolver.get("id"), "name": resolver.get("name"), "resource_group": _group(resolver.get("id")),
            "location": resolver.get("location"), "virtual_network_id": ref(props.get("virtualNetwork")),
            "tags": dict(resolver.get("tags") or {}), "dns_resolver_state": props.get("dnsResolverState"),
            "provisioning_state": props.get("provisioningState"),
            "inbound_endpoints": inbound_views,
            "outbound_endpoints": sorted((outbound_result(e) for e in outbound), key=lambda v: str(v["name"]).lower()),
            "inbound_ip_addresses": [v["private_ip_address"] for v in inbound_views if v["private_ip_address"]]}


def rule_result(rule: Any) -> dict[str, Any]:
    props = properties(rule)
    return {"id": rule.get("id"), "name": rule.get("name"), "domain_name": props.get("domainName"),
            "target_dns_servers": [{"ip_address": t.get("ipAddress"), "port": t.get("port", 53)}
                                   for t in props.get("targetDnsServers") or []],
            "enabled": str(props.get("forwardingRuleState") or "Enabled").lower() == "enabled",
            "metadata": dict(props.get("metadata") or {}), "provisioning_state": props.get("provisioningState")}


def link_result(link: Any) -> dict[str, Any]:
    props = properties(link)
    return {"id": link.get("id"), "name": link.get("name"), "virtual_network_id": ref(props.get("virtualNetwork")),
            "metadata": dict(props.get("metadata") or {}), "provisioning_state": props.get("provisioningState")}


def ruleset_result(ruleset: Any, rules: list, links: list) -> dict[str, Any]:
    """The documented ``dns_forwarding_ruleset`` return value ({} for none)."""
    if not ruleset:
        return {}
    props = properties(ruleset)
    return {"id": ruleset.get("id"), "name": ruleset.get("name"), "resource_group": _group(ruleset.get("id")),
            "location": ruleset.get("location"),
            "outbound_endpoint_ids": [ref(e) for e in props.get("dnsResolverOutboundEndpoints") or []],
            "tags": dict(ruleset.get("tags") or {}), "provisioning_state": props.get("provisioningState"),
            "rules": sorted((rule_result(r) for r in rules), key=lambda v: str(v["name"]).lower()),
            "virtual_network_links": sorted((link_result(link) for link in links),
                                            key=lambda v: str(v["name"]).lower())}


# ---- virtual networks --------------------------------------------------------------------------------------------

def vnet_dns_servers(vnet: Any) -> list[str]:
    """The custom DNS servers of a virtual network ([] for Azure-provided DNS)."""
    return [str(s) for s in (properties(vnet).get("dhcpOptions") or {}).get("dnsServers") or []]


def vnet_result(vnet: Any, vnet_id: str) -> dict[str, Any]:
    """A virtual network as the modules return it: id, name, resource group, location, address prefixes, DNS servers
    (and whether Azure provides DNS), subnets (subnet_result, delegations as their service names), tags, state."""
    props = properties(vnet)
    rid = parse_resource_id(vnet.get("id") or vnet_id)
    servers = vnet_dns_servers(vnet)
    subnets = []
    for subnet in props.get("subnets") or []:
        described = subnet_result(subnet)
        described["resource_group"] = described["resource_group"] or rid.resource_group
        described["virtual_network"] = described["virtual_network"] or rid.name
        # The services only: the delegation's own name is arbitrary and says nothing of what the subnet may hold.
        described["delegations"] = [d["service_name"] for d in described["delegations"] if d.get("service_name")]
        subnets.append(described)
    return {
        "id": vnet.get("id") or vnet_id,
        "name": vnet.get("name") or rid.name,
        "resource_group": rid.resource_group,
        "location": vnet.get("location"),
        "address_prefixes": list((props.get("addressSpace") or {}).get("addressPrefixes") or []),
        "dns_servers": servers,
        "azure_provided_dns": not servers,
        "subnets": subnets,
        "tags": dict(vnet.get("tags") or {}),
        "provisioning_state": props.get("provisioningState"),
    }


def vnet_sendable(vnet: Any) -> dict[str, Any]:
    """A virtual network as read, to PUT back (read-modify-write): every member kept (address space, subnets, peerings,
    tags, ...) but what Azure sets, here and in its subnets and peerings. A PUT without its subnets or peerings would
    delete them."""
    body = writable(vnet, READ_ONLY, VNET_READ_ONLY_PROPERTIES)
    props = properties(body)
    if props.get("subnets"):
        props["subnets"] = [subnet_sendable(s) for s in props["subnets"]]
    if props.get("virtualNetworkPeerings"):
        props["virtualNetworkPeerings"] = [writable(p, READ_ONLY, PEERING_READ_ONLY_PROPERTIES)
                                           for p in props["virtualNetworkPeerings"]]
    return body
