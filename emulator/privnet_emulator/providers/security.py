"""Microsoft.Network networkSecurityGroups (with securityRules and defaultSecurityRules) and
applicationSecurityGroups, Network 2026-03-01.

Sources (facts only):
* Fields, read-only fields and enums: azure-mgmt-network 33.1.0 models (NetworkSecurityGroupPropertiesFormat,
  SecurityRulePropertiesFormat, ApplicationSecurityGroupPropertiesFormat; SecurityRuleProtocol Tcp/Udp/Icmp/Esp/
  */Ah, SecurityRuleAccess Allow/Deny, SecurityRuleDirection Inbound/Outbound). The SDK sends api-version
  2026-03-01 (arm-wire-contract.md §0).
* LRO style: NRP's (arm-wire-contract.md §1.1), like every Microsoft.Network type here.
* A new NSG answers `flushConnection: false`, `securityRules: []` and the six default rules: spec example
  Microsoft.Network/Network/stable/2026-03-01/examples/NetworkSecurityGroupCreate.json; the default rules'
  names, priorities, prefixes, ports, protocol and descriptions: examples/DefaultSecurityRuleList.json (same
  folder), which also shows each rule with empty `sourcePortRanges`/`destinationPortRanges`/
  `sourceAddressPrefixes`/`destinationAddressPrefixes` lists; a rule written by a client gets the same empty
  lists when it sent none.
* `subnets` and `networkInterfaces` are read-only back-references (SDK models); listed only when non-empty
  (the spec's create example has neither key).
* Two rules with the same priority and direction: 400 SecurityRuleConflict, "Security rule {existing} conflicts
  with rule {new}. Rules cannot have the same Priority and Direction. To learn more, see aka.ms/nsgrules."
  (egen/bucc #183: status 400; jenkins-infra/azure #439 and terraform-provider-azurerm #11137: the message with
  the aka.ms suffix, the rule already there named first).
* Deleting an NSG a subnet or NIC uses: InUseNetworkSecurityGroupCannotBeDeleted, "Network security group {id}
  cannot be deleted because it is in use by the following resources: {ids}. In order to delete the Network
  security group, remove the association with the resource(s)." (DataBiosphere/terra-workspace-manager #502,
  pulumi/pulumi-azure-native #3051). The status (400) is not shown there; 400 as NRP's other InUse* errors.
* An application security group id that cannot be resolved (missing, or in another region): the generic
  InvalidResourceReference (errors.invalid_reference).
* An application security group shows `resourceGuid` and `provisioningState` only: examples/
  ApplicationSecurityGroupList.json.

Not modelled (Azure's answer undocumented or sources disagree):
* the priority range: Microsoft Learn says 100-4096, while Azure/azure-sdk-for-java #48429 (2026) reports the
  service accepting higher values; no range is enforced;
* a rule without protocol/access/direction/priority, and the port and prefix syntax: stored as sent;
* PUT or DELETE of a default rule: the spec defines GET only (DefaultSecurityRules_Get/List); the emulator answers
  405 MethodNotAllowed as it does for any method it does not route (arm.py);
* deleting an application security group that an IP configuration references (azure-cli #12591 quotes the message
  without a code);
* `flowLogs` (no Network Watcher here).
"""

from ..arm import ResourceType
from ..errors import ArmError, bad_request, invalid_reference
from ..ids import same_id
from ..store import Resource
from .collections import ChildCollectionParent, CollectionChild
from .network import canonical_enum

NSG_TYPE = ("networkSecurityGroups",)
ASG_TYPE = ("applicationSecurityGroups",)
PROTOCOLS = ("Tcp", "Udp", "Icmp", "Esp", "*", "Ah")
ACCESS = ("Allow", "Deny")
DIRECTIONS = ("Inbound", "Outbound")
LIST_FIELDS = ("sourcePortRanges", "destinationPortRanges", "sourceAddressPrefixes", "destinationAddressPrefixes")

# (name, description, access, source prefix, destination prefix, direction, priority): DefaultSecurityRuleList.json.
DEFAULT_RULES = (
    ("AllowVnetInBound", "Allow inbound traffic from all VMs in VNET", "Allow", "VirtualNetwork", "VirtualNetwork",
     "Inbound", 65000),
    ("AllowAzureLoadBalancerInBound", "Allow inbound traffic from azure load balancer", "Allow", "AzureLoadBalancer",
     "*", "Inbound", 65001),
    ("DenyAllInBound", "Deny all inbound traffic", "Deny", "*", "*", "Inbound", 65500),
    ("AllowVnetOutBound", "Allow outbound traffic from all VMs to all VMs in VNET", "Allow", "VirtualNetwork",
     "VirtualNetwork", "Outbound", 65000),
    ("AllowInternetOutBound", "Allow outbound traffic from all VMs to Internet", "Allow", "*", "Internet", "Outbound",
     65001),
    ("DenyAllOutBound", "Deny all outbound traffic", "Deny", "*", "*", "Outbound", 65500),
)


def default_rule_properties(entry):
    name, description, access, source, destination, direction, priority = entry
    return {"description": description, "protocol": "*", "sourcePortRange": "*", "destinationPortRange": "*",
            "sourceAddressPrefix": source, "destinationAddressPrefix": destination, "access": access,
            "priority": priority, "direction": direction, "sourcePortRanges": [], "destinationPortRanges": [],
            "sourceAddressPrefixes": [], "destinationAddressPrefixes": []}


def resolve_asgs(emu, refs, by_id, location):
    """[{id}] for application security group references; each must exist in `location`
    (InvalidResourceReference otherwise)."""
    out = []
    for ref in refs or []:
        ref_id = (ref or {}).get("id")
        asg = emu.store.get(ref_id) if ref_id else None
        if asg is None or [t.lower() for t in asg.rid.types] != ["applicationsecuritygroups"] \
                or asg.body.get("location") != location:
            raise invalid_reference(ref_id, str(by_id))
        out.append({"id": str(asg.rid)})
    return out


def resources_using_nsg(emu, nsg_key):
    """(subnets, NICs) whose networkSecurityGroup is this NSG."""
    def uses(res):
        return same_id(((res.properties.get("networkSecurityGroup") or {}).get("id")), nsg_key)
    subnets = [s for s in emu.store.of_type("Microsoft.Network", ("virtualNetworks", "subnets")) if uses(s)]
    nics = [n for n in emu.store.of_type("Microsoft.Network", ("networkInterfaces",)) if uses(n)]
    return subnets, nics


# ---- network security groups -------------------------------------------------------------------------
class NetworkSecurityGroup(ChildCollectionParent):
    types = NSG_TYPE
    child_type = prop_key = "securityRules"
    read_only = ("provisioningState", "resourceGuid", "defaultSecurityRules", "networkInterfaces", "subnets",
                 "flowLogs")
    duration = 3.0
    retry_after = 10

    def normalise_top(self, rid, props, existing):
        props["flushConnection"] = bool(props.get("flushConnection", False))   # NetworkSecurityGroupCreate.json

    def after_write(self, req, res, before):
        super().after_write(req, res, before)
        handler = self.emu.engine.handler_for(self.namespace, NSG_TYPE + ("defaultSecurityRules",))
        for entry in DEFAULT_RULES:   # Azure adds them to every NSG it creates (DefaultSecurityRuleList.json)
            rid = res.rid.child("defaultSecurityRules", entry[0])
            if self.store.get(rid.key) is None:
                self.store.put(Resource(rid, handler, {"properties": default_rule_properties(entry)}))

    def check_delete(self, req, res):
        subnets, nics = resources_using_nsg(self.emu, res.key)
        users = [str(r.rid) for r in subnets + nics]
        if users:
            raise bad_request(
                "InUseNetworkSecurityGroupCannotBeDeleted",
                f"Network security group {res.rid} cannot be deleted because it is in use by the following "
                f"resources: {', '.join(users)}. In order to delete the Network security group, remove the "
                "association with the resource(s).")

    def render_properties(self, res):
        props = super().render_properties(res)
        handler = self.emu.engine.handler_for(self.namespace, NSG_TYPE + ("defaultSecurityRules",))
        props["defaultSecurityRules"] = [handler.render(r)
                                         for r in self.store.children(res.key, "defaultSecurityRules")]
        subnets, nics = resources_using_nsg(self.emu, res.key)
        if subnets:
            props["subnets"] = [{"id": str(s.rid)} for s in subnets]
        if nics:
            props["networkInterfaces"] = [{"id": str(n.rid)} for n in nics]
        return props


class SecurityRule(CollectionChild):
    types = NSG_TYPE + ("securityRules",)
    duration = 3.0
    retry_after = 10

    def normalise(self, cid, props, parent_body):
        props = super().normalise(cid, props, parent_body)
        for key, allowed in (("protocol", PROTOCOLS), ("access", ACCESS), ("direction", DIRECTIONS)):
            if props.get(key) is not None:
                props[key] = canonical_enum(props[key], allowed, key)
        for key in LIST_FIELDS:
            props[key] = list(props.get(key) or [])
        location = parent_body.get("location")
        for key in ("sourceApplicationSecurityGroups", "destinationApplicationSecurityGroups"):
            if props.get(key):
                props[key] = resolve_asgs(self.emu, props[key], cid, location)
            else:
                props.pop(key, None)
        return props

    def check_siblings(self, planned):
        seen = []
        for rid, props in planned:
            for other_rid, other in seen:
                if props.get("priority") is not None and props.get("priority") == other.get("priority") and \
                        props.get("direction") == other.get("direction"):
                    raise bad_request(
                        "SecurityRuleConflict",
                        f"Security rule {other_rid.name} conflicts with rule {rid.name}. Rules cannot have the "
                        "same Priority and Direction. To learn more, see aka.ms/nsgrules.")
            seen.append((rid, props))


class DefaultSecurityRule(ResourceType):
    """Read-only: GET and list only (spec operations DefaultSecurityRules_Get / DefaultSecurityRules_List)."""
    types = NSG_TYPE + ("defaultSecurityRules",)
    inherit_parent_etag = True
    has_location = False

    def refuse(self, method):
        return ArmError(405, "MethodNotAllowed", f"The method {method} is not allowed.")

    def validate(self, req, rid, body, existing):
        raise self.refuse(req.method)

    def patch(self, req, rid, body, existing):
        raise self.refuse(req.method)

    def check_delete(self, req, res):
        raise self.refuse(req.method)


# ---- application security groups ----------------------------------------------------------------------
class ApplicationSecurityGroup(ResourceType):
    types = ASG_TYPE
    duration = 3.0
    retry_after = 10

    def validate(self, req, rid, body, existing):
        new = self.default_body(rid, body)
        new["properties"] = {}   # both properties are read-only (ApplicationSecurityGroupPropertiesFormat)
        return new

    def render_properties(self, res):
        return {"resourceGuid": res.guid}


def register(engine):
    for cls in (NetworkSecurityGroup, SecurityRule, DefaultSecurityRule, ApplicationSecurityGroup):
        engine.register(cls)

