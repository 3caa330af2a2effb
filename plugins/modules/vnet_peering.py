#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: vnet_peering
short_description: Peer two virtual networks, both directions in one task
version_added: 0.1.0
description:
  - Creates, updates, re-syncs or removes the peering between two virtual networks. One task manages
    both sides (the peering in O(virtual_network) and the one back from O(remote_virtual_network)),
    which may be in different resource groups or subscriptions.
  - Before writing anything it checks what Azure would otherwise refuse half-way through a two-sided
    change, and fails naming the option and the fix. The address spaces of the two virtual networks
    must not overlap, nor overlap a virtual network already peered with the other one.
    O(use_remote_gateways) needs a virtual network gateway (or a Route Server) in the other virtual
    network, gateway transit allowed on the other side, no gateway in this virtual network, and no other
    peering of this virtual network already using remote gateways.
  - The side that allows gateway transit is written before the side that uses remote gateways. After
    writing, the module waits (up to O(wait_timeout)) until both sides are C(Connected).
  - After an address space changed, the peering shows C(LocalNotInSync), C(RemoteNotInSync) or
    C(LocalAndRemoteNotInSync). The module then re-syncs both sides (a PUT with
    C(syncRemoteAddressSpace=true)), which is how Azure takes up a new address space without
    re-creating the peering.
  - A side found C(Disconnected) (its partner was deleted) is written again, which brings it back.
  - When you have no rights on the remote virtual network, O(manage_remote=false) manages the local side
    alone; it stays C(Initiated) until the owner of the remote virtual network creates the other side.
  - Flags you leave out are not changed on an existing peering. A new peering gets Azure's defaults for
    them - virtual network access allowed, everything else off.
  - Every other writable property of a peering (subnet peering, C(doNotVerifyRemoteGateways)) is sent
    back as read.
author:
  - privnet maintainers (!UNKNOWN)
requirements:
  - azure-mgmt-network >= 28
options:
  virtual_network:
    description:
      - The local virtual network, its name in O(resource_group) or its resource id (which may be in another
        subscription).
    type: str
    required: true
  resource_group:
    description:
      - Resource group of O(virtual_network) when that is a name.
      - Also the default resource group of O(remote_virtual_network) when that is a name.
    type: str
  remote_virtual_network:
    description:
      - The virtual network to peer with.
      - A resource id; a name (in the resource group and subscription of O(virtual_network)); or a dict
        with C(name), C(resource_group) (default, the resource group of O(virtual_network)),
        C(subscription_id) (default, the subscription of O(virtual_network)) and C(tenant).
      - C(tenant) is the Microsoft Entra tenant of the remote subscription when it is not the module's
        O(tenant) - a peering across tenants. The remote side is then read and written signed into that
        tenant, and each side's write carries a token for the other tenant (ARM's
        C(x-ms-authorization-auxiliary), see O(auxiliary_tenants), to which it is added). The identity must
        exist in both tenants (a multi-tenant application) and O(tenant) must be set.
    type: raw
    required: true
  name:
    description:
      - Name of the peering in O(virtual_network).
      - When not given, an existing peering of O(virtual_network) to O(remote_virtual_network) is taken
        whatever its name, else C(<virtual network>-to-<remote virtual network>), for example
        C(vnet-spoke1-to-vnet-hub).
    type: str
  remote_name:
    description:
      - Name of the peering in O(remote_virtual_network), back to O(virtual_network).
      - When not given, an existing peering back is taken whatever its name, else
        C(<remote virtual network>-to-<virtual network>), for example C(vnet-hub-to-vnet-spoke1).
    type: str
  state:
    description:
      - V(present) creates or updates both sides (the local side only with O(manage_remote=false)).
      - V(absent) removes both sides (the local side only with O(manage_remote=false)).
    type: str
    choices: [present, absent]
    default: present
  manage_remote:
    description:
      - Whether to manage the side in O(remote_virtual_network) too.
      - With V(false) only the local side is written. It reports C(Initiated) until someone creates the
        peering back, then C(Connected). The remote virtual network is still read when your
        credentials allow it, for the checks; when they do not (HTTP 403), the checks that need it are
        skipped with a warning and Azure makes them.
    type: bool
    default: true
  allow_virtual_network_access:
    description:
      - Whether addresses of the remote virtual network can reach this one through the local side.
      - A new peering gets V(true) when not given; an existing one keeps its value.
    type: bool
  allow_forwarded_traffic:
    description:
      - Whether the local side accepts traffic forwarded by the remote virtual network (not originating
        in it), such as traffic through a network virtual appliance.
      - A new peering gets V(false) when not given; an existing one keeps its value.
    type: bool
  allow_gateway_transit:
    description:
      - Whether the gateway of this virtual network serves the remote one (the hub side in hub and spoke).
      - A new peering gets V(false) when not given; an existing one keeps its value.
    type: bool
  use_remote_gateways:
    description:
      - Whether this virtual network uses the gateway of the remote one (the spoke side in hub and spoke).
      - Needs a gateway (VPN or ExpressRoute) or a Route Server in the remote virtual network, gateway
        transit allowed on the remote side (O(remote.allow_gateway_transit)), no gateway in this virtual
        network and no other peering of this virtual network using remote gateways. All are checked before
        any change.
      - A new peering gets V(false) when not given; an existing one keeps its value.
    type: bool
  remote:
    description:
      - The flags of the remote side (the peering in O(remote_virtual_network)), with the same meaning as
        the flags above seen from the remote virtual network.
      - Needs O(manage_remote=true).
    type: dict
    suboptions:
      allow_virtual_network_access:
        description:
          - Whether addresses of O(virtual_network) can reach the remote virtual network.
          - A new peering gets V(true) when not given; an existing one keeps its value.
        type: bool
      allow_forwarded_traffic:
        description:
          - Whether the remote side accepts traffic forwarded by O(virtual_network).
          - A new peering gets V(false) when not given; an existing one keeps its value.
        type: bool
      allow_gateway_transit:
        description:
          - Whether the gateway of the remote virtual network serves O(virtual_network); needed by
            O(use_remote_gateways=true).
          - A new peering gets V(false) when not given; an existing one keeps its value.
        type: bool
      use_remote_gateways:
        description:
          - Whether the remote virtual network uses the gateway of O(virtual_network); needs
            O(allow_gateway_transit=true).
          - A new peering gets V(false) when not given; an existing one keeps its value.
        type: bool
extends_documentation_fragment:
  - privnet.azure.azure
  - privnet.azure.wait
  - privnet.azure.attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads both sides and makes the same checks, writes nothing and returns the predicted sides.
  diff_mode:
    support: full
    details:
      - For each side, whether it exists and the flags you set, before and after; plus the peering state
        or sync level when the module brings a side back or re-syncs it.
  idempotent:
    support: full
notes:
  - Peering virtual networks in different Microsoft Entra tenants needs an identity valid in both tenants;
    give the remote tenant as C(remote_virtual_network.tenant) (Microsoft Learn, "Create a virtual network
    peering - different subscriptions and Microsoft Entra tenants").
  - Peering is not transitive. With spokes peered to a hub, spokes do not reach each other unless the
    hub forwards traffic (O(allow_forwarded_traffic) on the spokes' sides and a network virtual appliance
    or gateway in the hub).
seealso:
  - name: Virtual network peering
    description: Peering states, gateway transit and address space sync.
    link: https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview
  - name: Update the address space of a peered virtual network
    description: Why a peering needs a sync after an address space change.
    link: https://learn.microsoft.com/azure/virtual-network/update-virtual-network-peering-address-space
"""

EXAMPLES = r"""
- name: Peer a spoke with the hub and use the hub's VPN gateway (both sides in one task)
  privnet.azure.vnet_peering:
    resource_group: rg-spokes
    virtual_network: vnet-spoke1
    remote_virtual_network:
      name: vnet-hub
      resource_group: rg-hub
    allow_forwarded_traffic: true
    use_remote_gateways: true
    remote:
      allow_forwarded_traffic: true
      allow_gateway_transit: true

- name: Peer with a virtual network in another subscription, by id, with chosen peering names
  privnet.azure.vnet_peering:
    resource_group: rg-app
    virtual_network: vnet-app
    remote_virtual_network: /subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-shared/providers/Microsoft.Network/virtualNetworks/vnet-shared
    name: app-to-shared
    remote_name: shared-to-app

- name: No rights on the remote side - create ours and let its owner create theirs (Initiated until then)
  privnet.azure.vnet_peering:
    resource_group: rg-app
    virtual_network: vnet-app
    remote_virtual_network: "{{ partner_vnet_id }}"
    manage_remote: false
  register: peering

- name: Show the state of the local side
  ansible.builtin.debug:
    msg: "{{ peering.local.peering_state }}"

- name: Remove the peering, both sides
  privnet.azure.vnet_peering:
    resource_group: rg-spokes
    virtual_network: vnet-spoke1
    remote_virtual_network: {name: vnet-hub, resource_group: rg-hub}
    state: absent
"""

RETURN = r"""
peering_state:
  description:
    - State of the local side; V(Connected) once both sides exist.
    - In check mode, as it would be. Null after O(state=absent).
  returned: always
  type: str
  sample: Connected
local:
  description:
    - The side in O(virtual_network), after the change; in check mode, as it would be.
    - With O(wait=false), the state before Azure finished the change.
  returned: always
  type: dict
  contains: &side
    exists:
      description: Whether this side exists; null when it could not be read (no rights on it).
      type: bool
      returned: always
      sample: true
    managed:
      description: Whether this task manages this side (false for the remote side with O(manage_remote=false)).
      type: bool
      returned: always
      sample: true
    id:
      description: Resource id of the peering.
      type: str
      returned: always
    name:
      description: Name of the peering.
      type: str
      returned: always
      sample: vnet-spoke1-to-vnet-hub
    virtual_network:
      description: Name of the virtual network this side belongs to.
      type: str
      returned: always
      sample: vnet-spoke1
    virtual_network_id:
      description: Resource id of the virtual network this side belongs to.
      type: str
      returned: always
    resource_group:
      description: Resource group of that virtual network.
      type: str
      returned: always
      sample: rg-spokes
    subscription_id:
      description: Subscription of that virtual network.
      type: str
      returned: always
    peering_state:
      description: C(Initiated) (only this side exists), C(Connected) or C(Disconnected) (the other side was deleted).
      type: str
      returned: always
      sample: Connected
    peering_sync_level:
      description: C(FullyInSync), C(LocalNotInSync), C(RemoteNotInSync) or C(LocalAndRemoteNotInSync).
      type: str
      returned: always
      sample: FullyInSync
    allow_virtual_network_access:
      description: Whether the other virtual network can reach this one.
      type: bool
      returned: always
      sample: true
    allow_forwarded_traffic:
      description: Whether forwarded traffic from the other virtual network is accepted.
      type: bool
      returned: always
      sample: false
    allow_gateway_transit:
      description: Whether this virtual network's gateway serves the other one.
      type: bool
      returned: always
      sample: false
    use_remote_gateways:
      description: Whether this virtual network uses the other one's gateway.
      type: bool
      returned: always
      sample: true
    address_space:
      description: Current address prefixes of this side's virtual network.
      type: list
      elements: str
      returned: always
      sample: ["10.1.0.0/16"]
    remote_virtual_network_id:
      description: Resource id of the other virtual network, as the peering references it.
      type: str
      returned: always
    remote_address_space:
      description: Address prefixes of the other virtual network as this side last synced them.
      type: list
      elements: str
      returned: always
      sample: ["10.0.0.0/16"]
    remote_virtual_network_address_space:
      description: Current address prefixes of the other virtual network, as this side sees them.
      type: list
      elements: str
      returned: always
      sample: ["10.0.0.0/16"]
    remote_gateways:
      description: Ids of the other virtual network's gateways this side uses (with use_remote_gateways).
      type: list
      elements: str
      returned: always
      sample: []
    provisioning_state:
      description: Provisioning state of the peering.
      type: str
      returned: always
      sample: Succeeded
remote:
  description:
    - The side in O(remote_virtual_network), back to O(virtual_network), with the same keys as RV(local).
    - Read even with O(manage_remote=false) when your credentials allow it.
  returned: always
  type: dict
  contains: *side
"""


from ansible_collections.privnet.azure.plugins.module_utils._azure import (
    AzureModule,
    HttpResponseError,
    means_absent,
)
from ansible_collections.privnet.azure.plugins.module_utils._ids import ResourceId, resolve_resource_id, same_id
from ansible_collections.privnet.azure.plugins.module_utils._diff import Difference
from ansible_collections.privnet.azure.plugins.module_utils._sdk import text
from ansible_collections.privnet.azure.plugins.module_utils._peering import (
    CREATE_DEFAULTS,
    FLAGS,
    describe_overlaps,
    find_peering,
    flags,
    gateway_ids,
    gateway_uses_vnet,
    has_gateway_subnet,
    route_server_ids,
    needs_sync,
    overlaps,
    peering_body,
    peering_to,
    peerings_of,
    prefixes,
    remote_id,
    side_result,
    vnet_prefixes,
)
from ansible_collections.privnet.azure.plugins.module_utils._sdkcompat import read_kwargs, request_body, sdk_model
from ansible_collections.privnet.azure.plugins.module_utils._validate import name as valid_name

NETWORK = "Microsoft.Network"
NETWORK_SDK = "azure.mgmt.network"  # where the peering models live (see _sdkcompat)
FLAG_SPEC = {key: dict(type="bool") for key in FLAGS}

ARGUMENT_SPEC = dict(
    virtual_network=dict(type="str", required=True),
    resource_group=dict(type="str"),
    remote_virtual_network=dict(type="raw", required=True),
    name=dict(type="str"),
    remote_name=dict(type="str"),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    manage_remote=dict(type="bool", default=True),
    remote=dict(type="dict", options=dict(FLAG_SPEC)),
    **FLAG_SPEC,
)

FORBIDDEN = object()  # a read answered 403: the side exists maybe, but we may not look


class Side:
    """One direction of the peering: the peering named ``name`` in ``vnet_id`` towards ``peer_id``."""

    def __init__(self, label, vnet_id, peer_id, managed, desired, option_prefix, tenant=None):
        self.label = label
        self.tenant = tenant  # the Entra tenant of this side's subscription, when not the module's
        self.vnet_id = vnet_id
        self.peer_id = peer_id
        self.managed = managed
        self.desired = {k: v for k, v in desired.items() if v is not None}
        self.prefix = option_prefix  # "" or "remote."
        self.vnet = None
        self.readable = True
        self.name = None
        self.peering = None
        self.final = None
        self.action = None  # create | update | reconnect
        self.sync = False
        self.result_peering = None

    def option(self, key):
        return f"{self.prefix}{key}"

    @property
    def state(self):
        return text(self.peering.peering_state) if self.peering is not None else None

    def describe(self):
        return (f"virtual network '{self.vnet_id.name}' (resource group '{self.vnet_id.resource_group}', "
                f"subscription '{self.vnet_id.subscription}')")

    def client(self, module):
        return module.client("network", subscription_id=self.vnet_id.subscription, tenant_id=self.tenant)


# ---- parse and validate -------------------------------------------------------------------

def resolve_vnets(module):
    params = module.params
    for option in ("resource_group",):
        if params[option]:
            module.validated(valid_name, "resource_group", params[option], option)
    value = params["virtual_network"]
    if not value.startswith("/"):
        module.validated(valid_name, "virtual_network", value, "virtual_network")
    local = module.resolve_id(value, "virtual_network", NETWORK, "virtualNetworks")

    remote = params["remote_virtual_network"]
    option = "remote_virtual_network"
    if isinstance(remote, str) and remote.startswith("/"):
        remote_id_ = module.validated(resolve_resource_id, remote, option=option, subscription=None,
                                      resource_group=None, provider=NETWORK, type_="virtualNetworks")
    elif isinstance(remote, str) and remote:
        module.validated(valid_name, "virtual_network", remote, option)
        remote_id_ = ResourceId(local.subscription, local.resource_group, NETWORK, "virtualNetworks", remote)
    elif isinstance(remote, dict):
        unknown = sorted(set(remote) - {"name", "resource_group", "subscription_id", "tenant"})
        if unknown:
            module.fail_json(msg=f"{option}: unknown key(s) {', '.join(unknown)}; give name, resource_group, "
                                 "subscription_id and tenant, or a resource id")
        if not remote.get("name"):
            module.fail_json(msg=f"{option}: the dict form needs name (and optionally resource_group and "
                                 "subscription_id)")
        module.validated(valid_name, "virtual_network", str(remote["name"]), f"{option}.name")
        group = str(remote.get("resource_group") or local.resource_group)
        module.validated(valid_name, "resource_group", group, f"{option}.resource_group")
        subscription = str(remote.get("subscription_id") or local.subscription)
        remote_id_ = ResourceId(subscription, group, NETWORK, "virtualNetworks", str(remote["name"]))
    else:
        module.fail_json(msg=f"{option}: give the remote virtual network as a resource id, a name, or a dict "
                             "with name, resource_group and subscription_id")
    if same_id(str(local), str(remote_id_)):
        module.fail_json(msg=f"{option}: {remote_id_} is virtual_network itself; a virtual network cannot be peered "
                             "with itself")
    tenant = str(remote.get("tenant") or "").strip() if isinstance(remote, dict) else ""
    if tenant and tenant not in module.auxiliary_tenants:
        # The local side's write links to the remote tenant: ARM wants a token for it (x-ms-authorization-auxiliary).
        params["auxiliary_tenants"] = module.auxiliary_tenants + [tenant]
    return local, remote_id_, tenant or None


def check_name(module, option, value):
    if value is not None:
        module.validated(valid_name, "virtual_network_peering", value, option)


# ---- read ---------------------------------------------------------------------------------

def read_vnet(module, side, tolerate_forbidden):
    """The VNet model (subnets and peerings included), None if missing, FORBIDDEN on 403 when tolerated."""
    client = side.client(module)
    rid = side.vnet_id

    def read():
        try:
            return client.virtual_networks.get(rid.resource_group, rid.name, **read_kwargs(
                sdk_model(NETWORK_SDK, "VirtualNetwork"),
                {"virtual_network_peerings": ("properties", "virtualNetworkPeerings")}))
        except HttpResponseError as exc:
            if means_absent(exc):
                return None
            if tolerate_forbidden and getattr(exc, "status_code", None) == 403:
                return FORBIDDEN
            raise

    return module.call(read, what=f"reading {side.describe()}")


def resolve_side_name(module, side, given, derived, option):
    """Pick the peering name of a side and find its peering (both from the VNet read)."""
    if not side.readable:
        side.name = given or derived
        return
    towards_peer = peering_to(side.vnet, str(side.peer_id))
    if given:
        named = find_peering(side.vnet, given)
        if named is not None and not same_id(remote_id(named), str(side.peer_id)):
            module.fail_json(msg=f"{option}: peering '{given}' of {side.describe()} already connects to "
                                 f"{remote_id(named)}; the remote virtual network of a peering cannot be changed. "
                                 "Choose another name, or delete that peering first")
        if towards_peer is not None and towards_peer.name.lower() != given.lower():
            module.fail_json(msg=f"{option}: {side.describe()} already has peering '{towards_peer.name}' to "
                                 f"{side.peer_id.name}, and Azure allows one peering per pair of virtual networks. "
                                 f"Set {option}: {towards_peer.name} (or leave {option} out), or delete that peering")
        side.name, side.peering = given, named
        return
    if towards_peer is not None:
        side.name, side.peering = towards_peer.name, towards_peer
        return
    if len(derived) > 80:
        module.fail_json(msg=f"{option}: the default peering name {derived!r} is longer than 80 characters; "
                             f"set {option}")
    named = find_peering(side.vnet, derived)
    if named is not None:
        module.fail_json(msg=f"{option}: peering '{derived}' of {side.describe()} already connects to "
                             f"{remote_id(named)}; set {option} to another name")
    side.name = derived


# ---- checks before any write ---------------------------------------------------------------

def check_overlaps(module, local, remote):
    if not (local.readable and remote.readable) or local.vnet is None or remote.vnet is None:
        return
    pairs = overlaps(vnet_prefixes(local.vnet), vnet_prefixes(remote.vnet))
    if pairs:
        module.fail_json(msg=f"remote_virtual_network: the address spaces of {local.vnet_id.name} "
                             f"({', '.join(vnet_prefixes(local.vnet))}) and {remote.vnet_id.name} "
                             f"({', '.join(vnet_prefixes(remote.vnet))}) overlap ({describe_overlaps(pairs)}); "
                             "peered virtual networks need address spaces that do not overlap. Change the "
                             "address space of one of them first", overlapping_prefixes=[list(p) for p in pairs])
    # Azure also refuses a peering whose VNet overlaps a VNet already peered with the other side.
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
                module.fail_json(msg=f"remote_virtual_network: the address space of {side.vnet_id.name} overlaps "
                                     f"virtual network {third_name}, already peered with {other.vnet_id.name} "
                                     f"(peering '{third.name}'): {describe_overlaps(pairs)}. Azure refuses such a "
                                     "peering; change one of the address spaces first",
                                 overlapping_prefixes=[list(p) for p in pairs])


def gateways_of(module, side):
    """Gateway ids of a side's VNet: from its GatewaySubnet, else by listing its resource group."""
    found = gateway_ids(side.vnet)
    if found or not has_gateway_subnet(side.vnet):
        return found
    client = side.client(module)
    gateways = module.call(lambda: list(client.virtual_network_gateways.list(side.vnet_id.resource_group)),
                           what=f"listing the virtual network gateways of resource group "
                                f"'{side.vnet_id.resource_group}'")
    return [g.id for g in gateways if gateway_uses_vnet(g, str(side.vnet_id))]


def check_gateways(module, side, other):
    """``side`` will use the gateway of ``other``: everything Azure requires for that."""
    option = side.option("use_remote_gateways")
    own = gateways_of(module, side)
    if own:
        module.fail_json(msg=f"{option}: {side.describe()} has its own gateway ({own[0]}); a virtual network with "
                             "a gateway cannot use a remote one. Set it to false, or remove that gateway")
    for peering in peerings_of(side.vnet):
        if (peering.name or "").lower() != side.name.lower() and peering.use_remote_gateways:
            module.fail_json(msg=f"{option}: {side.describe()} already uses remote gateways through peering "
                                 f"'{peering.name}'; only one peering of a virtual network can. Set it to false here, "
                                 "or turn it off on that peering first")
    if other.readable and other.vnet is not None:
        # A Route Server in the remote network serves as its gateway too (route_server_ids).
        if not gateways_of(module, other) and not route_server_ids(other.vnet):
            module.fail_json(msg=f"{option}: {other.describe()} has no virtual network gateway or Route Server to "
                                 "use. Create the gateway (in its GatewaySubnet) or the Route Server (in its "
                                 "RouteServerSubnet) first, or set it to false")
    if other.managed:
        if not other.final["allow_gateway_transit"]:
            transit = other.option("allow_gateway_transit")
            if "allow_gateway_transit" in other.desired and "use_remote_gateways" not in side.desired:
                module.fail_json(msg=f"{transit}: {side.vnet_id.name} uses the gateway of {other.vnet_id.name} through "
                                     f"this peering ({option} is true on its side), so gateway transit must stay on. "
                                     f"Set {option}: false in the same task to stop both")
            module.fail_json(msg=f"{option}: the other side must allow gateway transit; set {transit}: true")
    elif other.peering is not None and not other.peering.allow_gateway_transit:
        module.fail_json(msg=f"{option}: peering '{other.peering.name}' of {other.describe()} does not allow gateway "
                             "transit; its owner must set allowGatewayTransit on it first (or manage it here with "
                             "manage_remote: true and remote.allow_gateway_transit: true)")


# ---- plan -------------------------------------------------------------------------------------

def plan_side(side):
    if not side.managed:
        side.final = flags(side.peering) if side.peering is not None else None
        return
    base = flags(side.peering) if side.peering is not None else dict(CREATE_DEFAULTS)
    side.final = dict(base, **side.desired)
    if side.peering is None:
        side.action = "create"
    elif side.state == "Disconnected":
        side.action = "reconnect"
    elif any(side.final[k] != base[k] for k in FLAGS):
        side.action = "update"


def plan_sync(local, remote):
    if local.peering is None or local.state != "Connected":
        return
    if remote.managed:
        if remote.peering is None or remote.state != "Connected":
            return
        if needs_sync(local.peering) or needs_sync(remote.peering) or any(
                text(p.peering_sync_level) not in (None, "FullyInSync") for p in (local.peering, remote.peering)):
            local.sync = remote.sync = True
    else:
        local.sync = needs_sync(local.peering)


def ordered_writes(local, remote):
    """(side, flags, sync) in the order Azure accepts them: the side that allows gateway transit
    before the side that uses it; the side that stops using remote gateways before the side that
    stops allowing transit; a Disconnected side brought back before its partner is created."""
    sides = [s for s in (local, remote) if s.managed and (s.action or s.sync)]

    def late(side):
        stops_transit = (side.peering is not None and side.peering.allow_gateway_transit
                         and not side.final["allow_gateway_transit"])
        return bool(side.final["use_remote_gateways"] or stops_transit)

    sides.sort(key=late)
    if not sides:
        return []
    first = sides[0]
    partner = remote if first is local else local
    if (first.action == "create" and partner.managed and partner.peering is not None
            and partner.state == "Disconnected"):
        # Azure refuses to create a peering towards a VNet whose peering back is Disconnected
        # (RemotePeeringIsDisconnected): bring that one back first, without remote gateways yet.
        interim = dict(partner.final, use_remote_gateways=False)
        writes = [(partner, interim, False), (first, first.final, False)]
        if interim != partner.final:
            writes.append((partner, partner.final, False))
        return writes
    return [(side, side.final, side.sync and side.action != "create") for side in sides]


# ---- apply ------------------------------------------------------------------------------------

def write(module, side, wanted, sync):
    client = side.client(module)
    peering_model = sdk_model(NETWORK_SDK, "VirtualNetworkPeering")
    body = request_body(peering_body(side.peering, wanted, side.peer_id), peering_model)
    kwargs = dict({"sync_remote_address_space": "true"} if sync else {}, **read_kwargs(peering_model))
    verb = "re-syncing" if sync and side.peering is not None and side.action is None else (
        "creating" if side.peering is None else "updating")
    result = module.begin(client.virtual_network_peerings.begin_create_or_update, side.vnet_id.resource_group,
                          side.vnet_id.name, side.name, body,
                          what=f"{verb} peering '{side.name}' of {side.describe()}", **kwargs)
    if result is not None:
        side.result_peering = result


def read_peering(module, side):
    client = side.client(module)
    return module.get_or_none(client.virtual_network_peerings.get, side.vnet_id.resource_group, side.vnet_id.name,
                              side.name, what=f"reading peering '{side.name}' of {side.describe()}",
                              **read_kwargs(sdk_model(NETWORK_SDK, "VirtualNetworkPeering")))


def wait_connected(module, local, remote, deadline):
    """Poll both sides until both are Connected; fail after the deadline."""
    def read():
        local.result_peering = read_peering(module, local)
        remote.result_peering = read_peering(module, remote)
        return [text(p.peering_state) if p is not None else None
                for p in (local.result_peering, remote.result_peering)]

    module.wait_until(read, lambda states: states == ["Connected", "Connected"],
                      lambda states: f"both sides of the peering to be Connected (local '{local.name}': {states[0]}, "
                                     f"remote '{remote.name}': {states[1]})", deadline)


def delete(module, side):
    client = side.client(module)
    module.begin(client.virtual_network_peerings.begin_delete, side.vnet_id.resource_group, side.vnet_id.name,
                 side.name, what=f"deleting peering '{side.name}' of {side.describe()}")


# ---- results ----------------------------------------------------------------------------------

def current_result(side):
    result = side_result(side.peering, side.vnet_id, side.vnet if side.readable else None, side.managed)
    if not side.readable:
        result["exists"] = None
    return result


def predicted_result(side, partner_will_exist, partner_vnet):
    """What a managed side will look like after the planned writes (check mode, wait=false)."""
    result = side_result(side.peering, side.vnet_id, side.vnet, side.managed)
    result.update(side.final)
    result["exists"] = True
    result["name"] = side.name
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


def diff_entry(side, after_exists, predicted=None):
    entry_before = {"name": side.name, "exists": side.peering is not None}
    entry_after = {"name": side.name, "exists": after_exists}
    for key in sorted(side.desired):
        entry_before[key] = flags(side.peering)[key] if side.peering is not None else None
        if after_exists:
            entry_after[key] = side.final[key]
    if predicted is not None and side.peering is not None:
        if side.action == "reconnect":
            entry_before["peering_state"] = side.state
            entry_after["peering_state"] = predicted["peering_state"]
        if side.sync:
            entry_before["peering_sync_level"] = text(side.peering.peering_sync_level)
            entry_after["peering_sync_level"] = predicted["peering_sync_level"]
    return entry_before, entry_after


# ---- main -------------------------------------------------------------------------------------

def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, lro=True, supports_check_mode=True)
    params = module.params
    deadline = module.deadline()

    # 1. Parse and validate, before any call to Azure.
    local_id, remote_id_, remote_tenant = resolve_vnets(module)
    check_name(module, "name", params["name"])
    check_name(module, "remote_name", params["remote_name"])
    remote_flags = params["remote"] or {}
    if not params["manage_remote"] and any(v is not None for v in remote_flags.values()):
        module.fail_json(msg="remote: the remote side's flags need manage_remote: true (with manage_remote: false "
                             "the remote side is not written)")
    if params["state"] == "absent" and (any(params[k] is not None for k in FLAGS)
                                        or any(v is not None for v in remote_flags.values())):
        module.fail_json(msg="state: absent removes the peering; do not set flags (" + ", ".join(FLAGS) + ") with it")
    local = Side("local", local_id, remote_id_, True, {k: params[k] for k in FLAGS}, "")
    remote = Side("remote", remote_id_, local_id, params["manage_remote"],
                  {k: remote_flags.get(k) for k in FLAGS}, "remote.", tenant=remote_tenant)

    # 2. Read both virtual networks (their peerings and subnets come with them).
    local.vnet = read_vnet(module, local, tolerate_forbidden=False)
    if local.vnet is None:
        module.fail_json(msg=f"virtual_network: {local.describe()} was not found; create it first, or fix the name")
    remote.vnet = read_vnet(module, remote, tolerate_forbidden=not remote.managed)
    if remote.vnet is FORBIDDEN:
        remote.vnet, remote.readable = None, False
        module.warn(f"remote_virtual_network: no permission to read {remote.describe()}; the checks that need it "
                    "(overlapping address spaces, remote gateway) are left to Azure")
    elif remote.vnet is None:
        module.fail_json(msg=f"remote_virtual_network: {remote.describe()} was not found; create it first, or fix "
                             "the name, resource group or subscription")
    resolve_side_name(module, local, params["name"], f"{local_id.name}-to-{remote_id_.name}", "name")
    resolve_side_name(module, remote, params["remote_name"], f"{remote_id_.name}-to-{local_id.name}", "remote_name")

    if params["state"] == "absent":
        return remove(module, local, remote)

    # 3. Compare, and check what Azure would refuse, before any write.
    plan_side(local)
    plan_side(remote)
    plan_sync(local, remote)
    check_overlaps(module, local, remote)
    if not remote.managed and remote.state == "Disconnected" and local.action == "create":
        module.fail_json(msg=f"manage_remote: peering '{remote.name}' of {remote.describe()} back to this virtual "
                             "network is Disconnected, and Azure refuses a new peering towards it until that one is "
                             "updated or deleted. Ask its owner to, or run with manage_remote: true")
    for side, other in ((local, remote), (remote, local)):
        if side.managed and side.final["use_remote_gateways"] and (side.action or other.action):
            check_gateways(module, side, other)
    writes = ordered_writes(local, remote)
    changed = bool(writes)

    remote_will_exist = remote.peering is not None if not remote.managed else True
    if not remote.managed and remote.state == "Disconnected":
        remote_will_exist = False
    # A side's partner "will exist" for the prediction when it exists and is not Disconnected, or is managed.
    predicted_local = predicted_result(local, remote_will_exist and (remote.managed or remote.readable),
                                       remote.vnet)
    predicted_remote = predicted_result(remote, True, local.vnet) if remote.managed else current_result(remote)
    diff = Difference()
    diff.add("local", *diff_entry(local, True, predicted_local))
    if remote.managed:
        diff.add("remote", *diff_entry(remote, True, predicted_remote))

    if module.check_mode or not changed:
        results = ((predicted_local, predicted_remote) if changed
                   else (current_result(local), current_result(remote)))
        return finish(module, changed, diff, *results)

    # 4. Apply, in an order Azure accepts, then wait for Connected and re-sync if needed.
    for side, wanted, sync in writes:
        write(module, side, wanted, sync)
        side.peering = side.peering or side.result_peering
    if not module.wait:
        return finish(module, True, diff, predicted_local, predicted_remote)
    if remote.managed:
        wait_connected(module, local, remote, deadline)
        # A pair that just connected may still report an old address space: sync it once.
        local.peering, remote.peering = local.result_peering, remote.result_peering
        local.action = remote.action = None
        local.sync = remote.sync = False
        plan_sync(local, remote)
        if local.sync:
            for side in (local, remote):
                write(module, side, side.final, True)
            local.result_peering, remote.result_peering = read_peering(module, local), read_peering(module, remote)
    else:
        local.result_peering = read_peering(module, local)
        if remote.readable:
            remote.result_peering = read_peering(module, remote)
        if text(local.result_peering.peering_state) != "Connected":
            module.warn(f"peering '{local.name}' is Initiated: it connects once the owner of {remote.describe()} "
                        f"creates the peering back (or run with manage_remote: true)")
        elif text(local.result_peering.peering_sync_level) != "FullyInSync":
            module.warn(f"peering '{remote.name}' of {remote.describe()} must be re-synced by its owner "
                        "(sync level " + text(local.result_peering.peering_sync_level) + ")")
    local.peering = local.result_peering
    remote.peering = remote.result_peering if remote.readable else None
    return finish(module, True, diff, current_result(local), current_result(remote))


def remove(module, local, remote):
    sides = [local] + ([remote] if remote.managed else [])
    existing = [s for s in sides if s.peering is not None]
    # The side using remote gateways goes first, so the gateway is never left serving a half peering.
    existing.sort(key=lambda s: not s.peering.use_remote_gateways)
    diff = Difference()
    for side in sides:
        diff.add(side.label, {"name": side.name, "exists": side.peering is not None},
                 {"name": side.name, "exists": False})
    if existing and not module.check_mode:
        for side in existing:
            delete(module, side)
    if not remote.managed and remote.peering is not None and existing:
        module.warn(f"peering '{remote.name}' of {remote.describe()} stays, Disconnected, until its owner deletes it")
    result_local = side_result(None, local.vnet_id, local.vnet, True)
    if remote.managed:
        result_remote = side_result(None, remote.vnet_id, remote.vnet, True)
    else:
        remote_after = remote.peering
        if remote_after is not None and existing and not module.check_mode:
            remote_after = read_peering(module, remote)
        remote.peering = remote_after
        result_remote = current_result(remote)
    module.exit(changed=bool(existing), diff=diff, peering_state=None, local=result_local, remote=result_remote)


def finish(module, changed, diff, local_result, remote_result):
    module.exit(changed=changed, diff=diff, peering_state=local_result["peering_state"], local=local_result,
                remote=remote_result)


if __name__ == "__main__":
    main()
