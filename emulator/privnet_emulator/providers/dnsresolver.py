"""Microsoft.Network DNS Private Resolver (issue 20): dnsResolvers with inboundEndpoints and outboundEndpoints,
dnsForwardingRulesets with forwardingRules and virtualNetworkLinks, and the two listByVirtualNetwork POST operations.
dnsserver.py answers DNS the way these resources make Azure answer; README "DNS Private Resolver and custom DNS
servers (issue 20)" lists every behaviour with its source and what is not modelled.

Served api-versions: the spec's stable ones only, 2025-05-01 (azure-rest-api-specs specification/dnsresolver/
resource-manager/Microsoft.Network/DnsResolver/stable/2025-05-01/openapi.json; azure-mgmt-dnsresolver 1.1.0's default)
and 2022-07-01 (stable/2022-07-01/dnsresolver.json) - contract/versions.py family "dnsresolver".

Shapes (that spec and its examples): DnsResolver {location, tags, properties {virtualNetwork {id} (required),
dnsResolverState Connected|Disconnected (read-only; the examples show Connected), provisioningState, resourceGuid}};
InboundEndpoint {location, properties {ipConfigurations [{subnet {id} (required), privateIpAddress,
privateIpAllocationMethod Static|Dynamic, default Dynamic}]}}; OutboundEndpoint {location, properties {subnet {id}}};
DnsForwardingRuleset {location, properties {dnsResolverOutboundEndpoints [{id}] (required)}}; ForwardingRule
{properties {domainName, targetDnsServers [{ipAddress, port default 53}] (both required), metadata {str: str},
forwardingRuleState Enabled|Disabled}}; VirtualNetworkLink {properties {virtualNetwork {id} (required), metadata}}.
ProvisioningState Creating|Updating|Deleting|Succeeded|Failed|Canceled. Etags are bare GUIDs in the body (the
examples' "00000000-0000-0000-0000-000000000000" form). PATCH bodies: tags (resolvers, endpoints, rulesets; a
ruleset's DnsForwardingRulesetPatch also takes dnsResolverOutboundEndpoints at its top level), properties
{targetDnsServers, metadata, forwardingRuleState} (rules), properties {metadata} (links).

Long-running operations (the examples DnsResolver_Put.json, InboundEndpoint_Put.json, VirtualNetworkLink_Put.json,
DnsResolver_Delete.json 2025-05-01): every write of resolvers, endpoints, rulesets and links answers 202 with
Azure-AsyncOperation .../resourceGroups/{rg}/providers/Microsoft.Network/locations/{location}/
dnsResolverOperationStatuses/{id} and Location .../dnsResolverOperationResults/{id} (arm.py DNS_RESOLVER; the
permission names Microsoft.Network/locations/dnsResolverOperationStatuses/read and .../dnsResolverOperationResults/read
of Learn's resource provider operations list name both). Emulator convention: the examples' URLs carry an
`/api/mresolver` prefix before /subscriptions, which the emulator leaves out. Forwarding rules are not long-running
(the spec: ForwardingRules_CreateOrUpdate 200/201, _Update 200, _Delete 200/204; the SDK polls nothing).

Rules from Microsoft Learn (articles/dns/dns-private-resolver-overview.md "Restrictions", the limits include
includes/dns-limits-private-resolver.md, articles/dns/private-resolver-endpoints-rulesets.md, and
articles/dns/dns-private-resolver-get-started-powershell.md "Delete a DNS resolver"):
* a resolver references a VNet in its own region; a VNet is referenced by one resolver only;
* an endpoint's subnet is delegated to Microsoft.Network/dnsResolvers, /28 to /24, IPv4 only, used by no other
  endpoint and no other resource, in the resolver's VNet; an inbound endpoint's IP configurations all name the same
  subnet; a dynamic inbound IP is typically the subnet's fifth address (Learn: the overview's note);
* limits: 15 resolvers per subscription, 5 inbound and 5 outbound endpoints per resolver, 1000 rules and 500 VNet
  links per ruleset, 2 outbound endpoints per ruleset, 2 rulesets per outbound endpoint, 6 target servers per rule;
* a rule's domain name is dot-terminated with zero labels (".", the wildcard) or 1 to 34 labels; its name begins with
  a letter and holds letters, digits, underscores and dashes; 168.63.129.16 cannot be a target (Learn quotes the
  error "Exception while making add request for rule");
* a ruleset is linked only to VNets of its own region;
* deleting a resolver needs its inbound endpoints deleted first; an outbound endpoint cannot be deleted while a
  ruleset uses it.

Errors: Azure's DNS resolver provider answered a subnet it cannot use with code BadRequest and the message quoted in
Azure/azure-rest-api-specs #21744, as the failure of the create operation (the endpoint was left behind): the
emulator fails the operation the same way (202, then status Failed with that error; the endpoint stays, Failed) for
the subnet rules. Emulator convention: every other rule answers 400 BadRequest at once with the emulator's own
message (Azure's codes and wording for them are not documented); a resolver PUT naming another VNet than the stored
one answers 409 Conflict (azure-sdk-for-net PR #18299, test PutDnsResolver_ResolverExistsUpdateVirtualNetwork_
ExpectConflicts).

Not modelled: DNS security policies, domain lists and policy links (the 2025-05-01 spec's other types); the
reserved 10.0.1.0-10.0.16.255 range an older overview listed (the current one no longer does); a VNet linked to
several rulesets (undocumented); ruleset/outbound endpoint region checks (undocumented).
"""

import copy
import ipaddress
import re

from ..arm import DNS_RESOLVER, SYNC, ResourceType, Response
from ..errors import ArmError, bad_request
from ..ids import ResourceId, same_id
from .network import allocate_ip, subnet_prefixes, subnet_users, vnet_key_of

RESOLVER = ("dnsResolvers",)
INBOUND = RESOLVER + ("inboundEndpoints",)
OUTBOUND = RESOLVER + ("outboundEndpoints",)
RULESET = ("dnsForwardingRulesets",)
RULE = RULESET + ("forwardingRules",)
LINK = RULESET + ("virtualNetworkLinks",)
NS = "Microsoft.Network"
DELEGATION = "Microsoft.Network/dnsResolvers"
AZURE_DNS_IP = "168.63.129.16"
# includes/dns-limits-private-resolver.md
LIMITS = {"resolvers_per_subscription": 15, "inbound_per_resolver": 5, "outbound_per_resolver": 5,
          "rules_per_ruleset": 1000, "links_per_ruleset": 500, "outbound_per_ruleset": 2,
          "rulesets_per_outbound": 2, "targets_per_rule": 6}
RULE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")   # private-resolver-endpoints-rulesets.md, "Rules"
ALLOCATION = ("Static", "Dynamic")
RULE_STATES = ("Enabled", "Disabled")
# The actions on a virtual network (the spec's DnsResolvers_ListByVirtualNetwork and
# DnsForwardingRulesets_ListByVirtualNetwork); contract/versions.py serves them at the dnsresolver family's versions.
VNET_ACTIONS = ("listdnsresolvers", "listdnsforwardingrulesets")


def invalid(message):
    return bad_request("BadRequest", message)


def enum(value, allowed, field):
    found = next((a for a in allowed if a.lower() == str(value).lower()), None)
    if found is None:
        raise invalid(f"The value '{value}' is not valid for {field}; expected one of {', '.join(allowed)}.")
    return found


def ref_id(props, key, what):
    ref = props.get(key)
    if not isinstance(ref, dict) or not ref.get("id"):
        raise invalid(f"The {what} reference ({key}.id) is required.")
    return ref["id"]


def find(emu, rid_text, types):
    res = emu.store.get(rid_text)
    if res is None or [t.lower() for t in res.rid.types] != [t.lower() for t in types] or \
            res.rid.namespace.lower() != NS.lower():
        return None
    return res


def succeeded(res):
    return res is not None and not res.pending_op and res.provisioning_state == "Succeeded"


# ---- helpers dnsserver.py uses -------------------------------------------------------------------------------
def inbound_endpoint_ips(emu):
    """{ip: (inbound endpoint, resolver)} of every provisioned inbound endpoint of a provisioned resolver."""
    out = {}
    for ep in emu.store.of_type(NS, INBOUND):
        resolver = emu.store.get(ep.rid.parent().key)
        if not succeeded(ep) or not succeeded(resolver):
            continue
        for cfg in ep.properties.get("ipConfigurations") or []:
            if cfg.get("privateIpAddress"):
                out[cfg["privateIpAddress"]] = (ep, resolver)
    return out


def rulesets_linked_to(emu, vnet_id):
    """Provisioned rulesets with a provisioned link to this VNet."""
    out = []
    for link in emu.store.of_type(NS, LINK):
        if succeeded(link) and same_id((link.properties.get("virtualNetwork") or {}).get("id"), vnet_id):
            ruleset = emu.store.get(link.rid.parent().key)
            if succeeded(ruleset) and ruleset not in out:
                out.append(ruleset)
    return out


def enabled_rules(emu, ruleset):
    return [r for r in emu.store.children(ruleset.key, "forwardingRules")
            if r.properties.get("forwardingRuleState", "Enabled") == "Enabled"]


# ---- shared checks -------------------------------------------------------------------------------------------
def subnet_error(subnet_id, kind):
    """The message Azure answered for a subnet the endpoint cannot use (Azure/azure-rest-api-specs #21744)."""
    return {"code": "BadRequest",
            "message": f"The specified subnet {subnet_id} could not be used to provision the {kind} endpoint. Please "
                       "make sure you use a subnet of at least /28 and at most /24 size, which is not currently in "
                       "use by any other DNS resolver endpoint or any other Azure service workloads."}


def endpoint_users(emu, subnet_id, me_key):
    """Other DNS resolver endpoints (not Failed) on this subnet."""
    out = []
    for types in (INBOUND, OUTBOUND):
        for ep in emu.store.of_type(NS, types):
            if ep.key == (me_key or "").lower() or ep.provisioning_state == "Failed" and not ep.pending_op:
                continue
            subnets = [c.get("subnet", {}).get("id") for c in ep.properties.get("ipConfigurations") or []] + \
                [(ep.properties.get("subnet") or {}).get("id")]
            if any(same_id(s, subnet_id) for s in subnets if s):
                out.append(ep)
    return out


def check_subnet(emu, req, rid, subnet_id, resolver, kind):
    """The endpoint's subnet: in the resolver's VNet (a sync 400), then usable (the operation fails, #21744)."""
    sid = ResourceId.parse(subnet_id)
    subnet = emu.store.get(subnet_id) if sid else None
    if subnet is None or [t.lower() for t in subnet.rid.types] != ["virtualnetworks", "subnets"]:
        raise invalid(f"The subnet {subnet_id} referenced by {rid} was not found.")
    vnet_id = (resolver.properties.get("virtualNetwork") or {}).get("id")
    if vnet_key_of(subnet.rid) != (vnet_id or "").lower():
        raise invalid(f"The subnet {subnet_id} must be within the virtual network {vnet_id} referenced by the DNS "
                      f"resolver {resolver.rid.name}.")
    props = subnet.properties
    delegated = any((d.get("properties") or {}).get("serviceName", "").lower() == DELEGATION.lower()
                    for d in props.get("delegations") or [])
    nets = [ipaddress.ip_network(p) for p in subnet_prefixes(props)]
    others = [u for u in subnet_users(emu, str(subnet.rid)) if u.key != rid.key
              and [t.lower() for t in u.rid.types] not in ([t.lower() for t in INBOUND], [t.lower() for t in OUTBOUND])]
    usable = (delegated and nets and all(n.version == 4 and 24 <= n.prefixlen <= 28 for n in nets)
              and not endpoint_users(emu, subnet_id, rid.key) and not others)
    if not usable and req.fault is None:
        req.fault = subnet_error(str(subnet.rid), kind)
    return subnet


def count_limit(items, limit, what):
    if len(items) >= limit:
        raise invalid(f"The limit of {limit} {what} has been reached.")


class DnsResolverType(ResourceType):
    lro_style = DNS_RESOLVER
    etag_style = "bare"
    duration = 5.0
    retry_after = 5
    create_state = "Creating"
    update_state = "Updating"

    def patch(self, req, rid, body, existing):
        new = copy.deepcopy(existing.body)
        if "tags" in body:
            new["tags"] = body.get("tags") or {}
        return new

    def render_properties(self, res):
        props = copy.deepcopy(res.properties)
        props["resourceGuid"] = res.guid
        return props


class DnsResolver(DnsResolverType):
    types = RESOLVER

    def validate(self, req, rid, body, existing):
        new = self.default_body(rid, body)
        props = new["properties"]
        for key in ("provisioningState", "resourceGuid", "dnsResolverState"):
            props.pop(key, None)
        vnet_id = ref_id(props, "virtualNetwork", "virtual network")
        vnet = find(self.emu, vnet_id, ("virtualNetworks",))
        if vnet is None:
            raise invalid(f"The virtual network {vnet_id} referenced by {rid} was not found.")
        if vnet.body.get("location") != new["location"]:
            raise invalid(f"A DNS resolver can only reference a virtual network in the same region as the DNS "
                          f"resolver ({new['location']}); {vnet_id} is in {vnet.body.get('location')}.")
        if existing is not None and not same_id((existing.properties.get("virtualNetwork") or {}).get("id"), vnet_id):
            raise ArmError(409, "Conflict", f"The virtual network of DNS resolver {rid.name} cannot be changed.")
        for other in self.store.of_type(NS, RESOLVER):
            if other.key != rid.key and same_id((other.properties.get("virtualNetwork") or {}).get("id"), vnet_id):
                raise invalid(f"The virtual network {vnet_id} is already referenced by the DNS resolver "
                              f"{other.rid}; a virtual network can only be referenced by a single DNS resolver.")
        if existing is None:
            count_limit(self.store.of_type(NS, RESOLVER, sub=rid.subscription),
                        LIMITS["resolvers_per_subscription"], "DNS resolvers per subscription")
        props["virtualNetwork"] = {"id": str(vnet.rid)}
        return new

    def check_delete(self, req, res):
        if self.store.children(res.key, "inboundEndpoints"):
            raise invalid(f"The DNS resolver {res.rid.name} has inbound endpoints; delete them first.")

    def render_properties(self, res):
        props = super().render_properties(res)
        props["dnsResolverState"] = "Connected"
        return props


class EndpointType(DnsResolverType):
    def render(self, res):
        out = super().render(res)   # a child that is a tracked resource: it shows its location (the examples)
        out["location"] = res.body.get("location")
        return out

    def resolver(self, rid):
        return self.store.get(rid.parent().key)

    def validate_common(self, rid, body, existing, child_type, limit):
        new = self.default_body(rid, body)
        for key in ("provisioningState", "resourceGuid"):
            new["properties"].pop(key, None)
        resolver = self.resolver(rid)
        if existing is None:
            count_limit(self.store.children(resolver.key, child_type), LIMITS[limit],
                        f"{child_type} per DNS resolver")
        return new, resolver


class InboundEndpoint(EndpointType):
    types = INBOUND

    def validate(self, req, rid, body, existing):
        new, resolver = self.validate_common(rid, body, existing, "inboundEndpoints", "inbound_per_resolver")
        configs = new["properties"].get("ipConfigurations")
        if not isinstance(configs, list) or not configs:
            raise invalid("Required property 'ipConfigurations' not found or empty.")
        subnet_ids = {ref_id(c, "subnet", "subnet").lower() for c in configs}
        if len(subnet_ids) != 1:
            raise invalid("All IP configurations of a DNS resolver inbound endpoint must reference the same subnet.")
        subnet = check_subnet(self.emu, req, rid, configs[0]["subnet"]["id"], resolver, "inbound")
        kept = {c.get("privateIpAddress") for c in (existing.properties.get("ipConfigurations") or [])} \
            if existing else set()
        out, taken = [], set()
        for cfg in configs:
            method = enum(cfg.get("privateIpAllocationMethod") or "Dynamic", ALLOCATION, "privateIpAllocationMethod")
            wanted = cfg.get("privateIpAddress") if method == "Static" else None
            if method == "Static" and not wanted:
                raise invalid("A Static IP configuration needs privateIpAddress.")
            if wanted is None and existing is not None:
                wanted = next((ip for ip in kept if ip and ip not in taken), None)
            ip = wanted if wanted in kept else allocate_ip(self.emu, subnet, wanted=wanted, taken=taken)
            taken.add(ip)
            out.append({"subnet": {"id": str(subnet.rid)}, "privateIpAddress": ip,
                        "privateIpAllocationMethod": method})
        new["properties"]["ipConfigurations"] = out
        return new


class OutboundEndpoint(EndpointType):
    types = OUTBOUND

    def validate(self, req, rid, body, existing):
        new, resolver = self.validate_common(rid, body, existing, "outboundEndpoints", "outbound_per_resolver")
        subnet = check_subnet(self.emu, req, rid, ref_id(new["properties"], "subnet", "subnet"), resolver, "outbound")
        new["properties"]["subnet"] = {"id": str(subnet.rid)}
        return new

    def check_delete(self, req, res):
        users = rulesets_using(self.emu, res.key)
        if users:
            raise invalid(f"The outbound endpoint {res.rid.name} is used by the DNS forwarding ruleset "
                          f"{users[0].rid}; delete the ruleset (and its virtual network links) first.")


def rulesets_using(emu, outbound_key):
    return [r for r in emu.store.of_type(NS, RULESET)
            if any(same_id(e.get("id"), outbound_key) for e in r.properties.get("dnsResolverOutboundEndpoints") or [])]


class DnsForwardingRuleset(DnsResolverType):
    types = RULESET

    def outbound_refs(self, rid, refs, existing):
        if not isinstance(refs, list) or not refs:
            raise invalid("Required property 'dnsResolverOutboundEndpoints' not found or empty.")
        if len(refs) > LIMITS["outbound_per_ruleset"]:
            raise invalid(f"A DNS forwarding ruleset can reference at most {LIMITS['outbound_per_ruleset']} "
                          "outbound endpoints.")
        out = []
        for ref in refs:
            ep = find(self.emu, (ref or {}).get("id") or "", OUTBOUND)
            if ep is None:
                raise invalid(f"The outbound endpoint {(ref or {}).get('id')} referenced by {rid} was not found.")
            users = [r for r in rulesets_using(self.emu, ep.key) if r.key != rid.key]
            if len(users) >= LIMITS["rulesets_per_outbound"]:
                raise invalid(f"The outbound endpoint {ep.rid} is already used by "
                              f"{LIMITS['rulesets_per_outbound']} DNS forwarding rulesets.")
            out.append({"id": str(ep.rid)})
        return out

    def validate(self, req, rid, body, existing):
        new = self.default_body(rid, body)
        props = new["properties"]
        for key in ("provisioningState", "resourceGuid"):
            props.pop(key, None)
        props["dnsResolverOutboundEndpoints"] = self.outbound_refs(rid, props.get("dnsResolverOutboundEndpoints"),
                                                                   existing)
        return new

    def patch(self, req, rid, body, existing):
        new = super().patch(req, rid, body, existing)
        if body.get("dnsResolverOutboundEndpoints") is not None:   # DnsForwardingRulesetPatch: at the top level
            new["properties"]["dnsResolverOutboundEndpoints"] = self.outbound_refs(
                rid, body["dnsResolverOutboundEndpoints"], existing)
        return new


def check_targets(servers):
    if not isinstance(servers, list) or not servers:
        raise invalid("Required property 'targetDnsServers' not found or empty.")
    if len(servers) > LIMITS["targets_per_rule"]:
        raise invalid(f"A forwarding rule can have at most {LIMITS['targets_per_rule']} target DNS servers.")
    out = []
    for server in servers:
        address = (server or {}).get("ipAddress")
        try:
            ip = ipaddress.ip_address(address)
        except (ValueError, TypeError):
            raise invalid(f"The target DNS server address {address!r} is not an IP address.")
        if str(ip) == AZURE_DNS_IP:
            # private-resolver-endpoints-rulesets.md: the error Learn quotes for 168.63.129.16 as a destination
            raise invalid("Exception while making add request for rule")
        port = server.get("port", 53)
        if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
            raise invalid(f"The port {port!r} of target DNS server {address} is not valid.")
        out.append({"ipAddress": str(ip), "port": port})
    return out


def check_domain(name):
    """Dot-terminated, zero labels (".") or 1 to 34 labels (private-resolver-endpoints-rulesets.md, "Rules")."""
    if not isinstance(name, str) or not name.endswith("."):
        raise invalid(f"The domain name {name!r} of a forwarding rule must be fully qualified (end with a dot).")
    if name == ".":
        return name
    labels = name[:-1].split(".")
    if not 1 <= len(labels) <= 34 or any(not label for label in labels):
        raise invalid(f"The domain name {name!r} must have zero labels (\".\") or between 1 and 34 labels.")
    return name


class ForwardingRule(DnsResolverType):
    types = RULE
    has_location = False
    lro_style = SYNC
    sync_create_status = 201

    def validate(self, req, rid, body, existing):
        if not RULE_NAME.match(rid.name):
            raise invalid(f"The forwarding rule name {rid.name!r} must begin with a letter and contain only letters, "
                          "numbers, underscores, and dashes.")
        new = self.default_body(rid, body)
        props = new["properties"]
        props.pop("provisioningState", None)
        props["domainName"] = check_domain(props.get("domainName"))
        props["targetDnsServers"] = check_targets(props.get("targetDnsServers"))
        # Emulator convention: no state sent is Enabled (the spec's default on ForwardingRulePatchProperties).
        props["forwardingRuleState"] = enum(props.get("forwardingRuleState") or "Enabled", RULE_STATES,
                                            "forwardingRuleState")
        if existing is None:
            count_limit(self.store.children(rid.parent().key, "forwardingRules"), LIMITS["rules_per_ruleset"],
                        "forwarding rules per DNS forwarding ruleset")
        return new

    def patch(self, req, rid, body, existing):
        new = super().patch(req, rid, body, existing)
        props = body.get("properties") or {}
        if props.get("targetDnsServers") is not None:
            new["properties"]["targetDnsServers"] = check_targets(props["targetDnsServers"])
        if props.get("metadata") is not None:
            new["properties"]["metadata"] = props["metadata"]
        if props.get("forwardingRuleState") is not None:
            new["properties"]["forwardingRuleState"] = enum(props["forwardingRuleState"], RULE_STATES,
                                                            "forwardingRuleState")
        return new

    def render_properties(self, res):
        return copy.deepcopy(res.properties)


class RulesetLink(DnsResolverType):
    types = LINK
    has_location = False

    def validate(self, req, rid, body, existing):
        new = self.default_body(rid, body)
        props = new["properties"]
        props.pop("provisioningState", None)
        vnet_id = ref_id(props, "virtualNetwork", "virtual network")
        vnet = find(self.emu, vnet_id, ("virtualNetworks",))
        if vnet is None:
            raise invalid(f"The virtual network {vnet_id} referenced by {rid} was not found.")
        ruleset = self.store.get(rid.parent().key)
        if vnet.body.get("location") != ruleset.body.get("location"):
            raise invalid(f"A DNS forwarding ruleset can't be linked to a virtual network in another region "
                          f"({vnet_id} is in {vnet.body.get('location')}, the ruleset in "
                          f"{ruleset.body.get('location')}).")
        if existing is None:
            count_limit(self.store.children(ruleset.key, "virtualNetworkLinks"), LIMITS["links_per_ruleset"],
                        "virtual network links per DNS forwarding ruleset")
        props["virtualNetwork"] = {"id": str(vnet.rid)}
        return new

    def patch(self, req, rid, body, existing):
        new = super().patch(req, rid, body, existing)
        metadata = (body.get("properties") or {}).get("metadata")
        if metadata is not None:
            new["properties"]["metadata"] = metadata
        return new

    def render_properties(self, res):
        return copy.deepcopy(res.properties)


def list_by_virtual_network(emu, req, vnet, action):
    """DnsResolvers_ListByVirtualNetwork (SubResourceListResult {value [{id}]}) and
    DnsForwardingRulesets_ListByVirtualNetwork (VirtualNetworkDnsForwardingRulesetListResult {value [{id, properties
    {virtualNetworkLink {id}}}]})."""
    if action == "listdnsresolvers":
        items = [{"id": str(r.rid)} for r in emu.store.of_type(NS, RESOLVER)
                 if same_id((r.properties.get("virtualNetwork") or {}).get("id"), str(vnet.rid))]
    else:
        items = [{"id": str(link.rid.parent()), "properties": {"virtualNetworkLink": {"id": str(link.rid)}}}
                 for link in emu.store.of_type(NS, LINK)
                 if same_id((link.properties.get("virtualNetwork") or {}).get("id"), str(vnet.rid))]
    return emu.engine.page(req, items)


def register(engine):
    for cls in (DnsResolver, InboundEndpoint, OutboundEndpoint, DnsForwardingRuleset, ForwardingRule, RulesetLink):
        engine.register(cls)
    for action in VNET_ACTIONS:
        engine.resource_actions[(NS.lower(), ("virtualnetworks",), action, "POST")] = \
            lambda req, res, a=action: list_by_virtual_network(engine.emu, req, res, a)


__all__ = ["Response"]
