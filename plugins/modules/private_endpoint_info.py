#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: private_endpoint_info
short_description: Read Azure private endpoints and their members
version_added: 0.1.0
description:
  - Returns one private endpoint (O(name) and O(resource_group)), the endpoints of a resource group
    (O(resource_group)), or every endpoint of the subscription, optionally only those connected to
    O(target_id).
  - Each endpoint comes with its members, read from its network interface (one read per endpoint),
    with the member names Azure requires (C(registry), C(registry_data_<region>) for each geo-replica of a
    registry), their private IP addresses and the public names that must resolve to them. Turn them
    into private DNS records with the P(privnet.azure.members_to_records#filter) filter. With
    O(read_members=false) the network interfaces are not read, so listing a subscription's endpoints is then a
    single (paged) list call.
  - Returns the same endpoint shape as M(privnet.azure.private_endpoint).
author:
  - privnet maintainers (!UNKNOWN)
options:
  name:
    description:
      - Name of one endpoint to return; needs O(resource_group).
      - An endpoint that does not exist gives an empty list, not a failure.
    type: str
  resource_group:
    description:
      - Resource group to list the endpoints of. Without it, every endpoint of the subscription is
        listed.
    type: str
  target_id:
    description:
      - Only return endpoints connected to this resource id (for example a container registry's), compared
        case-insensitively.
      - An endpoint whose connection names a private link service by its alias
        (RV(private_endpoints[].target_alias)) does not match the service's id.
    type: str
  read_members:
    description:
      - Whether to read each endpoint's network interface for its RV(private_endpoints[].members).
      - V(false) returns every endpoint with empty RV(private_endpoints[].members) and no read beyond the endpoints
        themselves; enough to find which endpoints exist, where (RV(private_endpoints[].subnet_id)) and to what
        (RV(private_endpoints[].target_id)), as a teardown does before it unlinks a zone other endpoints may need.
    type: bool
    default: true
  virtual_network:
    description:
      - Only return endpoints whose subnet is in this virtual network, given by name (in
        O(virtual_network_resource_group)) or by resource id.
      - Their network interfaces are the only ones read, so a teardown that needs the members of the endpoints
        sharing a virtual network reads no others.
    type: str
  virtual_network_resource_group:
    description:
      - Resource group of O(virtual_network) when it is a name. Defaults to O(resource_group).
    type: str
  exclude:
    description:
      - Resource ids of endpoints to leave out (compared case-insensitively), for example those a teardown is
        deleting; their network interfaces are not read.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - privnet.azure.azure
  - privnet.azure.attributes.info_module
seealso:
  - module: privnet.azure.private_endpoint
  - plugin: privnet.azure.members_to_records
    plugin_type: filter
"""

EXAMPLES = r"""
- name: Read one endpoint and its members
  privnet.azure.private_endpoint_info:
    name: pe-acrprivnetdemo
    resource_group: rg-network
  register: found

- name: Show the record each member needs
  ansible.builtin.debug:
    msg: "{{ found.private_endpoints[0].members | privnet.azure.members_to_records('privatelink.azurecr.io') }}"

- name: Every endpoint of the subscription that connects to the registry
  privnet.azure.private_endpoint_info:
    target_id: /subscriptions/{{ subscription_id }}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/acrprivnetdemo
  register: registry_endpoints

- name: Endpoints whose connection is still waiting for approval
  ansible.builtin.debug:
    msg: "{{ registry_endpoints.private_endpoints | selectattr('connection_state', 'eq', 'Pending') | map(attribute='id') }}"

- name: Endpoints of a resource group
  privnet.azure.private_endpoint_info:
    resource_group: rg-network

- name: The other endpoints in a virtual network, with their members
  privnet.azure.private_endpoint_info:
    virtual_network: vnet-app
    virtual_network_resource_group: rg-network
    exclude:
      - /subscriptions/{{ subscription_id }}/resourceGroups/rg-network/providers/Microsoft.Network/privateEndpoints/pe-acr
  register: vnet_endpoints

- name: Every endpoint of the subscription, without their members (one list call, no network interface read)
  privnet.azure.private_endpoint_info:
    read_members: false
  register: all_endpoints
"""

RETURN = r"""
private_endpoints:
  description:
    - The endpoints found, sorted by resource id. Empty when none matches.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Resource id of the endpoint.
      type: str
      returned: always
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network/providers/Microsoft.Network/privateEndpoints/pe-acr
    name:
      description: Name of the endpoint.
      type: str
      returned: always
      sample: pe-acr
    resource_group:
      description: Resource group of the endpoint.
      type: str
      returned: always
      sample: rg-network
    location:
      description: Azure region of the endpoint.
      type: str
      returned: always
      sample: westeurope
    subnet_id:
      description: Resource id of the endpoint's subnet.
      type: str
      returned: always
    target_id:
      description:
        - Resource id of the resource the endpoint connects to.
        - None when the connection names a private link service by its alias (see
          RV(private_endpoints[].target_alias)).
      type: str
      returned: always
    target_alias:
      description:
        - The private link service alias the connection names its target by, when it does; None otherwise.
      type: str
      returned: always
      sample: pls-orders.6f1c2b7e-0d0a-4b7a-9b36-2f1d0c6d7a11.westeurope.azure.privatelinkservice
    group_ids:
      description: Group ids of the connection.
      type: list
      elements: str
      returned: always
      sample: [registry]
    connection:
      description: The endpoint's private link service connection.
      type: dict
      returned: always
      contains:
        name:
          description: Name of the connection.
          type: str
          returned: always
        status:
          description: C(Approved), C(Pending), C(Rejected) or C(Disconnected).
          type: str
          returned: always
          sample: Pending
        description:
          description: The reason given with the status.
          type: str
          returned: always
        actions_required:
          description: What the endpoint's owner must do, if anything.
          type: str
          returned: always
        manual:
          description: Whether the connection is a manual one.
          type: bool
          returned: always
        request_message:
          description: Message sent with a manual connection request.
          type: str
          returned: always
    connection_state:
      description: The connection's status (same as RV(private_endpoints[].connection.status)).
      type: str
      returned: always
      sample: Approved
    network_interface_id:
      description: Resource id of the endpoint's network interface.
      type: str
      returned: always
    network_interface_name:
      description: Name of the endpoint's network interface.
      type: str
      returned: always
    ip_configurations:
      description: Static IP configurations of the endpoint (C(name), C(group_id), C(member_name), C(private_ip_address)).
      type: list
      elements: dict
      returned: always
    members:
      description:
        - The endpoint's members, read from its network interface, one per IP configuration.
        - Empty while Azure has not created the network interface yet, and with O(read_members=false).
      type: list
      elements: dict
      returned: always
      contains:
        group_id:
          description: Group id of the member.
          type: str
          returned: always
          sample: registry
        required_member_name:
          description: The member, C(registry) or C(registry_data_<region>) for a registry.
          type: str
          returned: always
          sample: registry
        private_ip:
          description: Private IP address of the member.
          type: str
          returned: always
          sample: 10.20.1.4
        fqdns:
          description: Public names that must resolve to RV(private_endpoints[].members[].private_ip).
          type: list
          elements: str
          returned: always
          sample: [acrprivnetdemo.azurecr.io]
    tags:
      description: Tags of the endpoint.
      type: dict
      returned: always
    provisioning_state:
      description: Provisioning state of the endpoint.
      type: str
      returned: always
      sample: Succeeded
"""

from ansible_collections.privnet.azure.plugins.module_utils._armjson import NETWORK_API, properties
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._endpoint import (
    NETWORK,
    connection_of,
    endpoint_result,
    get_endpoint,
    read_members,
)
from ansible_collections.privnet.azure.plugins.module_utils._ids import parse_resource_id, same_id
from ansible_collections.privnet.azure.plugins.module_utils._validate import name as valid_name

ARGUMENT_SPEC = dict(
    name=dict(type="str"),
    resource_group=dict(type="str"),
    target_id=dict(type="str"),
    read_members=dict(type="bool", default=True),
    virtual_network=dict(type="str"),
    virtual_network_resource_group=dict(type="str"),
    exclude=dict(type="list", elements="str", default=[]),
)


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True,
                         required_by={"name": "resource_group", "virtual_network_resource_group": "virtual_network"})
    params = module.params
    if params["name"]:
        module.validated(valid_name, "private_endpoint", params["name"], "name")
    if params["resource_group"]:
        module.validated(valid_name, "resource_group", params["resource_group"], "resource_group")
    if params["target_id"]:
        module.validated(parse_resource_id, params["target_id"], "target_id")
    subnets_of = None
    if params["virtual_network"]:
        vnet_group = params["virtual_network_resource_group"] or params["resource_group"]
        if params["virtual_network_resource_group"]:
            module.validated(valid_name, "resource_group", vnet_group, "virtual_network_resource_group")
        vnet = module.resolve_id(params["virtual_network"], "virtual_network", NETWORK, "virtualNetworks",
                                 resource_group=vnet_group, name_kind="virtual_network")
        subnets_of = str(vnet).rstrip("/").lower() + "/subnets/"
    for index, value in enumerate(params["exclude"]):
        module.validated(parse_resource_id, value, f"exclude[{index}]")
    excluded = {str(value).rstrip("/").lower() for value in params["exclude"]}

    subscription = f"/subscriptions/{module.subscription_id}"
    if params["name"]:
        found = get_endpoint(module, params["resource_group"], params["name"])
        endpoints = [found] if found is not None else []
    elif params["resource_group"]:
        endpoints = module.arm().list(
            f"{subscription}/resourceGroups/{params['resource_group']}/providers/{NETWORK}/privateEndpoints",
            NETWORK_API, what=f"listing the private endpoints of resource group '{params['resource_group']}'")
    else:
        endpoints = module.arm().list(f"{subscription}/providers/{NETWORK}/privateEndpoints", NETWORK_API,
                                      what=f"listing the private endpoints of subscription '{module.subscription_id}'")

    if params["target_id"]:
        endpoints = [e for e in endpoints if same_id(target_of(e), params["target_id"])]
    if subnets_of is not None:
        endpoints = [e for e in endpoints if subnet_of(e).lower().startswith(subnets_of)]
    endpoints = [e for e in endpoints if (e.get("id") or "").rstrip("/").lower() not in excluded]
    endpoints.sort(key=lambda e: (e.get("id") or "").lower())
    # One read of each endpoint's network interface, for its members (none with read_members=false).
    result = [endpoint_result(e, read_members(module, e) if params["read_members"] else []) for e in endpoints]
    module.exit(changed=False, private_endpoints=result)


def subnet_of(endpoint):
    return str((properties(endpoint).get("subnet") or {}).get("id") or "")


def target_of(endpoint):
    connection, _manual = connection_of(endpoint)
    return properties(connection).get("privateLinkServiceId") if connection is not None else None


if __name__ == "__main__":
    main()
