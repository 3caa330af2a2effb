#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: private_link_service_info
short_description: Private link services with their alias, visibility, auto-approval and connections
version_added: 0.1.0
description:
  - Lists private link services by name, by resource group, or every one of the subscription
    (C(az network private-link-service show/list)), each with its alias, visibility and auto-approval lists, NAT IP
    configurations and private endpoint connections with their states.
author:
  - privnet maintainers (!UNKNOWN)
options:
  name:
    description:
      - Name of one private link service; needs O(resource_group).
      - A service that does not exist gives an empty list.
    type: str
  resource_group:
    description:
      - The resource group whose services to list. Left out (and O(name) too), every service of the subscription.
    type: str
extends_documentation_fragment:
  - privnet.azure.azure
  - privnet.azure.attributes.info_module
seealso:
  - module: privnet.azure.private_link_service
  - module: privnet.azure.private_endpoint_connection_info
"""

EXAMPLES = r"""
- name: One service, with its alias and connections
  privnet.azure.private_link_service_info:
    name: pls-app
    resource_group: rg-provider
  register: info

- name: The consumers still waiting
  ansible.builtin.debug:
    msg: "{{ info.private_link_services[0].connections | selectattr('status', 'equalto', 'Pending') | list }}"

- name: Every private link service of the subscription
  privnet.azure.private_link_service_info:
"""

RETURN = r"""
private_link_services:
  description: The services found, sorted by resource group and name.
  returned: success
  type: list
  elements: dict
  contains:
        id:
          description: Resource id of the service.
          type: str
          returned: always
          sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-provider/providers/Microsoft.Network/privateLinkServices/pls-app
        name:
          description: Name of the service.
          type: str
          returned: always
          sample: pls-app
        resource_group:
          description: Resource group of the service.
          type: str
          returned: always
          sample: rg-provider
        location:
          description: Region of the service.
          type: str
          returned: always
          sample: westeurope
        alias:
          description: The alias consumers connect with.
          type: str
          returned: always
          sample: pls-app.6f1c2b8a-3d4e-4f5a-9b0c-1d2e3f4a5b6c.westeurope.azure.privatelinkservice
        load_balancer_frontend_ids:
          description: Resource ids of the load balancer frontends.
          type: list
          elements: str
          returned: always
        ip_configurations:
          description: The NAT IP configurations.
          type: list
          elements: dict
          returned: always
          contains:
            name:
              description: Name of the IP configuration.
              type: str
              returned: always
              sample: pls-app_ipconfig_0
            subnet_id:
              description: Resource id of its subnet.
              type: str
              returned: always
            private_ip_allocation_method:
              description: V(Dynamic) or V(Static).
              type: str
              returned: always
              sample: Dynamic
            private_ip_address:
              description: Its address (none yet in check mode for a new V(Dynamic) one).
              type: str
              returned: always
              sample: 10.50.2.4
            primary:
              description: Whether it is the primary one.
              type: bool
              returned: always
              sample: true
        visibility:
          description: Subscription ids that can see the service (V(*) for anyone with the alias).
          type: list
          elements: str
          returned: always
        auto_approval:
          description: Subscription ids whose connections are approved at once.
          type: list
          elements: str
          returned: always
        fqdns:
          description: FQDNs of the service.
          type: list
          elements: str
          returned: always
        enable_proxy_protocol:
          description: Whether the PROXY protocol is on.
          type: bool
          returned: always
        tags:
          description: Tags of the service.
          type: dict
          returned: always
        network_interface_ids:
          description: The network interface Azure made for the service (not yours to change).
          type: list
          elements: str
          returned: always
        provisioning_state:
          description: Provisioning state of the service.
          type: str
          returned: always
          sample: Succeeded
        connections:
          description: The private endpoint connections of the service, as M(privnet.azure.private_endpoint_connection)
            returns them.
          type: list
          elements: dict
          returned: always
          contains:
            id:
              description: Resource id of the connection.
              type: str
              returned: always
            name:
              description: Name of the connection.
              type: str
              returned: always
            private_endpoint_id:
              description: Resource id of the consumer's private endpoint.
              type: str
              returned: always
            status:
              description: V(Pending), V(Approved), V(Rejected) or V(Disconnected).
              type: str
              returned: always
              sample: Pending
            description:
              description: The reason recorded with the status (the consumer's request message while pending).
              type: str
              returned: always
            actions_required:
              description: Whether the consumer must act.
              type: str
              returned: always
            provisioning_state:
              description: Provisioning state of the connection.
              type: str
              returned: always
"""

from ansible_collections.privnet.azure.plugins.module_utils._arm import ArmResources
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._ids import build_resource_id
from ansible_collections.privnet.azure.plugins.module_utils._linkservice import (
    API_VERSION,
    NETWORK,
    SERVICE_TYPE,
    check_name,
    service_result,
)
from ansible_collections.privnet.azure.plugins.module_utils._validate import name as valid_name

ARGUMENT_SPEC = dict(
    name=dict(type="str"),
    resource_group=dict(type="str"),
)


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True,
                         required_by={"name": ("resource_group",)})
    params = module.params

    # 1. Validate, before any call to Azure.
    if params["name"] is not None:
        module.validated(check_name, params["name"], "name")
    if params["resource_group"] is not None:
        module.validated(valid_name, "resource_group", params["resource_group"], "resource_group")
    arm = ArmResources(module)
    subscription = module.subscription_id

    # 2. Read.
    if params["name"]:
        service_id = build_resource_id(subscription, params["resource_group"], NETWORK, SERVICE_TYPE, params["name"])
        found = arm.get(service_id, API_VERSION, what=f"reading private link service '{params['name']}' (resource "
                                                      f"group '{params['resource_group']}')")
        services = [found] if found is not None else []
    elif params["resource_group"]:
        services = arm.list(f"/subscriptions/{subscription}/resourceGroups/{params['resource_group']}/providers/"
                            f"{NETWORK}/{SERVICE_TYPE}", API_VERSION,
                            what=f"listing the private link services of resource group '{params['resource_group']}'")
    else:
        services = arm.list(f"/subscriptions/{subscription}/providers/{NETWORK}/{SERVICE_TYPE}", API_VERSION,
                            what=f"listing the private link services of subscription '{subscription}'")

    # 3. Return.
    results = sorted((service_result(s) for s in services),
                     key=lambda s: (str(s["resource_group"]).lower(), str(s["name"]).lower()))
    module.exit(changed=False, private_link_services=results)


if __name__ == "__main__":
    main()
