#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: virtual_network_info
short_description: Read one Azure virtual network - its address space, DNS servers and subnets
version_added: 0.1.0
description:
  - Returns one virtual network with one read (a single C(GET) of the virtual network, which carries its subnets) -
    its address prefixes, the DNS servers its DHCP gives its virtual machines (C(dhcpOptions.dnsServers)), its
    subnets (address prefixes, delegations, private endpoint network policies, ...) and its tags.
  - Changes nothing; a virtual network that does not exist is not a failure (RV(exists) is V(false)).
  - Give its RV(virtual_network.dns_servers) to M(privnet.azure.private_link_check)'s
    O(privnet.azure.private_link_check#module:virtual_network_dns_servers) so that many checks from the same virtual
    network read it once.
author:
  - privnet maintainers (!UNKNOWN)
options:
  virtual_network:
    description:
      - Name of the virtual network, in O(resource_group), or its resource id (which may be in another
        subscription).
    type: str
    required: true
  resource_group:
    description:
      - Resource group of the virtual network, needed when O(virtual_network) is a name.
    type: str
extends_documentation_fragment:
  - privnet.azure.azure
  - privnet.azure.attributes.info_module
seealso:
  - module: privnet.azure.virtual_network_dns_servers
  - module: privnet.azure.subnet_network_policies
  - module: privnet.azure.vnet_peering_info
"""

EXAMPLES = r"""
- name: Read the spoke once
  privnet.azure.virtual_network_info:
    virtual_network: vnet-spoke2
    resource_group: rg-spokes
  register: spoke

- name: Verify an endpoint from the spoke without reading the spoke again
  privnet.azure.private_link_check:
    name: pe-acrprivnetdemo
    resource_group: rg-network
    virtual_network: vnet-spoke2
    virtual_network_resource_group: rg-spokes
    virtual_network_dns_servers: "{{ spoke.virtual_network.dns_servers }}"
  when: spoke.exists

- name: The subnets delegated to the DNS Private Resolver
  ansible.builtin.debug:
    msg: >-
      {{ spoke.virtual_network.subnets | selectattr('delegations', 'contains', 'Microsoft.Network/dnsResolvers')
         | map(attribute='name') }}
  when: spoke.exists

- name: By resource id, in another subscription
  privnet.azure.virtual_network_info:
    virtual_network: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub
"""

RETURN = r"""
exists:
  description: Whether the virtual network exists.
  returned: always
  type: bool
  sample: true
virtual_network:
  description:
    - The virtual network; V(null) when it does not exist.
  returned: always
  type: dict
  contains:
    id:
      description: Resource id of the virtual network.
      type: str
      returned: always
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-spokes/providers/Microsoft.Network/virtualNetworks/vnet-spoke2
    name:
      description: Name of the virtual network.
      type: str
      returned: always
      sample: vnet-spoke2
    resource_group:
      description: Resource group of the virtual network.
      type: str
      returned: always
      sample: rg-spokes
    location:
      description: Region of the virtual network.
      type: str
      returned: always
      sample: westeurope
    address_prefixes:
      description: The address prefixes of its address space.
      type: list
      elements: str
      returned: always
      sample: [10.62.0.0/16]
    dns_servers:
      description: Its custom DNS servers, in order of preference ([] for Azure-provided DNS).
      type: list
      elements: str
      returned: always
      sample: [10.62.1.10]
    azure_provided_dns:
      description: Whether the virtual network uses Azure-provided DNS (no custom DNS servers).
      type: bool
      returned: always
      sample: false
    subnets:
      description: Its subnets, in Azure's order.
      type: list
      elements: dict
      returned: always
      contains:
        id:
          description: Resource id of the subnet.
          type: str
        name:
          description: Name of the subnet.
          type: str
          sample: snet-dns-inbound
        resource_group:
          description: Resource group of the virtual network.
          type: str
        virtual_network:
          description: Name of the virtual network.
          type: str
        address_prefix:
          description: Its address prefix, when it has one.
          type: str
          sample: 10.60.0.0/28
        address_prefixes:
          description: Its address prefixes, when given as a list.
          type: list
          elements: str
        delegations:
          description: The services the subnet is delegated to, in order (C(serviceName) of each delegation).
          type: list
          elements: str
          sample: [Microsoft.Network/dnsResolvers]
        private_endpoint_network_policies:
          description: C(Disabled), C(Enabled), C(NetworkSecurityGroupEnabled) or C(RouteTableEnabled).
          type: str
          sample: Disabled
        private_link_service_network_policies:
          description: C(Disabled) or C(Enabled).
          type: str
        service_endpoints:
          description: Its service endpoints (C(service), C(locations)).
          type: list
          elements: dict
        network_security_group_id:
          description: Resource id of its network security group, if any.
          type: str
        route_table_id:
          description: Resource id of its route table, if any.
          type: str
        nat_gateway_id:
          description: Resource id of its NAT gateway, if any.
          type: str
        provisioning_state:
          description: Provisioning state of the subnet.
          type: str
    tags:
      description: Tags of the virtual network.
      type: dict
      returned: always
      sample: {env: prod}
    provisioning_state:
      description: Provisioning state of the virtual network.
      type: str
      returned: always
      sample: Succeeded
"""

from ansible_collections.privnet.azure.plugins.module_utils._armjson import NETWORK_API
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._resolver import vnet_result
from ansible_collections.privnet.azure.plugins.module_utils._validate import name as valid_name

ARGUMENT_SPEC = dict(
    virtual_network=dict(type="str", required=True),
    resource_group=dict(type="str"),
)


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params

    # Validate, before any call to Azure.
    if params["resource_group"]:
        module.validated(valid_name, "resource_group", params["resource_group"], "resource_group")
    rid = module.resolve_id(params["virtual_network"], "virtual_network", "Microsoft.Network", "virtualNetworks",
                            name_kind="virtual_network")
    what = f"virtual network '{rid.name}' (resource group '{rid.resource_group}', subscription '{rid.subscription}')"

    # One read, through ArmResources at NETWORK_API (as the subnet and DNS server modules read it).
    vnet = module.arm(rid.subscription).get(str(rid), NETWORK_API, what=f"reading {what}")
    module.exit(changed=False, exists=vnet is not None,
                virtual_network=vnet_result(vnet, str(rid)) if vnet is not None else None)


if __name__ == "__main__":
    main()
