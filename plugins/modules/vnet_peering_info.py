#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: vnet_peering_info
short_description: Read the peerings of an Azure virtual network
version_added: 0.1.0
description:
  - Returns every peering of one virtual network, with its state, sync level, flags and address spaces,
    in the shape of the sides M(privnet.azure.vnet_peering) returns.
  - One read of the virtual network, which carries its peerings.
author:
  - privnet maintainers (!UNKNOWN)
requirements:
  - azure-mgmt-network >= 28
options:
  virtual_network:
    description: Name (in O(resource_group)) or resource id of the virtual network.
    type: str
    required: true
  resource_group:
    description: Resource group of the virtual network, when O(virtual_network) is a name.
    type: str
extends_documentation_fragment:
  - privnet.azure.azure
  - privnet.azure.attributes.info_module
seealso:
  - module: privnet.azure.vnet_peering
"""

EXAMPLES = r"""
- name: List the hub's peerings
  privnet.azure.vnet_peering_info:
    virtual_network: vnet-hub
    resource_group: rg-hub
  register: hub

- name: Peerings that are not connected
  ansible.builtin.debug:
    msg: "{{ hub.peerings | rejectattr('peering_state', 'equalto', 'Connected') | map(attribute='name') }}"
"""

RETURN = r"""
exists:
  description: Whether the virtual network exists.
  returned: always
  type: bool
peerings:
  description: The virtual network's peerings (empty when it has none or does not exist).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Name of the peering.
      type: str
    id:
      description: Resource id of the peering.
      type: str
    remote_virtual_network_id:
      description: Resource id of the peered virtual network.
      type: str
    peering_state:
      description: C(Initiated), C(Connected) or C(Disconnected).
      type: str
    peering_sync_level:
      description: C(FullyInSync), C(LocalNotInSync), C(RemoteNotInSync) or C(LocalAndRemoteNotInSync).
      type: str
    allow_virtual_network_access:
      description: Whether traffic between the two virtual networks is allowed.
      type: bool
    allow_forwarded_traffic:
      description: Whether forwarded traffic from the peer is allowed.
      type: bool
    allow_gateway_transit:
      description: Whether the peer may use this virtual network's gateway.
      type: bool
    use_remote_gateways:
      description: Whether this virtual network uses the peer's gateway.
      type: bool
    address_space:
      description: This virtual network's address prefixes.
      type: list
      elements: str
    remote_address_space:
      description: The peer's address prefixes as last synced.
      type: list
      elements: str
"""

from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._peering import peerings_of, side_result


def main():
    module = AzureModule(
        argument_spec=dict(
            virtual_network=dict(type="str", required=True),
            resource_group=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    vnet_id = module.resolve_id(module.params["virtual_network"], "virtual_network", "Microsoft.Network",
                                "virtualNetworks")
    network = module.client("network", subscription_id=vnet_id.subscription)
    vnet = module.get_or_none(network.virtual_networks.get, vnet_id.resource_group, vnet_id.name,
                              what=f"reading virtual network '{vnet_id.name}'")
    peerings = [side_result(p, vnet_id, vnet) for p in peerings_of(vnet)] if vnet is not None else []
    module.exit(changed=False, exists=vnet is not None, peerings=peerings)


if __name__ == "__main__":
    main()
