# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""VPN gateways and what they stand on: public IP addresses, virtual network gateways (route-based VPN), local
network gateways and connections. Checks of what a task asks for (raising ValueError that names the option and the
fix), the rules Microsoft documents for SKUs, generations and the GatewaySubnet, the members Azure sets (left out of a
body sent back), and the documented return shapes. The wire shapes are Microsoft.Network's JSON at _armjson.NETWORK_API
(azure-mgmt-network 33.1.0's models: PublicIPAddress, VirtualNetworkGateway, LocalNetworkGateway,
VirtualNetworkGatewayConnection, ConnectionSharedKey).

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from typing import Any, Optional

from ansible_collections.privnet.azure.plugins.module_utils._armjson import properties, ref, writable
from ansible_collections.privnet.azure.plugins.module_utils._ids import parse_resource_id
from ansible_collections.privnet.azure.plugins.module_utils._validate import cidr

NETWORK = "Microsoft.Network"
PUBLIC_IP_TYPE = "publicIPAddresses"
GATEWAY_TYPE = "virtualNetworkGateways"
LOCAL_GATEWAY_TYPE = "localNetworkGateways"
CONNECTION_TYPE = "connections"
GATEWAY_SUBNET = "GatewaySubnet"

# Microsoft Learn, vpn-gateway/vpn-gateway-about-vpn-gateway-settings.md ("Gateway subnet"): a gateway subnet can be
# as small as /29; /27 or larger is recommended.
GATEWAY_SUBNET_MIN_PREFIX = 29
GATEWAY_SUBNET_RECOMMENDED_PREFIX = 27

# Microsoft Learn, includes/vpn-gateway-table-sku-performance.md (linked from vpn-gateway/about-gateway-skus.md):
# the VPN SKUs of each generation. Basic is a Generation1 SKU.
SKUS_BY_GENERATION = {
    "Generation1": ("Basic", "VpnGw1", "VpnGw2", "VpnGw3", "VpnGw1AZ", "VpnGw2AZ", "VpnGw3AZ"),
    "Generation2": ("VpnGw2", "VpnGw3", "VpnGw4", "VpnGw5", "VpnGw2AZ", "VpnGw3AZ", "VpnGw4AZ", "VpnGw5AZ"),
}
VPN_SKUS = ("Basic", "VpnGw1", "VpnGw2", "VpnGw3", "VpnGw4", "VpnGw5",
            "VpnGw1AZ", "VpnGw2AZ", "VpnGw3AZ", "VpnGw4AZ", "VpnGw5AZ")
GENERATIONS = ("Generation1", "Generation2")

# Azure sets these; a body sent back leaves them out (the readOnly members of the models above).
READ_ONLY = ("etag", "type")
PUBLIC_IP_READ_ONLY_PROPERTIES = ("ipConfiguration", "resourceGuid", "provisioningState", "upgradedToV2")
GATEWAY_READ_ONLY_PROPERTIES = ("resourceGuid", "provisioningState", "inboundDnsForwardingEndpoint")
LOCAL_GATEWAY_READ_ONLY_PROPERTIES = ("resourceGuid", "provisioningState")
CONNECTION_READ_ONLY_PROPERTIES = ("connectionStatus", "tunnelConnectionStatus", "egressBytesTransferred",
                                   "ingressBytesTransferred", "resourceGuid", "provisioningState")

IN_PROGRESS = ("updating", "creating", "deleting", "provisioning")
# MicrosoftDocs/azure-docs includes/vpn-gateway-faq-bgp-include.md: ASNs reserved by IANA cannot be configured on an
# Azure VPN gateway (23456, 64496-64511, 65535-65551; the FAQ's "429496729" read as 4294967295); ASNs reserved by
# Azure (public 8074, 8075, 12076; private 65515, 65517-65520) cannot be given to on-premises devices (local network
# gateways). 65515 is an Azure gateway's default.
IANA_RESERVED_ASNS = frozenset({23456, 4294967295} | set(range(64496, 64512)) | set(range(65535, 65552)))
AZURE_RESERVED_ASNS = frozenset((8074, 8075, 12076, 65515, 65517, 65518, 65519, 65520))
_FQDN_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
# Microsoft Learn, azure-resource-manager/management/resource-name-rules.md (Microsoft.Network): public IP addresses,
# virtual network gateways, local network gateways and connections take 1-80 letters, digits, underscores, periods
# and hyphens, starting with a letter or digit and ending with a letter, digit or underscore.
_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$")


# ---- checks --------------------------------------------------------------------------------------------------

def check_name(value: Any, option: str, kind: str) -> str:
    text = str(value or "")
    if not _NAME.match(text):
        raise ValueError(f"{option}: {text!r} is not a valid {kind} name; use 1 to 80 letters, digits, underscores, "
                         "periods and hyphens, starting with a letter or digit and ending with a letter, digit or "
                         "underscore")
    return text


def is_az(sku: str) -> bool:
    return sku.lower().endswith("az")


def default_generation(sku: str) -> str:
    """The generation a SKU gets when none is given: Generation2 where the SKU exists in it, else Generation1."""
    return "Generation2" if canonical_sku(sku) in SKUS_BY_GENERATION["Generation2"] else "Generation1"


def canonical_sku(value: Any) -> str:
    """A VPN SKU name spelled as Azure does (VpnGw2AZ), or ValueError naming option ``sku``."""
    text = str(value or "").strip()
    for sku in VPN_SKUS:
        if sku.lower() == text.lower():
            return sku
    raise ValueError(f"sku: {value!r} is not a VPN gateway SKU; use one of {', '.join(VPN_SKUS)}")


def check_sku_generation(sku: str, generation: str) -> None:
    """The SKU must exist in the generation (Microsoft Learn, about-gateway-skus.md)."""
    allowed = SKUS_BY_GENERATION[generation]
    if sku not in allowed:
        other = [g for g, skus in SKUS_BY_GENERATION.items() if sku in skus]
        raise ValueError(f"sku: {sku} is not offered in {generation} (its SKUs: {', '.join(allowed)}); "
                         f"{'set generation: ' + other[0] if other else 'pick one of those'}")


def sku_rank(sku: str) -> int:
    digits = re.sub(r"\D", "", sku)
    return int(digits) if digits else 0


def check_resize(current: str, wanted: str, generation: str) -> None:
    """A SKU change of an existing gateway (Microsoft Learn, vpn-gateway/gateway-sku-upgrade.md): not from Basic,
    never down, within the generation, and from an AZ SKU only to an AZ SKU."""
    if current.lower() == wanted.lower():
        return
    fix = "delete the gateway and create it again with the new SKU (or keep the current one)"
    if current == "Basic":
        raise ValueError(f"sku: a Basic gateway cannot be resized to {wanted}; {fix}")
    check_sku_generation(wanted, generation)
    if is_az(current) and not is_az(wanted):
        raise ValueError(f"sku: {current} is an availability zone SKU; it can only change to another AZ SKU (e.g. "
                         f"{re.sub(r'AZ$', '', wanted)}AZ), not to {wanted}")
    if sku_rank(wanted) < sku_rank(current):
        raise ValueError(f"sku: {current} cannot be downgraded to {wanted} in place; {fix}")


def check_gateway_subnet(subnet: Optional[dict], vnet_name: str) -> list[str]:
    """The GatewaySubnet must exist and be /29 or larger; returns warnings (smaller than the recommended /27)."""
    if subnet is None:
        raise ValueError(f"virtual_network: '{vnet_name}' has no subnet named {GATEWAY_SUBNET}; a VPN gateway needs "
                         f"one (exactly that name), /{GATEWAY_SUBNET_RECOMMENDED_PREFIX} recommended, "
                         f"/{GATEWAY_SUBNET_MIN_PREFIX} at least: add it to the virtual network first")
    props = properties(subnet)
    prefixes = [p for p in [props.get("addressPrefix")] + list(props.get("addressPrefixes") or []) if p]
    v4 = [ipaddress.ip_network(p, strict=False) for p in prefixes if ":" not in str(p)]
    if not v4:
        return []
    largest = min(v4, key=lambda n: n.prefixlen)
    if largest.prefixlen > GATEWAY_SUBNET_MIN_PREFIX:
        raise ValueError(f"virtual_network: {GATEWAY_SUBNET} of '{vnet_name}' is {largest} (/{largest.prefixlen}); "
                         f"a VPN gateway needs /{GATEWAY_SUBNET_MIN_PREFIX} at least and "
                         f"/{GATEWAY_SUBNET_RECOMMENDED_PREFIX} is recommended: enlarge the subnet (it must hold no "
                         "gateway while you change it)")
    if largest.prefixlen > GATEWAY_SUBNET_RECOMMENDED_PREFIX:
        return [f"{GATEWAY_SUBNET} of '{vnet_name}' is {largest}; Microsoft recommends "
                f"/{GATEWAY_SUBNET_RECOMMENDED_PREFIX} or larger, which leaves room for more configurations"]
    return []


def check_asn(value: Any, option: str, on_premises: bool = False) -> int:
    """An ASN for an Azure VPN gateway, or with ``on_premises`` for a local network gateway (an on-premises device)."""
    try:
        asn = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{option}: {value!r} is not an AS number") from None
    if not 1 <= asn <= 4294967295:
        raise ValueError(f"{option}: {asn} is outside 1-4294967295")
    if asn in IANA_RESERVED_ASNS:
        raise ValueError(f"{option}: {asn} is reserved by IANA (23456, 64496-64511, 65535-65551) and cannot be used "
                         "with Azure VPN gateways; pick another ASN, for example a private one in 64512-65514")
    if on_premises and asn in AZURE_RESERVED_ASNS:
        raise ValueError(f"{option}: {asn} is reserved by Azure (8074, 8075, 12076, 65515, 65517-65520) and cannot be "
                         "an on-premises device's ASN; pick another, for example a private one in 64512-65514")
    return asn


def check_ip(value: Any, option: str) -> str:
    try:
        return str(ipaddress.ip_address(str(value).strip()))
    except ValueError:
        raise ValueError(f"{option}: {value!r} is not an IP address") from None


def check_fqdn(value: Any, option: str) -> str:
    text = str(value or "").strip().rstrip(".")
    labels = text.split(".")
    if len(labels) < 2 or len(text) > 253 or not all(_FQDN_LABEL.match(label) for label in labels):
        raise ValueError(f"{option}: {value!r} is not a fully qualified domain name; give one like vpn.example.com")
    return text


def check_prefixes(values: list, option: str) -> list[str]:
    result = [cidr(value, f"{option}[{index}]") for index, value in enumerate(values)]
    return list(dict.fromkeys(result))


def check_shared_key(value: Any) -> str:
    """A connection's pre-shared key: 1-128 printable ASCII characters (Microsoft Learn, vpn-gateway-vpn-faq.md)."""
    text = str(value or "")
    if not 1 <= len(text) <= 128 or not all(32 < ord(c) < 127 for c in text):
        raise ValueError("shared_key: must be 1 to 128 printable ASCII characters without spaces")
    return text


def certificate_data(value: Any, option: str) -> str:
    """A root certificate's public data as Azure takes it: the base64 of the DER certificate, on one line, without the
    PEM BEGIN/END lines (which are removed when given)."""
    text = re.sub(r"-----(BEGIN|END) CERTIFICATE-----", "", str(value or ""))
    text = re.sub(r"\s+", "", text)
    try:
        der = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        der = b""
    if not der or der[0] != 0x30:
        raise ValueError(f"{option}: is not a certificate's public data; give the base64 of the root certificate (PEM "
                         "without the BEGIN/END lines, or with them)")
    return text


# ---- reading Azure's JSON ----------------------------------------------------------------------------------------

def provisioning(resource: Optional[dict]) -> str:
    return str(properties(resource).get("provisioningState") or "")


def in_progress(resource: Optional[dict]) -> bool:
    return provisioning(resource).lower() in IN_PROGRESS


def tags_wanted(current: Optional[dict], tags: Optional[dict], purge: bool) -> Optional[dict]:
    """The tags a task asks for (None when it does not set them)."""
    if tags is None:
        return None
    wanted = {str(k): str(v) for k, v in tags.items()}
    return wanted if purge else dict((current or {}).get("tags") or {}, **wanted)


def sendable(resource: dict, read_only_properties: tuple[str, ...]) -> dict:
    """A resource as read, to PUT back: without what Azure sets."""
    return writable(resource, READ_ONLY, read_only_properties)


def gateway_sendable(gateway: dict) -> dict:
    """A virtual network gateway as read, to PUT back (read-modify-write): without what Azure sets, here and in its IP
    configurations, SKU, BGP peering addresses and point-to-site root and revoked certificates."""
    body = sendable(gateway, GATEWAY_READ_ONLY_PROPERTIES)
    props = properties(body)
    if isinstance(props.get("sku"), dict):
        props["sku"] = {k: v for k, v in props["sku"].items() if k != "capacity"}
    props["ipConfigurations"] = [writable(c, ("etag", "type"), ("privateIPAddress", "provisioningState"))
                                 for c in props.get("ipConfigurations") or []]
    bgp = props.get("bgpSettings")
    if isinstance(bgp, dict) and bgp.get("bgpPeeringAddresses"):
        computed = ("defaultBgpIpAddresses", "tunnelIpAddresses")
        bgp["bgpPeeringAddresses"] = [{k: v for k, v in a.items() if k not in computed}
                                      for a in bgp["bgpPeeringAddresses"]]
    client = props.get("vpnClientConfiguration")
    if isinstance(client, dict):
        for key in ("vpnClientRootCertificates", "vpnClientRevokedCertificates"):
            if client.get(key):
                client[key] = [writable(c, ("etag", "type"), ("provisioningState",)) for c in client[key]]
    return body


def _group(resource_id: Optional[str]) -> Optional[str]:
    return parse_resource_id(resource_id).resource_group if resource_id else None


def public_ip_result(ip: Optional[dict]) -> dict:
    if not ip:
        return {}
    props = properties(ip)
    return {
        "id": ip.get("id"),
        "name": ip.get("name"),
        "resource_group": _group(ip.get("id")),
        "location": ip.get("location"),
        "sku": (ip.get("sku") or {}).get("name"),
        "allocation_method": props.get("publicIPAllocationMethod"),
        "ip_address": props.get("ipAddress"),
        "zones": list(ip.get("zones") or []),
        "ip_configuration_id": ref(props.get("ipConfiguration")),
        "tags": dict(ip.get("tags") or {}),
        "provisioning_state": props.get("provisioningState"),
    }


def gateway_public_ips(gateway: Optional[dict]) -> list[str]:
    return [str(ref(properties(c).get("publicIPAddress"))) for c in properties(gateway).get("ipConfigurations") or []
            if ref(properties(c).get("publicIPAddress"))]


def gateway_subnet_id(gateway: Optional[dict]) -> Optional[str]:
    configs = properties(gateway).get("ipConfigurations") or []
    return ref(properties(configs[0]).get("subnet")) if configs else None


def bgp_result(settings: Any) -> dict:
    settings = settings if isinstance(settings, dict) else {}
    return {
        "asn": settings.get("asn"),
        "peering_address": settings.get("bgpPeeringAddress"),
        "peer_weight": settings.get("peerWeight"),
    }


def client_configuration_result(config: Any) -> dict:
    config = config if isinstance(config, dict) else {}
    return {
        "address_pool": list((config.get("vpnClientAddressPool") or {}).get("addressPrefixes") or []),
        "tunnel_types": list(config.get("vpnClientProtocols") or []),
        "auth_types": list(config.get("vpnAuthenticationTypes") or []),
        "root_certificates": [{"name": c.get("name"), "public_cert_data": properties(c).get("publicCertData")}
                              for c in config.get("vpnClientRootCertificates") or []],
        "aad_tenant": config.get("aadTenant"),
        "aad_audience": config.get("aadAudience"),
        "aad_issuer": config.get("aadIssuer"),
    }


def gateway_result(gateway: Optional[dict]) -> dict:
    if not gateway:
        return {}
    props = properties(gateway)
    sku = (props.get("sku") or {}).get("name")
    bgp: dict = props["bgpSettings"] if isinstance(props.get("bgpSettings"), dict) else {}
    addresses = [a for p in bgp.get("bgpPeeringAddresses") or [] for a in p.get("defaultBgpIpAddresses") or []]
    if not addresses and bgp.get("bgpPeeringAddress"):
        addresses = [a.strip() for a in str(bgp["bgpPeeringAddress"]).split(",") if a.strip()]
    return {
        "id": gateway.get("id"),
        "name": gateway.get("name"),
        "resource_group": _group(gateway.get("id")),
        "location": gateway.get("location"),
        "gateway_type": props.get("gatewayType"),
        "vpn_type": props.get("vpnType"),
        "sku": sku,
        "generation": props.get("vpnGatewayGeneration"),
        "active_active": bool(props.get("activeActive")),
        "enable_bgp": bool(props.get("enableBgp")),
        "bgp_asn": bgp.get("asn"),
        "bgp_peering_addresses": addresses,
        "public_ip_address_ids": gateway_public_ips(gateway),
        "gateway_subnet_id": gateway_subnet_id(gateway),
        "vpn_client_configuration": (client_configuration_result(props.get("vpnClientConfiguration"))
                                     if props.get("vpnClientConfiguration") else None),
        "tags": dict(gateway.get("tags") or {}),
        "provisioning_state": props.get("provisioningState"),
    }


def local_gateway_result(local: Optional[dict]) -> dict:
    if not local:
        return {}
    props = properties(local)
    return {
        "id": local.get("id"),
        "name": local.get("name"),
        "resource_group": _group(local.get("id")),
        "location": local.get("location"),
        "gateway_ip_address": props.get("gatewayIpAddress"),
        "fqdn": props.get("fqdn"),
        "address_prefixes": list((props.get("localNetworkAddressSpace") or {}).get("addressPrefixes") or []),
        "bgp": bgp_result(props.get("bgpSettings")) if props.get("bgpSettings") else None,
        "tags": dict(local.get("tags") or {}),
        "provisioning_state": props.get("provisioningState"),
    }


IPSEC_FIELDS = (("sa_lifetime_seconds", "saLifeTimeSeconds"), ("sa_data_size_kilobytes", "saDataSizeKilobytes"),
                ("ipsec_encryption", "ipsecEncryption"), ("ipsec_integrity", "ipsecIntegrity"),
                ("ike_encryption", "ikeEncryption"), ("ike_integrity", "ikeIntegrity"), ("dh_group", "dhGroup"),
                ("pfs_group", "pfsGroup"))


def ipsec_policy_wire(policy: dict, option: str = "ipsec_policy") -> dict:
    """A custom IPsec/IKE policy (the module's option) as Azure's IpsecPolicy; raises ValueError for what Microsoft
    documents as invalid (Microsoft Learn, vpn-gateway/ipsec-ike-policy-howto.md): an SA lifetime under 300 seconds, an
    SA data size under 1024 KB, GCMAES IPsec encryption without the same GCMAES IPsec integrity."""
    if int(policy["sa_lifetime_seconds"]) < 300:
        raise ValueError(f"{option}.sa_lifetime_seconds: {policy['sa_lifetime_seconds']} is under Azure's minimum of 300")
    if int(policy["sa_data_size_kilobytes"]) < 1024:
        raise ValueError(f"{option}.sa_data_size_kilobytes: {policy['sa_data_size_kilobytes']} is under Azure's minimum "
                         "of 1024")
    encryption, integrity = str(policy["ipsec_encryption"]), str(policy["ipsec_integrity"])
    if encryption.startswith("GCMAES") and integrity != encryption:
        raise ValueError(f"{option}.ipsec_integrity: with ipsec_encryption {encryption}, IPsec integrity must be the same "
                         f"GCMAES algorithm ({encryption})")
    return {wire: policy[option_name] for option_name, wire in IPSEC_FIELDS}


def ipsec_policy_result(policies: Any) -> Optional[dict]:
    """The first custom IPsec/IKE policy of a connection in the module's terms, or None (Azure's defaults)."""
    if not policies:
        return None
    policy = policies[0]
    return {option: policy.get(wire) for option, wire in IPSEC_FIELDS}


def connection_result(connection: Optional[dict]) -> dict:
    """A connection as returned: never its shared key."""
    if not connection:
        return {}
    props = properties(connection)
    return {
        "id": connection.get("id"),
        "name": connection.get("name"),
        "resource_group": _group(connection.get("id")),
        "location": connection.get("location"),
        "connection_type": props.get("connectionType"),
        "virtual_network_gateway_id": ref(props.get("virtualNetworkGateway1")),
        "remote_virtual_network_gateway_id": ref(props.get("virtualNetworkGateway2")),
        "local_network_gateway_id": ref(props.get("localNetworkGateway2")),
        "connection_protocol": props.get("connectionProtocol"),
        "enable_bgp": bool(props.get("enableBgp")),
        "ipsec_policy": ipsec_policy_result(props.get("ipsecPolicies")),
        "connection_status": props.get("connectionStatus"),
        "tags": dict(connection.get("tags") or {}),
        "provisioning_state": props.get("provisioningState"),
    }
