#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: vpn_gateway_info
short_description: VPN gateways of a resource group, or one by name
version_added: 0.1.0
description:
  - Returns the virtual network gateways of O(resource_group), or the one named O(name), as
    M(privnet.azure.vpn_gateway) returns them (SKU, generation, active-active, BGP, public IP addresses,
    point-to-site configuration, provisioning state).
author:
  - privnet maintainers (!UNKNOWN)
options:
  name:
    description:
      - Name of the gateway. Left out, every gateway of O(resource_group).
    type: str
  resource_group:
    description:
      - Resource group of the gateways.
    type: str
    required: true
extends_documentation_fragment:
  - privnet.azure.azure
  - privnet.azure.attributes.info_module
seealso:
  - module: privnet.azure.vpn_gateway
"""

EXAMPLES = r"""
- name: Is the hub's gateway ready?
  privnet.azure.vpn_gateway_info:
    name: vpngw-hub
    resource_group: rg-hub
  register: hub

- name: Show its BGP peer addresses
  ansible.builtin.debug:
    msg: "{{ hub.vpn_gateways[0].bgp_peering_addresses }}"
  when: hub.vpn_gateways | length > 0
"""

RETURN = r"""
vpn_gateways:
  description:
    - The gateways found; empty when O(name) does not exist. The fields of M(privnet.azure.vpn_gateway)'s
      C(vpn_gateway) return value.
  returned: always
  type: list
  elements: dict
  sample:
    - name: vpngw-hub
      sku: VpnGw2AZ
      generation: Generation2
      active_active: false
      enable_bgp: true
      bgp_asn: 65010
      provisioning_state: Succeeded
"""

from ansible_collections.privnet.azure.plugins.module_utils._armjson import NETWORK_API
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._ids import build_resource_id
from ansible_collections.privnet.azure.plugins.module_utils._validate import name as valid_name
from ansible_collections.privnet.azure.plugins.module_utils._vpn import (
    GATEWAY_TYPE,
    NETWORK,
    check_name,
    gateway_result,
)

ARGUMENT_SPEC = dict(
    name=dict(type="str"),
    resource_group=dict(type="str", required=True),
)


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    module.validated(valid_name, "resource_group", params["resource_group"], "resource_group")
    arm = module.arm()
    group = params["resource_group"]
    if params["name"]:
        module.validated(check_name, params["name"], "name", "virtual network gateway")
        gateway_id = build_resource_id(module.subscription_id, group, NETWORK, GATEWAY_TYPE, params["name"])
        found = arm.get(gateway_id, NETWORK_API, what=f"reading VPN gateway '{params['name']}' (resource group "
                                                      f"'{group}')")
        gateways = [found] if found is not None else []
    else:
        collection = f"/subscriptions/{module.subscription_id}/resourceGroups/{group}/providers/{NETWORK}/{GATEWAY_TYPE}"
        gateways = arm.list(collection, NETWORK_API, what=f"listing the virtual network gateways of resource group "
                                                          f"'{group}'")
    module.exit_json(changed=False, vpn_gateways=[gateway_result(g) for g in gateways])


if __name__ == "__main__":
    main()
