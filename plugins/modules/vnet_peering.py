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


from dataclasses import replace

from ansible_collections.privnet.azure.plugins.module_utils._azure import (
    AzureModule,
    HttpResponseError,
    means_absent,
)
from ansible_collections.privnet.azure.plugins.module_utils._peering import (
    FLAGS,
    NETWORK,
    current_result,
    gateway_ids,
    gateway_uses_vnet,
    has_gateway_subnet,
    make_plan,
    named,
    peering_body,
    removal,
    sides,
    with_sync,
)
from ansible_collections.privnet.azure.plugins.module_utils._sdk import text
from ansible_collections.privnet.azure.plugins.module_utils._sdkcompat import read_kwargs, request_body, sdk_model
from ansible_collections.privnet.azure.plugins.module_utils._validate import name as valid_name

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


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, lro=True, supports_check_mode=True)
    deadline = module.deadline()
    local, remote = read(module, *validate(module))
    if module.params["state"] == "absent":
        return remove(module, local, remote)
    try:
        plan = make_plan(local, remote, lambda side: gateways_of(module, side),
                         warn=module.warn if module.check_mode else None)
    except ValueError as exc:  # before any write
        module.fail_json(msg=str(exc), **getattr(exc, "details", {}))
    predicted = plan.predicted()
    diff = plan.difference(predicted)
    if not plan.changed:
        return finish(module, False, diff, current_result(local), current_result(remote))
    if module.check_mode:
        return finish(module, True, diff, *predicted)
    for step in plan.writes:
        write(module, *step)
    if not module.wait:
        return finish(module, True, diff, *predicted)
    return finish(module, True, diff, *map(current_result, settle(module, plan, deadline)))


def validate(module):
    """Both sides from the options, before any call to Azure."""
    params = module.params
    if params["resource_group"]:
        module.validated(valid_name, "resource_group", params["resource_group"], "resource_group")
    local_id = module.resolve_id(params["virtual_network"], "virtual_network", NETWORK, "virtualNetworks",
                                 name_kind="virtual_network")
    local, remote = module.validated(sides, params, local_id)
    if remote.tenant and remote.tenant not in module.auxiliary_tenants:
        # The local side's write links to the remote tenant: ARM wants a token for it (x-ms-authorization-auxiliary).
        params["auxiliary_tenants"] = module.auxiliary_tenants + [remote.tenant]
    return local, remote


def network(module, side):
    return module.client("network", subscription_id=side.vnet_id.subscription, tenant_id=side.tenant)


# ---- read ---------------------------------------------------------------------------------

def read(module, local, remote):
    """Both VNets (their peerings and subnets come with them), then each side named, with its peering."""
    vnet = read_vnet(module, local, tolerate_forbidden=False)
    if vnet is None:
        module.fail_json(msg=f"virtual_network: {local.describe()} was not found; create it first, or fix the name")
    local = replace(local, vnet=vnet)
    vnet = read_vnet(module, remote, tolerate_forbidden=not remote.managed)
    if vnet is FORBIDDEN:
        module.warn(f"remote_virtual_network: no permission to read {remote.describe()}; the checks that need it "
                    "(overlapping address spaces, remote gateway) are left to Azure")
        remote = replace(remote, readable=False)
    elif vnet is None:
        module.fail_json(msg=f"remote_virtual_network: {remote.describe()} was not found; create it first, or fix "
                             "the name, resource group or subscription")
    else:
        remote = replace(remote, vnet=vnet)
    return module.validated(named, local), module.validated(named, remote)


def read_vnet(module, side, tolerate_forbidden):
    """The VNet model (subnets and peerings included), None if missing, FORBIDDEN on 403 when tolerated."""
    client, rid = network(module, side), side.vnet_id

    def get():
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

    return module.call(get, what=f"reading {side.describe()}")


def read_peering(module, side):
    return module.get_or_none(network(module, side).virtual_network_peerings.get, side.vnet_id.resource_group,
                              side.vnet_id.name, side.name, what=f"reading peering '{side.name}' of {side.describe()}",
                              **read_kwargs(sdk_model(NETWORK_SDK, "VirtualNetworkPeering")))


def gateways_of(module, side):
    """Gateway ids of a side's VNet: from its GatewaySubnet, else by listing its resource group."""
    found = gateway_ids(side.vnet)
    if found or not has_gateway_subnet(side.vnet):
        return found
    group = side.vnet_id.resource_group
    gateways = module.call(lambda: list(network(module, side).virtual_network_gateways.list(group)),
                           what=f"listing the virtual network gateways of resource group '{group}'")
    return [g.id for g in gateways if gateway_uses_vnet(g, str(side.vnet_id))]


# ---- apply ------------------------------------------------------------------------------------

def write(module, side, wanted, sync):
    peering_model = sdk_model(NETWORK_SDK, "VirtualNetworkPeering")
    body = request_body(peering_body(side.peering, wanted, side.peer_id), peering_model)
    kwargs = dict({"sync_remote_address_space": "true"} if sync else {}, **read_kwargs(peering_model))
    verb = "re-syncing" if sync and side.peering is not None and side.action is None else (
        "creating" if side.peering is None else "updating")
    module.begin(network(module, side).virtual_network_peerings.begin_create_or_update, side.vnet_id.resource_group,
                 side.vnet_id.name, side.name, body, what=f"{verb} peering '{side.name}' of {side.describe()}",
                 **kwargs)


def settle(module, plan, deadline):
    """Both sides as Azure has them after the writes: once both are Connected (and re-synced, when a pair that
    just connected still reports an old address space); with an unmanaged remote, as they are."""
    local, remote = plan.local, plan.remote
    if not remote.managed:
        local = replace(local, peering=read_peering(module, local))
        remote = replace(remote, peering=read_peering(module, remote) if remote.readable else None)
        if text(local.peering.peering_state) != "Connected":
            module.warn(f"peering '{local.name}' is Initiated: it connects once the owner of {remote.describe()} "
                        f"creates the peering back (or run with manage_remote: true)")
        elif text(local.peering.peering_sync_level) != "FullyInSync":
            module.warn(f"peering '{remote.name}' of {remote.describe()} must be re-synced by its owner "
                        "(sync level " + text(local.peering.peering_sync_level) + ")")
        return local, remote

    def states(peerings):
        return [text(p.peering_state) if p is not None else None for p in peerings]

    def waiting_for(peerings):
        now = states(peerings)
        return (f"both sides of the peering to be Connected (local '{local.name}': {now[0]}, "
                f"remote '{remote.name}': {now[1]})")

    found = module.wait_until(lambda: [read_peering(module, s) for s in (local, remote)],
                              lambda peerings: states(peerings) == ["Connected", "Connected"], waiting_for, deadline)
    local, remote = with_sync(*(replace(s, peering=p, action=None, sync=False) for s, p in zip((local, remote), found)))
    if not local.sync:
        return local, remote
    for side in (local, remote):
        write(module, side, side.final, True)
    return tuple(replace(s, peering=read_peering(module, s)) for s in (local, remote))


def remove(module, local, remote):
    existing, diff = removal(local, remote)
    for side in existing if not module.check_mode else []:
        module.begin(network(module, side).virtual_network_peerings.begin_delete, side.vnet_id.resource_group,
                     side.vnet_id.name, side.name, what=f"deleting peering '{side.name}' of {side.describe()}")
    if not remote.managed and remote.peering is not None and existing:
        module.warn(f"peering '{remote.name}' of {remote.describe()} stays, Disconnected, until its owner deletes it")
    if remote.managed or remote.peering is None or not existing or module.check_mode:
        remote_after = None if remote.managed else remote.peering
    else:
        remote_after = read_peering(module, remote)
    module.exit(changed=bool(existing), diff=diff, peering_state=None,
                local=current_result(replace(local, peering=None)),
                remote=current_result(replace(remote, peering=remote_after)))


def finish(module, changed, diff, local_result, remote_result):
    module.exit(changed=changed, diff=diff, peering_state=local_result["peering_state"], local=local_result,
                remote=remote_result)


if __name__ == "__main__":
    main()
