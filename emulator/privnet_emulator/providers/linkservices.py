"""Microsoft.Network loadBalancers (internal) and privateLinkServices, and private endpoints to a private link service
(issue 18). Network 2026-03-01 as the SDK sends it; the facts below are read from azure-rest-api-specs
specification/network/resource-manager/Microsoft.Network/stable/2024-05-01/loadBalancer.json (commit 18d4da03) and
privateLinkService.json (commit 20fed252), the last stable version in the one-file-per-type layout (2026-03-01 holds
the same types in virtualNetwork.json, not read), and from the Microsoft Learn articles named beside each behaviour.

Load balancers (loadBalancer.json):
* `sku.name` Basic | Standard | Gateway, `sku.tier` Regional | Global (LoadBalancerSku; read case-insensitively,
  answered in the spec's casing, as network.canonical_enum does for subnets); kept as sent.
* `frontendIPConfigurations[]` in a subnet (FrontendIPConfigurationPropertiesFormat: subnet, privateIPAddress,
  privateIPAllocationMethod Dynamic | Static, privateIPAddressVersion; zones): a Dynamic one gets the subnet's next
  free address, a Static one the address asked for (network.allocate_ip: Azure's reserved addresses and the
  PrivateIPAddressNotInSubnet / PrivateIPAddressIsReserved / PrivateIPAddressInUse answers); the subnet must be in
  the load balancer's region, else 400 InvalidResourceReference (errors.invalid_reference).
* `backendAddressPools[]`, `probes[]` (ProbePropertiesFormat: protocol Http | Tcp | Https and port required) and
  `loadBalancingRules[]` (LoadBalancingRulePropertiesFormat: protocol Udp | Tcp | All and frontendPort required; its
  frontendIPConfiguration, backendAddressPool(s) and probe references must name this load balancer's own entries,
  else 400 InvalidResourceReference). A missing required property is NRP's 400 InvalidRequestFormat "Cannot parse
  the request." (the emulator's strict-contract answer, contract/__init__.py).
* Each entry is also a child resource with its own GET and list (LoadBalancerFrontendIPConfigurations_Get / _List,
  LoadBalancerBackendAddressPools_*, LoadBalancerProbes_*, LoadBalancerLoadBalancingRules_*), id
  `{lb}/{collection}/{name}`, type `Microsoft.Network/loadBalancers/{collection}`, the load balancer's etag; the
  read-only back references `loadBalancingRules` of a frontend, pool and probe list the rules that use them.
* Writes: LoadBalancers_CreateOrUpdate is long-running (final-state-via azure-async-operation), _Delete too
  (location): the Network RP's answers (arm.py NETWORK).

Private link services (privateLinkService.json; Microsoft Learn private-link/private-link-service-overview.md):
* `loadBalancerFrontendIpConfigurations[]` name frontends of a Standard load balancer ("Azure Private Link Service
  is only supported on Standard Load Balancer"; Limitations: not supported on Basic); a frontend that does not exist,
  or is in another region than the service, is 400 InvalidResourceReference (the service must be in the same region
  as the virtual network and the load balancer; Azure/ResourceModules #1803 quotes this code for a private link
  service naming a missing frontend).
* NAT `ipConfigurations[]` (PrivateLinkServiceIpConfiguration: name, privateIPAddress, privateIPAllocationMethod,
  subnet, primary, privateIPAddressVersion), up to eight (overview, "Details"), each in a subnet whose
  `privateLinkServiceNetworkPolicies` is Disabled (private-link/disable-private-link-service-network-policy.md: an
  explicit disable setting is required to choose a NAT IP from a subnet); otherwise 400
  PrivateLinkServiceCannotBeCreatedInSubnetThatHasNetworkPoliciesEnabled "Private link service {id} cannot be
  created in a subnet {subnet id} since it has private link service network policies enabled." (the case of
  hashicorp/terraform-provider-azurerm #25258; code and message as a real answer quoted in a Terraform error log of a
  public repository, found through the code search).
* `visibility.subscriptions`, `autoApproval.subscriptions` (ResourceSet), `fqdns`, `enableProxyProtocol`; the
  read-only `alias` `{name}.{guid}.{region}.azure.privatelinkservice` (overview, "Alias": prefix the service name, a
  GUID from the platform, suffix region.azure.privatelinkservice), generated once at creation; the read-only
  `networkInterfaces`: a NIC created for the service's lifecycle, not manageable by the customer (overview,
  "Details"), named `{service}.nic.{id}` (spec example PrivateLinkServiceGet.json) in the service's resource group,
  with the NAT addresses and `privateLinkService: {id}` (NetworkInterfacePropertiesFormat); the read-only
  `privateEndpointConnections` list.
* Writes: PrivateLinkServices_CreateOrUpdate long-running (azure-async-operation), _Delete (location): arm.py NETWORK.
  Deleting the service deletes its NIC and its connections; the endpoints' connections then show Disconnected
  (endpoints.DISCONNECTED).

Connecting (overview, "Share your service", "Control service exposure", "Control service access"):
* A private endpoint's connection names the service by resource id or by alias in `privateLinkServiceId` (the
  overview: consumers connect with the alias or the resource URI; the PE API has no other field for it: Azure/
  azure-service-operator PR #5288 puts the alias in a manual connection's privateLinkServiceId,
  hashicorp/terraform-provider-azurerm PR #9794 reports it working there). An endpoint connects to one service; no
  group id is asked for (group ids are a first-party target's).
* Visibility: the endpoint's subscription is in `visibility.subscriptions`, or the list holds `*` ("Anyone with your
  alias"; azure-cli #24608: null, "*" or a list of subscriptions), or the caller has access to the service through
  RBAC ("Role-based access control only"). The emulator does not model RBAC (tenants.py: every principal may do
  everything in a tenant where it exists), so "through RBAC" is: the request carries a token of the service's tenant
  (the primary token or an auxiliary one, tenants.has_linked_access). Not visible, or a service that does not exist
  (also an alias that names none): 400
  ThirdPartyPrivateLinkServiceProvidedDuringPrivateEndpointCreationDoesNotExistOrIsNotVisible (Azure/azure-powershell
  #24514 quotes the code for an endpoint naming a private link service by id).
* Approval: a request from a subscription in `autoApproval.subscriptions` is approved at once (overview, "Control
  service access"); so is an automatic request (privateLinkServiceConnections) whose caller may approve on the
  service (private-link/private-endpoint-overview.md, approval workflow: automatic approval for who has the
  privateEndpointConnectionsApproval permission on the resource; the RBAC stand-in above). Otherwise the request
  reaches the provider as Pending and waits for approval.
* The service's connection `privateLinkServices/{s}/privateEndpointConnections/{name}`: GET, list, PUT (approve or
  reject through `privateLinkServiceConnectionState`: PrivateLinkServices_UpdatePrivateEndpointConnection answers
  200, not long-running), DELETE (long-running, location: arm.py NETWORK). It shows `privateEndpoint`,
  `privateLinkServiceConnectionState`, `linkIdentifier` and `privateEndpointLocation` (PrivateEndpointConnection
  Properties); the endpoint's connection shows the state set there.
* `POST {scope}/providers/Microsoft.Network/locations/{location}/checkPrivateLinkServiceVisibility` at subscription
  and resource-group scope, body {privateLinkServiceAlias}: 200 {visible} (the spec declares 200 or 202; the
  emulator answers at once), visible by the rule above for the path's subscription.
* `GET /subscriptions/{sub}/providers/Microsoft.Network/locations/{location}/autoApprovedPrivateLinkServices`: the
  services in that region whose autoApproval lists the subscription, as {value: [{privateLinkService: id}]}.

Emulator conventions (the behaviour is documented, the exact answer is not):
* A private link service on a Basic (or Gateway, or SKU-less) load balancer's frontend, one without a frontend or
  without a NAT IP configuration, or with more than eight: 400 BadRequest naming the problem.
* A frontend with a public IP address or prefix: 400 InvalidResourceReference (the emulator serves no public IPs);
  inbound NAT rules, inbound NAT pools and outbound rules are not served: a load balancer sending any is 400
  BadRequest saying so. A child write (PUT/DELETE of a frontend, pool, probe or rule) is 405: write the load balancer.
* The not-visible message: "Third-party Private Link Service Id {id} provided during private endpoint creation does
  not exist or is not visible." (the code's words; the quoted message is cut off after the id).
* Connection names `{endpoint}.{guid}`; a new connection's state {Approved, "Auto-Approved", None} or {Pending,
  requestMessage or "Awaiting Approval", None} (as linktargets.py); `linkIdentifier` a decimal 32-bit number (the
  overview's PROXY protocol TLV: a UINT32 link id); PUT status Approved | Rejected | Pending | Removed (the spec:
  "Approved/Rejected/Removed by the owner"), anything else 400 BadRequest; a PUT on a connection that does not exist
  is 404 NotFound.
* The endpoint's NIC gets one address, privateLinkConnectionProperties {groupId "", requiredMemberName "",
  fqdns []}.
* The alias GUID is a random GUID; `visibility`, `autoApproval` default {subscriptions: []}, `fqdns` [],
  `enableProxyProtocol` false.
"""

import copy
import random

from ..arm import Response, ResourceType
from ..errors import ArmError, bad_request, invalid_reference, not_found_child
from ..ids import ResourceId, new_guid, same_id
from ..store import Resource
from .. import tenants
from . import endpoints
from .network import allocate_ip, canonical_enum, lookup, subnet_prefixes, vnet_key_of

NS = "Microsoft.Network"
LB_TYPES = ("loadBalancers",)
LB_COLLECTIONS = ("frontendIPConfigurations", "backendAddressPools", "probes", "loadBalancingRules")
PLS_TYPES = ("privateLinkServices",)
PLS_CONNECTION_TYPES = ("privateLinkServices", "privateEndpointConnections")
LB_SKUS = ("Basic", "Standard", "Gateway")
LB_TIERS = ("Regional", "Global")
ALLOCATION = ("Dynamic", "Static")
PROBE_PROTOCOLS = ("Http", "Tcp", "Https")
RULE_PROTOCOLS = ("Udp", "Tcp", "All")
LOAD_DISTRIBUTION = ("Default", "SourceIP", "SourceIPProtocol")
ALIAS_SUFFIX = ".azure.privatelinkservice"
MAX_NAT_IPS = 8
CONNECTION_STATES = ("Approved", "Rejected", "Pending", "Removed")
NOT_SERVED = ("inboundNatRules", "inboundNatPools", "outboundRules")


def cannot_parse(detail):
    return bad_request("InvalidRequestFormat", f"Cannot parse the request. {detail}")


def resolve_subnet(emu, subnet_id, location, by_id):
    """The subnet resource of a reference, in a VNet of `location`, or 400 InvalidResourceReference."""
    subnet = lookup(emu, subnet_id) if subnet_id and ResourceId.parse(subnet_id) else None
    if subnet is None or [t.lower() for t in subnet.rid.types] != ["virtualnetworks", "subnets"]:
        raise invalid_reference(subnet_id, by_id)
    vnet = emu.store.get(vnet_key_of(subnet.rid))
    if vnet is None or vnet.body.get("location") != location or not subnet_prefixes(subnet.properties):
        raise invalid_reference(subnet_id, by_id)
    return subnet


def plan_address(emu, subnet, props, current, taken):
    """(address, method) for an IP configuration: the current address when nothing changes, else a new one."""
    method = canonical_enum(props.get("privateIPAllocationMethod") or "Dynamic", ALLOCATION,
                            "privateIPAllocationMethod")
    cur = (current or {}).get("properties") or {}
    same_subnet = bool(cur) and same_id((cur.get("subnet") or {}).get("id"), str(subnet.rid))
    if method == "Static":
        wanted = props.get("privateIPAddress")
        if not wanted:
            raise cannot_parse("A Static IP configuration needs privateIPAddress.")
        ip = wanted if same_subnet and cur.get("privateIPAddress") == wanted else \
            allocate_ip(emu, subnet, wanted=wanted, taken=taken)
    else:
        ip = cur["privateIPAddress"] if same_subnet and cur.get("privateIPAddress") else \
            allocate_ip(emu, subnet, taken=taken)
    taken.add(ip)
    return ip, method


# ---- load balancers --------------------------------------------------------------------------------------------
class LoadBalancer(ResourceType):
    types = LB_TYPES
    top_level_keys = ("sku",)
    duration = 5.0
    retry_after = 10

    def __init__(self, emulator):
        super().__init__(emulator)
        self._planned = {}

    def validate(self, req, rid, body, existing):
        new = self.default_body(rid, body)
        props = new["properties"]
        for key in ("provisioningState", "resourceGuid"):
            props.pop(key, None)
        for key in NOT_SERVED:
            if props.get(key):
                raise bad_request("BadRequest", f"Load balancer {rid}: the emulator does not serve {key} "
                                                "(inbound NAT rules, inbound NAT pools and outbound rules).")
            props.pop(key, None)
        sku = new.get("sku")
        if sku is not None:
            if not isinstance(sku, dict):
                raise cannot_parse("sku must be an object.")
            out = {}
            if sku.get("name") is not None:
                out["name"] = canonical_enum(sku["name"], LB_SKUS, "sku.name")
            if sku.get("tier") is not None:
                out["tier"] = canonical_enum(sku["tier"], LB_TIERS, "sku.tier")
            new["sku"] = out
        current = {}
        if existing is not None:
            for collection in LB_COLLECTIONS:
                for child in self.store.children(existing.key, collection):
                    current[(collection, child.rid.name.lower())] = {"properties": child.properties}
        entries = {}
        for collection in LB_COLLECTIONS:
            names, out = set(), []
            for entry in props.pop(collection, None) or []:
                name = (entry or {}).get("name")
                if not name:
                    raise cannot_parse(f"An entry of {collection} has no name.")
                if name.lower() in names:
                    # Same code and message as a VNet's duplicate subnets (network.py).
                    raise bad_request("DuplicateResourceName",
                                      f"Resource {rid} has two child resources with the same name ({name}).")
                names.add(name.lower())
                out.append((name, copy.deepcopy(entry)))
            entries[collection] = out
        planned, taken = [], set()
        for name, entry in entries["frontendIPConfigurations"]:
            cid = rid.child("frontendIPConfigurations", name)
            p = entry.get("properties") or {}
            for key in ("publicIPAddress", "publicIPPrefix", "gatewayLoadBalancer"):
                ref = (p.get(key) or {}).get("id") if isinstance(p.get(key), dict) else None
                if ref:
                    raise invalid_reference(ref, str(cid))
            subnet = resolve_subnet(self.emu, (p.get("subnet") or {}).get("id"), new["location"], str(cid))
            ip, method = plan_address(self.emu, subnet, p, current.get(("frontendIPConfigurations", name.lower())),
                                      taken)
            child = {"privateIPAddress": ip, "privateIPAllocationMethod": method,
                     "privateIPAddressVersion": "IPv4", "subnet": {"id": str(subnet.rid)}}
            extra = {"zones": list(entry["zones"])} if entry.get("zones") else {}
            planned.append((cid, {"properties": child, **extra}))
        for name, entry in entries["backendAddressPools"]:
            p = copy.deepcopy(entry.get("properties") or {})
            for key in ("provisioningState", "backendIPConfigurations", "loadBalancingRules", "outboundRule",
                        "outboundRules", "inboundNatRules"):
                p.pop(key, None)
            planned.append((rid.child("backendAddressPools", name), {"properties": p}))
        for name, entry in entries["probes"]:
            cid = rid.child("probes", name)
            p = copy.deepcopy(entry.get("properties") or {})
            p.pop("provisioningState", None)
            p.pop("loadBalancingRules", None)
            if not p.get("protocol") or p.get("port") is None:
                raise cannot_parse(f"Probe {cid} needs protocol and port.")
            p["protocol"] = canonical_enum(p["protocol"], PROBE_PROTOCOLS, "protocol")
            planned.append((cid, {"properties": p}))
        local = {(c, n.lower()) for c in LB_COLLECTIONS for n, _ in entries[c]}
        for name, entry in entries["loadBalancingRules"]:
            cid = rid.child("loadBalancingRules", name)
            p = copy.deepcopy(entry.get("properties") or {})
            p.pop("provisioningState", None)
            if not p.get("protocol") or p.get("frontendPort") is None:
                raise cannot_parse(f"Load balancing rule {cid} needs protocol and frontendPort.")
            p["protocol"] = canonical_enum(p["protocol"], RULE_PROTOCOLS, "protocol")
            if p.get("loadDistribution") is not None:
                p["loadDistribution"] = canonical_enum(p["loadDistribution"], LOAD_DISTRIBUTION, "loadDistribution")
            refs = [("frontendIPConfiguration", "frontendIPConfigurations"), ("backendAddressPool",
                                                                              "backendAddressPools"),
                    ("probe", "probes")]
            for key, collection in refs:
                if p.get(key):
                    p[key] = self.local_reference(rid, cid, p[key], collection, local)
            if p.get("backendAddressPools"):
                p["backendAddressPools"] = [self.local_reference(rid, cid, r, "backendAddressPools", local)
                                            for r in p["backendAddressPools"]]
            planned.append((cid, {"properties": p}))
        self._planned[rid.key] = planned
        return new

    @staticmethod
    def local_reference(rid, cid, ref, collection, local):
        """A rule's reference to an entry of this load balancer: {id} in the entry's id casing."""
        ref_id = (ref or {}).get("id") if isinstance(ref, dict) else None
        parsed = ResourceId.parse(ref_id or "")
        if parsed is None or parsed.parent() is None or not same_id(str(parsed.parent()), str(rid)) or \
                parsed.types[-1].lower() != collection.lower() or (collection, parsed.name.lower()) not in local:
            raise invalid_reference(ref_id, str(cid))
        return {"id": str(rid.child(collection, parsed.name))}

    def after_write(self, req, res, before):
        planned = self._planned.pop(res.key, None)
        if planned is None:   # a PATCH (tags only): the entries stay as they are
            return
        keep = {cid.key for cid, _ in planned}
        for collection in LB_COLLECTIONS:
            for child in self.store.children(res.key, collection):
                if child.key not in keep:
                    self.store.remove(child.key)
        for cid, body in planned:
            handler = self.emu.engine.handler_for(NS, LB_TYPES + (cid.types[-1],))
            child = self.store.get(cid.key) or Resource(cid, handler, {})
            child.body = body
            self.store.put(child)

    def render_properties(self, res):
        props = copy.deepcopy(res.properties)
        props["resourceGuid"] = res.guid
        for collection in LB_COLLECTIONS:
            handler = self.emu.engine.handler_for(NS, LB_TYPES + (collection,))
            props[collection] = [handler.render(c) for c in self.store.children(res.key, collection)]
        for key in NOT_SERVED:
            props[key] = []
        return props


class LoadBalancerChild(ResourceType):
    """An entry of a load balancer's collection as a child resource: GET and list (writes go through the parent)."""

    inherit_parent_etag = True
    has_location = False
    back_referenced = True    # frontends, pools and probes list the rules that use them

    def locks(self, rid):
        return [rid.parent().key]

    def validate(self, req, rid, body, existing):
        raise ArmError(405, "MethodNotAllowed", f"The emulator serves {self.types[-1]} through the load balancer's "
                                                "PUT.")

    def check_delete(self, req, res):
        raise ArmError(405, "MethodNotAllowed", f"The emulator serves {self.types[-1]} through the load balancer's "
                                                "PUT.")

    def render(self, res):
        out = super().render(res)
        for key in ("zones",):
            if key in res.body:
                out[key] = list(res.body[key])
        return out

    def render_properties(self, res):
        props = copy.deepcopy(res.properties)
        if self.back_referenced:
            rules = []
            for rule in self.store.children(res.rid.parent().key, "loadBalancingRules"):
                p = rule.properties
                refs = [p.get("frontendIPConfiguration"), p.get("backendAddressPool"), p.get("probe")] + \
                    list(p.get("backendAddressPools") or [])
                if any(same_id((r or {}).get("id"), str(res.rid)) for r in refs):
                    rules.append({"id": str(rule.rid)})
            if rules:
                props["loadBalancingRules"] = rules
        return props


class FrontendIPConfiguration(LoadBalancerChild):
    types = LB_TYPES + ("frontendIPConfigurations",)


class BackendAddressPool(LoadBalancerChild):
    types = LB_TYPES + ("backendAddressPools",)


class Probe(LoadBalancerChild):
    types = LB_TYPES + ("probes",)


class LoadBalancingRule(LoadBalancerChild):
    types = LB_TYPES + ("loadBalancingRules",)
    back_referenced = False


# ---- private link services --------------------------------------------------------------------------------------
def service_by_alias(emu, alias):
    for pls in emu.store.of_type(NS, PLS_TYPES):
        if (pls.properties.get("alias") or "").lower() == (alias or "").lower():
            return pls
    return None


def not_visible(target):
    return bad_request("ThirdPartyPrivateLinkServiceProvidedDuringPrivateEndpointCreationDoesNotExistOrIsNotVisible",
                       f"Third-party Private Link Service Id {target} provided during private endpoint creation does "
                       "not exist or is not visible.")


def subscriptions_of(props, key):
    return [str(s).lower() for s in ((props.get(key) or {}).get("subscriptions") or [])]


def visible(emu, req, pls_res, subscription):
    """private-link-service-overview.md "Control service exposure": listed, `*`, or RBAC (module docstring)."""
    listed = subscriptions_of(pls_res.properties, "visibility")
    return "*" in listed or subscription.lower() in listed or tenants.has_linked_access(emu, req, str(pls_res.rid))


def alias_resolver(emu, value):
    """An alias in a connection's privateLinkServiceId: the service's id; an alias naming none is not visible."""
    if not isinstance(value, str) or not value.lower().endswith(ALIAS_SUFFIX):
        return None
    pls = service_by_alias(emu, value)
    if pls is None:
        raise not_visible(value)
    return str(pls.rid)


class PrivateLinkService(ResourceType):
    types = PLS_TYPES
    duration = 5.0
    retry_after = 10
    top_level_keys = ("extendedLocation",)

    def __init__(self, emulator):
        super().__init__(emulator)
        self._planned = {}

    def validate(self, req, rid, body, existing):
        new = self.default_body(rid, body)
        props = new["properties"]
        for key in ("provisioningState", "networkInterfaces", "privateEndpointConnections", "alias"):
            props.pop(key, None)
        props["loadBalancerFrontendIpConfigurations"] = self.check_frontends(rid, new)
        configs = self.check_nat_configs(rid, new, existing)
        props["ipConfigurations"] = configs
        for key in ("visibility", "autoApproval"):
            value = props.get(key) or {}
            subs = value.get("subscriptions") if isinstance(value, dict) else None
            props[key] = {"subscriptions": [str(s) for s in subs or []]}
        props["fqdns"] = [str(f) for f in props.get("fqdns") or []]
        props["enableProxyProtocol"] = bool(props.get("enableProxyProtocol"))
        internal = copy.deepcopy(existing.body.get("internal", {})) if existing is not None else {}
        if existing is not None:
            props["alias"] = existing.properties.get("alias")
        else:
            # private-link-service-overview.md "Alias": {name}.{GUID}.{region}.azure.privatelinkservice
            props["alias"] = f"{rid.name}.{new_guid()}.{new['location']}{ALIAS_SUFFIX}"
        nic_id = internal.get("nicId") or str(ResourceId(rid.subscription, rid.resource_group, NS, [
            ("networkInterfaces", f"{rid.name}.nic.{new_guid()}")]))
        internal["nicId"] = nic_id
        new["internal"] = internal
        return new

    def check_frontends(self, rid, new):
        refs = new["properties"].get("loadBalancerFrontendIpConfigurations") or []
        if not refs:
            raise bad_request("BadRequest", f"Private link service {rid} needs a load balancer frontend IP "
                                            "configuration (loadBalancerFrontendIpConfigurations).")
        out = []
        for ref in refs:
            ref_id = (ref or {}).get("id") if isinstance(ref, dict) else None
            parsed = ResourceId.parse(ref_id or "")
            frontend = lookup(self.emu, ref_id) if parsed is not None else None
            if frontend is None or [t.lower() for t in frontend.rid.types] != ["loadbalancers",
                                                                               "frontendipconfigurations"]:
                raise invalid_reference(ref_id, str(rid))
            lb = self.store.get(frontend.rid.parent().key)
            if lb.body.get("location") != new["location"]:
                raise invalid_reference(ref_id, str(rid))
            sku = (lb.body.get("sku") or {}).get("name")
            if sku != "Standard":
                # private-link-service-overview.md: supported only on Standard Load Balancer, not on Basic.
                raise bad_request("BadRequest", f"Private link service {rid} cannot use frontend IP configuration "
                                                f"{frontend.rid} of load balancer {lb.rid} with SKU {sku or 'none'}: "
                                                "private link service is supported on Standard load balancers "
                                                "only.")
            out.append({"id": str(frontend.rid)})
        return out

    def check_nat_configs(self, rid, new, existing):
        entries = new["properties"].get("ipConfigurations") or []
        if not entries:
            raise bad_request("BadRequest", f"Private link service {rid} needs a NAT IP configuration "
                                            "(ipConfigurations).")
        if len(entries) > MAX_NAT_IPS:
            raise bad_request("BadRequest", f"Private link service {rid} has {len(entries)} NAT IP configurations; "
                                            f"at most {MAX_NAT_IPS} are allowed.")
        current = {c["name"].lower(): c for c in (existing.properties.get("ipConfigurations") or [])} \
            if existing is not None else {}
        out, names, taken = [], set(), set()
        for entry in entries:
            name = (entry or {}).get("name")
            if not name or name.lower() in names:
                raise cannot_parse("Every ipConfiguration needs a distinct name.")
            names.add(name.lower())
            p = (entry.get("properties") or {})
            subnet = resolve_subnet(self.emu, (p.get("subnet") or {}).get("id"), new["location"], str(rid))
            if subnet.properties.get("privateLinkServiceNetworkPolicies") != "Disabled":
                # disable-private-link-service-network-policy.md; code and message: module docstring.
                raise bad_request("PrivateLinkServiceCannotBeCreatedInSubnetThatHasNetworkPoliciesEnabled",
                                  f"Private link service {rid} cannot be created in a subnet {subnet.rid} since it "
                                  "has private link service network policies enabled.")
            ip, method = plan_address(self.emu, subnet, p, current.get(name.lower()), taken)
            out.append({"name": name, "properties": {
                "privateIPAddress": ip, "privateIPAllocationMethod": method, "subnet": {"id": str(subnet.rid)},
                "primary": bool(p.get("primary")), "privateIPAddressVersion": "IPv4"}})
        if not any(c["properties"]["primary"] for c in out):
            out[0]["properties"]["primary"] = True
        return out

    def after_write(self, req, res, before):
        nic_id = res.body["internal"]["nicId"]
        nic = self.store.get(nic_id)
        if nic is None:
            nic = Resource(ResourceId.parse(nic_id), self.emu.engine.handler_for(NS, ("networkInterfaces",)),
                           {"location": res.body["location"], "properties": {}})
        nic.properties["ipConfigurations"] = [
            {"name": c["name"], "properties": {k: copy.deepcopy(v) for k, v in c["properties"].items()}}
            for c in res.properties["ipConfigurations"]]
        nic.properties["privateLinkService"] = {"id": str(res.rid)}
        nic.etag = new_guid()
        self.store.put(nic)

    def on_deleted(self, res):
        nic = self.store.get(res.body.get("internal", {}).get("nicId") or "")
        if nic is not None:
            self.emu.engine.remove_now(nic)

    def render_properties(self, res):
        props = copy.deepcopy(res.properties)
        etag = self.etag_text(res)
        props["ipConfigurations"] = [
            {"name": c["name"], "id": f"{res.rid}/ipConfigurations/{c['name']}", "etag": etag,
             "type": f"{self.arm_type}/ipConfigurations",
             "properties": dict(c["properties"], provisioningState="Succeeded")}
            for c in props.get("ipConfigurations") or []]
        nic = self.store.get(res.body.get("internal", {}).get("nicId") or "")
        props["networkInterfaces"] = [{"id": str(nic.rid)}] if nic is not None else []
        handler = self.emu.engine.handler_for(NS, PLS_CONNECTION_TYPES)
        props["privateEndpointConnections"] = [handler.render(c) for c in
                                               self.store.children(res.key, "privateEndpointConnections")]
        return props


class PrivateLinkServiceConnection(ResourceType):
    """`privateLinkServices/{s}/privateEndpointConnections/{name}`: PUT answers 200 at once (the spec declares 200
    only), DELETE is long-running (location)."""

    types = PLS_CONNECTION_TYPES
    inherit_parent_etag = True
    has_location = False
    sync_create_status = 200
    duration = 3.0

    def synchronous(self, req):
        return req.method != "DELETE"

    def validate(self, req, rid, body, existing):
        if existing is None:
            raise not_found_child(str(rid))
        state = ((body.get("properties") or {}).get("privateLinkServiceConnectionState") or {})
        status = next((s for s in CONNECTION_STATES if s.lower() == str(state.get("status") or "").lower()), None)
        if status is None:
            raise bad_request("BadRequest", f"The value '{state.get('status')}' is not valid for "
                                            "privateLinkServiceConnectionState.status. Allowed values: "
                                            f"{', '.join(CONNECTION_STATES)}.")
        old = existing.properties.get("privateLinkServiceConnectionState") or {}
        new = copy.deepcopy(existing.body)
        new["properties"]["privateLinkServiceConnectionState"] = {
            "status": status,
            "description": state["description"] if state.get("description") is not None else
            old.get("description", ""),
            "actionsRequired": state.get("actionsRequired") or "None"}
        return new

    def patch(self, req, rid, body, existing):
        raise ArmError(405, "MethodNotAllowed", "The method PATCH is not allowed.")

    def render_properties(self, res):
        props = copy.deepcopy(res.properties)
        internal = res.body.get("internal") or {}
        props["linkIdentifier"] = internal.get("linkIdentifier")
        props["privateEndpointLocation"] = internal.get("privateEndpointLocation")
        return props


class PrivateLinkServiceTarget(endpoints.PrivateLinkTarget):
    resource_type = "Microsoft.Network/privateLinkServices"
    label = "private link service"
    group_ids_required = False

    def missing(self, target_id, pe_id):
        return not_visible(target_id)

    def check_endpoint(self, emu, req, pe_rid, kind, target_res):
        if not visible(emu, req, target_res, pe_rid.subscription):
            raise not_visible(str(target_res.rid))
        automatic = kind == "privateLinkServiceConnections"
        approved = pe_rid.subscription.lower() in subscriptions_of(target_res.properties, "autoApproval") or \
            (automatic and tenants.has_linked_access(emu, req, str(target_res.rid)))
        return {"approved": approved}

    def group_ids(self, target_res):
        return []

    def members(self, target_res):
        return [("", "", [])]

    def create_connection(self, emu, target_res, pe_res, manual, request_message=None, approved=False):
        state = ({"status": "Approved", "description": "Auto-Approved", "actionsRequired": "None"} if approved else
                 {"status": "Pending", "description": request_message or "Awaiting Approval",
                  "actionsRequired": "None"})
        rid = target_res.rid.child("privateEndpointConnections", f"{pe_res.rid.name}.{new_guid()}")
        res = Resource(rid, emu.engine.handler_for(NS, PLS_CONNECTION_TYPES), {
            "properties": {"privateEndpoint": {"id": str(pe_res.rid)}, "privateLinkServiceConnectionState": state},
            "internal": {"linkIdentifier": str(random.randint(1, 2 ** 32 - 1)),
                         "privateEndpointLocation": pe_res.body.get("location")}})
        emu.store.put(res)
        target_res.etag = new_guid()
        return res

    def visible_state(self, connection_res):
        return copy.deepcopy(connection_res.properties.get("privateLinkServiceConnectionState") or {})


# ---- location actions -------------------------------------------------------------------------------------------
def check_version(emu, req, sub, rg):
    """The api-version check the engine makes for resource paths (contract/__init__.py), for the location actions."""
    from .. import contract
    if "authorization" in req.headers:
        contract.check_api_version(emu, req, sub, rg, NS, PLS_TYPES)


def check_visibility(emu):
    def action(req, sub, rg, location):
        check_version(emu, req, sub, rg)
        body = req.body if isinstance(req.body, dict) else {}
        pls = service_by_alias(emu, body.get("privateLinkServiceAlias"))
        return Response(200, {"visible": bool(pls is not None and visible(emu, req, pls, sub))})
    return action


def auto_approved(emu):
    def action(req, sub, rg, location):
        if rg is not None:   # ListAutoApprovedPrivateLinkServicesByResourceGroup: not served (README)
            raise ArmError(404, "NotFound", f"No route for {req.path}.")
        check_version(emu, req, sub, rg)
        wanted = (location or "").replace(" ", "").lower()
        values = [{"privateLinkService": str(pls.rid)} for pls in emu.store.of_type(NS, PLS_TYPES)
                  if pls.body.get("location") == wanted and
                  sub.lower() in subscriptions_of(pls.properties, "autoApproval")]
        return emu.engine.page(req, values)
    return action


def register(engine):
    for cls in (LoadBalancer, FrontendIPConfiguration, BackendAddressPool, Probe, LoadBalancingRule,
                PrivateLinkService, PrivateLinkServiceConnection):
        engine.register(cls)
    endpoints.register_target(engine, PrivateLinkServiceTarget())
    endpoints.alias_resolvers(engine).append(alias_resolver)
    emu = engine.emu
    engine.location_actions[(NS.lower(), "checkprivatelinkservicevisibility", "POST")] = check_visibility(emu)
    engine.location_actions[(NS.lower(), "autoapprovedprivatelinkservices", "GET")] = auto_approved(emu)
