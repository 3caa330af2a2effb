# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Virtual network peering: what a side of a peering looks like, the checks Azure would otherwise only make
in the middle of a two-sided change, and the plan of a task (which side to write, with what, in which order).

Everything here is pure (models in, plain values or new frozen Sides/Plans out; a failed check raises
ValueError naming the option and the fix), so it is tested without Azure; the module vnet_peering does the calls.

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping, NamedTuple, Optional

from ansible_collections.privnet.azure.plugins.module_utils._diff import Difference
from ansible_collections.privnet.azure.plugins.module_utils._ids import (
    ResourceId,
    parse_resource_id,
    resolve_resource_id,
    same_id,
)
from ansible_collections.privnet.azure.plugins.module_utils._sdk import text
from ansible_collections.privnet.azure.plugins.module_utils._sdkcompat import wire
from ansible_collections.privnet.azure.plugins.module_utils._validate import name as valid_name

NETWORK = "Microsoft.Network"

FLAGS = ("allow_virtual_network_access", "allow_forwarded_traffic", "allow_gateway_transit", "use_remote_gateways")
WIRE_FLAGS = {
    "allow_virtual_network_access": "allowVirtualNetworkAccess",
    "allow_forwarded_traffic": "allowForwardedTraffic",
    "allow_gateway_transit": "allowGatewayTransit",
    "use_remote_gateways": "useRemoteGateways",
}
# What a new peering gets for a flag the task does not set (Azure's own defaults).
CREATE_DEFAULTS = {
    "allow_virtual_network_access": True,
    "allow_forwarded_traffic": False,
    "allow_gateway_transit": False,
    "use_remote_gateways": False,
}
# Writable peering properties this collection does not manage: sent back as read, so that a
# flag change never resets subnet peering or the remote-gateway verification setting.
KEPT_PROPERTIES = ("doNotVerifyRemoteGateways", "peerCompleteVnets", "localSubnetNames", "remoteSubnetNames",
                   "enableOnlyIPv6Peering")
OUT_OF_SYNC = ("LocalNotInSync", "RemoteNotInSync", "LocalAndRemoteNotInSync")


def prefixes(address_space: Any) -> list:
    return list(getattr(address_space, "address_prefixes", None) or [])


def vnet_prefixes(vnet: Any) -> list:
    return prefixes(vnet.address_space) if vnet is not None else []


def overlaps(first: list, second: list) -> list:
    """Pairs ``(a, b)`` of prefixes of ``first`` and ``second`` that overlap (same IP version)."""
    out = []
    for a in first:
        for b in second:
            net_a, net_b = ipaddress.ip_network(a, strict=False), ipaddress.ip_network(b, strict=False)
            if net_a.version == net_b.version and net_a.overlaps(net_b):
                out.append((a, b))
    return out


def describe_overlaps(pairs: list) -> str:
    return ", ".join(f"{a} overlaps {b}" for a, b in pairs)


def peerings_of(vnet: Any) -> list:
    return list(getattr(vnet, "virtual_network_peerings", None) or [])


def remote_id(peering: Any) -> Optional[str]:
    remote = getattr(peering, "remote_virtual_network", None)
    return getattr(remote, "id", None)


def find_peering(vnet: Any, name: str) -> Any:
    """The peering of ``vnet`` called ``name`` (case-insensitive), or None."""
    return next((p for p in peerings_of(vnet) if (p.name or "").lower() == name.lower()), None)


def peering_to(vnet: Any, remote_vnet_id: str) -> Any:
    """The peering of ``vnet`` whose remote virtual network is ``remote_vnet_id``, or None."""
    return next((p for p in peerings_of(vnet) if same_id(remote_id(p), remote_vnet_id)), None)


def flags(peering: Any) -> dict:
    """The four flags of a peering as plain booleans (Azure leaves unset ones out: false)."""
    return {key: bool(getattr(peering, key, None)) for key in FLAGS}


def gateway_ids(vnet: Any) -> list:
    """Ids of the virtual network gateways placed in the VNet's GatewaySubnet, read from the
    subnet's ipConfigurations (a gateway's ipConfiguration id is <gateway id>/ipConfigurations/<n>)."""
    return _owners_in_subnet(vnet, "gatewaysubnet", "virtualnetworkgateways")


def route_server_ids(vnet: Any) -> list:
    """Ids of the Route Servers placed in the VNet's RouteServerSubnet (a Route Server is a virtualHubs resource
    whose ipConfigurations sit in that subnet: Microsoft Learn, route-server quickstart-create-route-server-cli.md).
    A peered virtual network can use it as its remote gateway (Route Server FAQ; route-injection-in-spokes.md)."""
    return _owners_in_subnet(vnet, "routeserversubnet", "virtualhubs")


def _owners_in_subnet(vnet: Any, subnet_name: str, owner_type: str) -> list:
    """The resources of ``owner_type`` whose ipConfigurations sit in the VNet's subnet ``subnet_name``."""
    out: list = []
    for subnet in getattr(vnet, "subnets", None) or []:
        if (subnet.name or "").lower() != subnet_name:
            continue
        for config in subnet.ip_configurations or []:
            config_id = config.id or ""
            lowered = config_id.lower()
            if f"/providers/microsoft.network/{owner_type}/" in lowered and "/ipconfigurations/" in lowered:
                owner = config_id[:lowered.index("/ipconfigurations/")]
                if not any(same_id(owner, o) for o in out):
                    out.append(owner)
    return out


def has_gateway_subnet(vnet: Any) -> bool:
    return any((s.name or "").lower() == "gatewaysubnet" for s in getattr(vnet, "subnets", None) or [])


def gateway_uses_vnet(gateway: Any, vnet_id: str) -> bool:
    """True when one of the gateway's ipConfigurations is in a subnet of ``vnet_id``."""
    for config in getattr(gateway, "ip_configurations", None) or []:
        subnet_id = getattr(getattr(config, "subnet", None), "id", None)
        if not subnet_id:
            continue
        try:
            rid = parse_resource_id(subnet_id)
        except ValueError:
            continue
        if rid.children and same_id(str(rid.parent), vnet_id):
            return True
    return False


def remote_gateways(peering: Any) -> list:
    """Ids of the remote gateways a peering uses: Azure returns ``remoteGateways``, which the SDK
    model does not declare, so it is read from the raw properties."""
    raw = getattr(peering, "remote_gateways", None)
    if raw is None:
        properties = getattr(peering, "properties", None)
        raw = properties.get("remoteGateways") if properties is not None and hasattr(properties, "get") else None
    if raw is None:  # an msrest-style model (older azure-mgmt-network): the JSON kept beside it
        raw = (wire(peering).get("properties") or {}).get("remoteGateways")
    out = []
    for gateway in raw or []:
        gateway_id = gateway.get("id") if isinstance(gateway, dict) else getattr(gateway, "id", None)
        if gateway_id:
            out.append(gateway_id)
    return out


def needs_sync(peering: Any) -> bool:
    """True when a Connected peering has not taken up an address-space change: the spaces it
    peered (local and remote) differ from the two VNets' current spaces. When Azure does not
    return those spaces, the sync level says it."""
    if peering is None or text(peering.peering_state) != "Connected":
        return False
    pairs = ((peering.local_address_space, peering.local_virtual_network_address_space),
             (peering.remote_address_space, peering.remote_virtual_network_address_space))
    known = [(prefixes(a), prefixes(b)) for a, b in pairs if a is not None and b is not None]
    if known:
        return any(sorted(a) != sorted(b) for a, b in known)
    return text(peering.peering_sync_level) in OUT_OF_SYNC


def peering_body(current: Any, wanted_flags: Mapping[str, bool], remote_vnet_id: Any) -> dict:
    """The PUT body (wire form) of a peering: ``wanted_flags`` for the four flags, the remote
    VNet, and every other writable property as read from ``current``. Read-only state
    (peeringState, address spaces, guid) is not sent."""
    props: dict = {"remoteVirtualNetwork": {"id": str(remote_vnet_id)}}
    if current is not None:
        props["remoteVirtualNetwork"]["id"] = remote_id(current) or str(remote_vnet_id)
        # wire(), not as_dict(): an msrest-style model's as_dict() has snake_case keys and no
        # "properties", which sent none of these back (azure-mgmt-network 28, issue 14).
        read = wire(current).get("properties") or {}
        for key in KEPT_PROPERTIES:
            if read.get(key) is not None:
                props[key] = read[key]
    for key in FLAGS:
        props[WIRE_FLAGS[key]] = bool(wanted_flags[key])
    return {"properties": props}


def side_result(peering: Any, vnet_id: ResourceId, vnet: Any = None, managed: bool = True) -> dict:
    """The documented result of one side (``local`` or ``remote``)."""
    result = {
        "exists": peering is not None,
        "managed": managed,
        "virtual_network_id": str(vnet_id),
        "virtual_network": vnet_id.name,
        "resource_group": vnet_id.resource_group,
        "subscription_id": vnet_id.subscription,
        "address_space": vnet_prefixes(vnet) if vnet is not None else None,
    }
    if peering is None:
        result.update({"id": None, "name": None, "peering_state": None, "peering_sync_level": None,
                       "remote_virtual_network_id": None, "remote_address_space": None,
                       "remote_virtual_network_address_space": None, "remote_gateways": [],
                       "provisioning_state": None})
        result.update({key: None for key in FLAGS})
        return result
    if result["address_space"] is None and peering.local_virtual_network_address_space is not None:
        result["address_space"] = prefixes(peering.local_virtual_network_address_space)
    result.update({
        "id": peering.id,
        "name": peering.name,
        "peering_state": text(peering.peering_state),
        "peering_sync_level": text(peering.peering_sync_level),
        "remote_virtual_network_id": remote_id(peering),
        "remote_address_space": prefixes(peering.remote_address_space) if peering.remote_address_space else None,
        "remote_virtual_network_address_space": (prefixes(peering.remote_virtual_network_address_space)
                                                 if peering.remote_virtual_network_address_space else None),
        "remote_gateways": remote_gateways(peering),
        "provisioning_state": text(peering.provisioning_state),
    })
    result.update(flags(peering))
    return result


# ---- the task's two sides, and their plan ---------------------------------------------------------

@dataclass(frozen=True)
class Side:
    """One direction of the peering: the peering ``name`` in ``vnet_id`` towards ``peer_id``, as read (``vnet``,
    ``peering``) and as planned (``final`` flags, ``action``, ``sync``). Never changed in place: each step
    returns a new Side (dataclasses.replace)."""

    label: str  # "local" or "remote": its key in the result and the diff
    vnet_id: ResourceId
    peer_id: ResourceId
    managed: bool
    desired: Mapping[str, bool]  # the flags the task sets
    prefix: str = ""  # of this side's flag options: "" or "remote."
    tenant: Optional[str] = None  # the Entra tenant of this side's subscription, when not the module's
    vnet: Any = None  # the VirtualNetwork model (subnets and peerings included); None when not readable
    readable: bool = True
    name: str = ""  # the peering's name ("" until named, unless the task gave it)
    peering: Any = None  # the VirtualNetworkPeering model; None when absent
    final: Mapping[str, bool] = field(default_factory=dict)  # the four flags after the task (managed sides)
    action: Optional[str] = None  # create | update | reconnect
    sync: bool = False

    def option(self, key: str) -> str:
        return f"{self.prefix}{key}"

    @property
    def state(self) -> Optional[str]:
        return text(self.peering.peering_state) if self.peering is not None else None

    def describe(self) -> str:
        return (f"virtual network '{self.vnet_id.name}' (resource group '{self.vnet_id.resource_group}', "
                f"subscription '{self.vnet_id.subscription}')")


class Refused(ValueError):
    """A check that failed, with result keys for the task beside the message (e.g. overlapping_prefixes)."""

    def __init__(self, msg: str, **details: Any) -> None:
        super().__init__(msg)
        self.details = details


class Write(NamedTuple):
    side: Side
    flags: Mapping[str, bool]
    sync: bool


def remote_network(value: Any, local: ResourceId) -> tuple[ResourceId, Optional[str]]:
    """The id (and Entra tenant, when given) of option remote_virtual_network: an id, a name beside ``local``,
    or a dict of name, resource_group, subscription_id and tenant."""
    option = "remote_virtual_network"
    if isinstance(value, str) and value:
        rid = resolve_resource_id(value, option=option, subscription=local.subscription,
                                  resource_group=local.resource_group, provider=NETWORK, type_="virtualNetworks",
                                  name_kind="virtual_network")
    elif isinstance(value, dict):
        unknown = sorted(set(value) - {"name", "resource_group", "subscription_id", "tenant"})
        if unknown:
            raise ValueError(f"{option}: unknown key(s) {', '.join(unknown)}; give name, resource_group, "
                             "subscription_id and tenant, or a resource id")
        if not value.get("name"):
            raise ValueError(f"{option}: the dict form needs name (and optionally resource_group and "
                             "subscription_id)")
        valid_name("virtual_network", str(value["name"]), f"{option}.name")
        group = str(value.get("resource_group") or local.resource_group)
        valid_name("resource_group", group, f"{option}.resource_group")
        subscription = str(value.get("subscription_id") or local.subscription)
        rid = ResourceId(subscription, group, NETWORK, "virtualNetworks", str(value["name"]))
    else:
        raise ValueError(f"{option}: give the remote virtual network as a resource id, a name, or a dict "
                         "with name, resource_group and subscription_id")
    if same_id(str(local), str(rid)):
        raise ValueError(f"{option}: {rid} is virtual_network itself; a virtual network cannot be peered "
                         "with itself")
    tenant = str(value.get("tenant") or "").strip() if isinstance(value, dict) else ""
    return rid, tenant or None


def sides(params: Mapping[str, Any], local_id: ResourceId) -> tuple[Side, Side]:
    """The two sides of the task from its options (``local_id`` already resolved), before any call to Azure."""
    remote_id_, tenant = remote_network(params["remote_virtual_network"], local_id)
    for option in ("name", "remote_name"):
        if params[option] is not None:
            valid_name("virtual_network_peering", params[option], option)
    remote_flags = params["remote"] or {}
    if not params["manage_remote"] and any(v is not None for v in remote_flags.values()):
        raise ValueError("remote: the remote side's flags need manage_remote: true (with manage_remote: false "
                         "the remote side is not written)")
    if params["state"] == "absent" and (any(params[k] is not None for k in FLAGS)
                                        or any(v is not None for v in remote_flags.values())):
        raise ValueError("state: absent removes the peering; do not set flags (" + ", ".join(FLAGS) + ") with it")
    local = Side("local", local_id, remote_id_, True, {k: params[k] for k in FLAGS if params[k] is not None},
                 name=params["name"] or "")
    remote = Side("remote", remote_id_, local_id, params["manage_remote"],
                  {k: remote_flags[k] for k in FLAGS if remote_flags.get(k) is not None}, "remote.", tenant,
                  name=params["remote_name"] or "")
    return local, remote


def named(side: Side) -> Side:
    """``side`` with its peering name and its peering, both from the VNet read: the name given, else that of
    the peering already towards the other VNet, else "<vnet>-to-<other vnet>"."""
    option = "name" if side.label == "local" else "remote_name"
    given, derived = side.name, f"{side.vnet_id.name}-to-{side.peer_id.name}"
    if not side.readable:
        return replace(side, name=given or derived)
    towards_peer = peering_to(side.vnet, str(side.peer_id))
    if given:
        found = find_peering(side.vnet, given)
        if found is not None and not same_id(remote_id(found), str(side.peer_id)):
            raise ValueError(f"{option}: peering '{given}' of {side.describe()} already connects to "
                             f"{remote_id(found)}; the remote virtual network of a peering cannot be changed. "
                             "Choose another name, or delete that peering first")
        if towards_peer is not None and towards_peer.name.lower() != given.lower():
            raise ValueError(f"{option}: {side.describe()} already has peering '{towards_peer.name}' to "
                             f"{side.peer_id.name}, and Azure allows one peering per pair of virtual networks. "
                             f"Set {option}: {towards_peer.name} (or leave {option} out), or delete that peering")
        return replace(side, peering=found)
    if towards_peer is not None:
        return replace(side, name=towards_peer.name, peering=towards_peer)
    if len(derived) > 80:
        raise ValueError(f"{option}: the default peering name {derived!r} is longer than 80 characters; "
                         f"set {option}")
    found = find_peering(side.vnet, derived)
    if found is not None:
        raise ValueError(f"{option}: peering '{derived}' of {side.describe()} already connects to "
                         f"{remote_id(found)}; set {option} to another name")
    return replace(side, name=derived)


def planned(side: Side) -> Side:
    """A managed side with its final flags (the task's over the current ones, or Azure's defaults for a new
    peering) and its action; an unmanaged side as it is."""
    if not side.managed:
        return side
    base = flags(side.peering) if side.peering is not None else dict(CREATE_DEFAULTS)
    final = dict(base, **side.desired)
    action = ("create" if side.peering is None else "reconnect" if side.state == "Disconnected"
              else "update" if final != base else None)
    return replace(side, final=final, action=action)


def with_sync(local: Side, remote: Side) -> tuple[Side, Side]:
    """Both sides, marked ``sync`` when the Connected pair has not taken up an address-space change."""
    if local.peering is None or local.state != "Connected":
        return local, remote
    if not remote.managed:
        return replace(local, sync=needs_sync(local.peering)), remote
    if remote.peering is None or remote.state != "Connected":
        return local, remote
    sync = any(needs_sync(p) or text(p.peering_sync_level) not in (None, "FullyInSync")
               for p in (local.peering, remote.peering))
    return replace(local, sync=sync), replace(remote, sync=sync)


def check_overlaps(local: Side, remote: Side) -> None:
    """Refused when the two address spaces overlap, or a side to create overlaps a VNet already peered with
    the other side (Azure refuses both)."""
    if not (local.readable and remote.readable) or local.vnet is None or remote.vnet is None:
        return
    pairs = overlaps(vnet_prefixes(local.vnet), vnet_prefixes(remote.vnet))
    if pairs:
        raise Refused(f"remote_virtual_network: the address spaces of {local.vnet_id.name} "
                      f"({', '.join(vnet_prefixes(local.vnet))}) and {remote.vnet_id.name} "
                      f"({', '.join(vnet_prefixes(remote.vnet))}) overlap ({describe_overlaps(pairs)}); "
                      "peered virtual networks need address spaces that do not overlap. Change the "
                      "address space of one of them first", overlapping_prefixes=[list(p) for p in pairs])
    for side, other in ((local, remote), (remote, local)):
        if side.action != "create":
            continue
        for third in peerings_of(other.vnet):
            if same_id(remote_id(third), str(side.vnet_id)) or text(third.peering_state) == "Disconnected":
                continue
            third_space = prefixes(third.remote_virtual_network_address_space or third.remote_address_space)
            pairs = overlaps(vnet_prefixes(side.vnet), third_space)
            if pairs:
                third_name = (remote_id(third) or "").rstrip("/").rsplit("/", 1)[-1]
                raise Refused(f"remote_virtual_network: the address space of {side.vnet_id.name} overlaps "
                              f"virtual network {third_name}, already peered with {other.vnet_id.name} "
                              f"(peering '{third.name}'): {describe_overlaps(pairs)}. Azure refuses such a "
                              "peering; change one of the address spaces first",
                              overlapping_prefixes=[list(p) for p in pairs])


def check_gateways(side: Side, other: Side, gateways: Callable[[Side], list],
                   warn: Optional[Callable[[str], None]] = None) -> None:
    """``side`` will use the gateway of ``other``: everything Azure requires for that. ``gateways(s)`` gives
    the gateway ids of a side's VNet (it may have to ask Azure, so it is only called when needed). With ``warn``
    (check mode), a remote gateway that does not exist yet is a warning: an earlier task of the same run may be the
    one that would create it."""
    option = side.option("use_remote_gateways")
    own = gateways(side)
    if own:
        raise ValueError(f"{option}: {side.describe()} has its own gateway ({own[0]}); a virtual network with "
                         "a gateway cannot use a remote one. Set it to false, or remove that gateway")
    for peering in peerings_of(side.vnet):
        if (peering.name or "").lower() != side.name.lower() and peering.use_remote_gateways:
            raise ValueError(f"{option}: {side.describe()} already uses remote gateways through peering "
                             f"'{peering.name}'; only one peering of a virtual network can. Set it to false here, "
                             "or turn it off on that peering first")
    # A Route Server in the remote network serves as its gateway too (route_server_ids).
    if other.readable and other.vnet is not None and not gateways(other) and not route_server_ids(other.vnet):
        message = (f"{option}: {other.describe()} has no virtual network gateway or Route Server to use. Create the "
                   "gateway (in its GatewaySubnet) or the Route Server (in its RouteServerSubnet) first, or set it "
                   "to false")
        if warn is None:
            raise ValueError(message)
        warn(f"{message}. Check mode predicts the peering; a real run fails unless it exists by then")
    transit = other.option("allow_gateway_transit")
    if other.managed and not other.final["allow_gateway_transit"]:
        if "allow_gateway_transit" in other.desired and "use_remote_gateways" not in side.desired:
            raise ValueError(f"{transit}: {side.vnet_id.name} uses the gateway of {other.vnet_id.name} through "
                             f"this peering ({option} is true on its side), so gateway transit must stay on. "
                             f"Set {option}: false in the same task to stop both")
        raise ValueError(f"{option}: the other side must allow gateway transit; set {transit}: true")
    if not other.managed and other.peering is not None and not other.peering.allow_gateway_transit:
        raise ValueError(f"{option}: peering '{other.peering.name}' of {other.describe()} does not allow gateway "
                         "transit; its owner must set allowGatewayTransit on it first (or manage it here with "
                         "manage_remote: true and remote.allow_gateway_transit: true)")


def ordered_writes(local: Side, remote: Side) -> list[Write]:
    """The writes in the order Azure accepts them: the side that allows gateway transit before the side that
    uses it; the side that stops using remote gateways before the side that stops allowing transit; a
    Disconnected side brought back before its partner is created."""
    def late(side: Side) -> bool:
        stops_transit = (side.peering is not None and side.peering.allow_gateway_transit
                         and not side.final["allow_gateway_transit"])
        return bool(side.final["use_remote_gateways"] or stops_transit)

    sides_ = sorted((s for s in (local, remote) if s.managed and (s.action or s.sync)), key=late)
    if not sides_:
        return []
    first = sides_[0]
    partner = remote if first is local else local
    if first.action == "create" and partner.managed and partner.state == "Disconnected":
        # Azure refuses to create a peering towards a VNet whose peering back is Disconnected
        # (RemotePeeringIsDisconnected): bring that one back first, without remote gateways yet.
        interim = dict(partner.final, use_remote_gateways=False)
        writes = [Write(partner, interim, False), Write(first, first.final, False)]
        return writes + ([Write(partner, partner.final, False)] if interim != partner.final else [])
    return [Write(side, side.final, side.sync and side.action != "create") for side in sides_]


@dataclass(frozen=True)
class Plan:
    """What a task (state=present) does: both sides as planned, and the writes in order."""

    local: Side
    remote: Side
    writes: tuple[Write, ...]

    @property
    def changed(self) -> bool:
        return bool(self.writes)

    def predicted(self) -> tuple[dict, dict]:
        """The results of both sides after the writes (check mode, wait=false)."""
        local, remote = self.local, self.remote
        # The local side connects when its partner is managed, or exists and is not Disconnected.
        partner = remote.managed or (remote.peering is not None and remote.state != "Disconnected")
        return (predicted_result(local, partner, remote.vnet),
                predicted_result(remote, True, local.vnet) if remote.managed else current_result(remote))

    def difference(self, predicted: tuple[dict, dict]) -> Difference:
        diff = Difference()
        for side, result in zip((self.local, self.remote), predicted):
            if side.managed:
                diff.add(side.label, *diff_entry(side, result))
        return diff


def make_plan(local: Side, remote: Side, gateways: Callable[[Side], list],
              warn: Optional[Callable[[str], None]] = None) -> Plan:
    """Compare both named sides with the task, and check what Azure would refuse half-way (ValueError, or
    Refused with details) before any write; ``warn``: check_gateways."""
    local, remote = with_sync(planned(local), planned(remote))
    check_overlaps(local, remote)
    if not remote.managed and remote.state == "Disconnected" and local.action == "create":
        raise ValueError(f"manage_remote: peering '{remote.name}' of {remote.describe()} back to this virtual "
                         "network is Disconnected, and Azure refuses a new peering towards it until that one is "
                         "updated or deleted. Ask its owner to, or run with manage_remote: true")
    for side, other in ((local, remote), (remote, local)):
        if side.managed and side.final["use_remote_gateways"] and (side.action or other.action):
            check_gateways(side, other, gateways, warn)
    return Plan(local, remote, tuple(ordered_writes(local, remote)))


def removal(local: Side, remote: Side) -> tuple[list[Side], Difference]:
    """state=absent: the existing managed sides to delete, in order (the side using remote gateways first, so
    the gateway never serves a half peering), and the difference."""
    managed = [local] + ([remote] if remote.managed else [])
    existing = sorted((s for s in managed if s.peering is not None), key=lambda s: not s.peering.use_remote_gateways)
    diff = Difference()
    for side in managed:
        diff.add(side.label, {"name": side.name, "exists": side.peering is not None},
                 {"name": side.name, "exists": False})
    return existing, diff


# ---- results ------------------------------------------------------------------------------------

def current_result(side: Side) -> dict:
    result = side_result(side.peering, side.vnet_id, side.vnet if side.readable else None, side.managed)
    if not side.readable:
        result["exists"] = None
    return result


def predicted_result(side: Side, partner_will_exist: bool, partner_vnet: Any) -> dict:
    """What a managed side will look like after the planned writes."""
    result = side_result(side.peering, side.vnet_id, side.vnet, side.managed)
    result.update(side.final, exists=True, name=side.name)
    result["id"] = side.peering.id if side.peering is not None else str(side.vnet_id.child("virtualNetworkPeerings",
                                                                                           side.name))
    result["remote_virtual_network_id"] = result["remote_virtual_network_id"] or str(side.peer_id)
    result["peering_state"] = "Connected" if partner_will_exist else "Initiated"
    if partner_will_exist:
        result["peering_sync_level"] = "FullyInSync"
    elif side.peering is None or side.action == "reconnect":
        result["peering_sync_level"] = "RemoteNotInSync"
    if partner_vnet is not None and (side.peering is None or side.sync):
        result["remote_address_space"] = vnet_prefixes(partner_vnet)
        result["remote_virtual_network_address_space"] = vnet_prefixes(partner_vnet)
    return result


def diff_entry(side: Side, predicted: Mapping[str, Any]) -> tuple[dict, dict]:
    """Before/after of a managed side: its name, existence, the flags the task sets, and the state or sync
    level a reconnect or a re-sync changes."""
    current = flags(side.peering) if side.peering is not None else {}
    before: dict = {"name": side.name, "exists": side.peering is not None}
    after: dict = {"name": side.name, "exists": True}
    for key in sorted(side.desired):
        before[key], after[key] = current.get(key), side.final[key]
    if side.peering is not None and side.action == "reconnect":
        before["peering_state"], after["peering_state"] = side.state, predicted["peering_state"]
    if side.peering is not None and side.sync:
        before["peering_sync_level"] = text(side.peering.peering_sync_level)
        after["peering_sync_level"] = predicted["peering_sync_level"]
    return before, after
