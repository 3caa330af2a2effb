#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: virtual_network_dns_servers
short_description: Set the DNS servers of a virtual network (custom, or Azure-provided DNS)
version_added: 0.1.0
description:
  - Sets the DNS servers a virtual network's DHCP gives its virtual machines (C(dhcpOptions.dnsServers),
    C(az network vnet update --dns-servers)) - for example the inbound endpoint of a DNS Private Resolver
    (M(privnet.azure.dns_resolver)), or V([]) for Azure-provided DNS.
  - The virtual network is read and written back as read, changed only in its DNS servers, so every other property
    (address space, subnets, peerings, tags, DDoS protection, encryption, ...) is kept. A virtual network written
    without its subnets or peerings would lose them.
  - The virtual network must exist; the module does not create virtual networks.
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
  dns_servers:
    description:
      - The IP addresses of the DNS servers, in order of preference (a client asks the first, and the others only
        when it does not answer). The complete list.
      - V([]) means Azure-provided DNS (168.63.129.16), which is what resolves private DNS zones linked to the
        virtual network and applies DNS forwarding rulesets linked to it. Custom servers that do not forward to Azure
        DNS from a linked virtual network make private endpoints' names resolve to public addresses.
    type: list
    elements: str
    required: true
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
      - The diff shows the DNS servers before and after.
  idempotent:
    support: full
notes:
  - Running virtual machines keep the DNS servers of their last DHCP lease. After a change, renew the lease on every
    affected VM (C(ipconfig /renew) on Windows) or restart them (Microsoft Learn, "Name resolution for resources in
    Azure virtual networks", section "Specify DNS servers").
  - DNS servers set on a network interface win over the virtual network's.
seealso:
  - module: privnet.azure.dns_resolver
  - name: Name resolution for resources in Azure virtual networks
    description: Azure-provided DNS, custom DNS servers, and the DHCP lease renewal a change needs.
    link: https://learn.microsoft.com/azure/virtual-network/virtual-networks-name-resolution-for-vms-and-role-instances#specify-dns-servers
"""

EXAMPLES = r"""
- name: The spokes use the hub resolver's inbound endpoint
  privnet.azure.virtual_network_dns_servers:
    resource_group: rg-spokes
    virtual_network: vnet-spoke1
    dns_servers: "{{ resolver.dns_resolver.inbound_ip_addresses }}"

- name: Back to Azure-provided DNS
  privnet.azure.virtual_network_dns_servers:
    virtual_network: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-spokes/providers/Microsoft.Network/virtualNetworks/vnet-spoke2
    dns_servers: []
"""

RETURN = r"""
virtual_network:
  description:
    - The virtual network after the change; in check mode, as it would be.
  returned: success
  type: dict
  contains:
    id:
      description: Resource id of the virtual network.
      type: str
      returned: always
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-spokes/providers/Microsoft.Network/virtualNetworks/vnet-spoke1
    name:
      description: Name of the virtual network.
      type: str
      returned: always
      sample: vnet-spoke1
    resource_group:
      description: Resource group of the virtual network.
      type: str
      returned: always
      sample: rg-spokes
    dns_servers:
      description: Its custom DNS servers, in order ([] for Azure-provided DNS).
      type: list
      elements: str
      returned: always
      sample: [10.10.0.4]
    azure_provided_dns:
      description: Whether the virtual network uses Azure-provided DNS (no custom DNS servers).
      type: bool
      returned: always
      sample: false
    provisioning_state:
      description: Provisioning state of the virtual network.
      type: str
      returned: always
      sample: Succeeded
"""

from ansible_collections.privnet.azure.plugins.module_utils._armjson import NETWORK_API, properties
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._diff import Difference
from ansible_collections.privnet.azure.plugins.module_utils._resolver import (
    dns_servers,
    vnet_dns_servers,
    vnet_result,
    vnet_sendable,
)
from ansible_collections.privnet.azure.plugins.module_utils._validate import name as valid_name

ARGUMENT_SPEC = dict(
    virtual_network=dict(type="str", required=True),
    resource_group=dict(type="str"),
    dns_servers=dict(type="list", elements="str", required=True),
)


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, lro=True, supports_check_mode=True)
    params = module.params

    # 1. Validate, before any call to Azure.
    if params["resource_group"]:
        module.validated(valid_name, "resource_group", params["resource_group"], "resource_group")
    rid = module.resolve_id(params["virtual_network"], "virtual_network", "Microsoft.Network", "virtualNetworks",
                            name_kind="virtual_network")
    wanted = module.validated(dns_servers, params["dns_servers"], "dns_servers")
    what = f"virtual network '{rid.name}' (resource group '{rid.resource_group}', subscription '{rid.subscription}')"

    # 2. Read the virtual network (through ArmResources at NETWORK_API, as the subnet and VPN modules read it).
    arm = module.arm(rid.subscription)
    vnet = arm.get(str(rid), NETWORK_API, what=f"reading {what}")
    if vnet is None:
        module.fail_json(msg=f"virtual_network: {what} was not found; create it first, or fix the name")

    # 3. Compare (the order matters: the first server is the preferred one).
    difference = Difference()
    difference.add("dns_servers", vnet_dns_servers(vnet), wanted)

    # 4. Apply: the virtual network as read, changed only in its DNS servers.
    if difference.changed:
        body = vnet_sendable(vnet)
        body.setdefault("properties", {})["dhcpOptions"] = dict(properties(body).get("dhcpOptions") or {},
                                                                dnsServers=wanted)
        if module.check_mode:
            vnet = dict(vnet, properties=dict(properties(vnet), dhcpOptions={"dnsServers": wanted}))
        else:
            vnet = arm.put(str(rid), NETWORK_API, body, what=f"setting the DNS servers of {what}") or dict(
                vnet, properties=dict(properties(vnet), dhcpOptions={"dnsServers": wanted}))

    # 5. Return.
    module.exit(changed=difference.changed, diff=difference, virtual_network=result(vnet, str(rid)))


def result(vnet, vnet_id):
    """The members this module documents of the shared view of a virtual network (virtual_network_info has them all)."""
    view = vnet_result(vnet, vnet_id)
    return {key: view[key] for key in ("id", "name", "resource_group", "dns_servers", "azure_provided_dns",
                                       "provisioning_state")}


if __name__ == "__main__":
    main()
