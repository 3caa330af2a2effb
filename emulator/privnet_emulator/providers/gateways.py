"""Microsoft.Network virtualNetworkGateways and serviceEndpointPolicies.

Gateways: a Network LRO with Azure's long duration (30 minutes, scaled by time_scale in realistic mode).
Each ipConfiguration must reference a subnet named GatewaySubnet of a VNet in the gateway's region; the
gateway gets a private address there, which makes the GatewaySubnet "in use" (InUseSubnetCannotBeDeleted).

Service endpoint policies: definitions `{name, properties{service, serviceResources[], description?}}`, a property
list that is also the child type serviceEndpointPolicyDefinitions (collections.py; spec serviceEndpointPolicy.json);
subnets reference policies by id in `serviceEndpointPolicies[{id}]` and the policy lists them in `subnets`.

Wire shape (azure-cli recording, Basic gateway): the PUT's answer shows the default vpnClientConfiguration (SSTP,
empty lists), the GETs do not; a GET answers without an ETag header (the body keeps its etag).
Emulator convention: every SKU gets the recorded Basic default vpnClientConfiguration in a PUT's answer (only a Basic
  gateway was recorded); one the client sent is kept and shown everywhere.
Emulator convention: a gateway ipConfiguration whose subnet is not a subnet named GatewaySubnet (or whose VNet
  has no such subnet) is 400 GatewaySubnetNotFound; a missing VNet, or one in another region, is 400
  InvalidResourceReference.
Emulator convention: deleting a gateway while a peering uses it (useRemoteGateways on a peering whose remote
  VNet is the gateway's VNet) is 400 VirtualNetworkGatewayInUseByPeerings; delete or update those peerings first
  (checked by peering.py through the check_gateway_delete hook, hooks.py).
Emulator convention: a subnet that references a missing service endpoint policy is 400 InvalidResourceReference;
  deleting a policy that a subnet references is 400 InUseServiceEndpointPolicyCannotBeDeleted.
"""

import copy
import ipaddress

from ..arm import ResourceType
from ..errors import bad_request, invalid_reference
from ..ids import ResourceId, same_id
from . import hooks
from .collections import ChildCollectionParent, CollectionChild
from .network import allocate_ip, canonical_enum, parse_prefix, subnet_prefixes, vnet_key_of

GATEWAY_TYPE = ("virtualNetworkGateways",)
POLICY_TYPE = ("serviceEndpointPolicies",)


def gateways_of_vnet(emu, vnet_key):
    """Gateways with an ipConfiguration in a subnet of this VNet."""
    out = []
    for gw in emu.store.of_type("Microsoft.Network", GATEWAY_TYPE):
        for cfg in gw.properties.get("ipConfigurations") or []:
            sid = ResourceId.parse(((cfg.get("properties") or {}).get("subnet") or {}).get("id") or "")
            if sid is not None and vnet_key_of(sid) == (vnet_key or "").lower():
                out.append(gw)
                break
    return out


DEFAULT_VPN_CLIENT = {"vpnClientProtocols": ["SSTP"], "vpnAuthenticationTypes": [], "vpnClientRootCertificates": [],
                      "vpnClientRevokedCertificates": [], "radiusServers": [], "vpnClientIpsecPolicies": []}


# ---- VPN gateway rules (issue 19; README "VPN gateways (issue 19)") ---------------------------------------------
# SKUs by generation: MicrosoftDocs/azure-docs includes/vpn-gateway-table-sku-performance.md (Generation1: VpnGw1-3 and
# VpnGw1AZ-3AZ; Generation2: VpnGw2-5 and VpnGw2AZ-5AZ). Basic is answered as Generation1 (azure-cli recording
# test_network_vnet_peering.yaml, a Basic gateway). Legacy Standard/HighPerformance: vpn-gateway-about-skus-legacy.md.
GENERATIONS = {"Generation1": ("Basic", "VpnGw1", "VpnGw2", "VpnGw3", "VpnGw1AZ", "VpnGw2AZ", "VpnGw3AZ",
                               "Standard", "HighPerformance"),
               "Generation2": ("VpnGw2", "VpnGw3", "VpnGw4", "VpnGw5", "VpnGw2AZ", "VpnGw3AZ", "VpnGw4AZ",
                               "VpnGw5AZ")}
VPN_SKUS = ("Basic", "Standard", "HighPerformance", "VpnGw1", "VpnGw2", "VpnGw3", "VpnGw4", "VpnGw5", "VpnGw1AZ",
            "VpnGw2AZ", "VpnGw3AZ", "VpnGw4AZ", "VpnGw5AZ")
SKU_RANK = {"VpnGw1": 1, "VpnGw2": 2, "VpnGw3": 3, "VpnGw4": 4, "VpnGw5": 5}
# Enums of the spec (azure-rest-api-specs Microsoft.Network virtualNetworkGateway.json: VirtualNetworkGatewayType,
# VpnType, VpnClientProtocol, VpnAuthenticationType; azure-mgmt-network 33.1.0 models/_enums.py at 2026-03-01).
GATEWAY_TYPES = ("Vpn", "ExpressRoute", "LocalGateway")
VPN_TYPES = ("PolicyBased", "RouteBased")
CLIENT_PROTOCOLS = ("IkeV2", "SSTP", "OpenVPN")
AUTH_TYPES = ("Certificate", "Radius", "AAD")
# ASNs an Azure VPN gateway refuses: reserved by IANA (MicrosoftDocs/azure-docs includes/vpn-gateway-faq-bgp-include.md,
# "can't be configured on your Azure VPN Gateway"); Azure's own reserved ASNs are refused for on-premises devices
# (local network gateways, vpn.py). Default ASN 65515 (same FAQ). The FAQ prints the last one as "429496729": read as
# 4294967295, the last 32-bit ASN that IANA reserves (RFC 7300), as the FAQ's "reserved by IANA" says.
IANA_RESERVED_ASNS = {23456, 4294967295} | set(range(64496, 64512)) | set(range(65535, 65552))
AZURE_RESERVED_ASNS = {8074, 8075, 12076, 65515, 65517, 65518, 65519, 65520}
DEFAULT_ASN = 65515


def is_az_sku(name):
    return str(name or "").endswith("AZ")


def sku_generation_error(sku, generation):
    """400 VirtualNetworkGatewaySkuCannotBeCreatedForSpecifiedVmGeneration, as quoted from Azure in
    Azure/Enterprise-Scale #504 (VpnGw1 with Generation2)."""
    return bad_request("VirtualNetworkGatewaySkuCannotBeCreatedForSpecifiedVmGeneration",
                       f"The Virtual Network Gateway Sku {sku} cannot be used when VirtualNetworkVpnGatewayGeneration "
                       f"is set to {generation}.")


def check_asn(asn, where, reserved):
    """The documented reserved ASNs. Azure's error code for them is not documented: emulator name InvalidBgpAsn."""
    if asn is None:
        return
    if not isinstance(asn, int) or isinstance(asn, bool) or not 0 < asn <= 4294967295:
        raise bad_request("InvalidBgpAsn", f"The BGP ASN {asn!r} of {where} is not a valid autonomous system number.")
    if asn in reserved:
        raise bad_request("InvalidBgpAsn", f"The BGP ASN {asn} of {where} is reserved and cannot be used. See "
                                            "https://aka.ms/vpngatewayfaq (BGP: ASNs reserved by Azure and by IANA).")


def connections_of_gateway(emu, gateway_key):
    """Connections whose virtualNetworkGateway1 or virtualNetworkGateway2 is this gateway (vpn.py serves them)."""
    out = []
    for conn in emu.store.of_type("Microsoft.Network", ("connections",)):
        props = conn.properties
        for key in ("virtualNetworkGateway1", "virtualNetworkGateway2"):
            if same_id((props.get(key) or {}).get("id"), gateway_key):
                out.append(conn)
                break
    return out


def normalise_vpn_client(rid, config):
    """Point-to-site settings (vpnClientConfiguration, spec VpnClientConfiguration): the address pool in CIDR form,
    enums in NRP's casing, root certificates kept as {name, properties{publicCertData}}, Entra ID's aadTenant,
    aadAudience and aadIssuer kept as sent."""
    out = copy.deepcopy(config)
    pool = ((out.get("vpnClientAddressPool") or {}).get("addressPrefixes")) or []
    for prefix in pool:
        parse_prefix(prefix, str(rid))
    if "vpnClientAddressPool" in out:
        out["vpnClientAddressPool"] = {"addressPrefixes": list(pool)}
    out["vpnClientProtocols"] = [canonical_enum(p, CLIENT_PROTOCOLS, "vpnClientProtocols")
                                 for p in out.get("vpnClientProtocols") or []]
    out["vpnAuthenticationTypes"] = [canonical_enum(a, AUTH_TYPES, "vpnAuthenticationTypes")
                                     for a in out.get("vpnAuthenticationTypes") or []]
    certs = []
    for cert in out.get("vpnClientRootCertificates") or []:
        data = (cert.get("properties") or {}).get("publicCertData")
        if not cert.get("name") or not data:
            raise bad_request("InvalidRequestFormat",
                              f"Cannot parse the request: a root certificate of {rid} needs a name and publicCertData.")
        certs.append({"name": cert["name"], "properties": {"publicCertData": data}})
    out["vpnClientRootCertificates"] = certs
    for key in ("vpnClientRevokedCertificates", "radiusServers", "vpnClientIpsecPolicies"):
        out.setdefault(key, [])
    return out


class VirtualNetworkGateway(ResourceType):
    """Creation and resize take Learn's time: "A gateway can take up to 45 minutes to build"
    (articles/vpn-gateway/vpn-gateway-about-vpn-gateway-settings.md) and an upgrade "takes about 45 minutes"
    (articles/vpn-gateway/gateway-sku-upgrade.md); scaled by time_scale in realistic latency. LRO: the spec's
    x-ms-long-running-operation with final-state-via azure-async-operation (PUT) and location (DELETE)."""

    types = GATEWAY_TYPE
    duration = 2700.0
    delete_duration = 900.0
    retry_after = 10
    etag_header = False

    def render_written(self, res):
        out = self.render(res)
        out["properties"].setdefault("vpnClientConfiguration", copy.deepcopy(DEFAULT_VPN_CLIENT))
        return out

    def validate(self, req, rid, body, existing):
        new = self.default_body(rid, body)
        props = new["properties"]
        for key in ("provisioningState", "resourceGuid", "inboundDnsForwardingEndpoint"):
            props.pop(key, None)
        props["gatewayType"] = canonical_enum(props.get("gatewayType") or "Vpn", GATEWAY_TYPES, "gatewayType")
        if props["gatewayType"] == "Vpn":
            props["vpnType"] = canonical_enum(props.get("vpnType") or "RouteBased", VPN_TYPES, "vpnType")
        props["enableBgp"] = bool(props.get("enableBgp", False))
        props["activeActive"] = bool(props.get("activeActive", False))
        sku = props.get("sku") or {"name": "Basic"}
        props["sku"] = {"name": sku.get("name"), "tier": sku.get("tier") or sku.get("name")}
        configs = props.get("ipConfigurations") or []
        if not configs:
            raise bad_request("InvalidRequestFormat",
                              f"Cannot parse the request: virtual network gateway {rid} has no ipConfigurations.")
        if props["gatewayType"] == "Vpn":
            self.check_vpn_rules(rid, props, configs, existing)
        old = {c.get("name"): c for c in (existing.properties.get("ipConfigurations") or [])} if existing else {}
        taken, out = [], []
        for cfg in configs:
            name = cfg.get("name") or "default"
            cprops = cfg.get("properties") or {}
            subnet = self.gateway_subnet(rid, new["location"], (cprops.get("subnet") or {}).get("id"))
            previous = (old.get(name) or {}).get("properties") or {}
            if same_id((previous.get("subnet") or {}).get("id"), str(subnet.rid)) and previous.get("privateIPAddress"):
                ip = previous["privateIPAddress"]
            else:
                ip = allocate_ip(self.emu, subnet, taken=taken)
            taken.append(ip)
            kept = {"privateIPAllocationMethod": cprops.get("privateIPAllocationMethod") or "Dynamic",
                    "subnet": {"id": str(subnet.rid)}, "privateIPAddress": ip}
            if cprops.get("publicIPAddress"):
                kept["publicIPAddress"] = {"id": str(self.public_ip(rid, new["location"],
                                                                    cprops["publicIPAddress"].get("id")).rid)}
            out.append({"name": name, "properties": kept})
        props["ipConfigurations"] = out
        if props["gatewayType"] == "Vpn":
            self.check_public_ips(rid, props)
        else:
            props.pop("bgpSettings", None)
        return new

    def check_vpn_rules(self, rid, props, configs, existing):
        sku = props["sku"]["name"]
        if sku not in VPN_SKUS:
            canonical = next((s for s in VPN_SKUS if s.lower() == str(sku).lower()), None)
            if canonical is None:
                raise bad_request("InvalidRequestFormat",
                                  f"Cannot parse the request. The value '{sku}' is not valid for sku; a VPN gateway "
                                  f"takes one of {', '.join(VPN_SKUS)}.")
            props["sku"] = {"name": canonical, "tier": canonical}
            sku = canonical
        generation = props.get("vpnGatewayGeneration")
        if generation in (None, "None"):
            generation = "Generation1" if sku in GENERATIONS["Generation1"] else "Generation2"
        generation = canonical_enum(generation, tuple(GENERATIONS), "vpnGatewayGeneration")
        if sku not in GENERATIONS[generation]:
            raise sku_generation_error(sku, generation)
        props["vpnGatewayGeneration"] = generation
        # PolicyBased VPNs "can only be used on the Basic gateway SKU" (includes/vpn-gateway-vpntype-include.md);
        # BGP "is supported on Route-Based VPN gateways only", not on Basic (includes/vpn-gateway-faq-bgp-include.md).
        # Azure's codes for these are not documented: emulator names (README).
        if props.get("vpnType") == "PolicyBased" and sku != "Basic":
            raise bad_request("PolicyBasedVpnRequiresBasicSku",
                              f"Virtual network gateway {rid}: a PolicyBased VPN can only use the Basic SKU, "
                              f"not {sku}.")
        if props["enableBgp"] and (sku == "Basic" or props.get("vpnType") == "PolicyBased"):
            raise bad_request("BgpNotSupportedForGatewaySku",
                              f"Virtual network gateway {rid}: BGP is supported on RouteBased gateways of the VpnGw "
                              f"SKUs only, not on {sku} ({props.get('vpnType')}).")
        bgp = copy.deepcopy(props.get("bgpSettings") or {})
        asn = bgp.get("asn", DEFAULT_ASN)
        check_asn(asn, str(rid), IANA_RESERVED_ASNS)
        props["bgpSettings"] = {"asn": asn or DEFAULT_ASN, "peerWeight": int(bgp.get("peerWeight") or 0)}
        # Active-active: exactly two IP configurations (400 ActiveActiveGatewayMustHaveExactlyTwoIpConfigurations,
        # quoted in Azure/ALZ-Bicep #768).
        if props["activeActive"] and len(configs) != 2:
            raise bad_request("ActiveActiveGatewayMustHaveExactlyTwoIpConfigurations",
                              f"Gateway has {len(configs)} IP configurations specified for gateway {rid}. ActiveActive "
                              "Gateway must be created with two IP configurations.")
        if existing is not None:
            self.check_resize(rid, existing.properties, props)
        if props.get("vpnClientConfiguration"):
            props["vpnClientConfiguration"] = normalise_vpn_client(rid, props["vpnClientConfiguration"])

    def check_resize(self, rid, before, after):
        """A PUT that changes the SKU of an existing gateway: Learn's upgrade rules (articles/vpn-gateway/
        gateway-sku-upgrade.md and vpn-gateway-about-vpn-gateway-settings.md "Resizing or changing a SKU"): not from
        Basic, within the same generation, no downgrade, non-AZ to AZ of the same generation allowed. The VPN type
        cannot change once created (vpn-gateway-about-vpn-gateway-settings.md). A generation change is Azure's
        VirtualNetworkGatewaySkuCannotBeCreatedForSpecifiedVmGeneration; the other codes are emulator names."""
        old_sku, new_sku = (before.get("sku") or {}).get("name"), after["sku"]["name"]
        if before.get("vpnType") and before.get("vpnType") != after.get("vpnType"):
            raise bad_request("VpnTypeCannotBeChanged",
                              f"The VPN type of virtual network gateway {rid} cannot be changed from "
                              f"{before.get('vpnType')} to {after.get('vpnType')}; delete and re-create the gateway.")
        old_gen = before.get("vpnGatewayGeneration")
        if old_gen and old_gen != after["vpnGatewayGeneration"]:
            raise sku_generation_error(new_sku, after["vpnGatewayGeneration"])
        if old_sku == new_sku:
            return
        allowed = (old_sku != "Basic" and new_sku != "Basic" and old_sku in SKU_RANK_OF and new_sku in SKU_RANK_OF
                   and SKU_RANK_OF[new_sku] >= SKU_RANK_OF[old_sku] and (is_az_sku(new_sku) or not is_az_sku(old_sku)))
        if not allowed:
            raise bad_request("VirtualNetworkGatewaySkuCannotBeResized",
                              f"Virtual network gateway {rid} cannot be resized from {old_sku} to {new_sku}: a SKU "
                              "can be upgraded within its generation only, never from Basic and never downgraded. "
                              "Delete the gateway and create a new one instead.")

    def public_ip(self, rid, location, ip_id):
        """The public IP an ipConfiguration names: it must exist in the gateway's region (InvalidResourceReference)."""
        pip = self.store.get(ip_id or "")
        if pip is None or [t.lower() for t in pip.rid.types] != ["publicipaddresses"] or \
                pip.body.get("location") != location:
            raise invalid_reference(ip_id, str(rid))
        return pip

    def check_public_ips(self, rid, props):
        """The gateway's public IPs against its SKU, once validate() has resolved them."""
        sku = props["sku"]["name"]
        ips = [self.store.get(c["properties"]["publicIPAddress"]["id"]) for c in props["ipConfigurations"]
               if c["properties"].get("publicIPAddress")]
        for pip in ips:
            ip_sku = (pip.body.get("sku") or {}).get("name", "Basic")
            zones = pip.body.get("zones") or []
            # 400 PublicIpWithBasicSkuNotAllowedOnVPNGateways (Azure/bicep-registry-modules #1685): a Basic public
            # IP only on a Basic gateway (Learn about-gateway-skus.md: Standard public IPs for new gateways).
            if ip_sku == "Basic" and sku != "Basic":
                raise bad_request("PublicIpWithBasicSkuNotAllowedOnVPNGateways",
                                  "Basic IP configuration for VPN Virtual Network Gateways is not supported. Follow "
                                  "the link for more details : https://go.microsoft.com/fwlink/p/?linkid=2241350")
            # AZ SKUs need zonal Standard IPs (VmssVpnGatewayPublicIpsMustHaveZonesConfigured, Azure/ResourceModules
            # #2609); other SKUs regional ones (RegionalVmssVpnGatewayPublicIpsMustNotHaveZonesConfigured,
            # Azure/Azure-Landing-Zones #2660).
            if is_az_sku(sku) and ip_sku == "Standard" and not zones:
                raise bad_request("VmssVpnGatewayPublicIpsMustHaveZonesConfigured",
                                  "Standard Public IPs associated with VPN Gateways with AZ VPN skus must have zones "
                                  "configured.")
            if not is_az_sku(sku) and zones:
                raise bad_request("RegionalVmssVpnGatewayPublicIpsMustNotHaveZonesConfigured",
                                  "Standard Public IPs associated with VPN gateways with non-AZ VPN skus cannot have "
                                  "zones configured.")
        if props.get("activeActive") and len(ips) == 2:
            a, b = ips
            shape = [((p.body.get("sku") or {}).get("name"), p.properties.get("publicIPAllocationMethod"),
                      sorted(p.body.get("zones") or [])) for p in (a, b)]
            if shape[0] != shape[1]:
                raise bad_request(
                    "ActiveActiveGatewayPublicIPAddressesDiffersInSkuOrZones",
                    f"Virtual network gateway {rid} in active active mode is using PublicIPAddresses either with "
                    "different Skus or with different PublicIPAllocationMethod or from a different availability zones.")

    def gateway_subnet(self, rid, location, subnet_id):
        sid = ResourceId.parse(subnet_id or "")
        is_subnet = sid is not None and len(sid.pairs) == 2 and sid.types[1].lower() == "subnets"
        vnet_key = vnet_key_of(sid) if is_subnet else None
        vnet = self.store.get(vnet_key) if vnet_key else None
        if vnet is None or vnet.body.get("location") != location:
            raise invalid_reference(subnet_id, str(rid))
        subnet = self.store.get(sid.key)
        if subnet is None or subnet.rid.name != "GatewaySubnet":
            raise bad_request(
                "GatewaySubnetNotFound",
                f"Virtual network gateway {rid} must use the subnet named GatewaySubnet of virtual network "
                f"{vnet.rid}; {subnet_id} is not a gateway subnet. Create a subnet named GatewaySubnet first.")
        # "While you can create a gateway subnet as small as /29, we recommend ... /27 or larger" (Learn,
        # vpn-gateway-about-vpn-gateway-settings.md "Gateway subnet"): only /29 is enforced. Azure's code for a smaller
        # one is not documented; the nearest documented answer is NRP's SubnetIsFull (MicrosoftDocs SupportArticles,
        # AKS "SubnetIsFull": "Subnet ... with address prefix ... does not have enough capacity for N IP addresses").
        for prefix in subnet_prefixes(subnet.properties):
            net = ipaddress.ip_network(prefix, strict=False)
            if net.version == 4 and net.prefixlen > 29:
                raise bad_request("SubnetIsFull",
                                  f"Subnet {subnet.rid.name} with address prefix {prefix} does not have enough "
                                  "capacity for a virtual network gateway: a GatewaySubnet must be /29 or larger.")
        return subnet

    def check_delete(self, req, res):
        vnet_keys = {k for k in (vnet_key_of(ResourceId.parse(c["properties"]["subnet"]["id"]))
                                 for c in res.properties.get("ipConfigurations") or []) if k}
        # A gateway with connections cannot be deleted: "Before you can delete the virtual network gateway, you must
        # first delete any resources that are dependent on the gateway" (Learn, vpn-gateway-delete-vnet-gateway-
        # powershell.md). Azure's code is not documented: emulator name after NRP's InUse...CannotBeDeleted family.
        conns = connections_of_gateway(self.emu, res.key)
        if conns:
            raise bad_request("InUseVirtualNetworkGatewayCannotBeDeleted",
                              f"Virtual network gateway {res.rid} is in use by connection {conns[0].rid} and cannot be "
                              "deleted. Delete the gateway's connections first.")
        # peering.py refuses while a peering uses the gateway (VirtualNetworkGatewayInUseByPeerings): it imports
        # this module, so it answers through a hook (hooks.py) instead of being imported here.
        hooks.fire(self.emu.engine, "check_gateway_delete", self.emu, res, vnet_keys)

    def render_properties(self, res):
        props = copy.deepcopy(res.properties)
        state = self.provisioning_state(res)
        etag = self.etag_text(res)
        configs = []
        for cfg in props.get("ipConfigurations") or []:
            cfg_id = f"{res.rid}/ipConfigurations/{cfg['name']}"
            cfg["properties"]["provisioningState"] = state
            configs.append({"name": cfg["name"], "id": cfg_id, "etag": etag,
                            "type": "Microsoft.Network/virtualNetworkGateways/ipConfigurations",
                            "properties": cfg["properties"]})
        props["ipConfigurations"] = configs
        props["resourceGuid"] = res.guid
        props.setdefault("packetCaptureDiagnosticState", "None")
        props.setdefault("enablePrivateIpAddress", False)
        props.setdefault("natRules", [])
        props.setdefault("enableBgpRouteTranslationForNat", False)
        props.setdefault("vpnGatewayGeneration", "Generation1")
        client = props.get("vpnClientConfiguration")
        if client:
            for cert in client.get("vpnClientRootCertificates") or []:
                cert["id"] = f"{res.rid}/vpnClientRootCertificates/{cert['name']}"
                cert["etag"] = etag
                cert["properties"]["provisioningState"] = state
        first = configs[0]["properties"]["privateIPAddress"] if configs else None
        stored = props.get("bgpSettings") or {}
        peering = []
        for c in configs:
            entry = {"ipconfigurationId": c["id"], "defaultBgpIpAddresses": [c["properties"]["privateIPAddress"]],
                     "customBgpIpAddresses": []}
            pip = self.store.get((c["properties"].get("publicIPAddress") or {}).get("id") or "")
            address = pip.handler.render_properties(pip).get("ipAddress") if pip is not None else None
            if address:   # the gateway's public address (recorded as tunnelIpAddresses once it is provisioned)
                entry["tunnelIpAddresses"] = [address]
            peering.append(entry)
        props["bgpSettings"] = {"asn": stored.get("asn", DEFAULT_ASN), "bgpPeeringAddress": first,
                                "peerWeight": stored.get("peerWeight", 0), "bgpPeeringAddresses": peering}
        return props


SKU_RANK_OF = {name: SKU_RANK[name.replace("AZ", "")] for name in VPN_SKUS if name.replace("AZ", "") in SKU_RANK}


# ---- service endpoint policies ----------------------------------------------------------------
def subnets_using_policy(emu, policy_key):
    return [s for s in emu.store.of_type("Microsoft.Network", ("virtualNetworks", "subnets"))
            if any(same_id(ref.get("id"), policy_key) for ref in s.properties.get("serviceEndpointPolicies") or [])]


def check_subnet_policies(emu, sid, props, location=None):
    """Called from subnet validation: every referenced policy must exist; keep the references as [{id}].

    A policy in another region than the subnet's VNet, or in another subscription, is refused: "Virtual networks
    must be in the same region as the service endpoint policy" (MicrosoftDocs/azure-docs
    articles/virtual-network/virtual-network-service-endpoint-policies-overview.md, Limitations); the subscription
    was added to that limitation by MicrosoftDocs/azure-docs PR #124747 ("Updated region and subscription
    limitation", 2024-10-30). Azure's error code for it is not documented; NRP answers a reference it cannot resolve
    in the referencing resource's region with InvalidResourceReference, whose message asks that "both resources are
    in the same region" (errors.invalid_reference), so that is the answer here."""
    refs = props.get("serviceEndpointPolicies")
    if refs is None:
        return
    out = []
    for ref in refs:
        policy = emu.store.get((ref or {}).get("id") or "")
        if policy is None or [t.lower() for t in policy.rid.types] != ["serviceendpointpolicies"]:
            raise invalid_reference((ref or {}).get("id"), str(sid))
        if (location is not None and policy.body.get("location") != location) or \
                policy.rid.subscription.lower() != sid.subscription.lower():
            raise invalid_reference((ref or {}).get("id"), str(sid))
        out.append({"id": str(policy.rid)})
    props["serviceEndpointPolicies"] = out


class ServiceEndpointPolicy(ChildCollectionParent):
    """Definitions are both a property list and a child type (collections.py), as routes are for route tables.
    Spec: azure-rest-api-specs Microsoft.Network stable/2024-03-01 serviceEndpointPolicy.json,
    ServiceEndpointPolicyDefinitions_CreateOrUpdate / _Get / _Delete / _ListByResourceGroup on
    .../serviceEndpointPolicies/{policy}/serviceEndpointPolicyDefinitions/{definition} (what
    azure.azcollection's azure_rm_serviceendpointpolicydefinition calls; found by tests/peer)."""

    types = POLICY_TYPE
    child_type = prop_key = "serviceEndpointPolicyDefinitions"
    read_only = ("provisioningState", "resourceGuid", "subnets")
    duration = 3.0
    retry_after = 10

    def check_delete(self, req, res):
        users = subnets_using_policy(self.emu, res.key)
        if users:
            raise bad_request(
                "InUseServiceEndpointPolicyCannotBeDeleted",
                f"Service endpoint policy {res.rid} is in use by subnet {users[0].rid} and cannot be deleted. "
                "Remove the policy from the subnet first.")

    def render_properties(self, res):
        props = super().render_properties(res)
        props["subnets"] = [{"id": str(s.rid)} for s in subnets_using_policy(self.emu, res.key)]
        return props


class ServiceEndpointPolicyDefinition(CollectionChild):
    types = POLICY_TYPE + ("serviceEndpointPolicyDefinitions",)
    duration = 3.0
    retry_after = 10

    def normalise(self, cid, props, parent_body):
        if not props.get("service"):
            raise bad_request("InvalidRequestFormat",
                              f"Cannot parse the request: service endpoint policy definition {cid.name} has no "
                              "service.")
        kept = {"service": props["service"], "serviceResources": list(props.get("serviceResources") or [])}
        if props.get("description") is not None:
            kept["description"] = props["description"]
        return kept


def register(engine):
    engine.register(VirtualNetworkGateway)
    engine.register(ServiceEndpointPolicy)
    engine.register(ServiceEndpointPolicyDefinition)
    hooks.on(engine, "check_subnet", check_subnet_policies)
