"""Microsoft.Network privateEndpoints, their networkInterfaces and privateDnsZoneGroups (Network 2026-03-01).

A private endpoint targets a resource whose provider registered a PrivateLinkTarget (register_target below), so this
module imports no target's provider: container registries (acr.py, group id `registry`), storage accounts
(storage.py), key vaults (keyvault.py), SQL servers (sql.py), Cosmos DB accounts, PostgreSQL flexible servers and
Service Bus namespaces (minimal.py), the last five through linktargets.py, and private link services
(linkservices.py: named by id or by alias, no group id, visibility and approval decided by the service). The endpoint
connects to one group id and its NIC gets one address per required member of that group
(PrivateLinkTarget.members_for). For a registry, creating it:
* creates the registry-side connection `registries/{r}/privateEndpointConnections/{r}.{32hex}` (acr.py), the
  source of truth of the connection state: the PE renders its connection's state from it, so an approval on
  the registry shows on the PE; when that connection is gone the PE shows Disconnected;
* creates the NIC `networkInterfaces/{pe}.nic.{guid}` (or customNetworkInterfaceName) in the PE's resource group,
  with one IP configuration per required member of the registry: `registry` (fqdn `<reg>.azurecr.io`) and
  `registry_data_<region>` for the home region and each replica (fqdn `<reg>.<region>.data.azurecr.io`), each
  with a private address of the subnet (Azure's first four and last addresses excluded).
Deleting it deletes its NIC, its registry-side connection and the A records its DNS zone groups wrote.
A DNS zone group writes one A record (TTL 10) per member fqdn that falls under a zone of the group
(`privatelink.azurecr.io` holds `<reg>` and `<reg>.<region>.data`; the regional zone
`<region>.data.privatelink.azurecr.io` of private-endpoint-dns.md holds `<reg>`) through privatedns.set_a_record.
Not modelled (undocumented): whether a group holding both zones also writes `<reg>.<region>.data` into
`privatelink.azurecr.io`; the emulator writes every zone of the group that the fqdn falls under.
The fqdns follow the emulator's cloud (`--cloud`, clouds.py): `<reg>.azurecr.us` and `<reg>.<region>.data.azurecr.us`
in Azure Government (zone `privatelink.azurecr.us`), `.azurecr.cn` in Azure China (zone `privatelink.azurecr.cn`).
Sources: arm-wire-contract.md §1.5, §1.6, §2; azure-cli test_private_endpoint_connection_acr.yaml; ASO
Test_Networking_PrivateEndpoint_CRUD.yaml; azure-sdk-for-python test_cli_mgmt_network_endpoint.

A private endpoint must be in the same region and subscription as its virtual network (Microsoft Learn
  private-link/private-endpoint-overview.md, "Private endpoint properties"); a subnet in another region or
  subscription is refused with 400 InvalidResourceReference naming the subnet ("... was not found. Please make sure
  that the referenced resource exists, and that both resources are in the same region."): Azure/azure-cli #13614 and
  Azure/bicep-registry-modules #3835 show this code for an endpoint whose virtual network is in another subscription.
  The target registry may be in another subscription or region (same article).
The endpoint's ipConfigurations entries carry name, type, etag and properties and no id: PrivateEndpointIPConfiguration
  in azure-rest-api-specs Microsoft.Network privateEndpoint.json (2025-07-01) has no id (it is not a SubResource), and
  no recording shows a non-empty list.
The connection state inside privateLinkServiceConnections / manualPrivateLinkServiceConnections is read-only on the
  endpoint ("A collection of read-only information about the state of the connection", privateEndpoint.json): a PUT
  that sends one changes nothing; the state comes from the registry side. So a Rejected connection cannot be turned
  back from the endpoint either: manage-private-endpoint.md says to remove it and create a new endpoint.
Real codes used: InvalidResourceReference (missing subnet, subnet VNet in another region or subscription, missing DNS
  zone),
  InvalidPrivateLinkServiceIdType (a target of a type no provider registered), OnlyOneGroupIdPermitted,
  PrivateEndpointIpConfigurationMissingMemberNamesRequiredByFps (static ipConfigurations that do not cover every
  required member), PrivateIPAddressNotInSubnet / PrivateIPAddressIsReserved / PrivateIPAddressInUse (network.py),
  ReferencedResourceNotProvisioned (a zone group written while its endpoint's operation runs),
  PrivateEndpointCannotBeCreatedInSubnetThatHasNetworkPoliciesEnabled nested in BadRequest (only with
  config legacy_pe_policy_check; the rule is no longer enforced by Azure).
Emulator convention: a missing target registry is 400 InvalidResourceReference (no public sample).
Emulator convention: a target registry that is not Premium is 400 FeatureNotSupportedForSku ("The requested
  feature private endpoint is not supported for the SKU Basic...").
Emulator convention: an unknown group id is 400 PrivateLinkServiceGroupIdNotFound; the message lists the valid ones.
Emulator convention: a PE needs exactly one connection: none is 400 PrivateEndpointHasNoPrivateLinkServiceConnection,
  more than one (in either list or both) is 400 OnlyOnePrivateLinkServiceConnectionPermitted.
Emulator convention: a PE whose subscription differs from its registry's needs Microsoft.ContainerRegistry registered
  in the PE's subscription (ACR private-link docs); otherwise 409 MissingSubscriptionRegistration naming that
  namespace. (azure-mgmt-core's auto-registration policy would register it, but it cannot read the streamed body
  of an LRO's first response in these SDKs, so the caller must register the provider.)
Emulator convention: a PUT that changes an existing PE's subnet is 400 CannotChangePrivateEndpointSubnet; one that
  changes its target, group id or connection kind (auto/manual) is 400 CannotChangePrivateLinkServiceConnection;
  one that changes customNetworkInterfaceName is 400 CannotChangeCustomNetworkInterfaceName.
Emulator convention: NIC IP configurations are named `privateEndpointIpConfig.<guid>` (a static one keeps the name
  given in ipConfigurations); members are ordered registry, home region data, then replicas in creation order; the
  first is primary. A member added later (new replica) gets a dynamic address even when the others are static.
Emulator convention: a NIC owned by a private endpoint cannot be deleted (400 CannotDeleteNicAttachedToPrivateEndpoint)
  nor rewritten (400 CannotModifyNicAttachedToPrivateEndpoint); delete or change the private endpoint instead.
Emulator convention: customDnsConfigs lists fqdn + address per member once the PE's operation has ended, when it
  has no DNS zone group and the request gave none ([] while the operation runs, as in the recordings).
Emulator convention: a connection whose registry-side connection is gone shows
  {status: Disconnected, description: "Connection removed by the private link service owner.", actionsRequired: None}.
Emulator convention: ipVersionType is echoed (default IPv4); addresses are always IPv4.
A PUT that changes nothing but an endpoint's tags has finished when NRP answers (ASO recording: 200, Succeeded,
Azure-AsyncOperation, no Retry-After); any other change takes the endpoint's usual time.
"""

import copy
import ipaddress

from .. import clouds, tenants
from ..arm import ResourceType
from ..errors import ArmError, bad_request, invalid_reference
from ..ids import ResourceId, new_guid, same_id
from ..store import Resource
from . import privatedns
from .network import allocate_ip, canonical_enum, lookup, subnet_prefixes, vnet_key_of
from .resources import registration_state
from .security import resolve_asgs

CONNECTION_KINDS = ("privateLinkServiceConnections", "manualPrivateLinkServiceConnections")
PE_TYPES = ("privateEndpoints",)
NIC_TYPES = ("networkInterfaces",)
ZONE_GROUP_TYPES = ("privateEndpoints", "privateDnsZoneGroups")
RECORD_TTL = 10
DISCONNECTED = {"status": "Disconnected", "description": "Connection removed by the private link service owner.",
                "actionsRequired": "None"}
IP_VERSIONS = ("IPv4", "IPv6", "DualStack")


def cannot_parse(detail=""):
    return bad_request("InvalidRequestFormat", f"Cannot parse the request.{(' ' + detail) if detail else ''}")


# ---- private link targets ---------------------------------------------------------------------------------------
class PrivateLinkTarget:
    """What a private endpoint needs from the kind of resource it targets. A provider whose resources take private
    endpoints subclasses this and registers an instance with register_target() from its own register(engine)
    (acr.py: container registries), so this module imports none of them; they may import this one."""

    resource_type = ""   # "Namespace/type" as Azure spells it (InvalidPrivateLinkServiceIdType lists it)
    label = ""           # what PrivateLinkServiceGroupIdNotFound calls the target ("registry")
    group_ids_required = True   # first-party targets: one group id (a private link service has none)

    @property
    def namespace(self):
        """The namespace the PE's subscription must have registered when the target is in another one."""
        return self.resource_type.split("/")[0]

    def check(self, emu, target_res):
        """Raise ArmError when this target cannot take a private endpoint (after the generic checks)."""

    def missing(self, target_id, pe_id):
        """The error for a connection whose target does not exist."""
        return invalid_reference(target_id, pe_id)   # emulator convention (module docstring)

    def check_endpoint(self, emu, req, pe_rid, kind, target_res):
        """Raise ArmError when this endpoint may not connect to the target; return extra keyword arguments for
        create_connection (a private link service decides visibility and approval here: linkservices.py)."""
        return {}

    def group_ids(self, target_res):
        """The target's private link resources' group ids."""
        raise NotImplementedError

    def members(self, target_res):
        """[(group id, required member name, fqdns)]: one NIC IP configuration each, in this order."""
        raise NotImplementedError

    def members_for(self, target_res, group_id):
        """The members of one group: an endpoint connects to one group id and gets a NIC address for each of that
        group's required members only (private-endpoint-overview.md: one group id per endpoint, e.g. `blob`)."""
        return [m for m in self.members(target_res) if m[0].lower() == (group_id or "").lower()]

    def zone_suffixes(self, cloud):
        """{private link zone: [public suffixes]} where a zone is not the public suffix with a `privatelink` label."""
        return {}

    def create_connection(self, emu, target_res, pe_res, manual, request_message=None):
        """Create and return the target-side private endpoint connection of a new endpoint (the source of truth of
        the connection state; the endpoint deletes it with itself)."""
        raise NotImplementedError

    def visible_state(self, connection_res):
        """The privateLinkServiceConnectionState a reader sees on the target-side connection."""
        raise NotImplementedError


def link_targets(engine):
    """{resource type lower: PrivateLinkTarget}; kept on the engine, as hooks.py keeps its callbacks."""
    targets = getattr(engine, "private_link_targets", None)
    if targets is None:
        targets = engine.private_link_targets = {}
    return targets


def register_target(engine, target):
    link_targets(engine)[target.resource_type.lower()] = target


def target_for(emu, target_id):
    """The PrivateLinkTarget for the type of this resource id, or None."""
    trid = ResourceId.parse(target_id or "")
    if trid is None:
        return None
    return link_targets(emu.engine).get(f"{trid.namespace}/{'/'.join(trid.types)}".lower())


# ---- helpers other modules use ---------------------------------------------------------------------------
def connection_of(props):
    """(kind, connection dict) of a PE's properties, or (None, None)."""
    for kind in CONNECTION_KINDS:
        for conn in props.get(kind) or []:
            return kind, conn
    return None, None


def target_id_of(pe_res):
    """The id of the endpoint's target: the resolved one when the connection named it by alias."""
    resolved = (pe_res.body.get("internal") or {}).get("targetId")
    if resolved:
        return resolved
    _, conn = connection_of(pe_res.properties)
    return ((conn or {}).get("properties") or {}).get("privateLinkServiceId")


def alias_resolvers(engine):
    """Callables (emu, value) -> a resource id, or None when value is not an alias they know (raising ArmError when
    it looks like one of theirs but names nothing). linkservices.py registers the private link service aliases."""
    resolvers = getattr(engine, "private_link_alias_resolvers", None)
    if resolvers is None:
        resolvers = engine.private_link_alias_resolvers = []
    return resolvers


def resolve_target_id(emu, value):
    for resolver in alias_resolvers(emu.engine):
        resolved = resolver(emu, value)
        if resolved:
            return resolved
    return value


def group_id_of(pe_res):
    _, conn = connection_of(pe_res.properties)
    groups = ((conn or {}).get("properties") or {}).get("groupIds") or []
    return groups[0] if groups else None


def endpoints_targeting(emu, target_id):
    """Private endpoints whose connection targets this resource id."""
    return [pe for pe in emu.store.of_type("Microsoft.Network", PE_TYPES) if same_id(target_id_of(pe), target_id)]


def nic_of(emu, pe_res):
    return emu.store.get(pe_res.body.get("internal", {}).get("nicId") or "")


def member_ips(emu, pe_res):
    """[(member name, fqdns, ip)] from the PE's NIC."""
    nic = nic_of(emu, pe_res)
    out = []
    for cfg in (nic.properties.get("ipConfigurations") or []) if nic else []:
        props = cfg["properties"]
        link = props.get("privateLinkConnectionProperties") or {}
        out.append((link.get("requiredMemberName"), list(link.get("fqdns") or []), props.get("privateIPAddress")))
    return out


def refresh_members(emu, pe_res):
    """Re-build the NIC's IP configurations after the target's members changed (a replica added or removed):
    existing members keep their address, a new member gets the next free one, a removed one goes; the zone
    groups' A records follow."""
    link = target_for(emu, target_id_of(pe_res))
    target = lookup(emu, target_id_of(pe_res))
    nic = nic_of(emu, pe_res)
    subnet = lookup(emu, (pe_res.properties.get("subnet") or {}).get("id"))
    if link is None or target is None or nic is None or subnet is None:
        return
    members = link.members_for(target, group_id_of(pe_res))
    current = nic.properties.get("ipConfigurations") or []
    statics = pe_res.properties.get("ipConfigurations") or []
    nic.properties["ipConfigurations"] = plan_ip_configs(emu, subnet, members, current, statics, lenient=True)
    nic.etag = new_guid()
    pe_res.etag = new_guid()
    for group in emu.store.children(pe_res.key, "privateDnsZoneGroups"):
        write_zone_records(emu, group)


def plan_ip_configs(emu, subnet_res, members, current, statics, lenient=False):
    """The NIC IP configurations for these members: a static address when ipConfigurations names the member,
    else the member's current address, else the next free one. Raises ArmError (unless lenient: a member that
    cannot get an address is left out)."""
    by_member = {}
    for cfg in current:
        link = cfg["properties"].get("privateLinkConnectionProperties") or {}
        by_member[link.get("requiredMemberName")] = cfg
    static_by_member = {}
    for s in statics:
        static_by_member.setdefault(s["properties"]["memberName"].lower(), s)
    out, taken = [], set()
    for group_id, member, fqdns in members:
        cur = by_member.get(member)
        cur_ip = cur["properties"].get("privateIPAddress") if cur else None
        static = static_by_member.get(member.lower())
        try:
            if static is not None:
                name = static["name"]
                wanted = static["properties"]["privateIPAddress"]
                ip = wanted if wanted == cur_ip else allocate_ip(emu, subnet_res, wanted=wanted, taken=taken)
                method = "Static"
            elif cur is not None:
                name, ip, method = cur["name"], cur_ip, "Dynamic"
            else:
                name = f"privateEndpointIpConfig.{new_guid()}"
                ip, method = allocate_ip(emu, subnet_res, taken=taken), "Dynamic"
        except ArmError:
            if not lenient:
                raise
            continue
        taken.add(ip)
        out.append({"name": name, "properties": {
            "privateIPAddress": ip, "privateIPAllocationMethod": method, "subnet": {"id": str(subnet_res.rid)},
            "primary": not out, "privateIPAddressVersion": "IPv4",
            "privateLinkConnectionProperties": {"groupId": group_id, "requiredMemberName": member,
                                                "fqdns": list(fqdns)}}})
    return out


# ---- DNS zone group records ----------------------------------------------------------------------------------
def zone_records(emu, pe_res, zone_res):
    """[(record name relative to the zone, [ips])] for the member fqdns under this zone."""
    zone = zone_res.rid.name.lower()
    # The public zone a Private Link zone stands for is its name without the `privatelink` label
    # (private-endpoint-dns.md: privatelink.azurecr.io ↔ azurecr.io, {regionName}.data.privatelink.azurecr.io ↔
    # {regionName}.data.azurecr.io, privatelink.blob.core.windows.net ↔ blob.core.windows.net), so
    # `<reg>.westeurope.data.azurecr.io` is record `<reg>` of the regional zone. A target may say otherwise for its
    # zones (Key Vault: privatelink.vaultcore.azure.net ↔ vault.azure.net and vaultcore.azure.net, same article).
    labels = zone.split(".")
    suffixes = None
    cloud = clouds.of(emu)
    for link in link_targets(emu.engine).values():
        suffixes = suffixes or link.zone_suffixes(cloud).get(zone)
    if not suffixes:
        suffixes = [".".join(label for label in labels if label != "privatelink") if "privatelink" in labels
                    else zone]
    records = {}
    for _, fqdns, ip in member_ips(emu, pe_res):
        for fqdn in fqdns:
            fqdn = fqdn.lower()
            for suffix in suffixes:
                if fqdn.endswith("." + suffix) and ip:
                    records.setdefault(fqdn[:-len(suffix) - 1], []).append(ip)
                    break
    return list(records.items())


def write_zone_records(emu, group_res):
    """Make the zones hold exactly the records this group owns now; remember them for later clean-up."""
    pe = emu.store.get(group_res.rid.parent().key)
    wanted = []
    for cfg in group_res.properties.get("privateDnsZoneConfigs") or []:
        zone_id = cfg["properties"]["privateDnsZoneId"]
        zone = privatedns.get_zone(emu, zone_id)
        if zone is None or pe is None:
            continue
        for name, ips in zone_records(emu, pe, zone):
            privatedns.set_a_record(emu, zone_id, name, ips, ttl=RECORD_TTL, owner=group_res.key)
            wanted.append([zone_id.lower(), name])
    internal = group_res.body.setdefault("internal", {})
    for zone_id, name in internal.get("records") or []:
        if [zone_id, name] not in wanted:
            privatedns.delete_a_record(emu, zone_id, name, owner=group_res.key)
    internal["records"] = wanted


def delete_zone_records(emu, group_res):
    for zone_id, name in group_res.body.get("internal", {}).get("records") or []:
        privatedns.delete_a_record(emu, zone_id, name, owner=group_res.key)
    group_res.body.setdefault("internal", {})["records"] = []


# ---- private endpoints -----------------------------------------------------------------------------------------
class PrivateEndpoint(ResourceType):
    types = PE_TYPES
    duration = 10.0
    retry_after = 10

    def __init__(self, emulator):
        super().__init__(emulator)
        self._plans = {}

    def validate(self, req, rid, body, existing):
        new = self.default_body(rid, body)
        props = new["properties"]
        for key in ("provisioningState", "resourceGuid", "networkInterfaces", "privateEndpointConnections"):
            props.pop(key, None)
        subnet = self.check_subnet(rid, new)
        kind, conn = self.single_connection(rid, props)
        # A private link service may be named by its alias (linkservices.py); the checks use the resolved id.
        target_id = resolve_target_id(self.emu, conn["properties"]["privateLinkServiceId"])
        if kind == "privateLinkServiceConnections":   # automatic approval links to the target's tenant (tenants.py)
            tenants.require_linked_access(self.emu, req, target_id, tenants.PE_APPROVAL_ACTION, str(rid))
        link, target = self.check_target(rid, conn, target_id)
        # The target's own admission rules (a private link service's visibility and approval) apply to a new
        # endpoint; what they do to an existing one's update is not documented.
        extra = (link.check_endpoint(self.emu, req, rid, kind, target) or {}) if existing is None else {}
        if existing is not None:
            self.check_unchanged(rid, existing, props, kind, conn)
        for k in CONNECTION_KINDS:
            props[k] = [{"name": c["name"], "properties": self.connection_request(c)} for c in props.get(k) or []]
        props["ipVersionType"] = canonical_enum(props.get("ipVersionType") or "IPv4", IP_VERSIONS, "ipVersionType")
        props["customNetworkInterfaceName"] = props.get("customNetworkInterfaceName") or ""
        props["customDnsConfigs"] = [{"fqdn": c.get("fqdn"), "ipAddresses": list(c.get("ipAddresses") or [])}
                                     for c in props.get("customDnsConfigs") or []]
        if props.get("applicationSecurityGroups") is not None:
            # Each id must resolve to an ASG in the PE's region, else InvalidResourceReference (security.py).
            props["applicationSecurityGroups"] = resolve_asgs(self.emu, props["applicationSecurityGroups"], rid,
                                                              new["location"])
        members = link.members_for(target, (conn["properties"].get("groupIds") or [None])[0])
        statics = self.check_statics(rid, props, members)
        nic = nic_of(self.emu, existing) if existing is not None else None
        current = (nic.properties.get("ipConfigurations") or []) if nic else []
        configs = plan_ip_configs(self.emu, subnet, members, current, statics)
        nic_id = self.check_nic_name(rid, props, existing)
        new["internal"] = copy.deepcopy(existing.body.get("internal", {})) if existing is not None else {}
        new["internal"]["targetId"] = str(target.rid)
        self._plans[rid.key] = {"configs": configs, "nicId": nic_id, "link": link, "target": target, "kind": kind,
                                "extra": extra}
        return new

    def check_subnet(self, rid, new):
        props = new["properties"]
        subnet_id = (props.get("subnet") or {}).get("id")
        if not subnet_id:
            raise cannot_parse("The private endpoint has no subnet.")
        subnet_rid = ResourceId.parse(subnet_id)
        subnet = lookup(self.emu, subnet_id) if subnet_rid is not None else None
        if subnet is None or [t.lower() for t in subnet.rid.types] != ["virtualnetworks", "subnets"]:
            raise invalid_reference(subnet_id, str(rid))
        vnet = self.store.get(vnet_key_of(subnet.rid))
        # Same region and same subscription as the virtual network (private-endpoint-overview.md); Azure names the
        # subnet as not found (azure-cli #13614, bicep-registry-modules #3835 for the subscription case).
        if vnet.body.get("location") != new["location"] or \
                subnet.rid.subscription.lower() != rid.subscription.lower():
            raise invalid_reference(subnet_id, str(rid))
        props["subnet"] = {"id": str(subnet.rid)}   # drop anything else the client sent about the subnet
        if self.emu.config.get("legacy_pe_policy_check") and \
                subnet.properties.get("privateEndpointNetworkPolicies") == "Enabled":
            message = (f"Private endpoint {rid} cannot be created in a subnet {subnet.rid} since it has private "
                       "endpoint network policies enabled.")
            raise bad_request("BadRequest", message, details=[
                {"code": "PrivateEndpointCannotBeCreatedInSubnetThatHasNetworkPoliciesEnabled", "message": message}])
        return subnet

    def single_connection(self, rid, props):
        conns = [(k, c) for k in CONNECTION_KINDS for c in props.get(k) or []]
        if not conns:
            raise bad_request("PrivateEndpointHasNoPrivateLinkServiceConnection",
                              f"Private endpoint {rid} must have one private link service connection, in "
                              "privateLinkServiceConnections or manualPrivateLinkServiceConnections.")
        if len(conns) > 1:
            raise bad_request("OnlyOnePrivateLinkServiceConnectionPermitted",
                              f"Private endpoint {rid} has {len(conns)} private link service connections. Only one "
                              "connection is permitted (privateLinkServiceConnections or "
                              "manualPrivateLinkServiceConnections).")
        kind, conn = conns[0]
        if not isinstance(conn, dict) or not conn.get("name"):
            raise cannot_parse("A private link service connection has no name.")
        if not (conn.get("properties") or {}).get("privateLinkServiceId"):
            raise cannot_parse(f"Private link service connection {conn['name']} has no privateLinkServiceId.")
        return kind, conn

    @staticmethod
    def connection_request(conn):
        p = conn.get("properties") or {}
        out = {"privateLinkServiceId": p.get("privateLinkServiceId"), "groupIds": list(p.get("groupIds") or [])}
        if p.get("requestMessage"):
            out["requestMessage"] = p["requestMessage"]
        return out

    def check_target(self, rid, conn, target_id):
        """(PrivateLinkTarget, target resource) of the connection (target_id: its resolved target), or ArmError."""
        p = conn["properties"]
        link = target_for(self.emu, target_id)
        if link is None:
            permitted = ", ".join(t.resource_type for t in link_targets(self.emu.engine).values())
            raise bad_request("InvalidPrivateLinkServiceIdType",
                              f"Private link service Id {target_id} has an invalid resource type. Permitted type(s): "
                              f"{permitted}.")
        target = self.store.get(ResourceId.parse(target_id).key)
        if target is None:
            raise link.missing(target_id, str(rid))
        namespace = link.namespace
        if target.rid.subscription.lower() != rid.subscription.lower() and \
                registration_state(self.emu, rid.subscription, namespace) != "Registered":
            message = (f"The subscription is not registered to use namespace '{namespace}'. See "
                       "https://aka.ms/rps-not-found for how to register subscriptions.")
            raise ArmError(409, "MissingSubscriptionRegistration", message, details=[{
                "code": "MissingSubscriptionRegistration", "target": namespace, "message": message}])
        link.check(self.emu, target)
        if not link.group_ids_required:
            return link, target
        groups = list(p.get("groupIds") or [])
        if len(groups) > 1:
            raise bad_request("OnlyOneGroupIdPermitted",
                              f"Private link service connection {rid}/{conn['name']} has the following group Ids: "
                              f"{', '.join(groups)}. Only one group Id is permitted when connecting to a first-party "
                              f"resource ({target.rid}).")
        valid = list(link.group_ids(target))
        if not groups or groups[0].lower() not in [g.lower() for g in valid]:
            raise bad_request("PrivateLinkServiceGroupIdNotFound",
                              f"Call to {link.resource_type} failed. Error message: Group id "
                              f"'{groups[0] if groups else ''}' was not found on {link.label} {target.rid.name}. "
                              f"Valid group ids: {', '.join(valid)}.")
        return link, target

    def check_unchanged(self, rid, existing, props, kind, conn):
        old = existing.properties
        if not same_id(old["subnet"]["id"], props["subnet"]["id"]):
            raise bad_request("CannotChangePrivateEndpointSubnet",
                              f"Private endpoint {rid} cannot change its subnet from {old['subnet']['id']} to "
                              f"{props['subnet']['id']}. Delete the private endpoint and create it again.")
        old_kind, old_conn = connection_of(old)
        p, q = old_conn["properties"], conn["properties"]
        if old_kind != kind or not same_id(p["privateLinkServiceId"], q["privateLinkServiceId"]) or \
                [g.lower() for g in p["groupIds"]] != [g.lower() for g in q.get("groupIds") or []]:
            raise bad_request("CannotChangePrivateLinkServiceConnection",
                              f"Private endpoint {rid} cannot change the target, group id or kind (automatic or "
                              "manual approval) of its private link service connection. Delete the private endpoint "
                              "and create it again.")
        if (props.get("customNetworkInterfaceName") or "") != (old.get("customNetworkInterfaceName") or ""):
            raise bad_request("CannotChangeCustomNetworkInterfaceName",
                              f"Private endpoint {rid} cannot change its customNetworkInterfaceName.")

    def check_statics(self, rid, props, members):
        statics = []
        for entry in props.get("ipConfigurations") or []:
            p = (entry or {}).get("properties") or {}
            if not entry.get("name") or not p.get("privateIPAddress"):
                raise cannot_parse("An ipConfiguration needs a name and properties.privateIPAddress.")
            try:
                ipaddress.ip_address(p["privateIPAddress"])
            except ValueError:
                raise cannot_parse(f"'{p['privateIPAddress']}' is not a valid IP address.")
            statics.append({"name": entry["name"], "properties": {
                "groupId": p.get("groupId") or "", "memberName": p.get("memberName") or "",
                "privateIPAddress": p["privateIPAddress"]}})
        props["ipConfigurations"] = statics
        if not statics:
            return []
        given = {(s["properties"]["groupId"].lower(), s["properties"]["memberName"].lower()) for s in statics}
        missing = [(g, m) for g, m, _ in members if (g.lower(), m.lower()) not in given]
        if missing:
            listed = "; ".join(f"PrivateIPAddress: {s['properties']['privateIPAddress']}, GroupId: "
                               f"{s['properties']['groupId']}, MemberName: {s['properties']['memberName']}"
                               for s in statics)
            wanted = "; ".join(f"GroupId: {g}, MemberName: {m}" for g, m in missing)
            raise bad_request("PrivateEndpointIpConfigurationMissingMemberNamesRequiredByFps",
                              f"Private Endpoint {rid} contains static ipconfigurations: [{listed}] and its missing "
                              f"these membernames/groupids requested by Private Link service [{wanted}]. Private "
                              "Endpoint needs to be reconfigured with missing memberNames.")
        # Address checks (subnet range, reserved, in use) happen in plan_ip_configs through allocate_ip.
        return statics

    def check_nic_name(self, rid, props, existing):
        if existing is not None and existing.body.get("internal", {}).get("nicId"):
            return existing.body["internal"]["nicId"]
        name = props.get("customNetworkInterfaceName") or f"{rid.name}.nic.{new_guid()}"
        nic_rid = ResourceId(rid.subscription, rid.resource_group, "Microsoft.Network", [("networkInterfaces", name)])
        if self.store.get(nic_rid.key) is not None:
            raise bad_request("NetworkInterfaceNameAlreadyInUse",
                              f"Network interface {nic_rid} already exists; choose another customNetworkInterfaceName "
                              f"for private endpoint {rid}.")
        return str(nic_rid)

    def after_write(self, req, res, before):
        plan = self._plans.pop(res.key, None)
        if plan is None:   # a PATCH (tags): nothing else changes
            return
        internal = res.body.setdefault("internal", {})
        nic = self.store.get(plan["nicId"])
        if nic is None:
            nic_rid = ResourceId.parse(plan["nicId"])
            nic = Resource(nic_rid, self.emu.engine.handler_for("Microsoft.Network", NIC_TYPES),
                           {"location": res.body["location"], "properties": {}})
        nic.properties["ipConfigurations"] = plan["configs"]
        nic.properties["privateEndpoint"] = {"id": str(res.rid)}
        nic.etag = new_guid()
        self.store.put(nic)
        internal["nicId"] = str(nic.rid)
        if before is None:
            _, conn = connection_of(res.properties)
            pec = plan["link"].create_connection(self.emu, plan["target"], res,
                                                 manual=plan["kind"] == "manualPrivateLinkServiceConnections",
                                                 request_message=conn["properties"].get("requestMessage"),
                                                 **plan["extra"])
            internal["pecId"] = str(pec.rid)
        for group in self.store.children(res.key, "privateDnsZoneGroups"):
            write_zone_records(self.emu, group)

    def finishes_at_once(self, res, before):
        # A PUT that changes nothing but tags is done before NRP answers (ASO recording: 200, provisioningState
        # Succeeded, Azure-AsyncOperation and no Retry-After).
        return {k: v for k, v in before.items() if k != "tags"} == {k: v for k, v in res.body.items() if k != "tags"}

    def check_delete(self, req, res):
        # Deleting an endpoint supersedes its zone groups' running operations, which end Canceled (ASO recording).
        # Done here because the engine starts the delete right after this check.
        for group in self.store.children(res.key, "privateDnsZoneGroups"):
            op = self.store.operations.get(group.pending_op or "")
            if op is not None and not op.finished:
                verb = "Delete" if op.kind == "delete" else "Put"
                op.error = {"code": "Canceled", "message": "Operation was canceled.", "details": [{
                    "code": "CanceledAndSupersededDueToAnotherOperation",
                    "message": f"Operation {verb}PrivateDnsZoneGroupOperation ({op.id}) was canceled and superseded "
                               "by operation DeletePrivateEndpointOperation."}]}
                self.store.finish_operation(op)

    def on_deleted(self, res):
        internal = res.body.get("internal", {})
        for key in (internal.get("nicId"), internal.get("pecId")):
            other = self.store.get(key or "")
            if other is not None:
                self.emu.engine.remove_now(other)

    def connection_state(self, res):
        pec = self.store.get(res.body.get("internal", {}).get("pecId") or "")
        if pec is None:
            return dict(DISCONNECTED)
        state = target_for(self.emu, target_id_of(res)).visible_state(pec)
        return {"status": state.get("status"), "description": state.get("description") or "",
                "actionsRequired": state.get("actionsRequired") or "None"}

    def render_properties(self, res):
        props = copy.deepcopy(res.properties)
        etag = self.etag_text(res)
        props["resourceGuid"] = res.guid
        for kind in CONNECTION_KINDS:
            rendered = []
            for conn in props.get(kind) or []:
                p = dict(conn["properties"], provisioningState="Succeeded",
                         privateLinkServiceConnectionState=self.connection_state(res))
                rendered.append({"name": conn["name"], "id": f"{res.rid}/{kind}/{conn['name']}", "etag": etag,
                                 "properties": p, "type": f"{self.arm_type}/{kind}"})
            props[kind] = rendered
        # PrivateEndpointIPConfiguration (privateEndpoint.json): name, type, etag, properties; no id.
        props["ipConfigurations"] = [
            {"name": s["name"], "etag": etag, "type": f"{self.arm_type}/ipConfigurations",
             "properties": dict(s["properties"])}
            for s in props.get("ipConfigurations") or []]
        nic = nic_of(self.emu, res)
        props["networkInterfaces"] = [{"id": str(nic.rid)}] if nic else []
        if not props.get("customDnsConfigs"):
            has_group = bool(self.store.children(res.key, "privateDnsZoneGroups"))
            props["customDnsConfigs"] = [] if (res.pending_op or has_group) else [
                {"fqdn": fqdn, "ipAddresses": [ip]} for _, fqdns, ip in member_ips(self.emu, res) for fqdn in fqdns]
        return props


# ---- network interfaces ----------------------------------------------------------------------------------------------
class NetworkInterface(ResourceType):
    types = NIC_TYPES
    duration = 3.0
    retry_after = 10

    def owner(self, res):
        """The private endpoint or private link service whose NIC this is (private-link-service-overview.md: a NIC
        created for the service's lifecycle, not manageable by the customer), or None."""
        if res is None:
            return None
        return (res.properties.get("privateEndpoint") or {}).get("id") or \
            (res.properties.get("privateLinkService") or {}).get("id")

    @staticmethod
    def owner_label(owner_id):
        return "private link service" if "/privatelinkservices/" in (owner_id or "").lower() else "private endpoint"

    def validate(self, req, rid, body, existing):
        if self.owner(existing):
            raise bad_request("CannotModifyNicAttachedToPrivateEndpoint",
                              f"Network interface {rid} is managed by {self.owner_label(self.owner(existing))} "
                              f"{self.owner(existing)} and cannot be changed directly.")
        new = self.default_body(rid, body)
        props = new["properties"]
        for key in ("provisioningState", "resourceGuid", "privateEndpoint", "privateLinkService", "macAddress",
                    "virtualMachine",
                    "hostedWorkloads", "tapConfigurations", "primary", "vnetEncryptionSupported"):
            props.pop(key, None)
        configs = props.get("ipConfigurations") or []
        if not configs:
            raise cannot_parse(f"Network interface {rid} has no IP configuration.")
        current = {c["name"].lower(): c for c in (existing.properties.get("ipConfigurations") or [])} \
            if existing is not None else {}
        out, taken, names = [], set(), set()
        for entry in configs:
            name = (entry or {}).get("name")
            if not name or name.lower() in names:
                raise cannot_parse("Every ipConfiguration needs a distinct name.")
            names.add(name.lower())
            p = copy.deepcopy(entry.get("properties") or {})
            for key in ("provisioningState", "privateLinkConnectionProperties"):
                p.pop(key, None)
            subnet_id = (p.get("subnet") or {}).get("id")
            subnet = lookup(self.emu, subnet_id) if subnet_id and ResourceId.parse(subnet_id) else None
            if subnet is None or [t.lower() for t in subnet.rid.types] != ["virtualnetworks", "subnets"]:
                raise invalid_reference(subnet_id, str(rid))
            vnet = self.store.get(vnet_key_of(subnet.rid))
            if vnet.body.get("location") != new["location"] or not subnet_prefixes(subnet.properties):
                raise invalid_reference(subnet_id, str(rid))
            method = canonical_enum(p.get("privateIPAllocationMethod") or "Dynamic", ("Dynamic", "Static"),
                                    "privateIPAllocationMethod")
            cur = current.get(name.lower())
            cur_p = cur["properties"] if cur else {}
            same_subnet = cur is not None and same_id(cur_p["subnet"]["id"], str(subnet.rid))
            if method == "Static":
                wanted = p.get("privateIPAddress")
                if not wanted:
                    raise cannot_parse(f"IP configuration {name} is Static but has no privateIPAddress.")
                ip = wanted if same_subnet and cur_p.get("privateIPAddress") == wanted else \
                    allocate_ip(self.emu, subnet, wanted=wanted, taken=taken)
            else:
                ip = cur_p["privateIPAddress"] if same_subnet else allocate_ip(self.emu, subnet, taken=taken)
            taken.add(ip)
            p.update({"privateIPAddress": ip, "privateIPAllocationMethod": method, "subnet": {"id": str(subnet.rid)},
                      "privateIPAddressVersion": "IPv4"})
            out.append({"name": name, "properties": p})
        if not any(c["properties"].get("primary") for c in out):
            out[0]["properties"]["primary"] = True
        for c in out:
            c["properties"]["primary"] = bool(c["properties"].get("primary"))
        props["ipConfigurations"] = out
        return new

    def check_delete(self, req, res):
        owner = self.owner(res)
        if owner:
            label = self.owner_label(owner)
            raise bad_request("CannotDeleteNicAttachedToPrivateEndpoint",
                              f"Network interface {res.rid} is used by {label} {owner} and cannot be deleted. "
                              f"Delete the {label} instead.")

    def render_properties(self, res):
        props = copy.deepcopy(res.properties)
        etag = self.etag_text(res)
        props["resourceGuid"] = res.guid
        configs = []
        for cfg in props.get("ipConfigurations") or []:
            p = dict(cfg["properties"], provisioningState="Succeeded")
            configs.append({"name": cfg["name"], "id": f"{res.rid}/ipConfigurations/{cfg['name']}", "etag": etag,
                            "type": f"{self.arm_type}/ipConfigurations", "properties": p})
        props["ipConfigurations"] = configs
        props.setdefault("dnsSettings", {"dnsServers": [], "appliedDnsServers": []})
        props.setdefault("enableAcceleratedNetworking", False)
        props.setdefault("enableIPForwarding", False)
        props.setdefault("disableTcpStateTracking", False)
        props.update({"macAddress": "", "vnetEncryptionSupported": False, "hostedWorkloads": [],
                      "tapConfigurations": [], "nicType": "Standard", "auxiliaryMode": "None", "auxiliarySku": "None"})
        return props


# ---- private DNS zone groups -------------------------------------------------------------------------------------
def require_provisioned(emu, pe_res, by_id):
    """Azure refuses a zone group write while its endpoint is being written (ASO recording)."""
    if pe_res is not None and pe_res.pending_op:
        state = pe_res.transient_state
        operation = "DeletePrivateEndpointOperation" if state == "Deleting" else "PutPrivateEndpointOperation"
        raise bad_request("ReferencedResourceNotProvisioned",
                          f"Cannot proceed with operation because resource {pe_res.rid} used by resource {by_id} is "
                          f"not in Succeeded state. Resource is in {state} state and the last operation that "
                          f"updated/is updating the resource is {operation}.")


class PrivateDnsZoneGroup(ResourceType):
    types = ZONE_GROUP_TYPES
    inherit_parent_etag = True
    has_location = False
    duration = 5.0
    retry_after = 10

    def validate(self, req, rid, body, existing):
        require_provisioned(self.emu, self.store.get(rid.parent().key), rid)
        configs = []
        for entry in (body.get("properties") or {}).get("privateDnsZoneConfigs") or []:
            name = (entry or {}).get("name")
            zone_id = ((entry or {}).get("properties") or {}).get("privateDnsZoneId")
            if not name or not zone_id:
                raise cannot_parse()
            zone = privatedns.get_zone(self.emu, zone_id)
            if zone is None:
                raise invalid_reference(zone_id, str(rid))
            configs.append({"name": name, "properties": {"privateDnsZoneId": str(zone.rid)}})
        new = {"properties": {"privateDnsZoneConfigs": configs}}
        if existing is not None:
            new["internal"] = copy.deepcopy(existing.body.get("internal", {}))
        return new

    def after_write(self, req, res, before):
        write_zone_records(self.emu, res)

    def check_delete(self, req, res):
        require_provisioned(self.emu, self.store.get(res.rid.parent().key), res.rid)

    def on_deleted(self, res):
        delete_zone_records(self.emu, res)

    def render_properties(self, res):
        pe = self.store.get(res.rid.parent().key)
        etag = self.etag_text(res)
        state = self.provisioning_state(res)
        configs = []
        for cfg in res.properties.get("privateDnsZoneConfigs") or []:
            zone = privatedns.get_zone(self.emu, cfg["properties"]["privateDnsZoneId"])
            records = [{"recordType": "A", "recordSetName": name, "fqdn": f"{name}.{zone.rid.name}",
                        "ttl": RECORD_TTL, "provisioningState": state, "ipAddresses": ips}
                       for name, ips in (zone_records(self.emu, pe, zone) if zone is not None and pe else [])]
            configs.append({"name": cfg["name"], "id": f"{res.rid}/privateDnsZoneConfigs/{cfg['name']}",
                            "etag": etag, "type": f"{self.arm_type}/privateDnsZoneConfigs",
                            "properties": {"provisioningState": state,
                                           "privateDnsZoneId": cfg["properties"]["privateDnsZoneId"],
                                           "recordSets": records}})
        return {"privateDnsZoneConfigs": configs}


def register(engine):
    for cls in (PrivateEndpoint, NetworkInterface, PrivateDnsZoneGroup):
        engine.register(cls)
