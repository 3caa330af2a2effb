"""Microsoft.Network virtualNetworkPeerings: the two-sided state machine, address-space sync, gateway transit.

State, computed from both sides whenever a peering is rendered:
  * `Disconnected` once the remote peering or the remote VNet was deleted. A PUT of the peering itself
    clears it (ARM's RemotePeeringIsDisconnected message: "Update or re-create the remote peering to get it
    back to Initiated state").
  * otherwise `Connected` when the remote VNet has a peering back to this VNet, else `Initiated`.
Creating a peering whose remote VNet holds a Disconnected peering back to this VNet fails with
400 RemotePeeringIsDisconnected (real message, terraform-provider-azurerm #14051).

Sync level. Each peering stores the address spaces it last synced: `localAddressSpace` (its own VNet's)
and `remoteAddressSpace` (the remote VNet's), taken when it is created, when its remote side connects,
and by a PUT with ?syncRemoteAddressSpace=true. A plain PUT keeps them.
  * Connected: the local space is out of sync while this side's `localAddressSpace` or the remote side's
    `remoteAddressSpace` differs from the local VNet's current space; likewise for the remote space.
    Out of sync locally -> LocalNotInSync, remotely -> RemoteNotInSync, both -> LocalAndRemoteNotInSync.
    So after VNet A's space changes, A's peering shows LocalNotInSync and B's RemoteNotInSync; both show
    FullyInSync once each side has had one sync PUT (either order).
  * Initiated and Disconnected: RemoteNotInSync (the azure-cli recording shows it for Initiated), or
    LocalAndRemoteNotInSync when the local space changed since the last sync.
The side that connects a pair takes the resourceGuid of the side already there (both sides share it in
the azure-cli recording).

Across tenants (tenants.py): a peering whose remote VNet is in a subscription of another tenant than the request's
token is 403 LinkedAuthorizationFailed (action Microsoft.Network/virtualNetworks/peer/action, scope the peering:
terraform-provider-azurerm #4546, Azure/azure-cli #16691) unless x-ms-authorization-auxiliary carries a token for
that tenant (Microsoft Learn authenticate-multi-tenant.md; create-peering-different-subscriptions.md for peering
virtual networks whose subscriptions belong to different tenants). Checked before the remote VNet is looked up.
Emulator convention: a missing remote VNet is 400 InvalidResourceReference (the generic NRP message).
Emulator convention: useRemoteGateways while the remote side's peering exists without allowGatewayTransit is
  400 RemotePeeringDoesNotAllowGatewayTransit (code unverified; message as quoted in terraform #20298).
  Not checked while the remote side's peering does not exist yet.
Emulator convention: useRemoteGateways on a VNet that has its own gateway is 400
  VirtualNetworkHasGatewayCannotUseRemoteGateways.
Emulator convention: a second peering of one VNet with useRemoteGateways is 400
  VnetCanOnlyHaveOnePeeringUsingRemoteGateways.
Emulator convention: changing remoteVirtualNetwork of an existing peering is 400
  PeeringRemoteVirtualNetworkCannotBeChanged.
Emulator convention: RemoteVnetHasNoGateways is enforced even with doNotVerifyRemoteGateways (that flag is
  about the remote gateway's provisioning state across tenants).
Emulator convention: a VNet address-space change that overlaps a peered VNet (a peering that is not
  Disconnected, in either direction) is 400 VnetAddressSpacesOverlap naming that peering.
"""

import copy
import ipaddress

from .. import tenants
from ..arm import ResourceType
from ..errors import bad_request, invalid_reference
from ..ids import ResourceId, new_guid, same_id
from . import hooks
from .gateways import gateways_of_vnet
from .network import lookup, vnet_key_of, vnet_prefixes
from .routeserver import route_servers_of_vnet

PEERING_TYPE = ("virtualNetworks", "virtualNetworkPeerings")
PEERING_INFO = " For more information please refer to https://aka.ms/VnetPeeringInfo"
# What a client may send; everything else in `properties` is computed by the server.
WRITABLE = ("remoteVirtualNetwork", "allowVirtualNetworkAccess", "allowForwardedTraffic", "allowGatewayTransit",
            "useRemoteGateways", "doNotVerifyRemoteGateways", "peerCompleteVnets", "enableOnlyIPv6Peering",
            "localSubnetNames", "remoteSubnetNames")
DEFAULTS = {"allowVirtualNetworkAccess": True, "allowForwardedTraffic": False, "allowGatewayTransit": False,
            "useRemoteGateways": False, "doNotVerifyRemoteGateways": False, "peerCompleteVnets": True,
            "enableOnlyIPv6Peering": False}


# ---- helpers ------------------------------------------------------------------------------
def remote_id_of(peering_res):
    return (peering_res.properties.get("remoteVirtualNetwork") or {}).get("id")


def peerings_of(emu, vnet_key):
    return emu.store.children(vnet_key, "virtualNetworkPeerings")


def all_peerings(emu):
    return emu.store.of_type("Microsoft.Network", PEERING_TYPE)


def pointing_at(emu, vnet_key):
    """Peerings in other VNets whose remote VNet is vnet_key."""
    return [p for p in all_peerings(emu) if same_id(remote_id_of(p), vnet_key)]


def is_disconnected(peering_res):
    return bool(peering_res.body.get("_disconnected"))


def back_peering(emu, peering_res):
    """The remote VNet's peering pointing back at this peering's VNet, or None."""
    remote_key = (remote_id_of(peering_res) or "").lower()
    local_key = vnet_key_of(peering_res.rid)
    for other in peerings_of(emu, remote_key):
        if same_id(remote_id_of(other), local_key):
            return other
    return None


def peering_state(emu, peering_res):
    if is_disconnected(peering_res):
        return "Disconnected"
    back = back_peering(emu, peering_res)
    return "Connected" if back is not None and not is_disconnected(back) else "Initiated"


def space(prefixes):
    return {"addressPrefixes": list(prefixes)}


def same_space(stored, prefixes):
    return sorted((stored or {}).get("addressPrefixes") or []) == sorted(prefixes)


def nets_of(prefixes):
    return [ipaddress.ip_network(p, strict=False) for p in prefixes]


def overlapping(prefixes_a, prefixes_b):
    """The overlapping ranges (the smaller block of each overlapping pair), as text."""
    out = []
    for a in nets_of(prefixes_a):
        for b in nets_of(prefixes_b):
            if a.version == b.version and a.overlaps(b):
                smaller = str(a if a.prefixlen >= b.prefixlen else b)
                if smaller not in out:
                    out.append(smaller)
    return out


def bump_etag(emu, vnet_key):
    """A peering's rendered state changed: its etag (the VNet's) changes too."""
    vnet = emu.store.get(vnet_key)
    if vnet is not None:
        vnet.etag = new_guid()


def peered_vnets(emu, vnet_key):
    """(peering, other VNet) for every live peering relation of a VNet, in either direction."""
    out = []
    for p in peerings_of(emu, vnet_key):
        other = lookup(emu, remote_id_of(p))
        if other is not None and not is_disconnected(p):
            out.append((p, other))
    for q in pointing_at(emu, vnet_key):
        other = emu.store.get(vnet_key_of(q.rid))
        if other is not None and not is_disconnected(q) and all(o.key != other.key for _, o in out):
            out.append((q, other))
    return out


def overlap_error(pid, first, second, prefixes):
    return bad_request(
        "VnetAddressSpacesOverlap",
        f"Cannot create or update peering {pid}. Virtual networks {first} and {second} cannot be peered because "
        f"their address spaces overlap. Overlapping address prefixes: {', '.join(prefixes)}." + PEERING_INFO)


# ---- hooks fired by network.py (registered in register(), hooks.py) ---------------------------------------------------------
def check_address_space_change(emu, vnet_rid, new_prefixes):
    """Refuse a VNet address space that overlaps a VNet it is peered with (called from validate)."""
    for p, other in peered_vnets(emu, vnet_rid.key):
        common = overlapping(new_prefixes, vnet_prefixes(other))
        if common:
            raise overlap_error(p.rid, vnet_rid, other.rid, common)


def address_space_changed(emu, vnet_res):
    """The VNet's space changed: its peerings and the peerings pointing at it now render out of sync."""
    for q in pointing_at(emu, vnet_res.key):
        bump_etag(emu, vnet_key_of(q.rid))


def virtual_network_deleted(emu, vnet_res):
    """Peerings elsewhere that point at a deleted VNet become Disconnected."""
    for q in pointing_at(emu, vnet_res.key):
        disconnect(emu, q)


def disconnect(emu, peering_res):
    if emu.store.get(peering_res.key) is None:
        return
    peering_res.body["_disconnected"] = True
    bump_etag(emu, vnet_key_of(peering_res.rid))


# ---- hook fired by gateways.py (registered in register(), hooks.py) --------------------------------------------------
def check_gateway_delete(emu, gateway_res, vnet_keys):
    """Refuse to delete a gateway that peerings elsewhere use: useRemoteGateways with the gateway's VNet as their
    remote VNet (the emulator convention in gateways.py)."""
    users = [p for key in vnet_keys for p in all_peerings(emu)
             if p.properties.get("useRemoteGateways") and same_id(remote_id_of(p), key)]
    if users:
        raise bad_request(
            "VirtualNetworkGatewayInUseByPeerings",
            f"Virtual network gateway {gateway_res.rid} cannot be deleted because peerings "
            f"{', '.join(str(p.rid) for p in users)} use it (useRemoteGateways). Update or delete them first.")


# ---- the resource -----------------------------------------------------------------------------
class VirtualNetworkPeering(ResourceType):
    types = PEERING_TYPE
    inherit_parent_etag = True
    has_location = False
    duration = 3.0
    retry_after = 10

    def locks(self, rid):
        return [vnet_key_of(rid)]

    def validate(self, req, rid, body, existing):
        sent = body.get("properties") or {}
        props = {key: copy.deepcopy(sent[key]) for key in WRITABLE if sent.get(key) is not None}
        for key, value in DEFAULTS.items():
            props.setdefault(key, value)
        remote_id = (props.get("remoteVirtualNetwork") or {}).get("id")
        if not remote_id:
            raise bad_request("InvalidRequestFormat",
                              f"Cannot parse the request: peering {rid} has no remoteVirtualNetwork.")
        if existing is not None and not same_id(remote_id_of(existing), remote_id):
            raise bad_request("PeeringRemoteVirtualNetworkCannotBeChanged",
                              f"Cannot update peering {rid}: the remote virtual network cannot be changed from "
                              f"{remote_id_of(existing)} to {remote_id}. Delete the peering and create a new one.")
        tenants.require_linked_access(self.emu, req, remote_id, tenants.PEER_ACTION, str(rid))
        remote_rid = ResourceId.parse(remote_id)
        remote = None
        if remote_rid is not None and [t.lower() for t in remote_rid.types] == ["virtualnetworks"]:
            remote = self.store.get(remote_rid.key)
        if remote is None:
            raise invalid_reference(remote_id, str(rid))
        props["remoteVirtualNetwork"] = {"id": str(remote.rid)}
        local = self.store.get(vnet_key_of(rid))
        self.check_peers(rid, local, remote)
        if props["useRemoteGateways"]:
            self.check_gateways(rid, local, remote, props)

        local_now, remote_now = vnet_prefixes(local), vnet_prefixes(remote)
        resync = existing is None or (req.query.get("syncremoteaddressspace") or "").lower() == "true"
        if resync:
            props["localAddressSpace"], props["remoteAddressSpace"] = space(local_now), space(remote_now)
        else:
            props["localAddressSpace"] = copy.deepcopy(existing.properties.get("localAddressSpace"))
            props["remoteAddressSpace"] = copy.deepcopy(existing.properties.get("remoteAddressSpace"))
        return {"properties": props}

    def check_peers(self, rid, local, remote):
        for other in peerings_of(self.emu, local.key):
            if other.key != rid.key and same_id(remote_id_of(other), remote.key):
                raise bad_request(
                    "AnotherPeeringAlreadyReferencesRemoteVnet",
                    f"Cannot create or update peering {rid}. Peering {other.rid} already references remote "
                    f"virtual network {remote.rid}. Cannot add another peering referencing the same remote "
                    "virtual network.")
        for back in peerings_of(self.emu, remote.key):
            if same_id(remote_id_of(back), local.key) and is_disconnected(back):
                raise bad_request(
                    "RemotePeeringIsDisconnected",
                    f"Cannot create or update peering {rid} because remote peering {back.rid} referencing parent "
                    f"virtual network {local.rid} is in Disconnected state. Update or re-create the remote "
                    "peering to get it back to Initiated state. Peering gets Disconnected when remote vnet or "
                    "remote peering is deleted and re-created.")
        common = overlapping(vnet_prefixes(local), vnet_prefixes(remote))
        if common:
            raise overlap_error(rid, local.rid, remote.rid, common)
        for _, third in peered_vnets(self.emu, remote.key):
            if third.key == local.key:
                continue
            common = overlapping(vnet_prefixes(local), vnet_prefixes(third))
            if common:
                raise bad_request(
                    "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet",
                    f"Cannot create or update peering {rid}. Virtual networks {local.rid} and {remote.rid} cannot "
                    "be peered because address space of the first virtual network overlaps with address space "
                    f"of virtual network {third.rid} already peered with the second virtual network. Overlapping "
                    f"address prefixes: {', '.join(common)}." + PEERING_INFO)

    def check_gateways(self, rid, local, remote, props):
        if gateways_of_vnet(self.emu, local.key):
            raise bad_request(
                "VirtualNetworkHasGatewayCannotUseRemoteGateways",
                f"Peering {rid} cannot have UseRemoteGateways flag set to true because its virtual network "
                f"{local.rid} already has a gateway.")
        # A Route Server in the remote VNet counts as its gateway (routeserver.py: Route Server FAQ, "Does Azure
        # Route Server support virtual network peering?", and the portal's "Use the remote virtual network's gateway
        # or Route Server").
        if not gateways_of_vnet(self.emu, remote.key) and not route_servers_of_vnet(self.emu, remote.key):
            raise bad_request(
                "RemoteVnetHasNoGateways",
                f"Peering {rid} cannot have UseRemoteGateway flag set to true because remote virtual network "
                f"{remote.rid} referenced by the peering does not have any gateways.")
        for other in peerings_of(self.emu, local.key):
            if other.key != rid.key and other.properties.get("useRemoteGateways"):
                raise bad_request(
                    "VnetCanOnlyHaveOnePeeringUsingRemoteGateways",
                    f"Peering {rid} cannot have UseRemoteGateways flag set to true because peering {other.rid} "
                    f"of virtual network {local.rid} already uses remote gateways. Only one peering can have this "
                    "flag set.")
        for back in peerings_of(self.emu, remote.key):
            if same_id(remote_id_of(back), local.key) and not back.properties.get("allowGatewayTransit"):
                raise bad_request(
                    "RemotePeeringDoesNotAllowGatewayTransit",
                    f"Peering {rid} cannot have UseRemoteGateways flag set to true, because corresponding remote "
                    f"peering {back.rid} has AllowGatewayTransit flag set to false.")

    def after_write(self, req, res, before):
        back = back_peering(self.emu, res)
        if back is None or is_disconnected(back):
            return
        if before is None:
            # This side connects the pair: both sides share one guid and re-read each other's spaces.
            res.guid = back.guid
            local, remote = self.store.get(vnet_key_of(res.rid)), lookup(self.emu, remote_id_of(res))
            back.properties["localAddressSpace"] = space(vnet_prefixes(remote))
            back.properties["remoteAddressSpace"] = space(vnet_prefixes(local))
        bump_etag(self.emu, vnet_key_of(back.rid))

    def on_deleted(self, res):
        back = back_peering(self.emu, res)
        if back is not None:
            disconnect(self.emu, back)

    def render_properties(self, res):
        stored = res.properties
        local = self.store.get(vnet_key_of(res.rid))
        remote = lookup(self.emu, remote_id_of(res))
        local_now = vnet_prefixes(local) if local else []
        remote_now = vnet_prefixes(remote) if remote else (stored.get("remoteAddressSpace") or {}).get(
            "addressPrefixes", [])
        state = peering_state(self.emu, res)
        props = {"resourceGuid": res.guid, "peeringState": state,
                 "peeringSyncLevel": self.sync_level(res, state, local_now, remote_now)}
        for key in WRITABLE:
            if key in stored:
                props[key] = copy.deepcopy(stored[key])
        if stored.get("useRemoteGateways") and remote is not None:
            props["remoteGateways"] = [{"id": str(g.rid)} for g in gateways_of_vnet(self.emu, remote.key)]
        props["remoteAddressSpace"] = copy.deepcopy(stored.get("remoteAddressSpace"))
        props["remoteVirtualNetworkAddressSpace"] = space(remote_now)
        props["localAddressSpace"] = copy.deepcopy(stored.get("localAddressSpace"))
        props["localVirtualNetworkAddressSpace"] = space(local_now)
        props["routeServiceVips"] = {}
        return props

    def sync_level(self, res, state, local_now, remote_now):
        stored = res.properties
        local_ok = same_space(stored.get("localAddressSpace"), local_now)
        if state != "Connected":
            return "RemoteNotInSync" if local_ok else "LocalAndRemoteNotInSync"
        back = back_peering(self.emu, res).properties
        local_ok = local_ok and same_space(back.get("remoteAddressSpace"), local_now)
        remote_ok = (same_space(stored.get("remoteAddressSpace"), remote_now)
                     and same_space(back.get("localAddressSpace"), remote_now))
        if local_ok and remote_ok:
            return "FullyInSync"
        if remote_ok:
            return "LocalNotInSync"
        return "RemoteNotInSync" if local_ok else "LocalAndRemoteNotInSync"


def register(engine):
    engine.register(VirtualNetworkPeering)
    hooks.on(engine, "check_address_space", check_address_space_change)
    hooks.on(engine, "address_space_changed", address_space_changed)
    hooks.on(engine, "vnet_deleted", virtual_network_deleted)
    hooks.on(engine, "check_gateway_delete", check_gateway_delete)

