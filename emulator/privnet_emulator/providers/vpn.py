"""Microsoft.Network publicIPAddresses, localNetworkGateways and connections (issue 19), and the on-premises VPN
device fixture. The virtual network gateways themselves are gateways.py; README "VPN gateways (issue 19)" lists every
behaviour with its source and what is not modelled.

Public IP addresses (spec: azure-rest-api-specs Microsoft.Network publicIpAddress.json, PublicIPAddressSku
Basic|Standard, tier Regional|Global, IPAllocationMethod Static|Dynamic; the SDK's 2026-03-01 enums): a Standard IP
must be Static (400 StandardSkuPublicIPAddressesMustBeStatic, quoted in MicrosoftDocs/azure-docs #42889). Wire shape
(azure-cli recordings test_network_vnet_peering.yaml, test_network_active_active_cross_premise_connection.yaml): a
PUT without sku is Basic/Regional, Dynamic, publicIPAddressVersion IPv4, idleTimeoutInMinutes 4, ipTags []; a Dynamic
IP has no ipAddress until a resource uses it. Addresses come from 198.51.100.0/24 (TEST-NET-2, RFC 5737: a
documentation range, never routable). Deleting an IP a gateway uses is 400 PublicIPAddressCannotBeDeleted (message as
quoted in hashicorp/terraform-provider-azurerm #2566, for a gateway in #688).

Local network gateways (spec LocalNetworkGatewayPropertiesFormat): gatewayIpAddress or fqdn,
localNetworkAddressSpace.addressPrefixes, bgpSettings {asn, bgpPeeringAddress, peerWeight}; an ASN reserved by Azure
or IANA is refused for an on-premises device (Learn includes/vpn-gateway-faq-bgp-include.md).

Connections (spec VirtualNetworkGatewayConnectionPropertiesFormat): connectionType IPsec | Vnet2Vnet (ExpressRoute
and VPNClient are accepted and never connect: not modelled), virtualNetworkGateway1, virtualNetworkGateway2 or
localNetworkGateway2 (stored and answered as {id}, as the recorded GET shows them), sharedKey (a GET answers it: the
azure-cli recording's deployment output holds "sharedKey"), connectionProtocol (IKEv2 | IKEv1, default IKEv2 as
recorded), enableBgp, usePolicyBasedTrafficSelectors, ipsecPolicies (IpsecPolicy: every field required; enums
IpsecEncryption, IpsecIntegrity, IkeEncryption, IkeIntegrity, DhGroup, PfsGroup), connectionStatus (Unknown |
Connecting | Connected | NotConnected). `connections/{name}/sharedkey` GET / PUT (VirtualNetworkGatewayConnections_
GetSharedKey / _SetSharedKey: ConnectionSharedKey {value}).

connectionStatus (emulator model, README): Unknown while the connection is provisioned (as recorded right after a
create); then, when its far end matches, Connecting for CONNECT_SECONDS (scaled) and Connected after; NotConnected
while it does not match. A Vnet2Vnet end matches when the connection the other gateway owns points back at this
gateway with the same shared key and compatible IPsec policies, both gateways provisioned; an IPsec end matches when
an on-premises VPN device (the fixture below) is declared at the local network gateway's address with the same key.

The device fixture is NOT Azure behaviour: Azure cannot see an on-premises device, so tests declare one through the
control API (POST /_emulator/vpn_devices {ip_address | fqdn, shared_key, address_prefixes?, bgp?}).
"""

import copy
import ipaddress
import time

from ..arm import ResourceType, Response
from ..errors import ArmError, bad_request, invalid_reference
from ..ids import same_id
from .gateways import AZURE_RESERVED_ASNS, GATEWAY_TYPE, IANA_RESERVED_ASNS, check_asn, connections_of_gateway
from .network import canonical_enum, parse_prefix

PIP_TYPE = ("publicIPAddresses",)
LNG_TYPE = ("localNetworkGateways",)
CONN_TYPE = ("connections",)
PUBLIC_RANGE = ipaddress.ip_network("198.51.100.0/24")   # RFC 5737 TEST-NET-2
# Emulator convention (undocumented in Azure): the time a tunnel takes to come up once both ends match.
CONNECT_SECONDS = 60.0

CONNECTION_TYPES = ("IPsec", "Vnet2Vnet", "ExpressRoute", "VPNClient")
PROTOCOLS = ("IKEv2", "IKEv1")
IPSEC_ENUMS = {
    "ipsecEncryption": ("None", "DES", "DES3", "AES128", "AES192", "AES256", "GCMAES128", "GCMAES192", "GCMAES256"),
    "ipsecIntegrity": ("MD5", "SHA1", "SHA256", "GCMAES128", "GCMAES192", "GCMAES256"),
    "ikeEncryption": ("DES", "DES3", "AES128", "AES192", "AES256", "GCMAES256", "GCMAES128"),
    "ikeIntegrity": ("MD5", "SHA1", "SHA256", "SHA384", "GCMAES256", "GCMAES128"),
    "dhGroup": ("None", "DHGroup1", "DHGroup2", "DHGroup14", "DHGroup2048", "ECP256", "ECP384", "DHGroup24"),
    "pfsGroup": ("None", "PFS1", "PFS2", "PFS2048", "ECP256", "ECP384", "PFS24", "PFS14", "PFSMM"),
}


def devices(emu):
    """The declared on-premises VPN devices: {address lower: device}."""
    found = getattr(emu.store, "vpn_devices", None)
    if found is None:
        found = emu.store.vpn_devices = {}
    return found


def declare_device(emu, spec):
    """Control API: declare an on-premises VPN device (a test fixture, not Azure behaviour)."""
    address = spec.get("ip_address") or spec.get("fqdn")
    if not address or not spec.get("shared_key"):
        raise ValueError("a VPN device needs ip_address (or fqdn) and shared_key")
    if spec.get("ip_address"):
        ipaddress.ip_address(spec["ip_address"])
    device = {"address": address, "shared_key": spec["shared_key"],
              "address_prefixes": list(spec.get("address_prefixes") or []), "bgp": spec.get("bgp"),
              "declared_at": time.monotonic()}
    devices(emu)[address.lower()] = device
    return {k: v for k, v in device.items() if k != "declared_at"}


def list_devices(emu):
    return [{k: v for k, v in d.items() if k not in ("declared_at", "shared_key")} for d in devices(emu).values()]


def gateway_ip_users(emu, pip_key):
    """(gateway, ipConfiguration name) pairs that use this public IP."""
    out = []
    for gw in emu.store.of_type("Microsoft.Network", GATEWAY_TYPE):
        for cfg in gw.properties.get("ipConfigurations") or []:
            if same_id(((cfg.get("properties") or {}).get("publicIPAddress") or {}).get("id"), pip_key):
                out.append((gw, cfg.get("name")))
    return out


class PublicIPAddress(ResourceType):
    types = PIP_TYPE
    top_level_keys = ("sku", "zones")
    duration = 3.0
    retry_after = 1

    def validate(self, req, rid, body, existing):
        new = self.default_body(rid, body)
        props = new["properties"]
        for key in ("provisioningState", "resourceGuid", "ipConfiguration", "ipAddress"):
            props.pop(key, None)
        sku = new.get("sku") or {}
        name = canonical_enum(sku.get("name") or "Basic", ("Basic", "Standard", "StandardV2"), "sku.name")
        new["sku"] = {"name": name, "tier": canonical_enum(sku.get("tier") or "Regional", ("Regional", "Global"),
                                                           "sku.tier")}
        method = props.get("publicIPAllocationMethod")
        method = canonical_enum(method or ("Dynamic" if name == "Basic" else "Static"), ("Static", "Dynamic"),
                                "publicIPAllocationMethod")
        if name != "Basic" and method != "Static":
            raise bad_request("StandardSkuPublicIPAddressesMustBeStatic",
                              f"Standard sku publicIp {rid} must have AllocationMethod set to Static.")
        props["publicIPAllocationMethod"] = method
        props["publicIPAddressVersion"] = canonical_enum(props.get("publicIPAddressVersion") or "IPv4",
                                                         ("IPv4", "IPv6"), "publicIPAddressVersion")
        props.setdefault("idleTimeoutInMinutes", 4)
        props.setdefault("ipTags", [])
        if existing is not None:
            if (existing.body.get("sku") or {}).get("name") != name and gateway_ip_users(self.emu, existing.key):
                raise bad_request("PublicIPAddressCannotBeUpdated",   # emulator name: undocumented
                                  f"The SKU of public IP address {rid} cannot change while a gateway uses it.")
            kept = (existing.body.get("internal") or {}).get("ipAddress")
            if kept:
                new["internal"] = {"ipAddress": kept}
        return new

    def render(self, res):
        out = super().render(res)
        out.pop("internal", None)
        return out

    def address(self, res):
        """The IP address: a Static one from the start, a Dynamic one once a resource uses it."""
        internal = res.body.setdefault("internal", {})
        if not internal.get("ipAddress"):
            used = {(r.body.get("internal") or {}).get("ipAddress") for r in self.store.of_type("Microsoft.Network",
                                                                                             PIP_TYPE)}
            for host in PUBLIC_RANGE.hosts():
                if str(host) not in used:
                    internal["ipAddress"] = str(host)
                    break
        return internal.get("ipAddress")

    def render_properties(self, res):
        props = copy.deepcopy(res.properties)
        props["resourceGuid"] = res.guid
        users = gateway_ip_users(self.emu, res.key)
        if users:
            gw, cfg = users[0]
            props["ipConfiguration"] = {"id": f"{gw.rid}/ipConfigurations/{cfg}"}
        if props.get("publicIPAllocationMethod") == "Static" or users:
            props["ipAddress"] = self.address(res)
        return props

    def check_delete(self, req, res):
        users = gateway_ip_users(self.emu, res.key)
        if users:
            gw, cfg = users[0]
            raise bad_request(
                "PublicIPAddressCannotBeDeleted",
                f"Public IP address {res.rid} can not be deleted since it is still allocated to resource "
                f"{gw.rid}/ipConfigurations/{cfg}. In order to delete the public IP, disassociate/detach the Public IP "
                "address from the resource.  To learn how to do this, see aka.ms/deletepublicip.")


def connections_of_local_gateway(emu, key):
    return [c for c in emu.store.of_type("Microsoft.Network", CONN_TYPE)
            if same_id((c.properties.get("localNetworkGateway2") or {}).get("id"), key)]


class LocalNetworkGateway(ResourceType):
    types = LNG_TYPE
    duration = 10.0
    retry_after = 10

    def validate(self, req, rid, body, existing):
        new = self.default_body(rid, body)
        props = new["properties"]
        for key in ("provisioningState", "resourceGuid"):
            props.pop(key, None)
        if props.get("gatewayIpAddress"):
            try:
                ipaddress.ip_address(props["gatewayIpAddress"])
            except ValueError:
                raise bad_request("InvalidRequestFormat", f"Cannot parse the request. gatewayIpAddress "
                                                          f"{props['gatewayIpAddress']!r} is not an IP address.")
        space = props.get("localNetworkAddressSpace") or {}
        prefixes = list(space.get("addressPrefixes") or [])
        for prefix in prefixes:
            parse_prefix(prefix, str(rid))
        props["localNetworkAddressSpace"] = {"addressPrefixes": prefixes}
        if props.get("bgpSettings"):
            bgp = props["bgpSettings"]
            check_asn(bgp.get("asn"), str(rid), AZURE_RESERVED_ASNS | IANA_RESERVED_ASNS)
            props["bgpSettings"] = {k: bgp[k] for k in ("asn", "bgpPeeringAddress", "peerWeight") if k in bgp}
            props["bgpSettings"].setdefault("peerWeight", 0)
        return new

    def render_properties(self, res):
        props = copy.deepcopy(res.properties)
        props["resourceGuid"] = res.guid
        return props

    def check_delete(self, req, res):
        # Learn (vpn-gateway-delete-vnet-gateway-powershell.md): a gateway's connections go first. Azure's code for a
        # local network gateway still in use is not documented: emulator name after NRP's InUse...CannotBeDeleted.
        users = connections_of_local_gateway(self.emu, res.key)
        if users:
            raise bad_request("InUseLocalNetworkGatewayCannotBeDeleted",
                              f"Local network gateway {res.rid} is in use by connection {users[0].rid} and cannot be "
                              "deleted. Delete the connection first.")


def normalise_policies(rid, policies):
    out = []
    for policy in policies or []:
        kept = {}
        for key in ("saLifeTimeSeconds", "saDataSizeKilobytes"):
            if not isinstance(policy.get(key), int):
                raise bad_request("InvalidRequestFormat", f"Cannot parse the request. An IPsec policy of {rid} "
                                                          f"needs {key} (an integer).")
            kept[key] = policy[key]
        for key, allowed in IPSEC_ENUMS.items():
            if policy.get(key) is None:
                raise bad_request("InvalidRequestFormat", f"Cannot parse the request. An IPsec policy of {rid} "
                                                          f"needs {key}.")
            kept[key] = canonical_enum(policy[key], allowed, key)
        out.append(kept)
    return out


class Connection(ResourceType):
    types = CONN_TYPE
    duration = 120.0          # emulator convention: Azure documents no time for a connection's create
    retry_after = 10

    def validate(self, req, rid, body, existing):
        new = self.default_body(rid, body)
        props = new["properties"]
        for key in ("provisioningState", "resourceGuid", "connectionStatus", "tunnelConnectionStatus",
                    "egressBytesTransferred", "ingressBytesTransferred"):
            props.pop(key, None)
        props["connectionType"] = canonical_enum(props.get("connectionType") or "", CONNECTION_TYPES,
                                                 "connectionType")
        gw1 = self.reference(rid, props, "virtualNetworkGateway1", GATEWAY_TYPE, required=True)
        if gw1.body.get("location") != new["location"]:
            raise invalid_reference(str(gw1.rid), str(rid))
        if props["connectionType"] == "Vnet2Vnet":
            self.reference(rid, props, "virtualNetworkGateway2", GATEWAY_TYPE, required=True)
            props.pop("localNetworkGateway2", None)
        elif props["connectionType"] == "IPsec":
            self.reference(rid, props, "localNetworkGateway2", LNG_TYPE, required=True)
            props.pop("virtualNetworkGateway2", None)
        props["connectionProtocol"] = canonical_enum(props.get("connectionProtocol") or "IKEv2", PROTOCOLS,
                                                     "connectionProtocol")
        props["enableBgp"] = bool(props.get("enableBgp", False))
        props["usePolicyBasedTrafficSelectors"] = bool(props.get("usePolicyBasedTrafficSelectors", False))
        props["useLocalAzureIpAddress"] = bool(props.get("useLocalAzureIpAddress", False))
        props.setdefault("routingWeight", 0)
        props.setdefault("dpdTimeoutSeconds", 0)
        props.setdefault("connectionMode", "Default")
        props.setdefault("trafficSelectorPolicies", [])
        props["ipsecPolicies"] = normalise_policies(rid, props.get("ipsecPolicies"))
        new["internal"] = {"matched_since": None}
        return new

    def reference(self, rid, props, key, types, required):
        ref_id = (props.get(key) or {}).get("id")
        if not ref_id:
            if required:
                raise bad_request("InvalidRequestFormat",
                                  f"Cannot parse the request. Connection {rid} of type {props['connectionType']} "
                                  f"needs {key}.")
            return None
        target = self.store.get(ref_id)
        if target is None or [t.lower() for t in target.rid.types] != [t.lower() for t in types]:
            raise invalid_reference(ref_id, str(rid), details=[{"code": "NotFound",
                                                                "message": f"Resource {ref_id} not found."}])
        props[key] = {"id": str(target.rid)}
        return target

    def after_write(self, req, res, before):
        res.body.setdefault("internal", {})["written_at"] = time.monotonic()

    def put_finished(self, res, op):
        res.body.setdefault("internal", {})["ready_at"] = time.monotonic()

    def render(self, res):
        out = super().render(res)
        out.pop("internal", None)
        return out

    # ---- connection status ----------------------------------------------------------------
    def ready_at(self, res):
        """When this connection was last provisioned, or None while an operation runs."""
        if res.pending_op:
            return None
        internal = res.body.get("internal") or {}
        return internal.get("ready_at") or internal.get("written_at") or 0.0

    def gateway_ready(self, ref):
        gw = self.store.get((ref or {}).get("id") or "")
        return gw is not None and not gw.pending_op and gw.provisioning_state == "Succeeded"

    def peer(self, res):
        """The connection the far gateway owns that points back at this one's gateway (Vnet2Vnet)."""
        props = res.properties
        for other in connections_of_gateway(self.emu, props["virtualNetworkGateway2"]["id"]):
            if other.key == res.key or other.properties.get("connectionType") != "Vnet2Vnet":
                continue
            o = other.properties
            if same_id(o["virtualNetworkGateway1"]["id"], props["virtualNetworkGateway2"]["id"]) and \
                    same_id((o.get("virtualNetworkGateway2") or {}).get("id"), props["virtualNetworkGateway1"]["id"]):
                return other
        return None

    def matched_since(self, res):
        """The moment both ends started to match (monotonic), or None when they do not."""
        mine = self.ready_at(res)
        props = res.properties
        if mine is None or not self.gateway_ready(props.get("virtualNetworkGateway1")):
            return None
        if props["connectionType"] == "Vnet2Vnet":
            other = self.peer(res)
            if other is None or self.ready_at(other) is None or \
                    not self.gateway_ready(props.get("virtualNetworkGateway2")):
                return None
            key = props.get("sharedKey")
            if not key or key != other.properties.get("sharedKey"):
                return None
            mine_p, theirs = props.get("ipsecPolicies") or [], other.properties.get("ipsecPolicies") or []
            if mine_p and theirs and not any(p in theirs for p in mine_p):
                return None
            return max(mine, self.ready_at(other))
        if props["connectionType"] == "IPsec":
            lng = self.store.get(props["localNetworkGateway2"]["id"])
            if lng is None:
                return None
            address = lng.properties.get("gatewayIpAddress") or lng.properties.get("fqdn") or ""
            device = devices(self.emu).get(address.lower())
            if device is None or not props.get("sharedKey") or device["shared_key"] != props["sharedKey"]:
                return None
            return max(mine, device["declared_at"])
        return None

    def status(self, res):
        if res.pending_op:
            return "Unknown"
        since = self.matched_since(res)
        if since is None:
            return "NotConnected"
        if time.monotonic() - since < self.emu.scaled(CONNECT_SECONDS):
            return "Connecting"
        return "Connected"

    def render_properties(self, res):
        props = copy.deepcopy(res.properties)
        props["resourceGuid"] = res.guid
        props["connectionStatus"] = self.status(res)
        props.setdefault("ingressBytesTransferred", 0)
        props.setdefault("egressBytesTransferred", 0)
        return props


class ConnectionSharedKey(ResourceType):
    """connections/{name}/sharedkey: a singleton child (GET and PUT on the path itself, arm.py Engine.handle).
    VirtualNetworkGatewayConnections_SetSharedKey is long-running in the spec; Emulator convention: answered at once
    (200 with ConnectionSharedKey), which the SDK's poller accepts as a finished operation."""

    types = CONN_TYPE + ("sharedkey",)
    singleton = True
    has_location = False
    etag_style = None

    def singleton_request(self, req, parent_rid):
        conn = self.store.get(parent_rid.key)
        if conn is None:
            raise self.emu.engine.not_found(parent_rid)
        key_id = f"{conn.rid}/sharedkey"
        if req.method == "GET":
            value = conn.properties.get("sharedKey")
            if value is None:
                raise ArmError(404, "NotFound", f"Resource {key_id} not found.")
            return Response(200, {"id": key_id, "value": value})
        if req.method == "PUT":
            value = (req.body or {}).get("value") if isinstance(req.body, dict) else None
            if not isinstance(value, str) or not value:
                raise bad_request("InvalidRequestFormat", "Cannot parse the request. Required property 'value' not "
                                                          "found in JSON.")
            self.emu.engine.check_busy(req, conn.handler, conn.rid)
            conn.properties["sharedKey"] = value
            conn.body.setdefault("internal", {})["ready_at"] = time.monotonic()
            return Response(200, {"id": key_id, "value": value})
        raise ArmError(405, "MethodNotAllowed", f"The method {req.method} is not allowed.")


class GatewayConnections(ResourceType):
    """VirtualNetworkGateways_ListConnections: GET {gateway}/connections lists the connections that name the gateway
    (virtualNetworkGateway1 or 2). Read-only: nothing is written on this path."""

    types = GATEWAY_TYPE + ("connections",)
    singleton = True
    has_location = False
    etag_style = None

    def singleton_request(self, req, parent_rid):
        if req.method != "GET":
            raise ArmError(405, "MethodNotAllowed", f"The method {req.method} is not allowed.")
        gateway = self.store.get(parent_rid.key)
        if gateway is None:
            raise self.emu.engine.not_found(parent_rid)
        return self.emu.engine.page(req, [c.handler.render(c) for c in connections_of_gateway(self.emu, gateway.key)])


def register(engine):
    engine.register(PublicIPAddress)
    engine.register(LocalNetworkGateway)
    engine.register(Connection)
    engine.register(ConnectionSharedKey)
    engine.register(GatewayConnections)
