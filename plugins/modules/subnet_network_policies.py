#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: subnet_network_policies
short_description: Set the private endpoint and private link service network policies of a subnet
version_added: 0.1.0
description:
  - Sets C(privateEndpointNetworkPolicies) and C(privateLinkServiceNetworkPolicies) on an existing
    subnet, the first step of putting a service such as Azure Container Registry behind Private Link
    (C(az network vnet subnet update --disable-private-endpoint-network-policies)).
  - Only the policies you give are changed. The subnet is read and written back as read, so every
    other property (address prefixes, network security group, route table, NAT gateway, delegations,
    service endpoints, service endpoint policies, ...) is kept as it is.
  - The subnet must exist; the module does not create virtual networks or subnets.
author:
  - privnet maintainers (!UNKNOWN)
options:
  subnet_id:
    description:
      - Resource id of the subnet,
        C(/subscriptions/<sub>/resourceGroups/<group>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>).
      - Its subscription and resource group win over O(subscription_id) and O(resource_group).
      - Give either O(subnet_id), or O(virtual_network) and O(name).
    type: str
  virtual_network:
    description:
      - Name of the virtual network, in O(resource_group), or its resource id (which may be in another
        subscription).
    type: str
  name:
    description:
      - Name of the subnet in O(virtual_network).
    type: str
  resource_group:
    description:
      - Resource group of the virtual network, needed when O(virtual_network) is a name.
      - Not used with O(subnet_id) or a O(virtual_network) id.
    type: str
  private_endpoint_network_policies:
    description:
      - Whether network security groups and route tables apply to private endpoints in the subnet.
      - V(Disabled) is what the Private Link procedures ask for. V(NetworkSecurityGroupEnabled) and
        V(RouteTableEnabled) enable only one of the two kinds of policy.
      - Not changed when not given.
    type: str
    choices: [Disabled, Enabled, NetworkSecurityGroupEnabled, RouteTableEnabled]
  private_link_service_network_policies:
    description:
      - Whether network policies apply to private link services in the subnet; V(Disabled) is needed
        to put a private link service (your own service behind a load balancer) in it.
      - Not changed when not given.
    type: str
    choices: [Enabled, Disabled]
extends_documentation_fragment:
  - privnet.azure.azure
  - privnet.azure.wait
  - privnet.azure.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - The diff shows the policies you set, before and after.
  idempotent:
    support: full
seealso:
  - name: Manage network policies for private endpoints
    description: What the two policies do.
    link: https://learn.microsoft.com/azure/private-link/disable-private-endpoint-network-policy
"""

EXAMPLES = r"""
- name: Disable private endpoint network policies before adding a private endpoint
  privnet.azure.subnet_network_policies:
    resource_group: rg-network
    virtual_network: vnet-hub
    name: snet-private-endpoints
    private_endpoint_network_policies: Disabled

- name: Keep network security groups for private endpoints, ignore route tables
  privnet.azure.subnet_network_policies:
    subnet_id: "{{ subnet_id }}"
    private_endpoint_network_policies: NetworkSecurityGroupEnabled

- name: Prepare a subnet for a private link service (credentials set once for the play)
  module_defaults:
    group/privnet.azure.all:
      subscription_id: "{{ azure_subscription_id }}"
  privnet.azure.subnet_network_policies:
    resource_group: rg-app
    virtual_network: vnet-app
    name: snet-pls
    private_link_service_network_policies: Disabled
"""

RETURN = r"""
subnet:
  description:
    - The subnet after the change; in check mode, as it would be.
    - With O(wait=false), the state sent to Azure, before Azure finished applying it.
  returned: success
  type: dict
  contains:
    id:
      description: Resource id of the subnet.
      type: str
      returned: always
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/snet-pe
    name:
      description: Name of the subnet.
      type: str
      returned: always
      sample: snet-pe
    resource_group:
      description: Resource group of the virtual network.
      type: str
      returned: always
      sample: rg-network
    virtual_network:
      description: Name of the virtual network.
      type: str
      returned: always
      sample: vnet-hub
    address_prefix:
      description: Address prefix of the subnet, when it has a single one.
      type: str
      returned: always
      sample: 10.0.1.0/24
    address_prefixes:
      description: Address prefixes of the subnet, when it has several.
      type: list
      elements: str
      returned: always
      sample: []
    private_endpoint_network_policies:
      description: Private endpoint network policies.
      type: str
      returned: always
      sample: Disabled
    private_link_service_network_policies:
      description: Private link service network policies.
      type: str
      returned: always
      sample: Enabled
    service_endpoints:
      description: Service endpoints of the subnet.
      type: list
      elements: dict
      returned: always
      contains:
        service:
          description: The service, such as C(Microsoft.Storage).
          type: str
          returned: always
          sample: Microsoft.Storage
        locations:
          description: Regions the endpoint serves.
          type: list
          elements: str
          returned: always
          sample: ["westeurope", "northeurope"]
    network_security_group_id:
      description: Resource id of the network security group, if any.
      type: str
      returned: always
    route_table_id:
      description: Resource id of the route table, if any.
      type: str
      returned: always
    nat_gateway_id:
      description: Resource id of the NAT gateway, if any.
      type: str
      returned: always
    delegations:
      description: Delegations of the subnet to services.
      type: list
      elements: dict
      returned: always
      contains:
        name:
          description: Name of the delegation.
          type: str
          returned: always
          sample: aci
        service_name:
          description: The service the subnet is delegated to.
          type: str
          returned: always
          sample: Microsoft.ContainerInstance/containerGroups
    provisioning_state:
      description: Provisioning state of the subnet.
      type: str
      returned: always
      sample: Succeeded
"""

from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._diff import ci, compare
from ansible_collections.privnet.azure.plugins.module_utils._subnet import (
    require_subnet,
    resolve_named_subnet,
    subnet_constraints,
    subnet_result,
    update_subnet,
)

POLICIES = ("private_endpoint_network_policies", "private_link_service_network_policies")
# Each option's member of the subnet's properties.
WIRE = {"private_endpoint_network_policies": "privateEndpointNetworkPolicies",
        "private_link_service_network_policies": "privateLinkServiceNetworkPolicies"}

ARGUMENT_SPEC = dict(
    subnet_id=dict(type="str"),
    virtual_network=dict(type="str"),
    name=dict(type="str"),
    resource_group=dict(type="str"),
    private_endpoint_network_policies=dict(
        type="str", choices=["Disabled", "Enabled", "NetworkSecurityGroupEnabled", "RouteTableEnabled"]),
    private_link_service_network_policies=dict(type="str", choices=["Enabled", "Disabled"]),
)


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, lro=True, supports_check_mode=True,
                         **subnet_constraints(*POLICIES))
    params = module.params

    # 1. Parse and validate, before any call to Azure.
    subnet_id = module.validated(resolve_named_subnet, module)
    desired = {key: params[key] for key in POLICIES if params[key] is not None}

    # 2. Read the current state.
    subnet = module.validated(require_subnet, module, subnet_id)

    # 3. Compare only what the user set (Azure may answer enums in another case).
    difference = compare(desired, subnet_result(subnet), normalisers={key: ci for key in POLICIES})

    # 4. Apply the changed policies, keeping every other property (update_subnet honours check mode).
    if difference.changed:
        subnet = update_subnet(module, subnet_id, subnet, {WIRE[key]: desired[key] for key in difference.changed_keys})

    # 5. Return.
    module.exit(changed=difference.changed, diff=difference, subnet=subnet_result(subnet))


if __name__ == "__main__":
    main()
