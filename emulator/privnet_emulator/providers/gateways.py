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

from ..arm import ResourceType
from ..errors import bad_request, invalid_reference
from ..ids import ResourceId, same_id
from . import hooks
from .collections import ChildCollectionParent, CollectionChild
from .network import allocate_ip, vnet_key_of

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


class VirtualNetworkGateway(ResourceType):
    types = GATEWAY_TYPE
    duration = 1800.0
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
        for key in ("provisioningState", "resourceGuid", "bgpSettings"):
            props.pop(key, None)
        props.setdefault("gatewayType", "Vpn")
        if props["gatewayType"] == "Vpn":
            props.setdefault("vpnType", "RouteBased")
        props.setdefault("enableBgp", False)
        props.setdefault("activeActive", False)
        sku = props.get("sku") or {"name": "Basic"}
        props["sku"] = {"name": sku.get("name"), "tier": sku.get("tier") or sku.get("name")}
        configs = props.get("ipConfigurations") or []
        if not configs:
            raise bad_request("InvalidRequestFormat",
                              f"Cannot parse the request: virtual network gateway {rid} has no ipConfigurations.")
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
                kept["publicIPAddress"] = {"id": cprops["publicIPAddress"].get("id")}
            out.append({"name": name, "properties": kept})
        props["ipConfigurations"] = out
        return new

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
        return subnet

    def check_delete(self, req, res):
        vnet_keys = {k for k in (vnet_key_of(ResourceId.parse(c["properties"]["subnet"]["id"]))
                                 for c in res.properties.get("ipConfigurations") or []) if k}
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
        first = configs[0]["properties"]["privateIPAddress"] if configs else None
        props["bgpSettings"] = {"asn": 65515, "bgpPeeringAddress": first, "peerWeight": 0,
                                "bgpPeeringAddresses": [{"ipconfigurationId": c["id"],
                                                         "defaultBgpIpAddresses": [c["properties"]["privateIPAddress"]],
                                                         "customBgpIpAddresses": []} for c in configs]}
        return props


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
